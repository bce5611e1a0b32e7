// Engine::set_config_version: the name of the configuration in force, which every commit
// carries to the store (the SQLite and PostgreSQL tests check what the stores keep).
#include <stdexcept>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "itsm/engine.hpp"
#include "itsm/memory_store.hpp"

namespace {

// An in-memory store that records the configuration version of each commit it is handed.
class RecordingStore : public itsm::Store {
  public:
    std::vector<std::string> versions;
    void commit(itsm::Commit& c) override {
        inner_.commit(c);
        versions.emplace_back(c.config_version.view());
    }
    itsm::TicketPtr get(itsm::TicketId id) const override { return inner_.get(id); }
    itsm::TicketPtr get_by_key(std::string_view key) const override {
        return inner_.get_by_key(key);
    }
    itsm::Page query(const itsm::Query& q) const override { return inner_.query(q); }
    std::size_t count(const itsm::Query& q) const override { return inner_.count(q); }
    std::vector<itsm::Event> history(itsm::TicketId id) const override {
        return inner_.history(id);
    }
    std::size_t size() const override { return inner_.size(); }
    std::pair<itsm::TicketId, std::uint64_t> allocate(itsm::Symbol kind) override {
        return inner_.allocate(kind);
    }
    std::optional<std::string> meta(std::string_view key) const override {
        return inner_.meta(key);
    }
    void set_meta(std::string_view key, std::string_view value) override {
        inner_.set_meta(key, value);
    }
    void begin_batch() override { inner_.begin_batch(); }
    void end_batch(bool keep) override { inner_.end_batch(keep); }

  private:
    itsm::InMemoryStore inner_;
};

}  // namespace

TEST_CASE("Engine: the configuration version goes with every commit") {
    auto store = std::make_shared<RecordingStore>();
    itsm::Engine e(store, std::make_shared<itsm::ManualClock>(itsm_test::t0()));
    auto sys = itsm::Actor::system();
    CHECK(e.config_version() == "");  // the in-memory store keeps none
    itsm::NewTicket in;
    in.kind = "incident";
    in.title = "printer";
    auto t = e.create(sys, in);
    e.set_config_version("2026-11 \"winter\" é");
    CHECK(e.config_version() == "2026-11 \"winter\" é");
    e.comment(sys, t.id, "first");
    // A batch taken back does not take the version back: it is the host's statement.
    CHECK_THROWS_AS(e.batch([&](itsm::Engine& b) {
        b.set_config_version("in-batch");
        b.comment(sys, t.id, "second");
        throw std::runtime_error("give up");
    }),
                    std::runtime_error);
    CHECK(e.config_version() == "in-batch");
    e.comment(sys, t.id, "third");
    CHECK(store->versions ==
          std::vector<std::string>{"", "2026-11 \"winter\" é", "in-batch", "in-batch"});
}

TEST_CASE("Engine: a malformed configuration version is refused") {
    itsm::Engine e;
    e.set_config_version("v1");
    auto msg =
        itsm_test::error_of([&] { e.set_config_version("v2\n"); }, itsm::Errc::invalid_argument);
    CHECK(msg.find("config_version") != std::string::npos);
    msg = itsm_test::error_of([&] { e.set_config_version(std::string(201, 'v')); },
                              itsm::Errc::invalid_argument);
    CHECK(msg.find("201 bytes") != std::string::npos);
    CHECK(e.config_version() == "v1");
    e.set_config_version(std::string(200, 'v'));  // the longest allowed
    CHECK(e.config_version().size() == 200);
}

// Engine::batch on the in-memory and the SQLite store: all or nothing, observers after the
// batch, other writers wait.
#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "helpers.hpp"
#include "itsm/sqlite_store.hpp"

namespace fs = std::filesystem;

namespace {

struct BatchDesk {
    fs::path dir;
    std::shared_ptr<itsm::Store> store;
    std::shared_ptr<itsm::ManualClock> clock = std::make_shared<itsm::ManualClock>(itsm_test::t0());
    std::unique_ptr<itsm::Engine> engine;
    itsm::Actor sys = itsm::Actor::system();

    explicit BatchDesk(bool durable) {
        if (durable) {
            std::random_device rd;
            dir = fs::temp_directory_path() / fmt::format("itsm-batch-{:x}{:x}", rd(), rd());
            fs::create_directories(dir);
            store = std::make_shared<itsm::SqliteStore>((dir / "b.db").string());
        } else {
            store = std::make_shared<itsm::InMemoryStore>();
        }
        engine = std::make_unique<itsm::Engine>(store, clock);
        // Access control on, so the engine keeps its relationship index.
        itsm::Directory people;
        people.add_user({"rob", "Rob", true});
        engine->set_directory(sys, people);
        itsm::AccessPolicy policy;
        policy.add_segment({engine->schema().default_segment(), {}, false, "Default"});
        policy.add_preset_role("requester")
            .add_grant({"rob", {}, "requester", engine->schema().default_segment(), false, {}});
        engine->set_access(sys, policy);
    }
    ~BatchDesk() {
        engine.reset();
        store.reset();
        std::error_code ec;
        if (!dir.empty()) fs::remove_all(dir, ec);
    }
    itsm::Ticket create(itsm::Engine& e, const char* title) {
        itsm::NewTicket in;
        in.kind = "incident";
        in.title = title;
        in.requester = "rob";
        return e.create(sys, in);
    }
    std::size_t robs_tickets() {
        itsm::Query q;
        q.limit = 1000;
        return engine->query(itsm::Actor("rob"), q).tickets.size();
    }
};

void batches(bool durable) {
    BatchDesk d(durable);
    auto first = d.create(*d.engine, "before");
    std::vector<itsm::Event> heard;
    d.engine->subscribe([&](const itsm::Event& e) { heard.push_back(e); });

    SUBCASE("a kept batch commits every operation, observers hear after it") {
        std::size_t heard_inside = 99;
        d.engine->batch([&](itsm::Engine& e) {
            d.create(e, "one");
            d.create(e, "two");
            itsm::TicketPatch p;
            p.title = "changed in batch";
            e.update(d.sys, first.id, p);
            heard_inside = heard.size();
        });
        CHECK(heard_inside == 0);
        CHECK(heard.size() == 3);
        CHECK(d.store->size() == 3);
        CHECK(d.engine->get(d.sys, first.id).title == "changed in batch");
        CHECK(d.robs_tickets() == 3);
    }
    SUBCASE("a batch that throws leaves nothing") {
        itsm::TicketId inside = 0;
        CHECK_THROWS_AS(d.engine->batch([&](itsm::Engine& e) {
            inside = d.create(e, "one").id;
            itsm::TicketPatch p;
            p.title = "changed in batch";
            e.update(d.sys, first.id, p);
            itsm::TicketPatch stale;
            stale.title = "stale";
            stale.expected_version = 1;
            e.update(d.sys, first.id, stale);  // a conflict: the whole batch goes
        }),
                        itsm::Error);
        CHECK(heard.empty());
        CHECK(d.store->size() == 1);
        CHECK(d.store->get(inside) == nullptr);
        CHECK(d.store->history(inside).empty());
        CHECK(d.engine->get(d.sys, first.id).title == "before");
        CHECK(d.engine->history(d.sys, first.id).size() == 1);
        CHECK(d.robs_tickets() == 1);  // the relationship index forgot the taken-back ticket
        auto next = d.create(*d.engine, "after");
        CHECK(next.id > inside);  // numbers are not reused
    }
    SUBCASE("batches do not nest") {
        itsm_test::error_of(
            [&] {
                d.engine->batch([&](itsm::Engine& e) {
                    d.create(e, "one");
                    e.batch([](itsm::Engine&) {});
                });
            },
            itsm::Errc::invalid_argument);
        CHECK(d.store->size() == 1);
    }
    SUBCASE("other writers wait for the batch") {
        std::atomic<bool> in_batch{false}, other_done{false};
        std::thread other;
        d.engine->batch([&](itsm::Engine& e) {
            in_batch = true;
            other = std::thread([&] {
                d.create(*d.engine, "from another thread");
                other_done = true;
            });
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            d.create(e, "inside");
            CHECK_FALSE(other_done.load());
        });
        other.join();
        CHECK(other_done.load());
        CHECK(d.store->size() == 3);
    }
}

}  // namespace

TEST_CASE("Engine::batch on the in-memory store") {
    batches(false);
}

TEST_CASE("Engine::batch on the SQLite store") {
    batches(true);
}

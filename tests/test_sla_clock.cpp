// Stored SLA clocks: the facts queries use, and the store's alarm index (the in-memory
// store's, and the scanning default every other store inherits).
#include "itsm/sla_clock.hpp"

#include <doctest/doctest.h>

#include "itsm/memory_store.hpp"

using namespace itsm;
using namespace std::chrono_literals;

namespace {

Instant at(const char* s) {
    return parse_instant(s);
}

SlaClock running(const char* due, const char* alarm) {
    SlaClock c;
    c.start = at("2026-03-02T09:00:00Z");
    c.due = at(due);
    c.alarm = at(alarm);
    return c;
}

// A store that keeps the default, scanning Store::sla_alarms.
class PlainStore final : public Store {
  public:
    TicketPtr get(TicketId id) const override { return inner.get(id); }
    TicketPtr get_by_key(std::string_view key) const override { return inner.get_by_key(key); }
    Page query(const Query& q) const override { return inner.query(q); }
    std::size_t count(const Query& q) const override { return inner.count(q); }
    std::vector<Event> history(TicketId id) const override { return inner.history(id); }
    std::size_t size() const override { return inner.size(); }
    std::pair<TicketId, std::uint64_t> allocate(Symbol kind) override {
        return inner.allocate(kind);
    }
    void commit(Commit& c) override { inner.commit(c); }
    std::optional<std::string> meta(std::string_view key) const override { return inner.meta(key); }
    void set_meta(std::string_view key, std::string_view value) override {
        inner.set_meta(key, value);
    }
    void begin_batch() override { inner.begin_batch(); }
    void end_batch(bool keep) override { inner.end_batch(keep); }
    InMemoryStore inner;
};

void put(Store& s, TicketId id, std::vector<SlaClock> clocks, std::uint64_t version) {
    Ticket t;
    t.id = id;
    t.key = "INC000000" + std::to_string(id);
    t.kind = "incident";
    t.version = version + 1;
    t.sla = std::move(clocks);
    Commit c;
    c.tickets.push_back({std::make_shared<const Ticket>(t), version});
    s.commit(c);
}

std::vector<TicketId> ids(const std::vector<TicketPtr>& v) {
    std::vector<TicketId> out;
    for (auto& t : v)
        out.push_back(t->id);
    return out;
}

}  // namespace

TEST_CASE("sla clock: due, alarm and breach facts look at running clocks only") {
    auto a = running("2026-03-02T17:00:00Z", "2026-03-02T13:00:00Z");
    auto b = running("2026-03-02T12:00:00Z", "2026-03-02T10:30:00Z");
    b.pauses.push_back({at("2026-03-02T10:00:00Z"), std::nullopt});  // paused: no fixed due
    CHECK(b.paused());
    CHECK(!b.running());
    CHECK(earliest_due({a, b}) == at("2026-03-02T17:00:00Z"));
    CHECK(next_alarm({a, b}) == at("2026-03-02T13:00:00Z"));
    b.pauses.back().to = at("2026-03-02T11:00:00Z");
    CHECK(earliest_due({a, b}) == at("2026-03-02T12:00:00Z"));
    b.stopped = at("2026-03-02T11:30:00Z");
    b.state = ClockState::breached;
    CHECK(!b.live());
    CHECK(earliest_due({a, b}) == at("2026-03-02T17:00:00Z"));
    CHECK(any_breached({a, b}));
    CHECK(!any_breached({a}));
    CHECK(!earliest_due({}));
}

TEST_CASE("sla clock: stores list alarms due by an instant, earliest first") {
    InMemoryStore indexed;
    PlainStore plain;
    for (Store* s : {static_cast<Store*>(&indexed), static_cast<Store*>(&plain)}) {
        for (TicketId id = 1; id <= 4; ++id)
            s->allocate("incident");
        put(*s, 1, {running("2026-03-02T17:00:00Z", "2026-03-02T13:00:00Z")}, 0);
        put(*s, 2, {running("2026-03-02T12:00:00Z", "2026-03-02T10:00:00Z")}, 0);
        put(*s, 3, {}, 0);
        put(*s, 4, {running("2026-03-02T18:00:00Z", "2026-03-02T14:00:00Z")}, 0);
        CHECK(ids(s->sla_alarms(at("2026-03-02T13:00:00Z"), 10)) == std::vector<TicketId>{2, 1});
        CHECK(ids(s->sla_alarms(at("2026-03-02T23:00:00Z"), 2)) == std::vector<TicketId>{2, 1});
        // A new version moves the ticket in the index; the old position is gone.
        put(*s, 2, {running("2026-03-02T12:00:00Z", "2026-03-02T15:00:00Z")}, 1);
        CHECK(ids(s->sla_alarms(at("2026-03-02T23:00:00Z"), 10)) == std::vector<TicketId>{1, 4, 2});
        Query q;
        q.due_before = at("2026-03-02T17:30:00Z");
        CHECK(s->count(q) == 2);
        q = {};
        q.sort = SortKey::due;
        q.descending = false;
        CHECK(ids(s->query(q).tickets) == std::vector<TicketId>{2, 1, 4, 3});
    }
}

TEST_CASE("sla clock: a refused commit leaves the alarm index as it was") {
    InMemoryStore s;
    s.allocate("incident");
    put(s, 1, {running("2026-03-02T17:00:00Z", "2026-03-02T13:00:00Z")}, 0);
    // A stale version: refused, the index keeps the committed alarm.
    CHECK_THROWS(put(s, 1, {running("2026-03-02T12:00:00Z", "2026-03-02T10:00:00Z")}, 7));
    CHECK(ids(s.sla_alarms(at("2026-03-02T12:00:00Z"), 10)).empty());
    CHECK(ids(s.sla_alarms(at("2026-03-02T13:00:00Z"), 10)) == std::vector<TicketId>{1});
}

#include "itsm/memory_store.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>

#include "helpers.hpp"

using namespace itsm;
using itsm_test::error_of;

namespace {

TicketPtr make_ticket(TicketId id, std::uint64_t version = 1, std::string title = "t") {
    auto t = std::make_shared<Ticket>();
    t->id = id;
    t->key = format_key("INC", id);
    t->kind = "incident";
    t->state = "new";
    t->title = std::move(title);
    t->segment = "it";
    t->version = version;
    t->created = t->updated = instant_from_micros(static_cast<std::int64_t>(id) * 1000000);
    return t;
}

Event event_for(TicketId id) {
    Event e;
    e.ticket = id;
    e.type = EventType::created;
    return e;
}

// The order a query promises, computed the slow and obvious way.
std::vector<TicketId> expected_ids(const std::vector<TicketPtr>& all, const Query& q) {
    std::vector<TicketPtr> hits;
    for (const auto& t : all)
        if (q.matches(*t)) hits.push_back(t);
    std::sort(hits.begin(), hits.end(), [&](const TicketPtr& a, const TicketPtr& b) {
        auto pa = sort_position(*a, q.sort), pb = sort_position(*b, q.sort);
        return q.descending ? pa > pb : pa < pb;
    });
    std::vector<TicketId> ids;
    for (const auto& t : hits)
        ids.push_back(t->id);
    return ids;
}

}  // namespace

TEST_CASE("commit stores tickets and numbers events; get finds them by id and key") {
    InMemoryStore s;
    auto [id, number] = s.allocate("incident");
    CHECK(id == 1);
    CHECK(number == 1);
    CHECK(s.allocate("incident").second == 2);
    CHECK(s.allocate("problem").second == 1);
    Commit c;
    c.tickets.push_back({make_ticket(1), 0});
    c.events = {event_for(1), event_for(1)};
    s.commit(c);
    CHECK(c.events[0].seq == 1);
    CHECK(c.events[1].seq == 2);
    CHECK(s.get(1)->title == "t");
    CHECK(s.get_by_key("INC0000001")->id == 1);
    CHECK(s.get(2) == nullptr);
    CHECK(s.get_by_key("INC0000002") == nullptr);
    CHECK(s.history(1).size() == 2);
    CHECK(s.history(2).empty());
}

TEST_CASE("a commit with one stale write applies none of its writes") {
    InMemoryStore s;
    Commit setup;
    setup.tickets = {{make_ticket(1), 0}, {make_ticket(2), 0}};
    s.commit(setup);
    Commit c;
    c.tickets = {{make_ticket(1, 2, "changed"), 1}, {make_ticket(2, 2, "changed"), 5}};
    c.events = {event_for(1), event_for(2)};
    error_of([&] { s.commit(c); }, Errc::conflict);
    CHECK(s.get(1)->title == "t");
    CHECK(s.get(1)->version == 1);
    CHECK(s.history(1).empty());
    // a duplicate key on a new ticket is a conflict too
    auto dup = make_ticket(3);
    auto clash = std::make_shared<Ticket>(*dup);
    clash->key = "INC0000001";
    Commit k;
    k.tickets = {{clash, 0}};
    error_of([&] { s.commit(k); }, Errc::conflict);
    CHECK(s.size() == 2);
    // a new ticket that already exists is a conflict
    Commit again;
    again.tickets = {{make_ticket(1), 0}};
    error_of([&] { s.commit(again); }, Errc::conflict);
}

TEST_CASE("random queries agree with brute force, in every sort and across pages") {
    // Deterministic random tickets over few values so that filters overlap.
    std::mt19937_64 rng(20261122);
    auto pick = [&](std::vector<Symbol> v) { return v[rng() % v.size()]; };
    std::vector<Symbol> segments = {"it", "hr", "facilities"}, states = {"new", "active", "closed"},
                        users = {Symbol{}, "ann", "ben", "cat", "dan"},
                        groups = {Symbol{}, "desk", "network"},
                        cats = {Symbol{}, "hw", "sw", "net"}, kinds = {"incident", "problem"},
                        tags = {"vpn", "wifi", "vip"};
    InMemoryStore s;
    std::vector<TicketPtr> all;
    for (TicketId id = 1; id <= 1500; ++id) {
        auto t = std::make_shared<Ticket>();
        t->id = id;
        t->key = format_key("T", id);
        t->kind = pick(kinds);
        t->state = pick(states);
        t->segment = pick(segments);
        t->assignee = pick(users);
        t->assignment_group = pick(groups);
        t->category = pick(cats);
        t->requester = pick(users);
        if (rng() % 3 == 0) t->tags.push_back(pick(tags));
        t->priority = static_cast<std::uint8_t>(1 + rng() % 5);
        t->created = instant_from_micros(static_cast<std::int64_t>(rng() % 100000));
        // many equal instants, so the id tie-break matters
        t->updated = t->created + Duration{static_cast<std::int64_t>(rng() % 50) * 1000};
        t->version = 1;
        all.push_back(t);
        Commit c;
        c.tickets.push_back({t, 0});
        s.commit(c);
    }
    // Rewrite a third of them, so rows, counters and keys are checked after replacement too.
    for (int i = 0; i < 500; ++i) {
        auto& slot = all[rng() % all.size()];
        auto next = std::make_shared<Ticket>(*slot);
        next->segment = pick(segments);
        next->state = pick(states);
        next->assignee = pick(users);
        next->assignment_group = pick(groups);
        next->category = pick(cats);
        next->updated += Duration{static_cast<std::int64_t>(rng() % 50) * 1000};
        next->version = slot->version + 1;
        Commit c;
        c.tickets.push_back({next, slot->version});
        s.commit(c);
        slot = next;
    }
    auto some = [&](const std::vector<Symbol>& v) {
        std::vector<Symbol> out;
        for (auto x : v)
            if (rng() % 3 == 0) out.push_back(x);
        return out;
    };
    for (int round = 0; round < 300; ++round) {
        Query q;
        if (rng() % 2) q.segments = some(segments);
        if (rng() % 2) q.states = some(states);
        if (rng() % 3 == 0) q.assignees = some(users);
        if (rng() % 3 == 0) q.groups = some(groups);
        if (rng() % 3 == 0) q.categories = some(cats);
        if (rng() % 4 == 0) q.kinds = some(kinds);
        if (rng() % 5 == 0) q.tags = some(tags);
        if (rng() % 5 == 0) q.priority_max = static_cast<int>(1 + rng() % 5);
        if (rng() % 6 == 0)
            q.updated_from = instant_from_micros(static_cast<std::int64_t>(rng() % 100000));
        q.sort = static_cast<SortKey>(rng() % 3);
        q.descending = rng() % 2;
        q.limit = 1 + rng() % 200;
        CAPTURE(round);
        auto want = expected_ids(all, q);
        CHECK(s.count(q) == want.size());
        std::vector<TicketId> got;
        for (int pages = 0; pages < 2000; ++pages) {
            Page p = s.query(q);
            CHECK(p.tickets.size() <= q.limit);
            for (const auto& t : p.tickets)
                got.push_back(t->id);
            if (p.next_cursor.empty()) break;
            CHECK(p.tickets.size() == q.limit);
            q.cursor = p.next_cursor;
        }
        CHECK(got == want);
    }
}

TEST_CASE("paging stays correct while tickets change between pages") {
    InMemoryStore s;
    std::vector<TicketPtr> all;
    for (TicketId id = 1; id <= 100; ++id) {
        Commit c;
        c.tickets.push_back({make_ticket(id), 0});
        s.commit(c);
    }
    Query q;
    q.segments = {"it"};
    q.states = {"new"};
    q.limit = 10;
    std::vector<TicketId> seen;
    std::set<TicketId> touched;
    TicketId next_new = 101;
    for (;;) {
        Page p = s.query(q);
        for (const auto& t : p.tickets)
            seen.push_back(t->id);
        if (p.next_cursor.empty()) break;
        q.cursor = p.next_cursor;
        // between pages: touch an unseen ticket (it moves to the front) and add a new one
        TicketId victim = 100 - seen.size() - 3;
        if (victim > 0 && victim <= 100) {
            auto cur = s.get(victim);
            auto moved = std::make_shared<Ticket>(*cur);
            moved->updated = instant_from_micros(1000000000LL + static_cast<std::int64_t>(victim));
            moved->version++;
            Commit c;
            c.tickets.push_back({moved, cur->version});
            s.commit(c);
            touched.insert(victim);
        }
        Commit add;
        add.tickets.push_back({make_ticket(next_new++), 0});
        s.commit(add);
    }
    // every ticket that did not change while paging appears exactly once
    std::set<TicketId> unique(seen.begin(), seen.end());
    CHECK(unique.size() == seen.size());
    for (TicketId id = 1; id <= 100; ++id)
        if (!touched.count(id)) CHECK(unique.count(id) == 1);
}

TEST_CASE("keys: only the exact text finds a ticket, whatever its shape") {
    InMemoryStore s;
    Commit c;
    auto odd = std::make_shared<Ticket>(*make_ticket(2));
    odd->key = "LEGACY-KEY";  // a key that does not end in a number
    auto big = std::make_shared<Ticket>(*make_ticket(3));
    big->key = "CHG12345678";  // past seven digits
    c.tickets = {{make_ticket(1), 0}, {odd, 0}, {big, 0}};
    s.commit(c);
    CHECK(s.get_by_key("INC0000001")->id == 1);
    CHECK(s.get_by_key("INC1") == nullptr);
    CHECK(s.get_by_key("INC00000001") == nullptr);
    CHECK(s.get_by_key("LEGACY-KEY")->id == 2);
    CHECK(s.get_by_key("legacy-key") == nullptr);
    CHECK(s.get_by_key("CHG12345678")->id == 3);
    CHECK(s.get_by_key("PRB0000001") == nullptr);
    CHECK(s.get_by_key("INC99999999999999999999") == nullptr);
    CHECK(s.get_by_key("") == nullptr);
    CHECK(s.get(0) == nullptr);
    CHECK(s.get(4) == nullptr);
    Commit dup;
    auto again = std::make_shared<Ticket>(*make_ticket(4));
    again->key = "LEGACY-KEY";
    dup.tickets = {{again, 0}};
    error_of([&] { s.commit(dup); }, Errc::conflict);
    CHECK(s.get(4) == nullptr);
    CHECK(s.size() == 3);
}

TEST_CASE("the event log keeps every part of every event, per ticket in seq order") {
    InMemoryStore s;
    Commit c;
    c.tickets = {{make_ticket(1), 0}, {make_ticket(2), 0}};
    std::vector<Event> written;
    std::vector<Value> values = {Value{},
                                 Value{std::string("")},
                                 Value{std::string(300, 'x')},
                                 Value{std::int64_t{-7}},
                                 Value{true},
                                 Value{false},
                                 Value{instant_from_micros(-62135596800000000)}};
    for (std::size_t i = 0; i < values.size(); ++i) {
        Event e = event_for(1 + i % 2);
        e.type = EventType::field_changed;
        e.actor = "alice";
        e.at = instant_from_micros(static_cast<std::int64_t>(i));
        e.field = "custom.f";
        e.old_value = values[i];
        e.new_value = values[values.size() - 1 - i];
        e.text = i == 3 ? std::string(200000, 'n') : std::string(i, 't');
        if (i == 4) e.link = Link{LinkType::resolves, 123456789012345ull};
        c.events.push_back(e);
    }
    s.commit(c);
    for (TicketId id : {TicketId{1}, TicketId{2}}) {
        auto h = s.history(id);
        std::vector<Event> expected;
        for (const auto& e : c.events)
            if (e.ticket == id) expected.push_back(e);
        REQUIRE(h.size() == expected.size());
        for (std::size_t i = 0; i < h.size(); ++i) {
            CHECK(h[i].seq == expected[i].seq);
            CHECK(h[i].at == expected[i].at);
            CHECK(h[i].actor == expected[i].actor);
            CHECK(h[i].type == expected[i].type);
            CHECK(h[i].field == expected[i].field);
            CHECK(h[i].old_value == expected[i].old_value);
            CHECK(h[i].new_value == expected[i].new_value);
            CHECK(h[i].text == expected[i].text);
            CHECK(h[i].link == expected[i].link);
        }
    }
}

TEST_CASE("a canonical key far beyond the allocated numbers is still found") {
    InMemoryStore s;
    Commit c;
    auto far = std::make_shared<Ticket>(*make_ticket(1));
    far->key = "INC999999999999";
    c.tickets = {{far, 0}, {make_ticket(2), 0}};
    s.commit(c);
    CHECK(s.get_by_key("INC999999999999")->id == 1);
    CHECK(s.get_by_key("INC0000002")->id == 2);
    CHECK(s.get_by_key("INC0000001") == nullptr);
}

TEST_CASE("visibility planned on the indexes agrees with brute force, across pages and churn") {
    // Segment clauses with and without kinds, group and assignee clauses (a union whose
    // ranges overlap), personal clauses, single branches and open_only clauses: each is
    // planned differently by the store, and each must return exactly what matches() says.
    std::mt19937_64 rng(7);
    auto pick = [&](std::vector<Symbol> v) { return v[rng() % v.size()]; };
    std::vector<Symbol> segments = {"it", "hr", "legal"}, states = {"new", "active"},
                        users = {Symbol{}, "ann", "ben", "cat"},
                        groups = {Symbol{}, "desk", "network", "db"},
                        kinds = {"incident", "problem", "change"};
    InMemoryStore s;
    std::vector<TicketPtr> all;
    auto make = [&](TicketId id) {
        auto t = std::make_shared<Ticket>();
        t->id = id;
        t->key = format_key("V", id);
        t->kind = pick(kinds);
        t->state = pick(states);
        t->segment = pick(segments);
        t->assignee = pick(users);
        t->assignment_group = pick(groups);
        t->requester = pick(users);
        t->priority = static_cast<std::uint8_t>(1 + rng() % 5);
        t->created = instant_from_micros(static_cast<std::int64_t>(rng() % 5000));
        t->updated = t->created + Duration{static_cast<std::int64_t>(rng() % 20)};
        t->version = 1;
        return t;
    };
    for (TicketId id = 1; id <= 2500; ++id) {
        all.push_back(make(id));
        Commit c;
        c.tickets.push_back({all.back(), 0});
        s.commit(c);
    }
    auto churn = [&](int n) {
        for (int i = 0; i < n; ++i) {
            auto& slot = all[rng() % all.size()];
            auto next = std::make_shared<Ticket>(*slot);
            next->assignee = pick(users);
            next->assignment_group = pick(groups);
            next->kind = pick(kinds);
            if (rng() % 4 == 0) next->segment = pick(segments);
            // mostly forward in time (the usual update), sometimes back into the middle
            next->updated =
                rng() % 5 ? next->updated + Duration{static_cast<std::int64_t>(1000 + rng() % 5000)}
                          : instant_from_micros(static_cast<std::int64_t>(rng() % 5000));
            next->version = slot->version + 1;
            Commit c;
            c.tickets.push_back({next, slot->version});
            s.commit(c);
            slot = next;
        }
    };
    churn(1500);
    auto visibility = [&](int variant) {
        auto v = std::make_shared<Visibility>();
        v->user = "ann";
        switch (variant % 6) {
            case 0:  // segment clauses only, with kinds: planned on (segment, kind)
                v->segments = {{"it", {"incident", "change"}, {}, false, false, nullptr},
                               {"legal", {"problem"}, {}, false, false, nullptr}};
                break;
            case 1:  // one clause of a segment without kinds: the whole segment
                v->segments = {{"it", {"incident"}, {}, false, false, nullptr},
                               {"it", {}, {}, false, false, nullptr}};
                break;
            case 2:  // the union of a segment clause, groups and the assignee
                v->segments = {{"hr", {"change"}, {}, false, false, nullptr}};
                v->groups = {"desk", "db"};
                v->assignee = true;
                break;
            case 3:  // the same with personal clauses: the union cannot hold every ticket
                v->groups = {"network"};
                v->assignee = true;
                v->requester = true;
                break;
            case 4:  // one branch of the union
                v->segments = {{"legal", {}, {}, false, false, nullptr}};
                v->groups = {"desk"};
                v->assignee = true;
                v->branch = static_cast<int>(rng() % 3);
                break;
            case 5:  // open work only: the rows cannot decide it
                v->segments = {{"it", {"problem"}, {}, false, true, nullptr}};
                v->groups = {"db"};
                break;
        }
        v->finish();
        return v;
    };
    for (int round = 0; round < 240; ++round) {
        Query q;
        q.visibility = visibility(round);
        if (rng() % 3 == 0) q.segments = {pick(segments)};
        if (rng() % 3 == 0) q.kinds = {pick(kinds)};
        if (rng() % 4 == 0) q.groups = {pick(groups), pick(groups)};
        if (rng() % 4 == 0) q.assignees = {pick(users)};
        if (rng() % 3 == 0) q.priority_max = static_cast<int>(1 + rng() % 5);
        q.sort = static_cast<SortKey>(rng() % 3);
        q.descending = rng() % 2;
        q.limit = 1 + rng() % 120;
        CAPTURE(round);
        auto want = expected_ids(all, q);
        CHECK(s.count(q) == want.size());
        std::vector<TicketId> got;
        for (int pages = 0; pages < 3000; ++pages) {
            Page p = s.query(q);
            for (const auto& t : p.tickets)
                got.push_back(t->id);
            if (p.next_cursor.empty()) break;
            CHECK(p.tickets.size() == q.limit);
            q.cursor = p.next_cursor;
        }
        CHECK(got == want);
        if (round % 40 == 39) churn(300);  // the sequences split and merge chunks as they go
    }
}

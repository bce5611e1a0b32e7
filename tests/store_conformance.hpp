// The store conformance suite: what every itsm::Store must do, run against a factory.
//
// Call run_store_conformance(factory) inside a TEST_CASE. The suite uses SUBCASEs, so doctest
// runs the test case once per subcase: the factory must give an empty store each time it is
// called fresh. A durable store also gives `reopen`, which closes nothing itself: the suite
// drops its last reference to the store first, then asks for the same data again.
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "itsm/error.hpp"
#include "itsm/json.hpp"
#include "itsm/record.hpp"
#include "itsm/sla_clock.hpp"
#include "itsm/store.hpp"

namespace itsm_test {

struct StoreFactory {
    std::function<std::shared_ptr<itsm::Store>()> open;    // a new, empty store
    std::function<std::shared_ptr<itsm::Store>()> reopen;  // the same data again; null: not durable
};

namespace conformance {

inline itsm::Instant at(int minute) {
    return itsm::parse_instant("2026-03-02T09:00:00Z") + std::chrono::minutes(minute);
}

// A new ticket with an allocated id and key, every optional part filled in when `full`.
inline itsm::Ticket fresh(itsm::Store& s, itsm::Symbol kind, int minute, bool full = false) {
    auto [id, number] = s.allocate(kind);
    itsm::Ticket t;
    t.id = id;
    t.key = fmt::format("{}{:07}", kind == itsm::Symbol("change") ? "CHG" : "INC", number);
    t.kind = kind;
    t.state = "new";
    t.title = fmt::format("ticket {}", id);
    t.segment = "it";
    t.created = t.updated = t.state_entered = at(minute);
    t.version = 1;
    if (full) {
        t.model = "normal";
        t.description = "multi\nline \"quoted\" ünïcode";
        t.impact = 1;
        t.urgency = 2;
        t.priority = 2;
        t.priority_overridden = true;
        t.channel = itsm::Channel::phone;
        t.reopen_count = 3;
        t.category = "hardware.printer";
        t.requester = "carol";
        t.assignee = "dave";
        t.assignment_group = "service-desk";
        t.tags = {itsm::Symbol("vip"), itsm::Symbol("floor-3")};
        std::sort(t.tags.begin(), t.tags.end());
        t.watchers = {itsm::Symbol("erin")};
        t.custom = {{"cost", std::int64_t{-42}},
                    {"due", at(90)},
                    {"note", std::string("2026-01-01T00:00:00Z")},
                    {"urgent", true}};
        std::sort(t.custom.begin(), t.custom.end(),
                  [](auto& a, auto& b) { return a.name < b.name; });
        t.links = {{itsm::LinkType::caused_by, 99}, {itsm::LinkType::related, 7}};
        itsm::Approval a;
        a.step = 1;
        a.approver = "frank";
        a.decision = itsm::ApprovalDecision::approved;
        a.delegated_from = "gina";
        a.decided = at(30);
        a.comment = "ok";
        t.approvals = {a, itsm::Approval{2, "hank", {}, {}, {}, {}}};
        t.resolved = at(40);
        t.closed = at(50);
        t.hold_reason = "awaiting_vendor";
        t.resolution_code = "fix_applied";
        t.resolution_notes = "replaced the fuser";
        t.close_code = "successful";
    }
    return t;
}

inline itsm::Event event_for(const itsm::Ticket& t, itsm::EventType type, int minute) {
    itsm::Event e;
    e.ticket = t.id;
    e.at = at(minute);
    e.actor = "alice";
    e.type = type;
    return e;
}

// Commits a new ticket with its created event.
inline itsm::Ticket add(itsm::Store& s, itsm::Ticket t) {
    itsm::Commit c;
    c.tickets.push_back({std::make_shared<const itsm::Ticket>(t), 0});
    c.events.push_back(event_for(t, itsm::EventType::created, 0));
    c.events.back().text = t.key;
    s.commit(c);
    return t;
}

// Commits a changed copy of `t` (version + 1) with one field event.
inline itsm::Ticket change(itsm::Store& s, itsm::Ticket t,
                           const std::function<void(itsm::Ticket&)>& edit, int minute) {
    std::uint64_t was = t.version;
    edit(t);
    t.version = was + 1;
    t.updated = at(minute);
    itsm::Commit c;
    c.tickets.push_back({std::make_shared<const itsm::Ticket>(t), was});
    auto e = event_for(t, itsm::EventType::field_changed, minute);
    e.field = "title";
    e.new_value = t.title;
    c.events.push_back(e);
    s.commit(c);
    return t;
}

inline std::string event_text(const itsm::Event& e) {
    // to_json shows values as text; the variant index tells an instant from a string.
    return fmt::format("{}|{}|{}", itsm::to_json(e), e.old_value.index(), e.new_value.index());
}

inline std::vector<itsm::TicketId> ids_of(const itsm::Page& p) {
    std::vector<itsm::TicketId> out;
    for (const auto& t : p.tickets)
        out.push_back(t->id);
    return out;
}

// Every page of the query, in order.
inline std::vector<itsm::TicketId> all_pages(const itsm::Store& s, itsm::Query q) {
    std::vector<itsm::TicketId> out;
    for (int guard = 0; guard < 10000; ++guard) {
        auto page = s.query(q);
        REQUIRE(page.tickets.size() <= q.limit);
        for (const auto& t : page.tickets)
            out.push_back(t->id);
        if (page.next_cursor.empty()) return out;
        REQUIRE(page.tickets.size() == q.limit);
        q.cursor = page.next_cursor;
    }
    FAIL("paging does not end");
    return out;
}

inline std::vector<itsm::TicketId> brute_force(const std::vector<itsm::Ticket>& all,
                                               const itsm::Query& q) {
    std::vector<const itsm::Ticket*> hits;
    for (const auto& t : all)
        if (q.matches(t)) hits.push_back(&t);
    std::sort(hits.begin(), hits.end(), [&](auto* a, auto* b) {
        auto pa = itsm::sort_position(*a, q.sort), pb = itsm::sort_position(*b, q.sort);
        return q.descending ? pa > pb : pa < pb;
    });
    std::vector<itsm::TicketId> out;
    for (auto* t : hits)
        out.push_back(t->id);
    return out;
}

// A desk of varied tickets, the same every run.
inline std::vector<itsm::Ticket> populate(itsm::Store& s, int n) {
    std::mt19937 rng(7);
    auto pick = [&](std::vector<const char*> v) -> itsm::Symbol {
        return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
    };
    std::vector<itsm::Ticket> out;
    for (int i = 0; i < n; ++i) {
        auto t = fresh(s, pick({"incident", "change"}), static_cast<int>(rng() % 50));
        t.state = pick({"new", "in_progress", "on_hold", "resolved"});
        t.segment = pick({"it", "hr", "finance"});
        t.assignee = pick({"", "ann", "ben", "cat"});
        t.assignment_group = pick({"", "desk", "network"});
        t.requester = pick({"rob", "sue"});
        t.category = pick({"", "hardware", "hardware.printer", "software"});
        t.priority = static_cast<std::uint8_t>(1 + rng() % 5);
        t.updated = t.created + std::chrono::minutes(rng() % 30);
        if (rng() % 3 == 0) t.tags = {itsm::Symbol("vip")};
        out.push_back(add(s, t));
    }
    return out;
}

inline void operations(const StoreFactory& f) {
    auto s = f.open();
    CHECK(s->size() == 0);
    CHECK(s->get(1) == nullptr);
    CHECK(s->get_by_key("INC0000001") == nullptr);
    CHECK(s->history(1).empty());

    auto [id1, n1] = s->allocate("incident");
    auto [id2, n2] = s->allocate("incident");
    auto [id3, n3] = s->allocate("change");
    CHECK(id2 > id1);
    CHECK(id3 > id2);
    CHECK(n2 == n1 + 1);
    CHECK(n3 == 1);  // numbers count per kind

    auto full = add(*s, fresh(*s, "incident", 1, true));
    auto stored = s->get(full.id);
    REQUIRE(stored);
    CHECK(itsm::ticket_record(*stored) == itsm::ticket_record(full));  // every field
    CHECK(std::holds_alternative<itsm::Instant>(
        stored->custom_value("due") ? *stored->custom_value("due") : itsm::Value{}));
    CHECK(std::holds_alternative<std::string>(*stored->custom_value("note")));
    REQUIRE(s->get_by_key(full.key));
    CHECK(s->get_by_key(full.key)->id == full.id);
    CHECK(s->size() == 1);

    // Every kind of event value, a link and texts round-trip.
    auto e = event_for(full, itsm::EventType::field_changed, 2);
    e.field = "custom.due";
    e.old_value = at(3);
    e.new_value = std::string("text");
    e.text = "override";
    auto e2 = event_for(full, itsm::EventType::link_added, 2);
    e2.link = itsm::Link{itsm::LinkType::parent_of, 12};
    auto e3 = event_for(full, itsm::EventType::field_changed, 2);
    e3.field = "impact";
    e3.old_value = std::int64_t{3};
    e3.new_value = true;
    itsm::Commit c;
    c.events = {e, e2, e3};
    s->commit(c);  // events alone
    auto h = s->history(full.id);
    REQUIRE(h.size() == 4);
    for (int i = 0; i < 3; ++i)
        CHECK(event_text(h[static_cast<std::size_t>(i) + 1]) ==
              event_text(c.events[static_cast<std::size_t>(i)]));

    auto changed = change(
        *s, full, [](itsm::Ticket& t) { t.title = "changed"; }, 5);
    CHECK(s->get(full.id)->title == "changed");
    CHECK(s->get(full.id)->version == 2);
    CHECK(stored->title == full.title);  // a ticket read earlier does not change
    CHECK(s->size() == 1);
}

inline void failed_commits(const StoreFactory& f) {
    auto s = f.open();
    auto a = add(*s, fresh(*s, "incident", 1));
    auto b = add(*s, fresh(*s, "incident", 2));
    auto before_a = itsm::ticket_record(*s->get(a.id));
    auto events = s->history(a.id).size() + s->history(b.id).size();
    auto check_unchanged = [&] {
        CHECK(itsm::ticket_record(*s->get(a.id)) == before_a);
        CHECK(s->get(b.id)->version == 1);
        CHECK(s->history(a.id).size() + s->history(b.id).size() == events);
        CHECK(s->size() == 2);
    };
    SUBCASE("a stale version after a good write") {
        auto a2 = a;
        a2.title = "new";
        a2.version = 2;
        auto b2 = b;
        b2.version = 7;
        itsm::Commit c;
        c.tickets = {{std::make_shared<const itsm::Ticket>(a2), 1},
                     {std::make_shared<const itsm::Ticket>(b2), 5}};
        c.events = {event_for(a, itsm::EventType::comment, 3)};
        CHECK_THROWS_AS(s->commit(c), itsm::Error);
        try {
            s->commit(c);
        } catch (const itsm::Error& err) {
            CHECK(err.code() == itsm::Errc::conflict);
        }
        check_unchanged();
    }
    SUBCASE("a duplicate key after a good write") {
        auto a2 = a;
        a2.title = "new";
        a2.version = 2;
        auto dup = fresh(*s, "incident", 4);
        dup.key = b.key;
        itsm::Commit c;
        c.tickets = {{std::make_shared<const itsm::Ticket>(a2), 1},
                     {std::make_shared<const itsm::Ticket>(dup), 0}};
        c.events = {event_for(dup, itsm::EventType::created, 4)};
        try {
            s->commit(c);
            FAIL("a duplicate key was accepted");
        } catch (const itsm::Error& err) {
            CHECK(err.code() == itsm::Errc::conflict);
        }
        check_unchanged();
        CHECK(s->get(dup.id) == nullptr);
        CHECK(s->history(dup.id).empty());
    }
    SUBCASE("a new ticket over an existing id") {
        auto again = fresh(*s, "incident", 4);
        again.id = a.id;
        itsm::Commit c;
        c.tickets = {{std::make_shared<const itsm::Ticket>(again), 0}};
        try {
            s->commit(c);
            FAIL("an existing id was overwritten");
        } catch (const itsm::Error& err) {
            CHECK(err.code() == itsm::Errc::conflict);
        }
        check_unchanged();
    }
    SUBCASE("a change to a ticket that does not exist") {
        auto ghost = fresh(*s, "incident", 4);
        ghost.version = 2;
        itsm::Commit c;
        c.tickets = {{std::make_shared<const itsm::Ticket>(ghost), 1}};
        try {
            s->commit(c);
            FAIL("a missing ticket was updated");
        } catch (const itsm::Error& err) {
            CHECK(err.code() == itsm::Errc::conflict);
        }
        check_unchanged();
        CHECK(s->get(ghost.id) == nullptr);
    }
    // The store goes on working after a refusal, and sequence numbers keep increasing.
    auto c2 = change(
        *s, a, [](itsm::Ticket& t) { t.title = "after"; }, 9);
    auto h = s->history(a.id);
    REQUIRE(h.size() >= 2);
    CHECK(h.back().seq > h[h.size() - 2].seq);
    CHECK(s->get(a.id)->version == 2);
}

inline void event_order(const StoreFactory& f) {
    auto s = f.open();
    auto a = add(*s, fresh(*s, "incident", 1));
    auto b = add(*s, fresh(*s, "incident", 2));
    std::vector<std::uint64_t> assigned;
    for (int i = 0; i < 20; ++i) {
        itsm::Commit c;
        c.events.push_back(event_for(i % 3 ? a : b, itsm::EventType::comment, 10 + i));
        c.events.back().text = fmt::format("note {}", i);
        c.events.push_back(event_for(a, itsm::EventType::work_note, 10 + i));
        s->commit(c);
        CHECK(c.events[1].seq > c.events[0].seq);
        if (!assigned.empty()) CHECK(c.events[0].seq > assigned.back());
        assigned.push_back(c.events[0].seq);
        assigned.push_back(c.events[1].seq);
    }
    for (auto id : {a.id, b.id}) {
        auto h = s->history(id);
        for (std::size_t i = 1; i < h.size(); ++i)
            CHECK(h[i].seq > h[i - 1].seq);
        for (const auto& e : h)
            CHECK(e.ticket == id);
    }
    auto ha = s->history(a.id);
    std::vector<std::string> texts;
    for (const auto& e : ha)
        if (e.type == itsm::EventType::comment) texts.push_back(e.text);
    REQUIRE(texts.size() >= 2);
    CHECK(texts.front() == "note 1");
    CHECK(texts.back() == "note 19");
    CHECK(ha.size() + s->history(b.id).size() == 42);
}

// Walks every page of `q` while, after each page, two tickets not yet seen are changed by
// `edit` (committed at `minute()`): every ticket that does not change comes exactly once, a
// changed one at most twice.
inline void page_while_changing(itsm::Store& s, itsm::Query q, std::vector<itsm::Ticket>& all,
                                const std::function<void(itsm::Ticket&)>& edit,
                                const std::function<int()>& minute) {
    std::set<itsm::TicketId> changed;
    std::map<itsm::TicketId, int> times;
    for (int guard = 0; guard < 100; ++guard) {
        auto page = s.query(q);
        for (const auto& t : page.tickets)
            ++times[t->id];
        int n = 0;
        for (auto& t : all)
            if (!times.count(t.id) && !changed.count(t.id) && n < 2) {
                t = change(s, t, edit, minute());
                changed.insert(t.id);
                ++n;
            }
        if (page.next_cursor.empty()) break;
        q.cursor = page.next_cursor;
    }
    for (const auto& t : all)
        if (!changed.count(t.id)) CHECK_MESSAGE(times[t.id] == 1, "ticket ", t.id);
    for (const auto& [id, n] : times)
        CHECK(n <= 2);
}

inline void paging_while_changing(const StoreFactory& f) {
    auto s = f.open();
    auto all = populate(*s, 60);
    for (auto sort : {itsm::SortKey::updated, itsm::SortKey::created, itsm::SortKey::priority}) {
        itsm::Query q;
        q.sort = sort;
        q.limit = 7;
        int minute = 1000;  // changed tickets move in updated order
        page_while_changing(
            *s, q, all, [](itsm::Ticket& x) { x.title += "!"; }, [&] { return minute++; });
    }
}

inline void queries_match_brute_force(const StoreFactory& f) {
    auto s = f.open();
    auto all = populate(*s, 150);
    std::mt19937 rng(11);
    auto some = [&](std::vector<const char*> v) {
        std::vector<itsm::Symbol> out;
        for (auto x : v)
            if (rng() % 3 == 0) out.emplace_back(x);
        return out;
    };
    for (int i = 0; i < 300; ++i) {
        itsm::Query q;
        q.sort = static_cast<itsm::SortKey>(rng() % 3);
        q.descending = rng() % 2;
        q.limit = 1 + rng() % 40;
        if (rng() % 2) q.states = some({"new", "in_progress", "on_hold", "resolved"});
        if (rng() % 2) q.segments = some({"it", "hr", "finance", "legal"});
        if (rng() % 3 == 0) q.assignees = some({"", "ann", "ben", "cat"});
        if (rng() % 3 == 0) q.groups = some({"", "desk", "network"});
        if (rng() % 4 == 0) q.kinds = some({"incident", "change"});
        if (rng() % 4 == 0) q.requesters = some({"rob", "sue"});
        if (rng() % 4 == 0) q.categories = some({"", "hardware", "hardware.printer", "software"});
        if (rng() % 5 == 0) q.tags = {itsm::Symbol("vip")};
        if (rng() % 4 == 0) q.priority_min = 1 + static_cast<int>(rng() % 3);
        if (rng() % 4 == 0) q.priority_max = 3 + static_cast<int>(rng() % 3);
        if (rng() % 4 == 0) q.created_from = at(static_cast<int>(rng() % 40));
        if (rng() % 4 == 0) q.created_before = at(10 + static_cast<int>(rng() % 40));
        if (rng() % 4 == 0) q.updated_from = at(static_cast<int>(rng() % 60));
        if (rng() % 4 == 0) q.updated_before = at(10 + static_cast<int>(rng() % 60));
        if (rng() % 5 == 0) {
            auto v = std::make_shared<itsm::Visibility>();
            v->segments.push_back({"it", {}, {}, false, rng() % 2 == 0, nullptr});
            if (rng() % 2)
                v->segments.push_back({"hr", {"incident"}, {"hardware"}, false, false, nullptr});
            if (rng() % 2) {
                v->user = "ann";
                v->assignee = true;
            }
            q.visibility = v;
        }
        auto expected = brute_force(all, q);
        CHECK_MESSAGE(all_pages(*s, q) == expected, "query ", i);
        CHECK_MESSAGE(s->count(q) == expected.size(), "query ", i);
    }
}

inline void versions(const StoreFactory& f) {
    auto s = f.open();
    auto a = add(*s, fresh(*s, "incident", 1));
    auto a2 = change(
        *s, a, [](itsm::Ticket& t) { t.title = "one"; }, 2);
    // A writer that read version 1 after version 2 was stored.
    auto stale = a;
    stale.title = "lost update";
    stale.version = 2;
    itsm::Commit c;
    c.tickets = {{std::make_shared<const itsm::Ticket>(stale), 1}};
    try {
        s->commit(c);
        FAIL("a stale write was accepted");
    } catch (const itsm::Error& e) {
        CHECK(e.code() == itsm::Errc::conflict);
    }
    CHECK(s->get(a.id)->title == "one");
    auto a3 = change(
        *s, a2, [](itsm::Ticket& t) { t.title = "two"; }, 3);
    CHECK(s->get(a.id)->version == 3);
}

inline void meta_and_batches(const StoreFactory& f) {
    auto s = f.open();
    CHECK_FALSE(s->meta("config_version"));
    s->set_meta("config_version", "7");
    s->set_meta("config_version", "8");
    s->set_meta("other", "");
    CHECK(s->meta("config_version") == std::optional<std::string>("8"));
    CHECK(s->meta("other") == std::optional<std::string>(""));

    auto a = add(*s, fresh(*s, "incident", 1));
    SUBCASE("a batch taken back leaves nothing") {
        s->begin_batch();
        CHECK_THROWS_AS(s->begin_batch(), itsm::Error);
        auto b = add(*s, fresh(*s, "incident", 2));
        change(
            *s, a, [](itsm::Ticket& t) { t.title = "in batch"; }, 3);
        CHECK(s->get(b.id));  // visible inside the batch
        s->end_batch(false);
        CHECK(s->get(b.id) == nullptr);
        CHECK(s->get_by_key(b.key) == nullptr);
        CHECK(s->history(b.id).empty());
        CHECK(s->get(a.id)->version == 1);
        CHECK(s->history(a.id).size() == 1);
        CHECK(s->size() == 1);
        auto [id, n] = s->allocate("incident");
        CHECK(id > b.id);  // numbers are not reused
        CHECK(n == 3);
    }
    SUBCASE("a kept batch keeps every commit") {
        s->begin_batch();
        auto b = add(*s, fresh(*s, "incident", 2));
        change(
            *s, a, [](itsm::Ticket& t) { t.title = "in batch"; }, 3);
        s->end_batch(true);
        CHECK(s->get(b.id));
        CHECK(s->get(a.id)->version == 2);
        CHECK(s->size() == 2);
    }
    SUBCASE("a failed commit inside a batch leaves the batch usable") {
        s->begin_batch();
        auto b = add(*s, fresh(*s, "incident", 2));
        auto a2 = change(
            *s, a, [](itsm::Ticket& t) { t.title = "in batch"; }, 3);
        auto refused = [&](itsm::Commit c) {
            try {
                s->commit(c);
                FAIL("the commit was accepted");
            } catch (const itsm::Error& err) {
                CHECK(err.code() == itsm::Errc::conflict);
            }
        };
        auto dup = fresh(*s, "incident", 4);
        dup.key = b.key;
        CHECK_THROWS_AS(add(*s, dup), itsm::Error);
        auto again = fresh(*s, "incident", 4);
        again.id = b.id;
        itsm::Commit over_id;
        over_id.tickets = {{std::make_shared<const itsm::Ticket>(again), 0}};
        over_id.events = {event_for(again, itsm::EventType::created, 4)};
        refused(over_id);
        // A stale version, alone and after a good write in the same commit.
        auto stale = a2;
        stale.title = "stale";
        stale.version = 3;
        itsm::Commit alone;
        alone.tickets = {{std::make_shared<const itsm::Ticket>(stale), 1}};
        alone.events = {event_for(a2, itsm::EventType::comment, 5)};
        refused(alone);
        auto b2 = b;
        b2.title = "changed with a stale a";
        b2.version = 2;
        itsm::Commit pair;
        pair.tickets = {{std::make_shared<const itsm::Ticket>(b2), 1},
                        {std::make_shared<const itsm::Ticket>(stale), 1}};
        pair.events = {event_for(b, itsm::EventType::field_changed, 5),
                       event_for(a2, itsm::EventType::field_changed, 5)};
        refused(pair);
        auto c = add(*s, fresh(*s, "incident", 6));  // the batch goes on
        s->end_batch(true);
        CHECK(s->get(b.id)->title == b.title);
        CHECK(s->get(b.id)->version == 1);
        CHECK(s->get(a.id)->title == "in batch");
        CHECK(s->get(a.id)->version == 2);
        CHECK(s->get(c.id));
        CHECK(s->get(dup.id) == nullptr);
        CHECK(s->history(dup.id).empty());
        CHECK(s->history(a.id).size() == 2);
        CHECK(s->history(b.id).size() == 1);
        CHECK(s->size() == 3);
    }
    CHECK_THROWS_AS(s->end_batch(true), itsm::Error);
}

inline void reopening(const StoreFactory& f) {
    if (!f.reopen) return;
    std::vector<std::string> records;
    std::vector<std::vector<std::string>> histories;
    std::vector<itsm::Ticket> all;
    itsm::TicketId last_id = 0;
    std::uint64_t last_incident = 0;
    {
        auto s = f.open();
        all = populate(*s, 30);
        all.push_back(add(*s, fresh(*s, "incident", 5, true)));
        all[0] = change(
            *s, all[0], [](itsm::Ticket& t) { t.title = "edited"; }, 70);
        auto [id, n] = s->allocate("incident");  // allocated, never used
        last_id = id;
        last_incident = n;
        s->set_meta("config_version", "3");
    }
    auto s = f.reopen();
    CHECK(s->size() == all.size());
    for (const auto& t : all) {
        auto got = s->get(t.id);
        REQUIRE(got);
        CHECK(itsm::ticket_record(*got) == itsm::ticket_record(t));
        REQUIRE(s->get_by_key(t.key));
        CHECK(s->history(t.id).size() == (t.id == all[0].id ? 2u : 1u));
    }
    CHECK(s->meta("config_version") == std::optional<std::string>("3"));
    auto [id, n] = s->allocate("incident");
    CHECK(id > last_id);
    CHECK(n > last_incident);
    itsm::Query q;
    q.limit = 1000;
    CHECK(all_pages(*s, q) == brute_force(all, q));
    // And it keeps working: a new write after reopening.
    auto t = fresh(*s, "change", 80);
    add(*s, t);
    CHECK(s->get(t.id));
}

// ---- SLA clocks ------------------------------------------------------------------------------

// A clock in one of its states, with instants on a coarse grid so that dues and alarms tie.
// Alarms are set on some clocks that do not run: stores must follow next_alarm(), which
// ignores them.
inline itsm::SlaClock random_clock(std::mt19937& rng, int metric) {
    auto minute = [&](int from, int span) { return at(from + static_cast<int>(rng() % span)); };
    itsm::SlaClock c;
    c.policy = rng() % 2 ? "gold" : "silver";
    c.metric = metric % 2 ? "response" : "resolution";
    c.cycle = 1 + static_cast<std::uint32_t>(rng() % 2);
    c.start = minute(0, 60);
    c.target = std::chrono::minutes(30 + rng() % 240);
    c.alarm = rng() % 4 ? std::optional(minute(0, 120)) : std::nullopt;
    switch (rng() % 6) {
        case 0:
        case 1:  // running, perhaps already breached
            c.due = minute(20, 100);
            if (rng() % 3 == 0) {
                c.state = itsm::ClockState::breached;
                c.breach_emitted = true;
            }
            if (rng() % 2) c.pauses = {{minute(0, 10), minute(10, 10)}};
            c.warnings_emitted = static_cast<std::uint8_t>(rng() % 3);
            break;
        case 2:  // paused: no due while paused
            c.state = itsm::ClockState::paused;
            c.pauses = {{minute(0, 10), minute(10, 10)}, {minute(20, 10), std::nullopt}};
            break;
        case 3:  // met
            c.state = itsm::ClockState::met;
            c.stopped = minute(30, 60);
            c.due = minute(20, 100);
            break;
        case 4:  // stopped after breaching
            c.state = itsm::ClockState::breached;
            c.stopped = minute(60, 60);
            c.due = minute(20, 40);
            c.breach_emitted = true;
            c.warnings_emitted = 2;
            break;
        default:
            c.state = itsm::ClockState::canceled;
            c.canceled = true;
            c.stopped = minute(30, 60);
            break;
    }
    return c;
}

inline std::vector<itsm::SlaClock> random_clocks(std::mt19937& rng) {
    std::vector<itsm::SlaClock> out;
    int n = static_cast<int>(rng() % 4);  // a quarter have none
    for (int i = 0; i < n; ++i)
        out.push_back(random_clock(rng, i));
    return out;
}

// What sla_alarms(until, limit) must give, by brute force.
inline std::vector<itsm::TicketId> alarms_brute_force(const std::vector<itsm::Ticket>& all,
                                                      itsm::Instant until, std::size_t limit) {
    std::vector<std::pair<itsm::Instant, itsm::TicketId>> hits;
    for (const auto& t : all)
        if (auto a = itsm::next_alarm(t.sla); a && *a <= until) hits.emplace_back(*a, t.id);
    std::sort(hits.begin(), hits.end());
    std::vector<itsm::TicketId> out;
    for (std::size_t i = 0; i < hits.size() && i < limit; ++i)
        out.push_back(hits[i].second);
    return out;
}

inline std::vector<itsm::TicketId> ids_of(const std::vector<itsm::TicketPtr>& v) {
    std::vector<itsm::TicketId> out;
    for (const auto& t : v)
        out.push_back(t->id);
    return out;
}

inline void sla_round_trip(const StoreFactory& f) {
    // Every field of a clock, each optional part both set and unset.
    itsm::SlaClock running;
    running.policy = "gold";
    running.metric = "resolution";
    running.cycle = 2;
    running.start = at(1);
    running.pauses = {{at(2), at(4)}, {at(6), at(9)}};
    running.target = std::chrono::seconds(4 * 3600 + 7);
    running.due = at(250);
    running.alarm = at(130);
    running.warnings_emitted = 1;
    itsm::SlaClock paused;
    paused.policy = "network_ola";
    paused.metric = "response";
    paused.start = at(3);
    paused.pauses = {{at(5), std::nullopt}};
    paused.target = std::chrono::minutes(90);
    paused.state = itsm::ClockState::paused;
    itsm::SlaClock stopped = running;
    stopped.metric = "response";
    stopped.stopped = at(300);
    stopped.alarm = std::nullopt;
    stopped.state = itsm::ClockState::breached;
    stopped.warnings_emitted = 2;
    stopped.breach_emitted = true;
    itsm::SlaClock canceled = paused;
    canceled.metric = "custom";
    canceled.canceled = true;
    canceled.stopped = at(8);
    canceled.pauses = {{at(5), at(8)}};
    canceled.state = itsm::ClockState::canceled;

    std::vector<itsm::Ticket> all;
    {
        auto s = f.open();
        auto t = fresh(*s, "incident", 1, true);
        t.sla = {running, paused, stopped, canceled};
        all.push_back(add(*s, t));
        all.push_back(add(*s, fresh(*s, "incident", 2)));  // no clocks
        auto got = s->get(t.id);
        REQUIRE(got);
        CHECK(got->sla == t.sla);
        CHECK(s->get_by_key(t.key)->sla == t.sla);
        CHECK(ids_of(s->sla_alarms(at(130), 10)) == std::vector<itsm::TicketId>{t.id});
        CHECK(s->sla_alarms(at(129), 10).empty());
        itsm::Query q;
        q.sla_breached = true;
        auto page = s->query(q);
        REQUIRE(page.tickets.size() == 1);
        CHECK(page.tickets[0]->sla == t.sla);
        // A change that stops the running clock takes the ticket off the alarm index.
        all[0] = change(
            *s, all[0],
            [](itsm::Ticket& x) {
                x.sla[0].stopped = at(140);
                x.sla[0].alarm = std::nullopt;
                x.sla[0].state = itsm::ClockState::met;
            },
            140);
        CHECK(s->get(t.id)->sla == all[0].sla);
        CHECK(s->sla_alarms(at(1000), 10).empty());
    }
    if (!f.reopen) return;
    auto s = f.reopen();
    for (const auto& t : all)
        CHECK(s->get(t.id)->sla == t.sla);
    CHECK(s->sla_alarms(at(1000), 10).empty());
    itsm::Query q;
    q.sort = itsm::SortKey::due;
    q.descending = false;
    CHECK(all_pages(*s, q) == brute_force(all, q));
}

// Random clocks on a desk, changed a few times; alarms and every SLA query against brute force.
inline void sla_queries_match_brute_force(const StoreFactory& f) {
    auto s = f.open();
    auto all = populate(*s, 50);
    std::mt19937 rng(23);
    for (int i = 0; i < 70; ++i) {
        auto t = fresh(*s, rng() % 2 ? "incident" : "change", static_cast<int>(rng() % 50));
        t.segment = rng() % 2 ? "it" : "hr";
        t.priority = static_cast<std::uint8_t>(1 + rng() % 5);
        t.sla = random_clocks(rng);
        all.push_back(add(*s, t));
    }
    auto check_all = [&](int round) {
        for (int i = 0; i < 40; ++i) {
            auto until = at(static_cast<int>(rng() % 140) - 10);
            std::size_t limit = rng() % 4 ? 1 + rng() % 30 : 1000;
            CHECK_MESSAGE(
                ids_of(s->sla_alarms(until, limit)) == alarms_brute_force(all, until, limit),
                "round ", round, " alarms ", i);
        }
        for (int i = 0; i < 60; ++i) {
            itsm::Query q;
            q.sort = rng() % 2 ? itsm::SortKey::due : static_cast<itsm::SortKey>(rng() % 4);
            q.descending = rng() % 2;
            q.limit = 1 + rng() % 25;
            if (rng() % 3 == 0) q.sla_breached = rng() % 2 == 0;
            if (rng() % 3 == 0) q.due_before = at(20 + static_cast<int>(rng() % 110));
            if (rng() % 4 == 0) q.segments = {itsm::Symbol(rng() % 2 ? "it" : "hr")};
            if (rng() % 4 == 0) q.priority_max = 1 + static_cast<int>(rng() % 4);
            auto expected = brute_force(all, q);
            CHECK_MESSAGE(all_pages(*s, q) == expected, "round ", round, " query ", i);
            CHECK_MESSAGE(s->count(q) == expected.size(), "round ", round, " query ", i);
        }
    };
    for (int round = 0; round < 3; ++round) {
        check_all(round);
        for (auto& t : all)
            if (rng() % 3 == 0)
                t = change(
                    *s, t, [&](itsm::Ticket& x) { x.sla = random_clocks(rng); }, 200 + round);
    }
    check_all(3);
}

// Paging by due while the clocks of tickets not yet seen move: every ticket that does not
// change comes exactly once, a changed one at most twice.
inline void sla_paging_while_changing(const StoreFactory& f) {
    auto s = f.open();
    std::mt19937 rng(31);
    std::vector<itsm::Ticket> all;
    for (int i = 0; i < 60; ++i) {
        auto t = fresh(*s, "incident", static_cast<int>(rng() % 50));
        t.sla = random_clocks(rng);
        all.push_back(add(*s, t));
    }
    for (bool descending : {false, true}) {
        itsm::Query q;
        q.sort = itsm::SortKey::due;
        q.descending = descending;
        q.limit = 6;
        page_while_changing(
            *s, q, all, [&](itsm::Ticket& x) { x.sla = random_clocks(rng); }, [] { return 300; });
    }
}

// A refused commit, alone or inside a batch taken back, leaves the SLA indexes as they were.
inline void sla_refused_commit(const StoreFactory& f) {
    auto s = f.open();
    auto clock = [](int due, int alarm) {
        itsm::SlaClock c;
        c.policy = "gold";
        c.metric = "resolution";
        c.start = at(0);
        c.target = std::chrono::minutes(due);
        c.due = at(due);
        c.alarm = at(alarm);
        return c;
    };
    auto a = fresh(*s, "incident", 1);
    a.sla = {clock(100, 50)};
    a = add(*s, a);
    auto b = fresh(*s, "incident", 2);
    b.sla = {clock(200, 150)};
    b = add(*s, b);
    auto snapshot = [&] {
        itsm::Query q;
        q.sort = itsm::SortKey::due;
        q.descending = false;
        q.due_before = at(1000);
        itsm::Query breached;
        breached.sla_breached = true;
        return std::make_tuple(ids_of(s->sla_alarms(at(1000), 10)), all_pages(*s, q),
                               all_pages(*s, breached));
    };
    auto before = snapshot();
    CHECK(std::get<0>(before) == std::vector<itsm::TicketId>{a.id, b.id});

    // a moves to the end and breaches, but b's write is stale: nothing of it lands.
    auto a2 = a;
    a2.version = 2;
    a2.sla = {clock(500, 400)};
    a2.sla[0].state = itsm::ClockState::breached;
    auto b2 = b;
    b2.version = 9;
    b2.sla.clear();
    itsm::Commit c;
    c.tickets = {{std::make_shared<const itsm::Ticket>(a2), 1},
                 {std::make_shared<const itsm::Ticket>(b2), 8}};
    CHECK_THROWS_AS(s->commit(c), itsm::Error);
    CHECK(snapshot() == before);

    s->begin_batch();
    itsm::Commit ok;
    ok.tickets = {{std::make_shared<const itsm::Ticket>(a2), 1}};
    s->commit(ok);
    CHECK(ids_of(s->sla_alarms(at(1000), 10)) == std::vector<itsm::TicketId>{b.id, a.id});
    s->end_batch(false);
    CHECK(snapshot() == before);
}

// The configuration version of the latest commit: kept through refusals, batches taken
// back and reopening by a store that keeps it; a store that does not (the in-memory one, a
// host's callback store) reports "" throughout.
inline void config_versions(const StoreFactory& f) {
    auto commit_under = [](itsm::Store& s, itsm::Ticket t, std::uint64_t expected,
                           const char* version) {
        itsm::Commit c;
        c.tickets.push_back({std::make_shared<const itsm::Ticket>(t), expected});
        c.events.push_back(event_for(t, itsm::EventType::comment, 2));
        c.config_version = version;
        s.commit(c);
    };
    bool keeps = false;
    {
        auto s = f.open();
        CHECK(s->config_version() == "");
        auto a = fresh(*s, "incident", 1);
        commit_under(*s, a, 0, "A");
        keeps = s->config_version() == "A";
        if (!keeps) CHECK(s->config_version() == "");
        auto a2 = a;
        a2.version = 2;
        commit_under(*s, a2, 1, "B");
        CHECK(s->config_version() == (keeps ? "B" : ""));
        // A refused commit and a batch taken back leave the version as it was.
        auto stale = a;
        stale.version = 3;
        CHECK_THROWS_AS(commit_under(*s, stale, 1, "C"), itsm::Error);
        CHECK(s->config_version() == (keeps ? "B" : ""));
        s->begin_batch();
        auto a3 = a2;
        a3.version = 3;
        commit_under(*s, a3, 2, "C");
        CHECK(s->config_version() == (keeps ? "C" : ""));
        s->end_batch(false);
        CHECK(s->config_version() == (keeps ? "B" : ""));
    }
    if (!f.reopen || !keeps) return;
    auto s = f.reopen();
    CHECK(s->config_version() == "B");
    // A commit that names none is recorded as such.
    commit_under(*s, fresh(*s, "incident", 3), 0, "");
    CHECK(s->config_version() == "");
}

}  // namespace conformance

// Every behaviour a Store promises; each SUBCASE starts from an empty store.
inline void run_store_conformance(const StoreFactory& f) {
    SUBCASE("every operation") {
        conformance::operations(f);
    }
    SUBCASE("a failed commit leaves nothing behind") {
        conformance::failed_commits(f);
    }
    SUBCASE("events are numbered in commit order") {
        conformance::event_order(f);
    }
    SUBCASE("paging while tickets change") {
        conformance::paging_while_changing(f);
    }
    SUBCASE("every sort and filter agrees with brute force") {
        conformance::queries_match_brute_force(f);
    }
    SUBCASE("version conflicts") {
        conformance::versions(f);
    }
    SUBCASE("meta values and batches") {
        conformance::meta_and_batches(f);
    }
    SUBCASE("reopening restores everything") {
        conformance::reopening(f);
    }
    SUBCASE("SLA clocks round-trip") {
        conformance::sla_round_trip(f);
    }
    SUBCASE("SLA alarms and queries agree with brute force") {
        conformance::sla_queries_match_brute_force(f);
    }
    SUBCASE("paging by due while clocks change") {
        conformance::sla_paging_while_changing(f);
    }
    SUBCASE("a refused commit leaves SLA indexes unchanged") {
        conformance::sla_refused_commit(f);
    }
    SUBCASE("the configuration version of the latest commit") {
        conformance::config_versions(f);
    }
}

}  // namespace itsm_test

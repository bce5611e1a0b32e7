#include "itsm/engine.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "helpers.hpp"

using namespace itsm;
using itsm_test::Desk;
using itsm_test::error_of;
using itsm_test::refused_unchanged;

namespace {

Schema schema_with_fields() {
    Schema s = Schema::itil();
    s.add_custom_field({"cost", FieldType::integer, {}, {"change"}});
    s.add_custom_field({"env", FieldType::choice, {"prod", "test"}, {}});
    s.add_custom_field({"vip", FieldType::boolean, {}, {}});
    s.add_custom_field({"due", FieldType::instant, {}, {}});
    s.add_custom_field({"note", FieldType::text, {}, {}});
    return s;
}

}  // namespace

TEST_CASE("create fills defaults, keys, priority and one created event") {
    Desk d;
    NewTicket in;
    in.kind = "incident";
    in.title = "  VPN drops every hour ";
    in.impact = 1;
    in.urgency = 2;
    in.tags = {"VPN", " vpn", "Remote"};
    in.channel = Channel::email;
    Ticket t = d.engine.create(d.alice, in);
    CHECK(t.id == 1);
    CHECK(t.key == "INC0000001");
    CHECK(t.kind == "incident");
    CHECK(t.state == "new");
    CHECK(t.title == "VPN drops every hour");
    CHECK(t.priority == 2);
    CHECK_FALSE(t.priority_overridden);
    CHECK(t.requester == "alice");
    CHECK(t.segment == "global");
    CHECK(t.channel == Channel::email);
    CHECK(t.tags.size() == 2);
    CHECK(t.has_tag("vpn"));
    CHECK(t.has_tag("remote"));
    CHECK(t.created == itsm_test::t0());
    CHECK(t.updated == t.created);
    CHECK(t.version == 1);
    CHECK_FALSE(t.resolved);
    auto h = d.engine.history(d.alice, t.id);
    REQUIRE(h.size() == 1);
    CHECK(h[0].type == EventType::created);
    CHECK(h[0].actor == "alice");
    CHECK(h[0].text == "INC0000001");
    CHECK(h[0].seq == 1);

    // keys count per kind; ids are global
    Ticket p = d.make("problem", "Recurring VPN drops");
    Ticket i2 = d.incident("Second");
    CHECK(p.key == "PRB0000001");
    CHECK(i2.key == "INC0000002");
    CHECK(i2.id == 3);
    CHECK(d.engine.get_by_key(d.bob, "PRB0000001").id == p.id);
}

TEST_CASE("every priority of the matrix, and a manual override that is recorded") {
    Desk d;
    int expected[3][3] = {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}};
    for (int i = 1; i <= 3; ++i)
        for (int u = 1; u <= 3; ++u) {
            NewTicket in;
            in.kind = "incident";
            in.title = "x";
            in.impact = i;
            in.urgency = u;
            CHECK(d.engine.create(d.alice, in).priority == expected[i - 1][u - 1]);
        }
    Ticket t = d.incident();
    CHECK(t.priority == 5);
    TicketPatch p;
    p.priority = std::optional<int>{1};
    t = d.engine.update(d.alice, t.id, p);
    CHECK(t.priority == 1);
    CHECK(t.priority_overridden);
    auto h = d.engine.history(d.alice, t.id);
    CHECK(h.back().field == "priority");
    CHECK(h.back().text == "override");
    CHECK(std::get<std::int64_t>(h.back().old_value) == 5);
    // impact changes do not undo an override ...
    TicketPatch impact;
    impact.impact = 2;
    t = d.engine.update(d.alice, t.id, impact);
    CHECK(t.priority == 1);
    // ... dropping it recomputes from the matrix
    TicketPatch drop;
    drop.priority = std::optional<int>{};
    t = d.engine.update(d.alice, t.id, drop);
    CHECK_FALSE(t.priority_overridden);
    CHECK(t.priority == 4);
    CHECK(d.engine.history(d.alice, t.id).back().text == "matrix");
    // without an override, impact and urgency move the priority
    TicketPatch both;
    both.impact = 1;
    both.urgency = 1;
    t = d.engine.update(d.alice, t.id, both);
    CHECK(t.priority == 1);
}

TEST_CASE("a configured matrix replaces the ITIL one") {
    Schema s = Schema::itil();
    s.set_priority_matrix({2, 2, {1, 2, 2, 3}});
    Desk d(s);
    NewTicket in;
    in.kind = "incident";
    in.title = "x";
    in.impact = 2;
    in.urgency = 2;
    CHECK(d.engine.create(d.alice, in).priority == 3);
    in.impact = 3;
    error_of([&] { d.engine.create(d.alice, in); }, Errc::validation_failed);
}

TEST_CASE("bad creates are refused and store nothing") {
    Desk d(schema_with_fields());
    auto refused = [&](NewTicket in, Errc code, std::string expected) {
        auto before = d.store->size();
        auto msg = error_of([&] { d.engine.create(d.alice, in); }, code);
        CHECK_MESSAGE(msg.rfind(expected, 0) == 0, msg);
        CHECK(d.store->size() == before);
    };
    NewTicket ok;
    ok.kind = "incident";
    ok.title = "fine";

    NewTicket in = ok;
    in.title = "   ";
    refused(in, Errc::validation_failed, "title: must not be empty");
    in = ok;
    in.kind = "incidnet";
    refused(in, Errc::validation_failed, "kind: unknown kind \"incidnet\"");
    in = ok;
    in.kind = Symbol{};
    refused(in, Errc::validation_failed, "kind: must not be empty");
    in = ok;
    in.impact = 4;
    refused(in, Errc::validation_failed, "impact: 4 is outside 1..3");
    in = ok;
    in.urgency = 0;
    refused(in, Errc::validation_failed, "urgency: 0 is outside 1..3");
    in = ok;
    in.priority = 9;
    refused(in, Errc::validation_failed, "priority: 9 is outside 1..5");
    in = ok;
    in.custom = {{"colour", std::string("red")}};
    refused(in, Errc::validation_failed, "custom.colour: unknown custom field");
    in = ok;
    in.custom = {{"vip", std::string("yes")}};
    refused(in, Errc::validation_failed, "custom.vip: expected a value of type boolean");
    in = ok;
    in.custom = {{"cost", std::int64_t{5}}};
    refused(in, Errc::validation_failed, "custom.cost: not a field of kind \"incident\"");
    in = ok;
    in.custom = {{"env", std::string("dev")}};
    refused(in, Errc::validation_failed, "custom.env: \"dev\" is not one of its choices");
    in = ok;
    in.custom = {{"vip", true}, {"vip", false}};
    refused(in, Errc::validation_failed, "custom.vip: given twice");
    in = ok;
    in.title = std::string("bad \xC3\x28 utf8");
    refused(in, Errc::validation_failed, "title: is not valid UTF-8");
    in = ok;
    in.title = std::string(2000, 'x');
    refused(in, Errc::validation_failed, "title: 2000 bytes is over the limit");
    in = ok;
    in.tags = {"ok", "  "};
    refused(in, Errc::validation_failed, "tags: a tag must not be empty");
    in = ok;
    in.assignee = " bob";
    refused(in, Errc::validation_failed, "assignee: \" bob\" has surrounding white space");
    in = ok;
    in.custom = {{"note", std::string("bad \xFF byte")}};
    refused(in, Errc::validation_failed, "custom.note: is not valid UTF-8");
    in = ok;
    in.custom = {{"due", parse_instant("0000-06-01T00:00:00Z")}};
    refused(in, Errc::validation_failed, "custom.due: the instant is outside the years");
    // the actor is an id like any other: present, UTF-8, no surrounding space
    error_of([&] { d.engine.create(Actor{}, ok); }, Errc::invalid_argument);
    CHECK(error_of([&] { d.engine.create(Actor{"bad\xFF"}, ok); }, Errc::invalid_argument) ==
          "actor: is not valid UTF-8");
    error_of([&] { d.engine.create(Actor{" alice"}, ok); }, Errc::invalid_argument);
    // numbering continues without gaps after refusals
    CHECK(d.engine.create(d.alice, ok).key == "INC0000001");
}

TEST_CASE("custom fields of every type are set, changed and cleared with events") {
    Desk d(schema_with_fields());
    NewTicket in;
    in.kind = "change";
    in.title = "Upgrade the core switch";
    in.custom = {{"cost", std::int64_t{1200}},
                 {"env", std::string("prod")},
                 {"due", parse_instant("2026-04-01T08:00:00Z")}};
    Ticket t = d.engine.create(d.alice, in);
    CHECK(std::get<std::int64_t>(*t.custom_value("cost")) == 1200);
    TicketPatch p;
    p.custom = {
        {"cost", std::int64_t{1500}}, {"vip", true}, {"env", Value{}}, {"note", std::string("n")}};
    t = d.engine.update(d.bob, t.id, p);
    CHECK(std::get<std::int64_t>(*t.custom_value("cost")) == 1500);
    CHECK(std::get<bool>(*t.custom_value("vip")));
    CHECK_FALSE(t.custom_value("env"));
    auto h = d.engine.history(d.alice, t.id);
    REQUIRE(h.size() == 5);
    CHECK(h[1].field == "custom.cost");
    CHECK(std::get<std::int64_t>(h[1].old_value) == 1200);
    CHECK(h[1].actor == "bob");
    CHECK(h[3].field == "custom.env");
    CHECK(std::holds_alternative<std::monostate>(h[3].new_value));
    // one operation, one version step, one instant
    CHECK(t.version == 2);
    for (std::size_t i = 1; i < h.size(); ++i)
        CHECK(h[i].seq == h[i - 1].seq + 1);
}

TEST_CASE("updates record one event per field and refuse bad input whole") {
    Desk d(schema_with_fields());
    Ticket t = d.incident();
    d.clock->advance(std::chrono::minutes(5));
    TicketPatch p;
    p.title = "Printer on floor 3 jams daily";
    p.assignee = Symbol("bob");
    p.assignment_group = Symbol("desk");
    p.category = Symbol("hardware.printer");
    p.add_tags = {"Printer"};
    p.channel = Channel::phone;
    Ticket u = d.engine.update(d.alice, t.id, p);
    CHECK(u.version == 2);
    CHECK(u.updated == itsm_test::t0() + std::chrono::minutes(5));
    CHECK(u.created == t.created);
    auto h = d.engine.history(d.alice, t.id);
    REQUIRE(h.size() == 7);
    CHECK(h[1].field == "title");
    CHECK(std::get<std::string>(h[1].old_value) == "Printer on floor 3 jams");
    CHECK(h[2].field == "channel");
    CHECK(h[3].field == "category");
    CHECK(h[4].field == "assignee");
    CHECK(std::get<std::string>(h[4].old_value) == "");
    CHECK(h[6].field == "tags");
    CHECK(std::get<std::string>(h[6].new_value) == "printer");

    // a no-op update changes nothing
    Ticket same = d.engine.update(d.alice, t.id, p);
    CHECK(same.version == 2);
    CHECK(d.engine.history(d.alice, t.id).size() == 7);

    // a patch with one bad field applies none of its fields
    TicketPatch bad;
    bad.title = "New title";
    bad.impact = 7;
    refused_unchanged(
        d, t.id, [&] { d.engine.update(d.alice, t.id, bad); }, Errc::validation_failed);
    TicketPatch bad_custom;
    bad_custom.title = "New title";
    bad_custom.custom = {{"cost", std::int64_t{1}}};
    refused_unchanged(
        d, t.id, [&] { d.engine.update(d.alice, t.id, bad_custom); }, Errc::validation_failed);
    TicketPatch empty_title;
    empty_title.title = "";
    refused_unchanged(
        d, t.id, [&] { d.engine.update(d.alice, t.id, empty_title); }, Errc::validation_failed);
    TicketPatch no_requester;
    no_requester.requester = Symbol{};
    refused_unchanged(
        d, t.id, [&] { d.engine.update(d.alice, t.id, no_requester); }, Errc::validation_failed);
    TicketPatch no_segment;
    no_segment.segment = Symbol{};
    refused_unchanged(
        d, t.id, [&] { d.engine.update(d.alice, t.id, no_segment); }, Errc::validation_failed);
    error_of([&] { d.engine.update(d.alice, 999, p); }, Errc::not_found);
}

TEST_CASE("a stale version is a conflict, never a lost update") {
    Desk d;
    Ticket t = d.incident();
    TicketPatch first;
    first.title = "Alice's edit";
    first.expected_version = 1;
    d.engine.update(d.alice, t.id, first);
    TicketPatch second;
    second.title = "Bob's edit, made on version 1";
    second.expected_version = 1;
    auto msg = refused_unchanged(
        d, t.id, [&] { d.engine.update(d.bob, t.id, second); }, Errc::conflict);
    CHECK(msg.find("version 2") != std::string::npos);
    CHECK(d.engine.get(d.alice, t.id).title == "Alice's edit");
    second.expected_version = 2;
    CHECK(d.engine.update(d.bob, t.id, second).version == 3);
}

TEST_CASE("comments and work notes are events in order") {
    Desk d;
    Ticket t = d.incident();
    d.clock->advance(std::chrono::seconds(30));
    Comment c = d.engine.comment(d.bob, t.id, "Have you tried turning it off and on?");
    CHECK(c.author == "bob");
    CHECK(c.visibility == CommentVisibility::public_reply);
    CHECK(c.at == itsm_test::t0() + std::chrono::seconds(30));
    d.engine.comment(d.bob, t.id, "Toner looks empty", CommentVisibility::work_note);
    auto all = d.engine.comments(d.alice, t.id);
    REQUIRE(all.size() == 2);
    CHECK(all[0].seq < all[1].seq);
    CHECK(all[1].visibility == CommentVisibility::work_note);
    CHECK(all[1].text == "Toner looks empty");
    CHECK(d.engine.get(d.alice, t.id).version == 3);
    refused_unchanged(
        d, t.id, [&] { d.engine.comment(d.bob, t.id, "  \n"); }, Errc::validation_failed);
    error_of([&] { d.engine.comment(d.bob, 42, "x"); }, Errc::not_found);
}

TEST_CASE("links are stored on both tickets and queryable from either side") {
    Desk d;
    Ticket inc = d.incident();
    Ticket prb = d.make("problem", "Printer fleet firmware");
    Ticket chg = d.make("change", "Update printer firmware");
    Ticket task = d.make("task", "Flash printer 3");
    d.engine.link(d.alice, inc.id, LinkType::caused_by, prb.id);
    d.engine.link(d.alice, prb.id, LinkType::resolved_by_change, chg.id);
    d.engine.link(d.alice, chg.id, LinkType::parent_of, task.id);  // the other spelling
    d.engine.link(d.alice, inc.id, LinkType::related, chg.id);
    auto i = d.engine.get(d.alice, inc.id);
    auto p = d.engine.get(d.alice, prb.id);
    auto c = d.engine.get(d.alice, chg.id);
    auto k = d.engine.get(d.alice, task.id);
    CHECK(i.links == std::vector<Link>{{LinkType::caused_by, prb.id}, {LinkType::related, chg.id}});
    CHECK(p.links ==
          std::vector<Link>{{LinkType::causes, inc.id}, {LinkType::resolved_by_change, chg.id}});
    CHECK(c.links == std::vector<Link>{{LinkType::resolves, prb.id},
                                       {LinkType::parent_of, task.id},
                                       {LinkType::related, inc.id}});
    CHECK(k.parent() == chg.id);
    auto h = d.engine.history(d.alice, task.id);
    CHECK(h.back().type == EventType::link_added);
    CHECK(h.back().link == Link{LinkType::child_of, chg.id});

    d.engine.unlink(d.alice, inc.id, LinkType::related, chg.id);
    CHECK(d.engine.get(d.alice, inc.id).links.size() == 1);
    CHECK(d.engine.get(d.alice, chg.id).links.size() == 2);
    CHECK(d.engine.history(d.alice, chg.id).back().type == EventType::link_removed);
    refused_unchanged(
        d, inc.id, [&] { d.engine.unlink(d.alice, inc.id, LinkType::related, chg.id); },
        Errc::not_found);
}

TEST_CASE("link refusals change neither ticket") {
    Desk d;
    Ticket a = d.make("task", "a");
    Ticket b = d.make("task", "b");
    Ticket c = d.make("task", "c");
    Ticket inc = d.incident();
    Ticket chg = d.make("change", "c");
    d.engine.link(d.alice, b.id, LinkType::child_of, a.id);
    d.engine.link(d.alice, c.id, LinkType::child_of, b.id);
    // Requires the refusal and that neither ticket nor either history moved.
    auto both = [&](TicketId x, TicketId y, auto op, Errc code) {
        auto before_x = d.engine.get(d.alice, x), before_y = d.engine.get(d.alice, y);
        auto events = d.engine.history(d.alice, x).size() + d.engine.history(d.alice, y).size();
        error_of(op, code);
        CHECK(d.engine.get(d.alice, x).version == before_x.version);
        CHECK(d.engine.get(d.alice, y).version == before_y.version);
        CHECK(d.engine.get(d.alice, x).links == before_x.links);
        CHECK(d.engine.get(d.alice, y).links == before_y.links);
        CHECK(d.engine.history(d.alice, x).size() + d.engine.history(d.alice, y).size() == events);
    };
    // a -> b -> c: making a a child of c closes a loop
    both(
        a.id, c.id, [&] { d.engine.link(d.alice, a.id, LinkType::child_of, c.id); },
        Errc::validation_failed);
    both(
        a.id, c.id, [&] { d.engine.link(d.alice, c.id, LinkType::parent_of, a.id); },
        Errc::validation_failed);
    // a second parent
    both(
        c.id, a.id, [&] { d.engine.link(d.alice, c.id, LinkType::child_of, a.id); },
        Errc::validation_failed);
    // self-link
    refused_unchanged(
        d, a.id, [&] { d.engine.link(d.alice, a.id, LinkType::related, a.id); },
        Errc::validation_failed);
    // the same link twice
    both(
        b.id, a.id, [&] { d.engine.link(d.alice, b.id, LinkType::child_of, a.id); },
        Errc::conflict);
    // a missing ticket
    auto msg = refused_unchanged(
        d, a.id, [&] { d.engine.link(d.alice, a.id, LinkType::related, 999); }, Errc::not_found);
    CHECK(msg == "to: no ticket 999");
    // kinds that the link type does not allow
    both(
        inc.id, chg.id, [&] { d.engine.link(d.alice, inc.id, LinkType::caused_by, chg.id); },
        Errc::validation_failed);
    both(
        a.id, chg.id, [&] { d.engine.link(d.alice, a.id, LinkType::resolved_by_change, chg.id); },
        Errc::validation_failed);
    // duplicates: one original, no loops
    d.engine.link(d.alice, inc.id, LinkType::duplicate_of, a.id);
    both(
        a.id, inc.id, [&] { d.engine.link(d.alice, a.id, LinkType::duplicate_of, inc.id); },
        Errc::validation_failed);
    both(
        inc.id, b.id, [&] { d.engine.link(d.alice, inc.id, LinkType::duplicate_of, b.id); },
        Errc::validation_failed);
}

TEST_CASE("observers hear each committed event once, in order, after the commit") {
    Desk d;
    std::vector<std::uint64_t> seqs;
    std::vector<std::uint64_t> versions_seen;
    auto sub = d.engine.subscribe([&](const Event& e) {
        seqs.push_back(e.seq);
        // the commit is visible to an observer
        versions_seen.push_back(d.engine.get(d.alice, e.ticket).version);
    });
    Ticket t = d.incident();
    TicketPatch p;
    p.title = "changed";
    p.impact = 1;
    d.engine.update(d.alice, t.id, p);
    CHECK(seqs == std::vector<std::uint64_t>{1, 2, 3, 4});
    CHECK(versions_seen == std::vector<std::uint64_t>{1, 2, 2, 2});
    // a refused operation is not heard
    TicketPatch bad;
    bad.impact = 9;
    CHECK_THROWS_AS(d.engine.update(d.alice, t.id, bad), Error);
    CHECK(seqs.size() == 4);
    // a throwing observer does not undo the commit
    auto thrower = d.engine.subscribe([](const Event&) { throw std::runtime_error("boom"); });
    d.engine.comment(d.alice, t.id, "still committed");
    CHECK(d.engine.comments(d.alice, t.id).size() == 1);
    CHECK(seqs.size() == 5);
    d.engine.unsubscribe(thrower);
    d.engine.unsubscribe(sub);
    d.incident();
    CHECK(seqs.size() == 5);
    error_of([&] { d.engine.unsubscribe(sub); }, Errc::not_found);
}

TEST_CASE("an observer may write to the engine; its events follow in order") {
    Desk d;
    std::vector<std::pair<std::uint64_t, EventType>> heard;
    d.engine.subscribe([&](const Event& e) {
        heard.emplace_back(e.seq, e.type);
        if (e.type == EventType::created)
            d.engine.comment(Actor::system(), e.ticket, "We received your ticket.");
    });
    d.incident();
    REQUIRE(heard.size() == 2);
    CHECK(heard[0] == std::pair{std::uint64_t{1}, EventType::created});
    CHECK(heard[1] == std::pair{std::uint64_t{2}, EventType::comment});
}

TEST_CASE("many threads create and update without losing anything") {
    Desk d;
    Ticket shared = d.incident("shared");
    constexpr int threads = 4, per_thread = 200;
    std::atomic<int> conflicts{0};
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i)
        pool.emplace_back([&, i] {
            Actor me = i % 2 ? d.alice : d.bob;  // the fixture's administrators
            for (int n = 0; n < per_thread; ++n) {
                NewTicket in;
                in.kind = "incident";
                in.title = "t";
                d.engine.create(me, in);
                // read-modify-write with the version: retried on conflict, never lost
                for (;;) {
                    Ticket cur = d.engine.get(me, shared.id);
                    TicketPatch p;
                    p.custom = {};
                    p.title = "n" + std::to_string(cur.version);
                    p.expected_version = cur.version;
                    try {
                        d.engine.update(me, shared.id, p);
                        break;
                    } catch (const Error& e) {
                        REQUIRE(e.code() == Errc::conflict);
                        ++conflicts;
                    }
                }
            }
        });
    for (auto& t : pool)
        t.join();
    CHECK(d.store->size() == 1 + threads * per_thread);
    CHECK(d.engine.get(d.alice, shared.id).version == 1 + threads * per_thread);
    CHECK(d.engine.history(d.alice, shared.id).size() == 1 + threads * per_thread);
    Query q;
    CHECK(d.engine.count(d.alice, q) == 1 + threads * per_thread);
}

TEST_CASE("get and history of a missing ticket are not_found") {
    Desk d;
    CHECK(error_of([&] { d.engine.get(d.alice, 7); }, Errc::not_found) == "ticket: no ticket 7");
    error_of([&] { d.engine.get_by_key(d.alice, "INC0000007"); }, Errc::not_found);
    error_of([&] { d.engine.history(d.alice, 7); }, Errc::not_found);
    error_of([&] { d.engine.comments(d.alice, 7); }, Errc::not_found);
}

TEST_CASE("watchers are a sorted set, changed by add and remove with one event") {
    Desk d;
    NewTicket in;
    in.kind = "incident";
    in.title = "Mail quota";
    in.watchers = {"carol", "bob", "carol"};
    Ticket t = d.engine.create(d.alice, in);
    REQUIRE(t.watchers.size() == 2);
    CHECK(t.has_watcher("bob"));
    CHECK(t.has_watcher("carol"));
    TicketPatch p;
    p.add_watchers = {"dave"};
    p.remove_watchers = {"bob", "nobody"};
    t = d.engine.update(d.alice, t.id, p);
    CHECK(t.has_watcher("dave"));
    CHECK_FALSE(t.has_watcher("bob"));
    auto h = d.engine.history(d.alice, t.id);
    REQUIRE(h.size() == 2);
    CHECK(h[1].field == "watchers");
    CHECK(h[1].old_value == Value{std::string("bob,carol")});
    CHECK(h[1].new_value == Value{std::string("carol,dave")});
    TicketPatch same;
    same.add_watchers = {"carol"};
    CHECK(d.engine.update(d.alice, t.id, same).version == t.version);
    TicketPatch bad;
    bad.add_watchers = {Symbol(" eve")};
    refused_unchanged(
        d, t.id, [&] { d.engine.update(d.alice, t.id, bad); }, Errc::validation_failed);
    NewTicket empty = in;
    empty.watchers = {Symbol("")};
    error_of([&] { d.engine.create(d.alice, empty); }, Errc::validation_failed);
}

// Access control through the engine, seen from the side of the people refused: invisible
// tickets look absent everywhere, refusals change nothing, queries and counts are exact.
// Ends with a randomized check of every result and count against a brute-force model.
#include <algorithm>
#include <random>
#include <set>

#include "helpers.hpp"
#include "itsm/access.hpp"
#include "itsm/json.hpp"

using namespace itsm;
using itsm_test::error_of;

namespace {

// IT and a sealed HR on one engine. ivy is an IT agent, hank an HR agent, root an
// administrator on the root segment (who therefore does not reach HR), rita a requester.
struct Departments {
    std::shared_ptr<InMemoryStore> store = std::make_shared<InMemoryStore>();
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(itsm_test::t0());
    Engine engine{store, clock};
    Actor sys = Actor::system();
    Actor ivy{"ivy"}, hank{"hank"}, root{"root"}, rita{"rita"}, tess{"tess"};

    Departments() {
        Directory dir;
        for (const char* u : {"ivy", "hank", "root", "rita", "tess", "system"})
            dir.add_user({u, u, true});
        dir.add_group({"it_agents", "", {}, {"ivy"}});
        dir.add_group({"hr_team", "", {}, {"hank"}});
        engine.set_directory(sys, dir);
        engine.set_access(sys, AccessPolicy::from_json(R"({
            "segments": [{"id": "global"}, {"id": "it"}, {"id": "hr", "sealed": true}],
            "roles": [{"preset": "service_desk_agent"}, {"preset": "requester"},
                      {"preset": "administrator"}, {"preset": "technician"},
                      {"id": "titler", "permissions": ["ticket.read", "ticket.update.title"]}],
            "grants": [
                {"group": "it_agents", "role": "service_desk_agent", "segment": "it"},
                {"group": "hr_team", "role": "service_desk_agent", "segment": "hr"},
                {"user": "root", "role": "administrator", "segment": "*"},
                {"user": "rita", "role": "requester", "segment": "it"},
                {"user": "rita", "role": "requester", "segment": "hr"},
                {"user": "tess", "role": "technician", "segment": "it"},
                {"user": "tess", "role": "titler", "segment": "global"}
            ]})"));
    }
    Ticket create(const Actor& a, Symbol segment, std::string title = "case") {
        NewTicket in;
        in.kind = "incident";
        in.title = std::move(title);
        in.segment = segment;
        return engine.create(a, in);
    }
    std::size_t events(TicketId id) { return engine.history(sys, id).size(); }
};

// Requires that `op` fails with `code` and leaves ticket `id` and its history unchanged.
std::string refused(Departments& d, TicketId id, const std::function<void()>& op, Errc code) {
    auto before = d.engine.get(d.sys, id);
    auto n = d.events(id);
    auto size = d.store->size();
    std::string message = error_of(op, code);
    auto after = d.engine.get(d.sys, id);
    CHECK(after.version == before.version);
    CHECK(after.links == before.links);
    CHECK(d.events(id) == n);
    CHECK(d.store->size() == size);
    return message;
}

}  // namespace

TEST_CASE("access: an HR case is invisible to an IT agent, as if it did not exist") {
    Departments d;
    Ticket hr = d.create(d.hank, "hr", "Grievance about a manager");
    Ticket it = d.create(d.ivy, "it", "Laptop broken");
    d.engine.comment(d.hank, hr.id, "Private notes", CommentVisibility::work_note);
    TicketId absent = 999;
    auto same_as_absent = [&](const std::function<void(TicketId)>& op) {
        std::string hidden = refused(
            d, hr.id, [&] { op(hr.id); }, Errc::not_found);
        std::string missing = error_of([&] { op(absent); }, Errc::not_found);
        auto replace = [](std::string s, TicketId id, std::string_view by) {
            auto pos = s.find(std::to_string(id));
            return pos == std::string::npos ? s : s.replace(pos, std::to_string(id).size(), by);
        };
        CHECK(replace(hidden, hr.id, "N") == replace(missing, absent, "N"));
    };
    same_as_absent([&](TicketId id) { d.engine.get(d.ivy, id); });
    same_as_absent([&](TicketId id) { d.engine.history(d.ivy, id); });
    same_as_absent([&](TicketId id) { d.engine.comments(d.ivy, id); });
    same_as_absent([&](TicketId id) { d.engine.comment(d.ivy, id, "hello"); });
    same_as_absent([&](TicketId id) {
        TicketPatch p;
        p.title = "mine now";
        d.engine.update(d.ivy, id, p);
    });
    same_as_absent([&](TicketId id) { d.engine.link(d.ivy, it.id, LinkType::related, id); });
    same_as_absent([&](TicketId id) { d.engine.link(d.ivy, id, LinkType::related, it.id); });
    same_as_absent([&](TicketId id) { d.engine.unlink(d.ivy, it.id, LinkType::related, id); });
    same_as_absent([&](TicketId id) { d.engine.explain(d.ivy, id, "ticket.read"); });
    CHECK(error_of([&] { d.engine.get_by_key(d.ivy, hr.key); }, Errc::not_found) ==
          "key: no ticket " + hr.key);

    Query all;
    std::size_t total = 0;
    auto page = d.engine.query(d.ivy, all, &total);
    CHECK(total == 1);
    REQUIRE(page.tickets.size() == 1);
    CHECK(page.tickets[0]->id == it.id);
    Query by_segment;
    by_segment.segments = {"hr"};
    CHECK(d.engine.count(d.ivy, by_segment) == 0);
    CHECK(d.engine.query(d.ivy, by_segment).tickets.empty());

    // the global administrator does not reach the sealed segment either; HR sees it
    error_of([&] { d.engine.get(d.root, hr.id); }, Errc::not_found);
    CHECK(d.engine.count(d.root, all) == 1);
    CHECK(d.engine.count(d.hank, all) == 1);
    CHECK(d.engine.get(d.hank, hr.id).title == "Grievance about a manager");
    CHECK(d.engine.count(d.sys, all) == 2);
}

TEST_CASE("access: a requester reads their own ticket and public replies, never work notes") {
    Departments d;
    Ticket mine = d.create(d.rita, "hr", "Question about my payslip");
    Ticket other = d.create(d.hank, "hr", "Someone else's case");
    d.engine.comment(d.hank, mine.id, "We are on it.");
    d.engine.comment(d.hank, mine.id, "Check with payroll first.", CommentVisibility::work_note);

    CHECK(d.engine.get(d.rita, mine.id).requester == "rita");
    auto comments = d.engine.comments(d.rita, mine.id);
    REQUIRE(comments.size() == 1);
    CHECK(comments[0].text == "We are on it.");
    CHECK(d.engine.comments(d.hank, mine.id).size() == 2);
    d.engine.comment(d.rita, mine.id, "Thanks!");
    refused(
        d, mine.id,
        [&] { d.engine.comment(d.rita, mine.id, "sneaky", CommentVisibility::work_note); },
        Errc::permission_denied);
    refused(
        d, mine.id, [&] { d.engine.history(d.rita, mine.id); }, Errc::permission_denied);
    TicketPatch p;
    p.title = "Changed by requester";
    auto why = refused(
        d, mine.id, [&] { d.engine.update(d.rita, mine.id, p); }, Errc::permission_denied);
    CHECK(why.find("ticket.update") != std::string::npos);
    error_of([&] { d.engine.get(d.rita, other.id); }, Errc::not_found);
    Query all;
    auto page = d.engine.query(d.rita, all);
    REQUIRE(page.tickets.size() == 1);
    CHECK(page.tickets[0]->id == mine.id);
    // the agent's history has the work note; the auditing trail is intact
    auto h = d.engine.history(d.hank, mine.id);
    CHECK(std::count_if(h.begin(), h.end(),
                        [](const Event& e) { return e.type == EventType::work_note; }) == 1);
    auto x = d.engine.explain(d.rita, mine.id, "work_notes.read");
    CHECK_FALSE(x.decision.allowed);
    CHECK(d.engine.explain(d.rita, mine.id, "ticket.read").decision.relationship ==
          Relationship::requester);
}

TEST_CASE("access: deny by default, and only the real system bypasses") {
    auto store = std::make_shared<InMemoryStore>();
    Engine e(store, std::make_shared<ManualClock>(itsm_test::t0()));
    NewTicket in;
    in.kind = "incident";
    in.title = "x";
    auto msg = error_of([&] { e.create(Actor{"alice"}, in); }, Errc::permission_denied);
    CHECK(msg.find("no access policy") != std::string::npos);
    error_of([&] { e.create(Actor{"system"}, in); }, Errc::permission_denied);
    CHECK(store->size() == 0);
    Ticket t = e.create(Actor::system(), in);
    CHECK(e.history(Actor::system(), t.id).front().actor == "system");
    error_of([&] { e.get(Actor{"alice"}, t.id); }, Errc::not_found);
    CHECK(e.count(Actor{"system"}, Query{}) == 0);
    CHECK(e.count(Actor::system(), Query{}) == 1);
    // configuration needs manage.grants, which nobody has yet
    error_of([&] { e.set_directory(Actor{"alice"}, Directory{}); }, Errc::permission_denied);
    AccessPolicy p;
    p.add_segment({"global", {}, false, ""}).add_preset_role("administrator");
    p.add_grant({"system", {}, "administrator", root_segment, true, {}});
    // the principal must be in the directory
    auto msg2 = error_of([&] { e.set_access(Actor::system(), p); }, Errc::invalid_config);
    CHECK(msg2.find("grants[0].user") != std::string::npos);
    CHECK(e.access_policy().grants().empty());
    Directory dir;
    dir.add_user({"system", "a user who happens to be called system", true});
    e.set_directory(Actor::system(), dir);
    e.set_access(Actor::system(), p);
    // now the user "system" holds administrator through its grant, not through a bypass
    CHECK(e.explain(Actor{"system"}, t.id, "ticket.read").decision.grant == 0);
    CHECK_FALSE(e.explain(Actor{"system"}, t.id, "ticket.read").decision.system);
    CHECK(e.explain(Actor::system(), t.id, "ticket.read").decision.system);
}

TEST_CASE("access: only manage.grants replaces the policy or the directory") {
    Departments d;
    Ticket t = d.create(d.ivy, "it");
    auto before = d.engine.access_policy().to_json();
    AccessPolicy empty;
    error_of([&] { d.engine.set_access(d.ivy, empty); }, Errc::permission_denied);
    error_of([&] { d.engine.set_directory(d.hank, Directory{}); }, Errc::permission_denied);
    CHECK(d.engine.access_policy().to_json() == before);
    CHECK(d.engine.directory().users().size() == 6);
    // root holds manage.grants on the root segment
    Directory smaller = d.engine.directory();
    d.engine.set_directory(d.root, smaller);
    // explain_for: an administrator asks about someone else
    CHECK_FALSE(d.engine.explain_for(d.root, "rita", t.id, "ticket.read").decision.allowed);
    CHECK(d.engine.explain_for(d.root, "ivy", t.id, "ticket.read").decision.allowed);
    error_of([&] { d.engine.explain_for(d.ivy, "rita", t.id, "ticket.read"); },
             Errc::permission_denied);
    error_of([&] { d.engine.explain(d.ivy, t.id, "ticket.raed"); }, Errc::invalid_argument);
}

TEST_CASE("access: updates need the permission of each changed field") {
    Departments d;
    Ticket t = d.create(d.ivy, "it");
    Ticket g = d.create(d.sys, "global");
    TicketPatch title;
    title.title = "Renamed";
    TicketPatch impact;
    impact.impact = 1;
    TicketPatch assign;
    assign.assignee = Symbol("tess");
    // tess: technician on it (update, no assign), only titles on global
    d.engine.update(d.tess, t.id, title);
    d.engine.update(d.tess, t.id, impact);  // the matrix priority follows without its own right
    refused(
        d, t.id, [&] { d.engine.update(d.tess, t.id, assign); }, Errc::permission_denied);
    d.engine.update(d.ivy, t.id, assign);  // the agent may assign
    d.engine.update(d.tess, g.id, title);
    auto why = refused(
        d, g.id, [&] { d.engine.update(d.tess, g.id, impact); }, Errc::permission_denied);
    CHECK(why.find("ticket.update.impact") != std::string::npos);
    TicketPatch both = title;
    both.impact = 2;
    refused(
        d, g.id, [&] { d.engine.update(d.tess, g.id, both); }, Errc::permission_denied);

    // moving a ticket needs create rights in the target segment, which must be declared
    TicketPatch to_hr;
    to_hr.segment = Symbol("hr");
    refused(
        d, t.id, [&] { d.engine.update(d.ivy, t.id, to_hr); }, Errc::permission_denied);
    TicketPatch nowhere;
    nowhere.segment = Symbol("hrr");
    refused(
        d, t.id, [&] { d.engine.update(d.root, t.id, nowhere); }, Errc::validation_failed);
    TicketPatch to_global;
    to_global.segment = Symbol("global");
    d.engine.update(d.root, t.id, to_global);
    CHECK(d.engine.get(d.root, t.id).segment == "global");
    // creating needs ticket.create where the ticket lands
    error_of([&] { d.create(d.ivy, "hr"); }, Errc::permission_denied);
    error_of([&] { d.create(d.ivy, "nowhere"); }, Errc::validation_failed);
    CHECK(d.store->size() == 2);
}

TEST_CASE("access: watchers and assignment group members see across segments") {
    Departments d;
    Ticket hr = d.create(d.hank, "hr", "Badge for the new joiner");
    error_of([&] { d.engine.get(d.ivy, hr.id); }, Errc::not_found);
    TicketPatch group;
    group.assignment_group = Symbol("it_agents");
    d.engine.update(d.hank, hr.id, group);
    CHECK(d.engine.get(d.ivy, hr.id).id == hr.id);  // ivy is a member of it_agents
    CHECK(d.engine.count(d.ivy, Query{}) == 1);
    d.engine.comment(d.ivy, hr.id, "Badge printed", CommentVisibility::work_note);
    TicketPatch ungroup;
    ungroup.assignment_group = Symbol{};
    ungroup.add_watchers = {"tess"};
    d.engine.update(d.hank, hr.id, ungroup);
    error_of([&] { d.engine.get(d.ivy, hr.id); }, Errc::not_found);
    CHECK(d.engine.count(d.ivy, Query{}) == 0);
    // tess watches: she reads it and public comments, not the work note
    CHECK(d.engine.count(d.tess, Query{}) == 1);
    CHECK(d.engine.comments(d.tess, hr.id).empty());
    refused(
        d, hr.id, [&] { d.engine.link(d.tess, hr.id, LinkType::related, hr.id + 1); },
        Errc::not_found);
}

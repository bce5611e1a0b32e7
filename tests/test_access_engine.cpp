// Access control through the engine, seen from the side of the people refused: invisible
// tickets look absent everywhere, refusals change nothing, queries and counts are exact.
// Ends with a randomized check of every result and count against a brute-force model.
#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "helpers.hpp"
#include "itsm/access.hpp"
#include "itsm/json.hpp"
#include "itsm/sqlite_store.hpp"
#include "temp_dir.hpp"

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

namespace {

// The brute-force model: what the policy says, read directly from its definition.
struct Model {
    const AccessPolicy& policy;
    const Directory& dir;
    bool relationships = true;  // the default relationship rights, or none at all

    // Does a grant on `grant_seg` reach a ticket in `seg`? Walk up from the ticket's segment.
    bool reaches(Symbol grant_seg, bool recursive, Symbol seg) const {
        const SegmentDef* s = policy.segment(seg);
        if (!s) return false;
        if (grant_seg == seg) return true;
        if (!recursive) return false;
        while (s) {
            if (s->sealed) return false;  // the grant is above a seal
            if (s->parent.empty()) return grant_seg == root_segment;
            if (s->parent == grant_seg) return true;
            s = policy.segment(s->parent);
        }
        return false;
    }
    // The user's groups and grants holding ticket.read, looked up once per user.
    struct Who {
        Symbol user;
        std::vector<Symbol> groups;
        std::vector<const GrantDef*> grants;  // those holding ticket.read
        std::vector<const GrantDef*> all;     // every grant of theirs
    };
    static bool holds(const GrantDef& g, const std::string& permission, const AccessPolicy& p) {
        const auto& perms = p.role(g.role)->permissions;
        return std::find(perms.begin(), perms.end(), permission) != perms.end();
    }
    Who who(Symbol user) const {
        Who w{user, dir.groups_of(user), {}, {}};
        for (const auto& g : policy.grants()) {
            bool mine = g.user == user ||
                        std::find(w.groups.begin(), w.groups.end(), g.group) != w.groups.end();
            if (!mine) continue;
            w.all.push_back(&g);
            if (holds(g, "ticket.read", policy)) w.grants.push_back(&g);
        }
        return w;
    }
    bool applies(const GrantDef& g, const Ticket& t) const {
        if (!reaches(g.segment, g.recursive, t.segment)) return false;
        const auto& w = g.when;
        if (!w.kinds.empty() && std::find(w.kinds.begin(), w.kinds.end(), t.kind) == w.kinds.end())
            return false;
        if (!w.categories.empty() &&
            std::none_of(w.categories.begin(), w.categories.end(), [&](Symbol c) {
                auto cat = t.category.str(), pre = c.str();
                return cat == pre || cat.rfind(pre + ".", 0) == 0;
            }))
            return false;
        return !(w.open_only && (t.resolved || t.closed));
    }
    // The relationships of `me` to the ticket, in the order of Relationship.
    std::vector<Relationship> related(const Who& me, const Ticket& t) const {
        std::vector<Relationship> out;
        if (!relationships) return out;
        if (t.requester == me.user) out.push_back(Relationship::requester);
        if (t.has_watcher(me.user)) out.push_back(Relationship::watcher);
        if (t.assignee == me.user) out.push_back(Relationship::assignee);
        if (!t.assignment_group.empty() &&
            std::find(me.groups.begin(), me.groups.end(), t.assignment_group) != me.groups.end())
            out.push_back(Relationship::group_member);
        if (t.is_pending_approver(me.user)) out.push_back(Relationship::approver);
        return out;
    }
    bool may_read(const Who& me, const Ticket& t) const {
        for (const auto* g : me.grants)
            if (applies(*g, t)) return true;
        return !related(me, t).empty();  // default relationships all include ticket.read
    }
    // The field groups a view of the ticket keeps: those of every grant that applies and
    // every relationship, whether or not it gives ticket.read.
    ReadGroups groups(const Who& me, const Ticket& t) const {
        ReadGroups out = 0;
        auto add = [&](const std::vector<std::string>& permissions) {
            for (std::size_t i = 0; i < read_group_count; ++i) {
                auto name = "ticket.read." + std::string(to_string(static_cast<ReadGroup>(i)));
                if (std::find(permissions.begin(), permissions.end(), name) != permissions.end())
                    out |= bit(static_cast<ReadGroup>(i));
            }
        };
        for (const auto* g : me.all)
            if (applies(*g, t)) add(policy.role(g->role)->permissions);
        for (auto r : related(me, t))
            add(policy.relationship(r));
        return out;
    }
};

}  // namespace

TEST_CASE("access: random policies, tickets and queries never show what may not be read") {
    // Without relationship rights, visibility is made of segments only and the store plans
    // with them; with them, it is an OR over segments and relationships. The in-memory store
    // walks the union of the indexed clauses itself; over a SQLite file the engine runs one
    // query per clause and merges them.
    bool with_relationships = true, in_sqlite = false;
    SUBCASE("with relationship rights, in memory") {}
    SUBCASE("with relationship rights, in a SQLite file") {
        in_sqlite = true;
    }
    SUBCASE("with segment grants only, in memory") {
        with_relationships = false;
    }
    SUBCASE("with segment grants only, in a SQLite file") {
        with_relationships = false;
        in_sqlite = true;
    }
    itsm_test::TempDir dir_of_files;
    std::shared_ptr<Store> store;
    if (in_sqlite)
        store = std::make_shared<SqliteStore>(dir_of_files.file(),
                                              SqliteOptions{Synchronous::off, 5000, 0});
    else
        store = std::make_shared<InMemoryStore>();
    std::mt19937_64 rng(with_relationships ? 20260302 : 20260303);
    auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
    auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };

    Directory dir;
    std::vector<Symbol> users, groups,
        segments = {"s0"}, kinds = {"incident", "change", "problem"},
        categories = {"", "hw", "hw.printer", "hw.laptop", "sw", "sw.mail", "hwx"};
    for (int i = 0; i < 3000; ++i) {
        users.emplace_back("u" + std::to_string(i));
        dir.add_user({users.back(), "", true});
    }
    for (int i = 0; i < 40; ++i) {
        GroupDef g{Symbol("g" + std::to_string(i)), "", {}, {}};
        for (int k = 0; k < 40; ++k) {
            Symbol u = pick(users);
            if (std::find(g.members.begin(), g.members.end(), u) == g.members.end())
                g.members.push_back(u);
        }
        groups.push_back(g.id);
        dir.add_group(g);
    }
    AccessPolicy policy;
    policy.add_segment({"s0", {}, false, ""});
    for (int i = 1; i < 12; ++i) {
        Symbol id("s" + std::to_string(i));
        Symbol parent = chance(30) ? Symbol{} : pick(segments);
        policy.add_segment({id, parent, chance(25), ""});
        segments.push_back(id);
    }
    for (const auto& preset : AccessPolicy::preset_roles())
        policy.add_preset_role(preset);
    std::vector<Symbol> roles;
    for (const auto& r : policy.roles())
        roles.push_back(r.id);
    for (int i = 0; i < 200; ++i) {
        GrantDef g;
        (chance(50) ? g.user : g.group) = chance(50) ? pick(users) : pick(groups);
        if (!g.user.empty() && g.user.view()[0] == 'g') std::swap(g.user, g.group);
        if (!g.group.empty() && g.group.view()[0] == 'u') std::swap(g.user, g.group);
        g.role = pick(roles);
        g.segment = chance(5) ? Symbol(root_segment) : pick(segments);
        g.recursive = chance(70);
        if (chance(20)) g.when.kinds = {pick(kinds)};
        if (chance(20)) g.when.categories = {Symbol(chance(50) ? "hw" : "sw")};
        g.when.open_only = chance(15);
        policy.add_grant(g);
    }

    if (!with_relationships)
        for (int r = 1; r <= relationship_count; ++r)
            policy.set_relationship(static_cast<Relationship>(r), {});

    Commit c;
    // SQLite answers each branch of each page with SQL and reads each ticket back from its
    // record: a smaller desk and fewer rounds keep the suite quick (under the sanitizers too).
    const TicketId ticket_count = in_sqlite ? 600 : 3000;
    for (TicketId id = 1; id <= ticket_count; ++id) {
        auto t = std::make_shared<Ticket>();
        t->id = id;
        t->key = "T" + std::to_string(id);
        t->kind = pick(kinds);
        t->state = chance(50) ? "new" : "active";
        t->segment = pick(segments);
        t->category = pick(categories);
        t->requester = pick(users);
        if (chance(50)) t->assignee = pick(users);
        if (chance(50)) t->assignment_group = pick(groups);
        if (chance(20)) t->watchers = {pick(users)};
        if (chance(10))
            t->approvals = {Approval{0, pick(users), ApprovalDecision::pending, {}, {}, {}}};
        if (chance(40)) t->custom = {CustomField{"cost", std::int64_t{100}}};
        if (chance(40)) t->resolution_code = "fixed";
        t->priority = static_cast<std::uint8_t>(1 + rng() % 5);
        t->created = t->updated = itsm_test::t0() + std::chrono::seconds(rng() % 100000);
        if (chance(30)) t->resolved = t->updated;
        t->version = 1;
        c.tickets.push_back({t, 0});
    }
    store->commit(c);
    Engine engine(store, std::make_shared<ManualClock>(itsm_test::t0()));
    engine.set_directory(Actor::system(), dir);
    engine.set_access(Actor::system(), policy);
    Model model{policy, dir, with_relationships};

    // The field groups holding something on a ticket, and those a view kept of them.
    auto present = [](const Ticket& t) {
        ReadGroups g = 0;
        if (!t.custom.empty()) g |= bit(ReadGroup::custom);
        if (!t.approvals.empty()) g |= bit(ReadGroup::approvals);
        if (!t.resolution_code.empty()) g |= bit(ReadGroup::resolution);
        if (!t.watchers.empty()) g |= bit(ReadGroup::watchers);
        return g;
    };
    auto shown = [&](const Ticket& stored, const Ticket& view) {
        return static_cast<ReadGroups>(present(stored) & present(view));
    };
    std::vector<TicketPtr> all;
    auto reload = [&] {
        all.clear();
        for (TicketId id = 1; id <= ticket_count; ++id)
            all.push_back(store->get(id));
    };
    reload();
    // Users with many grants and users with none; each asks several random queries.
    auto check_rounds = [&](int rounds) {
        for (int round = 0; round < rounds; ++round) {
            Symbol user = round % 3 == 0 ? pick(policy.grants()).user : pick(users);
            if (user.empty()) user = pick(users);
            Actor actor{user};
            std::vector<char> readable(all.size());
            auto me = model.who(user);
            for (std::size_t i = 0; i < all.size(); ++i)
                readable[i] = model.may_read(me, *all[i]);
            for (int n = 0; n < 4; ++n) {
                Query q;
                if (chance(40)) q.segments = {pick(segments), pick(segments)};
                if (chance(30)) q.states = {"new"};
                if (chance(30)) q.kinds = {pick(kinds)};
                if (chance(20)) q.groups = {pick(groups)};
                if (chance(20)) q.priority_max = 3;
                q.sort = static_cast<SortKey>(rng() % 3);
                q.descending = chance(50);
                q.limit = chance(10) ? 1 + rng() % 5 : 20 + rng() % 200;
                std::set<TicketId> expected;
                for (std::size_t i = 0; i < all.size(); ++i)
                    if (readable[i] && q.matches(*all[i])) expected.insert(all[i]->id);
                std::set<TicketId> seen;
                std::size_t total = 0;
                for (int pages = 0; pages < 4000; ++pages) {
                    auto page = engine.query(actor, q, &total);
                    for (const auto& t : page.tickets) {
                        INFO("user ", user.view(), " ticket ", t->id, " segment ",
                             t->segment.view());
                        REQUIRE(readable[t->id - 1]);
                        CHECK(seen.insert(t->id).second);
                        // The page shows exactly the field groups the model gives.
                        CHECK(shown(*all[t->id - 1], *t) ==
                              (present(*all[t->id - 1]) & model.groups(me, *all[t->id - 1])));
                    }
                    if (page.next_cursor.empty()) break;
                    q.cursor = page.next_cursor;
                }
                CHECK(total == expected.size());
                INFO("seen ", seen.size(), " expected ", expected.size(), " limit ", q.limit);
                CHECK(seen == expected);
                q.cursor.clear();
                CHECK(engine.count(actor, q) == expected.size());
            }
            // get agrees with the model on a sample of tickets
            for (int n = 0; n < 20; ++n) {
                const auto& t = pick(all);
                if (readable[t->id - 1])
                    CHECK(engine.get(actor, t->id).id == t->id);
                else
                    error_of([&] { engine.get(actor, t->id); }, Errc::not_found);
            }
        }
    };
    check_rounds(in_sqlite ? 10 : 40);
    // The engine keeps its relationship index up to date through its own writes.
    for (int n = 0; n < (in_sqlite ? 200 : 600); ++n) {
        const TicketPtr& target = pick(all);
        TicketPatch p;
        switch (rng() % 5) {
            case 0:
                p.requester = pick(users);
                break;
            case 1:
                p.add_watchers = {pick(users)};
                break;
            case 2:
                p.remove_watchers = store->get(target->id)->watchers.to_vector();
                p.assignee = chance(50) ? pick(users) : Symbol{};
                break;
            case 3:
                p.assignment_group = chance(80) ? pick(groups) : Symbol{};
                break;
            default:
                p.segment = pick(segments);
        }
        engine.update(Actor::system(), target->id, p);
    }
    reload();
    check_rounds(in_sqlite ? 5 : 20);
}

TEST_CASE("access: threads query and write while the policy and directory are replaced") {
    Departments d;
    for (int i = 0; i < 20; ++i) {
        d.create(d.ivy, "it");
        d.create(d.hank, "hr");
    }
    std::atomic<bool> stop{false};
    std::atomic<int> leaks{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r)
        readers.emplace_back([&] {
            while (!stop) {
                auto page = d.engine.query(d.ivy, Query{});
                for (const auto& t : page.tickets)
                    if (t->segment == "hr") ++leaks;
                (void)d.engine.count(d.rita, Query{});
            }
        });
    AccessPolicy policy = d.engine.access_policy();
    Directory dir = d.engine.directory();
    for (int i = 0; i < 50; ++i) {
        d.engine.set_access(d.sys, policy);
        d.engine.set_directory(d.root, dir);
        d.create(d.ivy, "it");
        d.create(d.rita, "hr");
    }
    stop = true;
    for (auto& t : readers)
        t.join();
    CHECK(leaks == 0);
    CHECK(d.engine.count(d.ivy, Query{}) == 70);
    CHECK(d.engine.count(d.rita, Query{}) == 50);
}

TEST_CASE("category and tag counts leave out what the actor may not read") {
    Departments d;
    d.engine.set_taxonomy(
        d.sys, Taxonomy::from_json(R"({"categories": [{"id": "hardware", "name": "Hardware"}]})",
                                   &d.engine.schema()));
    for (Symbol segment : {Symbol("it"), Symbol("hr"), Symbol("hr")}) {
        NewTicket in;
        in.kind = "incident";
        in.title = "Laptop";
        in.segment = segment;
        in.category = "hardware";
        in.tags = {"laptop"};
        d.engine.create(d.sys, in);
    }
    // root administers everything below the root segment, which does not reach sealed HR.
    auto counts = d.engine.category_counts(d.root);
    REQUIRE(counts.size() == 1);
    CHECK(counts[0].total == 1);
    auto tags = d.engine.tag_counts(d.root);
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].count == 1);
    CHECK(d.engine.category_counts(d.sys)[0].total == 3);
    // an agent without metrics.read gets nothing at all
    error_of([&] { d.engine.category_counts(d.ivy); }, Errc::permission_denied);
    error_of([&] { d.engine.tag_counts(d.hank); }, Errc::permission_denied);
}

TEST_CASE("workflow calls on a ticket the actor may not read answer as for an absent one") {
    Departments d;
    d.engine.set_workflows(d.sys, Workflows::itil());
    Ticket hr = d.create(d.sys, "hr", "Personal matter");
    auto absent = [&](const std::function<void()>& op) {
        auto before = d.events(hr.id);
        std::string message = error_of(op, Errc::not_found);
        CHECK(message == "ticket: no ticket " + std::to_string(hr.id));
        CHECK(d.events(hr.id) == before);
    };
    absent([&] { d.engine.available_transitions(d.ivy, hr.id); });
    absent([&] { d.engine.transition(d.ivy, hr.id, "cancel"); });
    absent([&] { d.engine.approve(d.ivy, hr.id); });
    absent([&] { d.engine.reject(d.ivy, hr.id); });
    absent([&] { d.engine.delegate(d.ivy, hr.id, "hank"); });
    // the HR agent sees it and may act on it
    CHECK_FALSE(d.engine.available_transitions(d.hank, hr.id).empty());
}

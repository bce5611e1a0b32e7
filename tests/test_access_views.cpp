// Access control, part two: ticket views trimmed per field group (get, get_by_key, queries,
// history, the results of changes), grant category conditions read from the taxonomy's
// tree, and open_only decided by the workflows' state classes, in decisions and queries alike.
#include <algorithm>

#include "helpers.hpp"
#include "itsm/access.hpp"
#include "itsm/taxonomy.hpp"
#include "itsm/workflow.hpp"

using namespace itsm;
using itsm_test::error_of;

namespace {

TicketPatch titled(std::string title) {
    TicketPatch p;
    p.title = std::move(title);
    return p;
}

// The parts of two views that trimming can change, compared.
bool same_view(const Ticket& a, const Ticket& b) {
    return a.id == b.id && a.version == b.version && a.title == b.title && a.custom == b.custom &&
           a.approvals == b.approvals && a.watchers == b.watchers &&
           a.resolution_code == b.resolution_code && a.resolution_notes == b.resolution_notes &&
           a.hold_reason == b.hold_reason && a.close_code == b.close_code && a.links == b.links;
}

Schema with_cost_center() {
    Schema s = Schema::itil();
    s.add_custom_field({"cost_center", FieldType::text, {}, {"incident"}});
    return s;
}

// One IT segment. ivy is an agent; rita requests, wes watches, abe has an approval pending;
// nora holds a role with ticket.read alone, kim one with ticket.read and ticket.read.custom.
struct Views {
    std::shared_ptr<InMemoryStore> store = std::make_shared<InMemoryStore>();
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(itsm_test::t0());
    Engine engine{store, clock, with_cost_center()};
    Actor sys = Actor::system();
    Actor ivy{"ivy"}, rita{"rita"}, wes{"wes"}, abe{"abe"}, nora{"nora"}, kim{"kim"};

    Views() {
        Directory dir;
        for (const char* u : {"ivy", "rita", "wes", "abe", "nora", "kim"})
            dir.add_user({u, u, true});
        engine.set_directory(sys, dir);
    }
    // Sets the policy; called after full() so that the engine's relationship index, built
    // from the store when the first policy is set, knows of abe's approval.
    void secure() {
        engine.set_access(sys, AccessPolicy::from_json(R"({
            "segments": [{"id": "it"}, {"id": "hr", "sealed": true}],
            "roles": [{"preset": "service_desk_agent"}, {"preset": "requester"},
                      {"id": "reader", "permissions": ["ticket.read"]},
                      {"id": "costs", "permissions": ["ticket.read", "ticket.read.custom"]}],
            "grants": [{"user": "ivy", "role": "service_desk_agent", "segment": "it"},
                       {"user": "rita", "role": "requester", "segment": "it"},
                       {"user": "nora", "role": "reader", "segment": "it"},
                       {"user": "kim", "role": "costs", "segment": "it"}]})"));
    }

    // A ticket with every protected group filled: a custom field, a watcher, a pending
    // approval and resolution fields (written as a workflow would, straight to the store).
    Ticket full(Symbol segment = "it", Symbol kind = "incident") {
        NewTicket in;
        in.kind = kind;
        in.title = "VPN drops";
        in.segment = segment;
        in.requester = "rita";
        in.watchers = {"wes"};
        if (kind == "incident") in.custom = {{"cost_center", std::string("CC-42")}};
        Ticket t = engine.create(sys, in);
        auto next = std::make_shared<Ticket>(t);
        next->approvals.push_back({0, "abe", ApprovalDecision::pending, {}, {}, {}});
        next->resolution_code = "workaround";
        next->resolution_notes = "Reconnect with the new profile";
        next->hold_reason = "awaiting_vendor";
        next->version = t.version + 1;
        Commit c;
        c.tickets.push_back({next, t.version});
        store->commit(c);
        return engine.get(sys, t.id);
    }
};

bool has_custom(const Ticket& t) {
    return !t.custom.empty();
}
bool has_resolution(const Ticket& t) {
    return !t.resolution_code.empty() && !t.resolution_notes.empty() && !t.hold_reason.empty();
}

}  // namespace

TEST_CASE("access views: each reader sees the field groups their rights give") {
    Views d;
    Ticket t = d.full();
    d.secure();
    REQUIRE(has_custom(t));
    REQUIRE(has_resolution(t));
    REQUIRE(t.approvals.size() == 1);
    REQUIRE(t.watchers.size() == 1);

    struct Case {
        Actor* actor;
        bool custom, approvals, resolution, watchers;
    };
    for (auto c :
         {Case{&d.ivy, true, true, true, true}, Case{&d.rita, false, true, true, true},
          Case{&d.wes, false, false, true, false}, Case{&d.abe, true, true, false, false},
          Case{&d.nora, false, false, false, false}, Case{&d.kim, true, false, false, false}}) {
        INFO("actor ", c.actor->user.view());
        for (const Ticket& v : {d.engine.get(*c.actor, t.id), d.engine.get_by_key(*c.actor, t.key),
                                *d.engine.get_shared(*c.actor, t.id)}) {
            CHECK(v.title == t.title);  // the core fields are always there
            CHECK(v.requester == t.requester);
            CHECK(has_custom(v) == c.custom);
            CHECK(!v.approvals.empty() == c.approvals);
            CHECK(has_resolution(v) == c.resolution);
            CHECK(v.resolution_code.empty() == !c.resolution);
            CHECK(!v.watchers.empty() == c.watchers);
        }
        // a query shows the same view as get
        Page page = d.engine.query(*c.actor, Query{});
        REQUIRE(page.tickets.size() == 1);
        CHECK(same_view(*page.tickets.front(), d.engine.get(*c.actor, t.id)));
    }
    // nothing was trimmed in the store: the system and a full reader get the stored ticket
    CHECK(d.engine.get_shared(d.sys, t.id) == d.store->get(t.id));
    CHECK(d.engine.get_shared(d.ivy, t.id) == d.store->get(t.id));
    CHECK(same_view(d.engine.get(d.sys, t.id), t));
}

TEST_CASE("access views: a page trims per ticket kind when a full reader's grant names kinds") {
    Views d;
    Ticket inc = d.full("it", "incident");
    Ticket chg = d.full("it", "change");
    d.engine.set_access(d.sys, AccessPolicy::from_json(R"({
        "segments": [{"id": "it"}],
        "roles": [{"preset": "service_desk_agent"},
                  {"id": "reader", "permissions": ["ticket.read"]}],
        "grants": [{"user": "kim", "role": "service_desk_agent", "segment": "it",
                    "kinds": ["incident"]},
                   {"user": "kim", "role": "reader", "segment": "it"}]})"));
    Page page = d.engine.query(d.kim, Query{});
    REQUIRE(page.tickets.size() == 2);
    for (const auto& v : page.tickets) {
        INFO("kind ", v->kind.view());
        CHECK(same_view(*v, d.engine.get(d.kim, v->id)));
        bool incident = v->id == inc.id;
        // the agent's grant holds on the incident only: the change is read as a plain reader
        CHECK(has_resolution(*v) == incident);
        CHECK(!v->watchers.empty() == incident);
        CHECK(!v->approvals.empty() == incident);
    }
    CHECK(has_resolution(chg));  // stored whole
}

TEST_CASE("access views: one page reads a group's queue whole and trims a member's own request") {
    Views d;
    Directory dir = d.engine.directory();
    dir.add_user({"gus", "gus", true});
    dir.add_group({"desk", "", {}, {"gus", "nora"}});
    d.engine.set_directory(d.sys, dir);
    Ticket queue = d.full();  // in the desk's queue
    TicketPatch to_desk;
    to_desk.assignment_group = Symbol("desk");
    d.engine.update(d.sys, queue.id, to_desk);
    Ticket own = d.full();  // gus asked for it; nobody works it yet
    TicketPatch by_gus;
    by_gus.requester = Symbol("gus");
    d.engine.update(d.sys, own.id, by_gus);
    Ticket other = d.full();  // neither: nora reads it through her grant alone
    d.secure();

    // gus has no grant: he reads the queue as a group member (every group) and his own
    // request as its requester (no custom fields), on the same page.
    Page page = d.engine.query(Actor{"gus"}, Query{});
    REQUIRE(page.tickets.size() == 2);
    for (const auto& v : page.tickets) {
        INFO("ticket ", v->id);
        CHECK(same_view(*v, d.engine.get(Actor{"gus"}, v->id)));
        CHECK(has_custom(*v) == (v->id == queue.id));
        CHECK(has_resolution(*v));
    }
    // nora reads the segment with ticket.read alone, and the queue as a group member.
    page = d.engine.query(d.nora, Query{});
    REQUIRE(page.tickets.size() == 3);
    for (const auto& v : page.tickets) {
        INFO("ticket ", v->id);
        CHECK(same_view(*v, d.engine.get(d.nora, v->id)));
        bool mine = v->id == queue.id;
        CHECK(has_custom(*v) == mine);
        CHECK(has_resolution(*v) == mine);
        CHECK(!v->watchers.empty() == mine);
        CHECK(!v->approvals.empty() == mine);
    }
    CHECK(other.id != queue.id);
}

TEST_CASE("access views: the result of a change shows only what the actor may read") {
    Views d;
    Ticket t = d.full();
    d.secure();
    // rita comments; kim (ticket.read + custom only) cannot update, and is refused unchanged
    Ticket after = d.engine.update(d.ivy, t.id, titled(std::string("VPN down")));
    CHECK(has_custom(after));
    error_of([&] { d.engine.update(d.kim, t.id, titled(std::string("x"))); },
             Errc::permission_denied);
    CHECK(d.engine.get(d.sys, t.id).title == "VPN down");
    // the requester creates a ticket with a custom field; the result omits it, the store has it
    NewTicket in;
    in.kind = "incident";
    in.title = "Printer";
    in.segment = "it";
    in.custom = {{"cost_center", std::string("CC-7")}};
    Ticket mine = d.engine.create(d.rita, in);
    CHECK_FALSE(has_custom(mine));
    CHECK(has_custom(d.engine.get(d.sys, mine.id)));
}

TEST_CASE("access views: history hides the changes of groups the actor may not read") {
    Views d;
    Ticket t = d.full();
    d.secure();
    TicketPatch p;
    p.add_watchers = {"kim"};
    p.custom = {{"cost_center", std::string("CC-43")}};
    d.engine.update(d.ivy, t.id, p);
    d.engine.update(d.ivy, t.id, titled(std::string("VPN drops daily")));
    auto fields = [&](const Actor& a) {
        std::vector<std::string> out;
        for (const auto& e : d.engine.history(a, t.id))
            if (e.type == EventType::field_changed) out.push_back(e.field.str());
        return out;
    };
    auto all = fields(d.ivy);
    CHECK(std::count(all.begin(), all.end(), "custom.cost_center") == 1);
    CHECK(std::count(all.begin(), all.end(), "watchers") == 1);
    // nora may read the history through a role, but not the custom fields or watchers
    d.engine.set_access(d.sys, AccessPolicy::from_json(R"({
        "segments": [{"id": "it"}, {"id": "hr", "sealed": true}],
        "roles": [{"id": "historian", "permissions": ["ticket.read", "history.read"]}],
        "grants": [{"user": "nora", "role": "historian", "segment": "it"}]})"));
    auto seen = fields(d.nora);
    CHECK(std::count(seen.begin(), seen.end(), "custom.cost_center") == 0);
    CHECK(std::count(seen.begin(), seen.end(), "watchers") == 0);
    CHECK(std::count(seen.begin(), seen.end(), "title") == 1);
}

TEST_CASE("access views: links to tickets the reader cannot see are left out") {
    Views d;
    Ticket it = d.full("it");
    Ticket hr = d.full("hr");
    Ticket other = d.full("it");
    d.secure();
    d.engine.link(d.sys, it.id, LinkType::related, hr.id);
    d.engine.link(d.sys, it.id, LinkType::related, other.id);
    REQUIRE(d.engine.get(d.sys, it.id).links.size() == 2);
    Ticket seen = d.engine.get(d.ivy, it.id);
    REQUIRE(seen.links.size() == 1);
    CHECK(seen.links.front().other == other.id);
    for (const auto& e : d.engine.history(d.ivy, it.id))
        if (e.link) CHECK(e.link->other != hr.id);
    // the HR ticket itself stays absent for ivy
    error_of([&] { d.engine.get(d.ivy, hr.id); }, Errc::not_found);
}

TEST_CASE("access views: the read groups are permissions of the vocabulary") {
    for (const char* ok : {"ticket.read.custom", "ticket.read.approvals", "ticket.read.resolution",
                           "ticket.read.watchers"})
        CHECK(is_valid_permission(ok));
    for (const char* bad : {"ticket.read.", "ticket.read.title", "ticket.read.*"})
        CHECK_FALSE(is_valid_permission(bad));
    CHECK(read_group_of_field("custom.cost") == ReadGroup::custom);
    CHECK(read_group_of_field("close_code") == ReadGroup::resolution);
    CHECK(read_group_of_field("approval.approver") == ReadGroup::approvals);
    CHECK_FALSE(read_group_of_field("title"));
    auto msg = error_of(
        [] {
            AccessPolicy::from_json(
                R"({"roles": [{"id": "r", "permissions": ["ticket.read.secrets"]}]})");
        },
        Errc::invalid_config);
    CHECK(msg.find("roles[0].permissions[0]") != std::string::npos);
}

// ---- Category conditions from the taxonomy ---------------------------------------------

namespace {

struct Categories {
    std::shared_ptr<InMemoryStore> store = std::make_shared<InMemoryStore>();
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(itsm_test::t0());
    Engine engine{store, clock};
    Actor sys = Actor::system();
    Actor hal{"hal"};  // a technician for hardware only

    Categories() {
        Directory dir;
        dir.add_user({"hal", "Hal", true});
        engine.set_directory(sys, dir);
        engine.set_access(sys, AccessPolicy::from_json(R"({
            "segments": [{"id": "it"}],
            "roles": [{"preset": "technician"}],
            "grants": [{"user": "hal", "role": "technician", "segment": "it",
                        "categories": ["hardware"]}]})"));
    }
    Ticket filed(Symbol category) {
        NewTicket in;
        in.kind = "incident";
        in.title = "case";
        in.segment = "it";
        in.category = category;
        return engine.create(sys, in);
    }
    bool sees(const Ticket& t) {
        bool by_get = true;
        try {
            engine.get(hal, t.id);
        } catch (const Error& e) {
            CHECK(e.code() == Errc::not_found);
            by_get = false;
        }
        Query q;
        q.limit = 1000;
        auto page = engine.query(hal, q);
        bool by_query = std::any_of(page.tickets.begin(), page.tickets.end(),
                                    [&](const TicketPtr& p) { return p->id == t.id; });
        CHECK(by_get == by_query);  // decide() and the compiled visibility agree
        return by_get;
    }
};

}  // namespace

TEST_CASE("access: without a taxonomy a category condition follows dotted ids") {
    Categories d;
    Ticket printer = d.filed("hardware.printer");
    Ticket laptop = d.filed("laptop");
    Ticket other = d.filed("hardwarex");
    CHECK(d.sees(printer));
    CHECK_FALSE(d.sees(laptop));
    CHECK_FALSE(d.sees(other));
}

namespace {

CategoryDef category(Symbol id, Symbol parent = {}) {
    CategoryDef c;
    c.id = id;
    c.name = id.str();
    c.parent = parent;
    return c;
}

}  // namespace

TEST_CASE("access: a category condition covers the subtree of the taxonomy, and follows moves") {
    Categories d;
    Taxonomy tax;
    tax.add(category("hardware"))
        .add(category("laptop", "hardware"))
        .add(category("battery", "laptop"))
        .add(category("software"))
        .add(category("hardware.fake", "software"));
    d.engine.set_taxonomy(d.sys, tax);
    Ticket battery = d.filed("battery");
    Ticket hw = d.filed("hardware");
    Ticket fake = d.filed("hardware.fake");
    Ticket sw = d.filed("software");
    CHECK(d.sees(battery));
    CHECK(d.sees(hw));
    CHECK_FALSE(d.sees(fake));  // the tree decides, not the id's dots
    CHECK_FALSE(d.sees(sw));
    CHECK(d.engine.count(d.hal, Query{}) == 2);

    d.engine.move_category(d.sys, "laptop", "software");
    CHECK_FALSE(d.sees(battery));
    CHECK(d.engine.count(d.hal, Query{}) == 1);
    d.engine.move_category(d.sys, "laptop", "hardware");
    CHECK(d.sees(battery));
    // a new tree replaces the old one: the subtree is computed again
    Taxonomy flat;
    for (const char* c : {"hardware", "laptop", "battery", "software", "hardware.fake"})
        flat.add(category(c));
    d.engine.set_taxonomy(d.sys, flat);
    CHECK_FALSE(d.sees(battery));
    CHECK(d.sees(hw));
    CHECK(d.engine.count(d.hal, Query{}) == 1);
    auto x = d.engine.explain_for(d.sys, "hal", battery.id, "ticket.read");
    CHECK_FALSE(x.decision.allowed);
}

// ---- open_only by state class ----------------------------------------------------------

TEST_CASE("access: open_only follows the workflow's state classes, not the stamps") {
    auto store = std::make_shared<InMemoryStore>();
    auto clock = std::make_shared<ManualClock>(itsm_test::t0());
    Engine engine{store, clock};
    Actor sys = Actor::system(), olga{"olga"};
    Directory dir;
    dir.add_user({"olga", "Olga", true});
    engine.set_directory(sys, dir);
    engine.set_access(sys, AccessPolicy::from_json(R"({
        "segments": [{"id": "it"}],
        "roles": [{"preset": "technician"}],
        "grants": [{"user": "olga", "role": "technician", "segment": "it",
                    "open_only": true}]})"));
    auto make = [&](std::string title) {
        NewTicket in;
        in.kind = "incident";
        in.title = std::move(title);
        in.segment = "it";
        return engine.create(sys, in);
    };
    Ticket a = make("stays open"), b = make("gets cancelled");
    // no workflows yet: the stamps decide, and neither ticket has one
    CHECK(engine.count(olga, Query{}) == 2);
    engine.set_workflows(sys, Workflows::from_json(R"({"workflows": {"w": {
        "kind": "incident",
        "states": [{"id": "new", "class": "new"}, {"id": "dropped", "class": "canceled"}],
        "initial": ["new"],
        "transitions": [{"id": "drop", "from": ["new"], "to": "dropped"}]}}})"));
    engine.transition(sys, b.id, "drop");
    Ticket dropped = engine.get(sys, b.id);
    REQUIRE_FALSE(dropped.resolved);  // no stamp: only the state class says it is over
    REQUIRE_FALSE(dropped.closed);
    CHECK(engine.count(olga, Query{}) == 1);
    CHECK(engine.query(olga, Query{}).tickets.front()->id == a.id);
    engine.get(olga, a.id);
    error_of([&] { engine.get(olga, b.id); }, Errc::not_found);
    // a ticket in a state the workflow does not define falls back on the stamps, as is_open
    auto odd = std::make_shared<Ticket>(engine.get(sys, a.id));
    odd->state = "limbo";
    odd->closed = clock->now();
    odd->version += 1;
    Commit c;
    c.tickets.push_back({odd, odd->version - 1});
    store->commit(c);
    CHECK(engine.count(olga, Query{}) == 0);
    // without workflows again the stamps decide
    engine.set_workflows(sys, Workflows{});
    CHECK(engine.count(olga, Query{}) == 1);
    engine.get(olga, b.id);
}

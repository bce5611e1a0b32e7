// Workflows: validation of the configuration, the incident and problem lifecycles of the ITIL
// preset, refusals, available transitions, triggers, timed transitions and restarts.
#include "itsm/workflow.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "itsm/json.hpp"
#include "workflow_helpers.hpp"

using namespace itsm;
using itsm_test::error_of;
using itsm_test::in;
using itsm_test::ItilDesk;
using itsm_test::text;

namespace {

// A small valid workflow; tests break one piece of it at a time.
const char* small = R"({"workflows": {"w": {
    "kind": "incident",
    "states": [{"id": "new", "class": "new"}, {"id": "open", "class": "active"},
               {"id": "done", "class": "closed"}],
    "initial": ["new"],
    "transitions": [
        {"id": "open", "from": ["new"], "to": "open", "guards": [{"required": ["assignee"]}]},
        {"id": "finish", "from": "any", "to": "done"}
    ]}}})";

std::string broken(std::string_view from, std::string_view to) {
    std::string doc = small;
    auto p = doc.find(from);
    REQUIRE_MESSAGE(p != std::string::npos, from);
    doc.replace(p, from.size(), to);
    return doc;
}

std::string refusal(const std::string& doc) {
    return error_of([&] { Workflows::from_json(doc); }, Errc::invalid_config);
}

}  // namespace

TEST_CASE("workflows: the ITIL preset loads, covers every kind and model, and fits the schema") {
    Workflows w = Workflows::itil();
    CHECK(w.for_kind("incident", {})->id == "incident");
    CHECK(w.for_kind("problem", {})->id == "problem");
    CHECK(w.for_kind("change", {})->id == "change_normal");  // the default model
    CHECK(w.for_kind("change", "standard")->id == "change_standard");
    CHECK(w.for_kind("change", "emergency")->id == "change_emergency");
    CHECK(w.for_kind("service_request", {})->id == "request");
    CHECK(w.for_kind("service_request", "item")->id == "requested_item");
    CHECK(w.for_kind("task", {})->id == "task");
    CHECK(w.for_kind("change", "bogus") == nullptr);
    w.check(Schema::itil());
    // a schema without the preset's fields is refused, naming the first place that uses one
    Schema bare = Schema::from_json(R"({"base": "none", "kinds": [
        {"id": "incident", "prefix": "INC"}, {"id": "problem", "prefix": "PRB"},
        {"id": "change", "prefix": "CHG"}, {"id": "service_request", "prefix": "REQ"},
        {"id": "task", "prefix": "TASK"}]})");
    auto msg = error_of([&] { w.check(bare); }, Errc::invalid_config);
    CHECK(msg.find("unknown field \"custom.") != std::string::npos);
    // the timer of the incident preset is five days
    CHECK(*w.find("incident")->transition("close")->after == std::chrono::hours(24 * 5));
}

TEST_CASE("workflows: a broken document is refused whole, naming the JSON path") {
    CHECK_NOTHROW(Workflows::from_json(small));
    struct Case {
        std::string doc;
        std::string message;
    };
    const Case cases[] = {
        {broken(R"("to": "open")", R"("to": "opne")"),
         "workflows.w.transitions[0].to: unknown state \"opne\""},
        {broken(R"("from": ["new"])", R"("from": ["nwe"])"),
         "workflows.w.transitions[0].from[0]: unknown state \"nwe\""},
        {broken(R"({"id": "finish", "from": "any", "to": "done"})",
                R"({"id": "open", "from": "any", "to": "done"})"),
         "workflows.w.transitions[1].id: duplicate transition id \"open\""},
        {broken(R"({"id": "open", "class": "active"})", R"({"id": "new", "class": "active"})"),
         "workflows.w.states[1].id: duplicate state id \"new\""},
        {broken(R"({"id": "done", "class": "closed"})",
                R"({"id": "done", "class": "closed"}, {"id": "limbo", "class": "active"})"),
         "workflows.w.states[3]: state \"limbo\" cannot be reached from an initial state"},
        {broken(R"({"id": "finish", "from": "any", "to": "done"})",
                R"({"id": "finish", "from": ["new"], "to": "done"})"),
         "workflows.w.states[1]: state \"open\" has no path to a closed or canceled state"},
        {broken(R"({"required": ["assignee"]})", R"({"field": "colour", "equals": "red"})"),
         "workflows.w.transitions[0].guards[0].field: unknown field \"colour\""},
        {broken(R"({"required": ["assignee"]})", R"({"required": ["assigne"]})"),
         "workflows.w.transitions[0].guards[0].required[0]: unknown field \"assigne\""},
        {broken(R"("class": "closed")", R"("class": "finished")"),
         "workflows.w.states[2].class: unknown class \"finished\""},
        {broken(R"("initial": ["new"])", R"("initial": ["old"])"),
         "workflows.w.initial[0]: unknown state \"old\""},
        {broken(R"("initial": ["new"])", R"("initial": [])"),
         "workflows.w.initial: needs at least one state"},
        {broken(R"("kind": "incident",)", R"("kind": "incident", "colour": 1,)"),
         "workflows.w.colour: unknown member"},
        {broken(R"("to": "done"})", R"("to": "done", "after": "soon"})"),
         "workflows.w.transitions[1].after: \"soon\" is not a duration"},
        {broken(R"("to": "done"})", R"("to": "done", "actions": [{"stamp": "title"}]})"),
         "workflows.w.transitions[1].actions[0]: cannot stamp \"title\""},
        {broken(R"("to": "done"})",
                R"("to": "done", "actions": [{"set": "priority", "value": 1}]})"),
         "workflows.w.transitions[1].actions[0].set: field \"priority\" cannot be set"},
        {broken(R"("to": "done"})", R"("to": "done", "inputs": [{"field": "kind"}]})"),
         "workflows.w.transitions[1].inputs[0].field: field \"kind\" cannot be set"},
        {broken(R"("to": "done"})", R"("to": "done", "actions": [{"explode": true}]})"),
         "workflows.w.transitions[1].actions[0]: expected one of"},
        {broken(R"({"id": "open", "class": "active"})",
                R"({"id": "open", "class": "active", "approval": {"steps": [
                    {"approvers": {"users": ["a", "b"]}, "rule": "n_of_m", "n": 3}]}})"),
         "workflows.w.states[1].approval.steps[0].n: needs 3 approvals of 2 approvers: it can "
         "never pass"},
        {broken(R"({"id": "open", "class": "active"})",
                R"({"id": "open", "class": "active", "approval": {"steps": [
                    {"approvers": {"users": []}}]}})"),
         "workflows.w.states[1].approval.steps[0].approvers.users: lists no user"},
        {broken(R"({"id": "open", "class": "active"})",
                R"({"id": "open", "class": "active", "approval": {"steps": [
                    {"approvers": {"manager_of": "assignment_group"}, "rule": "n_of_m", "n": 2}]}})"),
         "workflows.w.states[1].approval.steps[0].n: needs 2 approvals of 1 approver"},
        {broken(R"({"id": "open", "class": "active"})",
                R"({"id": "open", "class": "active", "approval": {"steps": [
                    {"approvers": {"group": "cab"}, "rule": "n_of_m", "n": 0}]}})"),
         "workflows.w.states[1].approval.steps[0].n: 0 approvals: must be 1 or more"},
        {broken(R"({"id": "open", "class": "active"})",
                R"({"id": "open", "class": "active", "approval": {"steps": [
                    {"approvers": {"group": "cab"}}], "on_rejected": "nope"}})"),
         "workflows.w.states[1].approval.on_rejected: unknown transition \"nope\""},
        {broken(R"({"id": "new", "class": "new"})",
                R"({"id": "new", "class": "new", "approval": {"steps": [
                    {"approvers": {"group": "cab"}}]}})"),
         "workflows.w.initial[0]: an initial state cannot have approval steps"},
        {broken(R"("initial": ["new"],)",
                R"("initial": ["new"], "on_requester_update": [{"transition": "reopen"}],)"),
         "workflows.w.on_requester_update[0].transition: unknown transition \"reopen\""},
        {broken(R"("initial": ["new"],)",
                R"("initial": ["new"], "rollup": {"otherwise": "nope"},)"),
         "workflows.w.rollup.otherwise: unknown transition \"nope\""},
        {R"({"workflows": {"w": {"states": []}}})", "workflows.w.states: needs at least one state"},
        {R"({"workflows": []})", "workflows: expected an object"},
        {R"({"flows": {}})", "flows: unknown member"},
        {R"({"workflows": {"w": )", "(document): not valid JSON"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.doc);
        auto msg = refusal(c.doc);
        CHECK_MESSAGE(msg.rfind(c.message, 0) == 0, msg);
    }
    // two workflows for the same kind and model
    std::string twice = small;
    twice.replace(twice.find(R"("w": {)"), 6, R"("v": {"kind": "incident", "states": [{"id": "a",
        "class": "closed"}], "initial": ["a"]}, "w": {)");
    CHECK(refusal(twice).rfind("workflows.w.model: workflow \"v\" already covers", 0) == 0);
}

TEST_CASE("workflows: the C++ builder validates like the JSON reader") {
    Workflow wf;
    wf.id = "simple";
    wf.kind = "incident";
    wf.states = {{"new", "New", StateClass::new_, {}}, {"done", "Done", StateClass::closed, {}}};
    wf.initial = {"new"};
    Transition finish;
    finish.id = "finish";
    finish.from = {"new"};
    finish.to = "done";
    wf.transitions = {finish};
    Workflows w;
    w.add(wf);
    CHECK(w.find("simple") != nullptr);
    Workflow bad = wf;
    bad.id = "bad";
    bad.model = "other";
    bad.transitions[0].to = "dnoe";
    CHECK(error_of([&] { w.add(bad); }, Errc::invalid_config) ==
          "workflows.bad.transitions[0].to: unknown state \"dnoe\"");
    CHECK(w.all().size() == 1);
    // guards on custom fields are checked against the engine's schema
    Workflow custom = wf;
    custom.id = "custom";
    custom.model = "custom";
    Guard g;
    g.fields = {"custom.colour"};
    custom.transitions[0].guards = {g};
    w.add(custom);
    itsm_test::Desk d;
    auto msg = error_of([&] { d.engine.set_workflows(d.alice, w); }, Errc::invalid_config);
    CHECK(msg ==
          "workflows.custom.transitions[0].guards[0].required[0]: unknown field "
          "\"custom.colour\"");
    CHECK(d.engine.workflows() == nullptr);
}

TEST_CASE("workflows: without workflows tickets stay in their initial state") {
    itsm_test::Desk d;
    Ticket t = d.incident();
    CHECK(t.state == "new");
    CHECK(d.engine.available_transitions(d.alice, t.id).empty());
    auto msg = itsm_test::refused_unchanged(
        d, t.id, [&] { d.engine.transition(d.alice, t.id, "start"); }, Errc::invalid_transition);
    CHECK(msg.find("has no workflow") != std::string::npos);
    NewTicket in;
    in.kind = "incident";
    in.title = "x";
    in.state = "in_progress";
    error_of([&] { d.engine.create(d.alice, in); }, Errc::validation_failed);
    CHECK(d.engine.advance(itsm_test::t0() + std::chrono::hours(24 * 365)) == 0);
}

TEST_CASE("incident: new -> in progress <-> on hold -> resolved -> closed, with every refusal") {
    ItilDesk d;
    Ticket t = d.create("incident");
    CHECK(t.state == "new");
    CHECK(t.model.empty());
    CHECK(t.state_entered == itsm_test::t0());

    // what bob may do now, and why start is not possible
    auto options = d.engine.available_transitions(d.bob, t.id);
    CHECK(options.size() == 4);  // start, hold, resolve, cancel
    const auto* start = d.option(options, "start");
    REQUIRE(start);
    CHECK_FALSE(start->available);
    CHECK(start->rule == "workflows.incident.transitions[0].guards[0]");
    CHECK(start->reason == "assignee is required");
    CHECK(d.option(options, "resolve")->available);
    CHECK(d.option(options, "resolve")->inputs.size() == 2);
    CHECK_FALSE(d.option(options, "reopen"));

    // refusals: a failed guard, the wrong state, an unknown transition, a stale version
    CHECK(d.refused(t.id, "start", Errc::invalid_transition) ==
          "workflows.incident.transitions[0].guards[0]: assignee is required");
    CHECK(d.refused(t.id, "reopen", Errc::invalid_transition) ==
          "state: transition \"reopen\" does not leave state \"new\"");
    d.refused(t.id, "fly", Errc::not_found);
    TransitionInput stale;
    stale.expected_version = 99;
    itsm_test::refused_unchanged(
        d, t.id, [&] { d.engine.transition(d.bob, t.id, "cancel", stale); }, Errc::conflict);

    d.assign(t.id, "bob");
    t = d.go(t.id, "start");
    CHECK(t.state == "in_progress");
    auto h = d.engine.history(d.alice, t.id);
    CHECK(h.back().type == EventType::state_changed);
    CHECK(h.back().field == "state");
    CHECK(std::get<std::string>(h.back().old_value) == "new");
    CHECK(std::get<std::string>(h.back().new_value) == "in_progress");
    CHECK(h.back().text == "start");
    CHECK(h.back().actor == "bob");

    // on hold needs a reason from the list
    CHECK(d.refused(t.id, "hold", Errc::validation_failed) ==
          "hold_reason: required by transition \"hold\"");
    CHECK(d.refused(t.id, "hold", Errc::validation_failed, {in("hold_reason", text("lunch"))})
              .rfind("hold_reason: \"lunch\" is not one of awaiting_caller", 0) == 0);
    CHECK(d.refused(t.id, "hold", Errc::validation_failed, {in("close_code", text("x"))}) ==
          "close_code: not an input of transition \"hold\" (inputs: hold_reason)");
    t = d.go(t.id, "hold", {in("hold_reason", text("awaiting_vendor"))});
    CHECK(t.state == "on_hold");
    CHECK(t.hold_reason == "awaiting_vendor");
    // a comment from the caller does not resume a ticket that waits for a vendor
    d.engine.comment(d.alice, t.id, "any news?");
    CHECK(d.get(t.id).state == "on_hold");
    t = d.go(t.id, "resume");
    CHECK(t.state == "in_progress");
    CHECK(t.hold_reason.empty());

    // awaiting the caller: the caller's reply returns it to in progress, others' do not
    t = d.go(t.id, "hold", {in("hold_reason", text("awaiting_caller"))});
    d.engine.comment(d.bob, t.id, "please send a screenshot");
    CHECK(d.get(t.id).state == "on_hold");
    Comment c = d.engine.comment(d.alice, t.id, "here it is");
    t = d.get(t.id);
    CHECK(t.state == "in_progress");
    CHECK(t.hold_reason.empty());
    h = d.engine.history(d.alice, t.id);
    // the comment, then the state change and the cleared reason, in one commit
    REQUIRE(h.size() >= 3);
    CHECK(h[h.size() - 3].seq == c.seq);
    CHECK(h[h.size() - 2].type == EventType::state_changed);
    CHECK(h[h.size() - 2].text == "resume");
    CHECK(h.back().field == "hold_reason");
    // the same through an update by the caller
    d.go(t.id, "hold", {in("hold_reason", text("awaiting_caller"))});
    TicketPatch p;
    p.description = "more details";
    t = d.engine.update(d.alice, t.id, p);
    CHECK(t.state == "in_progress");
    CHECK(d.get(t.id).version == t.version);

    // resolved needs a resolution code and notes
    CHECK(d.refused(t.id, "resolve", Errc::validation_failed,
                    {in("resolution_code", text("solved_permanently"))}) ==
          "resolution_notes: required by transition \"resolve\"");
    TransitionInput resolve;
    resolve.fields = {in("resolution_code", text("solved_permanently")),
                      in("resolution_notes", text("Replaced the fuser"))};
    resolve.comment = "Fixed, please confirm";
    d.clock->advance(std::chrono::hours(1));
    t = d.engine.transition(d.bob, t.id, "resolve", resolve);
    CHECK(t.state == "resolved");
    CHECK(t.resolution_code == "solved_permanently");
    CHECK(t.resolution_notes == "Replaced the fuser");
    CHECK(t.resolved == d.clock->now());
    CHECK(d.engine.comments(d.alice, t.id).back().text == "Fixed, please confirm");

    // reopen counts, clears the resolution, and the timer starts again on the next resolve
    t = d.go(t.id, "reopen");
    CHECK(t.state == "in_progress");
    CHECK(t.reopen_count == 1);
    CHECK_FALSE(t.resolved);
    CHECK(t.resolution_code.empty());
    t = d.engine.transition(d.bob, t.id, "resolve", resolve);
    Instant resolved_at = *t.resolved;

    // closed automatically five days after the resolution, exactly once
    CHECK(d.engine.advance(resolved_at + std::chrono::hours(24 * 5) - std::chrono::seconds(1)) ==
          0);
    CHECK(d.get(t.id).state == "resolved");
    Instant due = resolved_at + std::chrono::hours(24 * 5);
    CHECK(d.engine.advance(due) == 1);
    t = d.get(t.id);
    CHECK(t.state == "closed");
    CHECK(t.closed == due);
    CHECK(d.engine.history(d.alice, t.id).back().actor == "system");
    CHECK(d.engine.advance(due + std::chrono::hours(48)) == 0);
    // the caller may close a resolved incident by hand too
    Ticket other = d.create("incident");
    d.engine.transition(d.bob, other.id, "resolve", resolve);
    CHECK(d.go(other.id, "close").state == "closed");
}

TEST_CASE("incident: cancel from each open state, and the closed states are final") {
    ItilDesk d;
    for (Symbol from : {"new", "in_progress", "on_hold"}) {
        CAPTURE(from.view());
        Ticket t = d.create("incident");
        d.assign(t.id, "bob");
        if (from != "new") d.go(t.id, "start");
        if (from == "on_hold") d.go(t.id, "hold", {in("hold_reason", text("awaiting_change"))});
        t = d.go(t.id, "cancel");
        CHECK(t.state == "canceled");
        CHECK(t.closed);
        CHECK(t.hold_reason.empty());
        CHECK(d.engine.available_transitions(d.bob, t.id).empty());
        d.refused(t.id, "start", Errc::invalid_transition);
    }
    // resolving straight from new and from on hold
    for (bool hold : {false, true}) {
        Ticket t = d.create("incident");
        if (hold) d.go(t.id, "hold", {in("hold_reason", text("awaiting_problem"))});
        t = d.go(t.id, "resolve",
                 {in("resolution_code", text("not_reproducible")),
                  in("resolution_notes", text("cannot reproduce"))});
        CHECK(t.state == "resolved");
        CHECK(t.hold_reason.empty());
        d.refused(t.id, "cancel", Errc::invalid_transition);
    }
}

TEST_CASE("incident: resolving a parent resolves its open children; observers see each event") {
    ItilDesk d;
    std::vector<Event> seen;
    d.engine.subscribe([&](const Event& e) { seen.push_back(e); });
    Ticket parent = d.create("incident");
    Ticket child = d.create("incident");
    Ticket closed_child = d.create("incident");
    d.engine.link(d.alice, child.id, LinkType::child_of, parent.id);
    d.engine.link(d.alice, closed_child.id, LinkType::child_of, parent.id);
    d.go(closed_child.id, "cancel");
    seen.clear();
    d.go(parent.id, "resolve",
         {in("resolution_code", text("solved_remotely")),
          in("resolution_notes", text("Restarted the switch"))});
    Ticket c = d.get(child.id);
    CHECK(c.state == "resolved");
    CHECK(c.resolution_code == "resolved_by_parent");
    CHECK(c.resolution_notes == "Restarted the switch");
    CHECK(d.get(closed_child.id).state == "canceled");
    std::size_t changes = 0;
    for (const auto& e : seen)
        changes += e.type == EventType::state_changed;
    CHECK(changes == 2);
    for (std::size_t i = 1; i < seen.size(); ++i)
        CHECK(seen[i].seq > seen[i - 1].seq);
}

TEST_CASE("timed transitions run once, also on a fresh engine over the same store (a restart)") {
    ItilDesk d;
    Ticket t = d.create("incident");
    d.go(t.id, "resolve",
         {in("resolution_code", text("solved_workaround")),
          in("resolution_notes", text("Use the other printer"))});
    Ticket reopened = d.create("incident");
    d.go(reopened.id, "resolve",
         {in("resolution_code", text("solved_workaround")),
          in("resolution_notes", text("Use the other printer"))});
    d.clock->advance(std::chrono::hours(24));
    d.go(reopened.id, "reopen");  // reopened: its timer no longer applies
    Instant later = d.clock->now() + std::chrono::hours(24 * 10);
    {
        Engine restarted(d.store, d.clock);  // the host configures it again, as the system
        restarted.set_workflows(Actor::system(), Workflows::itil());
        CHECK(restarted.advance(later) == 1);
        CHECK(restarted.advance(later) == 0);
    }
    CHECK(d.get(t.id).state == "closed");
    CHECK(d.get(reopened.id).state == "in_progress");
    CHECK(d.engine.advance(later) == 0);
    CHECK(d.count_events(t.id, EventType::state_changed) == 2);
}

TEST_CASE(
    "problem: new -> assess -> root cause analysis -> fix in progress -> resolved -> closed") {
    ItilDesk d;
    Ticket p = d.create("problem");
    Ticket incident = d.create("incident");
    Ticket resolved_incident = d.create("incident");
    d.engine.link(d.alice, incident.id, LinkType::caused_by, p.id);
    d.engine.link(d.alice, resolved_incident.id, LinkType::caused_by, p.id);
    d.assign(incident.id, "bob");
    d.go(incident.id, "start");
    d.go(resolved_incident.id, "resolve",
         {in("resolution_code", text("solved_workaround")),
          in("resolution_notes", text("Workaround"))});

    CHECK(d.refused(p.id, "assess", Errc::invalid_transition) ==
          "workflows.problem.transitions[0].guards[0]: assignee is required");
    d.assign(p.id, "bob");
    CHECK(d.go(p.id, "assess").state == "assess");
    CHECK(d.go(p.id, "analyze").state == "root_cause_analysis");
    CHECK(d.refused(p.id, "start_fix", Errc::invalid_transition) ==
          "workflows.problem.transitions[2].guards[0]: custom.root_cause is required");
    d.set(p.id, "root_cause", text("Firmware bug in the print server"));
    d.refused(p.id, "start_fix", Errc::validation_failed, {in("custom.known_error", text("yes"))});
    p = d.go(p.id, "start_fix",
             {in("custom.known_error", true), in("custom.workaround", text("Restart nightly"))});
    CHECK(p.state == "fix_in_progress");
    CHECK(std::get<bool>(*p.custom_value("known_error")));
    CHECK(std::get<std::string>(*p.custom_value("workaround")) == "Restart nightly");

    // resolving the problem resolves the incidents it causes that are still open
    d.refused(p.id, "resolve", Errc::validation_failed);
    p = d.go(p.id, "resolve", {in("resolution_notes", text("Firmware 2.1 installed"))});
    CHECK(p.state == "resolved");
    CHECK(p.resolution_code == "fix_applied");
    CHECK(p.resolved);
    Ticket i = d.get(incident.id);
    CHECK(i.state == "resolved");
    CHECK(i.resolution_code == "resolved_by_problem");
    CHECK(i.resolution_notes == "Firmware 2.1 installed");
    CHECK(d.get(resolved_incident.id).resolution_code == "solved_workaround");

    p = d.go(p.id, "reopen");
    CHECK(p.state == "root_cause_analysis");
    CHECK(p.reopen_count == 1);
    d.go(p.id, "start_fix");
    d.go(p.id, "resolve", {in("resolution_notes", text("Firmware 2.2"))});
    p = d.go(p.id, "close");
    CHECK(p.state == "closed");
    CHECK(p.closed);
}

TEST_CASE("problem: exits for accepted risk, duplicate and cancel") {
    ItilDesk d;
    for (Symbol from : {"assess", "root_cause_analysis", "fix_in_progress"}) {
        CAPTURE(from.view());
        Ticket p = d.create("problem");
        d.assign(p.id, "bob");
        d.set(p.id, "root_cause", text("Known"));
        d.go(p.id, "assess");
        if (from != "assess") d.go(p.id, "analyze");
        if (from == "fix_in_progress") d.go(p.id, "start_fix");
        d.refused(p.id, "accept_risk", Errc::validation_failed);
        p = d.go(p.id, "accept_risk", {in("resolution_notes", text("Too costly to fix"))});
        CHECK(p.state == "resolved");
        CHECK(p.resolution_code == "risk_accepted");
        CHECK(d.go(p.id, "close").state == "closed");
    }
    Ticket original = d.create("problem");
    for (Symbol from : {"new", "assess", "root_cause_analysis"}) {
        CAPTURE(from.view());
        Ticket dup = d.create("problem");
        d.assign(dup.id, "bob");
        if (from != "new") d.go(dup.id, "assess");
        if (from == "root_cause_analysis") d.go(dup.id, "analyze");
        CHECK(d.refused(dup.id, "mark_duplicate", Errc::invalid_transition)
                  .find("no ticket is linked as duplicate_of") != std::string::npos);
        d.engine.link(d.alice, dup.id, LinkType::duplicate_of, original.id);
        dup = d.go(dup.id, "mark_duplicate");
        CHECK(dup.state == "closed");
        CHECK(dup.resolution_code == "duplicate");
        CHECK(dup.closed);
    }
    for (Symbol from : {"new", "assess", "root_cause_analysis", "fix_in_progress"}) {
        CAPTURE(from.view());
        Ticket p = d.create("problem");
        d.assign(p.id, "bob");
        d.set(p.id, "root_cause", text("Known"));
        if (from != "new") d.go(p.id, "assess");
        if (from == "root_cause_analysis" || from == "fix_in_progress") d.go(p.id, "analyze");
        if (from == "fix_in_progress") d.go(p.id, "start_fix");
        p = d.go(p.id, "cancel");
        CHECK(p.state == "canceled");
        CHECK(p.resolution_code == "canceled");
    }
    Ticket resolved = d.create("problem");
    d.assign(resolved.id, "bob");
    d.go(resolved.id, "assess");
    d.go(resolved.id, "accept_risk", {in("resolution_notes", text("ok"))});
    d.refused(resolved.id, "cancel", Errc::invalid_transition);
}

TEST_CASE("ticket JSON carries the workflow fields and the approvals") {
    ItilDesk d;
    Ticket t = d.create("incident");
    d.go(t.id, "hold", {in("hold_reason", text("awaiting_vendor"))});
    std::string j = to_json(d.get(t.id));
    CHECK(j.find(R"("hold_reason":"awaiting_vendor")") != std::string::npos);
    CHECK(j.find(R"("state":"on_hold")") != std::string::npos);
    CHECK(j.find(R"("state_entered":"2026-03-02T09:00:00Z")") != std::string::npos);
    CHECK(j.find(R"("approvals":[])") != std::string::npos);
    CHECK(j.find(R"("model":null)") != std::string::npos);
    auto h = d.engine.history(d.alice, t.id);
    CHECK(to_json(h.back()).find(R"("type":"state_changed")") != std::string::npos);
    CHECK(event_type_from_string("workflow_event") == EventType::workflow_event);
    CHECK(to_string(EventType::approval) == "approval");
}

TEST_CASE("advance from several threads runs each due transition once") {
    ItilDesk d;
    std::vector<TicketId> ids;
    for (int i = 0; i < 60; ++i) {
        Ticket t = d.create("incident");
        d.go(t.id, "resolve",
             {in("resolution_code", text("solved_remotely")),
              in("resolution_notes", text("Restarted"))});
        ids.push_back(t.id);
    }
    Instant due = d.clock->now() + std::chrono::hours(24 * 6);
    std::atomic<std::size_t> ran{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&] { ran += d.engine.advance(due); });
    for (auto& th : threads)
        th.join();
    CHECK(ran == ids.size());
    for (auto id : ids) {
        CHECK(d.get(id).state == "closed");
        CHECK(d.count_events(id, EventType::state_changed) == 2);
    }
}

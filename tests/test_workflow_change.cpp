// Change lifecycles of the ITIL preset (normal, standard, emergency) and approvals: risk,
// CAB N of M, the group manager, rejection, delegation, sending back, and the refusals.
#include <doctest/doctest.h>

#include "itsm/workflow.hpp"
#include "workflow_helpers.hpp"

using namespace itsm;
using itsm_test::in;
using itsm_test::ItilDesk;
using itsm_test::text;

namespace {

void add_plans(ItilDesk& d, TicketId id) {
    d.set(id, "implementation_plan", text("Upgrade the core switch"));
    d.set(id, "backout_plan", text("Restore the saved configuration"));
    d.set(id, "test_plan", text("Ping every floor"));
    d.set(id, "planned_start", parse_instant("2026-03-07T22:00:00Z"));
    d.set(id, "planned_end", parse_instant("2026-03-08T02:00:00Z"));
}

std::vector<Symbol> pending(const Ticket& t) {
    std::vector<Symbol> out;
    for (const auto& a : t.approvals)
        if (a.decision == ApprovalDecision::pending) out.push_back(a.approver);
    return out;
}

// A normal change in Authorize, with the given impact (1: high risk, 3: low risk).
Ticket authorizing(ItilDesk& d, int impact, Symbol group = "network") {
    Ticket c = d.create("change", {}, impact);
    d.assign(c.id, "bob", group);
    d.go(c.id, "assess");
    return d.go(c.id, "request_approval");
}

// Implements, closes the tasks, reviews and closes a scheduled change.
Ticket finish(ItilDesk& d, TicketId id, const char* close_code) {
    Ticket c = d.go(id, "implement");
    CHECK(c.state == "implement");
    auto tasks = d.children(id);
    REQUIRE_FALSE(tasks.empty());
    CHECK(d.refused(id, "review", Errc::invalid_transition).find("is still open") !=
          std::string::npos);
    for (auto t : tasks) {
        Ticket task = d.get(t);
        CHECK(task.kind == "task");
        CHECK(task.state == "open");
        CHECK(task.parent() == id);
        d.go(t, "complete");
    }
    CHECK(d.go(id, "review").state == "review");
    d.refused(id, "cancel", Errc::invalid_transition);  // no cancel from Review
    d.refused(id, "close", Errc::validation_failed);    // a close code is required
    d.refused(id, "close", Errc::validation_failed, {in("close_code", text("great"))});
    c = d.go(id, "close", {in("close_code", text(close_code))});
    CHECK(c.state == "closed");
    CHECK(c.close_code == close_code);
    CHECK(c.closed);
    return c;
}

}  // namespace

TEST_CASE("change: the model decides the workflow; normal is the default") {
    ItilDesk d;
    CHECK(d.create("change").model == "normal");
    CHECK(d.create("change", "standard").model == "standard");
    CHECK(d.create("change", "emergency").model == "emergency");
    NewTicket bad;
    bad.kind = "change";
    bad.title = "x";
    bad.model = "urgent";
    auto total = d.store->size();
    auto msg = itsm_test::error_of([&] { d.engine.create(d.alice, bad); }, Errc::validation_failed);
    CHECK(msg.rfind("model: unknown model \"urgent\" of kind \"change\"", 0) == 0);
    bad.model = {};
    bad.state = "review";
    msg = itsm_test::error_of([&] { d.engine.create(d.alice, bad); }, Errc::validation_failed);
    CHECK(msg == "state: \"review\" is not an initial state of workflow \"change_normal\" (new)");
    CHECK(d.store->size() == total);
}

TEST_CASE("change normal: high risk goes to the CAB, 2 of 3, then the whole lifecycle") {
    ItilDesk d;
    Ticket c = d.create("change", {}, 1);
    d.refused(c.id, "request_approval", Errc::invalid_transition);  // wrong state
    CHECK(d.go(c.id, "assess").state == "assess");
    CHECK(std::get<std::string>(*d.get(c.id).custom_value("risk")) == "high");
    CHECK(d.refused(c.id, "request_approval", Errc::invalid_transition) ==
          "workflows.change_normal.transitions[1].guards[0]: assignment_group is required");
    d.assign(c.id, "bob", "network");
    c = d.go(c.id, "request_approval");
    CHECK(c.state == "authorize");
    CHECK(pending(c) == std::vector<Symbol>{"carol", "dave", "erin"});
    CHECK(d.count_events(c.id, EventType::approval) == 1);  // requested

    // cannot leave Authorize before the approvals pass
    CHECK(d.refused(c.id, "schedule", Errc::invalid_transition) ==
          "workflows.change_normal.transitions[3].guards[0]: the approvals are not complete "
          "(pending)");
    auto options = d.engine.available_transitions(d.bob, c.id);
    CHECK_FALSE(d.option(options, "schedule")->available);
    CHECK(d.option(options, "reject")->available);
    CHECK(d.option(options, "cancel")->available);

    // only a pending approver decides, once
    itsm_test::refused_unchanged(
        d, c.id, [&] { d.engine.approve(d.bob, c.id); }, Errc::permission_denied);
    c = d.engine.approve(d.carol, c.id, "Looks safe");
    CHECK(pending(c).size() == 2);
    itsm_test::refused_unchanged(
        d, c.id, [&] { d.engine.approve(d.carol, c.id); }, Errc::permission_denied);
    c = d.engine.approve(d.dave, c.id);
    CHECK(pending(c).empty());  // erin's is canceled: 2 of 3 is enough
    CHECK(c.approvals[0].comment == "Looks safe");
    CHECK(c.approvals[0].decided == d.clock->now());
    CHECK(c.approvals[2].decision == ApprovalDecision::canceled);
    CHECK(approval_status(*d.engine.workflows()->find("change_normal"), c) ==
          ApprovalStatus::approved);

    // the plans and the window are required before Scheduled
    CHECK(d.refused(c.id, "schedule", Errc::invalid_transition) ==
          "workflows.change_normal.transitions[3].guards[1]: custom.implementation_plan is "
          "required");
    add_plans(d, c.id);
    CHECK(d.go(c.id, "schedule").state == "scheduled");
    finish(d, c.id, "successful");
    auto h = d.engine.history(d.alice, c.id);
    std::size_t approvals = 0;
    for (const auto& e : h)
        approvals += e.type == EventType::approval;
    CHECK(approvals == 4);  // requested, approved, approved, canceled
}

TEST_CASE("change normal: low risk goes to the assignment group's manager") {
    ItilDesk d;
    Ticket c = authorizing(d, 3);
    CHECK(std::get<std::string>(*c.custom_value("risk")) == "low");
    CHECK(pending(c) == std::vector<Symbol>{"mona"});
    c = d.engine.approve(d.mona, c.id);
    add_plans(d, c.id);
    d.go(c.id, "schedule");
    finish(d, c.id, "successful_with_issues");
    // moderate risk (impact 2, or urgency 1) also goes to the CAB
    Ticket m = d.create("change", {}, 3, 1);
    d.assign(m.id, "bob", "network");
    d.go(m.id, "assess");
    CHECK(std::get<std::string>(*d.get(m.id).custom_value("risk")) == "moderate");
    CHECK(pending(d.go(m.id, "request_approval")).size() == 3);
}

TEST_CASE("change: a rejection returns the change to New and cancels the other approvals") {
    ItilDesk d;
    Ticket c = authorizing(d, 1);
    d.engine.approve(d.carol, c.id);
    c = d.engine.reject(d.dave, c.id, "No backout tested");
    CHECK(c.state == "new");
    CHECK(pending(c).empty());
    CHECK(c.approvals[1].decision == ApprovalDecision::rejected);
    CHECK(c.approvals[1].comment == "No backout tested");
    CHECK(c.approvals[2].decision == ApprovalDecision::canceled);
    itsm_test::refused_unchanged(
        d, c.id, [&] { d.engine.approve(d.erin, c.id); }, Errc::invalid_transition);
    // a second round starts afresh
    d.go(c.id, "assess");
    c = d.go(c.id, "request_approval");
    CHECK(pending(c).size() == 3);
    CHECK(c.approvals.size() == 3);
}

TEST_CASE("change: sending back to New by hand cancels the pending approvals") {
    ItilDesk d;
    Ticket c = authorizing(d, 1);
    d.engine.approve(d.carol, c.id);
    c = d.go(c.id, "reject");
    CHECK(c.state == "new");
    CHECK(pending(c).empty());
    CHECK(c.approvals[0].decision == ApprovalDecision::approved);
    CHECK(c.approvals[1].decision == ApprovalDecision::canceled);
    auto h = d.engine.history(d.alice, c.id);
    CHECK(std::get<std::string>(h.back().new_value) == "canceled");
    CHECK(h.back().text == "dave, erin");
}

TEST_CASE("change: delegation is recorded and the delegate decides") {
    ItilDesk d;
    Ticket c = authorizing(d, 3);
    itsm_test::refused_unchanged(
        d, c.id, [&] { d.engine.delegate(d.bob, c.id, "frank"); }, Errc::permission_denied);
    itsm_test::refused_unchanged(
        d, c.id, [&] { d.engine.delegate(d.mona, c.id, "mona"); }, Errc::conflict);
    c = d.engine.delegate(d.mona, c.id, "frank", "On leave this week");
    CHECK(pending(c) == std::vector<Symbol>{"frank"});
    CHECK(c.approvals[0].delegated_from == "mona");
    auto h = d.engine.history(d.alice, c.id);
    CHECK(h.back().type == EventType::approval);
    CHECK(h.back().field == "approval.approver");
    CHECK(h.back().text == "On leave this week");
    // mona read the change only as its pending approver: after delegating she cannot see it
    itsm_test::refused_unchanged(
        d, c.id, [&] { d.engine.approve(d.mona, c.id); }, Errc::not_found);
    c = d.engine.approve(d.frank, c.id);
    CHECK(approval_status(*d.engine.workflows()->find("change_normal"), c) ==
          ApprovalStatus::approved);
}

TEST_CASE("change: an approval step without enough approvers refuses to start") {
    ItilDesk d;
    Ticket c = d.create("change", {}, 1);
    d.assign(c.id, "bob", "network");
    d.go(c.id, "assess");
    // the CAB shrinks to one member: 2 of 1 can never pass
    Directory small = itsm_test::itil_directory();
    Directory shrunk;
    for (const auto& u : small.users())
        shrunk.add_user(u);
    shrunk.add_group({"cab", "CAB", {}, {"carol"}});
    shrunk.add_group({"network", "Network", {}, {"bob"}});
    d.engine.set_directory(d.alice, shrunk);
    CHECK(d.refused(c.id, "request_approval", Errc::invalid_transition) ==
          "workflows.change_normal.states[2].approval.steps[0].n: needs 2 approvals but has "
          "only 1 approvers");
    // low risk, but the group has no manager
    Ticket low = d.create("change");
    d.assign(low.id, "bob", "network");
    d.go(low.id, "assess");
    CHECK(d.refused(low.id, "request_approval", Errc::invalid_transition)
              .rfind("workflows.change_normal.states[2].approval.steps[1].approvers: the "
                     "approval step has no approver",
                     0) == 0);
}

TEST_CASE("change: cancel from every state before Review") {
    ItilDesk d;
    const char* path[] = {"new", "assess", "authorize", "scheduled", "implement"};
    for (int stop = 0; stop < 5; ++stop) {
        CAPTURE(path[stop]);
        Ticket c = d.create("change");
        d.assign(c.id, "bob", "network");
        add_plans(d, c.id);
        if (stop >= 1) d.go(c.id, "assess");
        if (stop >= 2) d.go(c.id, "request_approval");
        if (stop >= 3) {
            d.engine.approve(d.mona, c.id);
            d.go(c.id, "schedule");
        }
        if (stop >= 4) d.go(c.id, "implement");
        CHECK(d.get(c.id).state == path[stop]);
        c = d.go(c.id, "cancel");
        CHECK(c.state == "canceled");
        CHECK(c.closed);
        CHECK(pending(c).empty());
    }
}

TEST_CASE("change standard: pre-approved, skips Assess and Authorize") {
    ItilDesk d;
    Ticket c = d.create("change", "standard");
    CHECK(d.refused(c.id, "assess", Errc::not_found).find("no transition \"assess\"") !=
          std::string::npos);
    CHECK(d.refused(c.id, "schedule", Errc::invalid_transition) ==
          "workflows.change_standard.transitions[0].guards[0]: custom.implementation_plan is "
          "required");
    add_plans(d, c.id);
    c = d.go(c.id, "schedule");
    CHECK(c.state == "scheduled");
    CHECK(c.approvals.empty());
    CHECK(std::get<std::string>(*c.custom_value("risk")) == "low");
    finish(d, c.id, "unsuccessful");
    for (int stop = 0; stop < 3; ++stop) {
        Ticket x = d.create("change", "standard");
        add_plans(d, x.id);
        if (stop >= 1) d.go(x.id, "schedule");
        if (stop >= 2) d.go(x.id, "implement");
        CHECK(d.go(x.id, "cancel").state == "canceled");
    }
}

TEST_CASE("change emergency: skips Assess, still authorized; rejection returns it to New") {
    ItilDesk d;
    Ticket c = d.create("change", "emergency", 1);
    d.refused(c.id, "request_approval", Errc::invalid_transition);  // no assignment group
    d.assign(c.id, "bob", "network");
    c = d.go(c.id, "request_approval");
    CHECK(c.state == "authorize");
    CHECK(std::get<std::string>(*c.custom_value("risk")) == "high");
    d.engine.approve(d.carol, c.id);
    c = d.engine.approve(d.erin, c.id);
    add_plans(d, c.id);
    d.go(c.id, "schedule");
    finish(d, c.id, "successful");

    Ticket r = d.create("change", "emergency", 3);
    d.assign(r.id, "bob", "network");
    d.go(r.id, "request_approval");
    r = d.engine.reject(d.mona, r.id);
    CHECK(r.state == "new");
    for (int stop = 0; stop < 4; ++stop) {
        Ticket x = d.create("change", "emergency");
        d.assign(x.id, "bob", "network");
        add_plans(d, x.id);
        if (stop >= 1) d.go(x.id, "request_approval");
        if (stop >= 2) {
            d.engine.approve(d.mona, x.id);
            d.go(x.id, "schedule");
        }
        if (stop >= 3) d.go(x.id, "implement");
        CHECK(d.go(x.id, "cancel").state == "canceled");
    }
}

TEST_CASE("approvals: all, any, N of M, steps in sequence, and rejection that does not reject") {
    const char* doc = R"({"workflows": {"w": {
        "kind": "change",
        "states": [{"id": "new", "class": "new"},
                   {"id": "review", "class": "pending", "approval": {
                       "steps": [
                         {"id": "peers", "approvers": {"users": ["carol", "dave", "erin"]},
                          "rule": "n_of_m", "n": 2, "rejection_rejects": false},
                         {"id": "owners", "approvers": {"users": ["frank", "mona"]},
                          "rule": "all"}],
                       "on_approved": "approve", "on_rejected": "decline"}},
                   {"id": "approved", "class": "closed"}, {"id": "declined", "class": "canceled"}],
        "initial": ["new"],
        "transitions": [
            {"id": "submit", "from": ["new"], "to": "review"},
            {"id": "approve", "from": ["review"], "to": "approved",
             "guards": [{"approvals": "complete"}], "actions": [{"emit": "change_approved"}]},
            {"id": "decline", "from": ["review"], "to": "declined"}]}}})";
    ItilDesk d;
    d.engine.set_workflows(d.alice, Workflows::from_json(doc));
    std::vector<std::string> emitted;
    d.engine.subscribe([&](const Event& e) {
        if (e.type == EventType::workflow_event) emitted.push_back(e.text);
    });
    Ticket t = d.create("change");
    t = d.go(t.id, "submit");
    CHECK(pending(t).size() == 3);
    // one rejection does not reject this step: 2 of the other 2 can still pass
    t = d.engine.reject(d.carol, t.id);
    CHECK(t.state == "review");
    t = d.engine.approve(d.dave, t.id);
    CHECK(t.state == "review");
    t = d.engine.approve(d.erin, t.id);
    // the second step starts: all of frank and mona
    CHECK(pending(t) == std::vector<Symbol>{"frank", "mona"});
    t = d.engine.approve(d.frank, t.id);
    CHECK(t.state == "review");
    t = d.engine.approve(d.mona, t.id);
    CHECK(t.state == "approved");
    CHECK(emitted == std::vector<std::string>{"change_approved"});

    // two rejections of three: 2 of 3 can no longer pass
    Ticket u = d.create("change");
    d.go(u.id, "submit");
    d.engine.reject(d.carol, u.id);
    u = d.engine.reject(d.dave, u.id);
    CHECK(u.state == "declined");
    CHECK(pending(u).empty());
}

TEST_CASE("approvals: role approvers come from access control; none refuses the transition") {
    const char* doc = R"({"workflows": {"w": {
        "kind": "change",
        "states": [{"id": "new", "class": "new"},
                   {"id": "review", "class": "pending", "approval": {
                       "steps": [{"approvers": {"role": "change_manager"}}]}},
                   {"id": "done", "class": "closed"}],
        "initial": ["new"],
        "transitions": [{"id": "submit", "from": ["new"], "to": "review"},
                        {"id": "finish", "from": "any", "to": "done"}]}}})";
    ItilDesk d;
    d.engine.set_workflows(d.alice, Workflows::from_json(doc));
    Ticket t = d.create("change");
    // nobody holds the role on the ticket's segment (no grants are configured)
    CHECK(d.refused(t.id, "submit", Errc::invalid_transition)
              .rfind("workflows.w.states[1].approval.steps[0].approvers: the approval step has "
                     "no approver",
                     0) == 0);
    CHECK(d.go(t.id, "finish").state == "done");

    // once frank holds change_manager on the ticket's segment, he is the step's approver
    auto policy = d.engine.access_policy();
    policy.add_preset_role("change_manager")
        .add_grant({"frank", {}, "change_manager", d.engine.schema().default_segment(), true, {}});
    d.engine.set_access(d.alice, policy);
    Ticket u = d.create("change");
    u = d.go(u.id, "submit");
    CHECK(pending(u) == std::vector<Symbol>{"frank"});
    CHECK(d.engine.approve(d.frank, u.id).approvals[0].decision == ApprovalDecision::approved);
}

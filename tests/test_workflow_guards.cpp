// Each kind of guard, its message when it refuses, negation; inputs given as JSON.
#include <doctest/doctest.h>

#include "itsm/workflow.hpp"
#include "workflow_helpers.hpp"

using namespace itsm;
using itsm_test::error_of;
using itsm_test::in;
using itsm_test::ItilDesk;
using itsm_test::text;

namespace {

// One transition per guard, all from "new" to "done".
const char* guards_doc = R"({"workflows": {"g": {
    "kind": "problem",
    "states": [{"id": "new", "class": "new"}, {"id": "done", "class": "closed"}],
    "initial": ["new"],
    "transitions": [
        {"id": "required", "from": ["new"], "to": "done",
         "guards": [{"required": ["title", "category"]}]},
        {"id": "equals", "from": ["new"], "to": "done",
         "guards": [{"field": "impact", "equals": 1}]},
        {"id": "in", "from": ["new"], "to": "done",
         "guards": [{"field": "channel", "in": ["phone", "chat"]}]},
        {"id": "lt", "from": ["new"], "to": "done", "guards": [{"field": "priority", "lt": 3}]},
        {"id": "ge", "from": ["new"], "to": "done",
         "guards": [{"field": "created", "ge": "2027-01-01T00:00:00Z"}]},
        {"id": "not_set", "from": ["new"], "to": "done",
         "guards": [{"not": {"required": ["assignee"]}}]},
        {"id": "linked_in", "from": ["new"], "to": "done",
         "guards": [{"linked": "causes", "in": ["resolved", "closed"]}]},
        {"id": "text", "from": ["new"], "to": "done",
         "guards": [{"field": "custom.workaround", "gt": "m"}]}
    ]}}})";

}  // namespace

TEST_CASE("guards: each kind holds or refuses with a message naming what is missing") {
    ItilDesk d;
    Workflows w;
    // "created" is not a field guards read: refused, naming the guard
    CHECK(error_of([&] { w = Workflows::from_json(guards_doc); }, Errc::invalid_config) ==
          "workflows.g.transitions[4].guards[0].field: unknown field \"created\"");
    std::string doc = guards_doc;
    doc.replace(doc.find("\"created\""), 9, "\"resolved\"");
    Workflows both = Workflows::from_json(doc);
    both.add(*Workflows::itil().find("incident"));
    d.engine.set_workflows(d.alice, both);
    Ticket p = d.create("problem");
    auto reason = [&](const char* id) {
        for (const auto& o : d.engine.available_transitions(d.alice, p.id))
            if (o.id == id) return o.available ? std::string("available") : o.reason;
        return std::string("missing");
    };
    CHECK(reason("required") == "category is required");
    CHECK(reason("equals") == "impact is 3, not 1");
    CHECK(reason("in") == "channel is \"portal\", not one of \"phone\", \"chat\"");
    CHECK(reason("lt") == "priority is 5, not < 3");
    CHECK(reason("ge") == "resolved is (none), not >= \"2027-01-01T00:00:00Z\"");
    CHECK(reason("not_set") == "available");
    CHECK(reason("linked_in") == "no ticket linked as causes is in resolved, closed");
    CHECK(reason("text") == "custom.workaround is (none), not > \"m\"");

    d.assign(p.id, "bob");
    CHECK(reason("not_set") == "assignee must not be set");
    TicketPatch patch;
    patch.category = Symbol("network");
    patch.impact = 1;
    patch.urgency = 1;
    patch.channel = Channel::chat;
    patch.custom = {{"workaround", std::string("restart")}};
    d.engine.update(d.alice, p.id, patch);
    CHECK(reason("required") == "available");
    CHECK(reason("equals") == "available");
    CHECK(reason("in") == "available");
    CHECK(reason("lt") == "available");
    CHECK(reason("text") == "available");
    Ticket incident = d.create("incident");
    d.engine.link(d.alice, incident.id, LinkType::caused_by, p.id);
    CHECK(reason("linked_in") == "no ticket linked as causes is in resolved, closed");
    d.go(incident.id, "resolve",
         {in("resolution_code", text("solved_workaround")), in("resolution_notes", text("ok"))});
    CHECK(reason("linked_in") == "available");
    CHECK(d.go(p.id, "linked_in").state == "done");
}

TEST_CASE("transition inputs from JSON are typed by the schema and refused with their path") {
    Schema s = Schema::itil();
    TransitionInput in = transition_input_from_json(
        R"({"fields": {"resolution_code": "fix_applied", "custom.known_error": true,
            "custom.planned_start": "2026-03-07T22:00:00+01:00", "hold_reason": null},
            "comment": "done", "work_note": true, "version": 4})",
        s);
    REQUIRE(in.fields.size() == 4);
    CHECK(in.comment == "done");
    CHECK(in.work_note);
    CHECK(in.expected_version == 4u);
    for (const auto& [name, value] : in.fields) {
        if (name == "custom.known_error") CHECK(std::get<bool>(value));
        if (name == "custom.planned_start")
            CHECK(std::get<Instant>(value) == parse_instant("2026-03-07T21:00:00Z"));
        if (name == "hold_reason") CHECK(std::holds_alternative<std::monostate>(value));
    }
    CHECK(error_of([&] { transition_input_from_json(R"({"fields": {"x": 1}})", s); },
                   Errc::invalid_argument) == "fields.x: expected a string or null");
    CHECK(error_of([&] { transition_input_from_json(R"({"colour": 1})", s); },
                   Errc::invalid_argument) == "colour: unknown member");
    CHECK(error_of([&] { transition_input_from_json(R"({"version": 0})", s); },
                   Errc::invalid_argument) == "version: must be 1 or more");
    CHECK(error_of(
              [&] { transition_input_from_json(R"({"fields": {"custom.known_error": 1}})", s); },
              Errc::validation_failed) == "custom.known_error: expected a value of type boolean");
}

TEST_CASE("transitions: a comment goes with the transition; bad comments are refused first") {
    ItilDesk d;
    Ticket t = d.create("incident");
    TransitionInput note;
    note.comment = "Escalated to the vendor";
    note.work_note = true;
    note.fields = {in("hold_reason", text("awaiting_vendor"))};
    d.engine.transition(d.bob, t.id, "hold", note);
    auto comments = d.engine.comments(d.alice, t.id);
    REQUIRE(comments.size() == 1);
    CHECK(comments[0].visibility == CommentVisibility::work_note);
    TransitionInput blank;
    blank.comment = "   ";
    itsm_test::refused_unchanged(
        d, t.id, [&] { d.engine.transition(d.bob, t.id, "resume", blank); },
        Errc::validation_failed);
    itsm_test::refused_unchanged(
        d, t.id, [&] { d.engine.transition(Actor{""}, t.id, "resume"); }, Errc::invalid_argument);
}

"""Workflows through the binding: loading them, transitions with inputs, what is available,
approvals (approve, reject, delegate), and timed transitions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict

import pytest

import itsm
from conftest import START, refused_unchanged

PLANS: Dict[str, Any] = {
    "implementation_plan": "Apply the patch",
    "backout_plan": "Restore the snapshot",
    "test_plan": "Log in through the VPN",
    "planned_start": START + timedelta(days=2),
    "planned_end": START + timedelta(days=2, hours=1),
}

#: A change reviewed by two listed users, both of whom must approve.
REVIEW: Dict[str, Any] = {
    "workflows": {
        "review": {
            "kind": "change",
            "states": [
                {"id": "new", "class": "new"},
                {
                    "id": "review",
                    "class": "pending",
                    "approval": {
                        "steps": [{"approvers": {"users": ["carol", "dave"]}, "rule": "all"}],
                        "on_approved": "accept",
                        "on_rejected": "refuse",
                    },
                },
                {"id": "accepted", "class": "closed"},
                {"id": "refused", "class": "canceled"},
            ],
            "initial": ["new"],
            "transitions": [
                {"id": "submit", "from": ["new"], "to": "review"},
                {"id": "accept", "from": ["review"], "to": "accepted"},
                {"id": "refuse", "from": ["review"], "to": "refused"},
            ],
        }
    }
}


@pytest.fixture
def itil(desk: itsm.Engine) -> itsm.Engine:
    desk.load_itil_workflows("admin")
    return desk


def test_loading_workflows_needs_manage_workflows(desk: itsm.Engine) -> None:
    t = desk.create("alice", "incident", "Before workflows")
    refused_unchanged(desk, itsm.InvalidTransition, lambda: desk.transition("alice", t.id, "start"))
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.load_itil_workflows("alice"), "manage.workflows")
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.set_workflows("alice", REVIEW), "manage.workflows")
    assert desk.available_transitions("alice", t.id) == []
    desk.load_itil_workflows(desk.system)
    assert [a.id for a in desk.available_transitions("alice", t.id)] == ["start", "hold", "resolve", "cancel"]


def test_a_bad_workflow_document_is_refused_with_its_path(itil: itsm.Engine) -> None:
    bad = {
        "workflows": {
            "w": {
                "kind": "incident",
                "states": [{"id": "new", "class": "new"}],
                "initial": ["new"],
                "transitions": [{"id": "x", "from": ["new"], "to": "implemnt"}],
            }
        }
    }
    e = refused_unchanged(itil, itsm.InvalidConfig, lambda: itil.set_workflows("admin", bad), "workflows.w.transitions[0].to")
    assert 'unknown state "implemnt"' in e.message
    refused_unchanged(itil, itsm.InvalidConfig, lambda: itil.set_workflows("admin", "{"))
    # The preset is still in force.
    t = itil.create("alice", "incident", "x")
    assert itil.available_transitions("alice", t.id)[0].id == "start"


def test_available_transitions_are_typed_and_say_why_not(itil: itsm.Engine) -> None:
    t = itil.create("alice", "incident", "Mail is down", requester="frank")
    listed = {a.id: a for a in itil.available_transitions("alice", t.id)}
    start = listed["start"]
    assert isinstance(start, itsm.AvailableTransition)
    assert (start.available, start.to, start.label) == (False, "in_progress", "Start work")
    assert start.rule == "workflows.incident.transitions[0].guards[0]" and start.reason == "assignee is required"
    hold = listed["hold"]
    assert hold.available and hold.rule is None and hold.reason is None
    assert hold.inputs[0] == itsm.TransitionInput(field="hold_reason", required=True, choices=hold.inputs[0].choices)
    assert "awaiting_caller" in hold.inputs[0].choices
    # frank (the requester) reads the ticket but may not start it.
    frank = {a.id: a for a in itil.available_transitions("frank", t.id)}
    assert not frank["hold"].available and frank["hold"].rule == "permission"


def test_available_transitions_refusals(itil: itsm.Engine) -> None:
    refused_unchanged(itil, itsm.NotFound, lambda: itil.available_transitions("alice", 42))
    refused_unchanged(itil, itsm.InvalidArgument, lambda: itil.available_transitions("alice", "1"), "ticket_id")  # type: ignore[arg-type]


def test_transition_with_inputs_and_a_comment(itil: itsm.Engine) -> None:
    t = itil.create("alice", "incident", "Mail is down", assignee="bob", requester="frank")
    t = itil.transition("bob", t.id, "start", version=t.version)
    assert t.state == "in_progress" and t.state_entered == START
    itil.advance_clock(timedelta(hours=1))
    t = itil.transition(
        "bob",
        t.id,
        "resolve",
        fields={"resolution_code": "solved_remotely", "resolution_notes": "Restarted the relay"},
        comment="Mail flows again",
    )
    assert (t.state, t.resolution_code, t.resolution_notes) == ("resolved", "solved_remotely", "Restarted the relay")
    assert t.resolved == START + timedelta(hours=1) == t.state_entered
    assert itil.comments("frank", t.id)[-1].text == "Mail flows again"
    changes = [(e.type, e.field, e.new) for e in itil.history("bob", t.id) if e.type == "state_changed"]
    assert changes == [("state_changed", "state", "in_progress"), ("state_changed", "state", "resolved")]


def test_transition_refusals(itil: itsm.Engine) -> None:
    t = itil.create("alice", "incident", "Mail is down", requester="frank")
    e = refused_unchanged(itil, itsm.InvalidTransition, lambda: itil.transition("bob", t.id, "start"), "workflows.incident.transitions[0].guards[0]")
    assert "assignee is required" in e.message
    refused_unchanged(itil, itsm.ValidationFailed, lambda: itil.transition("bob", t.id, "hold", fields={}), "hold_reason")
    refused_unchanged(itil, itsm.ValidationFailed, lambda: itil.transition("bob", t.id, "hold", fields={"hold_reason": "bored"}), "hold_reason")
    refused_unchanged(itil, itsm.InvalidTransition, lambda: itil.transition("bob", t.id, "reopen"), "state")
    refused_unchanged(itil, itsm.NotFound, lambda: itil.transition("bob", t.id, "fly"))
    refused_unchanged(itil, itsm.NotFound, lambda: itil.transition("bob", 99, "cancel"))
    refused_unchanged(itil, itsm.Conflict, lambda: itil.transition("bob", t.id, "cancel", version=7), "version")
    refused_unchanged(itil, itsm.PermissionDenied, lambda: itil.transition("frank", t.id, "cancel"), "transition.cancel")
    refused_unchanged(itil, itsm.InvalidArgument, lambda: itil.transition("bob", t.id, "cancel", fields={"x": object()}), "input")


def test_workflow_calls_on_an_invisible_ticket_are_not_found(itil: itsm.Engine) -> None:
    t = itil.create("alice", "incident", "x")
    for call in (
        lambda: itil.available_transitions("mallory", t.id),
        lambda: itil.transition("mallory", t.id, "cancel"),
        lambda: itil.approve("mallory", t.id),
        lambda: itil.reject("mallory", t.id),
        lambda: itil.delegate("mallory", t.id, "bob"),
    ):
        refused_unchanged(itil, itsm.NotFound, call)


def change(engine: itsm.Engine, impact: int = 2) -> itsm.Ticket:
    """A normal change of the agents' group with its plans, assessed and sent for approval."""
    t = engine.create("alice", "change", "Patch the VPN gateway", impact=impact, assignment_group="agents", custom=PLANS)
    engine.transition("alice", t.id, "assess")
    return engine.transition("alice", t.id, "request_approval")


def test_a_change_is_approved_by_two_of_the_cab(itil: itsm.Engine) -> None:
    t = change(itil)
    assert t.state == "authorize" and t.custom["risk"] == "moderate"
    assert t.pending_approvers == ("carol", "dave", "erin")
    assert all(isinstance(a, itsm.Approval) and a.decided is None for a in t.approvals)
    refused_unchanged(itil, itsm.InvalidTransition, lambda: itil.transition("alice", t.id, "schedule"), "workflows.change_normal")
    itil.advance_clock(timedelta(minutes=5))
    t = itil.approve("carol", t.id, "Low blast radius")
    carol = next(a for a in t.approvals if a.approver == "carol")
    assert (carol.decision, carol.comment, carol.decided) == ("approved", "Low blast radius", START + timedelta(minutes=5))
    t = itil.approve("erin", t.id)
    assert t.pending_approvers == ()  # dave's record was canceled when the step passed
    t = itil.transition("alice", t.id, "schedule")
    assert t.state == "scheduled"


def test_a_rejection_sends_the_change_back(itil: itsm.Engine) -> None:
    t = change(itil)
    t = itil.reject("dave", t.id, "Not during the freeze")
    assert t.state == "new"
    assert any(a.decision == "rejected" and a.comment == "Not during the freeze" for a in t.approvals)


def test_delegation(desk: itsm.Engine) -> None:
    desk.set_workflows("admin", REVIEW)
    t = desk.create("alice", "change", "Rotate the certificates")
    t = desk.transition("alice", t.id, "submit")
    assert t.pending_approvers == ("carol", "dave")
    t = desk.delegate("dave", t.id, "erin", "On leave")
    erin = next(a for a in t.approvals if a.approver == "erin")
    assert (erin.delegated_from, erin.decision) == ("dave", "pending")
    desk.approve("carol", t.id)
    assert desk.approve("erin", t.id).state == "accepted"


def test_approval_refusals(itil: itsm.Engine) -> None:
    t = change(itil)
    refused_unchanged(itil, itsm.PermissionDenied, lambda: itil.approve("alice", t.id), "approval.approve")
    refused_unchanged(itil, itsm.PermissionDenied, lambda: itil.reject("bob", t.id))
    refused_unchanged(itil, itsm.PermissionDenied, lambda: itil.delegate("alice", t.id, "bob"))
    refused_unchanged(itil, itsm.Conflict, lambda: itil.delegate("carol", t.id, "dave"), "to_user")
    refused_unchanged(itil, itsm.NotFound, lambda: itil.approve("carol", 99))
    refused_unchanged(itil, itsm.InvalidArgument, lambda: itil.delegate("carol", t.id, None), "to_user")  # type: ignore[arg-type]
    other = itil.create("alice", "incident", "No approval here")
    refused_unchanged(itil, itsm.InvalidTransition, lambda: itil.approve("carol", other.id))
    refused_unchanged(itil, itsm.InvalidTransition, lambda: itil.reject("carol", other.id))


def test_advance_runs_timed_transitions_once(itil: itsm.Engine) -> None:
    t = itil.create("alice", "incident", "Mail is down")
    itil.transition("bob", t.id, "resolve", fields={"resolution_code": "solved_remotely", "resolution_notes": "ok"})
    assert itil.advance(START + timedelta(days=1)) == 0
    assert itil.advance(START + timedelta(days=5)) == 1
    assert itil.advance(START + timedelta(days=6)) == 0
    closed = itil.get("alice", t.id)
    assert closed.state == "closed"
    assert itil.history("alice", t.id)[-1].actor == "system"


def test_advance_refusals(itil: itsm.Engine) -> None:
    refused_unchanged(itil, itsm.InvalidArgument, lambda: itil.advance(datetime(2026, 3, 9)), "now")
    refused_unchanged(itil, itsm.InvalidArgument, lambda: itil.advance("2026-03-09"), "now")  # type: ignore[arg-type]
    itil.close()
    with pytest.raises(itsm.InvalidArgument, match="^engine: is closed"):
        itil.advance(START)

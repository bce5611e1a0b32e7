"""Access control through the binding: the system actor, the directory and the policy,
explanations, and the refusals a user meets (deny by default, invisible means absent)."""

from __future__ import annotations

import copy

import pytest

import itsm
from conftest import DESK_ACCESS, DESK_DIRECTORY, START, refused_unchanged


def test_the_system_actor_is_a_secret_per_engine() -> None:
    with itsm.Engine.manual_clock(START) as a, itsm.Engine.manual_clock(START) as b:
        assert a.system.startswith("itsm-system:") and a.system == a.system
        assert a.system != b.system
        assert a.system not in repr(a)
        # It acts as the system on its own engine only.
        t = a.create(a.system, "incident", "Imported")
        assert a.history(a.system, t.id)[0].actor == "system"
        with pytest.raises(itsm.PermissionDenied):
            b.create(a.system, "incident", "Imported")
    with pytest.raises(itsm.InvalidArgument, match="^engine: is closed"):
        a.system


def test_every_user_is_denied_until_a_policy_is_set() -> None:
    with itsm.Engine.manual_clock(START) as e:
        refused_unchanged(e, itsm.PermissionDenied, lambda: e.create("alice", "incident", "Mail is down"), "ticket.create")
        # A user named "system" is an ordinary user.
        refused_unchanged(e, itsm.PermissionDenied, lambda: e.create("system", "incident", "x"))
        refused_unchanged(e, itsm.PermissionDenied, lambda: e.set_directory("alice", DESK_DIRECTORY), "manage.grants")
        e.set_directory(e.system, DESK_DIRECTORY)
        refused_unchanged(e, itsm.PermissionDenied, lambda: e.set_access("admin", DESK_ACCESS), "manage.grants")
        e.set_access(e.system, DESK_ACCESS)
        assert e.create("alice", "incident", "Mail is down").requester == "alice"
        # Now admin holds manage.grants and may replace the policy.
        e.set_access("admin", DESK_ACCESS)


def test_documents_are_refused_whole_with_the_json_path(desk: itsm.Engine) -> None:
    bad = copy.deepcopy(DESK_ACCESS)
    bad["grants"][0]["role"] = "agent"
    refused_unchanged(desk, itsm.InvalidConfig, lambda: desk.set_access(desk.system, bad), "grants[0].role")
    refused_unchanged(desk, itsm.InvalidConfig, lambda: desk.set_access(desk.system, '{"segments": ['), "")
    bad_dir = {"users": [{"id": "alice"}], "groups": [{"id": "g", "members": ["zoe"]}]}
    refused_unchanged(desk, itsm.InvalidConfig, lambda: desk.set_directory(desk.system, bad_dir), "groups[0].members")
    refused_unchanged(desk, itsm.InvalidArgument, lambda: desk.set_directory(desk.system, ["alice"]), "directory")  # type: ignore[arg-type]
    # The policy in force is still the old one: alice works, mallory does not.
    desk.create("alice", "incident", "Still an agent")
    with pytest.raises(itsm.PermissionDenied):
        desk.create("mallory", "incident", "x")


def test_a_user_without_a_grant_sees_nothing(desk: itsm.Engine) -> None:
    t = desk.create("alice", "incident", "VPN drops", impact=2)
    absent = refused_unchanged(desk, itsm.NotFound, lambda: desk.get("mallory", 999))
    invisible = refused_unchanged(desk, itsm.NotFound, lambda: desk.get("mallory", t.id))
    # Existence does not leak, not even through the message.
    assert invisible.message == absent.message.replace("999", str(t.id))
    refused_unchanged(desk, itsm.NotFound, lambda: desk.get_by_key("mallory", t.key))
    refused_unchanged(desk, itsm.NotFound, lambda: desk.update("mallory", t.id, title="x"))
    refused_unchanged(desk, itsm.NotFound, lambda: desk.comment("mallory", t.id, "hello"))
    refused_unchanged(desk, itsm.NotFound, lambda: desk.history("mallory", t.id))
    refused_unchanged(desk, itsm.NotFound, lambda: desk.explain("mallory", t.id, "ticket.read"))
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.create("mallory", "incident", "x"), "ticket.create")
    assert list(desk.query("mallory")) == []
    assert desk.query_page("mallory", {}).total == 0


def test_a_reader_may_be_refused_a_change(desk: itsm.Engine) -> None:
    t = desk.create("frank", "incident", "My laptop is slow")
    # frank reads his own ticket (requester) and replies, but may not edit it or add work notes.
    assert desk.get("frank", t.id).title == "My laptop is slow"
    desk.comment("frank", t.id, "It is still slow")
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.update("frank", t.id, impact=1), "ticket.update")
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.comment("frank", t.id, "x", work_note=True), "comment.work_note")
    # The CAB may read but not assign.
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.update("carol", t.id, assignee="carol"), "ticket.assign")


def test_sealed_segments_are_invisible_to_grants_above_them(desk: itsm.Engine) -> None:
    case = desk.create("hana", "incident", "Grievance", segment="hr")
    assert desk.get("hana", case.id).segment == "hr"
    # The auditor reads every segment from the root, except the sealed one.
    refused_unchanged(desk, itsm.NotFound, lambda: desk.get("auditor", case.id))
    refused_unchanged(desk, itsm.NotFound, lambda: desk.get("alice", case.id))
    # hana may not create outside HR.
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.create("hana", "incident", "x"))


def test_explain_says_why(desk: itsm.Engine) -> None:
    t = desk.create("frank", "incident", "Printer jams")
    by_grant = desk.explain("alice", t.id, "ticket.update")
    assert isinstance(by_grant, itsm.Explanation)
    assert by_grant and by_grant.allowed and not by_grant.system
    assert by_grant.grant == 0 and by_grant.relationship is None
    assert by_grant.reason.startswith("allowed: grants[0]")
    by_relation = desk.explain("frank", t.id, "ticket.read")
    assert by_relation.allowed and by_relation.relationship == "requester" and by_relation.grant is None
    denied = desk.explain("frank", t.id, "work_notes.read")
    assert not denied and denied.reason.startswith("denied:")
    assert desk.explain(desk.system, t.id, "ticket.delete").system


def test_explain_refusals(desk: itsm.Engine) -> None:
    t = desk.create("alice", "incident", "x")
    refused_unchanged(desk, itsm.InvalidArgument, lambda: desk.explain("alice", t.id, "ticket.raed"), "permission")
    refused_unchanged(desk, itsm.NotFound, lambda: desk.explain("alice", 99, "ticket.read"))
    refused_unchanged(desk, itsm.InvalidArgument, lambda: desk.explain("alice", -1, "ticket.read"), "ticket_id")

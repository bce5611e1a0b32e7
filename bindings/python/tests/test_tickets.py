"""Every ticket wrapper, its typed result, and its refusals (the right exception, nothing
changed)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

import itsm
from conftest import START, refused_unchanged


def test_create_returns_a_typed_ticket(engine: itsm.Engine) -> None:
    t = engine.create(
        "alice",
        kind="incident",
        title="VPN drops every hour",
        impact=2,
        urgency=1,
        channel="phone",
        tags={"vpn", "Remote"},
        assignment_group="network",
        description="Since Monday",
    )
    assert isinstance(t, itsm.Ticket)
    assert (t.id, t.key, t.kind, t.state, t.version) == (1, "INC0000001", "incident", "new", 1)
    assert (t.impact, t.urgency, t.priority, t.priority_overridden) == (2, 1, 2, False)
    assert t.channel == "phone" and t.description == "Since Monday"
    assert t.tags == ("remote", "vpn")
    assert t.requester == "alice" and t.assignee is None and t.assignment_group == "network"
    assert t.created == t.updated == START
    assert t.resolved is None and t.closed is None
    assert t.links == () and t.custom == {}


def test_create_json_and_get_json_return_the_ticket_as_json_text(engine: itsm.Engine) -> None:
    text = engine.create_json("alice", "incident", "Caf\u00e9 \"printer\"", impact=2, tags=["vpn"])
    assert isinstance(text, str)
    data = json.loads(text)
    assert (data["id"], data["key"], data["title"], data["tags"]) == (1, "INC0000001", "Caf\u00e9 \"printer\"", ["vpn"])
    # the same ticket as the typed calls see it, and the same text as get_json
    assert itsm.Ticket.from_json(data) == engine.get("bob", 1)
    assert engine.get_json("bob", 1) == text


def test_create_json_and_get_json_refuse_like_create_and_get(engine: itsm.Engine) -> None:
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.create_json("alice", "incident", "x", colour="red"), "colour")
    refused_unchanged(engine, itsm.PermissionDenied, lambda: engine.create_json("mallory", "incident", "x"))
    with pytest.raises(itsm.NotFound):
        engine.get_json("alice", 99)


def test_get_and_get_by_key_return_the_same_ticket(engine: itsm.Engine) -> None:
    made = engine.create("alice", kind="problem", title="Gateway leaks memory")
    assert engine.get("bob", made.id) == made
    assert engine.get_by_key("bob", "PRB0000001") == made


def test_update_changes_fields_and_clears_with_none(engine: itsm.Engine) -> None:
    t = engine.create("alice", kind="incident", title="Slow", priority=1)
    assert t.priority_overridden
    engine.advance_clock(timedelta(minutes=1))
    t2 = engine.update("bob", t.id, version=t.version, assignee="bob", priority=None, add_tags=["vip"])
    assert t2.assignee == "bob" and not t2.priority_overridden and t2.tags == ("vip",)
    assert t2.version == t.version + 1 and t2.updated == START + timedelta(minutes=1)
    t3 = engine.update("bob", t.id, assignee=None)
    assert t3.assignee is None
    # A patch that changes nothing writes nothing.
    assert engine.update("bob", t.id, title="Slow") == t3


def test_comments_and_work_notes(engine: itsm.Engine) -> None:
    t = engine.create("alice", kind="incident", title="Printer jams")
    reply = engine.comment("bob", t.id, "On my way")
    note = engine.comment("bob", t.id, "Toner is low", work_note=True)
    assert isinstance(reply, itsm.Comment)
    assert (reply.visibility, reply.work_note, reply.author, reply.at) == ("public", False, "bob", START)
    assert (note.visibility, note.work_note, note.text) == ("work_note", True, "Toner is low")
    assert engine.comments("alice", t.id) == [reply, note]
    assert engine.get("alice", t.id).version == 3


def test_link_and_unlink(engine: itsm.Engine) -> None:
    inc = engine.create("alice", kind="incident", title="VPN drops")
    prb = engine.create("bob", kind="problem", title="Gateway leaks memory")
    engine.link("bob", inc.id, "caused_by", prb.id)
    assert engine.get("bob", inc.id).links == (itsm.Link(type="caused_by", ticket=prb.id),)
    assert engine.get("bob", prb.id).links == (itsm.Link(type="causes", ticket=inc.id),)
    # Removed with the other spelling of the direction.
    engine.unlink("bob", prb.id, "causes", inc.id)
    assert engine.get("bob", inc.id).links == ()
    kinds = [e.type for e in engine.history("bob", inc.id)]
    assert kinds == ["created", "link_added", "link_removed"]


def test_history_is_typed_events(engine: itsm.Engine) -> None:
    t = engine.create("alice", kind="incident", title="Mail down")
    engine.advance_clock(timedelta(seconds=30))
    engine.update("bob", t.id, assignee="bob")
    engine.comment("bob", t.id, "Looking", work_note=True)
    other = engine.create("alice", kind="incident", title="Other")
    engine.link("bob", t.id, "related", other.id)
    events = engine.history("carol", t.id)
    assert all(isinstance(e, itsm.Event) for e in events)
    created, changed, note, linked = events
    assert (created.type, created.text, created.actor, created.at) == ("created", "INC0000001", "alice", START)
    assert (changed.type, changed.field, changed.old, changed.new) == ("field_changed", "assignee", "", "bob")
    assert changed.at == START + timedelta(seconds=30)
    assert (note.type, note.text) == ("work_note", "Looking")
    assert linked.type == "link_added" and linked.link == itsm.Link(type="related", ticket=other.id)
    assert [e.seq for e in events] == sorted(e.seq for e in events)


def test_records_keep_members_they_do_not_know() -> None:
    data = {"seq": 1, "author": "a", "at": "2026-03-02T08:00:00.000250Z", "visibility": "public", "text": "x", "mood": "calm"}
    c = itsm.Comment.from_json(data)
    assert c.extra == {"mood": "calm"}
    assert c.at == START + timedelta(microseconds=250)
    with pytest.raises(itsm.InternalError):
        itsm.Comment.from_json({"seq": 1})
    with pytest.raises(itsm.InternalError):
        itsm.Comment.from_json([1, 2])


# ---- Refusals ------------------------------------------------------------------------------


def test_create_refusals(engine: itsm.Engine) -> None:
    engine.create("alice", kind="incident", title="Existing")
    r = lambda **kw: refused_unchanged(engine, **kw)  # noqa: E731
    r(error=itsm.ValidationFailed, call=lambda: engine.create("alice", kind="incident", title=""), where="title")
    r(error=itsm.ValidationFailed, call=lambda: engine.create("alice", kind="spaceship", title="x"), where="kind")
    r(error=itsm.ValidationFailed, call=lambda: engine.create("alice", kind="incident", title="x", impact=9), where="impact")
    r(error=itsm.InvalidArgument, call=lambda: engine.create("alice", kind="incident", title="x", colour="red"))
    r(error=itsm.InvalidArgument, call=lambda: engine.create("alice", kind="incident", title="x", impact="high"), where="impact")
    r(error=itsm.InvalidArgument, call=lambda: engine.create("", kind="incident", title="x"), where="actor")
    r(error=itsm.InvalidArgument, call=lambda: engine.create(None, kind="incident", title="x"), where="actor")  # type: ignore[arg-type]
    # Refused in Python before the call: a C string would end at the NUL.
    r(error=itsm.InvalidArgument, call=lambda: engine.create("al\0ice", kind="incident", title="x"), where="actor: contains a NUL")
    r(error=itsm.InvalidArgument, call=lambda: engine.create("\udc80", kind="incident", title="x"), where="actor: not valid Unicode")
    r(error=itsm.InvalidArgument, call=lambda: engine.create("alice", kind="incident", title="x", custom={"a": object()}), where="new_ticket")


def test_get_refusals(engine: itsm.Engine) -> None:
    engine.create("alice", kind="incident", title="Existing")
    refused_unchanged(engine, itsm.NotFound, lambda: engine.get("bob", 2))
    refused_unchanged(engine, itsm.NotFound, lambda: engine.get_by_key("bob", "INC0000002"))
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.get("bob", -1), "ticket_id")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.get("bob", 1 << 64), "ticket_id")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.get("bob", "1"), "ticket_id")  # type: ignore[arg-type]
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.get("bob", True), "ticket_id")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.get_by_key("bob", None), "key")  # type: ignore[arg-type]


def test_update_refusals(engine: itsm.Engine) -> None:
    t = engine.create("alice", kind="incident", title="Existing")
    engine.update("bob", t.id, assignee="bob")
    refused_unchanged(engine, itsm.Conflict, lambda: engine.update("carol", t.id, version=t.version, title="Stale"), "version")
    refused_unchanged(engine, itsm.NotFound, lambda: engine.update("carol", 7, title="x"))
    refused_unchanged(engine, itsm.ValidationFailed, lambda: engine.update("carol", t.id, title=""), "title")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.update("carol", t.id, status="done"))
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.update("carol", t.id, version=0), "version")


def test_comment_refusals(engine: itsm.Engine) -> None:
    t = engine.create("alice", kind="incident", title="Existing")
    refused_unchanged(engine, itsm.ValidationFailed, lambda: engine.comment("bob", t.id, "   "), "text")
    refused_unchanged(engine, itsm.NotFound, lambda: engine.comment("bob", 9, "hello"))
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.comment("bob", t.id, "a\0b"), "text: contains a NUL")
    refused_unchanged(engine, itsm.NotFound, lambda: engine.comments("bob", 9))
    refused_unchanged(engine, itsm.NotFound, lambda: engine.history("bob", 9))


def test_link_refusals(engine: itsm.Engine) -> None:
    a = engine.create("alice", kind="incident", title="A")
    b = engine.create("alice", kind="incident", title="B")
    engine.link("bob", a.id, "child_of", b.id)
    refused_unchanged(engine, itsm.Conflict, lambda: engine.link("bob", a.id, "child_of", b.id))
    refused_unchanged(engine, itsm.ValidationFailed, lambda: engine.link("bob", b.id, "child_of", a.id), "link")
    refused_unchanged(engine, itsm.ValidationFailed, lambda: engine.link("bob", a.id, "related", a.id))
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.link("bob", a.id, "sibling_of", b.id), "link_type")
    refused_unchanged(engine, itsm.NotFound, lambda: engine.link("bob", a.id, "related", 99), "to")
    refused_unchanged(engine, itsm.NotFound, lambda: engine.unlink("bob", a.id, "related", b.id))
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.unlink("bob", a.id, "child_of", -b.id), "to_id")


def test_bodies_json_cannot_carry_are_refused(engine: itsm.Engine) -> None:
    circular: dict = {}
    circular["self"] = circular
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.create("alice", kind="incident", title="x", custom=circular), "new_ticket")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.update("alice", 1, custom={1j: 2}), "patch")
    # Instants and sets are converted.
    t = engine.create("alice", kind="incident", title="x", tags=frozenset({"b", "a"}))
    assert t.tags == ("a", "b")

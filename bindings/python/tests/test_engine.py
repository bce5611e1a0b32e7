"""Opening and closing engines, schemas and the manual clock."""

from __future__ import annotations

import gc
import json
from datetime import datetime, timedelta, timezone

import pytest

import itsm
from conftest import START, admit, refused_unchanged, snapshot


def test_memory_engine_is_a_context_manager_and_closes_on_exit() -> None:
    with itsm.Engine.memory() as e:
        assert not e.closed
        admit(e)
        t = e.create("alice", kind="incident", title="Mail is down")
        assert t.key == "INC0000001"
        # The system clock: an aware instant close to now.
        assert abs(t.created - datetime.now(timezone.utc)) < timedelta(minutes=5)
    assert e.closed
    with pytest.raises(itsm.InvalidArgument, match="^engine: is closed"):
        e.get("alice", 1)


def test_close_twice_is_harmless_and_closes_on_exception() -> None:
    e = itsm.Engine.memory()
    e.close()
    e.close()
    with pytest.raises(RuntimeError):
        with itsm.Engine.memory() as e2:
            raise RuntimeError("boom")
    assert e2.closed


def test_an_engine_dropped_without_close_is_finalized() -> None:
    e = itsm.Engine.memory()
    finalizer = e._finalizer
    assert finalizer.alive
    del e
    gc.collect()
    assert not finalizer.alive


def test_schema_as_text_or_dict() -> None:
    schema = {"base": "itil", "kinds": [{"id": "hr_case", "prefix": "HRC", "label": "HR case", "initial_state": "new"}]}
    for doc in (schema, json.dumps(schema)):
        with itsm.Engine.memory(doc) as e:
            assert admit(e).create("alice", kind="hr_case", title="Leave request").key == "HRC0000001"


def test_a_bad_schema_is_refused_with_the_json_path() -> None:
    with pytest.raises(itsm.InvalidConfig) as info:
        itsm.Engine.memory({"kinds": [{"id": "hr_case"}]})
    assert info.value.message.startswith("kinds[0]")
    with pytest.raises(itsm.InvalidConfig):
        itsm.Engine.memory("{not json")
    with pytest.raises(itsm.InvalidArgument, match="^schema: contains a NUL"):
        itsm.Engine.memory('{"base":"itil"}\0')


def test_manual_clock_records_deterministic_instants(engine: itsm.Engine) -> None:
    t = engine.create("alice", kind="incident", title="VPN drops")
    assert t.created == START and t.created.tzinfo is not None
    assert t.created.utcoffset() == timedelta(0)
    engine.advance_clock(timedelta(minutes=10, microseconds=7))
    t = engine.update("bob", t.id, assignee="bob")
    assert t.updated == START + timedelta(minutes=10, microseconds=7)
    # Back in time, given in another zone: stored and returned as UTC.
    berlin = timezone(timedelta(hours=1))
    engine.set_time(datetime(2026, 3, 1, 10, 0, tzinfo=berlin))
    c = engine.comment("bob", t.id, "earlier")
    assert c.at == datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    assert c.at.tzinfo == timezone.utc


def test_two_manual_engines_given_the_same_calls_agree() -> None:
    results = []
    for _ in range(2):
        with itsm.Engine.manual_clock(START) as e:
            admit(e)
            e.create("alice", kind="incident", title="A")
            e.advance_clock(timedelta(seconds=1))
            e.create("alice", kind="problem", title="B")
            results.append(snapshot(e))
    assert results[0] == results[1]


def test_clock_refusals(engine: itsm.Engine) -> None:
    engine.create("alice", kind="incident", title="A")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.advance_clock(timedelta(seconds=-1)), "micros")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.set_time(datetime(2026, 3, 2)), "when")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.set_time("2026-03-02"), "when")  # type: ignore[arg-type]
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.advance_clock(5), "delta")  # type: ignore[arg-type]
    # Past the year 9999.
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.advance_clock(timedelta(days=3_000_000)), "micros")
    t = engine.create("alice", kind="incident", title="B")
    assert t.created == START  # the clock did not move
    with pytest.raises(itsm.InvalidArgument):
        itsm.Engine.manual_clock(datetime(2026, 3, 2))  # naive
    with itsm.Engine.memory() as system:
        with pytest.raises(itsm.InvalidArgument, match="^engine: runs on the system clock"):
            system.set_time(START)
        with pytest.raises(itsm.InvalidArgument, match="^engine: runs on the system clock"):
            system.advance_clock(timedelta(seconds=1))


def test_repr_tells_the_clock_and_whether_closed() -> None:
    e = itsm.Engine.manual_clock(START)
    assert repr(e) == "<itsm.Engine in memory, manual clock, open>"
    e.close()
    assert repr(e) == "<itsm.Engine in memory, manual clock, closed>"
    with itsm.Engine.memory() as s:
        assert "system clock" in repr(s)


def test_a_sqlite_engine_keeps_its_tickets_across_reopening(tmp_path) -> None:
    uri = f"sqlite://{tmp_path / 'desk.db'}"
    with itsm.Engine.open(uri) as e:
        admit(e)
        assert e.config_version == ""
        e.set_config_version("desk-7")
        t = e.create("alice", kind="incident", title="Kept on disk")
        with pytest.raises(itsm.InvalidArgument, match="config_version"):
            e.set_config_version("x" * 201)
    with itsm.Engine.open(str(tmp_path / "desk.db")) as e:
        admit(e)
        assert e.get("alice", t.id).title == "Kept on disk"
        assert e.config_version == "desk-7"  # the version the data was written under
        assert e.create("alice", kind="incident", title="next").key == "INC0000002"
    with itsm.Engine.open("memory:") as e:
        assert not e.closed
    with pytest.raises(itsm.InvalidArgument, match="uri"):
        itsm.Engine.open("ftp://host/desk.db")
    with pytest.raises(itsm.StorageError, match="unable to open"):
        itsm.Engine.open(str(tmp_path / "missing" / "desk.db"))


def test_two_engines_share_a_postgresql_database() -> None:
    import os
    import uuid

    server = os.environ.get("ITSM_TEST_PG_URI")
    if not server:
        pytest.skip("ITSM_TEST_PG_URI is not set (scripts/test starts a server and sets it)")
    uri = f"{server}{'&' if '?' in server else '?'}schema=py{uuid.uuid4().hex[:12]}"
    with itsm.Engine.open(uri) as a, itsm.Engine.open(uri) as b:
        admit(a)
        admit(b)
        t = a.create("alice", kind="incident", title="Shared desk")
        assert b.get("alice", t.id).title == "Shared desk"
        b.update("alice", t.id, version=1, title="Edited in b")
        with pytest.raises(itsm.Conflict, match="version"):
            a.update("alice", t.id, version=1, title="Stale edit from a")
        assert a.get("alice", t.id).title == "Edited in b"
        assert b.create("alice", kind="incident", title="second").key == "INC0000002"

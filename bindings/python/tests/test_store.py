"""A ticket store written in pure Python under an engine (Engine.open_store): tickets land
in the Python store, a failing store is a StorageError or a Conflict that leaves nothing
applied, and the engine closes the store."""

from __future__ import annotations

import copy
from typing import Dict, Iterable, List, Optional, Tuple

import pytest

import itsm
from conftest import admit


class DictStore(itsm.Store):
    """Tickets, events, counters and meta values in dicts and lists."""

    def __init__(self) -> None:
        self.tickets: Dict[int, Tuple[str, int, str]] = {}  # id -> (key, version, record)
        self.events: List[Tuple[int, int, str]] = []  # (seq, ticket, record)
        self.counters: Dict[str, int] = {}
        self.meta: Dict[str, str] = {}
        self.last_id = 0
        self.saved: Optional[Tuple[Dict[int, Tuple[str, int, str]], int]] = None
        self.fail_next: Optional[Tuple[str, Exception]] = None  # (method, what it raises)
        self.closed = 0

    def _maybe_fail(self, method: str) -> None:
        if self.fail_next is not None and self.fail_next[0] == method:
            error, self.fail_next = self.fail_next[1], None
            raise error

    def get(self, ticket_id: int) -> Optional[str]:
        self._maybe_fail("get")
        row = self.tickets.get(ticket_id)
        return row[2] if row else None

    def get_by_key(self, key: str) -> Optional[str]:
        return next((r for k, _, r in self.tickets.values() if k == key), None)

    def scan(self) -> Iterable[str]:
        return [r for _, _, r in self.tickets.values()]

    def history(self, ticket_id: int) -> Iterable[str]:
        return [r for _, t, r in self.events if t == ticket_id]

    def size(self) -> int:
        return len(self.tickets)

    def allocate(self, kind: str) -> Tuple[int, int]:
        self.last_id += 1
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.last_id, self.counters[kind]

    def commit(self, commit: itsm.StoreCommit) -> None:
        self._maybe_fail("commit")
        keys = {k for k, _, _ in self.tickets.values()}
        for w in commit.tickets:
            stored = self.tickets.get(w.id)
            if w.expected_version == 0 and (stored or w.key in keys):
                raise itsm.Conflict(f"ticket {w.id} or key {w.key} exists")
            if w.expected_version and (not stored or stored[1] != w.expected_version):
                raise itsm.Conflict(f"ticket {w.id} is not at version {w.expected_version}")
        last = self.events[-1][0] if self.events else 0
        numbered = [commit.number_event(i, last + 1 + i) for i in range(commit.event_count)]
        for w in commit.tickets:
            self.tickets[w.id] = (w.key, w.version, w.record)
        self.events += [(last + 1 + i, t, r) for i, (t, r) in enumerate(numbered)]

    def meta_get(self, key: str) -> Optional[str]:
        return self.meta.get(key)

    def meta_set(self, key: str, value: str) -> None:
        self.meta[key] = value

    def begin_batch(self) -> None:
        self.saved = (copy.deepcopy(self.tickets), len(self.events))

    def end_batch(self, keep: bool) -> None:
        assert self.saved is not None
        if not keep:
            self.tickets, n = self.saved
            del self.events[n:]
        self.saved = None

    def close(self) -> None:
        self.closed += 1


def test_an_engine_keeps_its_tickets_in_a_python_store() -> None:
    store = DictStore()
    with admit(itsm.Engine.open_store(store)) as engine:
        t = engine.create("alice", kind="incident", title="Kept in Python")
        assert set(store.tickets) == {t.id}
        assert engine.get("alice", t.id).title == "Kept in Python"
        engine.update("alice", t.id, title="Renamed")
        assert [e.type for e in engine.history("alice", t.id)][-1] == "field_changed"
        assert [x.id for x in engine.query("alice")] == [t.id]
    assert store.closed == 1
    # The same data under a new engine: everything is there.
    with admit(itsm.Engine.open_store(store)) as again:
        assert again.get("alice", t.id).title == "Renamed"
        assert again.get("alice", t.id).version == 2


def test_a_failing_python_store_fails_the_call_and_applies_nothing() -> None:
    store = DictStore()
    with admit(itsm.Engine.open_store(store)) as engine:
        t = engine.create("alice", kind="incident", title="Before")
        events = len(store.events)
        store.fail_next = ("commit", OSError("the disk is full"))
        with pytest.raises(itsm.StorageError) as info:
            engine.update("alice", t.id, title="Lost")
        assert info.value.message == "store.commit: the disk is full"
        assert engine.get("alice", t.id).title == "Before"
        assert len(store.events) == events
        store.fail_next = ("commit", itsm.Conflict("written elsewhere"))
        with pytest.raises(itsm.Conflict) as conflict:
            engine.update("alice", t.id, title="Lost")
        assert conflict.value.message == "store.commit: written elsewhere"
        store.fail_next = ("get", RuntimeError("offline"))
        with pytest.raises(itsm.StorageError):
            engine.get("alice", t.id)
        assert engine.update("alice", t.id, title="After").version == 2


def test_a_refused_open_still_closes_the_store() -> None:
    store = DictStore()
    with pytest.raises(itsm.InvalidConfig):
        itsm.Engine.open_store(store, "{not json")
    assert store.closed == 1

"""Observers: the callback hears every committed event in seq order, may call the engine
again, stops on unsubscribe, and an exception it raises leaves the commit standing."""

from __future__ import annotations

import gc
import sys
import threading
from typing import Any, List

import pytest

import itsm


def test_events_arrive_typed_and_in_seq_order(engine: itsm.Engine) -> None:
    heard: List[itsm.Event] = []
    engine.subscribe(heard.append)
    t = engine.create("alice", kind="incident", title="Printer jam")
    engine.update("alice", t.id, urgency=1)
    assert [e.type for e in heard] == ["created", "field_changed", "field_changed"]
    assert all(isinstance(e, itsm.Event) and e.ticket == t.id for e in heard)
    seqs = [e.seq for e in heard]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    assert heard == engine.history("alice", t.id)


def test_the_callback_may_call_the_engine_again(engine: itsm.Engine) -> None:
    titles: List[str] = []

    def read_back(event: itsm.Event) -> None:
        if event.type == "created":
            titles.append(engine.get("alice", event.ticket).title)

    engine.subscribe(read_back)
    engine.create("alice", kind="incident", title="Printer jam")
    assert titles == ["Printer jam"]


def test_unsubscribe_stops_delivery_and_releases_the_callback(engine: itsm.Engine) -> None:
    heard: List[itsm.Event] = []
    number = engine.subscribe(heard.append)
    engine.create("alice", kind="incident", title="One")
    engine.unsubscribe(number)
    engine.create("alice", kind="incident", title="Two")
    assert len(heard) == 1
    assert engine._observers.live == {}
    with pytest.raises(itsm.NotFound):
        engine.unsubscribe(number)


def test_a_callback_may_unsubscribe_itself(engine: itsm.Engine) -> None:
    heard: List[itsm.Event] = []
    number = 0

    def once(event: itsm.Event) -> None:
        heard.append(event)
        engine.unsubscribe(number)

    number = engine.subscribe(once)
    engine.create("alice", kind="incident", title="One")
    engine.create("alice", kind="incident", title="Two")
    assert len(heard) == 1
    assert engine._observers.live == {}


def test_an_exception_is_reported_and_the_commit_stands(engine: itsm.Engine, monkeypatch: Any) -> None:
    reported: List[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    calls: List[int] = []

    def fails(event: itsm.Event) -> None:
        calls.append(event.seq)
        raise RuntimeError("observer bug")

    engine.subscribe(fails)
    t = engine.create("alice", kind="incident", title="Still created")
    engine.update("alice", t.id, urgency=1)
    assert len(calls) == 3  # delivery went on
    assert engine.get("alice", t.id).urgency == 1
    assert len(reported) == 3 and isinstance(reported[0].exc_value, RuntimeError)


def test_events_from_other_threads_are_delivered(engine: itsm.Engine) -> None:
    heard: List[itsm.Event] = []
    lock = threading.Lock()

    def note(event: itsm.Event) -> None:
        with lock:
            heard.append(event)

    engine.subscribe(note)
    threads = [
        threading.Thread(target=lambda: [engine.create("alice", kind="incident", title="T") for _ in range(20)])
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(heard) == 80
    seqs = [e.seq for e in heard]
    assert seqs == sorted(seqs)


def test_close_releases_remaining_callbacks() -> None:
    engine = itsm.Engine.memory()
    engine.subscribe(lambda event: None)
    engine.subscribe(lambda event: None)
    observers = engine._observers
    assert len(observers.live) == 2
    engine.close()
    assert observers.live == {}
    gc.collect()


def test_refusals(engine: itsm.Engine) -> None:
    with pytest.raises(itsm.InvalidArgument):
        engine.subscribe("not callable")  # type: ignore[arg-type]
    with pytest.raises(itsm.NotFound):
        engine.unsubscribe(12345)
    with pytest.raises(itsm.InvalidArgument):
        engine.unsubscribe(-1)
    assert engine._observers.live == {}
    engine.close()
    with pytest.raises(itsm.InvalidArgument):
        engine.subscribe(lambda event: None)
    assert engine._observers.live == {}

"""Queries: one page at a time, and lazy iteration that follows next_cursor."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any, List

import pytest

import itsm
from conftest import START, refused_unchanged


def fill(engine: itsm.Engine, n: int) -> List[itsm.Ticket]:
    made = []
    for i in range(n):
        engine.advance_clock(timedelta(minutes=1))
        kind = "incident" if i % 2 == 0 else "problem"
        made.append(engine.create("alice", kind=kind, title=f"T{i}", impact=1 + i % 3))
    return made


def counting(engine: itsm.Engine) -> List[Any]:
    """Counts the query calls an engine makes, by wrapping its query_page."""
    calls: List[Any] = []
    real = engine.query_page

    def wrapper(actor: str, query: Any) -> itsm.Page:
        calls.append(dict(query))
        return real(actor, query)

    engine.query_page = wrapper  # type: ignore[method-assign]
    return calls


def test_query_page_returns_one_typed_page(engine: itsm.Engine) -> None:
    made = fill(engine, 5)
    page = engine.query_page("bob", {"limit": 2, "sort": "created", "descending": False})
    assert isinstance(page, itsm.Page)
    assert page.total == 5 and [t.id for t in page.tickets] == [made[0].id, made[1].id]
    assert isinstance(page.next_cursor, str)
    last = engine.query_page("bob", {"limit": 10, "sort": "created", "descending": False, "cursor": page.next_cursor})
    assert [t.id for t in last.tickets] == [t.id for t in made[2:]] and last.next_cursor is None


def test_iteration_is_lazy_and_follows_the_cursor(engine: itsm.Engine) -> None:
    made = fill(engine, 7)
    calls = counting(engine)
    q = engine.query("bob", page_size=3, sort="created", descending=False)
    assert calls == [] and q.total is None  # nothing before iteration
    it = iter(q)
    assert next(it).id == made[0].id
    assert len(calls) == 1 and q.total == 7
    list(itertools.islice(it, 2))
    assert len(calls) == 1  # still inside the first page
    next(it)
    assert len(calls) == 2 and calls[1]["cursor"] is not None
    assert [t.id for t in q] == [t.id for t in made]  # a new iteration starts again
    assert len(calls) == 2 + 3
    assert [len(p.tickets) for p in q.pages()] == [3, 3, 1]


def test_filters_including_instants(engine: itsm.Engine) -> None:
    made = fill(engine, 6)
    incidents = list(engine.query("bob", kinds=["incident"]))
    assert {t.id for t in incidents} == {t.id for t in made if t.kind == "incident"}
    # Newest first by default.
    assert [t.id for t in incidents] == sorted((t.id for t in incidents), reverse=True)
    since = START + timedelta(minutes=4)
    recent = list(engine.query("bob", created_from=since, sort="created", descending=False))
    assert [t.id for t in recent] == [t.id for t in made if t.created >= since]
    assert list(engine.query("bob", kinds=["change"])) == []


def test_query_refusals(engine: itsm.Engine) -> None:
    fill(engine, 2)
    refused_unchanged(engine, itsm.InvalidArgument, lambda: list(engine.query("bob", page_size=0)), "limit")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: list(engine.query("bob", colour="red")))
    refused_unchanged(engine, itsm.InvalidArgument, lambda: list(engine.query("bob", sort="size")), "sort")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.query_page("bob", {"cursor": "nonsense"}), "cursor")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.query("bob", cursor="x"), "cursor")
    refused_unchanged(engine, itsm.InvalidArgument, lambda: engine.query("bob", limit=5), "limit")
    with pytest.raises(itsm.InvalidArgument):
        list(engine.query("bob", created_from=START.replace(tzinfo=None)))

"""Fixtures shared by the test modules. The library is found the way a host finds it:
scripts/test points ITSM_LIBRARY at the freshly built libitsm."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Type

import pytest

import itsm

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def engine() -> Iterator[itsm.Engine]:
    """An engine on a manual clock at START, with the ITIL schema."""
    with itsm.Engine.manual_clock(START) as e:
        yield e


def snapshot(engine: itsm.Engine) -> str:
    """Everything observable in an engine: every ticket and its audit trail, as text."""
    page = engine.query_page("auditor", {"limit": 1000, "sort": "created", "descending": False})
    state: Any = [repr(page.total)]
    for t in page.tickets:
        state.append(repr(t))
        state.append(repr(engine.history("auditor", t.id)))
    return json.dumps(state)


def refused_unchanged(
    engine: itsm.Engine, error: Type[itsm.Error], call: Callable[[], Any], where: str = ""
) -> itsm.Error:
    """Runs `call`, which must raise `error` (exactly that class) whose message starts
    with `where`, and checks that the engine did not change."""
    before = snapshot(engine)
    with pytest.raises(itsm.Error) as info:
        call()
    assert type(info.value) is error, repr(info.value)
    assert info.value.code == error.CODE
    assert info.value.message.startswith(where), info.value.message
    assert snapshot(engine) == before
    return info.value

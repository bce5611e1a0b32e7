"""Fixtures shared by the test modules. The library is found the way a host finds it:
scripts/test points ITSM_LIBRARY at the freshly built libitsm.

Access control denies every user until a policy is set, so each engine is first configured
as the engine's system actor, as a host does."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, Type

import pytest

import itsm

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

#: The users of the ticket tests: every one administers the whole desk, so those tests are
#: about the ticket functions, not about who may call them.
STAFF = ["alice", "bob", "carol", "dave", "erin", "frank", "auditor"] + [f"agent{n}" for n in range(4)]

STAFF_DIRECTORY: Dict[str, Any] = {
    "users": [{"id": u} for u in STAFF],
    "groups": [{"id": "staff", "name": "Staff", "members": STAFF}],
}
STAFF_ACCESS: Dict[str, Any] = {
    "segments": [{"id": "global"}],
    "roles": [{"preset": "administrator"}],
    "grants": [{"group": "staff", "role": "administrator", "segment": "*"}],
}

#: A desk with real roles, for the tests of access control, workflows and taxonomy:
#: agents (alice, bob) work the global segment, the CAB (carol, dave, erin) approves
#: changes, frank may only raise tickets, the auditor reads everything outside HR, admin
#: configures, hana works the sealed HR segment, and mallory holds no grant at all.
DESK_DIRECTORY: Dict[str, Any] = {
    "users": [{"id": u} for u in ("alice", "bob", "carol", "dave", "erin", "frank", "auditor", "admin", "hana", "mallory")],
    "groups": [
        {"id": "agents", "name": "Service desk", "manager": "carol", "members": ["alice", "bob"]},
        {"id": "cab", "name": "Change advisory board", "members": ["carol", "dave", "erin"]},
        {"id": "hr_team", "name": "HR", "members": ["hana"]},
    ],
}
DESK_ACCESS: Dict[str, Any] = {
    "segments": [{"id": "global"}, {"id": "hr", "sealed": True}],
    "roles": [
        {"preset": "service_desk_agent"},
        {"preset": "cab_member"},
        {"preset": "requester"},
        {"preset": "auditor"},
        {"preset": "administrator"},
        {"id": "hr_case_worker", "permissions": ["ticket.create", "ticket.read", "ticket.update"]},
    ],
    "grants": [
        {"group": "agents", "role": "service_desk_agent", "segment": "global"},
        {"group": "cab", "role": "cab_member", "segment": "global"},
        {"user": "frank", "role": "requester", "segment": "global"},
        {"user": "auditor", "role": "auditor", "segment": "*"},
        {"user": "admin", "role": "administrator", "segment": "*"},
        {"group": "hr_team", "role": "hr_case_worker", "segment": "hr"},
    ],
}


def admit(engine: itsm.Engine, directory: Dict[str, Any] = STAFF_DIRECTORY, access: Dict[str, Any] = STAFF_ACCESS) -> itsm.Engine:
    """Sets a directory and an access policy as the system."""
    engine.set_directory(engine.system, directory)
    engine.set_access(engine.system, access)
    return engine


@pytest.fixture
def engine() -> Iterator[itsm.Engine]:
    """An engine on a manual clock at START, with the ITIL schema, where STAFF may do
    everything."""
    with itsm.Engine.manual_clock(START) as e:
        yield admit(e)


@pytest.fixture
def desk() -> Iterator[itsm.Engine]:
    """An engine on a manual clock at START with the DESK roles."""
    with itsm.Engine.manual_clock(START) as e:
        yield admit(e, DESK_DIRECTORY, DESK_ACCESS)


def snapshot(engine: itsm.Engine) -> str:
    """Everything observable in an engine: every ticket and its audit trail, as text, read
    as the system (which sees every segment)."""
    system = engine.system
    page = engine.query_page(system, {"limit": 1000, "sort": "created", "descending": False})
    state: Any = [repr(page.total)]
    for t in page.tickets:
        state.append(repr(t))
        state.append(repr(engine.history(system, t.id)))
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

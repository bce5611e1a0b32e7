"""SLA clocks through the binding: calendars and policies, a clock's evaluated view, the
warnings and breach of advance(), and the SLA query filters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Dict

import pytest

import itsm
from conftest import START, refused_unchanged

CALENDARS: Dict[str, Any] = {
    "calendars": {
        "office": {
            "time_zone": "UTC",
            "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        }
    }
}

POLICIES: Dict[str, Any] = {
    "sla_policies": {
        "gold": {
            "calendar": "office",
            "applies_when": {"kinds": ["incident"]},
            "pause_on": ["state_class:pending"],
            "metrics": {"resolution": {"targets": {"2": "PT8H"}}},
        }
    }
}


def configured(engine: itsm.Engine) -> itsm.Engine:
    engine.load_itil_workflows("alice")
    engine.set_calendars("alice", CALENDARS)
    engine.set_sla_policies("alice", POLICIES)
    return engine


def test_the_configuration_reads_back_as_set(engine: itsm.Engine) -> None:
    assert engine.calendars("nobody") == {"calendars": {}}
    assert engine.sla_policies("nobody") == {"sla_policies": {}}
    configured(engine)
    calendars = engine.calendars("nobody")  # any valid actor
    policies = engine.sla_policies("nobody")
    assert calendars["calendars"]["office"]["weekly"] == CALENDARS["calendars"]["office"]["weekly"]
    gold = policies["sla_policies"]["gold"]
    assert gold["calendar"] == "office"
    assert gold["metrics"]["resolution"]["targets"] == {"2": "PT8H"}
    engine.set_calendars("alice", calendars)  # what was read is accepted as it is
    engine.set_sla_policies("alice", policies)
    assert engine.calendars("alice") == calendars
    assert engine.sla_policies("alice") == policies
    with pytest.raises(itsm.InvalidArgument):
        engine.calendars("")


def test_a_clock_runs_on_business_hours_and_breaches_once(engine: itsm.Engine) -> None:
    configured(engine)
    t = engine.create("alice", "incident", "VPN drops", priority=2)  # Monday 08:00
    assert [(c["policy"], c["metric"], c["state"]) for c in t.sla] == [("gold", "resolution", "running")]
    engine.advance_clock(timedelta(hours=4))
    (clock,) = engine.ticket_sla("alice", t.id)
    assert clock["due"] == "2026-03-02T17:00:00Z"
    assert clock["elapsed"] == 3 * 3600
    assert clock["remaining"] == 5 * 3600
    assert clock["percentage"] == 37.5
    assert list(engine.query("alice", sla_breached=True)) == []
    due = list(engine.query("alice", due_before=START + timedelta(hours=10), sort="due", descending=False))
    assert [x.id for x in due] == [t.id]

    assert engine.advance(START + timedelta(hours=10)) == 3  # 50%, 75%, the breach
    assert engine.advance(START + timedelta(hours=10)) == 0
    assert [x.id for x in engine.query("alice", sla_breached=True)] == [t.id]
    texts = [e.text for e in engine.history("alice", t.id) if e.type == "sla"]
    assert texts == ["started", "warning", "warning", "breached"]


def test_a_pause_holds_the_clock(engine: itsm.Engine) -> None:
    configured(engine)
    t = engine.create("alice", "incident", "Printer", priority=2)
    engine.advance_clock(timedelta(hours=3))  # 11:00: 2 hours run
    engine.transition("bob", t.id, "hold", fields={"hold_reason": "awaiting_caller"})
    engine.advance_clock(timedelta(hours=2))
    (clock,) = engine.ticket_sla("alice", t.id)
    assert clock["state"] == "paused"
    assert clock["paused_now"] is True
    assert clock["elapsed"] == 2 * 3600
    assert clock["paused"] == 2 * 3600


def test_bad_configuration_is_refused_with_its_path(engine: itsm.Engine) -> None:
    engine.set_calendars("alice", CALENDARS)
    bad = {"sla_policies": {"gold": {"calendar": "paris", "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}}
    refused_unchanged(engine, itsm.InvalidConfig, lambda: engine.set_sla_policies("alice", bad), "sla_policies.gold.calendar")
    bad_target = {"sla_policies": {"gold": {"metrics": {"resolution": {"targets": {"1": "4h"}}}}}}
    refused_unchanged(
        engine, itsm.InvalidConfig, lambda: engine.set_sla_policies("alice", bad_target), "sla_policies.gold.metrics.resolution.targets.1"
    )


def test_configuration_needs_its_permissions(desk: itsm.Engine) -> None:
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.set_calendars("bob", CALENDARS))
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.set_sla_policies("bob", {"sla_policies": {}}))
    desk.set_calendars("admin", CALENDARS)
    desk.set_sla_policies("admin", POLICIES)

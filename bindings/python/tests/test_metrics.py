"""Service metrics through the binding: a report replayed from the events, refusals, the
scorecard targets, and HR tickets left out for a user who may not read them."""

from __future__ import annotations

from datetime import timedelta

import itsm
from conftest import START, refused_unchanged

WEEK_END = START + timedelta(days=7)
RESOLVE = {"resolution_code": "solved_remotely", "resolution_notes": "Restarted"}


def resolved_in(engine: itsm.Engine, hours: int, segment: str = "global") -> None:
    """An incident assigned to alice and resolved `hours` later."""
    t = engine.create(engine.system, kind="incident", title="Mail is down", assignee="alice", segment=segment)
    engine.advance_clock(timedelta(hours=hours))
    engine.transition(engine.system, t.id, "resolve", fields=RESOLVE)


def test_a_report_over_a_week(engine: itsm.Engine) -> None:
    engine.load_itil_workflows("alice")
    resolved_in(engine, 2)
    resolved_in(engine, 4)
    report = engine.metrics("alice", START, WEEK_END, kinds=["incident"])
    assert report["tickets"] == 2
    assert report["mttr"]["mean_wall_seconds"] == 3 * 3600
    assert report["first_contact_resolution"] == {"numerator": 2, "denominator": 2, "rate": 1.0}
    assert report["weekly"][0]["week"] == "2026-W10"
    lines = {line["metric"]: line for line in report["scorecard"]}
    assert lines["mttr.tier_2"]["value"] == 3.0
    assert lines["mttr.tier_2"]["met"] is True


def test_refusals_name_the_member(desk: itsm.Engine) -> None:
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.metrics("frank", START, WEEK_END), "metrics.read")
    refused_unchanged(desk, itsm.InvalidArgument, lambda: desk.metrics("admin", WEEK_END, START), "to:")
    refused_unchanged(
        desk, itsm.InvalidArgument, lambda: desk.metrics("admin", START, WEEK_END, priorities=[9]), "priorities[0]"
    )


def test_the_scorecard_targets(desk: itsm.Engine) -> None:
    assert desk.scorecard("frank")["scorecard"]["reopen_rate"] == {"max": 0.05}
    refused_unchanged(
        desk,
        itsm.InvalidConfig,
        lambda: desk.set_scorecard("admin", {"scorecard": {"sla_compliance": {"min": 90}}}),
        "scorecard.sla_compliance.min",
    )
    refused_unchanged(desk, itsm.PermissionDenied, lambda: desk.set_scorecard("alice", {"scorecard": {}}))
    desk.set_scorecard("admin", {"scorecard": {"sla_compliance": {"min": 0.95}}})
    assert desk.scorecard("admin")["scorecard"]["sla_compliance"] == {"min": 0.95}


def test_hr_tickets_count_only_for_those_who_read_them(desk: itsm.Engine) -> None:
    desk.load_itil_workflows("admin")
    resolved_in(desk, 1)
    resolved_in(desk, 1, segment="hr")
    # the auditor reads everything but sealed HR; the system reads everything
    assert desk.metrics("auditor", START, WEEK_END)["resolved"] == 1
    assert desk.metrics(desk.system, START, WEEK_END)["resolved"] == 2

#!/usr/bin/env python3
"""Embedding libitsm from Python: a small service desk on a manual clock, end to end.

The host configures the desk as the engine's system actor (users and groups, who may do
what, the ITIL workflows, the categories and the routing rules), then acts as its users:
requests come in and are routed to a group, an agent works and resolves an incident, a
change goes through the change advisory board, and the clock closes what was resolved.
SLA clocks run in the office's business hours: they pause while a ticket waits for its
caller, stop at the resolution, warn and breach as the manual clock moves on; at the end the
service level manager reads the week's metrics and scorecard.
Run with the library on ITSM_LIBRARY (or installed):

    ITSM_LIBRARY=build/libitsm.so.0 PYTHONPATH=bindings/python python3 examples/embed_python.py
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict

import itsm

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

DIRECTORY = {
    "users": [{"id": u} for u in ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "sam", "mallory")],
    "groups": [
        {"id": "network", "name": "Network team", "manager": "carol", "members": ["alice", "bob"]},
        {"id": "desk", "name": "Service desk", "manager": "carol", "members": ["bob"]},
        {"id": "cab", "name": "Change advisory board", "members": ["carol", "dave", "erin"]},
    ],
}

# Agents work the IT segment, the CAB approves changes, everyone else may raise tickets and
# follow their own; grace reports on the whole desk; sam, the service level manager, sets
# the business calendar and the SLA policy and reads the metrics. mallory is in the
# directory but holds no grant.
ACCESS = {
    "segments": [{"id": "global", "name": "IT"}],
    "roles": [{"preset": "service_desk_agent"}, {"preset": "cab_member"}, {"preset": "requester"}, {"preset": "auditor"},
              {"preset": "service_level_manager"}],
    "grants": [
        {"group": "network", "role": "service_desk_agent", "segment": "global"},
        {"group": "desk", "role": "service_desk_agent", "segment": "global"},
        {"group": "cab", "role": "cab_member", "segment": "global"},
        {"user": "frank", "role": "requester", "segment": "global"},
        {"user": "grace", "role": "auditor", "segment": "*"},
        {"user": "sam", "role": "service_level_manager", "segment": "*"},
    ],
}

TAXONOMY = {
    "categories": [
        {"id": "network", "name": "Network"},
        {"id": "vpn", "name": "VPN", "parent": "network"},
        {"id": "hardware", "name": "Hardware"},
        {"id": "printer", "name": "Printer", "parent": "hardware"},
    ]
}

ROUTING = {
    "rules": [
        {"id": "outage", "when": {"title_words": ["down", "outage"]}, "then": {"impact": 1, "urgency": 1}, "continue": True},
        {"id": "network", "when": {"categories": ["network"]}, "then": {"assignment_group": "network", "assign": "round_robin"}},
        {"id": "fallback", "then": {"assignment_group": "desk"}},
    ]
}

# The office works Monday to Friday, 09:00-17:00 UTC: SLA targets count these hours only.
WEEKDAY = [["09:00", "17:00"]]
CALENDARS = {"calendars": {"office": {"time_zone": "UTC", "weekly": {d: WEEKDAY for d in ("mon", "tue", "wed", "thu", "fri")}}}}

# One SLA for incidents: a response (first assignment or public reply) and a resolution
# target per priority, in business time; waiting for the caller does not count.
SLA_POLICIES = {
    "sla_policies": {
        "incidents": {
            "name": "Incident SLA",
            "calendar": "office",
            "applies_when": {"kinds": ["incident"]},
            "pause_on": ["on_hold:awaiting_caller"],
            "warnings": [50, 75],
            "metrics": {
                "response": {"targets": {"1": "PT15M", "2": "PT30M", "3": "PT1H", "4": "PT2H", "5": "PT4H"}},
                "resolution": {"targets": {"1": "PT4H", "2": "PT8H", "3": "PT12H", "4": "PT16H", "5": "PT40H"}},
            },
        }
    }
}


def configure(desk: itsm.Engine) -> None:
    """The host's part, set as the system (which users cannot act as); then the SLA
    configuration, set by the service level manager."""
    system = desk.system  # a secret of this engine: never shown to users
    desk.set_directory(system, DIRECTORY)
    desk.set_access(system, ACCESS)
    desk.load_itil_workflows(system)
    desk.set_taxonomy(system, TAXONOMY)
    desk.set_routing(system, ROUTING)
    # The SLA configuration is sam's job: his role holds manage.calendars and manage.sla.
    desk.set_calendars("sam", CALENDARS)
    desk.set_sla_policies("sam", SLA_POLICIES)


def hours(seconds: float) -> str:
    """A duration in seconds as hours and minutes, the way a desk reads it."""
    minutes = round(seconds / 60)
    sign = "-" if minutes < 0 else ""
    return f"{sign}{abs(minutes) // 60}h{abs(minutes) % 60:02d}"


def show_sla(desk: itsm.Engine, actor: str, ticket: itsm.Ticket) -> None:
    """The ticket's SLA clocks as an agent's screen shows them."""
    clocks = desk.ticket_sla(actor, ticket.id)  # evaluated at the engine's clock
    print(f"SLA of {ticket.key} at {clocks[0]['at'][11:16]}:")
    for c in clocks:
        print(
            f"  {c['metric']:<10} {c['state']:<8} due {c['due'][5:16]}  elapsed {hours(c['elapsed'])}"
            f"  remaining {hours(c['remaining'])}  ({c['percentage']:.0f}%, paused {hours(c['paused'])})"
        )


def show_metrics(report: Dict[str, Any]) -> None:
    """The key lines of a metrics report: volumes, MTTR, SLA compliance and the scorecard."""
    print(f"metrics {report['from'][:10]} to {report['to'][:10]}: {report['created']} created, {report['resolved']} resolved")
    mttr = report["mttr"]
    if mttr["count"]:
        print(f"  MTTR {hours(mttr['mean_wall_seconds'])} wall, {hours(mttr['mean_business_seconds'])} business ({mttr['count']} tickets)")
    sla = report["sla"]
    rate = "n/a" if sla["rate"] is None else f"{sla['rate']:.0%}"
    print(f"  SLA compliance {rate}: {sla['met']} met, {sla['breached']} breached")
    for line in report["scorecard"]:
        value = "no data" if line["value"] is None else f"{line['value']:.2f} {line['unit']}"
        verdict = {True: "met", False: "MISSED", None: "-"}[line["met"]]
        print(f"  scorecard {line['metric']:<26} {value:<22} {verdict}")


def main() -> None:
    version, path, source = itsm.library_info()
    print(f"libitsm {version} ({source})")
    with itsm.Engine.manual_clock(START) as desk:
        try:
            desk.create("frank", "incident", "Too early")
        except itsm.PermissionDenied as e:
            print(f"before any policy: {e}")
        configure(desk)

        # Requests come in (each affecting a team, with some urgency: priority 3); the
        # routing rules pick the group and the agent, and raise an outage to priority 1.
        requests = [
            ("frank", "VPN drops every hour", "vpn"),
            ("frank", "Printer on floor 3 jams", "printer"),
            ("frank", "VPN is down for the whole office", "vpn"),
        ]
        incidents = []
        for requester, title, category in requests:
            desk.advance_clock(timedelta(minutes=7))
            t = desk.create(requester, "incident", title, category=category, channel="portal", impact=2, urgency=2)
            incidents.append(t)
            print(f"{t.key} P{t.priority} -> {t.assignment_group}/{t.assignee or '-'}: {t.title}")

        # mallory holds no grant: the tickets do not exist for her.
        try:
            desk.get("mallory", incidents[0].id)
        except itsm.NotFound as e:
            print(f"mallory: {e}")

        # The outage: its agent starts it, says what it needs, and resolves it.
        outage = incidents[2]
        agent = outage.assignee or "bob"
        offered = [a.id for a in desk.available_transitions(agent, outage.id) if a.available]
        print(f"{outage.key}: {agent} may {', '.join(offered)}")
        desk.transition(agent, outage.id, "start")
        desk.comment(agent, outage.id, "Gateway memory grows 2 GB an hour.", work_note=True)
        desk.advance_clock(timedelta(hours=1))
        resolved = desk.transition(
            agent,
            outage.id,
            "resolve",
            fields={"resolution_code": "solved_workaround", "resolution_notes": "Gateway restarted"},
            comment="The VPN is back; we restart the gateway nightly until it is fixed.",
        )
        print(f"{resolved.key} {resolved.state} ({resolved.resolution_code}) at {resolved.resolved:%H:%M}")
        # Its clocks stopped at the resolution: response when it was assigned, resolution now.
        show_sla(desk, agent, outage)

        # The first VPN incident needs the caller: on hold awaiting the caller, its clocks
        # pause; frank's answer resumes the ticket (the workflow's on_requester_update).
        vpn = incidents[0]
        vpn_agent = vpn.assignee or "bob"
        desk.transition(vpn_agent, vpn.id, "start")
        desk.transition(vpn_agent, vpn.id, "hold", fields={"hold_reason": "awaiting_caller"}, comment="Which client version do you run?")
        desk.advance_clock(timedelta(hours=2))
        desk.comment("frank", vpn.id, "Version 5.2, on Windows.")
        desk.advance_clock(timedelta(minutes=30))
        desk.transition(vpn_agent, vpn.id, "resolve", fields={"resolution_code": "solved_remotely", "resolution_notes": "Client updated to 5.3"})
        show_sla(desk, vpn_agent, vpn)

        try:
            desk.transition("frank", outage.id, "reopen")
        except itsm.PermissionDenied as e:
            print(f"frank may not reopen: {e.message.split(':')[0]}")

        # The fix is a normal change: assessed, then approved by two of the three CAB members.
        plans = {
            "implementation_plan": "Upgrade the gateway firmware",
            "backout_plan": "Reinstall the previous firmware",
            "test_plan": "Connect from home for an hour",
            "planned_start": START + timedelta(days=2),
            "planned_end": START + timedelta(days=2, hours=1),
        }
        fix = desk.create(agent, "change", "Upgrade the VPN gateway firmware", impact=2, assignment_group="network", custom=plans)
        desk.link(agent, outage.id, "resolved_by_change", fix.id)
        desk.transition(agent, fix.id, "assess")
        fix = desk.transition(agent, fix.id, "request_approval")
        print(f"{fix.key} risk {fix.custom['risk']}: waiting for {', '.join(fix.pending_approvers)}")
        try:
            desk.approve(agent, fix.id)
        except itsm.PermissionDenied as e:
            print(f"{agent} cannot approve: {e.message.split(':')[0]}")
        desk.delegate("erin", fix.id, "grace", "On leave this week")
        desk.approve("carol", fix.id, "Vendor-tested firmware")
        fix = desk.approve("grace", fix.id)
        fix = desk.transition(agent, fix.id, "schedule")
        print(f"{fix.key} {fix.state}: " + ", ".join(f"{a.approver} {a.decision}" for a in fix.approvals))

        # Nobody works the printer. The host calls advance() from its scheduler: by Tuesday
        # noon the response clock is breached and the resolution clock has crossed its 50%
        # and 75% warnings...
        printer = incidents[1]
        tuesday = START + timedelta(days=1, hours=4)
        desk.set_time(tuesday)
        ran = desk.advance(tuesday)
        print(f"Tuesday 12:00: {ran} alarms ran")
        show_sla(desk, "grace", printer)

        # ...and by Sunday it is breached. Five days after the resolution the timer also
        # closes the outage.
        sunday = START + timedelta(days=6)
        desk.set_time(sunday)
        ran = desk.advance(sunday)
        print(f"timers: {ran} ran; {outage.key} is {desk.get('frank', outage.id).state}")
        show_sla(desk, "grace", printer)
        breached = desk.query("grace", sla_breached=True)
        print("breached: " + ", ".join(t.key for t in breached))

        # The week in figures, as the service level manager sees them; the office calendar
        # gives MTTR in business hours too. Compliance counts the clocks that stopped in the
        # week (met or breached); the printer's breached clocks still run.
        week = desk.metrics("sam", START, START + timedelta(days=7), kinds=["incident"], calendar=CALENDARS["calendars"]["office"])
        show_metrics(week)

        # Reports, as the auditor.
        for c in desk.category_counts("grace"):
            print(f"  {c.path:<18} total {c.total} open {c.open}")
        print("history of " + outage.key + ":")
        for event in desk.history("grace", outage.id):
            if event.field:
                detail = f"{event.field}: {event.old!r} -> {event.new!r}"
            elif event.link:
                detail = f"{event.link.type} {desk.get('grace', event.link.ticket).key}"
            else:
                detail = event.text or ""
            print(f"  #{event.seq} {event.at:%d %H:%M} {event.actor} {event.type} {detail}")


if __name__ == "__main__":
    main()

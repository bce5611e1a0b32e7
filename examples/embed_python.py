#!/usr/bin/env python3
"""Embedding libitsm from Python: a small service desk on a manual clock, end to end.

The host configures the desk as the engine's system actor (users and groups, who may do
what, the ITIL workflows, the categories and the routing rules), then acts as its users:
requests come in and are routed to a group, an agent works and resolves an incident, a
change goes through the change advisory board, and the clock closes what was resolved.
Run with the library on ITSM_LIBRARY (or installed):

    ITSM_LIBRARY=build/libitsm.so.0 PYTHONPATH=bindings/python python3 examples/embed_python.py
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import itsm

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

DIRECTORY = {
    "users": [{"id": u} for u in ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "mallory")],
    "groups": [
        {"id": "network", "name": "Network team", "manager": "carol", "members": ["alice", "bob"]},
        {"id": "desk", "name": "Service desk", "manager": "carol", "members": ["bob"]},
        {"id": "cab", "name": "Change advisory board", "members": ["carol", "dave", "erin"]},
    ],
}

# Agents work the IT segment, the CAB approves changes, everyone else may raise tickets and
# follow their own; grace reports on the whole desk. mallory is in the directory but holds
# no grant.
ACCESS = {
    "segments": [{"id": "global", "name": "IT"}],
    "roles": [{"preset": "service_desk_agent"}, {"preset": "cab_member"}, {"preset": "requester"}, {"preset": "auditor"}],
    "grants": [
        {"group": "network", "role": "service_desk_agent", "segment": "global"},
        {"group": "desk", "role": "service_desk_agent", "segment": "global"},
        {"group": "cab", "role": "cab_member", "segment": "global"},
        {"user": "frank", "role": "requester", "segment": "global"},
        {"user": "grace", "role": "auditor", "segment": "*"},
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


def configure(desk: itsm.Engine) -> None:
    """The host's part: everything is set as the system, which users cannot act as."""
    system = desk.system  # a secret of this engine: never shown to users
    desk.set_directory(system, DIRECTORY)
    desk.set_access(system, ACCESS)
    desk.load_itil_workflows(system)
    desk.set_taxonomy(system, TAXONOMY)
    desk.set_routing(system, ROUTING)


def main() -> None:
    version, path, source = itsm.library_info()
    print(f"libitsm {version} ({source})")
    with itsm.Engine.manual_clock(START) as desk:
        try:
            desk.create("frank", "incident", "Too early")
        except itsm.PermissionDenied as e:
            print(f"before any policy: {e}")
        configure(desk)

        # Requests come in; the routing rules pick the group and the agent.
        requests = [
            ("frank", "VPN drops every hour", "vpn"),
            ("frank", "Printer on floor 3 jams", "printer"),
            ("frank", "VPN is down for the whole office", "vpn"),
        ]
        incidents = []
        for requester, title, category in requests:
            desk.advance_clock(timedelta(minutes=7))
            t = desk.create(requester, "incident", title, category=category, channel="portal")
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

        # Five days after the resolution the timer closes the outage.
        ran = desk.advance(START + timedelta(days=6))
        print(f"timers: {ran} ran; {outage.key} is {desk.get('frank', outage.id).state}")

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

#!/usr/bin/env python3
"""Embedding libitsm from Python: a small service desk on a manual clock.

Requests come in, are routed to a group by a rule of the host, picked up by an agent,
answered, grouped under a problem, and listed as the groups' queues; the audit trail of one
incident closes the tour. Run with the library on ITSM_LIBRARY (or installed):

    ITSM_LIBRARY=build/libitsm.so.0 PYTHONPATH=bindings/python python3 examples/embed_python.py
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import itsm

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

# The host's routing rule: a keyword in the title picks the assignment group.
ROUTES = {"vpn": "network", "printer": "desk-floor3", "mail": "messaging"}


def route(title: str) -> str:
    words = title.lower()
    return next((group for word, group in ROUTES.items() if word in words), "service-desk")


def main() -> None:
    version, path, source = itsm.library_info()
    print(f"libitsm {version} ({source})")
    with itsm.Engine.manual_clock(START) as desk:
        requests = [
            ("carol", "VPN drops every hour", 2, 1),
            ("erin", "Printer on floor 3 jams", 3, 3),
            ("frank", "VPN will not connect from home", 2, 2),
            ("carol", "Mail stuck in outbox", 3, 2),
        ]
        incidents = []
        for requester, title, impact, urgency in requests:
            desk.advance_clock(timedelta(minutes=7))
            t = desk.create(requester, "incident", title, impact=impact, urgency=urgency,
                            channel="portal", assignment_group=route(title))
            incidents.append(t)
            print(f"{t.key} P{t.priority} -> {t.assignment_group}: {t.title} ({t.created:%H:%M} UTC)")

        # Bob picks up the first VPN incident, with the version he read: safe against a
        # concurrent change.
        desk.advance_clock(timedelta(minutes=3))
        first = incidents[0]
        taken = desk.update("bob", first.id, version=first.version, assignee="bob")
        print(f"{taken.key} taken by {taken.assignee} (version {first.version} -> {taken.version})")
        try:
            desk.update("dave", first.id, version=first.version, assignee="dave")
        except itsm.Conflict as e:
            print(f"dave was too late: {e}")

        desk.comment("bob", first.id, "We are looking into it; reconnecting works meanwhile.")
        desk.comment("bob", first.id, "Gateway memory grows 2 GB an hour.", work_note=True)

        # Both VPN incidents have the same cause.
        problem = desk.create("bob", "problem", "VPN gateway leaks memory", assignment_group="network")
        for t in incidents:
            if t.assignment_group == "network":
                desk.link("bob", t.id, "caused_by", problem.id)
        linked = desk.get_by_key("bob", problem.key).links
        print(f"{problem.key} causes {', '.join(desk.get('bob', link.ticket).key for link in linked)}")

        # Each group's queue, most urgent first, fetched lazily two at a time.
        for group in ("network", "desk-floor3", "messaging"):
            queue = desk.query("dave", groups=[group], sort="priority", descending=False, page_size=2)
            keys = [f"{t.key}(P{t.priority})" for t in queue]
            print(f"queue {group}: {queue.total} tickets: {' '.join(keys)}")
        unassigned = desk.query("dave", assignees=[None], kinds=["incident"])
        print(f"unassigned incidents: {sum(1 for _ in unassigned)}")

        # A bad request is refused and changes nothing.
        try:
            desk.create("carol", "incident", "   ")
        except itsm.ValidationFailed as e:
            print(f"refused: {e} (code {e.code})")

        print(f"history of {first.key}:")
        for event in desk.history("auditor", first.id):
            if event.field:
                detail = f"{event.field}: {event.old!r} -> {event.new!r}"
            elif event.link:
                detail = f"{event.link.type} {desk.get('auditor', event.link.ticket).key}"
            else:
                detail = event.text or ""
            print(f"  #{event.seq} {event.at:%H:%M} {event.actor} {event.type} {detail}")
        replies = [c for c in desk.comments("carol", first.id) if not c.work_note]
        print(f"public replies: {len(replies)}")


if __name__ == "__main__":
    main()

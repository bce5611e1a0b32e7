"""Threads: one engine shared by several threads, and the last error kept per thread."""

from __future__ import annotations

import threading
from typing import List

import itsm
from itsm import _native


def test_each_thread_gets_its_own_last_error(engine: itsm.Engine) -> None:
    lib = _native.library()
    t = engine.create("alice", kind="incident", title="A")
    failed_here = threading.Event()
    succeeded_there = threading.Event()
    seen: List[str] = []

    def failing() -> None:
        try:
            engine.get("bob", 404)
        except itsm.NotFound:
            pass
        failed_here.set()
        succeeded_there.wait(10)
        # Another thread's successful call did not reset this thread's error.
        seen.append(lib.itsm_last_error().decode())
        seen.append(str(lib.itsm_last_error_code()))

    def succeeding() -> None:
        failed_here.wait(10)
        engine.get("bob", t.id)
        seen.append("ok:" + lib.itsm_last_error().decode())
        succeeded_there.set()

    threads = [threading.Thread(target=failing), threading.Thread(target=succeeding)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(20)
    assert seen[0] == "ok:"
    assert "404" in seen[1] and seen[2] == "-2"


def test_threads_share_an_engine_and_each_sees_its_own_errors(engine: itsm.Engine) -> None:
    errors: List[str] = []
    per_thread = 200

    def work(n: int) -> None:
        actor = f"agent{n}"
        for i in range(per_thread):
            engine.create(actor, kind="incident", title=f"{actor} {i}")
            try:
                engine.create(actor, kind="incident", title="x", impact=100 + n)
            except itsm.ValidationFailed as e:
                # The message is about this thread's own bad impact, never another's.
                if str(100 + n) not in e.message:
                    errors.append(e.message)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []
    page = engine.query_page("auditor", {"limit": 1})
    assert page.total == 4 * per_thread
    ids = {t.id for t in engine.query("auditor", page_size=1000)}
    assert ids == set(range(1, 4 * per_thread + 1))

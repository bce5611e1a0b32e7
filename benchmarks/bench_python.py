#!/usr/bin/env python3
"""Creating tickets through the Python package: a plain timing script, not a test.

    ITSM_LIBRARY=build-rel/libitsm.so.0 PYTHONPATH=bindings/python \\
        python3 benchmarks/bench_python.py [--tickets N] [--rounds R]

Each round opens a fresh engine on a manual clock and creates N tickets as the engine's
system actor (no access policy is consulted). The script prints the rate of each round and
the best and median, per second of wall time and per second of the process's CPU time (the
two agree on an idle machine; on a shared one the CPU figure is the steadier). It times:

- Engine.create: keyword arguments in, a typed itsm.Ticket out;
- the same with Python's cyclic garbage collector switched off during the round, which
  shows what the collector costs;
- Engine.create_json: keyword arguments in, the ticket's JSON text out (no decoding);
- the bare ctypes call (JSON bytes in, JSON bytes out, no parsing), i.e. the package's own
  cost on top of the C ABI.
"""


from __future__ import annotations

import argparse
import ctypes
import gc
import statistics
import time
from datetime import datetime, timezone
from typing import Callable, List, Tuple

import itsm
from itsm import _native

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


Rates = Tuple[float, float]  # tickets per second of wall time, and of this process's CPU time


def timed(n: int, loop: Callable[[], None]) -> Rates:
    w0, c0 = time.perf_counter(), time.process_time()
    loop()
    return n / (time.perf_counter() - w0), n / (time.process_time() - c0)


def typed_round(n: int) -> Rates:
    with itsm.Engine.manual_clock(START) as engine:
        create, actor = engine.create, engine.system

        def loop() -> None:
            for _ in range(n):
                create(actor, "incident", "Printer on floor 3 jams", impact=2, urgency=3,
                       assignment_group="desk", tags=["printer"])

        return timed(n, loop)


def typed_round_without_gc(n: int) -> Rates:
    gc.disable()
    try:
        return typed_round(n)
    finally:
        gc.enable()


def json_round(n: int) -> Rates:
    with itsm.Engine.manual_clock(START) as engine:
        create, actor = engine.create_json, engine.system

        def loop() -> None:
            for _ in range(n):
                create(actor, "incident", "Printer on floor 3 jams", impact=2, urgency=3,
                       assignment_group="desk", tags=["printer"])

        return timed(n, loop)


def raw_round(n: int) -> Rates:
    lib = _native.library()
    body = (b'{"kind":"incident","title":"Printer on floor 3 jams","impact":2,"urgency":3,'
            b'"assignment_group":"desk","tags":["printer"]}')
    with itsm.Engine.manual_clock(START) as engine:
        handle, actor = engine._h(), engine.system.encode()
        fn, free, out = lib.itsm_ticket_create, lib.itsm_free, ctypes.c_void_p()
        ref = ctypes.byref(out)

        def loop() -> None:
            for _ in range(n):
                if fn(handle, actor, body, ref) != 0:
                    raise lib.error(lib.itsm_last_error_code())
                ctypes.string_at(out.value)
                free(out)

        return timed(n, loop)


def report(name: str, rounds: List[Rates]) -> None:
    for i, label in enumerate(("wall", "cpu")):
        rates = [r[i] for r in rounds]
        median = statistics.median(rates)
        print(f"{name} [{label}]: " + ", ".join(f"{r / 1000:.1f}k/s" for r in rates)
              + f"; best {max(rates) / 1000:.1f}k tickets/s, median {median / 1000:.1f}k/s"
              + f" ({1e6 / median:.1f} us per ticket)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    version, path, source = itsm.library_info()
    print(f"libitsm {version} from {path} ({source}); {args.rounds} rounds of {args.tickets} tickets")
    report("Engine.create (typed)", [typed_round(args.tickets) for _ in range(args.rounds)])
    report("Engine.create, gc off", [typed_round_without_gc(args.tickets) for _ in range(args.rounds)])
    report("Engine.create_json", [json_round(args.tickets) for _ in range(args.rounds)])
    report("raw itsm_ticket_create via ctypes", [raw_round(args.tickets) for _ in range(args.rounds)])

if __name__ == "__main__":
    main()

"""Business calendars: one C ``itsm_calendar`` handle, with a method per C function."""

from __future__ import annotations

import ctypes
import weakref
from datetime import datetime, timedelta
from typing import Any, Mapping, Optional, Union

from . import _native
from .errors import InvalidArgument
from .model import EPOCH, duration_micros, encode_body, encode_text, to_micros

ConfigArg = Union[str, Mapping[str, Any]]

_INT64 = (-(2**63), 2**63 - 1)


def _duration(name: str, delta: timedelta) -> int:
    micros = duration_micros(name, delta)
    if not _INT64[0] <= micros <= _INT64[1]:
        raise InvalidArgument(f"{name}: {delta} is too long")
    return micros


def _instant(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


class Calendar:
    """A business calendar: a time zone, working hours, holidays and date exceptions, built
    from a calendars document (docs/sla.md). It answers business-time questions with aware
    ``datetime`` values (returned in UTC) and ``timedelta`` durations::

        with itsm.Calendar.from_json(config, "berlin") as cal:
            due = cal.add(created, timedelta(hours=4))

    Instants must lie in the years 1900 to 2399. A calendar is immutable and may be used
    from several threads at once; :meth:`close` must not race with other calls on it.
    """

    def __init__(self, _handle: ctypes.c_void_p, _lib: "_native.Library") -> None:
        """Private: use :meth:`from_json`."""
        self._lib = _lib
        self._handle: Optional[ctypes.c_void_p] = _handle
        self._finalizer = weakref.finalize(self, _lib.itsm_calendar_free, _handle)

    @classmethod
    def from_json(cls, config: ConfigArg, calendar_id: Optional[str] = None) -> "Calendar":
        """Builds calendar ``calendar_id`` of a document ``{"calendars": {...}}`` (JSON text
        or a dict); ``None`` when the document holds exactly one. Raises
        :class:`~itsm.InvalidConfig` naming the JSON path, :class:`~itsm.NotFound` for an
        unknown id."""
        lib = _native.library()
        doc = encode_text("config", config) if isinstance(config, str) else encode_body("config", config)
        cid = None if calendar_id is None else encode_text("calendar_id", calendar_id)
        handle = ctypes.c_void_p()
        lib.check(lib.itsm_calendar_new_json(doc, cid, ctypes.byref(handle)))
        return cls(handle, lib)

    def close(self) -> None:
        """Frees the calendar. Closing twice is harmless; any other call afterwards raises
        :class:`~itsm.InvalidArgument`."""
        self._handle = None
        self._finalizer()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._handle is None

    def __repr__(self) -> str:
        return f"<itsm.Calendar {'closed' if self.closed else 'open'}>"

    def __enter__(self) -> "Calendar":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _h(self) -> ctypes.c_void_p:
        h = self._handle
        if h is None:
            raise InvalidArgument("calendar: is closed")
        return h

    def _moved(self, fn: Any, start: datetime, delta: timedelta) -> datetime:
        out = ctypes.c_int64()
        s = to_micros("start", start)
        self._lib.check(fn(self._h(), s, _duration("delta", delta), ctypes.byref(out)))
        return _instant(out.value)

    def add(self, start: datetime, delta: timedelta) -> datetime:
        """``start`` moved forward by ``delta`` of working time (backward when negative). An
        exact fit ends at a period's close; zero from a closed instant gives the next
        opening."""
        return self._moved(self._lib.itsm_calendar_add, start, delta)

    def subtract(self, start: datetime, delta: timedelta) -> datetime:
        """``start`` moved backward by ``delta`` of working time: an exact fit ends at an
        opening; zero from a closed instant gives the previous closing."""
        return self._moved(self._lib.itsm_calendar_subtract, start, delta)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in [start, end); zero when ``end`` is not after ``start``."""
        out = ctypes.c_int64()
        a, b = to_micros("start", start), to_micros("end", end)
        self._lib.check(self._lib.itsm_calendar_between(self._h(), a, b, ctypes.byref(out)))
        return timedelta(microseconds=out.value)

    def is_open(self, when: datetime) -> bool:
        """Whether a working period holds ``when`` (open at its start, closed at its end)."""
        out = ctypes.c_int()
        t = to_micros("when", when)
        self._lib.check(self._lib.itsm_calendar_is_open(self._h(), t, ctypes.byref(out)))
        return out.value == 1

    def next_opening(self, when: datetime) -> datetime:
        """``when`` if the calendar is open then, else the start of the next working period."""
        return self._instant_of(self._lib.itsm_calendar_next_opening, when)

    def next_closing(self, when: datetime) -> datetime:
        """The end of the working period that holds ``when``, or of the next one."""
        return self._instant_of(self._lib.itsm_calendar_next_closing, when)

    def _instant_of(self, fn: Any, when: datetime) -> datetime:
        out = ctypes.c_int64()
        self._lib.check(fn(self._h(), to_micros("when", when), ctypes.byref(out)))
        return _instant(out.value)

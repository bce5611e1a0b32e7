"""The engine: one handle of the C ABI, with a method per C function."""

from __future__ import annotations

import ctypes
import weakref
from datetime import datetime, timedelta
from typing import Any, Dict, Iterator, List, Mapping, Optional, Union

from . import _native
from .errors import InvalidArgument
from .model import (
    Comment,
    Event,
    Page,
    Ticket,
    check_id,
    comment_from_text,
    list_from_text,
    page_from_text,
    ticket_from_text,
    duration_micros,
    encode_body,
    encode_text,
    to_micros,
)

SchemaArg = Union[str, Mapping[str, Any], None]


def _schema_bytes(schema: SchemaArg) -> Optional[bytes]:
    if schema is None:
        return None
    if isinstance(schema, str):
        return encode_text("schema", schema)
    return encode_body("schema", schema)


class Engine:
    """A libitsm engine: a ticket store, a clock and a schema.

    Open one with :meth:`memory` or :meth:`manual_clock` and use it as a context manager,
    which closes it on exit::

        with itsm.Engine.memory() as engine:
            engine.create("alice", kind="incident", title="Mail is down")

    Every ticket method takes ``actor``, the id of the user the call is made as. Failures
    raise the :class:`~itsm.Error` subclass of the C status code, and leave the engine as
    it was. One engine may be used from several threads at once; :meth:`close` must not
    race with other calls on it.
    """

    def __init__(self, _handle: ctypes.c_void_p, _lib: "_native.Library", _manual: bool) -> None:
        """Private: use :meth:`memory` or :meth:`manual_clock`."""
        self._lib = _lib
        self._handle: Optional[ctypes.c_void_p] = _handle
        self._manual = _manual
        # Closes the handle if the engine is garbage-collected without close().
        self._finalizer = weakref.finalize(self, _lib.itsm_engine_close, _handle)

    # ---- Opening and closing ------------------------------------------------------------

    @classmethod
    def memory(cls, schema: SchemaArg = None) -> "Engine":
        """An engine over an in-memory store and the system clock. ``schema`` is a schema
        document (JSON text or a dict; ``None`` for the shipped ITIL default).
        Raises :class:`~itsm.InvalidConfig` when the schema is refused."""
        lib = _native.library()
        handle = ctypes.c_void_p()
        lib.check(lib.itsm_engine_open_memory(_schema_bytes(schema), ctypes.byref(handle)))
        return cls(handle, lib, False)

    @classmethod
    def manual_clock(cls, start: datetime, schema: SchemaArg = None) -> "Engine":
        """An engine over an in-memory store whose clock starts at ``start`` (an aware
        ``datetime``) and moves only through :meth:`set_time` and :meth:`advance_clock`, so
        every instant it records is deterministic."""
        lib = _native.library()
        micros = to_micros("start", start)
        handle = ctypes.c_void_p()
        lib.check(lib.itsm_engine_open_memory_at(_schema_bytes(schema), micros, ctypes.byref(handle)))
        return cls(handle, lib, True)

    def close(self) -> None:
        """Closes the engine and frees its store. Closing twice is harmless; any other
        call afterwards raises :class:`~itsm.InvalidArgument`."""
        self._handle = None
        self._finalizer()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._handle is None

    def __repr__(self) -> str:
        clock = "manual clock" if self._manual else "system clock"
        return f"<itsm.Engine in memory, {clock}, {'closed' if self.closed else 'open'}>"

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _h(self) -> ctypes.c_void_p:
        h = self._handle
        if h is None:
            raise InvalidArgument("engine: is closed")
        return h

    # ---- Clock --------------------------------------------------------------------------

    def set_time(self, when: datetime) -> None:
        """Sets the manual clock to ``when`` (forwards or backwards). Raises
        :class:`~itsm.InvalidArgument` on an engine that runs on the system clock."""
        self._lib.check(self._lib.itsm_engine_set_time(self._h(), to_micros("when", when)))

    def advance_clock(self, delta: timedelta) -> None:
        """Moves the manual clock forward by ``delta`` (not negative)."""
        micros = duration_micros("delta", delta)
        self._lib.check(self._lib.itsm_engine_advance_clock(self._h(), micros))

    # ---- Tickets ------------------------------------------------------------------------

    def create(self, actor: str, kind: str, title: str, **fields: Any) -> Ticket:
        """Creates a ticket. ``fields`` are the other members of the create body
        (``impact``, ``urgency``, ``priority``, ``channel``, ``category``, ``requester``,
        ``assignee``, ``assignment_group``, ``segment``, ``tags``, ``watchers``,
        ``custom``, ``description``); an unknown one raises
        :class:`~itsm.InvalidArgument`, a value that breaks a rule
        :class:`~itsm.ValidationFailed`."""
        fields["kind"] = kind
        fields["title"] = title
        body = encode_body("new_ticket", fields)
        lib = self._lib
        text = lib.text(lib.itsm_ticket_create, self._h(), encode_text("actor", actor), body)
        return ticket_from_text(text)

    def get(self, actor: str, ticket_id: int) -> Ticket:
        """The ticket with this id. Raises :class:`~itsm.NotFound`."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        text = lib.text(lib.itsm_ticket_get, self._h(), encode_text("actor", actor), tid)
        return ticket_from_text(text)

    def get_by_key(self, actor: str, key: str) -> Ticket:
        """The ticket with this human key, e.g. ``"INC0000042"``. Raises
        :class:`~itsm.NotFound`."""
        lib = self._lib
        k = encode_text("key", key)
        text = lib.text(lib.itsm_ticket_get_by_key, self._h(), encode_text("actor", actor), k)
        return ticket_from_text(text)

    def update(self, actor: str, ticket_id: int, *, version: Optional[int] = None, **changes: Any) -> Ticket:
        """Changes the fields given as keywords (``None`` clears an optional field or drops
        a priority override) and returns the ticket afterwards. With ``version`` the update
        applies only if the ticket is still at that version, else :class:`~itsm.Conflict`
        is raised and nothing changes. Patch members: ``title``, ``description``,
        ``impact``, ``urgency``, ``priority``, ``channel``, ``category``, ``requester``,
        ``assignee``, ``assignment_group``, ``segment``, ``add_tags``, ``remove_tags``,
        ``add_watchers``, ``remove_watchers``, ``custom``."""
        if version is not None:
            changes["version"] = version
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        body = encode_body("patch", changes)
        text = lib.text(lib.itsm_ticket_update, self._h(), encode_text("actor", actor), tid, body)
        return ticket_from_text(text)

    def comment(self, actor: str, ticket_id: int, text: str, *, work_note: bool = False) -> Comment:
        """Adds a public reply, or an internal work note with ``work_note=True``. Raises
        :class:`~itsm.ValidationFailed` for blank text."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        out = lib.text(
            lib.itsm_ticket_comment,
            self._h(),
            encode_text("actor", actor),
            tid,
            encode_text("text", text),
            1 if work_note else 0,
        )
        return comment_from_text(out)

    def comments(self, actor: str, ticket_id: int) -> List[Comment]:
        """The ticket's comments and work notes, oldest first."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        text = lib.text(lib.itsm_ticket_comments, self._h(), encode_text("actor", actor), tid)
        return list_from_text(Comment, text)

    def link(self, actor: str, from_id: int, link_type: str, to_id: int) -> None:
        """Links two tickets (``link(a, "child_of", b)`` makes ``b`` the parent of ``a``).
        Raises :class:`~itsm.Conflict` when already linked so, and
        :class:`~itsm.ValidationFailed` for a self link, a cycle or a second parent."""
        self._link(self._lib.itsm_ticket_link, actor, from_id, link_type, to_id)

    def unlink(self, actor: str, from_id: int, link_type: str, to_id: int) -> None:
        """Removes a link from both tickets (either spelling of its direction). Raises
        :class:`~itsm.NotFound` when there is no such link."""
        self._link(self._lib.itsm_ticket_unlink, actor, from_id, link_type, to_id)

    def _link(self, fn: Any, actor: str, from_id: int, link_type: str, to_id: int) -> None:
        a = encode_text("actor", actor)
        f = check_id("from_id", from_id)
        t = check_id("to_id", to_id)
        self._lib.check(fn(self._h(), a, f, encode_text("link_type", link_type), t))

    def query_page(self, actor: str, query: Mapping[str, Any]) -> Page:
        """Runs one query call: ``query`` is the ABI's query body (filters, ``sort``,
        ``descending``, ``limit``, ``cursor``) and the result one :class:`~itsm.Page`."""
        lib = self._lib
        body = encode_body("query", query)
        text = lib.text(lib.itsm_ticket_query, self._h(), encode_text("actor", actor), body)
        return page_from_text(text)

    def query(self, actor: str, *, page_size: Optional[int] = None, **filters: Any) -> "TicketQuery":
        """The tickets that match ``filters`` (``kinds``, ``states``, ``assignees``,
        ``priority_max``, ``created_from``, ``sort``, ``descending``, ...), as a lazy
        iterable: pages of ``page_size`` tickets are fetched as iteration reaches them, by
        following ``next_cursor``. Nothing is called before iteration starts."""
        for managed in ("cursor", "limit"):
            if managed in filters:
                raise InvalidArgument(
                    f"{managed}: set by the iterator (use page_size, or query_page to page by hand)"
                )
        if page_size is not None:
            filters["limit"] = page_size
        return TicketQuery(self, actor, filters)

    def history(self, actor: str, ticket_id: int) -> List[Event]:
        """The ticket's audit trail, oldest first."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        text = lib.text(lib.itsm_ticket_history, self._h(), encode_text("actor", actor), tid)
        return list_from_text(Event, text)


class TicketQuery:
    """A query that pages lazily. Iterating it yields :class:`~itsm.Ticket` objects,
    fetching the next page only when the previous one is used up; each new iteration starts
    again from the first page. :meth:`pages` yields whole pages instead."""

    def __init__(self, engine: Engine, actor: str, filters: Dict[str, Any]) -> None:
        self._engine = engine
        self._actor = actor
        self._filters = filters
        self.total: Optional[int] = None  #: Matches, known once the first page is fetched.

    def pages(self) -> Iterator[Page]:
        """The pages, fetched one by one as they are consumed."""
        body = dict(self._filters)
        while True:
            page = self._engine.query_page(self._actor, body)
            self.total = page.total
            yield page
            if page.next_cursor is None:
                return
            body["cursor"] = page.next_cursor

    def __iter__(self) -> Iterator[Ticket]:
        for page in self.pages():
            yield from page.tickets

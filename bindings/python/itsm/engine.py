"""The engine: one handle of the C ABI, with a method per C function."""

from __future__ import annotations

import ctypes
import json
import os
import threading
import weakref
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from . import _native
from .errors import InternalError, InvalidArgument

if TYPE_CHECKING:
    from .store import Store
from .model import (
    AvailableTransition,
    CategoryCount,
    Comment,
    Event,
    Explanation,
    Page,
    TagCount,
    Taxonomy,
    Ticket,
    check_id,
    comment_from_text,
    duration_micros,
    encode_body,
    encode_text,
    explanation_from_text,
    list_from_text,
    page_from_text,
    taxonomy_from_text,
    ticket_from_text,
    to_micros,
)

#: A configuration document: JSON text, or a dict that is sent as JSON.
Document = Union[str, Mapping[str, Any]]
SchemaArg = Optional[Document]


def _document(name: str, doc: Any) -> bytes:
    """A configuration document as UTF-8 JSON: text is passed as it is (the library parses
    and checks it), a mapping is encoded."""
    if isinstance(doc, str):
        return encode_text(name, doc)
    if not isinstance(doc, Mapping):
        raise InvalidArgument(f"{name}: expected JSON text or a dict, got {type(doc).__name__}")
    return encode_body(name, doc)


def _schema_bytes(schema: SchemaArg) -> Optional[bytes]:
    return None if schema is None else _document("schema", schema)


def _filter_bytes(filters: Mapping[str, Any]) -> Optional[bytes]:
    """The query body that filters counts; ``None`` (count everything) without filters."""
    return encode_body("query", filters) if filters else None


def _close_with(lib: "_native.Library", handle: ctypes.c_void_p, binding: Any, observers: Any) -> None:
    """Closes an engine; ``binding`` (a Python store, or None) and ``observers`` (whose
    destructor the close calls) are kept alive until then."""
    lib.itsm_engine_close(handle)
    del binding, observers


class _Observers:
    """The ctypes callbacks of an engine's subscriptions, kept alive while the library may
    call them: each until the library runs its destructor (on unsubscribe or close)."""

    def __init__(self) -> None:
        self.live: Dict[int, Any] = {}
        self.next_key = 1
        self.lock = threading.Lock()
        # One destructor for every subscription; user_data is the key of its callback.
        self.destroy = _native.OBSERVER_DESTROY_FN(self._release)

    def _release(self, key: Optional[int]) -> None:
        # Runs after the subscription's last callback has returned: dropping it is safe.
        self.live.pop(key or 0, None)

    def wrap(self, callback: Callable[[Event], None]) -> Tuple[int, Any]:
        def on_event(text: bytes, _user_data: Optional[int]) -> None:
            # An exception raised here goes on to ctypes, which reports it through
            # sys.unraisablehook and returns to the library: the commit stands and later
            # events are still delivered.
            callback(Event.from_json(json.loads(text)))

        thunk = _native.OBSERVER_EVENT_FN(on_event)
        with self.lock:
            key = self.next_key
            self.next_key += 1
            self.live[key] = thunk
        return key, thunk


class Engine:
    """A libitsm engine: a ticket store, a clock and a schema.

    Open one with :meth:`memory` or :meth:`manual_clock` and use it as a context manager,
    which closes it on exit::

        with itsm.Engine.memory() as engine:
            engine.create("alice", kind="incident", title="Mail is down")

    Every ticket method takes ``actor``, the id of the user the call is made as, or
    :attr:`system`, the engine's own trusted actor. Access control denies every user until
    the system sets a directory and an access policy (:meth:`set_directory`,
    :meth:`set_access`); see docs/access.md. Failures
    raise the :class:`~itsm.Error` subclass of the C status code, and leave the engine as
    it was. One engine may be used from several threads at once; :meth:`close` must not
    race with other calls on it.
    """

    def __init__(self, _handle: ctypes.c_void_p, _lib: "_native.Library", _manual: bool) -> None:
        """Private: use :meth:`memory` or :meth:`manual_clock`."""
        self._lib = _lib
        self._handle: Optional[ctypes.c_void_p] = _handle
        self._manual = _manual
        self._system: Optional[str] = None
        self._observers = _Observers()
        # Closes the handle if the engine is garbage-collected without close().
        self._finalizer = weakref.finalize(self, _close_with, _lib, _handle, None, self._observers)

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
    def open(cls, uri: str, schema: SchemaArg = None) -> "Engine":
        """An engine over the store named by ``uri`` and the system clock: ``"memory:"``, or
        ``"sqlite:///path/to/desk.db"`` (a plain path works too) for a durable SQLite file,
        created when absent, or ``"postgresql://user@host/db"`` (``?schema=name`` optional)
        for a PostgreSQL database shared with other processes. :meth:`close` closes it.
        Raises :class:`~itsm.StorageError` when the file cannot be opened or has a newer
        schema, :class:`~itsm.InvalidArgument` for an unknown URI scheme."""
        lib = _native.library()
        handle = ctypes.c_void_p()
        lib.check(lib.itsm_engine_open(uri.encode("utf-8"), _schema_bytes(schema), ctypes.byref(handle)))
        return cls(handle, lib, False)

    @classmethod
    def open_store(cls, store: "Store", schema: SchemaArg = None) -> "Engine":
        """An engine over a store written in Python (a subclass of :class:`itsm.Store`)
        and the system clock; the engine calls ``store.close()`` when it closes. Queries
        are answered from ``store.scan()`` (docs/storage.md, "Custom stores through the C
        ABI"). Raises :class:`~itsm.InvalidConfig` when the schema is refused."""
        from .store import StoreBinding

        lib = _native.library()
        binding = StoreBinding(lib, store)
        handle = ctypes.c_void_p()
        # The engine takes the table whatever the outcome.
        lib.check(lib.itsm_engine_open_store(binding.callbacks(), _schema_bytes(schema), ctypes.byref(handle)))
        engine = cls(handle, lib, False)
        # The library calls back into `binding` until the handle is closed: keep it as long.
        engine._finalizer.detach()
        engine._finalizer = weakref.finalize(engine, _close_with, lib, handle, binding, engine._observers)
        return engine

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

    def create_json(self, actor: str, kind: str, title: str, **fields: Any) -> str:
        """As :meth:`create`, but returns the new ticket as the ABI's JSON text instead of a
        :class:`~itsm.Ticket`: for hosts that pass the JSON on (a web API) or need little of
        it, it saves decoding the reply, which is most of the package's own cost."""
        fields["kind"] = kind
        fields["title"] = title
        body = encode_body("new_ticket", fields)
        lib = self._lib
        text = lib.text(lib.itsm_ticket_create, self._h(), encode_text("actor", actor), body)
        return text.decode("utf-8")

    def get_json(self, actor: str, ticket_id: int) -> str:
        """As :meth:`get`, but returns the ticket as the ABI's JSON text."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        text = lib.text(lib.itsm_ticket_get, self._h(), encode_text("actor", actor), tid)
        return text.decode("utf-8")

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


    # ---- Observers -----------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Event], None]) -> int:
        """Calls ``callback(event)`` once per committed event, in seq order, after the
        commit, on the thread whose call committed it (docs/python.md, "Observers"). The
        callback may call the engine again, and :meth:`unsubscribe` itself. An exception it
        raises does not undo the commit: it is reported through ``sys.unraisablehook`` and
        delivery goes on. Returns the subscription number for :meth:`unsubscribe`; the
        subscription ends at the latest when the engine closes."""
        if not callable(callback):
            raise InvalidArgument("callback: must be callable")
        lib = self._lib
        observers = self._observers
        key, thunk = observers.wrap(callback)
        number = ctypes.c_uint64()
        try:
            lib.check(lib.itsm_engine_subscribe(self._h(), thunk, observers.destroy, key, ctypes.byref(number)))
        except BaseException:
            observers.live.pop(key, None)  # refused: the library will never call it
            raise
        return number.value

    def unsubscribe(self, subscription: int) -> None:
        """Ends a subscription: its callback is not called again once this returns (from
        another thread, this waits for a callback in progress). Raises
        :class:`~itsm.NotFound` for a number that is not an active subscription."""
        lib = self._lib
        lib.check(lib.itsm_engine_unsubscribe(self._h(), check_id("subscription", subscription)))

    # ---- Access control ------------------------------------------------------------------

    @property
    def system(self) -> str:
        """The engine's system actor: a secret text that, passed as ``actor``, acts as the
        trusted host and passes every check (it is how the first directory and access
        policy are set). Each engine has its own. Keep it inside the process: never show it
        to end users, log it or store it."""
        if self._system is None:
            out = ctypes.c_char_p()
            self._lib.check(self._lib.itsm_engine_system_actor(self._h(), ctypes.byref(out)))
            if out.value is None:
                raise InternalError("libitsm reported success but returned no system actor")
            self._system = out.value.decode("utf-8")
        else:
            self._h()  # a closed engine has no system actor
        return self._system

    def set_directory(self, actor: str, directory: Document) -> None:
        """Replaces the directory (users and groups, docs/directory.md), given as JSON text
        or a dict. Needs ``manage.grants``. Raises :class:`~itsm.InvalidConfig` naming the
        JSON path, :class:`~itsm.PermissionDenied`."""
        lib = self._lib
        doc = _document("directory", directory)
        lib.check(lib.itsm_engine_set_directory_json(self._h(), encode_text("actor", actor), doc))

    def set_access(self, actor: str, policy: Document) -> None:
        """Replaces the access policy (segments, roles, grants, relationships,
        docs/access.md). Needs ``manage.grants``. Refused whole with
        :class:`~itsm.InvalidConfig` naming the JSON path."""
        lib = self._lib
        doc = _document("access", policy)
        lib.check(lib.itsm_engine_set_access_json(self._h(), encode_text("actor", actor), doc))

    def explain(self, actor: str, ticket_id: int, permission: str) -> Explanation:
        """Whether ``actor`` may exercise ``permission`` (e.g. ``"ticket.update"``) on the
        ticket, and why. Raises :class:`~itsm.NotFound` also for a ticket the actor may not
        read, :class:`~itsm.InvalidArgument` for an unknown permission."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        perm = encode_text("permission", permission)
        text = lib.text(lib.itsm_explain, self._h(), encode_text("actor", actor), tid, perm)
        return explanation_from_text(text)

    # ---- Workflows -----------------------------------------------------------------------

    def set_workflows(self, actor: str, workflows: Document) -> None:
        """Replaces the workflows with a document ``{"workflows": {...}}``
        (docs/workflows.md). Needs ``manage.workflows``. Raises :class:`~itsm.InvalidConfig`
        naming the JSON path; nothing changes on error."""
        lib = self._lib
        doc = _document("workflows", workflows)
        lib.check(lib.itsm_engine_set_workflows_json(self._h(), encode_text("actor", actor), doc))

    def load_config(self, actor: str, config: Document) -> None:
        """Applies a configuration document whose members are the documents of the setters,
        each optional: ``directory``, ``calendars``, ``access``, ``taxonomy``, ``routing``,
        ``sla_policies``, ``scorecard``, ``workflows`` (docs/configuration.md). All or
        nothing: on any refusal (a bad section, a missing permission) nothing stays applied,
        and the message names the JSON path, e.g. ``config_json: taxonomy.categories[0].id``."""
        lib = self._lib
        doc = _document("config", config)
        lib.check(lib.itsm_engine_load_config_json(self._h(), encode_text("actor", actor), doc))

    def load_config_file(self, actor: str, path: Union[str, "os.PathLike[str]"]) -> None:
        """As :meth:`load_config` over the JSON file at ``path``, which error messages name.
        Raises :class:`~itsm.NotFound` when the file cannot be read."""
        lib = self._lib
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidArgument(f"path: expected a str or a path, got {type(path).__name__}")
        name = encode_text("path", os.fspath(path))
        lib.check(lib.itsm_engine_load_config_file(self._h(), encode_text("actor", actor), name))

    def load_itil_workflows(self, actor: str) -> None:
        """Replaces the workflows with the shipped ITIL preset (incident, problem, change,
        service request, task). Needs ``manage.workflows``."""
        lib = self._lib
        lib.check(lib.itsm_engine_load_itil_workflows(self._h(), encode_text("actor", actor)))

    def transition(
        self,
        actor: str,
        ticket_id: int,
        transition: str,
        *,
        fields: Optional[Mapping[str, Any]] = None,
        comment: Optional[str] = None,
        work_note: bool = False,
        version: Optional[int] = None,
    ) -> Ticket:
        """Runs a workflow transition and returns the ticket afterwards. ``fields`` are the
        transition's inputs (``{"resolution_code": "solved_remotely", "custom.known_error":
        True}``), ``comment`` a reply recorded with it (a work note with
        ``work_note=True``), ``version`` the version the caller read. Raises
        :class:`~itsm.InvalidTransition` (wrong state, failed guard, approvals missing; the
        message starts with the rule), :class:`~itsm.ValidationFailed` (a missing or bad
        input), :class:`~itsm.Conflict`, :class:`~itsm.PermissionDenied`,
        :class:`~itsm.NotFound`. A refused transition changes nothing."""
        body: Dict[str, Any] = {}
        if fields is not None:
            body["fields"] = fields
        if comment is not None:
            body["comment"] = comment
            body["work_note"] = work_note
        if version is not None:
            body["version"] = version
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        tr = encode_text("transition", transition)
        data = encode_body("input", body) if body else None
        text = lib.text(lib.itsm_ticket_transition, self._h(), encode_text("actor", actor), tid, tr, data)
        return ticket_from_text(text)

    def available_transitions(self, actor: str, ticket_id: int) -> List[AvailableTransition]:
        """The transitions leaving the ticket's current state, each saying whether this
        actor may run it now and, if not, why."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        text = lib.text(lib.itsm_ticket_available_transitions, self._h(), encode_text("actor", actor), tid)
        return list_from_text(AvailableTransition, text)

    def approve(self, actor: str, ticket_id: int, comment: Optional[str] = None) -> Ticket:
        """The actor approves the current approval step; completing it may move the ticket
        (the workflow's ``on_approved``). Raises :class:`~itsm.PermissionDenied` when the
        actor is not a pending approver, :class:`~itsm.InvalidTransition` when no approval
        is in progress."""
        return self._decide(self._lib.itsm_ticket_approve, actor, ticket_id, comment)

    def reject(self, actor: str, ticket_id: int, comment: Optional[str] = None) -> Ticket:
        """The actor rejects the current approval step (the workflow's ``on_rejected`` may
        move the ticket). Refusals as :meth:`approve`."""
        return self._decide(self._lib.itsm_ticket_reject, actor, ticket_id, comment)

    def _decide(self, fn: Any, actor: str, ticket_id: int, comment: Optional[str]) -> Ticket:
        tid = check_id("ticket_id", ticket_id)
        c = None if comment is None else encode_text("comment", comment)
        return ticket_from_text(self._lib.text(fn, self._h(), encode_text("actor", actor), tid, c))

    def delegate(self, actor: str, ticket_id: int, to_user: str, comment: Optional[str] = None) -> Ticket:
        """Hands the actor's pending approval to ``to_user`` (recorded as
        ``delegated_from``). Raises :class:`~itsm.PermissionDenied` when the actor is not a
        pending approver, :class:`~itsm.Conflict` when ``to_user`` already has it pending."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        to = encode_text("to_user", to_user)
        c = None if comment is None else encode_text("comment", comment)
        text = lib.text(lib.itsm_ticket_delegate, self._h(), encode_text("actor", actor), tid, to, c)
        return ticket_from_text(text)

    def advance(self, now: datetime) -> int:
        """Emits the SLA warnings and breaches due at ``now`` in the order they were
        crossed, then runs the timed transitions due then (e.g. Resolved -> Closed five days
        after the resolution); each once. Returns how many ran. They run as the system."""
        ran = ctypes.c_uint64()
        lib = self._lib
        lib.check(lib.itsm_engine_advance(self._h(), to_micros("now", now), ctypes.byref(ran)))
        return ran.value

    # ---- SLA clocks ----------------------------------------------------------------------

    def set_calendars(self, actor: str, calendars: Document) -> None:
        """Replaces the business calendars with a document ``{"calendars": {...}}``
        (docs/sla.md). Needs ``manage.calendars``. Raises :class:`~itsm.InvalidConfig`
        naming the JSON path, or a calendar an SLA policy still uses."""
        lib = self._lib
        doc = _document("calendars", calendars)
        lib.check(lib.itsm_engine_set_calendars_json(self._h(), encode_text("actor", actor), doc))

    def set_sla_policies(self, actor: str, policies: Document) -> None:
        """Replaces the SLA policies with a document ``{"sla_policies": {...}}``
        (docs/sla.md); the calendars they name must be set first. Needs ``manage.sla``.
        Raises :class:`~itsm.InvalidConfig` naming the JSON path."""
        lib = self._lib
        doc = _document("policies", policies)
        a = encode_text("actor", actor)
        lib.check(lib.itsm_engine_set_sla_policies_json(self._h(), a, doc))

    def calendars(self, actor: str) -> Dict[str, Any]:
        """The business calendars in force, as the document :meth:`set_calendars` takes
        (``{"calendars": {}}`` until set); each week written out in full. Any valid actor
        may read them."""
        lib = self._lib
        text = lib.text(lib.itsm_engine_calendars_json, self._h(), encode_text("actor", actor))
        return _object("calendars", text)

    def sla_policies(self, actor: str) -> Dict[str, Any]:
        """The SLA policies in force, as the document :meth:`set_sla_policies` takes
        (``{"sla_policies": {}}`` until set). Any valid actor may read them."""
        lib = self._lib
        text = lib.text(lib.itsm_engine_sla_policies_json, self._h(), encode_text("actor", actor))
        return _object("sla_policies", text)

    def ticket_sla(self, actor: str, ticket_id: int) -> List[Dict[str, Any]]:
        """The ticket's SLA clocks at the engine's clock: one dict per clock with
        ``policy``, ``metric``, ``cycle``, ``state``, ``due``, ``elapsed``, ``remaining``,
        ``percentage``, ``paused`` (durations in seconds, instants ISO-8601 text), as in
        docs/sla.md. Raises :class:`~itsm.NotFound`."""
        lib = self._lib
        tid = check_id("ticket_id", ticket_id)
        text = lib.text(lib.itsm_ticket_sla, self._h(), encode_text("actor", actor), tid)
        clocks = json.loads(text)
        if not isinstance(clocks, list):
            raise InternalError(f"ticket_sla: expected a JSON array from libitsm, got {clocks!r}")
        return clocks

    # ---- Taxonomy and routing ------------------------------------------------------------

    def set_taxonomy(self, actor: str, taxonomy: Document) -> None:
        """Replaces the category tree (docs/taxonomy.md). Needs ``manage.taxonomy``. Raises
        :class:`~itsm.InvalidConfig` naming the JSON path, :class:`~itsm.Conflict` when the
        new tree lacks a category that tickets or routing rules use."""
        lib = self._lib
        doc = _document("taxonomy", taxonomy)
        lib.check(lib.itsm_engine_set_taxonomy_json(self._h(), encode_text("actor", actor), doc))

    def taxonomy(self, actor: str) -> Taxonomy:
        """The category tree in force, with retirements and former names."""
        lib = self._lib
        text = lib.text(lib.itsm_engine_taxonomy_json, self._h(), encode_text("actor", actor))
        return taxonomy_from_text(text)

    def set_routing(self, actor: str, rules: Document) -> None:
        """Replaces the routing rules (``{"rules": [...]}``, docs/taxonomy.md). Needs
        ``manage.taxonomy``; names are checked against the directory and the taxonomy in
        force. Raises :class:`~itsm.InvalidConfig` naming the JSON path."""
        lib = self._lib
        doc = _document("routing", rules)
        lib.check(lib.itsm_engine_set_routing_json(self._h(), encode_text("actor", actor), doc))

    def routing(self, actor: str) -> Dict[str, Any]:
        """The routing rules in force, as the document :meth:`set_routing` takes."""
        lib = self._lib
        text = lib.text(lib.itsm_engine_routing_json, self._h(), encode_text("actor", actor))
        rules = json.loads(text)
        if not isinstance(rules, dict):
            raise InternalError(f"routing: expected a JSON object from libitsm, got {rules!r}")
        return rules

    def rename_category(self, actor: str, category: str, name: str) -> None:
        """Renames a category; the old name stays in its ``former_names``."""
        self._category(self._lib.itsm_category_rename, actor, category, encode_text("name", name))

    def move_category(self, actor: str, category: str, new_parent: Optional[str]) -> None:
        """Moves a category and its subtree under ``new_parent`` (``None`` makes it a
        root). Raises :class:`~itsm.ValidationFailed` for a cycle or kinds the new parent
        does not allow."""
        parent = None if new_parent is None else encode_text("new_parent", new_parent)
        self._category(self._lib.itsm_category_move, actor, category, parent)

    def retire_category(self, actor: str, category: str) -> None:
        """Retires a category and its subtree: tickets keep it, new choices refuse it.
        Raises :class:`~itsm.Conflict` when it is already retired."""
        self._category(self._lib.itsm_category_retire, actor, category)

    def remove_category(self, actor: str, category: str) -> None:
        """Deletes a leaf category that nothing uses. Raises :class:`~itsm.Conflict` when a
        ticket or routing rule uses it or it has subcategories."""
        self._category(self._lib.itsm_category_remove, actor, category)

    def merge_category(self, actor: str, source: str, into: str) -> int:
        """Merges ``source`` into ``into``: its tickets are re-pointed (one event each, one
        commit), its subcategories move, it is retired. Returns how many tickets moved."""
        moved = ctypes.c_uint64()
        self._category(self._lib.itsm_category_merge, actor, source, encode_text("into", into), ctypes.byref(moved))
        return moved.value

    def _category(self, fn: Any, actor: str, category: str, *rest: Any) -> None:
        a = encode_text("actor", actor)
        self._lib.check(fn(self._h(), a, encode_text("category", category), *rest))

    def category_counts(self, actor: str, **filters: Any) -> List[CategoryCount]:
        """Tickets per category subtree, parents before children, over the tickets matching
        ``filters`` (query filters, without ``categories``) that the actor may read. Needs
        ``metrics.read``."""
        lib = self._lib
        body = _filter_bytes(filters)
        text = lib.text(lib.itsm_category_counts, self._h(), encode_text("actor", actor), body)
        return list_from_text(CategoryCount, text)

    def tag_counts(self, actor: str, **filters: Any) -> List[TagCount]:
        """How many matching tickets carry each tag, most used first. Needs
        ``metrics.read``."""
        lib = self._lib
        body = _filter_bytes(filters)
        text = lib.text(lib.itsm_tag_counts, self._h(), encode_text("actor", actor), body)
        return list_from_text(TagCount, text)


    # ---- Metrics -------------------------------------------------------------------------

    def metrics(self, actor: str, start: datetime, end: datetime, **filters: Any) -> Dict[str, Any]:
        """Service metrics over ``[start, end)`` replayed from the events (docs/metrics.md):
        MTTR, first contact resolution, reopen rate, SLA compliance, change success,
        self-service, backlog aging, weekly throughput and the scorecard, as a dict.
        ``filters``: ``kinds``, ``segments``, ``categories``, ``groups``, ``priorities``,
        ``service_kinds``, ``change_kinds``, ``knowledge_field``, ``calendar`` (a calendar
        document). Needs ``metrics.read``; counts only the tickets the actor may read.
        Raises :class:`~itsm.InvalidArgument` naming the member for a malformed query."""
        if "from" in filters or "to" in filters:
            raise InvalidArgument("metrics: give the period as start and end")
        body = dict(filters)
        body["from"] = start
        body["to"] = end
        lib = self._lib
        text = lib.text(
            lib.itsm_metrics, self._h(), encode_text("actor", actor), encode_body("query", body)
        )
        return _object("metrics", text)

    def set_scorecard(self, actor: str, scorecard: Document) -> None:
        """Replaces the scorecard targets (``{"scorecard": {...}}``, docs/metrics.md);
        members left out keep their defaults. Needs ``manage.sla``. Raises
        :class:`~itsm.InvalidConfig` naming the JSON path."""
        lib = self._lib
        doc = _document("scorecard", scorecard)
        lib.check(lib.itsm_engine_set_scorecard_json(self._h(), encode_text("actor", actor), doc))

    def scorecard(self, actor: str) -> Dict[str, Any]:
        """The scorecard targets in force, as the document :meth:`set_scorecard` takes."""
        lib = self._lib
        text = lib.text(lib.itsm_engine_scorecard_json, self._h(), encode_text("actor", actor))
        return _object("scorecard", text)

    # ---- Configuration version -----------------------------------------------------------

    def set_config_version(self, version: str) -> None:
        """Names the version of the configuration in force (docs/storage.md): every later
        commit is stored with it, and a durable store reports it after reopening. ``""``
        names none. Raises :class:`~itsm.InvalidArgument` for more than 200 bytes or a
        control character."""
        lib = self._lib
        lib.check(lib.itsm_engine_set_config_version(self._h(), encode_text("version", version)))

    @property
    def config_version(self) -> str:
        """The configuration version in force: the one last named, or on an engine just
        opened the one its store's latest commit was written under (``""`` for none)."""
        lib = self._lib
        return lib.text(lib.itsm_engine_config_version, self._h()).decode("utf-8")


def _object(name: str, text: bytes) -> Dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise InternalError(f"{name}: expected a JSON object from libitsm, got {value!r}")
    return value


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

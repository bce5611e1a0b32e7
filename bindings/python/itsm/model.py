"""Typed records parsed from the JSON the C ABI returns, and the conversions of values
(instants, request bodies) between Python and the ABI."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, fields
from dataclasses import field as _field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Type, TypeVar

from .errors import InternalError, InvalidArgument

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)


# ---- Instants ----------------------------------------------------------------------------


# Python 3.11 reads the "Z" itself; before, it must be spelled "+00:00".
_READS_Z = sys.version_info >= (3, 11)


def parse_instant(text: str) -> datetime:
    """An ISO-8601 UTC instant from the ABI (``2026-03-02T08:00:00Z``, with ``.ffffff``
    when there is a fraction) as a timezone-aware ``datetime`` in UTC."""
    if not _READS_Z and text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def _optional_instant(text: Optional[str]) -> Optional[datetime]:
    return None if text is None else parse_instant(text)


def _aware(name: str, when: Any) -> datetime:
    if not isinstance(when, datetime):
        raise InvalidArgument(f"{name}: expected a datetime, got {type(when).__name__}")
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidArgument(f"{name}: the datetime must be timezone-aware (e.g. tzinfo=timezone.utc)")
    return when


def to_micros(name: str, when: datetime) -> int:
    """Microseconds since 1970-01-01T00:00:00Z of a timezone-aware ``datetime``."""
    return (_aware(name, when) - EPOCH) // _MICRO


def duration_micros(name: str, delta: timedelta) -> int:
    """A ``timedelta`` in whole microseconds."""
    if not isinstance(delta, timedelta):
        raise InvalidArgument(f"{name}: expected a timedelta, got {type(delta).__name__}")
    return delta // _MICRO


def format_instant(name: str, when: datetime) -> str:
    """An aware ``datetime`` as the ABI's ISO-8601 UTC text."""
    utc = _aware(name, when).astimezone(timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


# ---- Request bodies ---------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_instant("(value)", value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    raise InvalidArgument(f"(value): {type(value).__name__} cannot be sent as JSON")


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)

try:  # the C encoder behind json, made once rather than per call as json.dumps does
    from json.encoder import c_make_encoder as _c_make_encoder  # type: ignore[attr-defined]
    from json.encoder import encode_basestring as _encode_basestring  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - CPython always has it
    _c_make_encoder = None

_dumps: Callable[[Any], str]
if _c_make_encoder is not None:
    # No circular-reference markers: a self-containing body ends in RecursionError, which
    # encode_body reports as InvalidArgument like any other body JSON cannot carry.
    _c_encoder = _c_make_encoder(
        None, _json_default, _encode_basestring, None, ":", ",", False, False, True
    )

    def _c_dumps(body: Any) -> str:
        return "".join(_c_encoder(body, 0))

    _dumps = _c_dumps

else:  # pragma: no cover
    _dumps = _encoder.encode


def encode_body(name: str, body: Mapping[str, Any]) -> bytes:
    """A request body as compact UTF-8 JSON. ``datetime`` values become ISO-8601 UTC text,
    sets sorted lists. Raises :class:`InvalidArgument` for what JSON cannot carry."""
    try:
        return _dumps(body).encode("utf-8")
    except InvalidArgument as e:
        raise InvalidArgument(f"{name}{e.message[len('(value)'):]}") from None
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as e:
        raise InvalidArgument(f"{name}: cannot be sent as JSON: {e}") from None


def encode_text(name: str, value: Any) -> bytes:
    """A string argument as NUL-terminated UTF-8. A C string ends at the first NUL, so a
    string containing one is refused rather than silently cut short."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{name}: expected a str, got {type(value).__name__}")
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgument(f"{name}: not valid Unicode (a lone surrogate)") from None
    if b"\0" in data:
        raise InvalidArgument(f"{name}: contains a NUL character")
    return data


def check_id(name: str, value: Any) -> int:
    """A ticket id: an int that fits the ABI's ``uint64_t``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name}: expected an int, got {type(value).__name__}")
    if not 0 <= value < 1 << 64:
        raise InvalidArgument(f"{name}: {value} is outside 0..2**64-1")
    return value


# ---- Records ----------------------------------------------------------------------------

R = TypeVar("R")


def _record(cls: Type[R], data: Any, converters: Mapping[str, Callable[[Any], Any]]) -> R:
    """Builds a record from a JSON object: known members (converted where a converter is
    given) become fields, members this package does not know go to ``extra``, so a library
    that adds members to its JSON never breaks parsing. ``data`` is not modified."""
    if not isinstance(data, dict):
        raise InternalError(f"{cls.__name__}: expected a JSON object from libitsm, got {data!r}")
    return _owned_record(cls, dict(data), converters)


def _owned_record(cls: Type[R], data: Dict[str, Any], converters: Mapping[str, Callable[[Any], Any]]) -> R:
    """As :func:`_record`, on a dict the caller hands over (it is reused for the fields).

    Records are built without calling ``__init__`` when every field is present, which
    makes parsing a ticket several times faster; the result is the same frozen dataclass.
    """
    known = _FIELDS[cls]
    extra = {}
    if not known.issuperset(data):
        extra = {name: data.pop(name) for name in data.keys() - known}
    for name, conv in converters.items():
        value = data.get(name)
        if value is not None:
            data[name] = conv(value)
    if len(data) == len(known):
        record = object.__new__(cls)
        data["extra"] = extra
        record.__dict__.update(data)
        return record
    try:  # some member is missing: __init__ applies the defaults or names what lacks
        return cls(**data, extra=extra)  # type: ignore[call-arg]
    except TypeError as e:
        raise InternalError(f"{cls.__name__}: unexpected JSON from libitsm: {e}") from None


def _parse(cls: Type[R], text: bytes, converters: Mapping[str, Callable[[Any], Any]]) -> R:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise InternalError(f"{cls.__name__}: expected a JSON object from libitsm, got {data!r}")
    return _owned_record(cls, data, converters)


@dataclass(frozen=True)
class Link:
    """A link as one ticket records it: ``type`` (e.g. ``"caused_by"``) to ``ticket`` (id)."""

    type: str
    ticket: int
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> "Link":
        return _record(cls, data, {})


@dataclass(frozen=True)
class Ticket:
    """A snapshot of a ticket. Fields are as in docs/ticket-model.md; optional ones are
    ``None`` when absent. ``custom`` holds the custom fields (instants stay ISO text, as the
    schema, not the JSON, knows their type). ``extra`` holds members of the ABI's JSON that
    this package version does not know."""

    id: int
    key: str
    kind: str
    state: str
    title: str
    description: str
    impact: int
    urgency: int
    priority: int
    priority_overridden: bool
    channel: str
    reopen_count: int
    category: Optional[str]
    requester: Optional[str]
    assignee: Optional[str]
    assignment_group: Optional[str]
    segment: Optional[str]
    tags: Tuple[str, ...]
    custom: Mapping[str, Any]
    links: Tuple[Link, ...]
    created: datetime
    updated: datetime
    resolved: Optional[datetime]
    closed: Optional[datetime]
    version: int
    watchers: Tuple[str, ...] = ()
    model: Optional[str] = None
    state_entered: Optional[datetime] = None
    hold_reason: Optional[str] = None
    resolution_code: Optional[str] = None
    resolution_notes: str = ""
    close_code: Optional[str] = None
    approvals: Tuple["Approval", ...] = ()
    #: The SLA clocks as stored with the ticket (docs/sla.md); Engine.ticket_sla evaluates them.
    sla: Tuple[Mapping[str, Any], ...] = ()
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    @property
    def pending_approvers(self) -> Tuple[str, ...]:
        """The users whose decision the current approval step still waits for."""
        return tuple(a.approver for a in self.approvals if a.decision == "pending")

    @classmethod
    def from_json(cls, data: Any) -> "Ticket":
        return _record(cls, data, _TICKET_CONVERTERS)


@dataclass(frozen=True)
class Approval:
    """One approver's record in the ticket's current approval round (docs/workflows.md):
    ``decision`` is ``pending``, ``approved``, ``rejected`` or ``canceled``; ``decided`` is
    when, ``delegated_from`` who handed it over, ``step`` the index of the approval step."""

    step: int
    approver: str
    decision: str
    decided: Optional[datetime] = None
    comment: str = ""
    delegated_from: Optional[str] = None
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> "Approval":
        return _record(cls, data, _APPROVAL_CONVERTERS)


_APPROVAL_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {"decided": parse_instant}

_TICKET_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "tags": tuple,
    "watchers": tuple,
    "links": lambda links: tuple(_record(Link, x, {}) for x in links),
    "approvals": lambda items: tuple(_record(Approval, x, _APPROVAL_CONVERTERS) for x in items),
    "sla": tuple,
    "created": parse_instant,
    "updated": parse_instant,
    "resolved": parse_instant,
    "closed": parse_instant,
    "state_entered": parse_instant,
}


@dataclass(frozen=True)
class Comment:
    """A public reply (``visibility == "public"``) or an internal work note
    (``"work_note"``). ``seq`` is the event that recorded it."""

    seq: int
    author: Optional[str]
    at: datetime
    visibility: str
    text: str
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    @property
    def work_note(self) -> bool:
        """True for an internal work note."""
        return self.visibility == "work_note"

    @classmethod
    def from_json(cls, data: Any) -> "Comment":
        return _record(cls, data, _COMMENT_CONVERTERS)


@dataclass(frozen=True)
class Event:
    """One audit record. ``type`` is ``created``, ``field_changed`` (with ``field``,
    ``old``, ``new``), ``comment``, ``work_note``, ``link_added``, ``link_removed`` (with
    ``link``), or a type added later; members it does not have are ``None``."""

    seq: int
    ticket: int
    at: datetime
    actor: Optional[str]
    type: str
    field: Optional[str] = None
    old: Any = None
    new: Any = None
    text: Optional[str] = None
    link: Optional[Link] = None
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> "Event":
        return _record(cls, data, _EVENT_CONVERTERS)


@dataclass(frozen=True)
class Page:
    """One page of a query: its tickets, the cursor of the next page (``None`` on the
    last) and the number of tickets that match the filters."""

    tickets: List[Ticket]
    next_cursor: Optional[str]
    total: int
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> "Page":
        return _record(cls, data, _PAGE_CONVERTERS)


_PAGE_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "tickets": lambda ts: [_record(Ticket, t, _TICKET_CONVERTERS) for t in ts]
}
_COMMENT_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {"at": parse_instant}
_EVENT_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {"at": parse_instant, "link": Link.from_json}


# ---- Access control, workflows, taxonomy ------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """Whether an actor may exercise a permission on a ticket, and why (docs/access.md):
    ``grant`` is the index of the deciding grant in the policy, ``relationship`` the
    deciding relationship (``requester``, ``assignee``, ...), ``reason`` a sentence."""

    allowed: bool
    system: bool
    grant: Optional[int]
    relationship: Optional[str]
    reason: str
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    def __bool__(self) -> bool:
        return self.allowed

    @classmethod
    def from_json(cls, data: Any) -> "Explanation":
        return _record(cls, data, {})


@dataclass(frozen=True)
class TransitionInput:
    """A value a transition asks for: the ``field`` it sets, whether it is ``required`` and
    the ``choices`` allowed (empty: any value of the field's type)."""

    field: str
    required: bool
    choices: Tuple[Any, ...] = ()
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> "TransitionInput":
        return _record(cls, data, {"choices": tuple})


@dataclass(frozen=True)
class AvailableTransition:
    """A transition leaving the ticket's current state, as seen by one actor. When it is
    not ``available``, ``rule`` says which rule refuses it (``permission``, ``state`` or the
    path of a guard) and ``reason`` why; both are ``None`` when it is available."""

    id: str
    label: str
    to: str
    available: bool
    rule: Optional[str]
    reason: Optional[str]
    inputs: Tuple[TransitionInput, ...] = ()
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> "AvailableTransition":
        return _record(cls, data, _AVAILABLE_CONVERTERS)


_AVAILABLE_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "inputs": lambda items: tuple(_record(TransitionInput, x, {"choices": tuple}) for x in items)
}


@dataclass(frozen=True)
class FormerName:
    """An earlier name of a category and the instant it stopped being used."""

    name: str
    until: datetime
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Category:
    """A category of the taxonomy (docs/taxonomy.md). ``kinds`` and ``segments`` are its
    own lists (empty: as the parent); ``former_names`` are oldest first."""

    id: str
    name: str
    parent: Optional[str] = None
    kinds: Tuple[str, ...] = ()
    segments: Tuple[str, ...] = ()
    retired: bool = False
    retired_at: Optional[datetime] = None
    merged_into: Optional[str] = None
    former_names: Tuple[FormerName, ...] = ()
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)


_CATEGORY_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "kinds": tuple,
    "segments": tuple,
    "retired_at": parse_instant,
    "former_names": lambda items: tuple(_record(FormerName, x, {"until": parse_instant}) for x in items),
}


@dataclass(frozen=True)
class Taxonomy:
    """The category tree in force, with its history. ``categories`` keep the engine's
    order; :meth:`category` finds one by id."""

    leaf_only: bool
    categories: Tuple[Category, ...]
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)

    def category(self, category_id: str) -> Category:
        """The category with this id; ``KeyError`` when there is none."""
        for c in self.categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)

    @classmethod
    def from_json(cls, data: Any) -> "Taxonomy":
        return _record(cls, data, _TAXONOMY_CONVERTERS)


_TAXONOMY_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "categories": lambda items: tuple(_record(Category, x, _CATEGORY_CONVERTERS) for x in items)
}


@dataclass(frozen=True)
class CategoryCount:
    """Tickets per category subtree: ``direct`` on the category itself, ``total`` in its
    subtree, ``open`` of those still open; ``path`` is the full path of names."""

    id: str
    path: str
    total: int
    open: int
    direct: int
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class TagCount:
    """How many of the matching tickets carry ``tag``."""

    tag: str
    count: int
    extra: Mapping[str, Any] = _field(default_factory=dict, compare=False, repr=False)


def ticket_from_text(text: bytes) -> Ticket:
    """A ticket from the ABI's JSON text."""
    return _parse(Ticket, text, _TICKET_CONVERTERS)


def comment_from_text(text: bytes) -> Comment:
    """A comment from the ABI's JSON text."""
    return _parse(Comment, text, _COMMENT_CONVERTERS)


def page_from_text(text: bytes) -> Page:
    """A query page from the ABI's JSON text."""
    return _parse(Page, text, _PAGE_CONVERTERS)


def explanation_from_text(text: bytes) -> Explanation:
    """An access-control explanation from the ABI's JSON text."""
    return _parse(Explanation, text, {})


def taxonomy_from_text(text: bytes) -> Taxonomy:
    """The taxonomy document from the ABI's JSON text."""
    return _parse(Taxonomy, text, _TAXONOMY_CONVERTERS)


def list_from_text(cls: Type[R], text: bytes) -> List[R]:
    """A JSON array of records of ``cls`` (comments, events, transitions, counts) from the
    ABI's text."""
    items = json.loads(text)
    if not isinstance(items, list):
        raise InternalError(f"expected a JSON array from libitsm, got {items!r}")
    converters = _LIST_CONVERTERS.get(cls, {})
    return [_record(cls, x, converters) for x in items]


_LIST_CONVERTERS: Mapping[type, Mapping[str, Callable[[Any], Any]]] = {
    Comment: _COMMENT_CONVERTERS,
    Event: _EVENT_CONVERTERS,
    AvailableTransition: _AVAILABLE_CONVERTERS,
}

_FIELDS = {
    cls: frozenset(f.name for f in fields(cls)) - {"extra"}
    for cls in (
        Link,
        Ticket,
        Approval,
        Comment,
        Event,
        Page,
        Explanation,
        TransitionInput,
        AvailableTransition,
        FormerName,
        Category,
        Taxonomy,
        CategoryCount,
        TagCount,
    )
}

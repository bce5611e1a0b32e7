"""libitsm for Python: the embeddable ITSM engine, through its C ABI with ctypes.

``Engine`` opens an engine; its ``system`` actor sets the directory and the access policy
(every user is denied until then), the workflows, the taxonomy and the routing rules.
``Calendar`` answers business-time questions. Tickets, comments, events, pages,
transitions, explanations and counts come back as the typed records of :mod:`itsm.model`;
failures raise the :class:`Error` subclass of the C status code. The library is loaded on
first use (see :func:`library_info` and docs/python.md).
"""

from ._version import VERSION_NUMBER, __version__
from .calendar import Calendar
from .engine import Engine, TicketQuery
from .store import Store, StoreCommit, TicketWrite
from .errors import (
    Conflict,
    Error,
    InternalError,
    InvalidArgument,
    InvalidConfig,
    InvalidTransition,
    LibraryError,
    NoMemory,
    NotFound,
    PermissionDenied,
    StorageError,
    ValidationFailed,
    error_for,
)
from .model import (
    Approval,
    AvailableTransition,
    Category,
    CategoryCount,
    Comment,
    Event,
    Explanation,
    FormerName,
    Link,
    Page,
    TagCount,
    Taxonomy,
    Ticket,
    TransitionInput,
)


def library_info() -> "tuple[str, str, str]":
    """Loads libitsm if needed and returns (version, path or name, how it was found:
    "ITSM_LIBRARY", "package" or "system"). Raises :class:`LibraryError`."""
    from . import _native

    lib = _native.library()
    return lib.itsm_version_string().decode(), lib.path, lib.source


__all__ = [
    "VERSION_NUMBER",
    "__version__",
    "Engine",
    "TicketQuery",
    "Store",
    "StoreCommit",
    "TicketWrite",
    "Calendar",
    "Ticket",
    "Comment",
    "Event",
    "Link",
    "Page",
    "Approval",
    "Explanation",
    "AvailableTransition",
    "TransitionInput",
    "Taxonomy",
    "Category",
    "FormerName",
    "CategoryCount",
    "TagCount",
    "Error",
    "InvalidArgument",
    "NotFound",
    "PermissionDenied",
    "InvalidTransition",
    "ValidationFailed",
    "Conflict",
    "InvalidConfig",
    "StorageError",
    "InternalError",
    "NoMemory",
    "LibraryError",
    "error_for",
    "library_info",
]

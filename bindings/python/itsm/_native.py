"""Finding libitsm, checking its version, and declaring the C functions this package calls.

Everything that touches ``ctypes`` lives here. To wrap a new C function, add one line to
:data:`SIGNATURES` and call it from a method (see docs/python.md).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int, c_int64, c_uint64, c_void_p
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List, Mapping, Optional, Tuple

from ._version import VERSION_NUMBER, __version__
from .errors import Error, InternalError, LibraryError, error_for

#: ``char**`` out parameters are declared as pointers to ``void*``, so that the pointer
#: itself is kept (to be passed to ``itsm_free``) rather than converted to ``bytes``.
OUT = POINTER(c_void_p)
ENGINE = c_void_p
CALENDAR = c_void_p

# Custom stores (docs/storage.md): the opaque handles, and the callback types of itsm.h.
STORE_CALLBACKS = c_void_p
STORE_RESULT = c_void_p
STORE_COMMIT = c_void_p
STORE_DESTROY_FN = CFUNCTYPE(None, c_void_p)
STORE_GET_FN = CFUNCTYPE(c_int, c_uint64, STORE_RESULT, c_void_p)
STORE_GET_BY_KEY_FN = CFUNCTYPE(c_int, c_char_p, STORE_RESULT, c_void_p)
STORE_SCAN_FN = CFUNCTYPE(c_int, STORE_RESULT, c_void_p)
STORE_HISTORY_FN = CFUNCTYPE(c_int, c_uint64, STORE_RESULT, c_void_p)
STORE_SIZE_FN = CFUNCTYPE(c_int, POINTER(c_uint64), STORE_RESULT, c_void_p)
STORE_ALLOCATE_FN = CFUNCTYPE(c_int, c_char_p, POINTER(c_uint64), POINTER(c_uint64), STORE_RESULT, c_void_p)
STORE_COMMIT_FN = CFUNCTYPE(c_int, STORE_COMMIT, STORE_RESULT, c_void_p)
STORE_META_GET_FN = CFUNCTYPE(c_int, c_char_p, STORE_RESULT, c_void_p)
STORE_META_SET_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, STORE_RESULT, c_void_p)
STORE_BEGIN_BATCH_FN = CFUNCTYPE(c_int, STORE_RESULT, c_void_p)
STORE_END_BATCH_FN = CFUNCTYPE(c_int, c_int, STORE_RESULT, c_void_p)

# Observers: the callback types of itsm_engine_subscribe.
OBSERVER_EVENT_FN = CFUNCTYPE(None, c_char_p, c_void_p)
OBSERVER_DESTROY_FN = CFUNCTYPE(None, c_void_p)

#: The callback types by the name of their setter (itsm_store_callbacks_set_<name>).
STORE_CALLBACK_TYPES: Mapping[str, Any] = {
    "get": STORE_GET_FN,
    "get_by_key": STORE_GET_BY_KEY_FN,
    "scan": STORE_SCAN_FN,
    "history": STORE_HISTORY_FN,
    "size": STORE_SIZE_FN,
    "allocate": STORE_ALLOCATE_FN,
    "commit": STORE_COMMIT_FN,
    "meta_get": STORE_META_GET_FN,
    "meta_set": STORE_META_SET_FN,
    "begin_batch": STORE_BEGIN_BATCH_FN,
    "end_batch": STORE_END_BATCH_FN,
}

#: The C functions this package binds: name -> (return type, argument types). The table is
#: the only place that spells out a C signature; :class:`Library` binds every entry when it
#: loads, and refuses a library that lacks one.
SIGNATURES: Mapping[str, Tuple[Any, Tuple[Any, ...]]] = {
    # Library
    "itsm_version_number": (c_int, ()),
    "itsm_version_string": (c_char_p, ()),
    "itsm_last_error": (c_char_p, ()),
    "itsm_last_error_code": (c_int, ()),
    "itsm_free": (None, (c_void_p,)),
    # Engine
    "itsm_engine_open_memory": (c_int, (c_char_p, POINTER(ENGINE))),
    "itsm_engine_open": (c_int, (c_char_p, c_char_p, POINTER(ENGINE))),
    "itsm_engine_open_memory_at": (c_int, (c_char_p, c_int64, POINTER(ENGINE))),
    "itsm_engine_set_time": (c_int, (ENGINE, c_int64)),
    "itsm_engine_advance_clock": (c_int, (ENGINE, c_int64)),
    "itsm_engine_close": (None, (ENGINE,)),
    # Tickets
    "itsm_ticket_create": (c_int, (ENGINE, c_char_p, c_char_p, OUT)),
    "itsm_ticket_get": (c_int, (ENGINE, c_char_p, c_uint64, OUT)),
    "itsm_ticket_get_by_key": (c_int, (ENGINE, c_char_p, c_char_p, OUT)),
    "itsm_ticket_update": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, OUT)),
    "itsm_ticket_comment": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, c_int, OUT)),
    "itsm_ticket_comments": (c_int, (ENGINE, c_char_p, c_uint64, OUT)),
    "itsm_ticket_link": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, c_uint64)),
    "itsm_ticket_unlink": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, c_uint64)),
    "itsm_ticket_query": (c_int, (ENGINE, c_char_p, c_char_p, OUT)),
    "itsm_ticket_history": (c_int, (ENGINE, c_char_p, c_uint64, OUT)),
    # Calendars
    "itsm_calendar_new_json": (c_int, (c_char_p, c_char_p, POINTER(CALENDAR))),
    "itsm_calendar_free": (None, (CALENDAR,)),
    "itsm_calendar_add": (c_int, (CALENDAR, c_int64, c_int64, POINTER(c_int64))),
    "itsm_calendar_subtract": (c_int, (CALENDAR, c_int64, c_int64, POINTER(c_int64))),
    "itsm_calendar_between": (c_int, (CALENDAR, c_int64, c_int64, POINTER(c_int64))),
    "itsm_calendar_is_open": (c_int, (CALENDAR, c_int64, POINTER(c_int))),
    "itsm_calendar_next_opening": (c_int, (CALENDAR, c_int64, POINTER(c_int64))),
    "itsm_calendar_next_closing": (c_int, (CALENDAR, c_int64, POINTER(c_int64))),
    # Taxonomy and routing
    "itsm_engine_set_taxonomy_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_engine_taxonomy_json": (c_int, (ENGINE, c_char_p, OUT)),
    "itsm_engine_set_routing_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_engine_routing_json": (c_int, (ENGINE, c_char_p, OUT)),
    "itsm_category_rename": (c_int, (ENGINE, c_char_p, c_char_p, c_char_p)),
    "itsm_category_move": (c_int, (ENGINE, c_char_p, c_char_p, c_char_p)),
    "itsm_category_retire": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_category_merge": (c_int, (ENGINE, c_char_p, c_char_p, c_char_p, POINTER(c_uint64))),
    "itsm_category_remove": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_category_counts": (c_int, (ENGINE, c_char_p, c_char_p, OUT)),
    "itsm_tag_counts": (c_int, (ENGINE, c_char_p, c_char_p, OUT)),
    # Access control
    "itsm_engine_system_actor": (c_int, (ENGINE, POINTER(c_char_p))),
    "itsm_engine_set_directory_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_engine_set_access_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_explain": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, OUT)),
    # Workflows
    "itsm_engine_set_workflows_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_engine_load_itil_workflows": (c_int, (ENGINE, c_char_p)),
    "itsm_ticket_transition": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, c_char_p, OUT)),
    "itsm_ticket_available_transitions": (c_int, (ENGINE, c_char_p, c_uint64, OUT)),
    "itsm_ticket_approve": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, OUT)),
    "itsm_ticket_reject": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, OUT)),
    "itsm_ticket_delegate": (c_int, (ENGINE, c_char_p, c_uint64, c_char_p, c_char_p, OUT)),
    "itsm_engine_advance": (c_int, (ENGINE, c_int64, POINTER(c_uint64))),
    # SLA clocks
    "itsm_engine_set_calendars_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_engine_set_sla_policies_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_ticket_sla": (c_int, (ENGINE, c_char_p, c_uint64, OUT)),
    "itsm_engine_calendars_json": (c_int, (ENGINE, c_char_p, OUT)),
    "itsm_engine_sla_policies_json": (c_int, (ENGINE, c_char_p, OUT)),
    # Metrics
    "itsm_metrics": (c_int, (ENGINE, c_char_p, c_char_p, OUT)),
    "itsm_engine_set_scorecard_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_engine_scorecard_json": (c_int, (ENGINE, c_char_p, OUT)),
    # Configuration version
    "itsm_engine_set_config_version": (c_int, (ENGINE, c_char_p)),
    "itsm_engine_config_version": (c_int, (ENGINE, OUT)),
    # Configuration at once
    "itsm_engine_load_config_json": (c_int, (ENGINE, c_char_p, c_char_p)),
    "itsm_engine_load_config_file": (c_int, (ENGINE, c_char_p, c_char_p)),
    # Observers
    "itsm_engine_subscribe": (
        c_int,
        (ENGINE, OBSERVER_EVENT_FN, OBSERVER_DESTROY_FN, c_void_p, POINTER(c_uint64)),
    ),
    "itsm_engine_unsubscribe": (c_int, (ENGINE, c_uint64)),
    # Custom stores
    "itsm_store_callbacks_new": (c_int, (c_void_p, STORE_DESTROY_FN, POINTER(STORE_CALLBACKS))),
    "itsm_store_callbacks_free": (None, (STORE_CALLBACKS,)),
    **{
        f"itsm_store_callbacks_set_{name}": (c_int, (STORE_CALLBACKS, fn_type))
        for name, fn_type in STORE_CALLBACK_TYPES.items()
    },
    "itsm_engine_open_store": (c_int, (STORE_CALLBACKS, c_char_p, POINTER(ENGINE))),
    "itsm_store_result_add": (c_int, (STORE_RESULT, c_char_p)),
    "itsm_store_result_set_error": (c_int, (STORE_RESULT, c_char_p)),
    "itsm_store_commit_counts": (c_int, (STORE_COMMIT, POINTER(c_uint64), POINTER(c_uint64))),
    "itsm_store_commit_ticket": (
        c_int,
        (
            STORE_COMMIT,
            c_uint64,
            POINTER(c_uint64),
            POINTER(c_char_p),
            POINTER(c_uint64),
            POINTER(c_uint64),
            POINTER(c_char_p),
        ),
    ),
    "itsm_store_commit_event": (
        c_int,
        (STORE_COMMIT, c_uint64, c_uint64, POINTER(c_uint64), POINTER(c_char_p)),
    ),
}

#: The file names libitsm has on each platform, tried in this order.
if sys.platform == "darwin":
    LIBRARY_NAMES: Tuple[str, ...] = ("libitsm.0.dylib", "libitsm.dylib")
elif sys.platform == "win32":
    LIBRARY_NAMES = ("itsm.dll", "libitsm.dll")
else:
    LIBRARY_NAMES = ("libitsm.so.0", "libitsm.so")

#: The folder of this package: a library placed here is found without configuration.
PACKAGE_DIR = Path(__file__).resolve().parent


class Library:
    """A loaded libitsm whose version matches this package, with every function of
    :data:`SIGNATURES` bound as an attribute of the same name."""

    def __init__(self, cdll: ctypes.CDLL, path: str, source: str) -> None:
        self.path = path  #: The file or name it was loaded from.
        self.source = source  #: "ITSM_LIBRARY", "package" or "system".
        # The version first: a library of another version is refused as such, whatever
        # functions it has or lacks.
        for name in ("itsm_version_number", "itsm_version_string"):
            self._bind(cdll, name)
        found = self.itsm_version_number()
        if found != VERSION_NUMBER:
            raise LibraryError(
                f"{path}: libitsm version {self.itsm_version_string().decode()} ({found}) does "
                f"not match this itsm package, which needs exactly {__version__} "
                f"({VERSION_NUMBER}); install the matching library or point ITSM_LIBRARY at it"
            )
        for name in SIGNATURES:
            self._bind(cdll, name)
        self._cdll = cdll  # keeps the library loaded while this object lives

    if TYPE_CHECKING:  # the C functions are bound at run time, one attribute each

        def __getattr__(self, name: str) -> Any: ...

    def _bind(self, cdll: ctypes.CDLL, name: str) -> None:
        restype, argtypes = SIGNATURES[name]
        try:
            fn = getattr(cdll, name)
        except AttributeError:
            raise LibraryError(
                f"{self.path}: lacks the function {name}; it is not the libitsm this package "
                f"({__version__}) was written for"
            ) from None
        fn.restype = restype
        fn.argtypes = argtypes
        setattr(self, name, fn)

    def error(self, code: int) -> Error:
        """The exception for a failed call made just before on this thread (the message is
        the thread's ``itsm_last_error()``)."""
        message = self.itsm_last_error().decode("utf-8", "replace")
        return error_for(code, message)

    def check(self, code: int) -> None:
        """Raises the exception for a non-zero status."""
        if code != 0:
            raise self.error(code)

    def text(self, fn: Callable[..., int], *args: Any) -> bytes:
        """Calls a function whose last parameter is a ``char**`` out parameter and returns
        what it wrote, as bytes; the library's string is released with ``itsm_free``."""
        out = c_void_p()
        code = fn(*args, ctypes.byref(out))
        try:
            if code != 0:
                raise self.error(code)
            if out.value is None:
                raise InternalError("libitsm reported success but returned no string")
            return ctypes.string_at(out.value)
        finally:
            self.itsm_free(out)  # NULL is a no-op; the last error is left alone


def candidates(
    env: Optional[Mapping[str, str]] = None, package_dir: Optional[Path] = None
) -> List[Tuple[str, str]]:
    """The places libitsm is looked for, in order, as (source, file or name) pairs:

    1. the path in ``ITSM_LIBRARY``, when it is set (then nothing else is tried);
    2. a library file next to the package;
    3. the names in :data:`LIBRARY_NAMES`, for the system's search path (``LD_LIBRARY_PATH``,
       the loader cache, the standard folders).
    """
    env = os.environ if env is None else env
    package_dir = PACKAGE_DIR if package_dir is None else package_dir
    explicit = env.get("ITSM_LIBRARY", "")
    if explicit:
        return [("ITSM_LIBRARY", explicit)]
    found = [("package", str(package_dir / n)) for n in LIBRARY_NAMES if (package_dir / n).is_file()]
    return found + [("system", n) for n in LIBRARY_NAMES]


def open_library(
    env: Optional[Mapping[str, str]] = None, package_dir: Optional[Path] = None
) -> Library:
    """Loads libitsm from the first of :func:`candidates` that loads. A library that loads
    but has the wrong version or lacks a function is refused at once (a library further
    down the list is not tried instead). Raises :class:`~itsm.LibraryError`."""
    tried = []
    for source, path in candidates(env, package_dir):
        try:
            cdll = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({source}): {e}")
            continue
        return Library(cdll, path, source)
    raise LibraryError(
        "libitsm not found; set ITSM_LIBRARY to the path of libitsm, or install it. Tried: "
        + "; ".join(tried)
    )


_lock = threading.Lock()
_library: Optional[Library] = None


def library() -> Library:
    """The process-wide library, loaded on first use with :func:`open_library`."""
    global _library
    lib = _library
    if lib is None:
        with _lock:
            if _library is None:
                _library = open_library()
            lib = _library
    return lib

"""Exceptions: one class per status code of the C ABI, all derived from :class:`Error`."""

from __future__ import annotations

from typing import Dict, Type


class Error(Exception):
    """A call into libitsm failed.

    ``code`` is the C ABI status (a negative ``ITSM_E_*`` value) and ``message`` the text
    of ``itsm_last_error()``, which names the parameter, field or JSON path at fault first,
    e.g. ``"title: must not be empty"``. A failed call leaves no trace in the engine.
    """

    #: The status code this class stands for; the base class has none of its own.
    CODE: int = 0

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code: int = self.CODE if code is None else code
        self.message: str = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, message={self.message!r})"


class InvalidArgument(Error, ValueError):
    """Malformed input: a bad or missing value, bad JSON, an unknown member, a bad cursor."""

    CODE = -1


class NotFound(Error, LookupError):
    """No such ticket, link, ..."""

    CODE = -2


class PermissionDenied(Error):
    """The actor may not do this."""

    CODE = -3


class InvalidTransition(Error):
    """The workflow refuses this transition now."""

    CODE = -4


class ValidationFailed(Error, ValueError):
    """Well-formed input that breaks a rule: an empty title, an unknown kind, a link cycle."""

    CODE = -5


class Conflict(Error):
    """A stale version, a duplicate, the same link twice."""

    CODE = -6


class InvalidConfig(Error, ValueError):
    """A configuration document is refused; the message names the JSON path."""

    CODE = -7


class StorageError(Error):
    """The store failed."""

    CODE = -8


class InternalError(Error):
    """A bug in libitsm (or in this package); please report it with the message."""

    CODE = -9


class NoMemory(Error, MemoryError):
    """An allocation failed inside libitsm."""

    CODE = -10


class LibraryError(OSError):
    """libitsm cannot be found or loaded, lacks a function, or is not this package's version."""


_BY_CODE: Dict[int, Type[Error]] = {
    cls.CODE: cls
    for cls in (
        InvalidArgument,
        NotFound,
        PermissionDenied,
        InvalidTransition,
        ValidationFailed,
        Conflict,
        InvalidConfig,
        StorageError,
        InternalError,
        NoMemory,
    )
}


def error_for(code: int, message: str) -> Error:
    """The exception for a status code: its own class, or :class:`Error` for a code that
    this version of the package does not know (new codes are only ever added)."""
    cls = _BY_CODE.get(code, Error)
    return cls(message, code)

"""The exception classes and their mapping from the C status codes."""

from __future__ import annotations

import pytest

import itsm

CODES = [
    (-1, itsm.InvalidArgument),
    (-2, itsm.NotFound),
    (-3, itsm.PermissionDenied),
    (-4, itsm.InvalidTransition),
    (-5, itsm.ValidationFailed),
    (-6, itsm.Conflict),
    (-7, itsm.InvalidConfig),
    (-8, itsm.StorageError),
    (-9, itsm.InternalError),
    (-10, itsm.NoMemory),
]


@pytest.mark.parametrize("code,cls", CODES)
def test_every_status_code_has_its_class(code: int, cls: type) -> None:
    e = itsm.error_for(code, "where: what")
    assert type(e) is cls
    assert isinstance(e, itsm.Error)
    assert e.code == code == cls.CODE
    assert e.message == "where: what" == str(e)
    assert cls.__name__ in repr(e) and str(code) in repr(e)


def test_an_unknown_code_is_the_base_class_with_its_code() -> None:
    e = itsm.error_for(-42, "new in a later version")
    assert type(e) is itsm.Error
    assert e.code == -42


def test_classes_also_derive_from_the_matching_builtin() -> None:
    assert issubclass(itsm.InvalidArgument, ValueError)
    assert issubclass(itsm.ValidationFailed, ValueError)
    assert issubclass(itsm.NotFound, LookupError)
    assert issubclass(itsm.NoMemory, MemoryError)
    assert issubclass(itsm.LibraryError, OSError)
    assert not issubclass(itsm.LibraryError, itsm.Error)


def test_codes_come_from_the_library(engine: itsm.Engine) -> None:
    # A real refusal carries the C status and itsm_last_error()'s message.
    with pytest.raises(itsm.NotFound) as info:
        engine.get("dave", 99)
    assert info.value.code == -2
    assert info.value.message.startswith("ticket") or "99" in info.value.message

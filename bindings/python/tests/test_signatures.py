"""The ctypes declarations against the C prototypes in capi/itsm.h: a wrong argument type
in SIGNATURES would not fail loudly, it would corrupt memory. The header is read whole:
every exported function must be declared here, and every declaration must match."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

from itsm import _native

HEADER = Path(__file__).resolve().parents[3] / "capi" / "itsm.h"

# C parameter and return types as this package declares them.
C_TYPES: Dict[str, Any] = {
    "void": None,
    "int": ctypes.c_int,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
    "uint64_t*": ctypes.POINTER(ctypes.c_uint64),
    "const char*": ctypes.c_char_p,
    "const char**": ctypes.POINTER(ctypes.c_char_p),
    "void*": ctypes.c_void_p,
    "itsm_engine*": _native.ENGINE,
    "itsm_engine**": ctypes.POINTER(_native.ENGINE),
    "char**": _native.OUT,
    "itsm_calendar*": _native.CALENDAR,
    "const itsm_calendar*": _native.CALENDAR,
    "itsm_calendar**": ctypes.POINTER(_native.CALENDAR),
    "int64_t*": ctypes.POINTER(ctypes.c_int64),
    "int*": ctypes.POINTER(ctypes.c_int),
    "uint64_t*": ctypes.POINTER(ctypes.c_uint64),
    "const char**": ctypes.POINTER(ctypes.c_char_p),
    # Custom stores: opaque handles, and the callback types as _native spells them.
    "itsm_store_callbacks*": _native.STORE_CALLBACKS,
    "itsm_store_callbacks**": ctypes.POINTER(_native.STORE_CALLBACKS),
    "itsm_store_result*": _native.STORE_RESULT,
    "itsm_store_commit*": _native.STORE_COMMIT,
    "const itsm_store_commit*": _native.STORE_COMMIT,
    "itsm_store_destroy_fn": _native.STORE_DESTROY_FN,
    **{f"itsm_store_{name}_fn": fn for name, fn in _native.STORE_CALLBACK_TYPES.items()},
    # Observers
    "itsm_observer_event_fn": _native.OBSERVER_EVENT_FN,
    "itsm_observer_destroy_fn": _native.OBSERVER_DESTROY_FN,
}

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
PROTOTYPE = re.compile(r"ITSM_API\s+([\w\s\*]+?)\s*\b(itsm_\w+)\s*\(([^)]*)\)\s*;")


def c_type(text: str, where: str) -> Any:
    """The ctypes type of a C type spelled with any spacing (``const char **``)."""
    spelled = re.sub(r"\s*\*", "*", " ".join(text.split()))
    assert spelled in C_TYPES, f"{where}: the C type {spelled!r} has no ctypes mapping in this test"
    return C_TYPES[spelled]


def header_text() -> str:
    """The header without its comments (which mention function names and parentheses)."""
    return COMMENT.sub(" ", HEADER.read_text())


def prototypes() -> Dict[str, Tuple[Any, Tuple[Any, ...]]]:
    found = {}
    for ret, name, params in PROTOTYPE.findall(header_text()):
        args = []
        for i, p in enumerate(params.split(",")):
            p = " ".join(p.split())
            if p in ("void", ""):
                continue
            # Drop the parameter name: the last word, unless the parameter is only a type.
            typ = re.sub(r"\s*\b\w+$", "", p) if re.search(r"[\w*]\s+\w+$|\*\s*\w+$", p) else p
            args.append(c_type(typ, f"{name} parameter {i}"))
        found[name] = (c_type(ret, f"{name} result"), tuple(args))
    return found


pytestmark = pytest.mark.skipif(not HEADER.is_file(), reason="runs in the source tree, next to capi/itsm.h")


def test_the_header_is_read_whole() -> None:
    protos = prototypes()
    # Every ITSM_API that is not the macro's own definition is one prototype.
    exported = len(re.findall(r"^\s*ITSM_API\b", header_text(), re.M))
    assert exported > 40 and len(protos) == exported
    assert protos["itsm_ticket_create"] == (
        ctypes.c_int,
        (_native.ENGINE, ctypes.c_char_p, ctypes.c_char_p, _native.OUT),
    )
    assert protos["itsm_free"] == (None, (ctypes.c_void_p,))
    assert protos["itsm_engine_system_actor"] == (ctypes.c_int, (_native.ENGINE, ctypes.POINTER(ctypes.c_char_p)))
    assert protos["itsm_engine_advance"] == (
        ctypes.c_int,
        (_native.ENGINE, ctypes.c_int64, ctypes.POINTER(ctypes.c_uint64)),
    )


def test_every_function_of_the_header_is_declared() -> None:
    assert sorted(set(prototypes()) - set(_native.SIGNATURES)) == []


@pytest.mark.parametrize("name", sorted(_native.SIGNATURES))
def test_each_declaration_matches_its_prototype(name: str) -> None:
    protos = prototypes()
    assert name in protos, f"{name} is not in itsm.h"
    assert _native.SIGNATURES[name] == protos[name]


def test_every_declared_function_is_used() -> None:
    source = "".join(p.read_text() for p in Path(_native.__file__).parent.glob("*.py") if p.name != "_native.py")
    internal = {"itsm_version_number", "itsm_version_string", "itsm_last_error", "itsm_last_error_code", "itsm_free"}
    unused = [n for n in _native.SIGNATURES if n not in internal and f"lib.{n}" not in source]
    assert unused == []

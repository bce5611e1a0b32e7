"""The ctypes declarations against the C prototypes in capi/itsm.h: a wrong argument type
in SIGNATURES would not fail loudly, it would corrupt memory."""

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
    "const char*": ctypes.c_char_p,
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
}

PROTOTYPE = re.compile(r"ITSM_API\s+([\w\s\*]+?)\s*\b(itsm_\w+)\s*\(([^)]*)\)\s*;", re.S)


def prototypes() -> Dict[str, Tuple[Any, Tuple[Any, ...]]]:
    found = {}
    for ret, name, params in PROTOTYPE.findall(HEADER.read_text()):
        args = []
        for p in params.split(","):
            p = " ".join(p.split())
            if p in ("void", ""):
                continue
            ctype = re.sub(r"\s*\w+$", "", p).replace(" *", "*")  # drop the parameter name
            args.append(C_TYPES[ctype])
        found[name] = (C_TYPES[" ".join(ret.split()).replace(" *", "*")], tuple(args))
    return found


pytestmark = pytest.mark.skipif(not HEADER.is_file(), reason="runs in the source tree, next to capi/itsm.h")


def test_the_header_is_read() -> None:
    protos = prototypes()
    assert protos["itsm_ticket_create"] == (
        ctypes.c_int,
        (_native.ENGINE, ctypes.c_char_p, ctypes.c_char_p, _native.OUT),
    )
    assert protos["itsm_free"] == (None, (ctypes.c_void_p,))


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

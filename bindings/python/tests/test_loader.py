"""Finding libitsm: ITSM_LIBRARY, then next to the package, then the system search path;
and refusing a library of another version."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import itsm
from itsm import _native

REAL = _native.library().path  # the library this test run uses (ITSM_LIBRARY in scripts/test)
NAME = _native.LIBRARY_NAMES[0]

needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")


def fake_library(tmp: Path, version: int, functions: bool = True) -> Path:
    """Compiles a library that claims to be libitsm `version`, with every function of
    SIGNATURES (all failing) or with the version functions only."""
    lines = [
        f"int itsm_version_number(void) {{ return {version}; }}",
        'const char* itsm_version_string(void) { return "fake"; }',
    ]
    if functions:
        lines += [f"int {name}(void) {{ return -9; }}" for name in _native.SIGNATURES if not name.startswith("itsm_version")]
    src = tmp / "fake.c"
    src.write_text("\n".join(lines) + "\n")
    out = tmp / f"fake{version}{'' if functions else '-bare'}.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    return out


def test_the_order_of_candidates(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    system = [("system", n) for n in _native.LIBRARY_NAMES]
    assert _native.candidates({}, empty) == system
    (tmp_path / NAME).write_bytes(b"")
    assert _native.candidates({}, tmp_path) == [("package", str(tmp_path / NAME))] + system
    # ITSM_LIBRARY wins and is then the only candidate.
    assert _native.candidates({"ITSM_LIBRARY": "/x/libitsm.so"}, tmp_path) == [("ITSM_LIBRARY", "/x/libitsm.so")]
    # An empty ITSM_LIBRARY counts as unset.
    assert _native.candidates({"ITSM_LIBRARY": ""}, empty) == system


def test_loads_from_itsm_library(tmp_path: Path) -> None:
    lib = _native.open_library({"ITSM_LIBRARY": REAL}, tmp_path)
    assert (lib.source, lib.path) == ("ITSM_LIBRARY", REAL)
    assert lib.itsm_version_number() == itsm.VERSION_NUMBER


def test_loads_from_next_to_the_package(tmp_path: Path) -> None:
    shutil.copy(REAL, tmp_path / NAME)
    lib = _native.open_library({}, tmp_path)
    assert (lib.source, lib.path) == ("package", str(tmp_path / NAME))


def test_loads_from_the_system_search_path(tmp_path: Path) -> None:
    # A fresh process: the dynamic loader reads LD_LIBRARY_PATH when the process starts.
    libdir = tmp_path / "lib"
    libdir.mkdir()
    shutil.copy(REAL, libdir / NAME)
    env = {k: v for k, v in os.environ.items() if k != "ITSM_LIBRARY"}
    env["LD_LIBRARY_PATH"] = str(libdir)
    code = (
        "from pathlib import Path; from itsm import _native;"
        f"lib = _native.open_library(package_dir=Path({str(tmp_path)!r}));"
        "print(lib.source, lib.path, lib.itsm_version_number())"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["system", NAME, str(itsm.VERSION_NUMBER)]


def test_a_bad_itsm_library_is_an_error_without_falling_back(tmp_path: Path) -> None:
    shutil.copy(REAL, tmp_path / NAME)  # would load, but ITSM_LIBRARY says otherwise
    missing = str(tmp_path / "nowhere" / "libitsm.so")
    with pytest.raises(itsm.LibraryError) as info:
        _native.open_library({"ITSM_LIBRARY": missing}, tmp_path)
    assert missing in str(info.value) and "ITSM_LIBRARY" in str(info.value)


def test_the_package_imports_without_the_library() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ITSM_LIBRARY", "LD_LIBRARY_PATH")}
    env["ITSM_LIBRARY"] = "/nonexistent/libitsm.so.0"
    code = (
        "import itsm\n"
        "try:\n    itsm.Engine.memory()\nexcept itsm.LibraryError as e:\n    print('refused:', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.startswith("refused: libitsm not found") and "/nonexistent/libitsm.so.0" in out.stdout


@needs_cc
def test_a_library_of_another_version_is_refused(tmp_path: Path) -> None:
    fake = fake_library(tmp_path, itsm.VERSION_NUMBER + 1)
    with pytest.raises(itsm.LibraryError) as info:
        _native.open_library({"ITSM_LIBRARY": str(fake)}, tmp_path)
    message = str(info.value)
    assert str(fake) in message and "fake (101)" in message and f"exactly {itsm.__version__}" in message
    # Also when found next to the package; the system library is not tried instead.
    shutil.copy(fake, tmp_path / NAME)
    with pytest.raises(itsm.LibraryError, match="does not match"):
        _native.open_library({}, tmp_path)


@needs_cc
def test_a_library_lacking_a_function_is_refused(tmp_path: Path) -> None:
    fake = fake_library(tmp_path, itsm.VERSION_NUMBER, functions=False)
    with pytest.raises(itsm.LibraryError, match="lacks the function itsm_last_error"):
        _native.open_library({"ITSM_LIBRARY": str(fake)}, tmp_path)
    # With every function and the right version, the fake loads (the check is by version).
    ok = fake_library(tmp_path, itsm.VERSION_NUMBER)
    assert _native.open_library({"ITSM_LIBRARY": str(ok)}, tmp_path).itsm_version_number() == itsm.VERSION_NUMBER


def test_library_info_reports_the_loaded_library() -> None:
    version, path, source = itsm.library_info()
    assert version == itsm.__version__
    assert (path, source) == (REAL, _native.library().source)

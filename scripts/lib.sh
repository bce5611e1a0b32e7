# Shared by scripts/demo and scripts/test: package installation and the CMake build.
# Sourced, not run.

ITSM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

# Installs the Debian packages that are missing: one `apt-get update`, then one install.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing: ${missing[*]}" >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# tzdata: the IANA time zone database (TZif files) that calendars read at run time;
# libsqlite3-dev: the durable store; libpq-dev: the shared PostgreSQL store, and postgresql for
# the throwaway server its tests run against (scripts/pg-test-server).
BUILD_PACKAGES=(cmake make g++ pkg-config binutils libboost-dev libfmt-dev nlohmann-json3-dev tzdata
    libsqlite3-dev libpq-dev postgresql)

# The Python and C# bindings: Debian's Python with venv, pip, setuptools and pytest (the
# package is installed without network access) and mypy for its type hints, and Mono's C#
# compiler with NUnit.
BINDING_PACKAGES=(python3 python3-venv python3-pip python3-setuptools python3-wheel python3-pytest
    python3-mypy mono-mcs mono-runtime nunit-console libnunit-cil-dev)

# configure_and_build DIR [cmake options...]
configure_and_build() {
    local dir=$1
    shift
    local werror=OFF
    [ -n "${CI:-}" ] && werror=ON
    cmake -S "$ITSM_ROOT" -B "$dir" -DITSM_WERROR="$werror" "$@" >"$dir.configure.log" 2>&1 || {
        cat "$dir.configure.log" >&2
        return 1
    }
    cmake --build "$dir" -j "$JOBS" >"$dir.build.log" 2>&1 || {
        tail -n 60 "$dir.build.log" >&2
        return 1
    }
}

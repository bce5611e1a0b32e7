// itsm::Error and itsm::Errc: the one exception type the C++ API throws.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

// The numeric values are part of the C ABI (negated there): never renumber.
enum class Errc : int {
    ok = 0,
    invalid_argument = 1,    // malformed input: bad JSON, bad cursor, bad instant text
    not_found = 2,           // no such ticket, kind, field, ...
    permission_denied = 3,   // the actor may not do this
    invalid_transition = 4,  // the workflow refuses this transition now
    validation_failed = 5,   // the input is well-formed but breaks a rule
    conflict = 6,            // stale version, duplicate key, already linked
    invalid_config = 7,      // a configuration document is refused
    storage = 8,             // the store failed
    internal = 9,            // a bug in libitsm
};

constexpr std::string_view to_string(Errc code) noexcept {
    switch (code) {
        case Errc::ok:
            return "ok";
        case Errc::invalid_argument:
            return "invalid_argument";
        case Errc::not_found:
            return "not_found";
        case Errc::permission_denied:
            return "permission_denied";
        case Errc::invalid_transition:
            return "invalid_transition";
        case Errc::validation_failed:
            return "validation_failed";
        case Errc::conflict:
            return "conflict";
        case Errc::invalid_config:
            return "invalid_config";
        case Errc::storage:
            return "storage";
        case Errc::internal:
            return "internal";
    }
    return "unknown";
}

// what() is "<where>: <message>" when a location (a field name or a JSON path) is known.
class Error : public std::runtime_error {
  public:
    Error(Errc code, std::string message) : std::runtime_error(std::move(message)), code_(code) {}
    Error(Errc code, std::string where, std::string_view message)
        : std::runtime_error(where.empty() ? std::string(message)
                                           : where + ": " + std::string(message)),
          code_(code),
          where_(std::move(where)) {}

    Errc code() const noexcept { return code_; }
    // The field name or JSON path the error is about; empty when it is about no one place.
    const std::string& where() const noexcept { return where_; }

  private:
    Errc code_;
    std::string where_;
};

ITSM_END_NAMESPACE

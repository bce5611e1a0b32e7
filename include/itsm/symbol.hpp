// Symbol: an interned identifier (kind, state, segment, category, user, group, tag, field
// name). Tickets repeat the same few identifiers millions of times; interning makes each
// one pointer wide and compares them in one instruction.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

class Symbol {
  public:
    Symbol() = default;
    // Interns the text (thread-safe). The empty string gives the empty symbol.
    Symbol(std::string_view text);                                // NOLINT: implicit on purpose
    Symbol(const char* text) : Symbol(std::string_view(text)) {}  // NOLINT
    Symbol(const std::string& text) : Symbol(std::string_view(text)) {}  // NOLINT

    // A symbol for the text if it was ever interned, else the empty symbol; never interns.
    static Symbol find(std::string_view text);

    std::string_view view() const noexcept { return text_ ? std::string_view(*text_) : ""; }
    std::string str() const { return std::string(view()); }
    bool empty() const noexcept { return text_ == nullptr; }
    explicit operator bool() const noexcept { return text_ != nullptr; }

    friend bool operator==(Symbol a, Symbol b) noexcept { return a.text_ == b.text_; }
    friend bool operator==(Symbol a, std::string_view b) noexcept { return a.view() == b; }
    friend bool operator==(Symbol a, const char* b) noexcept { return a.view() == b; }
    // Identity order: fast and stable within a process, but not alphabetical.
    friend std::strong_ordering operator<=>(Symbol a, Symbol b) noexcept {
        return std::compare_three_way{}(a.text_, b.text_);
    }
    std::size_t hash() const noexcept { return std::hash<const void*>{}(text_); }

  private:
    const std::string* text_ = nullptr;  // owned by the process-wide intern table
};

ITSM_END_NAMESPACE

template <>
struct std::hash<itsm::Symbol> {
    std::size_t operator()(itsm::Symbol s) const noexcept { return s.hash(); }
};

// Internal: a JSON writer that appends straight to one buffer. It prints what the records'
// JSON has always looked like (nlohmann::json's compact dump, members in byte order of their
// names, UTF-8 kept as it is, invalid UTF-8 replaced by U+FFFD), without building a document
// first: a ticket costs one buffer instead of a tree of nodes and strings.
//
// Writing a record is a list of `member(name, value)` calls in byte order of the names
// (json_write.cpp); `write(JsonOut&, const T&)` overloads (found by argument-dependent
// lookup) say how a value is written, and a std::vector or CompactVector of them becomes an
// array. A new
// member of a record is one member() line in its place; a new value type needs a write()
// overload. Debug builds check that members come in order, as the old writer printed them.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail {

// The length of the UTF-8 sequence that `lead` starts (0: not a lead byte), and the range
// its second byte must fall in (which rules out overlong forms, surrogates and code points
// above U+10FFFF). Later bytes of a sequence are always 0x80..0xBF.
struct Utf8Lead {
    int length;
    unsigned char low, high;
};
inline Utf8Lead utf8_lead(unsigned char lead) noexcept {
    if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
    if (lead == 0xE0) return {3, 0xA0, 0xBF};
    if (lead == 0xED) return {3, 0x80, 0x9F};
    if (lead >= 0xE1 && lead <= 0xEF) return {3, 0x80, 0xBF};
    if (lead == 0xF0) return {4, 0x90, 0xBF};
    if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
    if (lead == 0xF4) return {4, 0x80, 0x8F};
    return {0, 0, 0};
}

class JsonOut {
  public:
    explicit JsonOut(std::size_t reserve = 256) { grow(reserve); }
    ~JsonOut() { std::free(buf_); }
    JsonOut(const JsonOut&) = delete;
    JsonOut& operator=(const JsonOut&) = delete;

    std::string_view text() const noexcept { return {buf_, static_cast<std::size_t>(p_ - buf_)}; }
    std::string take() const { return std::string(text()); }
    // The text as a NUL-terminated string from malloc, which the caller releases with
    // std::free (what the C ABI hands out); the writer holds nothing afterwards.
    char* release() {
        room(1);
        *p_ = '\0';
        char* text = buf_;
        buf_ = p_ = end_ = nullptr;
        return text;
    }

    // ---- Structure. Commas are placed by separate(): before a key or a value, unless it
    // follows an opening bracket or a key.
    void begin_object() {
        put_after_separator('{');
        push_level();
    }
    void end_object() {
        put('}');
        pop_level();
    }
    void begin_array() {
        put_after_separator('[');
        push_level();
    }
    void end_array() {
        put(']');
        pop_level();
    }
    // A member name written as it is: a name in the code, which needs no escaping.
    void key(std::string_view name) {
        check_order(name);
        assert(plain(name) && "key() takes names that need no escaping; text_key() others");
        separate();
        room(name.size() + 3);
        *p_++ = '"';
        std::memcpy(p_, name.data(), name.size());
        p_ += name.size();
        *p_++ = '"';
        *p_++ = ':';
    }
    // A member name from data (a custom field's name), escaped like any string.
    void text_key(std::string_view name) {
        check_order(name);
        separate();
        escaped(name);
        put(':');
    }
    template <class T>
    void member(std::string_view name, const T& value) {
        key(name);
        write(*this, value);
    }

    // ---- Scalars.
    void null() { literal("null"); }
    void boolean(bool b) { literal(b ? std::string_view("true") : std::string_view("false")); }
    void integer(std::int64_t v);
    void unsigned_integer(std::uint64_t v);
    void string(std::string_view v) {
        separate();
        escaped(v);
    }
    void instant(Instant t);

  private:
    // Makes room for `n` more bytes.
    void room(std::size_t n) {
        if (static_cast<std::size_t>(end_ - p_) < n) grow(n);
    }
    void grow(std::size_t n);
    void put(char c) {
        room(1);
        *p_++ = c;
    }
    void separate() {
        if (p_ == buf_) return;
        char c = p_[-1];
        if (c != '{' && c != '[' && c != ':') put(',');
    }
    void put_after_separator(char c) {
        separate();
        put(c);
    }
    void literal(std::string_view w) {
        separate();
        room(w.size());
        std::memcpy(p_, w.data(), w.size());
        p_ += w.size();
    }
    // The string in quotes: '"', '\\' and control characters escaped (\b \f \n \r \t, else
    // \u00XX in lower-case hex), every other valid UTF-8 sequence copied as it is, and each
    // invalid one replaced by U+FFFD, byte for byte as nlohmann::json's replace handler did.
    void escaped(std::string_view v);
    static bool plain(std::string_view name);

#ifdef NDEBUG
    void push_level() {}
    void pop_level() {}
    void check_order(std::string_view) {}
#else
    // The last member name at each open level: members must come in byte order, so that the
    // text stays what it was when the writer was a std::map-backed nlohmann::json.
    std::vector<std::optional<std::string> > last_key_;
    void push_level() {
        last_key_.emplace_back();
    }
    void pop_level() {
        last_key_.pop_back();
    }
    void check_order(std::string_view name) {
        assert(!last_key_.empty() && "a member outside an object");
        auto& last = last_key_.back();
        assert((!last || *last < name) && "members must be written in byte order of names");
        last = std::string(name);
    }
#endif

    char* buf_ = nullptr;  // from malloc, so that release() can hand it to a C caller
    char* p_ = nullptr;    // the end of the text
    char* end_ = nullptr;  // the end of the buffer
};

// ---- Values of the model, for member() and arrays ------------------------------------

inline void write(JsonOut& j, std::nullptr_t) {
    j.null();
}
inline void write(JsonOut& j, bool v) {
    j.boolean(v);
}
template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) inline void write(JsonOut& j, T v) {
    if constexpr (std::is_signed_v<T>)
        j.integer(v);
    else
        j.unsigned_integer(v);
}
inline void write(JsonOut& j, std::string_view v) {
    j.string(v);
}
inline void write(JsonOut& j, const std::string& v) {
    j.string(v);
}
inline void write(JsonOut& j, const char* v) {
    j.string(v);
}
// A symbol is its text; the empty symbol is null.
inline void write(JsonOut& j, Symbol s) {
    if (s.empty())
        j.null();
    else
        j.string(s.view());
}
inline void write(JsonOut& j, Instant t) {
    j.instant(t);
}
template <class T>
void write(JsonOut& j, const std::optional<T>& v) {
    if (v)
        write(j, *v);
    else
        j.null();
}
template <class T>
void write_array(JsonOut& j, const T& items) {
    j.begin_array();
    for (const auto& item : items)
        write(j, item);
    j.end_array();
}
template <class T>
void write(JsonOut& j, const std::vector<T>& items) {
    write_array(j, items);
}
template <class T>
void write(JsonOut& j, const CompactVector<T>& items) {
    write_array(j, items);
}
void write(JsonOut& j, const Value& v);

// Symbols as an array of their texts in byte order (tags and watchers are kept in identity
// order, which means nothing to a reader).
struct SortedTexts {
    std::span<const Symbol> symbols;
};
void write(JsonOut& j, SortedTexts s);

// Custom fields as an object keyed by field name, in byte order of the names.
struct CustomObject {
    std::span<const CustomField> fields;
};
void write(JsonOut& j, CustomObject c);

// A ticket's JSON text as a C string from malloc, for the C ABI to hand out as it is (the
// same text as to_json(const Ticket&), without copying it into a std::string first).
struct FreeText {
    void operator()(char* p) const noexcept { std::free(p); }
};
using CText = std::unique_ptr<char, FreeText>;
CText ticket_c_text(const Ticket& t);

}  // namespace detail
ITSM_END_NAMESPACE

#include "validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

std::string_view trimmed(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

[[noreturn]] void invalid(std::string_view field, std::string_view message) {
    throw Error(Errc::validation_failed, std::string(field), message);
}

std::string checked_text(std::string_view field, std::string_view text, std::size_t max) {
    if (text.size() > max)
        invalid(field, fmt::format("{} bytes is over the limit of {}", text.size(), max));
    if (!is_valid_utf8(text)) invalid(field, "is not valid UTF-8");
    return std::string(text);
}

}  // namespace

bool is_valid_utf8(std::string_view s) noexcept {
    constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};  // by sequence length
    std::size_t i = 0;
    while (i < s.size()) {
        // Most text is ASCII: skip it eight bytes at a time.
        while (i + 8 <= s.size()) {
            std::uint64_t word;
            std::memcpy(&word, s.data() + i, 8);
            if (word & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i == s.size()) break;
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if (cp < smallest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

void check_actor(Symbol user) {
    // Symbols are interned and immutable, so a thread that acts as the same user again and
    // again (the usual case) checks the text once.
    thread_local Symbol last_valid;
    if (user == last_valid && !user.empty()) return;
    if (user.empty()) throw Error(Errc::invalid_argument, "actor", "must name a user");
    try {
        check_symbol("actor", user, true);
    } catch (const Error& e) {
        throw Error(Errc::invalid_argument, e.what());
    }
    last_valid = user;
}

std::string checked_title(std::string_view title) {
    auto t = trimmed(title);
    if (t.empty()) invalid("title", "must not be empty");
    return checked_text("title", t, max_title_bytes);
}

std::string checked_description(std::string_view text) {
    return checked_text("description", text, max_text_bytes);
}

std::string checked_comment(std::string_view text) {
    if (trimmed(text).empty()) invalid("text", "a comment must not be empty");
    return checked_text("text", text, max_text_bytes);
}

void check_symbol(std::string_view field, Symbol value, bool required) {
    if (value.empty()) {
        if (required) invalid(field, "must not be empty");
        return;
    }
    auto v = value.view();
    if (v.size() > max_symbol_bytes)
        invalid(field, fmt::format("{} bytes is over the limit of {}", v.size(), max_symbol_bytes));
    if (trimmed(v).size() != v.size())
        invalid(field, fmt::format("\"{}\" has surrounding white space", v));
    if (!is_valid_utf8(v)) invalid(field, "is not valid UTF-8");
}

Symbol checked_tag(std::string_view raw, std::string_view field) {
    std::string tag = normalize_tag(raw);
    if (tag.empty()) invalid(field, "a tag must not be empty");
    if (tag.size() > max_symbol_bytes || !is_valid_utf8(tag))
        invalid(field, fmt::format("\"{}\" is not a valid tag", tag));
    return Symbol(tag);
}

std::string symbols_text(std::span<const Symbol> tags) {
    std::vector<std::string_view> names;
    for (auto t : tags)
        names.push_back(t.view());
    std::sort(names.begin(), names.end());
    return fmt::format("{}", fmt::join(names, ","));
}

void check_custom_value(std::string_view name, const Value& value) {
    std::string field = fmt::format("custom.{}", name);
    if (auto s = std::get_if<std::string>(&value)) checked_text(field, *s, max_text_bytes);
    if (auto t = std::get_if<Instant>(&value)) {
        if (*t < parse_instant("0001-01-01T00:00:00Z") ||
            *t > parse_instant("9999-12-31T23:59:59Z"))
            invalid(field, "the instant is outside the years 0001..9999");
    }
}

void set_custom(Ticket& t, Symbol name, const Value& value) {
    auto it = std::find_if(t.custom.begin(), t.custom.end(),
                           [&](const CustomField& f) { return f.name == name; });
    if (std::holds_alternative<std::monostate>(value)) {
        if (it != t.custom.end()) t.custom.erase(it);
        return;
    }
    if (it != t.custom.end()) {
        it->value = value;
        return;
    }
    t.custom.push_back({name, value});
    std::sort(t.custom.begin(), t.custom.end(),
              [](const CustomField& a, const CustomField& b) { return a.name < b.name; });
}

Ticket validated_ticket(const Schema& schema, const NewTicket& in, Symbol actor) {
    Ticket t;
    if (in.kind.empty()) invalid("kind", "must not be empty");
    const KindDef* kind = schema.kind(in.kind);
    if (!kind) invalid("kind", fmt::format("unknown kind \"{}\"", in.kind.view()));
    t.kind = in.kind;
    t.state = kind->initial_state;
    t.title = checked_title(in.title);
    t.description = checked_description(in.description);
    schema.check_impact(in.impact);
    schema.check_urgency(in.urgency);
    t.impact = static_cast<std::uint8_t>(in.impact);
    t.urgency = static_cast<std::uint8_t>(in.urgency);
    if (in.priority) {
        schema.check_priority(*in.priority);
        t.priority = static_cast<std::uint8_t>(*in.priority);
        t.priority_overridden = true;
    } else {
        t.priority =
            static_cast<std::uint8_t>(schema.priority_matrix().priority(in.impact, in.urgency));
    }
    t.channel = in.channel;
    check_symbol("category", in.category, false);
    check_symbol("requester", in.requester, false);
    check_symbol("assignee", in.assignee, false);
    check_symbol("assignment_group", in.assignment_group, false);
    check_symbol("segment", in.segment, false);
    t.category = in.category;
    t.requester = in.requester.empty() ? actor : in.requester;
    t.assignee = in.assignee;
    t.assignment_group = in.assignment_group;
    t.segment = in.segment.empty() ? schema.default_segment() : in.segment;
    for (const auto& raw : in.tags) {
        Symbol tag = checked_tag(raw, "tags");
        if (!t.has_tag(tag)) t.tags.push_back(tag);
    }
    std::sort(t.tags.begin(), t.tags.end());
    for (auto w : in.watchers) {
        check_symbol("watchers", w, true);
        if (!t.has_watcher(w)) t.watchers.push_back(w);
    }
    std::sort(t.watchers.begin(), t.watchers.end());
    for (const auto& [name, value] : in.custom) {
        schema.check_custom(t.kind, name, value);
        check_custom_value(name, value);
        Symbol field = Symbol::find(name);
        if (t.custom_value(field)) invalid("custom." + name, "given twice");
        set_custom(t, field, value);
    }
    return t;
}

ITSM_END_NAMESPACE

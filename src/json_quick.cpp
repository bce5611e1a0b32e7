// The quick readers of create and patch bodies (see json_quick.hpp): one pass over the text,
// no document, and nullopt at the first doubt, so that the document reader decides.
#include "json_quick.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

#include "itsm/error.hpp"
#include "json_out.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail {
namespace {

// A cursor over JSON text. Each reading method returns false when the text is not what it
// expects (or is valid JSON this reader leaves to the document reader); the caller then
// gives up, so where the cursor stopped does not matter.
class Cursor {
  public:
    explicit Cursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

    bool at_end() {
        skip_space();
        return p_ == end_;
    }
    bool eat(char c) {
        skip_space();
        if (p_ == end_ || *p_ != c) return false;
        ++p_;
        return true;
    }
    bool null() { return word("null"); }
    bool boolean(bool& out) {
        if (word("true")) return out = true, true;
        if (word("false")) return out = false, true;
        return false;
    }
    // A string: a view into the text, or into `scratch` when it holds escapes.
    bool string(std::string_view& out, std::string& scratch);
    // An integer of at most 18 digits, without fraction or exponent.
    bool integer(long long& out);

    // An object: on_member(key) runs for each member with the cursor before its value, and
    // must read the value.
    template <class OnMember>
    bool object(OnMember&& on_member) {
        if (!eat('{')) return false;
        if (eat('}')) return true;
        std::string scratch;
        do {
            std::string_view key;
            if (!string(key, scratch) || !eat(':') || !on_member(key)) return false;
        } while (eat(','));
        return eat('}');
    }
    // An array: on_element() reads each element.
    template <class OnElement>
    bool array(OnElement&& on_element) {
        if (!eat('[')) return false;
        if (eat(']')) return true;
        do {
            if (!on_element()) return false;
        } while (eat(','));
        return eat(']');
    }

  private:
    void skip_space() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
            ++p_;
    }
    bool word(std::string_view w) {
        skip_space();
        if (static_cast<std::size_t>(end_ - p_) < w.size() ||
            std::memcmp(p_, w.data(), w.size()) != 0)
            return false;
        p_ += w.size();
        return true;
    }
    bool escape(std::string& scratch);
    bool unicode_escape(std::string& scratch);
    bool hex4(unsigned& out);

    const char* p_;
    const char* end_;
};

bool Cursor::string(std::string_view& out, std::string& scratch) {
    if (!eat('"')) return false;
    const char* start = p_;
    bool escaped = false;
    while (p_ != end_) {
        auto c = static_cast<unsigned char>(*p_);
        if (c == '"') {
            if (escaped) {
                scratch.append(start, p_);
                out = scratch;
            } else {
                out = std::string_view(start, static_cast<std::size_t>(p_ - start));
            }
            ++p_;
            return true;
        }
        if (c == '\\') {
            if (!escaped) scratch.clear();
            escaped = true;
            scratch.append(start, p_);
            ++p_;
            if (!escape(scratch)) return false;
            start = p_;
            continue;
        }
        if (c < 0x20) return false;  // JSON forbids raw control characters in strings
        if (c < 0x80) {
            ++p_;
            continue;
        }
        Utf8Lead lead = utf8_lead(c);  // a multi-byte sequence must be valid UTF-8
        auto length = static_cast<std::size_t>(lead.length);
        if (length == 0 || static_cast<std::size_t>(end_ - p_) < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            auto b = static_cast<unsigned char>(p_[k]);
            if (b < (k == 1 ? lead.low : 0x80) || b > (k == 1 ? lead.high : 0xBF)) return false;
        }
        p_ += length;
    }
    return false;
}

// After a backslash: the escape, decoded into `scratch`.
bool Cursor::escape(std::string& scratch) {
    if (p_ == end_) return false;
    char c = *p_++;
    switch (c) {
        case '"':
        case '\\':
        case '/':
            scratch += c;
            return true;
        case 'b':
            scratch += '\b';
            return true;
        case 'f':
            scratch += '\f';
            return true;
        case 'n':
            scratch += '\n';
            return true;
        case 'r':
            scratch += '\r';
            return true;
        case 't':
            scratch += '\t';
            return true;
        case 'u':
            return unicode_escape(scratch);
        default:
            return false;
    }
}

// After "\u": four hex digits, and for a high surrogate the "\uDC00".."\uDFFF" that must
// follow it; the code point is appended as UTF-8. A lone surrogate is an error.
bool Cursor::unicode_escape(std::string& scratch) {
    unsigned cp = 0;
    if (!hex4(cp) || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned low = 0;
        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
        p_ += 2;
        if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    auto byte = [&](unsigned b) { scratch += static_cast<char>(b); };
    if (cp < 0x80) {
        byte(cp);
    } else if (cp < 0x800) {
        byte(0xC0 | (cp >> 6));
        byte(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        byte(0xE0 | (cp >> 12));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    } else {
        byte(0xF0 | (cp >> 18));
        byte(0x80 | ((cp >> 12) & 0x3F));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    }
    return true;
}

bool Cursor::hex4(unsigned& out) {
    if (end_ - p_ < 4) return false;
    for (int i = 0; i < 4; ++i) {
        char h = *p_++;
        unsigned d;
        if (h >= '0' && h <= '9')
            d = static_cast<unsigned>(h - '0');
        else if (h >= 'a' && h <= 'f')
            d = static_cast<unsigned>(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F')
            d = static_cast<unsigned>(h - 'A' + 10);
        else
            return false;
        out = out * 16 + d;
    }
    return true;
}

bool Cursor::integer(long long& out) {
    skip_space();
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    const char* digits = p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
        ++p_;  // JSON allows no leading zeros: "01" fails at the next token
    } else {
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9')
            ++p_;
    }
    if (p_ - digits > 18) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    return std::from_chars(start, p_, out).ec == std::errc{};
}

// The members of a body, read into NewTicket or TicketPatch members with the document
// reader's rules (json.cpp's BodyReader): each returns false where that reader would throw.
class Body {
  public:
    Body(std::string_view text, const Schema& schema) : c_(text), schema_(schema) {}

    Cursor& cursor() { return c_; }
    // Each member at most once: `bit` is the member's place in the caller's list.
    bool once(int bit) {
        auto mask = std::uint32_t{1} << bit;
        if (seen_ & mask) return false;
        seen_ |= mask;
        return true;
    }
    bool seen(int bit) const { return (seen_ >> bit) & 1; }

    bool text(std::string& out) {
        std::string_view v;
        if (!c_.string(v, scratch_)) return false;
        out.assign(v);
        return true;
    }
    template <class Int>
    bool small_int(Int& out) {
        long long v = 0;
        if (!c_.integer(v) || v < -1000000 || v > 1000000) return false;
        out = static_cast<int>(v);
        return true;
    }
    bool symbol(Symbol& out) {
        if (c_.null()) {
            out = Symbol{};
            return true;
        }
        std::string_view v;
        if (!c_.string(v, scratch_)) return false;
        out = Symbol(v);
        return true;
    }
    template <class Target>
    bool symbol_into(Target& out) {
        Symbol s;
        if (!symbol(s)) return false;
        out = s;
        return true;
    }
    template <class Target>
    bool channel(Target& out) {
        std::string_view v;
        if (!c_.string(v, scratch_)) return false;
        auto ch = channel_from_string(v);
        if (!ch) return false;
        out = *ch;
        return true;
    }
    bool strings(std::vector<std::string>& out) {
        return c_.array([&] { return text(out.emplace_back()); });
    }
    bool symbols(std::vector<Symbol>& out) {
        return c_.array([&] { return symbol(out.emplace_back()); });
    }
    bool custom(std::vector<std::pair<std::string, Value>>& out);

  private:
    bool typed_value(FieldType type, Value& out);

    Cursor c_;
    const Schema& schema_;
    std::string scratch_;
    std::uint32_t seen_ = 0;
};

bool Body::typed_value(FieldType type, Value& out) {
    switch (type) {
        case FieldType::text:
        case FieldType::choice:
            return text(out.emplace<std::string>());
        case FieldType::integer: {
            long long v = 0;
            if (!c_.integer(v)) return false;
            out = static_cast<std::int64_t>(v);
            return true;
        }
        case FieldType::boolean: {
            bool b = false;
            if (!c_.boolean(b)) return false;
            out = b;
            return true;
        }
        case FieldType::instant: {
            std::string_view v;
            if (!c_.string(v, scratch_)) return false;
            try {
                out = parse_instant(v);
            } catch (const Error&) {
                return false;
            }
            return true;
        }
    }
    return false;
}

// Custom values in byte order of the field names, as the document reader lists them.
bool Body::custom(std::vector<std::pair<std::string, Value>>& out) {
    bool ok = c_.object([&](std::string_view name) {
        const CustomFieldDef* def = schema_.custom_field(Symbol::find(name));
        if (!def) return false;
        for (const auto& f : out)
            if (f.first == name) return false;
        Value value;
        if (!c_.null() && !typed_value(def->type, value)) return false;
        out.emplace_back(std::string(name), std::move(value));
        return true;
    });
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return ok;
}

}  // namespace

std::optional<NewTicket> quick_new_ticket(std::string_view text, const Schema& schema) {
    Body b(text, schema);
    NewTicket t;
    bool ok = b.cursor().object([&](std::string_view key) {
        if (key == "kind") return b.once(0) && b.symbol(t.kind);
        if (key == "title") return b.once(1) && b.text(t.title);
        if (key == "model") return b.once(2) && b.symbol(t.model);
        if (key == "state") return b.once(3) && b.symbol(t.state);
        if (key == "description") return b.once(4) && b.text(t.description);
        if (key == "impact") return b.once(5) && b.small_int(t.impact);
        if (key == "urgency") return b.once(6) && b.small_int(t.urgency);
        if (key == "priority")
            return b.once(7) && (b.cursor().null() || b.small_int(t.priority.emplace()));
        if (key == "channel") return b.once(8) && b.channel(t.channel);
        if (key == "category") return b.once(9) && b.symbol(t.category);
        if (key == "requester") return b.once(10) && b.symbol(t.requester);
        if (key == "assignee") return b.once(11) && b.symbol(t.assignee);
        if (key == "assignment_group") return b.once(12) && b.symbol(t.assignment_group);
        if (key == "segment") return b.once(13) && b.symbol(t.segment);
        if (key == "tags") return b.once(14) && b.strings(t.tags);
        if (key == "watchers") return b.once(15) && b.symbols(t.watchers);
        if (key == "custom") return b.once(16) && b.custom(t.custom);
        return false;
    });
    if (!ok || !b.cursor().at_end() || !b.seen(0) || !b.seen(1)) return std::nullopt;
    return t;
}

std::optional<TicketPatch> quick_patch(std::string_view text, const Schema& schema) {
    Body b(text, schema);
    TicketPatch p;
    bool ok = b.cursor().object([&](std::string_view key) {
        if (key == "title") return b.once(0) && b.text(p.title.emplace());
        if (key == "description") return b.once(1) && b.text(p.description.emplace());
        if (key == "impact") return b.once(2) && b.small_int(p.impact.emplace());
        if (key == "urgency") return b.once(3) && b.small_int(p.urgency.emplace());
        if (key == "priority") {
            if (!b.once(4)) return false;
            if (b.cursor().null()) return p.priority.emplace(), true;  // drops an override
            return b.small_int(p.priority.emplace().emplace());
        }
        if (key == "channel") return b.once(5) && b.channel(p.channel);
        if (key == "category") return b.once(6) && b.symbol_into(p.category);
        if (key == "requester") return b.once(7) && b.symbol_into(p.requester);
        if (key == "assignee") return b.once(8) && b.symbol_into(p.assignee);
        if (key == "assignment_group") return b.once(9) && b.symbol_into(p.assignment_group);
        if (key == "segment") return b.once(10) && b.symbol_into(p.segment);
        if (key == "add_tags") return b.once(11) && b.strings(p.add_tags);
        if (key == "remove_tags") return b.once(12) && b.strings(p.remove_tags);
        if (key == "add_watchers") return b.once(13) && b.symbols(p.add_watchers);
        if (key == "remove_watchers") return b.once(14) && b.symbols(p.remove_watchers);
        if (key == "custom") return b.once(15) && b.custom(p.custom);
        if (key == "version") {
            long long v = 0;
            if (!b.once(16) || !b.cursor().integer(v) || v < 1) return false;
            p.expected_version = static_cast<std::uint64_t>(v);
            return true;
        }
        return false;
    });
    if (!ok || !b.cursor().at_end()) return std::nullopt;
    return p;
}

}  // namespace detail
ITSM_END_NAMESPACE

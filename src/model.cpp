// Small non-template helpers of the time and model layers: enum names, instant text,
// tag normalization, value text.
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <string>

#include "itsm/error.hpp"
#include "itsm/event.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

// Looks a name up in a table indexed by the enum's value.
template <typename E, std::size_t N>
std::optional<E> from_names(const std::array<std::string_view, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

constexpr std::array<std::string_view, 7> channel_names = {
    "portal", "email", "phone", "chat", "walk_in", "monitoring", "self_service"};
constexpr std::array<std::string_view, 9> link_names = {
    "parent_of", "child_of", "duplicate_of",       "duplicated_by", "related",
    "caused_by", "causes",   "resolved_by_change", "resolves"};
constexpr std::array<std::string_view, 5> field_type_names = {"text", "integer", "boolean",
                                                              "instant", "choice"};
constexpr std::array<std::string_view, 10> event_names = {
    "created",      "field_changed", "comment",  "work_note",      "link_added",
    "link_removed", "state_changed", "approval", "workflow_event", "sla"};

}  // namespace

std::string_view to_string(Channel c) noexcept {
    return channel_names[static_cast<int>(c)];
}
std::optional<Channel> channel_from_string(std::string_view s) noexcept {
    return from_names<Channel>(channel_names, s);
}
std::string_view to_string(LinkType t) noexcept {
    return link_names[static_cast<int>(t)];
}
std::optional<LinkType> link_type_from_string(std::string_view s) noexcept {
    return from_names<LinkType>(link_names, s);
}
LinkType inverse(LinkType t) noexcept {
    switch (t) {
        case LinkType::parent_of:
            return LinkType::child_of;
        case LinkType::child_of:
            return LinkType::parent_of;
        case LinkType::duplicate_of:
            return LinkType::duplicated_by;
        case LinkType::duplicated_by:
            return LinkType::duplicate_of;
        case LinkType::related:
            return LinkType::related;
        case LinkType::caused_by:
            return LinkType::causes;
        case LinkType::causes:
            return LinkType::caused_by;
        case LinkType::resolved_by_change:
            return LinkType::resolves;
        case LinkType::resolves:
            return LinkType::resolved_by_change;
    }
    return t;
}
std::string_view to_string(FieldType t) noexcept {
    return field_type_names[static_cast<int>(t)];
}
std::optional<FieldType> field_type_from_string(std::string_view s) noexcept {
    return from_names<FieldType>(field_type_names, s);
}
std::string_view to_string(EventType t) noexcept {
    return event_names[static_cast<int>(t)];
}
std::optional<EventType> event_type_from_string(std::string_view s) noexcept {
    return from_names<EventType>(event_names, s);
}

std::string format_instant(Instant t) {
    using namespace std::chrono;
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss<Duration> hms{t - day};
    auto frac = hms.subseconds().count();
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(ymd.year()),
                                  unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                                  hms.minutes().count(), hms.seconds().count());
    if (frac != 0) out += fmt::format(".{:06}", frac);
    out += 'Z';
    return out;
}

namespace {

class InstantParser {
  public:
    explicit InstantParser(std::string_view text) : text_(text) {}

    Instant parse() {
        using namespace std::chrono;
        int y = number(4);
        expect('-');
        int mo = number(2);
        expect('-');
        int d = number(2);
        if (pos_ >= text_.size() || (text_[pos_] != 'T' && text_[pos_] != ' ')) fail();
        ++pos_;
        int h = number(2);
        expect(':');
        int mi = number(2);
        expect(':');
        int s = number(2);
        std::int64_t micros = 0;
        if (pos_ < text_.size() && text_[pos_] == '.') micros = fraction();
        auto offset = zone_offset();
        if (pos_ != text_.size()) fail();
        year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
        if (!ymd.ok() || h > 23 || mi > 59 || s > 59) fail();
        return Instant{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} + Duration{micros} -
               offset;
    }

  private:
    [[noreturn]] void fail() const {
        throw Error(
            Errc::invalid_argument,
            fmt::format("\"{}\" is not an ISO-8601 instant such as 2026-03-01T09:30:00Z", text_));
    }
    void expect(char c) {
        if (pos_ >= text_.size() || text_[pos_] != c) fail();
        ++pos_;
    }
    int number(std::size_t digits) {
        if (pos_ + digits > text_.size()) fail();
        int v = 0;
        for (std::size_t i = 0; i < digits; ++i) {
            char c = text_[pos_++];
            if (c < '0' || c > '9') fail();
            v = v * 10 + (c - '0');
        }
        return v;
    }
    std::int64_t fraction() {
        ++pos_;
        std::int64_t v = 0;
        std::size_t digits = 0;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
            if (++digits > 6) fail();
            v = v * 10 + (text_[pos_++] - '0');
        }
        if (digits == 0) fail();
        for (; digits < 6; ++digits)
            v *= 10;
        return v;
    }
    Duration zone_offset() {
        if (pos_ >= text_.size()) fail();
        char c = text_[pos_++];
        if (c == 'Z') return Duration{0};
        if (c != '+' && c != '-') fail();
        int h = number(2);
        expect(':');
        int m = number(2);
        if (h > 23 || m > 59) fail();
        Duration off = std::chrono::hours{h} + std::chrono::minutes{m};
        return c == '+' ? off : -off;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

Instant parse_instant(std::string_view text) {
    return InstantParser(text).parse();
}

std::string value_to_text(const Value& v) {
    struct Visitor {
        std::string operator()(std::monostate) const { return {}; }
        std::string operator()(const std::string& s) const { return s; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(Instant t) const { return format_instant(t); }
    };
    return std::visit(Visitor{}, v);
}

std::string normalize_tag(std::string_view tag) {
    auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!tag.empty() && is_space(tag.front()))
        tag.remove_prefix(1);
    while (!tag.empty() && is_space(tag.back()))
        tag.remove_suffix(1);
    std::string out(tag);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view to_string(ApprovalDecision d) noexcept {
    switch (d) {
        case ApprovalDecision::pending:
            return "pending";
        case ApprovalDecision::approved:
            return "approved";
        case ApprovalDecision::rejected:
            return "rejected";
        case ApprovalDecision::canceled:
            return "canceled";
    }
    return "unknown";
}

ITSM_END_NAMESPACE

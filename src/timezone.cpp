// TimeZone: a TZif (RFC 8536) reader with POSIX TZ rule support for the instants after the
// last transition, and civil-date helpers. All arithmetic is in whole UTC seconds.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "itsm/calendar.hpp"
#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE

namespace detail {

// One rule date of a POSIX TZ string: Jn (1..365, Feb 29 never counted), n (0..365) or
// Mm.w.d (day d of week w of month m, w = 5 meaning the last), plus a local time.
struct RuleDate {
    enum Kind { julian1, julian0, month_week_day } kind = month_week_day;
    int day = 0, month = 0, week = 0, weekday = 0;
    std::int32_t time = 7200;  // seconds after local midnight, may be negative or > 24 h
};

struct PosixRule {
    std::int32_t std_offset = 0;  // east of UTC, seconds
    std::int32_t dst_offset = 0;
    bool has_dst = false;
    RuleDate start, end;
};

struct ZoneData {
    std::string name;
    std::vector<std::int64_t> transitions;  // UTC seconds, ascending
    std::vector<std::int32_t> offsets;      // offset from each transition on
    std::int32_t initial_offset = 0;        // before the first transition
    std::optional<PosixRule> rule;          // after the last transition (or always)
};

}  // namespace detail

namespace {

using detail::PosixRule;
using detail::RuleDate;
using detail::ZoneData;

constexpr std::int64_t day_seconds = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

std::int64_t days_of(int y, unsigned m, unsigned d) {
    using namespace std::chrono;
    return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

bool is_leap(int y) {
    return std::chrono::year{y}.is_leap();
}

// The UTC second of a rule date in `year`, given the offset in effect before the change.
std::int64_t rule_instant(const RuleDate& r, int year, std::int32_t offset_before) {
    std::int64_t day = 0;
    switch (r.kind) {
        case RuleDate::julian1: {
            int n = r.day;  // Feb 29 is never counted
            if (is_leap(year) && n >= 60) ++n;
            day = days_of(year, 1, 1) + n - 1;
            break;
        }
        case RuleDate::julian0:
            day = days_of(year, 1, 1) + r.day;
            break;
        case RuleDate::month_week_day: {
            std::int64_t first = days_of(year, static_cast<unsigned>(r.month), 1);
            // 1970-01-01 was a Thursday (4).
            int first_wd = static_cast<int>(((first % 7) + 11) % 7);
            std::int64_t d = first + (r.weekday - first_wd + 7) % 7 + 7 * (r.week - 1);
            std::int64_t next_month = r.month == 12
                                          ? days_of(year + 1, 1, 1)
                                          : days_of(year, static_cast<unsigned>(r.month + 1), 1);
            while (d >= next_month)
                d -= 7;
            day = d;
            break;
        }
    }
    return day * day_seconds + r.time - offset_before;
}

int year_of(std::int64_t utc_seconds) {
    using namespace std::chrono;
    return int(year_month_day{sys_days{days{floor_div(utc_seconds, day_seconds)}}}.year());
}

std::int32_t rule_offset(const PosixRule& r, std::int64_t t) {
    if (!r.has_dst) return r.std_offset;
    int y = year_of(t + r.std_offset);
    std::int64_t s = rule_instant(r.start, y, r.std_offset);
    std::int64_t e = rule_instant(r.end, y, r.dst_offset);
    bool dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
    return dst ? r.dst_offset : r.std_offset;
}

std::int64_t rule_next(const PosixRule& r, std::int64_t t) {
    if (!r.has_dst) return std::numeric_limits<std::int64_t>::max();
    int y = year_of(t);
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (int yy = y - 1; yy <= y + 1; ++yy)
        for (std::int64_t c :
             {rule_instant(r.start, yy, r.std_offset), rule_instant(r.end, yy, r.dst_offset)})
            if (c > t && c < best) best = c;
    return best;
}

// ---- POSIX TZ rule parsing ---------------------------------------------------------------

class RuleParser {
  public:
    explicit RuleParser(std::string_view text) : text_(text) {}

    PosixRule parse() {
        PosixRule r;
        name();
        r.std_offset = -hms(true);  // POSIX offsets are west-positive
        if (at_end()) return r;
        name();
        r.has_dst = true;
        r.dst_offset = r.std_offset + 3600;
        if (!at_end() && peek() != ',') r.dst_offset = -hms(true);
        if (at_end()) {  // no rule dates: the US rules POSIX names as the default
            r.start = {RuleDate::month_week_day, 0, 3, 2, 0, 7200};
            r.end = {RuleDate::month_week_day, 0, 11, 1, 0, 7200};
            return r;
        }
        expect(',');
        r.start = date();
        expect(',');
        r.end = date();
        if (!at_end()) fail();
        return r;
    }

  private:
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    [[noreturn]] void fail() const {
        throw Error(Errc::invalid_argument, "time_zone",
                    fmt::format("\"{}\" is neither a tz database zone nor a POSIX TZ rule", text_));
    }
    void expect(char c) {
        if (peek() != c) fail();
        ++pos_;
    }
    void name() {
        std::size_t start = pos_;
        if (peek() == '<') {
            while (!at_end() && peek() != '>')
                ++pos_;
            expect('>');
            if (pos_ - start < 5) fail();
            return;
        }
        while (!at_end() && std::isalpha(static_cast<unsigned char>(peek())))
            ++pos_;
        if (pos_ - start < 3) fail();
    }
    int number(int max_digits) {
        int v = 0, n = 0;
        while (!at_end() && std::isdigit(static_cast<unsigned char>(peek())) && n < max_digits) {
            v = v * 10 + (peek() - '0');
            ++pos_;
            ++n;
        }
        if (n == 0) fail();
        return v;
    }
    // [+-]hh[:mm[:ss]]; returns seconds, negative when '-' (as written).
    std::int32_t hms(bool allow_sign) {
        int sign = 1;
        if (allow_sign && (peek() == '+' || peek() == '-')) sign = text_[pos_++] == '-' ? -1 : 1;
        int h = number(3);
        int m = 0, s = 0;
        if (peek() == ':') {
            ++pos_;
            m = number(2);
            if (peek() == ':') {
                ++pos_;
                s = number(2);
            }
        }
        if (h > 167 || m > 59 || s > 59) fail();
        return sign * (h * 3600 + m * 60 + s);
    }
    RuleDate date() {
        RuleDate d;
        if (peek() == 'J') {
            ++pos_;
            d.kind = RuleDate::julian1;
            d.day = number(3);
            if (d.day < 1 || d.day > 365) fail();
        } else if (peek() == 'M') {
            ++pos_;
            d.kind = RuleDate::month_week_day;
            d.month = number(2);
            expect('.');
            d.week = number(1);
            expect('.');
            d.weekday = number(1);
            if (d.month < 1 || d.month > 12 || d.week < 1 || d.week > 5 || d.weekday > 6) fail();
        } else {
            d.kind = RuleDate::julian0;
            d.day = number(3);
            if (d.day > 365) fail();
        }
        if (peek() == '/') {
            ++pos_;
            d.time = hms(true);
        }
        return d;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

// ---- TZif --------------------------------------------------------------------------------

class TzifReader {
  public:
    TzifReader(std::string_view bytes, const std::string& name) : b_(bytes), name_(name) {}

    ZoneData read() {
        ZoneData z;
        z.name = name_;
        Header h1 = header();
        if (h1.version == 0) {
            body(h1, 4, z);  // version 1: 32-bit data only, no footer
            return z;
        }
        skip(h1, 4);
        Header h2 = header();
        body(h2, 8, z);
        footer(z);
        return z;
    }

  private:
    struct Header {
        int version = 0;
        std::uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
    };

    [[noreturn]] void fail(std::string_view what) const {
        throw Error(Errc::invalid_argument, "time_zone",
                    fmt::format("\"{}\": not a usable TZif file ({})", name_, what));
    }
    void need(std::size_t n) const {
        if (pos_ + n > b_.size()) fail("truncated");
    }
    std::uint32_t u32() {
        need(4);
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v = (v << 8) | static_cast<unsigned char>(b_[pos_++]);
        return v;
    }
    std::int64_t i64() {
        std::uint64_t hi = u32();
        std::uint64_t lo = u32();
        return static_cast<std::int64_t>((hi << 32) | lo);
    }
    std::int64_t time(int width) { return width == 8 ? i64() : static_cast<std::int32_t>(u32()); }
    Header header() {
        need(44);
        if (b_.substr(pos_, 4) != "TZif") fail("no TZif magic");
        char v = b_[pos_ + 4];
        Header h;
        h.version = v == 0 ? 0 : v - '0';
        if (h.version < 0 || h.version > 9) fail("unknown version");
        pos_ += 20;
        h.isutcnt = u32();
        h.isstdcnt = u32();
        h.leapcnt = u32();
        h.timecnt = u32();
        h.typecnt = u32();
        h.charcnt = u32();
        if (h.typecnt == 0) fail("no local time types");
        return h;
    }
    static std::size_t size_of(const Header& h, int width) {
        return std::size_t(h.timecnt) * width + h.timecnt + std::size_t(h.typecnt) * 6 + h.charcnt +
               std::size_t(h.leapcnt) * (width + 4) + h.isstdcnt + h.isutcnt;
    }
    void skip(const Header& h, int width) {
        need(size_of(h, width));
        pos_ += size_of(h, width);
    }
    void body(const Header& h, int width, ZoneData& z) {
        if (h.leapcnt != 0) fail("leap-second zones are not supported");
        need(size_of(h, width));
        std::vector<std::int64_t> times(h.timecnt);
        for (auto& t : times)
            t = time(width);
        std::vector<unsigned> idx(h.timecnt);
        for (auto& i : idx) {
            i = static_cast<unsigned char>(b_[pos_++]);
            if (i >= h.typecnt) fail("bad type index");
        }
        std::vector<std::int32_t> utoff(h.typecnt);
        for (auto& off : utoff) {
            off = static_cast<std::int32_t>(u32());
            pos_ += 2;  // isdst, abbreviation index
        }
        pos_ += h.charcnt + h.isstdcnt + h.isutcnt;
        z.initial_offset = utoff[0];
        for (std::size_t i = 0; i < times.size(); ++i) {
            if (i > 0 && times[i] <= times[i - 1]) fail("transitions out of order");
            z.transitions.push_back(times[i]);
            z.offsets.push_back(utoff[idx[i]]);
        }
    }
    void footer(ZoneData& z) {
        if (pos_ >= b_.size() || b_[pos_] != '\n') fail("no footer");
        auto end = b_.find('\n', pos_ + 1);
        if (end == std::string_view::npos) fail("unterminated footer");
        std::string_view rule = b_.substr(pos_ + 1, end - pos_ - 1);
        if (!rule.empty()) z.rule = RuleParser(rule).parse();
    }

    std::string_view b_;
    const std::string& name_;
    std::size_t pos_ = 0;
};

// A tz database name: letters, digits, '/', '_', '-', '+', no "." component, not absolute.
bool is_zone_name(std::string_view s) {
    if (s.empty() || s.size() > 128 || s.front() == '/' || s.back() == '/') return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '-' &&
            c != '+')
            return false;
    return s.find("//") == std::string_view::npos;
}

std::optional<std::string> read_zone_file(std::string_view name) {
    const char* dir = std::getenv("TZDIR");
    std::string path = fmt::format("{}/{}", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::shared_ptr<const ZoneData> utc_data() {
    static const auto utc = [] {
        auto z = std::make_shared<ZoneData>();
        z->name = "UTC";
        return z;
    }();
    return utc;
}

}  // namespace

// ---- TimeZone ----------------------------------------------------------------------------

TimeZone::TimeZone() : data_(utc_data()) {}

TimeZone TimeZone::from_posix_rule(std::string_view rule) {
    auto z = std::make_shared<ZoneData>();
    z->name = std::string(rule);
    z->rule = RuleParser(rule).parse();
    z->initial_offset = z->rule->std_offset;
    return TimeZone(std::move(z));
}

TimeZone TimeZone::from_tzif(std::string name, std::string_view bytes) {
    return TimeZone(std::make_shared<ZoneData>(TzifReader(bytes, name).read()));
}

TimeZone TimeZone::locate(std::string_view name_or_rule) {
    if (name_or_rule == "UTC" || name_or_rule == "Etc/UTC") return TimeZone();
    if (is_zone_name(name_or_rule)) {
        if (auto bytes = read_zone_file(name_or_rule))
            return from_tzif(std::string(name_or_rule), *bytes);
    }
    return from_posix_rule(name_or_rule);
}

const std::string& TimeZone::name() const noexcept {
    return data_->name;
}

std::int32_t TimeZone::offset_at(std::int64_t t) const {
    const ZoneData& z = *data_;
    if (z.transitions.empty() || t >= z.transitions.back()) {
        if (z.rule) return rule_offset(*z.rule, t);
        return z.transitions.empty() ? z.initial_offset : z.offsets.back();
    }
    auto it = std::upper_bound(z.transitions.begin(), z.transitions.end(), t);
    if (it == z.transitions.begin()) return z.initial_offset;
    return z.offsets[static_cast<std::size_t>(it - z.transitions.begin()) - 1];
}

std::int64_t TimeZone::next_transition_after(std::int64_t t) const {
    const ZoneData& z = *data_;
    if (!z.transitions.empty() && t < z.transitions.back())
        return *std::upper_bound(z.transitions.begin(), z.transitions.end(), t);
    if (z.rule)
        return rule_next(
            *z.rule, std::max(t, z.transitions.empty() ? std::numeric_limits<std::int64_t>::min()
                                                       : z.transitions.back()));
    return std::numeric_limits<std::int64_t>::max();
}

std::chrono::seconds TimeZone::offset(Instant t) const {
    using namespace std::chrono;
    return seconds{offset_at(floor<seconds>(t).time_since_epoch().count())};
}

LocalTime TimeZone::to_local(Instant t) const {
    return LocalTime{t.time_since_epoch() + offset(t)};
}

Instant TimeZone::resolve(LocalTime local) const {
    using namespace std::chrono;
    Duration l = local.time_since_epoch();
    std::int64_t ls = floor<seconds>(l).count();
    // Walk the offsets in effect around the reading: the earliest instant that shows it
    // wins (the first of a repeated hour); failing that, the reading lies in a gap and is
    // read with the offset before the gap.
    const std::int64_t lo = ls - 2 * day_seconds, hi = ls + 2 * day_seconds;
    std::optional<std::int64_t> exists, in_gap;
    for (std::int64_t t = lo; t < hi;) {
        std::int32_t off = offset_at(t);
        std::int64_t next = std::min(next_transition_after(t), hi);
        std::int64_t u = ls - off;
        if (u >= t && u < next && !exists) exists = u;
        if (next < hi && ls >= next + off && ls < next + offset_at(next)) in_gap = u;
        t = next;
    }
    std::int64_t best = exists ? *exists : in_gap ? *in_gap : ls - offset_at(ls);
    return Instant{duration_cast<Duration>(seconds{best}) + (l - floor<seconds>(l))};
}

Instant TimeZone::next_transition(Instant t) const {
    using namespace std::chrono;
    std::int64_t n = next_transition_after(floor<seconds>(t).time_since_epoch().count());
    if (n > std::numeric_limits<std::int64_t>::max() / 1000000) return Instant::max();
    return Instant{duration_cast<Duration>(seconds{n})};
}

// ---- Civil dates -------------------------------------------------------------------------

Date parse_date(std::string_view text) {
    auto digits = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(text[i])))
                throw Error(Errc::invalid_argument,
                            fmt::format("\"{}\" is not a date YYYY-MM-DD", text));
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        throw Error(Errc::invalid_argument, fmt::format("\"{}\" is not a date YYYY-MM-DD", text));
    using namespace std::chrono;
    Date d{year{digits(0, 4)}, month{unsigned(digits(5, 2))}, day{unsigned(digits(8, 2))}};
    if (!d.ok())
        throw Error(Errc::invalid_argument, fmt::format("\"{}\" is not a valid date", text));
    return d;
}

std::string format_date(Date d) {
    return fmt::format("{:04}-{:02}-{:02}", int(d.year()), unsigned(d.month()), unsigned(d.day()));
}

ITSM_END_NAMESPACE

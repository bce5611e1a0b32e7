// Calendar: the local working hours of each date, the UTC timeline of working periods per
// UTC year (computed on first use, cached lock-free for readers), and business-time
// arithmetic over that timeline with binary searches.
#include "itsm/calendar.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>

#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

constexpr std::int64_t day_s = 86400;
constexpr std::int64_t us_per_s = 1000000;
constexpr int first_year = 1900;
constexpr int year_count = 500;  // 1900 .. 2399
// No zone is more than 26 hours from UTC; a day's intervals reach at most 48 h past its start.
constexpr std::int64_t max_offset_s = 26 * 3600;

constexpr std::string_view day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::int32_t days_since_epoch(Date d) {
    return static_cast<std::int32_t>(std::chrono::sys_days{d}.time_since_epoch().count());
}
Date date_of_days(std::int64_t days) {
    return Date{std::chrono::sys_days{std::chrono::days{days}}};
}
unsigned weekday_of_days(std::int64_t days) {
    return std::chrono::weekday{std::chrono::sys_days{std::chrono::days{days}}}.c_encoding();
}

// UTC microsecond at which each year first_year .. first_year + year_count begins.
const std::array<std::int64_t, year_count + 1>& year_starts() {
    static const auto table = [] {
        std::array<std::int64_t, year_count + 1> t{};
        for (int i = 0; i <= year_count; ++i) {
            using namespace std::chrono;
            auto d = sys_days{year{first_year + i} / January / 1}.time_since_epoch().count();
            t[std::size_t(i)] = d * day_s * us_per_s;
        }
        return t;
    }();
    return table;
}

// The year index of a UTC microsecond, or -1 / year_count when outside the range.
int year_index(std::int64_t us) {
    const auto& ys = year_starts();
    if (us < ys.front()) return -1;
    if (us >= ys.back()) return year_count;
    constexpr std::int64_t avg_year = 31556952LL * us_per_s;  // 365.2425 days
    int i = static_cast<int>((us - ys.front()) / avg_year);
    i = std::clamp(i, 0, year_count - 1);
    while (us < ys[std::size_t(i)])
        --i;
    while (us >= ys[std::size_t(i) + 1])
        ++i;
    return i;
}

using Intervals = std::vector<WorkingInterval>;

// Sorted, disjoint, touching intervals joined.
Intervals normalized(Intervals v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    Intervals out;
    for (const auto& iv : v) {
        if (!out.empty() && iv.start <= out.back().end)
            out.back().end = std::max(out.back().end, iv.end);
        else
            out.push_back(iv);
    }
    return out;
}

Intervals without(const Intervals& have, const Intervals& closed) {
    Intervals out = have;
    for (const auto& c : closed) {
        Intervals next;
        for (const auto& iv : out) {
            if (c.end <= iv.start || c.start >= iv.end) {
                next.push_back(iv);
                continue;
            }
            if (iv.start < c.start) next.push_back({iv.start, c.start});
            if (c.end < iv.end) next.push_back({c.end, iv.end});
        }
        out = std::move(next);
    }
    return out;
}

[[noreturn]] void config_error(const std::string& where, std::string_view message) {
    throw Error(Errc::invalid_config, where, message);
}

}  // namespace

// ---- Times of day ------------------------------------------------------------------------

std::int32_t parse_time_of_day(std::string_view text, bool is_end) {
    auto bad = [&]() -> std::int32_t {
        throw Error(
            Errc::invalid_argument,
            fmt::format("\"{}\" is not a time of day HH:MM or HH:MM:SS{}", text,
                        is_end ? " (an end may be 24:00 or carry +1 for the next day)" : ""));
    };
    std::string_view t = text;
    int plus_days = 0;
    if (is_end && t.size() > 2 && t.substr(t.size() - 2) == "+1") {
        plus_days = 1;
        t.remove_suffix(2);
    }
    if (t.size() != 5 && t.size() != 8) return bad();
    auto two = [&](std::size_t at) {
        if (!std::isdigit(static_cast<unsigned char>(t[at])) ||
            !std::isdigit(static_cast<unsigned char>(t[at + 1])))
            bad();
        return (t[at] - '0') * 10 + (t[at + 1] - '0');
    };
    int h = two(0);
    if (t[2] != ':') return bad();
    int m = two(3);
    int s = 0;
    if (t.size() == 8) {
        if (t[5] != ':') return bad();
        s = two(6);
    }
    if (m > 59 || s > 59) return bad();
    std::int32_t v = h * 3600 + m * 60 + s;
    if (h == 24 && v == 86400 && is_end && plus_days == 0) return v;
    if (h > 23) return bad();
    return v + plus_days * 86400;
}

std::string format_time_of_day(std::int32_t seconds) {
    int days = seconds / 86400;
    int r = seconds % 86400;
    if (seconds == 86400) return "24:00";
    std::string out = fmt::format("{:02}:{:02}", r / 3600, r / 60 % 60);
    if (r % 60 != 0) out += fmt::format(":{:02}", r % 60);
    if (days > 0) out += "+1";
    return out;
}

// ---- The calendar's data and timeline ----------------------------------------------------

namespace {

// The working periods of one UTC year, in microseconds. cum[i] is the working time before
// period i; cum[n] the year's total.
struct Block {
    std::int64_t begin = 0, end = 0;
    std::vector<std::int64_t> s, e, cum{0};
    std::size_t size() const noexcept { return s.size(); }
    std::int64_t total() const noexcept { return cum.back(); }
    // Working time from the start of the year to t (t inside the year).
    std::int64_t position(std::int64_t t) const noexcept {
        auto i = std::upper_bound(s.begin(), s.end(), t) - s.begin();
        if (i == 0) return 0;
        auto k = std::size_t(i - 1);
        return cum[k] + std::min(t, e[k]) - s[k];
    }
};

}  // namespace

struct Calendar::Impl {
    std::string id;
    TimeZone zone;
    CalendarPtr base;
    std::array<Intervals, 7> weekly;  // effective (own or inherited), by c_encoding
    std::map<std::int32_t, CalendarBuilder::DateRule> dates;
    std::vector<YearlyHoliday> yearly;

    mutable std::array<std::atomic<const Block*>, year_count> blocks{};
    mutable std::mutex build_mutex;
    mutable std::vector<std::unique_ptr<Block>> owned;

    bool yearly_holiday(Date d) const {
        for (const auto& h : yearly)
            if (h.date.month() == d.month() && h.date.day() == d.day() &&
                (h.first_year == 0 || int(d.year()) >= h.first_year) &&
                (h.last_year == 0 || int(d.year()) <= h.last_year))
                return true;
        return false;
    }

    // The local working intervals of a date: the nearest calendar in the inheritance chain
    // that says anything about the date decides it; otherwise the weekly hours apply.
    Intervals day(std::int64_t days) const {
        Date d = date_of_days(days);
        const Intervals& week = weekly[weekday_of_days(days)];
        for (const Impl* c = this; c; c = c->base ? c->base->impl_.get() : nullptr) {
            auto it = c->dates.find(static_cast<std::int32_t>(days));
            bool holiday = c->yearly_holiday(d) || (it != c->dates.end() && it->second.holiday);
            if (holiday) return {};
            if (it == c->dates.end()) continue;
            const auto& r = it->second;
            Intervals open = r.replace ? r.hours : week;
            open.insert(open.end(), r.extra.begin(), r.extra.end());
            return without(normalized(std::move(open)), r.closed);
        }
        return week;
    }

    // Appends the UTC seconds at which the wall clock reads within [a, b) (local seconds).
    void local_to_utc(std::int64_t a, std::int64_t b,
                      std::vector<std::pair<std::int64_t, std::int64_t>>& out) const {
        const std::int64_t hi = b + max_offset_s;
        for (std::int64_t t = a - max_offset_s; t < hi;) {
            std::int32_t off = zone.offset_at(t);
            std::int64_t next = std::min(zone.next_transition_after(t), hi);
            std::int64_t lo = std::max(t, a - off), up = std::min(next, b - off);
            if (lo < up) out.emplace_back(lo, up);
            t = next;
        }
    }

    std::unique_ptr<Block> build_block(int index) const {
        auto block = std::make_unique<Block>();
        block->begin = year_starts()[std::size_t(index)];
        block->end = year_starts()[std::size_t(index) + 1];
        const std::int64_t ys = block->begin / us_per_s, ye = block->end / us_per_s;
        std::vector<std::pair<std::int64_t, std::int64_t>> pieces;
        for (std::int64_t d = ys / day_s - 3; d <= ye / day_s + 1; ++d)
            for (const auto& iv : day(d))
                local_to_utc(d * day_s + iv.start, d * day_s + iv.end, pieces);
        std::sort(pieces.begin(), pieces.end());
        for (auto [a, b] : pieces) {
            a = std::max(a, ys);
            b = std::min(b, ye);
            if (a >= b) continue;
            if (!block->e.empty() && a * us_per_s <= block->e.back()) {
                block->e.back() = std::max(block->e.back(), b * us_per_s);
                continue;
            }
            block->s.push_back(a * us_per_s);
            block->e.push_back(b * us_per_s);
        }
        for (std::size_t i = 0; i < block->size(); ++i)
            block->cum.push_back(block->cum.back() + block->e[i] - block->s[i]);
        return block;
    }

    const Block& block(int index) const {
        if (index < 0 || index >= year_count)
            throw Error(Errc::invalid_argument,
                        fmt::format("calendar \"{}\": the result lies outside the years {} to {}",
                                    id, first_year, first_year + year_count - 1));
        auto& slot = blocks[std::size_t(index)];
        if (const Block* b = slot.load(std::memory_order_acquire)) return *b;
        std::lock_guard lock(build_mutex);
        if (const Block* b = slot.load(std::memory_order_relaxed)) return *b;
        owned.push_back(build_block(index));
        slot.store(owned.back().get(), std::memory_order_release);
        return *owned.back();
    }
};

namespace {

std::int64_t micros(Instant t) {
    return to_micros(t);
}

int checked_year(std::int64_t us) {
    int y = year_index(us);
    if (y < 0 || y >= year_count)
        throw Error(Errc::invalid_argument, "instant",
                    fmt::format("{} lies outside the years {} to {} that calendars cover",
                                format_instant(instant_from_micros(us)), first_year,
                                first_year + year_count - 1));
    return y;
}

// A position in the timeline: period i of year y.
struct Cursor {
    int y;
    std::ptrdiff_t i;
};

}  // namespace

Calendar::Calendar(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Calendar::~Calendar() = default;

const std::string& Calendar::id() const noexcept {
    return impl_->id;
}
const TimeZone& Calendar::time_zone() const noexcept {
    return impl_->zone;
}
const CalendarPtr& Calendar::base() const noexcept {
    return impl_->base;
}

bool Calendar::is_open(Instant t) const {
    std::int64_t u = micros(t);
    const Block& b = impl_->block(checked_year(u));
    auto i = std::upper_bound(b.s.begin(), b.s.end(), u) - b.s.begin();
    return i > 0 && u < b.e[std::size_t(i - 1)];
}

namespace {

// The first period starting after position (y, i - 1), across years.
Cursor following(const Calendar::Impl& c, Cursor at) {
    for (;;) {
        const Block& b = c.block(at.y);
        if (at.i < std::ptrdiff_t(b.size())) return at;
        at = {at.y + 1, 0};
    }
}

// The last period at or before index i of year y, across years.
Cursor preceding(const Calendar::Impl& c, Cursor at) {
    for (;;) {
        if (at.i >= 0) return at;
        const Block& b = c.block(at.y - 1);
        at = {at.y - 1, std::ptrdiff_t(b.size()) - 1};
    }
}

// Whether the period at `at` goes on in the next year (a split at the year boundary).
bool continues(const Calendar::Impl& c, Cursor at) {
    const Block& b = c.block(at.y);
    if (b.e[std::size_t(at.i)] != b.end || at.y + 1 >= year_count) return false;
    const Block& n = c.block(at.y + 1);
    return n.size() > 0 && n.s[0] == b.end;
}

}  // namespace

Instant Calendar::next_opening(Instant t) const {
    std::int64_t u = micros(t);
    int y = checked_year(u);
    const Block& b = impl_->block(y);
    auto i = std::upper_bound(b.s.begin(), b.s.end(), u) - b.s.begin();
    if (i > 0 && u < b.e[std::size_t(i - 1)]) return t;
    Cursor c = following(*impl_, {y, i});
    return instant_from_micros(impl_->block(c.y).s[std::size_t(c.i)]);
}

Instant Calendar::next_closing(Instant t) const {
    std::int64_t u = micros(next_opening(t));
    int y = checked_year(u);
    const Block& b = impl_->block(y);
    Cursor c{y, std::upper_bound(b.s.begin(), b.s.end(), u) - b.s.begin() - 1};
    while (continues(*impl_, c))
        c = {c.y + 1, 0};
    std::int64_t end = impl_->block(c.y).e[std::size_t(c.i)];
    if (end == year_starts().back())
        throw Error(Errc::invalid_argument,
                    fmt::format("calendar \"{}\" does not close again before the year {}",
                                impl_->id, first_year + year_count));
    return instant_from_micros(end);
}

Instant Calendar::previous_closing(Instant t) const {
    std::int64_t u = micros(t);
    int y = checked_year(u);
    const Block& b = impl_->block(y);
    Cursor c =
        preceding(*impl_, {y, std::upper_bound(b.e.begin(), b.e.end(), u) - b.e.begin() - 1});
    while (continues(*impl_, c))  // not a real closing: t lies in the rest of that period
        c = preceding(*impl_, {c.y, c.i - 1});
    return instant_from_micros(impl_->block(c.y).e[std::size_t(c.i)]);
}

Instant Calendar::add(Instant t, Duration d) const {
    std::int64_t u = micros(t), left = d.count();
    if (left == 0) return next_opening(t);
    if (left < 0) {
        if (left == std::numeric_limits<std::int64_t>::min())
            throw Error(Errc::invalid_argument, "duration", "out of range");
        return subtract(t, Duration{-left});
    }
    int y = checked_year(u);
    const Block* b = &impl_->block(y);
    std::int64_t c = b->position(u);
    if (left > std::numeric_limits<std::int64_t>::max() - c)
        throw Error(Errc::invalid_argument, "duration", "out of range");
    c += left;
    while (c > b->total()) {
        c -= b->total();
        b = &impl_->block(++y);
    }
    // The first period whose cumulative end reaches c: an exact fit ends at its close.
    auto k =
        std::size_t(std::lower_bound(b->cum.begin() + 1, b->cum.end(), c) - b->cum.begin() - 1);
    return instant_from_micros(b->s[k] + (c - b->cum[k]));
}

Instant Calendar::subtract(Instant t, Duration d) const {
    std::int64_t u = micros(t), left = d.count();
    if (left < 0) {
        if (left == std::numeric_limits<std::int64_t>::min())
            throw Error(Errc::invalid_argument, "duration", "out of range");
        return add(t, Duration{-left});
    }
    if (left == 0) return is_open(t) ? t : previous_closing(t);
    int y = checked_year(u);
    const Block* b = &impl_->block(y);
    std::int64_t c = b->position(u) - left;
    while (c < 0) {
        b = &impl_->block(--y);
        c += b->total();
    }
    // The last period starting at or before c: an exact fit ends at its opening.
    auto n = std::ptrdiff_t(b->size());
    auto k =
        std::size_t(std::upper_bound(b->cum.begin(), b->cum.begin() + n, c) - b->cum.begin() - 1);
    return instant_from_micros(b->s[k] + (c - b->cum[k]));
}

Duration Calendar::between(Instant a, Instant b) const {
    std::int64_t ua = micros(a), ub = micros(b);
    if (ub <= ua) return Duration{0};
    int ya = checked_year(ua), yb = checked_year(ub);
    const Block& ba = impl_->block(ya);
    if (ya == yb) return Duration{ba.position(ub) - ba.position(ua)};
    std::int64_t sum = ba.total() - ba.position(ua);
    for (int y = ya + 1; y < yb; ++y)
        sum += impl_->block(y).total();
    return Duration{sum + impl_->block(yb).position(ub)};
}

Instant Calendar::add_business_days(Instant t, int days) const {
    using namespace std::chrono;
    Instant from = days >= 0 ? next_opening(t) : (is_open(t) ? t : previous_closing(t));
    LocalTime local = impl_->zone.to_local(from);
    auto date = floor<std::chrono::days>(local);
    Duration time_of_day = local - date;
    std::int64_t d = date.time_since_epoch().count();
    int step = days >= 0 ? 1 : -1;
    int idle = 0;
    for (int left = days >= 0 ? days : -days; left > 0;) {
        d += step;
        if (!impl_->day(d).empty()) {
            --left;
            idle = 0;
        } else if (++idle > 3660) {
            throw Error(
                Errc::invalid_argument, "days",
                fmt::format("calendar \"{}\" has no working date within ten years", impl_->id));
        }
    }
    Instant r = impl_->zone.resolve(LocalTime{std::chrono::days{d}} + time_of_day);
    if (days >= 0) return next_opening(r);
    return is_open(r) ? r : previous_closing(r);
}

std::vector<Calendar::Period> Calendar::periods(Instant from, Instant to) const {
    std::vector<Period> out;
    std::int64_t uf = micros(from), ut = micros(to);
    if (ut <= uf) return out;
    int y = checked_year(uf);
    checked_year(ut - 1);
    const Block& b = impl_->block(y);
    Cursor c{y, std::upper_bound(b.e.begin(), b.e.end(), uf) - b.e.begin()};
    for (;;) {
        const Block& cb = impl_->block(c.y);
        if (c.i >= std::ptrdiff_t(cb.size())) {
            if (cb.end >= ut) break;
            c = {c.y + 1, 0};
            continue;
        }
        std::int64_t s = cb.s[std::size_t(c.i)], e = cb.e[std::size_t(c.i)];
        if (s >= ut) break;
        s = std::max(s, uf);
        e = std::min(e, ut);
        if (!out.empty() && micros(out.back().end) == s)
            out.back().end = instant_from_micros(e);  // rejoin a period split at New Year
        else
            out.push_back({instant_from_micros(s), instant_from_micros(e)});
        ++c.i;
    }
    return out;
}

std::vector<WorkingInterval> Calendar::hours_on(Date date) const {
    return impl_->day(days_since_epoch(date));
}

bool Calendar::is_working_date(Date date) const {
    return !impl_->day(days_since_epoch(date)).empty();
}

// ---- Builder -----------------------------------------------------------------------------

CalendarBuilder::CalendarBuilder(std::string id) : id_(std::move(id)) {}

CalendarBuilder& CalendarBuilder::time_zone(std::string_view name_or_rule) {
    try {
        zone_ = TimeZone::locate(name_or_rule);
    } catch (const Error& e) {
        config_error("time_zone",
                     std::string(e.what()).substr(e.where().empty() ? 0 : e.where().size() + 2));
    }
    return *this;
}

CalendarBuilder& CalendarBuilder::time_zone(TimeZone zone) {
    zone_ = std::move(zone);
    return *this;
}

CalendarBuilder& CalendarBuilder::base(CalendarPtr base) {
    if (!base) config_error("base", "no calendar given");
    base_ = std::move(base);
    return *this;
}

Intervals& CalendarBuilder::checked(Intervals& list, WorkingInterval iv, const std::string& where,
                                    bool allow_overlap) {
    std::string at = fmt::format("{}[{}]", where, list.size());
    if (iv.start < 0 || iv.start >= 86400) config_error(at, "start must lie within the day");
    if (iv.end == iv.start) config_error(at, "empty interval (start equals end)");
    if (iv.end < iv.start)
        config_error(at, "end before start (write the end as \"HH:MM+1\" for the next day)");
    if (iv.end > iv.start + 86400) config_error(at, "longer than 24 hours");
    if (!allow_overlap)
        for (std::size_t j = 0; j < list.size(); ++j)
            if (iv.start < list[j].end && list[j].start < iv.end)
                config_error(at, fmt::format("overlaps {}[{}]", where, j));
    list.push_back(iv);
    return list;
}

CalendarBuilder& CalendarBuilder::hours(std::chrono::weekday day, WorkingInterval interval) {
    if (!day.ok()) config_error("weekly", "not a weekday");
    auto week = weekly_ ? *weekly_ : std::array<Intervals, 7>{};
    checked(week[day.c_encoding()], interval, fmt::format("weekly.{}", day_names[day.c_encoding()]),
            false);
    weekly_ = std::move(week);
    return *this;
}

CalendarBuilder& CalendarBuilder::hours(std::chrono::weekday day, std::string_view from,
                                        std::string_view to) {
    std::string at = fmt::format("weekly.{}[{}]", day.ok() ? day_names[day.c_encoding()] : "?",
                                 weekly_ && day.ok() ? (*weekly_)[day.c_encoding()].size() : 0);
    WorkingInterval iv;
    try {
        iv = {parse_time_of_day(from, false), parse_time_of_day(to, true)};
    } catch (const Error& e) {
        config_error(at, e.what());
    }
    return hours(day, iv);
}

CalendarBuilder& CalendarBuilder::closed_week() {
    weekly_ = std::array<Intervals, 7>{};
    return *this;
}

CalendarBuilder& CalendarBuilder::always_open() {
    std::array<Intervals, 7> week;
    for (auto& d : week)
        d = {{0, 86400}};
    weekly_ = std::move(week);
    return *this;
}

CalendarBuilder& CalendarBuilder::holiday(Date date, std::string name) {
    if (!date.ok()) config_error("holidays", "not a valid date");
    std::int32_t key = days_since_epoch(date);
    dates_[key].holiday = true;
    if (!name.empty()) holiday_names_[key] = std::move(name);
    return *this;
}

CalendarBuilder& CalendarBuilder::yearly_holiday(std::chrono::month_day date, std::string name,
                                                 int first, int last) {
    if (!date.ok()) config_error("holidays", "not a valid month and day");
    if (first != 0 && last != 0 && last < first)
        config_error("holidays", fmt::format("ends ({}) before it starts ({})", last, first));
    yearly_.push_back({date, std::move(name), first, last});
    return *this;
}

namespace {
std::string date_where(Date d, std::string_view what) {
    return fmt::format("dates.{}.{}", format_date(d), what);
}
}  // namespace

CalendarBuilder& CalendarBuilder::date_hours(Date date, WorkingInterval interval) {
    if (!date.ok()) config_error("dates", "not a valid date");
    DateRule rule = dates_[days_since_epoch(date)];  // copy: nothing changes on failure
    checked(rule.hours, interval, date_where(date, "hours"), false);
    rule.replace = true;
    dates_[days_since_epoch(date)] = std::move(rule);
    return *this;
}

CalendarBuilder& CalendarBuilder::date_extra(Date date, WorkingInterval interval) {
    if (!date.ok()) config_error("dates", "not a valid date");
    DateRule rule = dates_[days_since_epoch(date)];
    checked(rule.extra, interval, date_where(date, "extra"), false);
    dates_[days_since_epoch(date)] = std::move(rule);
    return *this;
}

CalendarBuilder& CalendarBuilder::date_closed(Date date, WorkingInterval interval) {
    if (!date.ok()) config_error("dates", "not a valid date");
    DateRule rule = dates_[days_since_epoch(date)];
    checked(rule.closed, interval, date_where(date, "closed"), true);
    dates_[days_since_epoch(date)] = std::move(rule);
    return *this;
}

CalendarBuilder& CalendarBuilder::import_ics(std::string_view ics_text) {
    IcsHolidays got = parse_ics_holidays(ics_text);  // throws before anything changes
    for (auto& h : got.dates)
        holiday(h.date, std::move(h.name));
    for (auto& h : got.yearly)
        yearly_.push_back(std::move(h));
    return *this;
}

CalendarPtr CalendarBuilder::build() const {
    auto impl = std::make_unique<Calendar::Impl>();
    impl->id = id_;
    impl->base = base_;
    impl->zone = zone_ ? *zone_ : base_ ? base_->time_zone() : TimeZone::utc();
    if (weekly_)
        impl->weekly = *weekly_;
    else if (base_)
        impl->weekly = base_->impl_->weekly;
    for (auto& d : impl->weekly)
        d = normalized(d);
    impl->dates = dates_;
    impl->yearly = yearly_;
    return CalendarPtr(new Calendar(std::move(impl)));
}

// ---- Back to JSON --------------------------------------------------------------------------

namespace {

nlohmann::json intervals_json(const Intervals& list) {
    auto out = nlohmann::json::array();
    for (const auto& iv : list)
        out.push_back(
            nlohmann::json::array({format_time_of_day(iv.start), format_time_of_day(iv.end)}));
    return out;
}

// One calendar as the members from_json reads (calendar_json.cpp is the reader).
nlohmann::json calendar_json(const Calendar::Impl& c) {
    constexpr const char* day_keys[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    nlohmann::json j = {{"time_zone", c.zone.name()}};
    if (c.base) j["base"] = c.base->id();
    auto week = nlohmann::json::object();
    for (unsigned d = 0; d < 7; ++d)
        if (!c.weekly[d].empty()) week[day_keys[d]] = intervals_json(c.weekly[d]);
    j["weekly"] = week;  // an empty object: a week without working hours
    auto holidays = nlohmann::json::array();
    for (const auto& h : c.yearly) {
        unsigned month = unsigned(h.date.month()), day = unsigned(h.date.day());
        nlohmann::json y = {{"yearly", fmt::format("{:02}-{:02}", month, day)}};
        if (!h.name.empty()) y["name"] = h.name;
        if (h.first_year != 0) y["from"] = h.first_year;
        if (h.last_year != 0) y["until"] = h.last_year;
        holidays.push_back(std::move(y));
    }
    if (!holidays.empty()) j["holidays"] = std::move(holidays);
    auto dates = nlohmann::json::object();
    for (const auto& [days, rule] : c.dates) {
        auto r = nlohmann::json::object();
        if (rule.holiday) r["holiday"] = true;
        if (!rule.hours.empty()) r["hours"] = intervals_json(rule.hours);
        if (!rule.extra.empty()) r["extra"] = intervals_json(rule.extra);
        if (!rule.closed.empty()) r["closed"] = intervals_json(rule.closed);
        dates[format_date(date_of_days(days))] = std::move(r);
    }
    if (!dates.empty()) j["dates"] = std::move(dates);
    return j;
}

}  // namespace

std::string CalendarSet::to_json() const {
    auto all = nlohmann::json::object();
    // A base outside the set goes in too, so that the document stands on its own.
    std::vector<CalendarPtr> todo;
    for (const auto& [id, cal] : calendars_)
        todo.push_back(cal);
    while (!todo.empty()) {
        CalendarPtr cal = todo.back();
        todo.pop_back();
        if (all.contains(cal->id())) continue;
        all[cal->id()] = calendar_json(*cal->impl_);
        if (cal->base()) todo.push_back(cal->base());
    }
    return nlohmann::json{{"calendars", std::move(all)}}.dump();
}

ITSM_END_NAMESPACE

// Business calendars: time zones (IANA tz database or POSIX TZ rules), weekly working hours,
// holidays, date exceptions and inheritance, and business-time arithmetic exact to the
// microsecond. Every instant in and out is UTC; the calendar owns all civil-time and DST
// handling. The rules are stated in docs/sla.md.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/time.hpp"

ITSM_BEGIN_NAMESPACE

using Date = std::chrono::year_month_day;
// A wall-clock reading in some time zone.
using LocalTime = std::chrono::local_time<Duration>;

// "YYYY-MM-DD"; throws Error(invalid_argument) quoting the text otherwise.
Date parse_date(std::string_view text);
std::string format_date(Date d);

namespace detail {
struct ZoneData;
}

// A time zone: a zone of the IANA tz database (read from its compiled TZif files) or a
// POSIX TZ rule. Cheap to copy (shared, immutable data); safe to use from many threads.
class TimeZone {
  public:
    TimeZone();  // UTC
    static TimeZone utc() { return TimeZone(); }
    // An IANA name such as "Europe/Berlin", read from the tz database directory ($TZDIR,
    // else /usr/share/zoneinfo), or else a POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3".
    // Throws Error(invalid_argument) naming the text when it is neither.
    static TimeZone locate(std::string_view name_or_rule);
    static TimeZone from_posix_rule(std::string_view rule);
    // Parses the bytes of a TZif file (RFC 8536, version 1 to 4); `name` is what name() says.
    static TimeZone from_tzif(std::string name, std::string_view bytes);

    const std::string& name() const noexcept;
    // Local time = UTC + offset.
    std::chrono::seconds offset(Instant t) const;
    LocalTime to_local(Instant t) const;
    // A wall-clock reading to an instant. A reading inside a spring-forward gap or a
    // fall-back overlap is read with the offset in effect before the change (RFC 5545):
    // 02:30 in a 02:00->03:00 gap is 03:30 after it; 01:30 in a repeated hour is the first.
    Instant resolve(LocalTime local) const;
    // The first instant after `t` at which the offset may change; Instant::max() if never.
    Instant next_transition(Instant t) const;

    // Internal, in seconds: offset at a UTC second, next transition strictly after it.
    std::int32_t offset_at(std::int64_t utc_seconds) const;
    std::int64_t next_transition_after(std::int64_t utc_seconds) const;

  private:
    explicit TimeZone(std::shared_ptr<const detail::ZoneData> data) : data_(std::move(data)) {}
    std::shared_ptr<const detail::ZoneData> data_;
};

// Working time on one day, in seconds from that day's local midnight: start in [0, 24h),
// end in (start, start + 24h]. An end beyond 24:00 belongs to the next day (a night shift).
struct WorkingInterval {
    std::int32_t start = 0;
    std::int32_t end = 0;
    friend bool operator==(const WorkingInterval&, const WorkingInterval&) = default;
};

// "HH:MM" or "HH:MM:SS" -> seconds; an end may be "24:00" or carry "+1" ("06:00+1") for
// the next day. Throws Error(invalid_argument) on anything else.
std::int32_t parse_time_of_day(std::string_view text, bool is_end);
std::string format_time_of_day(std::int32_t seconds);

struct Holiday {
    Date date;
    std::string name;
};
// The same month and day every year, optionally only from / until a year (inclusive).
struct YearlyHoliday {
    std::chrono::month_day date;
    std::string name;
    int first_year = 0;  // 0: no bound
    int last_year = 0;   // 0: no bound
};
struct IcsHolidays {
    std::vector<Holiday> dates;
    std::vector<YearlyHoliday> yearly;
};
// Holidays of an iCalendar (RFC 5545) text: every VEVENT with DTSTART;VALUE=DATE (or a bare
// date), an optional exclusive DTEND for several days, an optional RRULE:FREQ=YEARLY (with
// UNTIL or COUNT). Throws Error(invalid_config, "line N", ...) for anything it cannot honour.
IcsHolidays parse_ics_holidays(std::string_view ics_text);

class Calendar;
using CalendarPtr = std::shared_ptr<const Calendar>;

// Builds a Calendar. Each call validates its input at once and throws
// Error(invalid_config) whose where() is the place inside the calendar, such as
// "weekly.mon[1]" or "dates.2026-12-24.hours[0]"; a failed call changes nothing.
class CalendarBuilder {
  public:
    explicit CalendarBuilder(std::string id = "calendar");

    CalendarBuilder& time_zone(std::string_view name_or_rule);
    CalendarBuilder& time_zone(TimeZone zone);
    // Inherit the zone, weekly hours and date rules not given here (docs/sla.md).
    CalendarBuilder& base(CalendarPtr base);
    // Appends a working interval to a weekday. The first call defines this calendar's own
    // week (days never given are closed) instead of the base's.
    CalendarBuilder& hours(std::chrono::weekday day, WorkingInterval interval);
    CalendarBuilder& hours(std::chrono::weekday day, std::string_view from, std::string_view to);
    // Defines an own week with no working hours (only date hours then open it).
    CalendarBuilder& closed_week();
    // 24x7: every day 00:00-24:00.
    CalendarBuilder& always_open();
    CalendarBuilder& holiday(Date date, std::string name = {});
    CalendarBuilder& yearly_holiday(std::chrono::month_day date, std::string name = {},
                                    int first_year = 0, int last_year = 0);
    // Date exceptions. date_hours replaces the weekly hours of that date (call once per
    // interval); date_extra adds working time; date_closed removes some (a break).
    CalendarBuilder& date_hours(Date date, WorkingInterval interval);
    CalendarBuilder& date_extra(Date date, WorkingInterval interval);
    CalendarBuilder& date_closed(Date date, WorkingInterval interval);
    CalendarBuilder& import_ics(std::string_view ics_text);
    // Reads an .ics file; Error(invalid_config) names the path when it cannot be read, and
    // "<path>: line N" for its content.
    CalendarBuilder& import_ics_file(const std::string& path);

    CalendarPtr build() const;

    struct DateRule {
        bool holiday = false;
        bool replace = false;
        std::vector<WorkingInterval> hours, extra, closed;
    };

  private:
    friend class Calendar;
    std::vector<WorkingInterval>& checked(std::vector<WorkingInterval>& list,
                                          WorkingInterval interval, const std::string& where,
                                          bool allow_overlap);
    std::string id_;
    std::optional<TimeZone> zone_;
    CalendarPtr base_;
    std::optional<std::array<std::vector<WorkingInterval>, 7>> weekly_;  // by c_encoding
    std::map<std::int32_t, DateRule> dates_;                             // by days since 1970-01-01
    std::map<std::int32_t, std::string> holiday_names_;
    std::vector<YearlyHoliday> yearly_;
};

// An immutable business calendar, safe to share between threads. The UTC timeline of
// working periods is computed per UTC year on first use and cached, so each operation
// costs a few binary searches whatever the distance. Instants must lie in the years
// 1900 to 2399 (UTC); others are refused with Error(invalid_argument).
class Calendar {
  public:
    struct Period {
        Instant start;
        Instant end;  // exclusive
        friend bool operator==(const Period&, const Period&) = default;
    };

    ~Calendar();
    Calendar(const Calendar&) = delete;
    Calendar& operator=(const Calendar&) = delete;

    const std::string& id() const noexcept;
    const TimeZone& time_zone() const noexcept;
    const CalendarPtr& base() const noexcept;

    // Working periods are half-open: open at a period's start, closed at its end.
    bool is_open(Instant t) const;
    // `t` when open, else the start of the next working period.
    Instant next_opening(Instant t) const;
    // The end of the working period that holds `t`, or of the next one when closed.
    Instant next_closing(Instant t) const;
    // The end of the last working period that ended at or before `t`.
    Instant previous_closing(Instant t) const;

    // Moves forward by business time `d` (backward when negative). A duration that uses up
    // a period exactly ends at its close; zero from a closed instant gives the next opening.
    Instant add(Instant t, Duration d) const;
    // Moves backward by `d`: the mirror of add (ends at an opening; zero from a closed
    // instant gives the previous closing).
    Instant subtract(Instant t, Duration d) const;
    // Business time in [a, b); zero when b <= a.
    Duration between(Instant a, Instant b) const;
    // N business days later (earlier when negative): rolls a closed `t` to the next opening
    // (previous closing), moves N working dates keeping the wall-clock time, then rolls
    // again if that moment is closed.
    Instant add_business_days(Instant t, int days) const;

    // Working periods overlapping [from, to), clipped to it, in order.
    std::vector<Period> periods(Instant from, Instant to) const;
    // The local working intervals of a date after holidays and date rules.
    std::vector<WorkingInterval> hours_on(Date date) const;
    bool is_working_date(Date date) const;

    struct Impl;  // internal

  private:
    friend class CalendarBuilder;
    friend class CalendarSet;  // to_json reads the calendar's rules
    explicit Calendar(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Calendars by id, loaded from one configuration document:
//   {"calendars": {"berlin": {"time_zone": "Europe/Berlin", "weekly": {...}, ...}, ...}}
// (the format is in docs/sla.md). A bad document is refused whole with the JSON path.
class CalendarSet {
  public:
    static CalendarSet from_json(std::string_view text);
    // The document from_json reads, for the calendars in this set and the bases they
    // inherit from: from_json(to_json()) gives calendars with the same working time, zone,
    // bases, holidays and date rules. Each calendar's week is written out in full (as the
    // normalized intervals it works with), and one-off holidays lose their names.
    std::string to_json() const;

    // Adds or replaces a calendar under its id.
    void add(CalendarPtr calendar);
    CalendarPtr find(std::string_view id) const;
    // Throws Error(not_found) naming the id.
    CalendarPtr at(std::string_view id) const;
    std::vector<std::string> ids() const;
    std::size_t size() const noexcept { return calendars_.size(); }

  private:
    std::map<std::string, CalendarPtr, std::less<>> calendars_;
};

ITSM_END_NAMESPACE

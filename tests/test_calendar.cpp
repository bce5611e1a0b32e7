#include "itsm/calendar.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "helpers.hpp"
#include "itsm/error.hpp"

using namespace itsm;
using namespace std::chrono_literals;
using itsm_test::error_of;

namespace {

Instant at(const char* text) {
    return parse_instant(text);
}
std::string fmt_at(Instant t) {
    return format_instant(t);
}

// Mon-Fri 09:00-12:00 and 13:00-17:00, Europe/Berlin.
CalendarPtr office() {
    CalendarBuilder b("office");
    b.time_zone("Europe/Berlin");
    for (auto d : {std::chrono::Monday, std::chrono::Tuesday, std::chrono::Wednesday,
                   std::chrono::Thursday, std::chrono::Friday}) {
        b.hours(d, "09:00", "12:00");
        b.hours(d, "13:00", "17:00");
    }
    return b.build();
}

}  // namespace

TEST_CASE("time zones: tz database zones, POSIX rules, offsets and transitions") {
    TimeZone berlin = TimeZone::locate("Europe/Berlin");
    CHECK(berlin.name() == "Europe/Berlin");
    CHECK(berlin.offset(at("2026-01-15T12:00:00Z")) == 1h);
    CHECK(berlin.offset(at("2026-07-15T12:00:00Z")) == 2h);
    // Spring forward at 01:00 UTC on the last Sunday of March, back at 01:00 UTC in October.
    CHECK(berlin.offset(at("2026-03-29T00:59:59Z")) == 1h);
    CHECK(berlin.offset(at("2026-03-29T01:00:00Z")) == 2h);
    CHECK(berlin.offset(at("2026-10-25T00:59:59Z")) == 2h);
    CHECK(berlin.offset(at("2026-10-25T01:00:00Z")) == 1h);
    CHECK(fmt_at(berlin.next_transition(at("2026-01-01T00:00:00Z"))) == "2026-03-29T01:00:00Z");
    // Far beyond the explicit transitions the file's POSIX footer takes over.
    CHECK(berlin.offset(at("2391-07-01T00:00:00Z")) == 2h);
    CHECK(fmt_at(berlin.next_transition(at("2391-01-01T00:00:00Z"))) == "2391-03-31T01:00:00Z");

    TimeZone rule = TimeZone::locate("CET-1CEST,M3.5.0,M10.5.0/3");
    for (Instant t = at("2020-01-01T00:00:00Z"); t < at("2040-01-01T00:00:00Z"); t += 73h)
        REQUIRE(rule.offset(t) == berlin.offset(t));
    // Southern hemisphere: DST spans the new year.
    TimeZone sydney = TimeZone::from_posix_rule("AEST-10AEDT,M10.1.0,M4.1.0/3");
    CHECK(sydney.offset(at("2026-01-15T00:00:00Z")) == 11h);
    CHECK(sydney.offset(at("2026-06-15T00:00:00Z")) == 10h);
    CHECK(TimeZone::locate("Australia/Sydney").offset(at("2016-04-02T15:59:59Z")) == 11h);
    CHECK(TimeZone::locate("Australia/Sydney").offset(at("2016-04-02T16:00:00Z")) == 10h);
    CHECK(TimeZone::from_posix_rule("<+0330>-3:30").offset(at("2026-01-01T00:00:00Z")) ==
          3h + 30min);
    CHECK(TimeZone().offset(at("2026-07-01T00:00:00Z")) == 0s);
    CHECK(TimeZone::locate("Etc/UTC").name() == "UTC");
}

TEST_CASE("time zones: wall-clock readings in a gap or an overlap resolve as RFC 5545 says") {
    TimeZone berlin = TimeZone::locate("Europe/Berlin");
    auto local = [](const char* utc_text) {
        return LocalTime{parse_instant(utc_text).time_since_epoch()};
    };
    CHECK(fmt_at(berlin.resolve(local("2026-03-29T01:30:00Z"))) == "2026-03-29T00:30:00Z");
    // 02:30 does not exist: read with the winter offset, it is 03:30 summer time.
    CHECK(fmt_at(berlin.resolve(local("2026-03-29T02:30:00Z"))) == "2026-03-29T01:30:00Z");
    CHECK(fmt_at(berlin.resolve(local("2026-03-29T03:00:00Z"))) == "2026-03-29T01:00:00Z");
    // 02:30 happens twice: the first (summer time) wins.
    CHECK(fmt_at(berlin.resolve(local("2026-10-25T02:30:00Z"))) == "2026-10-25T00:30:00Z");
    CHECK(fmt_at(berlin.resolve(local("2026-10-25T03:00:00Z"))) == "2026-10-25T02:00:00Z");
    CHECK(fmt_at(berlin.resolve(local("2026-10-25T02:30:00.25Z"))) ==
          "2026-10-25T00:30:00.250000Z");
    CHECK(berlin.to_local(at("2026-07-01T10:00:00Z")) == local("2026-07-01T12:00:00Z"));
}

TEST_CASE("time zones: unknown names, bad rules and bad TZif data are refused") {
    for (const char* bad : {"Europe/Atlantis", "../etc/passwd", "/etc/localtime", "", "X",
                            "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0", "CET-200"}) {
        CAPTURE(bad);
        auto msg = error_of([&] { TimeZone::locate(bad); }, Errc::invalid_argument);
        CHECK(msg.find("time_zone") == 0);
    }
    error_of([] { TimeZone::from_tzif("x", "TZif2"); }, Errc::invalid_argument);
    error_of([] { TimeZone::from_tzif("x", std::string(60, 'x')); }, Errc::invalid_argument);
}

TEST_CASE("calendars: several intervals a day; open at a start, closed at an end") {
    auto c = office();
    CHECK(c->id() == "office");
    CHECK(c->time_zone().name() == "Europe/Berlin");
    // Monday 2026-03-02, UTC+1: 09:00 local = 08:00Z.
    CHECK_FALSE(c->is_open(at("2026-03-02T07:59:59.999999Z")));
    CHECK(c->is_open(at("2026-03-02T08:00:00Z")));
    CHECK(c->is_open(at("2026-03-02T10:59:59Z")));
    CHECK_FALSE(c->is_open(at("2026-03-02T11:00:00Z")));  // lunch
    CHECK(c->is_open(at("2026-03-02T12:00:00Z")));
    CHECK_FALSE(c->is_open(at("2026-03-02T16:00:00Z")));
    CHECK_FALSE(c->is_open(at("2026-03-07T10:00:00Z")));  // Saturday
    CHECK(c->between(at("2026-03-02T00:00:00Z"), at("2026-03-09T00:00:00Z")) == 35h);
    CHECK(c->hours_on(parse_date("2026-03-02")) ==
          std::vector<WorkingInterval>{{9 * 3600, 12 * 3600}, {13 * 3600, 17 * 3600}});
    CHECK(c->is_working_date(parse_date("2026-03-06")));
    CHECK_FALSE(c->is_working_date(parse_date("2026-03-07")));
}

TEST_CASE("calendars: add, subtract and between follow the interval model") {
    auto c = office();
    Instant mon_9 = at("2026-03-02T08:00:00Z"), mon_12 = at("2026-03-02T11:00:00Z");
    Instant mon_13 = at("2026-03-02T12:00:00Z"), mon_17 = at("2026-03-02T16:00:00Z");
    Instant tue_9 = at("2026-03-03T08:00:00Z");
    // A duration that uses up a period exactly ends at its close, not at the next opening.
    CHECK(c->add(mon_9, 3h) == mon_12);
    CHECK(c->add(mon_9, 7h) == mon_17);
    CHECK(c->add(mon_9, 3h + 1us) == mon_13 + 1us);
    // Zero from a closed instant gives the next opening; from an open one, the instant.
    CHECK(c->add(mon_12, 0s) == mon_13);
    CHECK(c->add(mon_17, 0s) == tue_9);
    CHECK(c->add(mon_9 + 5min, 0s) == mon_9 + 5min);
    // Counting from a closed instant starts at the next opening.
    CHECK(c->add(at("2026-03-01T12:00:00Z"), 30min) == mon_9 + 30min);
    // Backwards is the mirror: an exact fit ends at the opening, zero gives the closing.
    CHECK(c->subtract(mon_17, 4h) == mon_13);
    CHECK(c->subtract(mon_17, 7h) == mon_9);
    CHECK(c->subtract(tue_9 - 1h, 0s) == mon_17);
    CHECK(c->subtract(tue_9, 0s) == tue_9);
    CHECK(c->subtract(mon_13, 0s) == mon_13);
    CHECK(c->subtract(mon_12 + 30min, 0s) == mon_12);
    // Negative durations go the other way.
    CHECK(c->add(tue_9, -1h) == mon_17 - 1h);
    CHECK(c->subtract(mon_9, -1h) == mon_9 + 1h);
    // Microseconds are kept exactly: no rounding anywhere.
    CHECK(c->add(mon_9, 1500ms + 7us) == mon_9 + 1500ms + 7us);
    CHECK(c->between(mon_9 + 1us, mon_17) == 7h - 1us);
    // between is the business time in [a, b), zero when b is not after a.
    CHECK(c->between(mon_9, tue_9) == 7h);
    CHECK(c->between(mon_12, mon_13) == 0s);
    CHECK(c->between(tue_9, mon_9) == 0s);
    CHECK(c->between(mon_9, mon_9) == 0s);
    // Over the weekend.
    CHECK(c->add(at("2026-03-06T15:00:00Z"), 2h) == at("2026-03-09T09:00:00Z"));
}

TEST_CASE("calendars: add and between agree over random instants and durations") {
    auto c = office();
    std::mt19937_64 rng(42);
    const std::int64_t from = to_micros(at("2025-06-01T00:00:00Z"));
    const std::int64_t span = std::int64_t(3 * 365) * 86400 * 1000000;
    for (int i = 0; i < 2000; ++i) {
        Instant t = instant_from_micros(from + std::int64_t(rng() % std::uint64_t(span)));
        Duration d{std::int64_t(rng() % (std::uint64_t(900) * 3600 * 1000000))};
        CAPTURE(fmt_at(t));
        CAPTURE(d.count());
        Instant r = c->add(t, d);
        REQUIRE(c->between(t, r) == d);
        // Back again lands where counting began: t itself, or the next opening.
        REQUIRE(c->subtract(r, d) == c->next_opening(t));
        if (d > 0s) REQUIRE((c->is_open(r - 1us)));
    }
}

TEST_CASE("calendars: next opening, next closing, previous closing") {
    auto c = office();
    CHECK(c->next_opening(at("2026-03-02T08:30:00Z")) == at("2026-03-02T08:30:00Z"));
    CHECK(c->next_opening(at("2026-03-02T11:30:00Z")) == at("2026-03-02T12:00:00Z"));
    CHECK(c->next_opening(at("2026-03-06T17:00:00Z")) == at("2026-03-09T08:00:00Z"));
    CHECK(c->next_closing(at("2026-03-02T08:30:00Z")) == at("2026-03-02T11:00:00Z"));
    CHECK(c->next_closing(at("2026-03-02T11:00:00Z")) == at("2026-03-02T16:00:00Z"));
    CHECK(c->previous_closing(at("2026-03-02T11:00:00Z")) == at("2026-03-02T11:00:00Z"));
    CHECK(c->previous_closing(at("2026-03-02T13:00:00Z")) == at("2026-03-02T11:00:00Z"));
    CHECK(c->previous_closing(at("2026-03-09T07:00:00Z")) == at("2026-03-06T16:00:00Z"));
    auto p = c->periods(at("2026-03-02T10:00:00Z"), at("2026-03-03T09:00:00Z"));
    REQUIRE(p.size() == 3);
    CHECK(p[0] == Calendar::Period{at("2026-03-02T10:00:00Z"), at("2026-03-02T11:00:00Z")});
    CHECK(p[1] == Calendar::Period{at("2026-03-02T12:00:00Z"), at("2026-03-02T16:00:00Z")});
    CHECK(p[2] == Calendar::Period{at("2026-03-03T08:00:00Z"), at("2026-03-03T09:00:00Z")});
}

TEST_CASE("calendars: 24x7, and periods that run over New Year stay one period") {
    auto c = CalendarBuilder("always").always_open().build();
    Instant t = at("2026-12-31T22:00:00Z");
    CHECK(c->add(t, 5h) == t + 5h);
    CHECK(c->between(t, t + 24h * 400) == 24h * 400);
    CHECK(c->add(t, 24h * 3650) == t + 24h * 3650);
    CHECK(c->subtract(t, 24h * 3650) == t - 24h * 3650);
    // Always open: no closing within the calendar's range.
    error_of([&] { c->next_closing(t); }, Errc::invalid_argument);
    auto p = c->periods(t, t + 48h);
    REQUIRE(p.size() == 1);
    CHECK(p[0] == Calendar::Period{t, t + 48h});

    // A night shift from Thursday 22:00 to Friday 06:00 (UTC) is one period across the year end.
    auto night = CalendarBuilder("night").hours(std::chrono::Thursday, "22:00", "06:00+1").build();
    // 2026-12-31 is a Thursday.
    CHECK(night->next_closing(at("2026-12-31T23:00:00Z")) == at("2027-01-01T06:00:00Z"));
    CHECK(night->previous_closing(at("2027-01-01T05:00:00Z")) == at("2026-12-25T06:00:00Z"));
    auto np = night->periods(at("2026-12-31T00:00:00Z"), at("2027-01-02T00:00:00Z"));
    REQUIRE(np.size() == 1);
    CHECK(np[0] == Calendar::Period{at("2026-12-31T22:00:00Z"), at("2027-01-01T06:00:00Z")});
    CHECK(night->add(at("2026-12-31T21:00:00Z"), 8h) == at("2027-01-01T06:00:00Z"));
}

TEST_CASE("calendars: an interval crossing midnight belongs to the day it starts") {
    auto c = CalendarBuilder("night")
                 .hours(std::chrono::Friday, "22:00", "06:00+1")
                 .holiday(parse_date("2026-03-07"))  // the Saturday: does not cut Friday's shift
                 .holiday(parse_date("2026-03-13"))  // a Friday: no shift that night
                 .build();
    CHECK(c->is_open(at("2026-03-07T03:00:00Z")));
    CHECK(c->between(at("2026-03-06T00:00:00Z"), at("2026-03-08T00:00:00Z")) == 8h);
    CHECK_FALSE(c->is_open(at("2026-03-14T03:00:00Z")));
    CHECK(c->add(at("2026-03-06T23:00:00Z"), 7h) == at("2026-03-07T06:00:00Z"));
    CHECK(c->add(at("2026-03-06T23:00:00Z"), 8h) == at("2026-03-20T23:00:00Z"));
}

TEST_CASE("calendars: one-off and yearly holidays, with year bounds and 29 February") {
    auto c = CalendarBuilder("h")
                 .always_open()
                 .holiday(parse_date("2026-05-14"), "Ascension")
                 .yearly_holiday(std::chrono::December / 25, "Christmas")
                 .yearly_holiday(std::chrono::June / 1, "From 2027", 2027, 2028)
                 .yearly_holiday(std::chrono::February / 29, "Leap day")
                 .build();
    auto closed = [&](const char* d) { return !c->is_working_date(parse_date(d)); };
    CHECK(closed("2026-05-14"));
    CHECK_FALSE(closed("2027-05-14"));
    CHECK(closed("2026-12-25"));
    CHECK(closed("2391-12-25"));
    CHECK_FALSE(closed("2026-06-01"));
    CHECK(closed("2027-06-01"));
    CHECK(closed("2028-06-01"));
    CHECK_FALSE(closed("2029-06-01"));
    CHECK(closed("2028-02-29"));
    CHECK(c->between(at("2026-12-24T00:00:00Z"), at("2026-12-27T00:00:00Z")) == 48h);
}

TEST_CASE("calendars: date exceptions replace, extend or cut a date's hours") {
    CalendarBuilder b("x");
    b.hours(std::chrono::Monday, "09:00", "17:00");
    b.date_hours(parse_date("2026-03-02"), {10 * 3600, 12 * 3600});   // shorter hours
    b.date_extra(parse_date("2026-03-09"), {18 * 3600, 20 * 3600});   // extra evening hours
    b.date_closed(parse_date("2026-03-16"), {12 * 3600, 13 * 3600});  // a break
    b.date_hours(parse_date("2026-03-07"), {8 * 3600, 9 * 3600});     // a Saturday opens
    b.holiday(parse_date("2026-03-23"));
    b.date_hours(parse_date("2026-03-23"), {9 * 3600, 10 * 3600});  // the holiday wins
    auto c = b.build();
    auto hours = [&](const char* d) {
        return c->between(at((std::string(d) + "T00:00:00Z").c_str()),
                          at((std::string(d) + "T23:59:59Z").c_str()));
    };
    CHECK(hours("2026-03-02") == 2h);
    CHECK(hours("2026-03-09") == 10h);
    CHECK(hours("2026-03-16") == 7h);
    CHECK(hours("2026-03-07") == 1h);
    CHECK(hours("2026-03-23") == 0h);
    CHECK(hours("2026-03-30") == 8h);
    CHECK(c->hours_on(parse_date("2026-03-16")) ==
          std::vector<WorkingInterval>{{9 * 3600, 12 * 3600}, {13 * 3600, 17 * 3600}});
}

TEST_CASE("calendars: inheritance from a base calendar") {
    auto base = CalendarBuilder("de")
                    .time_zone("Europe/Berlin")
                    .hours(std::chrono::Monday, "08:00", "16:00")
                    .yearly_holiday(std::chrono::December / 24)
                    .holiday(parse_date("2026-03-02"))
                    .build();
    // Inherits the zone and the week; adds a holiday; reopens one of the base's holidays.
    auto team = CalendarBuilder("team")
                    .base(base)
                    .holiday(parse_date("2026-03-09"))
                    .date_hours(parse_date("2026-03-02"), {10 * 3600, 11 * 3600})
                    .build();
    CHECK(team->base() == base);
    CHECK(team->time_zone().name() == "Europe/Berlin");
    CHECK(team->hours_on(parse_date("2026-03-02")) ==
          std::vector<WorkingInterval>{{10 * 3600, 11 * 3600}});
    CHECK_FALSE(base->is_working_date(parse_date("2026-03-02")));
    CHECK_FALSE(team->is_working_date(parse_date("2026-03-09")));
    CHECK(team->is_working_date(parse_date("2026-03-16")));
    CHECK_FALSE(team->is_working_date(parse_date("2029-12-24")));  // a Monday, base holiday
    CHECK(team->is_open(at("2026-03-16T07:00:00Z")));
    // An own week replaces the base's entirely.
    auto evenings =
        CalendarBuilder("eve").base(base).hours(std::chrono::Tuesday, "18:00", "20:00").build();
    CHECK_FALSE(evenings->is_working_date(parse_date("2026-03-16")));
    CHECK(evenings->is_working_date(parse_date("2026-03-17")));
}

TEST_CASE("calendars: DST in both directions, with hours in Berlin wall-clock time") {
    auto all = CalendarBuilder("b").time_zone("Europe/Berlin").always_open().build();
    auto day = [&](const char* d) {
        Date date = parse_date(d);
        Instant a =
            all->time_zone().resolve(LocalTime{std::chrono::sys_days{date}.time_since_epoch()});
        Instant b = all->time_zone().resolve(
            LocalTime{(std::chrono::sys_days{date} + std::chrono::days{1}).time_since_epoch()});
        return all->between(a, b);
    };
    CHECK(day("2026-03-29") == 23h);  // the spring-forward gap is skipped
    CHECK(day("2026-10-25") == 25h);  // the repeated hour counts once per real hour
    CHECK(day("2026-10-26") == 24h);
    CHECK(all->add(at("2026-03-28T23:00:00Z"), 23h) == at("2026-03-29T22:00:00Z"));

    CalendarBuilder b("odd");
    b.time_zone("Europe/Berlin");
    b.hours(std::chrono::Sunday, "02:30", "03:30");  // half inside the gap on 29 March
    b.hours(std::chrono::Sunday, "01:30", "02:15");
    auto odd = b.build();
    // Spring: the wall clock reads 02:30..03:30 only from 03:00 CEST (01:00Z) to 01:30Z.
    CHECK(odd->between(at("2026-03-29T00:00:00Z"), at("2026-03-30T00:00:00Z")) == 30min + 30min);
    // Autumn: 01:30..02:15 once, then 02:00..02:15 again and 02:30..03:30 with the second 02:xx.
    CHECK(odd->between(at("2026-10-24T22:00:00Z"), at("2026-10-25T23:00:00Z")) ==
          45min + 15min + 30min + 60min);
    // Office hours keep their wall-clock meaning on both sides of the change.
    auto c = office();
    CHECK(c->next_opening(at("2026-03-27T16:00:00Z")) == at("2026-03-30T07:00:00Z"));
    CHECK(c->add(at("2026-03-27T15:00:00Z"), 2h) == at("2026-03-30T08:00:00Z"));
    CHECK(c->between(at("2026-10-23T14:00:00Z"), at("2026-10-26T09:00:00Z")) == 2h);
}

TEST_CASE("calendars: business days keep the wall-clock time and roll closed instants") {
    auto c = office();
    // Friday 10:30 local + 1 business day = Monday 10:30 local.
    CHECK(c->add_business_days(at("2026-03-06T09:30:00Z"), 1) == at("2026-03-09T09:30:00Z"));
    // Saturday: rolled to Monday 09:00 first, then one day: Tuesday 09:00.
    CHECK(c->add_business_days(at("2026-03-07T10:00:00Z"), 1) == at("2026-03-10T08:00:00Z"));
    // Lunch time on the target day rolls to the afternoon opening.
    CHECK(c->add_business_days(at("2026-03-09T11:15:00Z"), 0) == at("2026-03-09T12:00:00Z"));
    CHECK(c->add_business_days(at("2026-03-09T09:30:00Z"), -1) == at("2026-03-06T09:30:00Z"));
    CHECK(c->add_business_days(at("2026-03-08T10:00:00Z"), -1) == at("2026-03-05T16:00:00Z"));
    // Across spring forward: 10:00 local stays 10:00 local.
    CHECK(c->add_business_days(at("2026-03-27T09:00:00Z"), 1) == at("2026-03-30T08:00:00Z"));
    auto never = CalendarBuilder("never").closed_week().build();
    error_of([&] { never->add_business_days(at("2026-03-02T00:00:00Z"), 1); },
             Errc::invalid_argument);
}

TEST_CASE("calendars: instants outside 1900..2399 and endless searches are refused") {
    auto c = office();
    error_of([&] { c->is_open(at("1899-12-31T23:59:59Z")); }, Errc::invalid_argument);
    error_of([&] { c->add(at("2399-12-31T00:00:00Z"), 100h); }, Errc::invalid_argument);
    auto never = CalendarBuilder("never").closed_week().build();
    auto msg =
        error_of([&] { never->add(at("2026-03-02T00:00:00Z"), 1h); }, Errc::invalid_argument);
    CHECK(msg.find("never") != std::string::npos);
}

TEST_CASE("calendars: a shared calendar computes its years safely from many threads") {
    auto c = office();
    std::vector<std::thread> threads;
    std::vector<Duration> got(8);
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            got[std::size_t(i)] =
                c->between(at("2001-01-01T00:00:00Z"), at("2031-01-01T00:00:00Z"));
        });
    for (auto& t : threads)
        t.join();
    for (auto d : got)
        CHECK(d == got[0]);
    CHECK(got[0] > 50000h);
}

TEST_CASE("calendars: builder refusals name the place and change nothing") {
    CalendarBuilder b("x");
    b.hours(std::chrono::Monday, "09:00", "12:00");
    auto where = [](const std::function<void()>& f) {
        try {
            f();
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid_config);
            return e.where() + ": " + std::string(e.what()).substr(e.where().size() + 2);
        }
        FAIL("no error");
        return std::string();
    };
    CHECK(where([&] {
              b.hours(std::chrono::Monday, "17:00", "09:00");
          }).find("weekly.mon[1]: end before start") == 0);
    CHECK(where([&] { b.hours(std::chrono::Monday, "11:00", "13:00"); }) ==
          "weekly.mon[1]: overlaps weekly.mon[0]");
    CHECK(where([&] { b.hours(std::chrono::Monday, "13:00", "13:00"); }).find("weekly.mon[1]") ==
          0);
    CHECK(where([&] { b.hours(std::chrono::Monday, "13:00", "14:00+1"); }) ==
          "weekly.mon[1]: longer than 24 hours");
    CHECK(where([&] { b.hours(std::chrono::Monday, "25:00", "26:00"); }).find("weekly.mon[1]") ==
          0);
    CHECK(where([&] { b.time_zone("Mars/Olympus"); }).find("time_zone: ") == 0);
    CHECK(where([&] {
              b.date_hours(parse_date("2026-03-02"), {50000, 40000});
          }) ==
          "dates.2026-03-02.hours[0]: end before start (write the end as \"HH:MM+1\" for the "
          "next day)");
    CHECK(where([&] { b.import_ics("BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VEVENT\n"); }) ==
          "line 2: VEVENT without DTSTART");
    auto c = b.build();
    CHECK(c->time_zone().name() == "UTC");
    CHECK(c->hours_on(parse_date("2026-03-02")) ==
          std::vector<WorkingInterval>{{9 * 3600, 12 * 3600}});
    CHECK(c->is_working_date(parse_date("2026-03-09")));
}

TEST_CASE("calendars: iCalendar holiday import") {
    const char* ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\n"
        "SUMMARY:Christmas\r\n  break\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20200101\r\nRRULE:FREQ=YEARLY\r\n"
        "SUMMARY:New Year\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nDTSTART:20260501\r\nRRULE:FREQ=YEARLY;COUNT=2\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n";
    auto got = parse_ics_holidays(ics);
    REQUIRE(got.dates.size() == 3);
    CHECK(format_date(got.dates[0].date) == "2026-12-24");
    CHECK(got.dates[0].name == "Christmas break");
    CHECK(format_date(got.dates[2].date) == "2026-12-26");
    REQUIRE(got.yearly.size() == 2);
    CHECK(got.yearly[0].first_year == 2020);
    CHECK(got.yearly[0].last_year == 0);
    CHECK(got.yearly[1].last_year == 2027);

    auto c = CalendarBuilder("ics").always_open().import_ics(ics).build();
    CHECK_FALSE(c->is_working_date(parse_date("2026-12-25")));
    CHECK(c->is_working_date(parse_date("2026-12-27")));
    CHECK_FALSE(c->is_working_date(parse_date("2031-01-01")));
    CHECK(c->is_working_date(parse_date("2019-01-01")));
    CHECK_FALSE(c->is_working_date(parse_date("2027-05-01")));
    CHECK(c->is_working_date(parse_date("2028-05-01")));

    // From a file.
    std::string path = (std::filesystem::temp_directory_path() /
                        ("itsm_holidays_" + std::to_string(std::random_device{}()) + ".ics"))
                           .string();
    std::ofstream(path) << ics;
    auto from_file = CalendarBuilder("f").always_open().import_ics_file(path).build();
    CHECK_FALSE(from_file->is_working_date(parse_date("2026-12-25")));
    std::ofstream(path) << "BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VEVENT\n";
    CHECK(error_of([&] { CalendarBuilder("f").import_ics_file(path); }, Errc::invalid_config) ==
          path + ": line 2: VEVENT without DTSTART");
    std::remove(path.c_str());
    CHECK(error_of([&] { CalendarBuilder("f").import_ics_file(path); }, Errc::invalid_config) ==
          path + ": cannot be read");

    struct Bad {
        const char* text;
        const char* message;
    };
    for (Bad bad : {
             Bad{"BEGIN:VEVENT\n", "line 1: not an iCalendar text"},
             Bad{"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261224T100000Z\nEND:VEVENT\n",
                 "line 3: DTSTART is a date-time"},
             Bad{"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261224\nRRULE:FREQ=MONTHLY\n"
                 "END:VEVENT\n",
                 "line 4: RRULE part \"FREQ=MONTHLY\""},
             Bad{"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261224\n"
                 "RRULE:FREQ=YEARLY;BYDAY=1MO\nEND:VEVENT\n",
                 "line 4: RRULE part \"BYDAY=1MO\""},
             Bad{"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261324\nEND:VEVENT\n",
                 "line 3: DTSTART \"20261324\" is not a date"},
             Bad{"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261224\n", "line 2: VEVENT without"},
         }) {
        CAPTURE(bad.text);
        auto msg = error_of([&] { parse_ics_holidays(bad.text); }, Errc::invalid_config);
        CHECK_MESSAGE(msg.find(bad.message) == 0, msg);
    }
}

TEST_CASE("calendars: JSON configuration") {
    auto set = CalendarSet::from_json(R"({"calendars": {
        "team": {"base": "berlin", "holidays": ["2026-03-09"],
                 "dates": {"2026-03-02": {"hours": [["10:00", "11:00"]]},
                           "2026-03-03": {"extra": [["18:00", "19:00"]],
                                          "closed": [["09:00", "10:00"]]},
                           "2026-03-04": {"holiday": true}}},
        "berlin": {"time_zone": "Europe/Berlin",
                   "weekly": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]],
                              "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
                              "fri": [["22:00", "06:00+1"]]},
                   "holidays": [{"date": "2026-04-03", "name": "Good Friday"},
                                {"yearly": "12-25", "name": "Christmas", "from": 2000},
                                "2026-05-01"],
                   "holidays_ics": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261231\nEND:VEVENT\nEND:VCALENDAR\n"},
        "ops": {"weekly": "24x7", "time_zone": "America/New_York"}
    }})");
    CHECK(set.size() == 3);
    CHECK(set.ids() == std::vector<std::string>{"berlin", "ops", "team"});
    auto team = set.at("team");
    CHECK(team->base() == set.at("berlin"));
    CHECK(team->time_zone().name() == "Europe/Berlin");
    CHECK(team->hours_on(parse_date("2026-03-02")) == std::vector<WorkingInterval>{{36000, 39600}});
    CHECK(team->hours_on(parse_date("2026-03-03")) ==
          std::vector<WorkingInterval>{{36000, 61200}, {64800, 68400}});
    CHECK_FALSE(team->is_working_date(parse_date("2026-03-04")));
    CHECK_FALSE(team->is_working_date(parse_date("2026-03-09")));
    CHECK(team->hours_on(parse_date("2026-03-06")) ==
          std::vector<WorkingInterval>{{22 * 3600, 30 * 3600}});
    CHECK_FALSE(team->is_working_date(parse_date("2026-12-25")));
    CHECK_FALSE(team->is_working_date(parse_date("2026-12-31")));
    CHECK_FALSE(team->is_working_date(parse_date("2026-04-03")));
    CHECK(set.at("ops")->is_open(at("2026-12-25T03:00:00Z")));
    // A POSIX TZ rule works wherever a zone name does.
    auto posix = CalendarSet::from_json(R"({"calendars": {"p": {
        "time_zone": "CET-1CEST,M3.5.0,M10.5.0/3", "weekly": {"mon": [["09:00", "17:00"]]}}}})")
                     .at("p");
    CHECK(posix->time_zone().name() == "CET-1CEST,M3.5.0,M10.5.0/3");
    CHECK(posix->next_opening(at("2026-03-28T00:00:00Z")) == at("2026-03-30T07:00:00Z"));
    CHECK(posix->next_opening(at("2026-10-24T00:00:00Z")) == at("2026-10-26T08:00:00Z"));
    CHECK(set.find("nope") == nullptr);
    error_of([&] { set.at("nope"); }, Errc::not_found);
}

TEST_CASE("calendars: a bad JSON document is refused whole, naming the JSON path") {
    struct Bad {
        const char* doc;
        const char* message;
    };
    for (
        Bad bad : {
            Bad{R"({"calendars": {"berlin": {"weekly": {"mon": [["09:00", "12:00"], ["17:00", "09:00"]]}}}})",
                "calendars.berlin.weekly.mon[1]: end before start"},
            Bad{R"({"calendars": {"b": {"weekly": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}}})",
                "calendars.b.weekly.mon[1]: overlaps weekly.mon[0]"},
            Bad{R"({"calendars": {"b": {"weekly": {"mon": [["9:00", "12:00"]]}}}})",
                "calendars.b.weekly.mon[0]: \"9:00\" is not a time of day"},
            Bad{R"({"calendars": {"b": {"weekly": {"mon": [["09:00"]]}}}})",
                "calendars.b.weekly.mon[0]: expected [\"HH:MM\", \"HH:MM\"]"},
            Bad{R"({"calendars": {"b": {"weekly": {"monday": []}}}})",
                "calendars.b.weekly.monday: unknown member"},
            Bad{R"({"calendars": {"b": {"weekly": "24x5"}}})",
                "calendars.b.weekly: expected an object of weekdays or \"24x7\""},
            Bad{R"({"calendars": {"b": {"time_zone": "Europe/Berlinn"}}})",
                "calendars.b.time_zone: \"Europe/Berlinn\" is neither"},
            Bad{R"({"calendars": {"b": {"base": "c"}}})",
                "calendars.b.base: unknown calendar \"c\""},
            Bad{R"({"calendars": {"b": {"base": "c"}, "c": {"base": "b"}}})",
                "calendars.c.base: inheritance cycle b -> c -> b"},
            Bad{R"({"calendars": {"b": {"holidays": ["2026-02-30"]}}})",
                "calendars.b.holidays[0]: \"2026-02-30\" is not a valid date"},
            Bad{R"({"calendars": {"b": {"holidays": [{"yearly": "13-01"}]}}})",
                "calendars.b.holidays[0].yearly: \"13-01\" is not a date MM-DD"},
            Bad{R"({"calendars": {"b": {"holidays": [{"date": "2026-01-01", "yearly": "01-01"}]}}})",
                "calendars.b.holidays[0]: give exactly one"},
            Bad{R"({"calendars": {"b": {"holidays": [{"yearly": "01-01", "from": 2030, "until": 2020}]}}})",
                "calendars.b.holidays[0].until: before \"from\""},
            Bad{R"({"calendars": {"b": {"dates": {"2026-03-02": {"hours": [["12:00", "11:00"]]}}}}})",
                "calendars.b.dates.2026-03-02.hours[0]: end before start"},
            Bad{R"({"calendars": {"b": {"dates": {"2026-3-2": {}}}}})",
                "calendars.b.dates.2026-3-2: \"2026-3-2\" is not a date"},
            Bad{R"({"calendars": {"b": {"dates": {"2026-03-02": {"open": []}}}}})",
                "calendars.b.dates.2026-03-02.open: unknown member"},
            Bad{R"({"calendars": {"b": {"holidays_ics": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026\nEND:VEVENT"}}})",
                "calendars.b.holidays_ics: line 3: DTSTART \"2026\" is not a date"},
            Bad{R"({"calendars": {"b": {"colour": "red"}}})", "calendars.b.colour: unknown member"},
            Bad{R"({"calendars": []})", "calendars: expected an object"},
            Bad{R"({})", "calendars: missing"},
            Bad{R"({"calendars": {)", "(document): not valid JSON"},
        }) {
        CAPTURE(bad.doc);
        auto msg = error_of([&] { CalendarSet::from_json(bad.doc); }, Errc::invalid_config);
        CHECK_MESSAGE(msg.find(bad.message) == 0, msg);
    }
}

TEST_CASE("calendars: the timeline agrees minute by minute with the wall-clock definition") {
    // Open at t when the wall clock at t reads within an interval of the local date it shows,
    // or of the day before (for intervals that run past midnight). This reference never
    // maps intervals to UTC, so it checks the per-year timelines independently.
    CalendarBuilder b("mixed");
    b.time_zone("Europe/Berlin");
    b.hours(std::chrono::Saturday, "22:00", "03:30+1");  // over both DST nights
    b.hours(std::chrono::Sunday, "01:30", "02:45");
    b.hours(std::chrono::Sunday, "10:00", "12:00");
    b.hours(std::chrono::Monday, "08:00", "12:00");
    b.hours(std::chrono::Monday, "13:00", "17:30");
    b.hours(std::chrono::Friday, "23:00", "01:00+1");
    b.holiday(parse_date("2026-03-30"));
    b.date_closed(parse_date("2026-10-26"), {9 * 3600, 10 * 3600});
    b.date_extra(parse_date("2026-10-25"), {3 * 3600, 4 * 3600});
    auto c = b.build();
    const TimeZone& zone = c->time_zone();
    auto reference = [&](Instant t) {
        using namespace std::chrono;
        LocalTime local = zone.to_local(t);
        auto day = floor<days>(local);
        for (int back = 0; back <= 1; ++back) {
            auto d = day - days{back};
            auto since = duration_cast<seconds>(local - d).count();
            for (const auto& iv : c->hours_on(Date{sys_days{d.time_since_epoch()}}))
                if (since >= iv.start && since < iv.end) return true;
        }
        return false;
    };
    for (const char* from :
         {"2026-03-26T00:00:00Z", "2026-10-22T00:00:00Z", "2026-12-29T00:00:00Z"}) {
        Instant t0 = at(from);
        Instant t1 = t0 + 24h * 7;
        Duration open{0};
        for (Instant t = t0; t < t1; t += 1min) {
            CAPTURE(fmt_at(t));
            REQUIRE(c->is_open(t) == reference(t));
            if (reference(t)) open += 1min;
        }
        CHECK(c->between(t0, t1) == open);
        CHECK(c->add(t0, open) == c->previous_closing(t1));
    }
}

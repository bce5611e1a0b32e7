#include "itsm/time.hpp"

#include <doctest/doctest.h>

#include "helpers.hpp"
#include "itsm/error.hpp"

using namespace itsm;
using itsm_test::error_of;

TEST_CASE("instants format as ISO-8601 UTC and parse back") {
    Instant t = parse_instant("2026-03-01T09:30:00Z");
    CHECK(format_instant(t) == "2026-03-01T09:30:00Z");
    CHECK(to_micros(t) == 1772357400LL * 1000000);
    CHECK(format_instant(parse_instant("2026-03-01 09:30:00.25Z")) ==
          "2026-03-01T09:30:00.250000Z");
    CHECK(parse_instant("2026-03-01T10:30:00+01:00") == t);
    CHECK(parse_instant("2026-03-01T04:00:00-05:30") == t);
    CHECK(format_instant(Instant{}) == "1970-01-01T00:00:00Z");
    CHECK(format_instant(parse_instant("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59Z");
    CHECK(format_instant(parse_instant("2024-02-29T23:59:59.000001Z")) ==
          "2024-02-29T23:59:59.000001Z");
}

TEST_CASE("malformed instants are refused with the text quoted") {
    for (const char* bad :
         {"", "2026-03-01", "2026-03-01T09:30:00", "2026-02-30T00:00:00Z", "2026-03-01T24:00:00Z",
          "2026-03-01T09:30:00.1234567Z", "2026-03-01T09:30:00Zjunk", "2026-3-1T09:30:00Z",
          "2026-03-01T09:30:00+1:00"}) {
        CAPTURE(bad);
        auto msg = error_of([&] { parse_instant(bad); }, Errc::invalid_argument);
        CHECK(msg.find(std::string("\"") + bad + "\"") != std::string::npos);
    }
}

TEST_CASE("a manual clock moves only when told to") {
    ManualClock clock(parse_instant("2026-01-01T00:00:00Z"));
    CHECK(format_instant(clock.now()) == "2026-01-01T00:00:00Z");
    clock.advance(std::chrono::hours(25));
    CHECK(format_instant(clock.now()) == "2026-01-02T01:00:00Z");
    clock.set(parse_instant("2025-06-01T12:00:00Z"));
    CHECK(format_instant(clock.now()) == "2025-06-01T12:00:00Z");
}

TEST_CASE("the system clock reads the present") {
    SystemClock clock;
    CHECK(clock.now() > parse_instant("2020-01-01T00:00:00Z"));
}

TEST_CASE("ISO-8601 durations: weeks, days and a time part, units in order") {
    using std::chrono::hours;
    using std::chrono::minutes;
    using std::chrono::seconds;
    CHECK(parse_iso_duration("PT4H") == Duration(hours(4)));
    CHECK(parse_iso_duration("PT90S") == Duration(seconds(90)));
    CHECK(parse_iso_duration("P2DT30M") == Duration(hours(48) + minutes(30)));
    CHECK(parse_iso_duration("P1W") == Duration(hours(24 * 7)));
    CHECK(parse_iso_duration("P1W2DT3H4M5S") ==
          Duration(hours(24 * 9 + 3) + minutes(4) + seconds(5)));
    CHECK(parse_iso_duration("PT0S") == Duration(0));
    CHECK(parse_iso_duration("P5200W") == Duration(hours(24 * 7 * 5200)));
    for (const char* bad :
         {"",       "P",      "PT",     "P1",      "PT4",     "4H",
          "pt4h",   "PT4h",   "P1M",    "P1Y",     "PT1D",    "P1H",
          "P1DT",   "PT1H2H", "PT1M1H", "P1D1W",   "P1DT1W",  "PT-1H",
          "PT1.5H", "PT4H ",  " PT4H",  "PT1HT1M", "P99999W", "PT99999999999999999999S"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_iso_duration(bad));
    }
}

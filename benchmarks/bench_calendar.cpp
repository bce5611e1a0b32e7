// Calendar benchmarks: add, subtract and between over 1-hour and 1-year spans, is_open and
// next_opening, on an office calendar in Europe/Berlin (two intervals a day, Mon-Fri) with
// 10 years of holidays (yearly and one-off) and date exceptions. Start instants are spread
// over 2021-2028 and taken in a fixed pseudo-random order, so no two iterations in a row
// touch the same period. The per-year timelines are computed once before timing (as a
// long-running host has them); BuildYear measures that first-use cost on its own.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "itsm/calendar.hpp"
#include "itsm/time.hpp"

namespace {

using namespace std::chrono_literals;
using itsm::Calendar;
using itsm::CalendarBuilder;
using itsm::CalendarPtr;
using itsm::Instant;

CalendarBuilder office_builder() {
    CalendarBuilder b("office");
    b.time_zone("Europe/Berlin");
    for (auto d : {std::chrono::Monday, std::chrono::Tuesday, std::chrono::Wednesday,
                   std::chrono::Thursday, std::chrono::Friday}) {
        b.hours(d, "08:00", "12:30");
        b.hours(d, "13:30", "17:00");
    }
    using namespace std::chrono;
    for (auto md : {January / 1, May / 1, October / 3, December / 24, December / 25, December / 26,
                    December / 31})
        b.yearly_holiday(md);
    // Ten years of movable holidays and exceptions: five one-off dates a year.
    std::mt19937 rng(7);
    for (int y = 2020; y < 2030; ++y) {
        for (int i = 0; i < 5; ++i) {
            auto day = sys_days{year{y} / January / 1} + days{int(rng() % 365)};
            b.holiday(year_month_day{day});
        }
        b.date_hours(year_month_day{sys_days{year{y} / December / 23}}, {9 * 3600, 12 * 3600});
        b.date_closed(year_month_day{sys_days{year{y} / June / 15}}, {10 * 3600, 11 * 3600});
    }
    return b;
}

const CalendarPtr& office() {
    static const CalendarPtr cal = [] {
        auto c = office_builder().build();
        // Compute the timelines of every year the benchmarks reach.
        (void)c->between(itsm::parse_instant("2019-01-01T00:00:00Z"),
                         itsm::parse_instant("2031-01-01T00:00:00Z"));
        return c;
    }();
    return cal;
}

const std::vector<Instant>& starts() {
    static const std::vector<Instant> v = [] {
        std::vector<Instant> out;
        std::mt19937_64 rng(11);
        const std::int64_t from = itsm::to_micros(itsm::parse_instant("2021-01-01T00:00:00Z"));
        const std::int64_t span = std::int64_t(8) * 365 * 86400 * 1000000;
        for (int i = 0; i < 4096; ++i)
            out.push_back(
                itsm::instant_from_micros(from + std::int64_t(rng() % std::uint64_t(span))));
        return out;
    }();
    return v;
}

// Business time in a year of this calendar: about 1,950 hours.
constexpr itsm::Duration business_year = 1950h;

template <class Op>
void run(benchmark::State& state, Op op) {
    const auto& cal = *office();
    const auto& s = starts();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(op(cal, s[i]));
        i = (i + 1) & 4095;
    }
}

void Add_1h(benchmark::State& st) {
    run(st, [](const Calendar& c, Instant t) { return c.add(t, 1h); });
}
void Add_1y(benchmark::State& st) {
    run(st, [](const Calendar& c, Instant t) { return c.add(t, business_year); });
}
void Subtract_1h(benchmark::State& st) {
    run(st, [](const Calendar& c, Instant t) { return c.subtract(t, 1h); });
}
void Subtract_1y(benchmark::State& st) {
    run(st, [](const Calendar& c, Instant t) { return c.subtract(t, business_year); });
}
void Between_1h(benchmark::State& st) {
    run(st, [](const Calendar& c, Instant t) { return c.between(t, t + 1h); });
}
void Between_1y(benchmark::State& st) {
    run(st, [](const Calendar& c, Instant t) { return c.between(t, t + 24h * 365); });
}
void IsOpen(benchmark::State& st) {
    run(st, [](const Calendar& c, Instant t) { return c.is_open(t); });
}
void NextOpening(benchmark::State& st) {
    run(st, [](const Calendar& c, Instant t) { return c.next_opening(t); });
}

// First use of a year: building the year's UTC timeline (a fresh calendar each time).
void BuildYear(benchmark::State& st) {
    auto builder = office_builder();
    Instant t = itsm::parse_instant("2026-06-01T10:00:00Z");
    for (auto _ : st) {
        st.PauseTiming();
        auto c = builder.build();
        st.ResumeTiming();
        benchmark::DoNotOptimize(c->is_open(t));
        st.PauseTiming();
        c.reset();
        st.ResumeTiming();
    }
}

#define CALENDAR_BENCH(f) BENCHMARK(f)->Repetitions(10)->ReportAggregatesOnly(true)
CALENDAR_BENCH(Add_1h);
CALENDAR_BENCH(Add_1y);
CALENDAR_BENCH(Subtract_1h);
CALENDAR_BENCH(Subtract_1y);
CALENDAR_BENCH(Between_1h);
CALENDAR_BENCH(Between_1y);
CALENDAR_BENCH(IsOpen);
CALENDAR_BENCH(NextOpening);
BENCHMARK(BuildYear)->Repetitions(5)->ReportAggregatesOnly(true)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// itsm_bench_sim: a simulated year of the built-in scenario (a five-person IT team, about
// 120 tickets a week), and of the same organisation 100 times larger (500 agents, 50 000
// requesters, about 12 000 tickets a week). Each iteration builds the desk and runs the
// whole year on the Engine; docs/performance.md has the figures.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "itsm/sim/simulator.hpp"

namespace {

// The default organisation scaled by `factor`: people at each site, arrival rates, and every
// staff entry joined by `factor - 1` colleagues with the same groups, skills and shift.
itsm::sim::Scenario scaled(int factor, int weeks) {
    auto s = itsm::sim::Scenario::default_scenario();
    s.weeks = weeks;
    if (factor == 1) return s;
    for (auto& site : s.sites)
        site.users *= factor;
    for (auto& a : s.arrivals)
        a.rate_per_week *= factor;
    std::size_t n = s.staff.size();
    for (std::size_t i = 0; i < n; ++i) {
        auto team = s.staff[i];
        team.id = itsm::Symbol(fmt::format("{}_team", s.staff[i].id.view()));
        team.count = factor - 1;
        s.staff.push_back(team);
    }
    return s;
}

void run(benchmark::State& state, int factor, int weeks = 52) {
    auto scenario = scaled(factor, weeks);
    std::uint64_t tickets = 0, events = 0;
    for (auto _ : state) {
        auto report = itsm::sim::simulate(scenario);
        tickets = 0;
        for (auto c : report.totals.created)
            tickets += c;
        events = report.totals.events;
        benchmark::DoNotOptimize(report);
    }
    state.counters["tickets"] = static_cast<double>(tickets);
    state.counters["events"] = static_cast<double>(events);
}

void BM_SimYear_Default(benchmark::State& state) {
    run(state, 1);
}
void BM_SimYear_100x(benchmark::State& state) {
    run(state, 100);
}
// The first weeks of the larger organisation alone: a short run to profile
// (--benchmark_filter=BM_SimWeeks_100x).
void BM_SimWeeks_100x(benchmark::State& state) {
    run(state, 100, static_cast<int>(state.range(0)));
}

}  // namespace

BENCHMARK(BM_SimYear_Default)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_SimYear_100x)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_SimWeeks_100x)->Arg(4)->Unit(benchmark::kSecond)->Iterations(1);

BENCHMARK_MAIN();

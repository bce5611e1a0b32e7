// SLA benchmarks: what the clocks cost in the engine, over an InMemoryStore and a
// ManualClock, with a real access policy.
//
//   Create/no_sla            Engine::create with no SLA policy set (the hook is one test)
//   Create/two_policies      the same with two policies applying to every ticket (an SLA
//                            with response and resolution on a Mon-Fri office calendar with
//                            holidays, and a 24x7 OLA): three clocks started per create
//   Advance/<tickets>        Engine::advance over a desk of <tickets> running clocks, each
//                            call finding 10 alarms due (one warning each): the cost follows
//                            the alarms, not the size of the desk
//   Update/two_policies      an update that re-evaluates three clocks (a title change)
//   Advance/sqlite/<tickets> Advance over a SqliteStore (a temporary file, synchronous=off):
//                            the alarms come off the store's sla_alarm index
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "itsm/access.hpp"
#include "itsm/engine.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/sla.hpp"
#include "itsm/sqlite_store.hpp"

namespace {

using namespace std::chrono_literals;

constexpr const char* calendars = R"({"calendars": {
    "office": {"time_zone": "Europe/Berlin",
               "weekly": {"mon": [["08:00", "17:00"]], "tue": [["08:00", "17:00"]],
                          "wed": [["08:00", "17:00"]], "thu": [["08:00", "17:00"]],
                          "fri": [["08:00", "17:00"]]},
               "holidays": [{"yearly": "01-01"}, {"yearly": "05-01"}, {"yearly": "12-25"},
                            {"yearly": "12-26"}, "2026-04-03", "2026-04-06", "2026-05-14"]}}})";

constexpr const char* two_policies = R"({"sla_policies": {
    "gold": {"calendar": "office", "pause_on": ["state_class:pending"],
             "metrics": {"response": {"targets": {"1": "PT1H", "2": "PT2H", "3": "PT4H",
                                                  "4": "PT8H", "5": "PT16H"}},
                         "resolution": {"targets": {"1": "PT4H", "2": "PT8H", "3": "PT16H",
                                                    "4": "PT40H", "5": "PT80H"}}}},
    "ops": {"type": "ola",
            "metrics": {"resolution": {"targets": {"1": "PT2H", "2": "PT4H", "3": "PT8H",
                                                   "4": "PT24H", "5": "PT48H"}}}}}})";

// One wall-clock metric of 10 days with a single 50% warning: a ticket created at t raises
// its first alarm at t + 5 days.
constexpr const char* one_warning = R"({"sla_policies": {
    "long": {"warnings": [50], "metrics": {"resolution": {"targets": {"1": "P10D", "2": "P10D",
             "3": "P10D", "4": "P10D", "5": "P10D"}}}}}})";

struct Desk {
    std::shared_ptr<itsm::ManualClock> clock =
        std::make_shared<itsm::ManualClock>(itsm::parse_instant("2026-03-02T09:00:00Z"));
    itsm::Engine engine;
    itsm::Actor actor{"agent"};

    explicit Desk(const char* policies,
                  std::shared_ptr<itsm::Store> store = std::make_shared<itsm::InMemoryStore>())
        : engine(std::move(store), clock) {
        itsm::Actor system = itsm::Actor::system();
        itsm::Directory people;
        people.add_user({"agent", "", true});
        engine.set_directory(system, people);
        engine.set_access(system, itsm::AccessPolicy::from_json(R"({
            "segments": [{"id": "global"}], "roles": [{"preset": "administrator"}],
            "grants": [{"user": "agent", "role": "administrator", "segment": "*"}]})"));
        engine.set_calendars(actor, itsm::CalendarSet::from_json(calendars));
        if (policies) {
            auto cals = engine.calendars();
            engine.set_sla_policies(actor, itsm::SlaPolicies::from_json(policies, &cals));
        }
    }
    itsm::Ticket create(std::size_t i) {
        itsm::NewTicket in;
        in.kind = "incident";
        in.title = "Printer " + std::to_string(i);
        in.impact = 1 + static_cast<int>(i % 3);
        in.urgency = 1 + static_cast<int>((i / 3) % 3);
        return engine.create(actor, in);
    }
};

void create_loop(benchmark::State& state, const char* policies) {
    Desk d(policies);
    std::size_t i = 0;
    for (auto _ : state) {
        d.clock->advance(1s);
        benchmark::DoNotOptimize(d.create(i++));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_Create_no_sla(benchmark::State& state) {
    create_loop(state, nullptr);
}
void BM_Create_two_policies(benchmark::State& state) {
    create_loop(state, two_policies);
}

void BM_Update_two_policies(benchmark::State& state) {
    Desk d(two_policies);
    std::vector<itsm::TicketId> ids;
    for (std::size_t i = 0; i < 10000; ++i)
        ids.push_back(d.create(i).id);
    std::size_t i = 0;
    itsm::TicketPatch p;
    for (auto _ : state) {
        d.clock->advance(1s);
        p.title = "Printer jams " + std::to_string(i);
        benchmark::DoNotOptimize(d.engine.update(d.actor, ids[i % ids.size()], p));
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void advance_loop(benchmark::State& state, std::shared_ptr<itsm::Store> store) {
    Desk d(one_warning, std::move(store));
    const auto n = static_cast<std::size_t>(state.range(0));
    itsm::Instant start = d.clock->now();
    d.engine.batch([&](itsm::Engine&) {  // one transaction for a durable store
        for (std::size_t i = 0; i < n; ++i) {
            d.clock->set(start + std::chrono::seconds(i));
            d.create(i);
        }
    });
    // Ticket i warns at start + 5 days + i seconds: each call moves 10 seconds on.
    itsm::Instant now = start + 120h - 1s;
    std::size_t alarms = 0;
    for (auto _ : state) {
        now += 10s;
        alarms += d.engine.advance(now);
    }
    state.counters["alarms_per_call"] =
        static_cast<double>(alarms) / static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(alarms));
}

void BM_Advance(benchmark::State& state) {
    advance_loop(state, std::make_shared<itsm::InMemoryStore>());
}

void BM_Advance_sqlite(benchmark::State& state) {
    auto file = std::filesystem::temp_directory_path() / "itsm-bench-sla.db";
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(file.string() + suffix);
    itsm::SqliteOptions o;
    o.synchronous = itsm::Synchronous::off;
    advance_loop(state, std::make_shared<itsm::SqliteStore>(file.string(), o));
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(file.string() + suffix);
}

}  // namespace

BENCHMARK(BM_Create_no_sla)->Name("Create/no_sla")->MinTime(0.5);
BENCHMARK(BM_Create_two_policies)->Name("Create/two_policies")->MinTime(0.5);
BENCHMARK(BM_Update_two_policies)->Name("Update/two_policies")->MinTime(0.5);
BENCHMARK(BM_Advance)->Name("Advance")->Arg(10000)->Arg(100000)->Iterations(900);
BENCHMARK(BM_Advance_sqlite)->Name("Advance/sqlite")->Arg(10000)->Arg(100000)->Iterations(900);

BENCHMARK_MAIN();

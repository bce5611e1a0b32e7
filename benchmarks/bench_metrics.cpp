// Metrics benchmarks: one report over a desk of <tickets> incidents built through the Engine
// with the ITIL workflows on a ManualClock (one created every 30 s; 80% resolved 1 to 48 hours
// later, 5% of those reopened and resolved again, the rest left open), spread over an IT
// segment and a sealed HR segment (one ticket in ten).
//
//   Metrics/admin/<tickets>     Engine::metrics over the whole span as an administrator:
//                               paging through the visible tickets, each one's history read
//                               from the store and replayed
//   Metrics/manager/<tickets>   the same as an incident manager who may not read HR: the
//                               visibility is compiled into the paged store query
//   Metrics/business/<tickets>  as admin, with business-time MTTR on an office calendar
//   Metrics/replay/<tickets>    compute_metrics over histories already in memory: the pure
//                               replay alone
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <vector>

#include "itsm/access.hpp"
#include "itsm/engine.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/metrics.hpp"
#include "itsm/workflow.hpp"

namespace {

using namespace itsm;

const Instant start = parse_instant("2025-01-06T08:00:00Z");

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

struct Desk {
    std::shared_ptr<InMemoryStore> store = std::make_shared<InMemoryStore>();
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(start);
    Engine engine{store, clock};
    Instant end{};

    explicit Desk(std::size_t tickets) {
        Actor sys = Actor::system();
        Directory dir;
        for (const char* u : {"admin", "manager", "agent"})
            dir.add_user({u, u, true});
        engine.set_directory(sys, dir);
        engine.set_access(sys, AccessPolicy::from_json(R"({
            "segments": [{"id": "global"}, {"id": "it"}, {"id": "hr", "sealed": true}],
            "roles": [{"preset": "administrator"}, {"preset": "incident_manager"}],
            "grants": [{"user": "admin", "role": "administrator", "segment": "*"},
                       {"user": "admin", "role": "administrator", "segment": "hr"},
                       {"user": "manager", "role": "incident_manager", "segment": "*"}]})"));
        engine.set_workflows(sys, Workflows::itil());
        TransitionInput done;
        done.fields = {{"resolution_code", std::string("solved_permanently")},
                       {"resolution_notes", std::string("done")}};
        for (std::size_t i = 0; i < tickets; ++i) {
            std::uint64_t r = mix(i);
            Instant created = start + std::chrono::seconds(30) * static_cast<std::int64_t>(i);
            clock->set(created);
            NewTicket in;
            in.kind = "incident";
            in.title = "case";
            in.impact = 1 + static_cast<int>(r % 3);
            in.urgency = 1 + static_cast<int>((r >> 8) % 3);
            in.segment = (r >> 16) % 10 == 0 ? "hr" : "it";
            in.assignee = "agent";
            TicketId id = engine.create(sys, in).id;
            if ((r >> 24) % 10 >= 8) continue;  // left open
            clock->set(created + std::chrono::hours(1 + static_cast<int>((r >> 32) % 48)));
            engine.transition(sys, id, "resolve", done);
            if ((r >> 40) % 20 == 0) {
                engine.transition(sys, id, "reopen");
                clock->advance(std::chrono::hours(2));
                engine.transition(sys, id, "resolve", done);
            }
        }
        end = start + std::chrono::seconds(30) * static_cast<std::int64_t>(tickets) +
              std::chrono::hours(72);
    }
    MetricsQuery query() const {
        MetricsQuery q;
        q.from = start;
        q.to = end;
        return q;
    }
};

Desk& desk(std::size_t tickets) {
    static std::unique_ptr<Desk> d;
    if (!d || d->store->size() != tickets) d = std::make_unique<Desk>(tickets);
    return *d;
}

void report(benchmark::State& state, const char* user, bool business) {
    Desk& d = desk(static_cast<std::size_t>(state.range(0)));
    MetricsQuery q = d.query();
    if (business) {
        CalendarBuilder b("office");
        for (auto day : {std::chrono::Monday, std::chrono::Tuesday, std::chrono::Wednesday,
                         std::chrono::Thursday, std::chrono::Friday})
            b.hours(day, "09:00", "17:00");
        q.calendar = b.build();
    }
    std::size_t counted = 0;
    for (auto _ : state) {
        MetricsReport r = d.engine.metrics(Actor(Symbol(user)), q);
        counted = r.tickets;
        benchmark::DoNotOptimize(r);
    }
    state.counters["tickets_counted"] = static_cast<double>(counted);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(counted));
}

void BM_MetricsAdmin(benchmark::State& state) {
    report(state, "admin", false);
}
void BM_MetricsManager(benchmark::State& state) {
    report(state, "manager", false);
}
void BM_MetricsBusiness(benchmark::State& state) {
    report(state, "admin", true);
}

void BM_MetricsReplay(benchmark::State& state) {
    Desk& d = desk(static_cast<std::size_t>(state.range(0)));
    std::vector<TicketHistory> all;
    for (TicketId id = 1; id <= d.store->size(); ++id)
        if (auto t = d.store->get(id)) all.push_back({*t, d.store->history(id)});
    Workflows wf = Workflows::itil();
    for (auto _ : state) {
        MetricsReport r = compute_metrics(all, d.query(), {&wf});
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
}

}  // namespace

BENCHMARK(BM_MetricsAdmin)->Name("Metrics/admin")->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MetricsManager)->Name("Metrics/manager")->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MetricsBusiness)->Name("Metrics/business")->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MetricsReplay)->Name("Metrics/replay")->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

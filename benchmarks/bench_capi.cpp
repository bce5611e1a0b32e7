// The cost of the C ABI: creating a ticket through itsm_ticket_create (JSON text in, JSON
// text out, an owned string released with itsm_free) against itsm::Engine::create with a
// prepared itsm::NewTicket. Both fill a fresh engine on a ManualClock with the same ticket,
// a fixed number of times, so that both sides reach the same desk size. Both act as the
// engine's system actor, so that no access policy is consulted on either side.
//
// CppCreateWithJson does in C++ what the C ABI adds to the call (parse the body, write the
// ticket as JSON), and JsonReadNewTicket / JsonWriteTicket time those two steps alone, which
// shows where the difference goes.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "itsm.h"
#include "itsm/engine.hpp"
#include "itsm/json.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/time.hpp"

namespace {

constexpr std::int64_t start_micros = 1772438400000000;  // 2026-03-02T08:00:00Z
constexpr int tickets = 100000;                          // per run, on both sides

const char* const body =
    R"({"kind":"incident","title":"Printer on floor 3 jams","impact":2,"urgency":3,)"
    R"("assignment_group":"desk","tags":["printer"]})";

itsm::Engine cpp_engine() {
    return itsm::Engine(
        std::make_shared<itsm::InMemoryStore>(),
        std::make_shared<itsm::ManualClock>(itsm::instant_from_micros(start_micros)),
        itsm::Schema::itil());
}

void CApiCreate(benchmark::State& state) {
    itsm_engine* engine = nullptr;
    if (itsm_engine_open_memory_at(nullptr, start_micros, &engine) != ITSM_OK) {
        state.SkipWithError(itsm_last_error());
        return;
    }
    const char* system = nullptr;
    itsm_engine_system_actor(engine, &system);
    for (auto _ : state) {
        char* out = nullptr;
        if (itsm_ticket_create(engine, system, body, &out) != ITSM_OK) {
            state.SkipWithError(itsm_last_error());
            break;
        }
        benchmark::DoNotOptimize(out);
        itsm_free(out);
    }
    itsm_engine_close(engine);
    state.SetItemsProcessed(state.iterations());
}

void CppCreate(benchmark::State& state) {
    itsm::Engine engine = cpp_engine();
    itsm::NewTicket input = itsm::new_ticket_from_json(body, engine.schema());
    for (auto _ : state) {
        itsm::Ticket t = engine.create(itsm::Actor::system(), input);
        benchmark::DoNotOptimize(t);
    }
    state.SetItemsProcessed(state.iterations());
}

void CppCreateWithJson(benchmark::State& state) {
    itsm::Engine engine = cpp_engine();
    for (auto _ : state) {
        std::string out = itsm::to_json(engine.create(
            itsm::Actor::system(), itsm::new_ticket_from_json(body, engine.schema())));
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations());
}

// The two halves of what the C ABI adds, alone.
void JsonReadNewTicket(benchmark::State& state) {
    itsm::Schema schema = itsm::Schema::itil();
    for (auto _ : state) {
        itsm::NewTicket input = itsm::new_ticket_from_json(body, schema);
        benchmark::DoNotOptimize(input);
    }
    state.SetItemsProcessed(state.iterations());
}

void JsonWriteTicket(benchmark::State& state) {
    itsm::Engine engine = cpp_engine();
    itsm::Ticket t =
        engine.create(itsm::Actor::system(), itsm::new_ticket_from_json(body, engine.schema()));
    for (auto _ : state) {
        std::string out = itsm::to_json(t);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(CApiCreate)->Iterations(tickets)->Unit(benchmark::kMicrosecond)->Repetitions(5);
BENCHMARK(CppCreate)->Iterations(tickets)->Unit(benchmark::kMicrosecond)->Repetitions(5);
BENCHMARK(CppCreateWithJson)->Iterations(tickets)->Unit(benchmark::kMicrosecond)->Repetitions(5);
BENCHMARK(JsonReadNewTicket)->Unit(benchmark::kMicrosecond)->Repetitions(5);
BENCHMARK(JsonWriteTicket)->Unit(benchmark::kMicrosecond)->Repetitions(5);

}  // namespace

BENCHMARK_MAIN();

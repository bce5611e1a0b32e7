// Foundation benchmarks: create, get by id, get by key, update and filtered pages through
// the public itsm::Engine API over an InMemoryStore and a ManualClock, at 10k, 100k and 1M
// tickets, side by side with the same work done by an in-memory SQLite database; plus heap
// bytes per ticket.
//
// Names pair up: <Operation>/engine/<tickets>, <Operation>/sqlite/<tickets>, and where it
// shows where the time goes, <Operation>/store/<tickets>: the InMemoryStore call underneath
// the engine (Create/store commits the same ticket and event without the engine's
// validation, copies and event delivery; Get/store returns the shared ticket, no copy).
//
// Besides the Google Benchmark flags, --sqlite_plans=N prints the plan SQLite picks for
// each query on a desk of N tickets.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sqlite3.h>
#include <sys/mman.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alloc_count.hpp"
#include "itsm/engine.hpp"
#include "itsm/event.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/schema.hpp"
#include "itsm/time.hpp"
#include "sqlite_desk.hpp"
#include "workload.hpp"

namespace {

using bench::Catalog;
using itsm::TicketId;
using Clock = std::chrono::steady_clock;

constexpr std::size_t sample_count = std::size_t{1} << 16;  // random ids / keys per fixture

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::shared_ptr<itsm::ManualClock> start_clock() {
    return std::make_shared<itsm::ManualClock>(itsm::instant_from_micros(bench::start_micros));
}

// Ticket ids drawn uniformly from 1..n (ids are dense: the n-th ticket created has id n).
std::vector<TicketId> random_ids(std::size_t n) {
    std::vector<TicketId> ids(sample_count);
    for (std::size_t i = 0; i < sample_count; ++i)
        ids[i] = 1 + bench::mix(0xC0FFEE + i) % n;
    return ids;
}

// ---------------------------------------------------------------------------------------
// The desks under test.

struct EngineDesk {
    std::shared_ptr<itsm::ManualClock> clock = start_clock();
    std::shared_ptr<itsm::InMemoryStore> store = std::make_shared<itsm::InMemoryStore>();
    itsm::Engine engine{store, clock};
    // The trusted host: no access policy is involved (bench_access measures that).
    itsm::Actor actor = itsm::Actor::system();
    std::vector<TicketId> ids;
    std::vector<std::string> keys;
    std::map<std::string, double> matches;  // average matches per query shape

    void fill(std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            clock->advance(bench::ticket_spacing);
            benchmark::DoNotOptimize(engine.create(actor, bench::input(i)));
        }
    }
};

struct SqliteFixture {
    std::shared_ptr<itsm::ManualClock> clock = start_clock();
    bench::SqliteDesk db{clock};
    itsm::Symbol actor = Catalog::get().actor;
    std::vector<TicketId> ids;
    std::vector<std::string> keys;
    std::map<std::string, double> matches;

    void fill(std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            clock->advance(bench::ticket_spacing);
            benchmark::DoNotOptimize(db.create(actor, bench::input(i)));
        }
    }
};

// The store alone: what Engine::create asks of InMemoryStore (a ticket and, optionally, its
// "created" event in one commit) without the engine's validation, copies and event delivery.
struct StoreDesk {
    std::shared_ptr<itsm::ManualClock> clock = start_clock();
    itsm::InMemoryStore store;
    itsm::Schema schema = itsm::Schema::itil();
    itsm::Symbol actor = Catalog::get().actor;
    bool with_events = true;

    void fill(std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            clock->advance(bench::ticket_spacing);
            itsm::Ticket t = bench::to_ticket(schema, bench::input(i), actor);
            auto [id, number] = store.allocate(t.kind);
            t.id = id;
            t.key = itsm::format_key(schema.kind(t.kind)->prefix, number);
            t.created = t.updated = clock->now();
            t.version = 1;
            itsm::Commit c;
            // A copy, as Engine::create stores one: the copy's buffers are exact-sized.
            c.tickets.push_back({std::make_shared<const itsm::Ticket>(t), 0});
            if (with_events) {
                itsm::Event e;
                e.ticket = t.id;
                e.at = t.created;
                e.actor = actor;
                e.type = itsm::EventType::created;
                e.text = t.key;
                c.events.push_back(std::move(e));
            }
            store.commit(c);
        }
    }
};

// Populated desks are built once per size and kept for the whole run: building a million
// tickets takes seconds.
EngineDesk& engine_desk(std::size_t n) {
    static std::map<std::size_t, std::unique_ptr<EngineDesk>> cache;
    auto& slot = cache[n];
    if (!slot) {
        slot = std::make_unique<EngineDesk>();
        slot->fill(0, n);
        slot->ids = random_ids(n);
        for (std::size_t i = 0; i < sample_count; ++i)
            slot->keys.push_back(slot->store->get(slot->ids[i])->key);
    }
    return *slot;
}

SqliteFixture& sqlite_desk(std::size_t n) {
    static std::map<std::size_t, std::unique_ptr<SqliteFixture>> cache;
    auto& slot = cache[n];
    if (!slot) {
        slot = std::make_unique<SqliteFixture>();
        slot->fill(0, n);
        slot->db.analyze();
        slot->ids = random_ids(n);
        for (std::size_t i = 0; i < sample_count; ++i)
            slot->keys.push_back(slot->db.get(slot->ids[i]).key);
    }
    return *slot;
}

std::size_t size_arg(const benchmark::State& state) {
    return static_cast<std::size_t>(state.range(0));
}

// ---------------------------------------------------------------------------------------
// Create: fill an empty desk with n tickets (each with its "created" event) and report the
// average rate, plus the rate over the last tenth, when the desk is nearly n tickets big.

template <typename Desk>
void create_benchmark(benchmark::State& state) {
    const std::size_t n = size_arg(state);
    bench::input_pool();
    double tail_seconds = 0;
    for (auto _ : state) {
        auto desk = std::make_unique<Desk>();
        const std::size_t tail_from = n - n / 10;
        auto t0 = Clock::now();
        desk->fill(0, tail_from);
        auto t1 = Clock::now();
        desk->fill(tail_from, n);
        double total = seconds_since(t0);
        tail_seconds += seconds_since(t1);
        state.SetIterationTime(total);
        // The desk is destroyed outside the measured interval.
    }
    auto iterations = static_cast<double>(state.iterations());
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
    state.counters["tail_tickets_per_s"] =
        benchmark::Counter(iterations * static_cast<double>(n / 10) / tail_seconds);
}

void BM_Create_engine(benchmark::State& state) {
    create_benchmark<EngineDesk>(state);
}
void BM_Create_store(benchmark::State& state) {
    create_benchmark<StoreDesk>(state);
}
void BM_Create_sqlite(benchmark::State& state) {
    create_benchmark<SqliteFixture>(state);
}

// ---------------------------------------------------------------------------------------
// Reads by id and by key at random positions.

void BM_Get_engine(benchmark::State& state) {
    auto& d = engine_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(d.engine.get(d.actor, d.ids[i++ % sample_count]));
    state.SetItemsProcessed(state.iterations());
}

void BM_GetShared_engine(benchmark::State& state) {
    auto& d = engine_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(d.engine.get_shared(d.actor, d.ids[i++ % sample_count]));
    state.SetItemsProcessed(state.iterations());
}

void BM_Get_store(benchmark::State& state) {
    auto& d = engine_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(d.store->get(d.ids[i++ % sample_count]));
    state.SetItemsProcessed(state.iterations());
}

void BM_Get_sqlite(benchmark::State& state) {
    auto& d = sqlite_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(d.db.get(d.ids[i++ % sample_count]));
    state.SetItemsProcessed(state.iterations());
}

void BM_GetByKey_engine(benchmark::State& state) {
    auto& d = engine_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(d.engine.get_by_key(d.actor, d.keys[i++ % sample_count]));
    state.SetItemsProcessed(state.iterations());
}

void BM_GetByKey_store(benchmark::State& state) {
    auto& d = engine_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(d.store->get_by_key(d.keys[i++ % sample_count]));
    state.SetItemsProcessed(state.iterations());
}

void BM_GetByKey_sqlite(benchmark::State& state) {
    auto& d = sqlite_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(d.db.get_by_key(d.keys[i++ % sample_count]));
    state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------------------
// Filtered pages: the queries a service desk runs all day, 50 tickets a page, newest
// change first. Each shape cycles through 16 value combinations.

constexpr std::size_t combos = 16;

enum class Shape { seg_group, seg_state_group, assignee_state, seg_state };

const char* shape_name(Shape s) {
    switch (s) {
        case Shape::seg_group:
            return "segment+group";
        case Shape::seg_state_group:
            return "segment+state+group";
        case Shape::assignee_state:
            return "assignee+state";
        case Shape::seg_state:
            return "segment+state";
    }
    return "";
}

itsm::Query make_query(Shape shape, std::size_t j) {
    const Catalog& c = Catalog::get();
    itsm::Query q;
    q.sort = itsm::SortKey::updated;
    q.descending = true;
    q.limit = 50;
    itsm::Symbol seg = c.segments[j % c.segments.size()];
    itsm::Symbol group = c.groups[(j * 7 + 3) % c.groups.size()];
    itsm::Symbol user = c.users[(j * 13 + 5) % c.users.size()];
    switch (shape) {
        case Shape::seg_group:
            q.segments = {seg};
            q.groups = {group};
            break;
        case Shape::seg_state_group:
            q.segments = {seg};
            q.states = {"new"};
            q.groups = {group};
            break;
        case Shape::assignee_state:
            q.assignees = {user};
            q.states = {"new"};
            break;
        case Shape::seg_state:
            q.segments = {seg};
            q.states = {"new"};
            break;
    }
    return q;
}

std::vector<itsm::Query> queries(Shape shape) {
    std::vector<itsm::Query> qs;
    for (std::size_t j = 0; j < combos; ++j)
        qs.push_back(make_query(shape, j));
    return qs;
}

// Average matches of a shape over its combinations, counted once per desk.
template <typename Desk, typename Count>
double average_matches(Desk& d, Shape shape, Count count) {
    auto& m = d.matches[shape_name(shape)];
    if (m == 0) {
        double total = 0;
        for (const auto& q : queries(shape))
            total += static_cast<double>(count(q));
        m = total / combos;
    }
    return m;
}

void report_selectivity(benchmark::State& state, double matches) {
    state.counters["matches"] = benchmark::Counter(matches);
    state.counters["selectivity_pct"] =
        benchmark::Counter(100.0 * matches / static_cast<double>(size_arg(state)));
}

void query_engine(benchmark::State& state, Shape shape) {
    auto& d = engine_desk(size_arg(state));
    auto qs = queries(shape);
    std::size_t i = 0, returned = 0;
    for (auto _ : state) {
        auto page = d.engine.query(d.actor, qs[i++ % combos]);
        returned += page.tickets.size();
        benchmark::DoNotOptimize(page);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["tickets_per_page"] =
        benchmark::Counter(static_cast<double>(returned) / static_cast<double>(state.iterations()));
    report_selectivity(state, average_matches(d, shape, [&](const itsm::Query& q) {
                           return d.engine.count(d.actor, q);
                       }));
}

void query_sqlite(benchmark::State& state, Shape shape) {
    auto& d = sqlite_desk(size_arg(state));
    auto qs = queries(shape);
    std::size_t i = 0, returned = 0;
    for (auto _ : state) {
        auto page = d.db.query(qs[i++ % combos]);
        returned += page.tickets.size();
        benchmark::DoNotOptimize(page);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["tickets_per_page"] =
        benchmark::Counter(static_cast<double>(returned) / static_cast<double>(state.iterations()));
    report_selectivity(
        state, average_matches(d, shape, [&](const itsm::Query& q) { return d.db.count(q); }));
}

// Paging: one segment+group queue walked page after page through next_cursor, from the
// newest ticket to the oldest, then again from the top. One iteration is one page.
template <typename Run>
void paging(benchmark::State& state, Run run) {
    itsm::Query q = make_query(Shape::seg_group, 0);
    std::size_t pages = 0, walks = 0;
    for (auto _ : state) {
        itsm::Page page = run(q);
        ++pages;
        if (page.next_cursor.empty()) {
            q.cursor.clear();
            ++walks;
        } else {
            q.cursor = std::move(page.next_cursor);
        }
        benchmark::DoNotOptimize(page);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["full_walks"] = benchmark::Counter(static_cast<double>(walks));
}

void BM_QueryNextPage_engine(benchmark::State& state) {
    auto& d = engine_desk(size_arg(state));
    paging(state, [&](const itsm::Query& q) { return d.engine.query(d.actor, q); });
}

void BM_QueryNextPage_sqlite(benchmark::State& state) {
    auto& d = sqlite_desk(size_arg(state));
    paging(state, [&](const itsm::Query& q) { return d.db.query(q); });
}

// ---------------------------------------------------------------------------------------
// Update: reassign a random ticket (one field, one "field_changed" event). The ticket moves
// in every index ordered by "updated". Runs after the reads: it changes the cached desks.

itsm::Symbol next_assignee(std::size_t i) {
    const auto& users = Catalog::get().users;
    return users[(i * 31 + 7) % users.size()];
}

void BM_Update_engine(benchmark::State& state) {
    auto& d = engine_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state) {
        d.clock->advance(std::chrono::seconds(1));
        itsm::TicketPatch patch;
        patch.assignee = next_assignee(i);
        benchmark::DoNotOptimize(d.engine.update(d.actor, d.ids[i++ % sample_count], patch));
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_Update_sqlite(benchmark::State& state) {
    auto& d = sqlite_desk(size_arg(state));
    std::size_t i = 0;
    for (auto _ : state) {
        d.clock->advance(std::chrono::seconds(1));
        benchmark::DoNotOptimize(
            d.db.set_assignee(d.actor, d.ids[i % sample_count], next_assignee(i)));
        ++i;
    }
    state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------------------
// Memory per ticket. The counting operator new measures the net heap growth while n
// tickets go in; text is what the title and description strings hold on the heap (strings
// of up to 15 bytes live inside std::string and cost nothing extra).

std::int64_t heap_bytes(const std::string& s) {
    auto p = reinterpret_cast<const char*>(&s);
    bool inline_buffer = s.data() >= p && s.data() < p + sizeof(s);
    return inline_buffer
               ? 0
               : static_cast<std::int64_t>(malloc_usable_size(const_cast<char*>(s.data())));
}

struct HeapGrowth {
    double bytes = 0;   // counted by operator new (usable sizes)
    double blocks = 0;  // allocations still live
    double malloc = 0;  // glibc's own figure, chunk headers included
};

template <typename Fill>
HeapGrowth measure(Fill fill) {
    bench::input_pool();
    Catalog::get();
    std::int64_t m0 = bench::alloc::malloc_in_use();
    bench::alloc::start();
    auto s0 = bench::alloc::now();
    fill();
    auto s1 = bench::alloc::now();
    bench::alloc::stop();
    std::int64_t m1 = bench::alloc::malloc_in_use();
    return {static_cast<double>(s1.live_bytes - s0.live_bytes),
            static_cast<double>(s1.live_blocks - s0.live_blocks), static_cast<double>(m1 - m0)};
}

void report_memory(benchmark::State& state, const HeapGrowth& g, double text) {
    double n = static_cast<double>(size_arg(state));
    state.counters["bytes_per_ticket"] = benchmark::Counter(g.bytes / n);
    state.counters["text_bytes_per_ticket"] = benchmark::Counter(text / n);
    state.counters["beyond_text_per_ticket"] = benchmark::Counter((g.bytes - text) / n);
    state.counters["allocs_per_ticket"] = benchmark::Counter(g.blocks / n);
    state.counters["malloc_bytes_per_ticket"] = benchmark::Counter(g.malloc / n);
}

// Engine::create: the ticket, its indexes and its one "created" event.
void BM_Memory_engine(benchmark::State& state) {
    const std::size_t n = size_arg(state);
    for (auto _ : state) {
        std::unique_ptr<EngineDesk> desk;
        auto g = measure([&] {
            desk = std::make_unique<EngineDesk>();
            desk->fill(0, n);
        });
        double text = 0;
        for (TicketId id = 1; id <= n; ++id) {
            auto t = desk->store->get(id);
            text += static_cast<double>(heap_bytes(t->title) + heap_bytes(t->description));
        }
        report_memory(state, g, text);
        state.counters["sizeof_Ticket"] = benchmark::Counter(sizeof(itsm::Ticket));
        state.counters["sizeof_Event"] = benchmark::Counter(sizeof(itsm::Event));
    }
}

// The same tickets committed straight to an InMemoryStore with no events: what the tickets
// and their indexes cost alone. Engine minus store is the share of the "created" events.
void BM_Memory_store(benchmark::State& state) {
    const std::size_t n = size_arg(state);
    for (auto _ : state) {
        std::unique_ptr<StoreDesk> desk;
        auto g = measure([&] {
            desk = std::make_unique<StoreDesk>();
            desk->with_events = false;
            desk->fill(0, n);
        });
        double text = 0;
        for (TicketId id = 1; id <= n; ++id) {
            auto t = desk->store.get(id);
            text += static_cast<double>(heap_bytes(t->title) + heap_bytes(t->description));
        }
        report_memory(state, g, text);
    }
}

// SQLite allocates with malloc, so its figure is glibc's (headers included, as is the
// engine's malloc_bytes_per_ticket). Text is counted as stored: the bytes of title and
// description, which SQLite keeps inline in its pages.
void BM_Memory_sqlite(benchmark::State& state) {
    const std::size_t n = size_arg(state);
    for (auto _ : state) {
        std::unique_ptr<SqliteFixture> desk;
        auto g = measure([&] {
            desk = std::make_unique<SqliteFixture>();
            desk->fill(0, n);
        });
        double text = 0;
        for (std::size_t i = 0; i < n; ++i)
            text += static_cast<double>(bench::input(i).title.size() +
                                        bench::input(i).description.size());
        double dn = static_cast<double>(n);
        state.counters["malloc_bytes_per_ticket"] = benchmark::Counter(g.malloc / dn);
        state.counters["text_bytes_per_ticket"] = benchmark::Counter(text / dn);
        state.counters["beyond_text_per_ticket"] = benchmark::Counter((g.malloc - text) / dn);
    }
}

// ---------------------------------------------------------------------------------------
// The machine: nanoseconds per dependent random load from a working set of the given MiB.
// Most of the time at 1M tickets is such loads (index nodes, tickets, their strings); this
// puts the other figures in proportion on whatever machine runs them.

// With huge_pages, the ring lies in 2 MiB pages (madvise(MADV_HUGEPAGE)): the difference to
// the plain figure is what the address translation of a random access costs on this machine.
void BM_MemoryLatency(benchmark::State& state, bool huge_pages) {
    struct alignas(64) Line {
        std::size_t next;
    };
    const std::size_t bytes = static_cast<std::size_t>(state.range(0)) * 1024 * 1024;
    const std::size_t lines = bytes / sizeof(Line);
    std::unique_ptr<Line[], void (*)(Line*)> ring(
        static_cast<Line*>(std::aligned_alloc(std::size_t{2} << 20, bytes)),
        [](Line* p) { std::free(p); });
    if (!ring) {
        state.SkipWithError("out of memory");
        return;
    }
    if (huge_pages) madvise(ring.get(), bytes, MADV_HUGEPAGE);
    Line* a = ring.get();
    // One random cycle through every line (Sattolo's shuffle of the identity).
    for (std::size_t i = 0; i < lines; ++i)
        a[i].next = i;
    for (std::size_t i = lines - 1; i > 0; --i)
        std::swap(a[i].next, a[bench::mix(i) % i].next);
    std::size_t p = 0;
    for (auto _ : state) {
        p = a[p].next;
        benchmark::DoNotOptimize(p);
    }
    state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------------------

void register_all() {
    const std::vector<std::int64_t> sizes = {10'000, 100'000, 1'000'000};
    auto add = [&](const char* name, void (*fn)(benchmark::State&)) {
        auto* b = benchmark::RegisterBenchmark(name, fn);
        for (auto n : sizes)
            b->Arg(n);
        return b;
    };
    auto micro = [&](const char* name, void (*fn)(benchmark::State&)) {
        return add(name, fn)->MinTime(0.3);
    };

    add("Create/engine", BM_Create_engine)->UseManualTime()->Unit(benchmark::kMillisecond);
    add("Create/store", BM_Create_store)->UseManualTime()->Unit(benchmark::kMillisecond);
    add("Create/sqlite", BM_Create_sqlite)->UseManualTime()->Unit(benchmark::kMillisecond);

    micro("Get/engine", BM_Get_engine);
    micro("GetShared/engine", BM_GetShared_engine);
    micro("Get/store", BM_Get_store);
    micro("Get/sqlite", BM_Get_sqlite);
    micro("GetByKey/engine", BM_GetByKey_engine);
    micro("GetByKey/store", BM_GetByKey_store);
    micro("GetByKey/sqlite", BM_GetByKey_sqlite);

    for (Shape s :
         {Shape::seg_group, Shape::seg_state_group, Shape::assignee_state, Shape::seg_state}) {
        std::string base = std::string("Query/") + shape_name(s);
        auto* e = benchmark::RegisterBenchmark((base + "/engine").c_str(), query_engine, s);
        auto* q = benchmark::RegisterBenchmark((base + "/sqlite").c_str(), query_sqlite, s);
        for (auto* b : {e, q}) {
            for (auto n : sizes)
                b->Arg(n);
            b->MinTime(0.3)->Unit(benchmark::kMicrosecond);
        }
    }
    micro("QueryNextPage/engine", BM_QueryNextPage_engine)->Unit(benchmark::kMicrosecond);
    micro("QueryNextPage/sqlite", BM_QueryNextPage_sqlite)->Unit(benchmark::kMicrosecond);

    micro("Update/engine", BM_Update_engine);
    micro("Update/sqlite", BM_Update_sqlite);

    add("Memory/engine", BM_Memory_engine)->Iterations(1)->Unit(benchmark::kMillisecond);
    add("Memory/store", BM_Memory_store)->Iterations(1)->Unit(benchmark::kMillisecond);
    add("Memory/sqlite", BM_Memory_sqlite)->Iterations(1)->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark("MemoryLatency/MiB", BM_MemoryLatency, false)
        ->Arg(8)
        ->Arg(256)
        ->Arg(1024)
        ->MinTime(0.5);
    benchmark::RegisterBenchmark("MemoryLatency/huge_pages/MiB", BM_MemoryLatency, true)
        ->Arg(1024)
        ->MinTime(0.5);
}

// --sqlite_plans=N: print the plan SQLite chooses for each query shape on a desk of N
// tickets, then exit.
int print_plans(std::size_t n) {
    auto& d = sqlite_desk(n);
    for (Shape s :
         {Shape::seg_group, Shape::seg_state_group, Shape::assignee_state, Shape::seg_state})
        std::printf("%-22s %s\n", shape_name(s), d.db.plan(make_query(s, 0)).c_str());
    itsm::Query next = make_query(Shape::seg_group, 0);
    next.cursor = itsm::encode_cursor(next.sort, next.descending, {0, 0, 1});
    std::printf("%-22s %s\n", "next page", d.db.plan(next).c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string plans_flag = "--sqlite_plans=";
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]).rfind(plans_flag, 0) == 0)
            return print_plans(std::stoul(std::string(argv[i]).substr(plans_flag.size())));
    benchmark::AddCustomContext("sqlite", sqlite3_libversion());
#if defined(__VERSION__)
    benchmark::AddCustomContext("compiler", __VERSION__);
#endif
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

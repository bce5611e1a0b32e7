// The SQLite store's commit rate next to raw SQLite inserts of the same rows.
//
// Each operation is what Engine::create commits: one new ticket and its created event. The
// store's run goes through SqliteStore::commit (version and key checks, the ticket record,
// a savepoint per commit inside a batch, counters); the raw run inserts the same rows, with
// the record text made beforehand, into a file with the same schema through prepared
// statements: the ticket, its event, and once per transaction the kind's key counter, which
// any application handing out keys must keep too. Both write real files in a temporary
// directory with the given synchronous setting, one operation per transaction or 100 per
// transaction, and both run the same fixed number of transactions, so that their files grow
// alike.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "../src/store/sqlite/schema.hpp"
#include "itsm/record.hpp"
#include "itsm/sqlite_store.hpp"

namespace fs = std::filesystem;

namespace {

struct TempFile {
    fs::path dir;
    TempFile() {
        std::random_device rd;
        dir = fs::temp_directory_path() / fmt::format("itsm-bench-{:x}{:x}", rd(), rd());
        fs::create_directories(dir);
    }
    ~TempFile() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string path() const { return (dir / "bench.db").string(); }
};

itsm::Ticket make_ticket(itsm::TicketId id, std::uint64_t number) {
    itsm::Ticket t;
    t.id = id;
    t.key = fmt::format("INC{:07}", number);
    t.kind = "incident";
    t.state = "new";
    t.title = "Printer on floor 3 jams on every second page";
    t.description = "Reported by phone; the user tried another tray.";
    t.segment = "it";
    t.requester = "rob";
    t.assignment_group = "service-desk";
    t.category = "hardware.printer";
    t.created = t.updated = t.state_entered =
        itsm::instant_from_micros(1'770'000'000'000'000 + static_cast<std::int64_t>(id));
    t.version = 1;
    return t;
}

itsm::Event created_event(const itsm::Ticket& t) {
    itsm::Event e;
    e.ticket = t.id;
    e.at = t.created;
    e.actor = "alice";
    e.type = itsm::EventType::created;
    e.text = t.key;
    return e;
}

itsm::Synchronous sync_of(std::int64_t arg) {
    return arg ? itsm::Synchronous::full : itsm::Synchronous::normal;
}

void BM_StoreCommit(benchmark::State& state) {
    TempFile tmp;
    itsm::SqliteOptions o;
    o.synchronous = sync_of(state.range(0));
    itsm::SqliteStore store(tmp.path(), o);
    auto per_tx = state.range(1);
    std::int64_t done = 0;
    for (auto _ : state) {
        if (per_tx > 1) store.begin_batch();
        for (std::int64_t i = 0; i < per_tx; ++i) {
            auto [id, number] = store.allocate("incident");
            auto t = make_ticket(id, number);
            itsm::Commit c;
            c.events.push_back(created_event(t));
            c.tickets.push_back({std::make_shared<const itsm::Ticket>(std::move(t)), 0});
            store.commit(c);
        }
        if (per_tx > 1) store.end_batch(true);
        done += per_tx;
    }
    state.SetItemsProcessed(done);
}

void check(sqlite3* db, int rc) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw std::runtime_error(sqlite3_errmsg(db));
}

void BM_RawInsert(benchmark::State& state) {
    TempFile tmp;
    sqlite3* db = nullptr;
    check(db, sqlite3_open(tmp.path().c_str(), &db));
    check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr));
    check(db,
          sqlite3_exec(db, state.range(0) ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                       nullptr, nullptr, nullptr));
    for (auto step : itsm::detail::sql::migrations)
        check(db, sqlite3_exec(db, std::string(step).c_str(), nullptr, nullptr, nullptr));
    sqlite3_stmt *ticket = nullptr, *event = nullptr, *counter = nullptr;
    check(db, sqlite3_prepare_v2(
                  db,
                  "INSERT INTO tickets (id, key, version, kind, state, segment, assignee, "
                  "assignment_group, category, requester, priority, created, updated, record) "
                  "VALUES (?, ?, 1, 'incident', 'new', 'it', '', 'service-desk', "
                  "'hardware.printer', 'rob', 5, ?, ?, ?)",
                  -1, &ticket, nullptr));
    check(db, sqlite3_prepare_v2(db,
                                 "INSERT INTO events (seq, ticket, at, actor, type, field, "
                                 "old_kind, new_kind, text) VALUES (?, ?, ?, 'alice', 'created', "
                                 "'', 0, 0, ?)",
                                 -1, &event, nullptr));
    check(db, sqlite3_prepare_v2(db,
                                 "INSERT INTO counters (name, last) VALUES ('kind.incident', ?) "
                                 "ON CONFLICT (name) DO UPDATE SET last = max(last, excluded.last)",
                                 -1, &counter, nullptr));
    // Records are made before timing, so the baseline is SQLite's cost alone; they repeat
    // every 1000 rows (only the key must be unique).
    std::vector<std::string> records;
    for (int i = 1; i <= 1000; ++i)
        records.push_back(itsm::ticket_record(
            make_ticket(static_cast<itsm::TicketId>(i), static_cast<std::uint64_t>(i))));
    auto per_tx = state.range(1);
    std::int64_t next = 1;
    char key[32];
    for (auto _ : state) {
        check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr));
        for (std::int64_t i = 0; i < per_tx; ++i, ++next) {
            const auto& record = records[static_cast<std::size_t>(next % 1000)];
            int key_size =
                std::snprintf(key, sizeof key, "INC%07lld", static_cast<long long>(next));
            std::int64_t at = 1'770'000'000'000'000 + next;
            sqlite3_bind_int64(ticket, 1, next);
            sqlite3_bind_text(ticket, 2, key, key_size, SQLITE_STATIC);
            sqlite3_bind_int64(ticket, 3, at);
            sqlite3_bind_int64(ticket, 4, at);
            sqlite3_bind_text(ticket, 5, record.data(), static_cast<int>(record.size()),
                              SQLITE_STATIC);
            check(db, sqlite3_step(ticket));
            sqlite3_reset(ticket);
            sqlite3_bind_int64(event, 1, next);
            sqlite3_bind_int64(event, 2, next);
            sqlite3_bind_int64(event, 3, at);
            sqlite3_bind_text(event, 4, key, key_size, SQLITE_STATIC);
            check(db, sqlite3_step(event));
            sqlite3_reset(event);
        }
        sqlite3_bind_int64(counter, 1, next - 1);
        check(db, sqlite3_step(counter));
        sqlite3_reset(counter);
        check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr));
    }
    state.SetItemsProcessed(next - 1);
    sqlite3_finalize(ticket);
    sqlite3_finalize(event);
    sqlite3_finalize(counter);
    sqlite3_close(db);
}

// Arguments: {synchronous (1 FULL, 0 NORMAL), operations per transaction}. A fixed number
// of transactions per run (about a second each on an ext4 disk), the same for both sides.
template <int full, int per_tx>
void args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"full", "per_tx"})->Args({full, per_tx});
    b->Iterations(per_tx > 1 ? 200 : full ? 150 : 1500);
    b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_StoreCommit)->Apply(args<1, 1>);
BENCHMARK(BM_RawInsert)->Apply(args<1, 1>);
BENCHMARK(BM_StoreCommit)->Apply(args<1, 100>);
BENCHMARK(BM_RawInsert)->Apply(args<1, 100>);
BENCHMARK(BM_StoreCommit)->Apply(args<0, 1>);
BENCHMARK(BM_RawInsert)->Apply(args<0, 1>);
BENCHMARK(BM_StoreCommit)->Apply(args<0, 100>);
BENCHMARK(BM_RawInsert)->Apply(args<0, 100>);

}  // namespace

BENCHMARK_MAIN();

// Engine operations per second against one local PostgreSQL server, from 1, 2 and 4 client
// processes at once, each with its own engine and PostgresStore (its own connections).
//
// Each iteration forks the clients; each opens its engine (not timed), runs its operations
// and reports how long they took; the iteration's time is the slowest client's. Updates go
// to tickets of the client's own (no conflicts), so the figures show what the server and
// the store's round trips allow. Needs ITSM_TEST_PG_URI: run it through
// scripts/pg-test-server (docs/performance.md has the command).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "itsm/engine.hpp"
#include "itsm/postgres_store.hpp"

namespace {

enum class Op { create, update, get };

const char* server() {
    const char* uri = std::getenv("ITSM_TEST_PG_URI");
    if (!uri || !*uri) throw std::runtime_error("set ITSM_TEST_PG_URI (scripts/pg-test-server)");
    return uri;
}

void admin(const std::string& sql) {
    PGconn* c = PQconnectdb(server());
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    PQclear(PQexec(c, sql.c_str()));
    PQfinish(c);
}

itsm::Engine open_engine(const std::string& schema) {
    itsm::PostgresOptions o;
    o.schema = schema;
    o.listener_thread = false;
    return itsm::Engine(std::make_shared<itsm::PostgresStore>(server(), o),
                        std::make_shared<itsm::SystemClock>());
}

itsm::NewTicket new_incident(int i) {
    itsm::NewTicket in;
    in.kind = "incident";
    in.title = fmt::format("Printer on floor {} jams", i);
    in.requester = "rob";
    return in;
}

// One client: `ops` operations on its own tickets; writes the elapsed seconds to `out`.
int client(const std::string& schema, Op op, const std::vector<itsm::TicketId>& mine, int ops,
           int out) {
    try {
        auto engine = open_engine(schema);
        auto system = itsm::Actor::system();
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < ops; ++i) {
            auto id = mine[static_cast<std::size_t>(i) % mine.size()];
            if (op == Op::create) {
                engine.create(system, new_incident(i));
            } else if (op == Op::update) {
                itsm::TicketPatch p;
                p.title = fmt::format("edit {}", i);
                engine.update(system, id, p);
            } else {
                benchmark::DoNotOptimize(engine.get_shared(system, id));
            }
        }
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return write(out, &s, sizeof s) == sizeof s ? 0 : 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "client: {}\n", e.what());
        return 1;
    }
}

void run(benchmark::State& state, Op op, int ops) {
    const int clients = static_cast<int>(state.range(0));
    std::random_device rd;
    std::string schema = fmt::format("bench{:08x}", rd());
    std::vector<std::vector<itsm::TicketId>> tickets(static_cast<std::size_t>(clients));
    {
        auto engine = open_engine(schema);
        for (auto& mine : tickets)
            for (int i = 0; i < 20; ++i)
                mine.push_back(engine.create(itsm::Actor::system(), new_incident(i)).id);
    }
    for (auto _ : state) {
        std::vector<std::pair<pid_t, int>> children;
        for (int c = 0; c < clients; ++c) {
            int fds[2];
            if (pipe(fds) != 0) throw std::runtime_error("pipe");
            pid_t pid = fork();
            if (pid == 0) {
                close(fds[0]);
                _exit(client(schema, op, tickets[static_cast<std::size_t>(c)], ops, fds[1]));
            }
            close(fds[1]);
            children.emplace_back(pid, fds[0]);
        }
        double slowest = 0;
        for (auto [pid, fd] : children) {
            double s = 0;
            bool ok = read(fd, &s, sizeof s) == sizeof s;
            close(fd);
            int status = 0;
            waitpid(pid, &status, 0);
            if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                state.SkipWithError("a client failed");
                break;
            }
            slowest = std::max(slowest, s);
        }
        state.SetIterationTime(slowest);
    }
    state.SetItemsProcessed(state.iterations() * clients * ops);
    admin(fmt::format("DROP SCHEMA IF EXISTS \"{}\" CASCADE", schema));
}

void BM_PgCreate(benchmark::State& state) {
    run(state, Op::create, 200);
}
void BM_PgUpdate(benchmark::State& state) {
    run(state, Op::update, 200);
}
void BM_PgGet(benchmark::State& state) {
    run(state, Op::get, 1000);
}

}  // namespace

BENCHMARK(BM_PgCreate)->Arg(1)->Arg(2)->Arg(4)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PgUpdate)->Arg(1)->Arg(2)->Arg(4)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PgGet)->Arg(1)->Arg(2)->Arg(4)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

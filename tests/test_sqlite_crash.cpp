// Crash safety of the SQLite store: a child process works on a file and reports each
// operation once it returned; the parent kills it with SIGKILL at a random moment, many
// times, and after each kill checks that the reopened file holds every reported operation,
// nothing half-applied, and passes SQLite's integrity check.
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "helpers.hpp"
#include "itsm/sqlite_store.hpp"

namespace fs = std::filesystem;

namespace {

// The child: creates, updates, comments on and batches tickets until killed. Each engine
// operation writes exactly one event per ticket it changes and raises that ticket's version
// by one, so a ticket's history has exactly `version` events. Reports "<id> <version>"
// lines after each operation has returned.
[[noreturn]] void work(const std::string& file, int out, unsigned seed) {
    try {
        auto store = std::make_shared<itsm::SqliteStore>(file);
        itsm::Engine e(store, std::make_shared<itsm::SystemClock>());
        itsm::Actor sys = itsm::Actor::system();
        std::mt19937 rng(seed);
        std::vector<itsm::TicketId> mine;
        auto report = [&](const itsm::Ticket& t) {
            auto line = fmt::format("{} {}\n", t.id, t.version);
            if (write(out, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(3);
        };
        auto create = [&](itsm::Engine& eng) {
            itsm::NewTicket in;
            in.kind = "incident";
            in.title = "crash test";
            auto t = eng.create(sys, in);
            mine.push_back(t.id);
            return t;
        };
        for (;;) {
            int op = static_cast<int>(rng() % 10);
            if (mine.empty() || op < 3) {
                report(create(e));
            } else if (op < 6) {
                itsm::TicketPatch p;
                p.title = fmt::format("title {}", rng());
                report(e.update(sys, mine[rng() % mine.size()], p));
            } else if (op < 8) {
                auto id = mine[rng() % mine.size()];
                e.comment(sys, id, "still here");
                report(e.get(sys, id));
            } else {
                std::vector<itsm::Ticket> made;
                e.batch([&](itsm::Engine& eng) {
                    for (int i = 0; i < 3; ++i)
                        made.push_back(create(eng));
                });
                for (const auto& t : made)
                    report(t);
            }
        }
    } catch (...) {
        _exit(2);
    }
}

}  // namespace

TEST_CASE("SqliteStore: SIGKILL at random moments loses no reported commit") {
    std::random_device rd;
    fs::path dir = fs::temp_directory_path() / fmt::format("itsm-crash-{:x}{:x}", rd(), rd());
    fs::create_directories(dir);
    std::string file = (dir / "desk.db").string();
    std::mt19937 rng(rd());
    std::map<itsm::TicketId, std::uint64_t> reported;  // the highest version reported
    int rounds = 30, killed_working = 0;
    for (int round = 0; round < rounds; ++round) {
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        std::fflush(nullptr);
        pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            close(fds[0]);
            work(file, fds[1], static_cast<unsigned>(rng()));
        }
        close(fds[1]);
        usleep(static_cast<useconds_t>(2000 + rng() % 60000));
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        bool was_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        CHECK_MESSAGE(was_killed, "the child stopped by itself, status ", status);
        std::string lines;
        char buf[4096];
        for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
            lines.append(buf, static_cast<std::size_t>(n));
        close(fds[0]);
        std::istringstream in(lines);
        itsm::TicketId id = 0;
        std::uint64_t version = 0;
        bool any = false;
        while (in >> id >> version) {
            reported[id] = std::max(reported[id], version);
            any = true;
        }
        killed_working += any;

        itsm::SqliteStore s(file);
        CHECK(s.integrity_check() == "ok");
        for (const auto& [rid, rversion] : reported) {
            auto t = s.get(rid);
            REQUIRE_MESSAGE(t, "reported ticket ", rid, " is missing after round ", round);
            CHECK(t->version >= rversion);
        }
        itsm::Query all;
        all.limit = 1000;
        std::size_t seen = 0;
        for (;;) {
            auto page = s.query(all);
            for (const auto& t : page.tickets) {
                ++seen;
                auto h = s.history(t->id);
                CHECK_MESSAGE(h.size() == t->version, "ticket ", t->id, " half-applied");
                REQUIRE(!h.empty());
                CHECK(h.front().type == itsm::EventType::created);
                CHECK(s.get_by_key(t->key));
            }
            if (page.next_cursor.empty()) break;
            all.cursor = page.next_cursor;
        }
        CHECK(seen == s.size());
    }
    // Most rounds must have killed a child in the middle of its work, or the test proves
    // little.
    CHECK(killed_working >= rounds / 2);
    CHECK(reported.size() > 10);
    // After the last kill the file still takes new tickets, with fresh numbers.
    {
        auto store = std::make_shared<itsm::SqliteStore>(file);
        itsm::Engine e(store, std::make_shared<itsm::SystemClock>());
        itsm::NewTicket in;
        in.kind = "incident";
        in.title = "after the crashes";
        auto t = e.create(itsm::Actor::system(), in);
        CHECK(reported.count(t.id) == 0);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
}

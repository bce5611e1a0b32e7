// Several processes (fork) hammer the same tickets through their own engines on one
// PostgreSQL database: afterwards no update is lost, every history is complete and ordered,
// and every key is unique.
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <set>
#include <sstream>

#include "pg_helpers.hpp"

using namespace itsm_test;

namespace {

constexpr int processes = 4;
constexpr int rounds = 40;

// One child: random edits of the shared tickets (half with the version it read, half relying
// on the store's check), and a few new tickets. Writes "id successes" lines and the keys it
// created to `out`; returns the exit status.
int hammer(const PgSchema& schema, const std::vector<itsm::TicketId>& ids, int me, int out) {
    std::ostringstream report;
    try {
        PgDesk d(schema.open(false));
        std::mt19937 rng(static_cast<unsigned>(1000 + me));
        std::map<itsm::TicketId, int> ok;
        for (int i = 0; i < rounds; ++i) {
            if (i % 10 == 0) {
                report << "key " << d.incident(fmt::format("from {}", me)).key << '\n';
                continue;
            }
            auto id = ids[rng() % ids.size()];
            itsm::TicketPatch p;
            p.title = fmt::format("p{} r{}", me, i);
            if (rng() % 2) p.expected_version = d.engine.get(d.alice, id).version;
            try {
                d.engine.update(d.alice, id, p);
                ++ok[id];
            } catch (const itsm::Error& e) {
                if (e.code() != itsm::Errc::conflict) throw;
            }
        }
        for (auto [id, n] : ok)
            report << "ok " << id << ' ' << n << '\n';
    } catch (const std::exception& e) {
        report << "error " << e.what() << '\n';
    }
    auto text = report.str();
    bool failed = text.find("error ") != std::string::npos;
    return (write(out, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && !failed)
               ? 0
               : 1;
}

}  // namespace

TEST_CASE("PostgreSQL: processes hammering the same tickets lose no update") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    std::vector<itsm::TicketId> ids;
    {
        PgDesk d(schema.open(false));
        for (int i = 0; i < 3; ++i)
            ids.push_back(d.incident(fmt::format("shared {}", i)).id);
    }

    std::vector<std::pair<pid_t, int>> children;
    for (int me = 0; me < processes; ++me) {
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            _exit(hammer(schema, ids, me, fds[1]));
        }
        close(fds[1]);
        children.emplace_back(pid, fds[0]);
    }
    std::map<itsm::TicketId, int> successes;
    std::vector<std::string> keys;
    for (auto [pid, fd] : children) {
        std::string text;
        char buf[4096];
        for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
            text.append(buf, static_cast<std::size_t>(n));
        close(fd);
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), text);
        std::istringstream in(text);
        for (std::string word; in >> word;) {
            if (word == "ok") {
                itsm::TicketId id;
                int n;
                in >> id >> n;
                successes[id] += n;
            } else if (word == "key") {
                in >> word;
                keys.push_back(word);
            }
        }
    }

    PgDesk d(schema.open(false));
    int total = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) {
        auto id = ids[k];
        auto t = d.engine.get(d.alice, id);
        total += successes[id];
        // Every successful update is one version step: none was lost or applied twice.
        CHECK(t.version == static_cast<std::uint64_t>(successes[id]) + 1);
        auto h = d.engine.history(d.alice, id);
        REQUIRE(h.size() == static_cast<std::size_t>(successes[id]) + 1);
        CHECK(h.front().type == itsm::EventType::created);
        std::string title = fmt::format("shared {}", k);
        for (std::size_t i = 1; i < h.size(); ++i) {
            CHECK(h[i].seq > h[i - 1].seq);
            // Each change starts from the value the previous one left: the history is a chain.
            CHECK(std::get<std::string>(h[i].old_value) == title);
            title = std::get<std::string>(h[i].new_value);
        }
        CHECK(t.title == title);
    }
    CHECK(total > 0);
    MESSAGE(fmt::format("{} of {} edits committed, the rest were conflicts", total,
                        processes * rounds * 9 / 10));
    std::set<std::string> unique(keys.begin(), keys.end());
    CHECK(unique.size() == keys.size());
    CHECK(keys.size() == static_cast<std::size_t>(processes * rounds / 10));
    itsm::Query q;
    q.limit = 1000;
    CHECK(d.engine.count(d.alice, q) == ids.size() + keys.size());
}

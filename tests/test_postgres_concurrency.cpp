// Several processes (fork) hammer the same tickets through their own engines on one
// PostgreSQL database: afterwards no update is lost, every history is complete and ordered,
// every key is unique, and work that every process notices is done once.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "pg_helpers.hpp"

using namespace itsm_test;

namespace {

constexpr int processes = 4;
constexpr int rounds = 40;

// One child: random edits of the shared tickets (half with the version it read, half relying
// on the store's check), and a few new tickets. Writes "id successes" lines and the keys it
// created.
std::string hammer(const PgSchema& schema, const std::vector<itsm::TicketId>& ids,
                   itsm::TicketId escalate, std::chrono::steady_clock::time_point go, int me) {
    std::ostringstream report;
    try {
        PgDesk d(schema.open(false));
        std::this_thread::sleep_until(go);  // every process starts at the same moment
        // Every process notices the same due work on the last ticket (as each would notice
        // the same due SLA timer) and does it unless it is done: the version check lets one
        // commit it; the others see conflict, read again and find it done.
        for (int attempt = 0; attempt < 50; ++attempt) {
            auto t = d.engine.get(d.alice, escalate);
            if (std::find(t.tags.begin(), t.tags.end(), itsm::Symbol("escalated")) != t.tags.end())
                break;
            itsm::TicketPatch p;
            p.add_tags = {"escalated"};
            p.expected_version = t.version;
            try {
                d.engine.update(d.alice, escalate, p);
                report << "escalated\n";
                break;
            } catch (const itsm::Error& e) {
                if (e.code() != itsm::Errc::conflict) throw;
                report << "lost_race\n";
            }
        }
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
    return report.str();
}

// Forks `processes` children, all running child(me) at once; each reports its text through a
// pipe and fails its exit status when the text has an "error " line. Returns the texts in
// process order, after checking that every child exited cleanly.
template <class Child>
std::vector<std::string> run_children(Child&& child) {
    std::vector<std::pair<pid_t, int>> children;
    for (int me = 0; me < processes; ++me) {
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            std::string text = child(me);
            bool failed = text.find("error ") != std::string::npos;
            auto sent = write(fds[1], text.data(), text.size());
            _exit(sent == static_cast<ssize_t>(text.size()) && !failed ? 0 : 1);
        }
        close(fds[1]);
        children.emplace_back(pid, fds[0]);
    }
    std::vector<std::string> texts;
    for (auto [pid, fd] : children) {
        std::string text;
        char buf[4096];
        for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
            text.append(buf, static_cast<std::size_t>(n));
        close(fd);
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), text);
        texts.push_back(std::move(text));
    }
    return texts;
}

}  // namespace

TEST_CASE("PostgreSQL: processes hammering the same tickets lose no update") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    std::vector<itsm::TicketId> ids;
    itsm::TicketId escalate = 0;
    {
        PgDesk d(schema.open(false));
        for (int i = 0; i < 3; ++i)
            ids.push_back(d.incident(fmt::format("shared {}", i)).id);
        escalate = d.incident("due for escalation").id;
    }

    auto go = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    auto texts = run_children([&](int me) { return hammer(schema, ids, escalate, go, me); });
    std::map<itsm::TicketId, int> successes;
    std::vector<std::string> keys;
    int escalations = 0, lost_races = 0;
    for (const auto& text : texts) {
        std::istringstream in(text);
        for (std::string word; in >> word;) {
            if (word == "ok") {
                itsm::TicketId id;
                int n;
                in >> id >> n;
                successes[id] += n;
            } else if (word == "escalated") {
                ++escalations;
            } else if (word == "lost_race") {
                ++lost_races;
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
    // The due work was done exactly once, by exactly one process.
    CHECK(escalations == 1);
    MESSAGE(fmt::format("{} processes lost the race to escalate and found it done", lost_races));
    int tag_events = 0;
    for (const auto& e : d.engine.history(d.alice, escalate))
        tag_events += e.field == itsm::Symbol("tags");
    CHECK(tag_events == 1);
    CHECK(d.engine.get(d.alice, escalate).version == 2);

    std::set<std::string> unique(keys.begin(), keys.end());
    CHECK(unique.size() == keys.size());
    CHECK(keys.size() == static_cast<std::size_t>(processes * rounds / 10));
    itsm::Query q;
    q.limit = 1000;
    CHECK(d.engine.count(d.alice, q) == ids.size() + 1 + keys.size());
}

namespace {

const char* wall_policy = R"({"sla_policies": {"p": {"applies_when": {"kinds": ["incident"]},
    "metrics": {"resolution": {"targets": {"5": "PT1H"}}}}}})";

// One child: its own engine with the same policy, its clock two hours on; every process calls
// advance at the same moment. Reports how many alarms this process emitted.
std::string advance_at_once(const PgSchema& schema, std::chrono::steady_clock::time_point go) {
    std::string text;
    try {
        PgDesk d(schema.open(false));
        d.engine.set_sla_policies(d.alice, itsm::SlaPolicies::from_json(wall_policy));
        d.clock->advance(std::chrono::hours(2));
        std::this_thread::sleep_until(go);
        text = fmt::format("emitted {}\n", d.engine.advance(d.clock->now()));
    } catch (const std::exception& e) {
        text = fmt::format("error {}\n", e.what());
    }
    return text;
}

}  // namespace

TEST_CASE("PostgreSQL: SLA warnings and breaches fire once across processes") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    constexpr int tickets = 5;
    std::vector<itsm::TicketId> ids;
    {
        PgDesk d(schema.open(false));
        d.engine.set_sla_policies(d.alice, itsm::SlaPolicies::from_json(wall_policy));
        for (int i = 0; i < tickets; ++i)
            ids.push_back(d.incident(fmt::format("due {}", i)).id);
    }
    auto go = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    auto texts = run_children([&](int) { return advance_at_once(schema, go); });
    std::size_t emitted = 0;
    for (const auto& text : texts) {
        std::istringstream in(text);
        std::string word;
        std::size_t n = 0;
        if (in >> word >> n && word == "emitted") emitted += n;
    }
    // Each clock has two warnings (50% and 75%) and one breach: written once in all, whichever
    // process won each race.
    CHECK(emitted == 3 * tickets);
    PgDesk d(schema.open(false));
    for (auto id : ids) {
        int warnings = 0, breaches = 0;
        for (const auto& e : d.engine.history(d.alice, id)) {
            if (e.type != itsm::EventType::sla) continue;
            warnings += e.text == "warning";
            breaches += e.text == "breached";
        }
        CHECK(warnings == 2);
        CHECK(breaches == 1);
    }
}

// Timed transitions found through the engine's due queue (src/engine_timers.cpp): the queue
// follows every commit, a workflow change, a batch taken back and a restart over a file.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <random>

#include "itsm/sqlite_store.hpp"
#include "pg_helpers.hpp"
#include "temp_dir.hpp"
#include "workflow_helpers.hpp"

using namespace itsm;
using itsm_test::ItilDesk;
namespace fs = std::filesystem;
using itsm_test::TempDir;

namespace {

using itsm_test::in;
using itsm_test::text;

const std::vector<std::pair<std::string, Value>> resolution = {
    in("resolution_code", text("solved_remotely")), in("resolution_notes", text("Restarted"))};

constexpr auto day = std::chrono::hours(24);

// The ITIL preset with the resolved -> closed timer set to `after` (or removed when empty).
Workflows itil_closing_after(const std::string& after) {
    std::string text = Workflows::itil_json();
    std::string was = R"("after": "5d",)";
    auto at = text.find(was);
    REQUIRE(at != std::string::npos);
    text.replace(at, was.size(), after.empty() ? "" : fmt::format(R"("after": "{}",)", after));
    return Workflows::from_json(text);
}

}  // namespace

TEST_CASE("timers: a ticket that leaves the state before it is due is not moved") {
    ItilDesk d;
    CHECK(d.engine.advance(d.clock->now()) == 0);  // the queue exists from here on
    Ticket stays = d.create("incident");
    Ticket closes = d.create("incident");
    d.go(stays.id, "resolve", resolution);
    d.go(closes.id, "resolve", resolution);
    Instant first_due = d.clock->now() + 5 * day;
    d.clock->advance(day);
    d.go(stays.id, "reopen");
    CHECK(d.engine.advance(first_due - std::chrono::seconds(1)) == 0);
    CHECK(d.engine.advance(first_due) == 1);
    CHECK(d.get(closes.id).state == "closed");
    CHECK(d.get(stays.id).state == "in_progress");
    CHECK(d.engine.advance(first_due + 30 * day) == 0);

    // resolved again: the timer counts from the new entry into the state
    d.clock->set(first_due + day);
    d.go(stays.id, "resolve", resolution);
    Instant second_due = d.clock->now() + 5 * day;
    CHECK(d.engine.advance(second_due - std::chrono::seconds(1)) == 0);
    CHECK(d.engine.advance(second_due) == 1);
    Ticket t = d.get(stays.id);
    CHECK(t.state == "closed");
    CHECK(t.closed == second_due);
    CHECK(d.count_events(stays.id, EventType::state_changed) == 4);
}

TEST_CASE("timers: replacing the workflows applies the new delays to tickets already waiting") {
    ItilDesk d;
    Ticket a = d.create("incident");
    d.go(a.id, "resolve", resolution);
    Instant resolved = d.clock->now();
    CHECK(d.engine.advance(resolved + 2 * day) == 0);  // five days under the preset

    d.engine.set_workflows(d.alice, itil_closing_after("1d"));
    CHECK(d.engine.advance(resolved + 2 * day) == 1);
    CHECK(d.get(a.id).state == "closed");
    CHECK(d.get(a.id).closed == resolved + 2 * day);

    // without the timer nothing closes by itself, however long it waits
    Ticket b = d.create("incident");
    d.go(b.id, "resolve", resolution);
    d.engine.set_workflows(d.alice, itil_closing_after(""));
    CHECK(d.engine.advance(d.clock->now() + 400 * day) == 0);
    CHECK(d.get(b.id).state == "resolved");
    // and back to the preset: the ticket's entry into resolved counts, not the change
    d.engine.set_workflows(d.alice, Workflows::itil());
    CHECK(d.engine.advance(d.clock->now() + 5 * day) == 1);
    CHECK(d.get(b.id).state == "closed");
}

TEST_CASE("timers: a batch taken back leaves the queue as the store is") {
    ItilDesk d;
    Ticket t = d.create("incident");
    d.go(t.id, "resolve", resolution);
    Instant due = d.clock->now() + 5 * day;
    CHECK(d.engine.advance(d.clock->now()) == 0);
    CHECK_THROWS(d.engine.batch([&](Engine&) {
        d.go(t.id, "reopen");  // its timer leaves the queue here...
        throw std::runtime_error("taken back");
    }));
    CHECK(d.get(t.id).state == "resolved");  // ...and the ticket is resolved again
    CHECK(d.engine.advance(due) == 1);
    CHECK(d.get(t.id).state == "closed");

    // the queue first built inside a batch that is then taken back is built again
    ItilDesk fresh;
    Ticket u = fresh.create("incident");
    fresh.go(u.id, "resolve", resolution);
    Instant u_due = fresh.clock->now() + 5 * day;
    CHECK_THROWS(fresh.engine.batch([&](Engine& e) {
        fresh.go(u.id, "reopen");
        CHECK(e.advance(u_due) == 0);  // nothing waits inside the batch
        throw std::runtime_error("taken back");
    }));
    CHECK(fresh.engine.advance(u_due) == 1);
    CHECK(fresh.get(u.id).state == "closed");

    Ticket kept = d.create("incident");
    d.engine.batch([&](Engine&) { d.go(kept.id, "resolve", resolution); });
    CHECK(d.engine.advance(d.clock->now() + 5 * day) == 1);
    CHECK(d.get(kept.id).state == "closed");
}

TEST_CASE("timers: a ticket due after reopening an engine over a SQLite file is moved") {
    TempDir dir;
    std::string file = dir.file();
    ItilDesk model;  // the directory and access policy the application configures
    auto clock = std::make_shared<ManualClock>(itsm_test::t0());
    auto open = [&] {
        auto e = std::make_unique<Engine>(std::make_shared<SqliteStore>(file), clock);
        Actor sys = Actor::system();
        e->set_directory(sys, model.engine.directory());
        e->set_access(sys, model.engine.access_policy());
        e->set_workflows(sys, Workflows::itil());
        return e;
    };
    TicketId waiting = 0, reopened = 0;
    Instant due;
    {
        auto e = open();
        for (TicketId* id : {&waiting, &reopened}) {
            NewTicket nt;
            nt.kind = "incident";
            nt.title = "VPN drops";
            *id = e->create(model.alice, nt).id;
            TransitionInput resolve;
            resolve.fields = resolution;
            e->transition(model.bob, *id, "resolve", resolve);
        }
        due = clock->now() + 5 * day;
        CHECK(e->advance(due - std::chrono::seconds(1)) == 0);
    }
    {
        auto e = open();
        clock->advance(day);
        e->transition(model.bob, reopened, "reopen", {});
        CHECK(e->advance(due) == 1);
        CHECK(e->get(model.alice, waiting).state == "closed");
        CHECK(e->get(model.alice, reopened).state == "in_progress");
    }
    auto e = open();
    CHECK(e->advance(due + 30 * day) == 0);
    CHECK(e->get(model.alice, waiting).closed == due);
}

TEST_CASE("PostgreSQL: a ticket another process resolved closes when it falls due") {
    const char* uri = itsm_test::pg_uri();
    if (!uri) return;
    itsm_test::PgSchema schema(uri);
    itsm_test::PgDesk a(schema.open(false)), b(schema.open(false));  // delivered by poll()
    for (auto* d : {&a, &b})
        d->engine.set_workflows(Actor::system(), Workflows::itil());
    CHECK(a.engine.advance(a.clock->now()) == 0);  // a's queue exists before b writes

    Ticket t = b.incident();
    TransitionInput resolve;
    resolve.fields = resolution;
    b.engine.transition(b.bob, t.id, "resolve", resolve);
    Instant due = b.clock->now() + 5 * day;
    std::size_t written = b.engine.history(b.alice, t.id).size(), heard = 0;
    for (int i = 0; i < 50 && heard < written; ++i)  // every event of b's two commits
        heard += a.store->poll(std::chrono::milliseconds(100));
    REQUIRE(heard == written);
    CHECK(a.engine.advance(due - std::chrono::seconds(1)) == 0);
    CHECK(a.engine.advance(due) == 1);
    CHECK(b.engine.get(b.alice, t.id).state == "closed");
    CHECK(b.engine.advance(due) == 0);  // moved once, by a
}

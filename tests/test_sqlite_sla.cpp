// SLA alarms through an engine over a SQLite file: advance() emits warnings and breaches once,
// also across a restart on the same file, and the same events as over the in-memory store.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <random>

#include "itsm/json.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/sla.hpp"
#include "itsm/sqlite_store.hpp"
#include "temp_dir.hpp"
#include "workflow_helpers.hpp"

using namespace itsm;
namespace fs = std::filesystem;
using itsm_test::TempDir;

namespace {

const char* calendars_json = R"({"calendars": {
    "office": {"time_zone": "UTC",
               "weekly": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]],
                          "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]],
                          "fri": [["09:00", "17:00"]]}}
}})";

const char* policies_json = R"({"sla_policies": {
    "gold": {"type": "sla", "calendar": "office", "applies_when": {"kinds": ["incident"]},
             "pause_on": ["state_class:pending"], "warnings": [50, 75],
             "metrics": {"response": {"targets": {"1": "PT1H", "2": "PT2H", "3": "PT4H"}},
                         "resolution": {"targets": {"1": "PT4H", "2": "PT8H", "3": "PT16H"}}}}
}})";

// An engine with the ITIL desk's people, rights and workflows and the gold policy. The
// configuration is the application's: a restarted engine is given it again.
std::unique_ptr<Engine> engine_over(std::shared_ptr<Store> store,
                                    std::shared_ptr<ManualClock> clock) {
    itsm_test::ItilDesk model;  // its directory and access policy
    auto e = std::make_unique<Engine>(std::move(store), std::move(clock));
    Actor sys = Actor::system();
    e->set_directory(sys, model.engine.directory());
    e->set_access(sys, model.engine.access_policy());
    e->set_workflows(sys, Workflows::itil());
    e->set_calendars(sys, CalendarSet::from_json(calendars_json));
    auto cals = e->calendars();
    e->set_sla_policies(sys, SlaPolicies::from_json(policies_json, &cals));
    return e;
}

std::vector<std::string> history_text(const Engine& e, TicketId id) {
    std::vector<std::string> out;
    for (const auto& ev : e.history(Actor{"alice"}, id))
        out.push_back(
            fmt::format("{}|{}|{}", to_json(ev), ev.old_value.index(), ev.new_value.index()));
    return out;
}

}  // namespace

TEST_CASE("sqlite sla: alarms come once across a restart, as over the in-memory store") {
    TempDir dir;
    auto clock = std::make_shared<ManualClock>(parse_instant("2026-03-02T09:00:00Z"));
    auto memory = engine_over(std::make_shared<InMemoryStore>(), clock);
    auto sqlite = engine_over(std::make_shared<SqliteStore>(dir.file()), clock);
    Actor alice{"alice"};
    auto both = [&](const std::function<void(Engine&)>& step) {
        step(*memory);
        step(*sqlite);
    };
    auto create = [&](int priority) {
        NewTicket n;
        n.kind = "incident";
        n.title = "Cannot connect";
        n.priority = priority;
        TicketId id = 0;
        both([&](Engine& e) { id = e.create(alice, n).id; });
        return id;
    };
    auto a = create(1);  // response 1h, resolution 4h from 09:00
    clock->set(parse_instant("2026-03-02T09:10:00Z"));
    auto b = create(2);  // response 2h, resolution 8h from 09:10
    auto advance = [&](const char* now, std::size_t expected) {
        both([&](Engine& e) { CHECK(e.advance(parse_instant(now)) == expected); });
    };
    advance("2026-03-02T10:15:00Z", 4);  // a.response 50%, 75%, breach; b.response 50%
    advance("2026-03-02T18:00:00Z", 7);
    advance("2026-03-02T18:00:00Z", 0);
    for (auto id : {a, b})
        CHECK(history_text(*sqlite, id) == history_text(*memory, id));
    Query breached;
    breached.sla_breached = true;
    CHECK(sqlite->query(alice, breached).tickets.size() == 2);  // both responses breached

    // A new engine over the same file finds the emitted flags committed with the events.
    auto before_a = history_text(*sqlite, a), before_b = history_text(*sqlite, b);
    sqlite.reset();
    sqlite = engine_over(std::make_shared<SqliteStore>(dir.file()), clock);
    CHECK(sqlite->advance(parse_instant("2026-03-02T18:00:00Z")) == 0);
    CHECK(history_text(*sqlite, a) == before_a);
    CHECK(history_text(*sqlite, b) == before_b);
    CHECK(sqlite->query(alice, breached).tickets.size() == 2);
    Query by_due;
    by_due.sort = SortKey::due;
    by_due.descending = false;
    auto page = sqlite->query(alice, by_due);
    REQUIRE(page.tickets.size() == 2);
    CHECK(page.tickets[0]->id == a);  // a's response was due at 10:00, b's at 11:10

    advance("2026-03-03T18:00:00Z", 1);  // b's resolution breach, Tuesday 09:10
    CHECK(history_text(*sqlite, b) == history_text(*memory, b));
    CHECK(history_text(*sqlite, b).size() == before_b.size() + 1);
    sqlite.reset();
    sqlite = engine_over(std::make_shared<SqliteStore>(dir.file()), clock);
    CHECK(sqlite->advance(parse_instant("2026-03-04T18:00:00Z")) == 0);
    CHECK(history_text(*sqlite, a) == history_text(*memory, a));
    CHECK(history_text(*sqlite, b) == history_text(*memory, b));
}

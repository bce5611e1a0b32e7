// SqliteStore: the conformance suite on real files, the schema's migrations, URIs, and an
// engine that restarts on its file.
#include "itsm/sqlite_store.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <random>

#include "helpers.hpp"
#include "store_conformance.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using itsm_test::TempDir;

namespace {

void raw_exec(const std::string& file, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE_MESSAGE(rc == SQLITE_OK, msg);
}

// The integer the query's first row starts with.
std::int64_t raw_integer(const std::string& file, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    auto n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

}  // namespace

TEST_CASE("conformance: SqliteStore") {
    TempDir dir;
    std::string file = dir.file("desk.db");
    itsm_test::StoreFactory f;
    f.open = [file] { return std::make_shared<itsm::SqliteStore>(file); };
    f.reopen = [file] { return std::make_shared<itsm::SqliteStore>("sqlite://" + file); };
    itsm_test::run_store_conformance(f);
}

// A file kept at version 2 has no SLA columns: the store still keeps every promise, reading
// tickets for what the columns would serve.
TEST_CASE("conformance: SqliteStore on a version 2 file") {
    TempDir dir;
    std::string file = dir.file("v2.db");
    itsm::SqliteOptions o;
    o.upgrade_to = 2;
    itsm_test::StoreFactory f;
    f.open = [file, o] { return std::make_shared<itsm::SqliteStore>(file, o); };
    f.reopen = f.open;
    itsm_test::run_store_conformance(f);
}

TEST_CASE("SqliteStore: opening by path and by URI") {
    TempDir dir;
    auto file = dir.file("a.db");
    {
        itsm::SqliteStore s("sqlite://" + file);  // "sqlite:///tmp/..." for an absolute path
        CHECK(s.path() == file);
        s.set_meta("k", "v");
    }
    itsm::SqliteStore s(file);
    CHECK(s.meta("k") == std::optional<std::string>("v"));
    CHECK(s.file_schema_version() == itsm::SqliteStore::schema_version);
    CHECK(s.integrity_check() == "ok");

    itsm_test::error_of([&] { itsm::SqliteStore bad("postgres://host/db"); },
                        itsm::Errc::invalid_argument);
    itsm_test::error_of([&] { itsm::SqliteStore bad("sqlite://"); }, itsm::Errc::invalid_argument);
    auto msg = itsm_test::error_of([&] { itsm::SqliteStore bad(dir.file("no/such/dir/x.db")); },
                                   itsm::Errc::storage);
    CHECK(msg.find("unable to open") != std::string::npos);
    // A file that is not a database.
    {
        std::FILE* junk = std::fopen(dir.file("junk.db").c_str(), "w");
        REQUIRE(junk);
        std::fputs("this is not a database, just some text that is long enough....", junk);
        std::fclose(junk);
    }
    msg = itsm_test::error_of([&] { itsm::SqliteStore bad(dir.file("junk.db")); },
                              itsm::Errc::storage);
    CHECK(msg.find("not a database") != std::string::npos);

    CHECK(dynamic_cast<itsm::InMemoryStore*>(itsm::open_store("memory:").get()));
    CHECK(dynamic_cast<itsm::SqliteStore*>(itsm::open_store("sqlite://" + file).get()));
}

TEST_CASE("SqliteStore: an older file is migrated on open, a newer one refused") {
    TempDir dir;
    auto file = dir.file("old.db");
    itsm::Ticket t;
    {
        itsm::SqliteOptions o;
        o.upgrade_to = 1;
        itsm::SqliteStore s(file, o);
        CHECK(s.file_schema_version() == 1);
        t = itsm_test::conformance::add(s, itsm_test::conformance::fresh(s, "incident", 1, true));
    }
    {
        itsm::SqliteStore s(file);
        CHECK(s.file_schema_version() == itsm::SqliteStore::schema_version);
        REQUIRE(s.get(t.id));
        CHECK(itsm::ticket_record(*s.get(t.id)) == itsm::ticket_record(t));
        CHECK(s.history(t.id).size() == 1);
    }
    // Version 2's index is in place.
    CHECK(raw_integer(file, "SELECT count(*) FROM sqlite_master WHERE name = 'tickets_priority'") ==
          1);

    raw_exec(file, "UPDATE schema_version SET version = 99");
    auto msg = itsm_test::error_of([&] { itsm::SqliteStore s(file); }, itsm::Errc::storage);
    CHECK(msg.find("schema version 99") != std::string::npos);
    CHECK(msg.find("newer") != std::string::npos);
}

TEST_CASE("SqliteStore: version 3 fills the SLA columns of tickets stored before it") {
    namespace c = itsm_test::conformance;
    TempDir dir;
    auto file = dir.file("v2.db");
    std::vector<itsm::Ticket> all;
    {
        itsm::SqliteOptions o;
        o.upgrade_to = 2;
        itsm::SqliteStore s(file, o);
        REQUIRE(s.file_schema_version() == 2);
        std::mt19937 rng(5);
        for (int i = 0; i < 40; ++i) {
            auto t = c::fresh(s, "incident", i);
            t.sla = c::random_clocks(rng);
            all.push_back(c::add(s, t));
        }
    }
    CHECK(raw_integer(file,
                      "SELECT count(*) FROM pragma_table_info('tickets') "
                      "WHERE name LIKE 'sla_%'") == 0);
    itsm::SqliteStore s(file);
    CHECK(s.file_schema_version() == itsm::SqliteStore::schema_version);
    for (const auto& t : all)
        CHECK(s.get(t.id)->sla == t.sla);
    // The columns hold what the records say, so the indexed paths agree with brute force.
    CHECK(c::ids_of(s.sla_alarms(c::at(200), 1000)) ==
          c::alarms_brute_force(all, c::at(200), 1000));
    for (bool descending : {false, true}) {
        itsm::Query q;
        q.sort = itsm::SortKey::due;
        q.descending = descending;
        q.limit = 7;
        CHECK(c::all_pages(s, q) == c::brute_force(all, q));
    }
    itsm::Query breached;
    breached.sla_breached = true;
    CHECK(c::all_pages(s, breached) == c::brute_force(all, breached));
    CHECK(s.count(breached) == c::brute_force(all, breached).size());
    itsm::Query due;
    due.due_before = c::at(70);
    CHECK(c::all_pages(s, due) == c::brute_force(all, due));
    CHECK_FALSE(c::brute_force(all, breached).empty());
    CHECK_FALSE(c::brute_force(all, due).empty());
    for (const char* index : {"tickets_sla_alarm", "tickets_sla_due", "tickets_sla_breached"})
        CHECK(raw_integer(file,
                          fmt::format("SELECT count(*) FROM sqlite_master WHERE name = '{}'", index)
                              .c_str()) == 1);
}

TEST_CASE("SqliteStore: an engine restarts on its file with every ticket and event") {
    TempDir dir;
    auto file = dir.file("desk.db");
    auto clock = std::make_shared<itsm::ManualClock>(itsm_test::t0());
    itsm::Actor sys = itsm::Actor::system();
    itsm::TicketId first = 0;
    std::string key;
    {
        itsm::Engine e(std::make_shared<itsm::SqliteStore>(file), clock);
        itsm::NewTicket in;
        in.kind = "incident";
        in.title = "VPN drops";
        in.tags = {"vpn"};
        auto t = e.create(sys, in);
        first = t.id;
        key = t.key;
        itsm::TicketPatch p;
        p.title = "VPN drops every hour";
        e.update(sys, t.id, p);
        e.comment(sys, t.id, "looking", itsm::CommentVisibility::work_note);
        e.create(sys, in);
    }
    itsm::Engine e(std::make_shared<itsm::SqliteStore>(file), clock);
    auto t = e.get(sys, first);
    CHECK(t.title == "VPN drops every hour");
    CHECK(t.version == 3);  // created, updated, commented
    CHECK(e.get_by_key(sys, key).id == first);
    CHECK(e.history(sys, first).size() == 3);
    CHECK(e.comments(sys, first).size() == 1);
    itsm::NewTicket in;
    in.kind = "incident";
    in.title = "after restart";
    auto next = e.create(sys, in);
    CHECK(next.id == first + 2);
    CHECK(next.key == "INC0000003");
    // A stale write through the engine is a conflict and changes nothing.
    itsm::TicketPatch stale;
    stale.title = "lost";
    stale.expected_version = 1;
    itsm_test::error_of([&] { e.update(sys, first, stale); }, itsm::Errc::conflict);
    CHECK(e.get(sys, first).title == "VPN drops every hour");
}

TEST_CASE("SqliteStore: backup copies a consistent database") {
    TempDir dir;
    itsm::SqliteStore s(dir.file("live.db"));
    auto t = itsm_test::conformance::add(s, itsm_test::conformance::fresh(s, "incident", 1));
    s.backup_to(dir.file("copy.db"));
    itsm::SqliteStore copy(dir.file("copy.db"));
    REQUIRE(copy.get(t.id));
    CHECK(copy.history(t.id).size() == 1);
    CHECK(copy.integrity_check() == "ok");
    // The target must not exist yet: a backup never overwrites.
    itsm_test::error_of([&] { s.backup_to(dir.file("copy.db")); }, itsm::Errc::storage);
}

TEST_CASE("SqliteStore: reopening restores the configuration version of every commit") {
    TempDir dir;
    auto file = dir.file("desk.db");
    auto clock = std::make_shared<itsm::ManualClock>(itsm_test::t0());
    itsm::Actor sys = itsm::Actor::system();
    itsm::NewTicket in;
    in.kind = "incident";
    in.title = "VPN drops";
    itsm::TicketId id = 0;
    {
        itsm::Engine e(std::make_shared<itsm::SqliteStore>(file), clock);
        CHECK(e.config_version() == "");  // a new file: none named yet
        e.set_config_version("desk-2026.1");
        id = e.create(sys, in).id;
        // The configuration changes, and the host names the new version.
        itsm::Scorecard card;
        card.reopen_rate.max = 0.02;
        e.set_scorecard(sys, card);
        e.set_config_version("desk-2026.2");
        itsm::TicketPatch p;
        p.title = "VPN drops every hour";
        e.update(sys, id, p);
        e.comment(sys, id, "looking");
    }
    auto store = std::make_shared<itsm::SqliteStore>(file);
    CHECK(store->config_version() == "desk-2026.2");
    auto events = store->history(id);
    REQUIRE(events.size() == 3);
    CHECK(store->config_version_of(events[0].seq) == "desk-2026.1");
    CHECK(store->config_version_of(events[1].seq) == "desk-2026.2");
    CHECK(store->config_version_of(events[2].seq) == "desk-2026.2");
    itsm_test::error_of([&] { (void)store->config_version_of(events[2].seq + 1); },
                        itsm::Errc::not_found);
    // An engine opened on the file starts under the version the data was written under.
    itsm::Engine e(store, clock);
    CHECK(e.config_version() == "desk-2026.2");
    e.set_config_version("");  // none named from here on
    auto next = e.create(sys, in);
    CHECK(store->config_version() == "");
    CHECK(store->config_version_of(store->history(next.id).front().seq) == "");
    CHECK(store->config_version_of(events[0].seq) == "desk-2026.1");
}

TEST_CASE("SqliteStore: a file kept at version 3 does not keep configuration versions") {
    TempDir dir;
    itsm::SqliteOptions o;
    o.upgrade_to = 3;
    itsm::SqliteStore s(dir.file("v3.db"), o);
    auto t = itsm_test::conformance::fresh(s, "incident", 1);
    itsm::Commit c;
    c.tickets.push_back({std::make_shared<const itsm::Ticket>(t), 0});
    c.events.push_back(itsm_test::conformance::event_for(t, itsm::EventType::created, 1));
    c.config_version = "A";
    s.commit(c);
    CHECK(s.config_version() == "");
    CHECK(s.config_version_of(c.events[0].seq) == "");
    itsm::SqliteStore latest(dir.file("v3.db"));  // migrated to version 4
    CHECK(latest.file_schema_version() == itsm::SqliteStore::schema_version);
    CHECK(latest.config_version() == "");
}

// Inside a batch, a commit that writes one ticket runs without a savepoint of its own. A
// refusal of its ticket write leaves the batch as it was (the conformance suite checks that);
// a failure after the write (here an event insert that a trigger fails) takes back the whole
// batch, and the batch then refuses to be kept.
TEST_CASE("SqliteStore: a commit failing after its write inside a batch takes the batch back") {
    namespace c = itsm_test::conformance;
    TempDir dir;
    auto file = dir.file("desk.db");
    auto s = std::make_shared<itsm::SqliteStore>(file);
    auto kept = c::add(*s, c::fresh(*s, "incident", 1));
    raw_exec(file,
             "CREATE TRIGGER fail_boom BEFORE INSERT ON events WHEN NEW.text = 'boom' "
             "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    auto boom = [&](itsm::Store& store, std::vector<itsm::Ticket> tickets) {
        itsm::Commit commit;
        for (const auto& t : tickets)
            commit.tickets.push_back({std::make_shared<const itsm::Ticket>(t), 0});
        commit.events.push_back(c::event_for(tickets[0], itsm::EventType::created, 2));
        commit.events.back().text = "boom";
        store.commit(commit);
    };
    SUBCASE("one ticket: the batch is taken back") {
        s->begin_batch();
        auto a = c::add(*s, c::fresh(*s, "incident", 2));
        auto b = c::fresh(*s, "incident", 3);
        auto msg = itsm_test::error_of([&] { boom(*s, {b}); }, itsm::Errc::storage);
        CHECK(msg.find("injected failure") != std::string::npos);
        CHECK(s->get(a.id) == nullptr);  // already gone
        CHECK(s->get(b.id) == nullptr);
        itsm_test::error_of([&] { c::add(*s, c::fresh(*s, "incident", 4)); }, itsm::Errc::storage);
        msg = itsm_test::error_of([&] { s->end_batch(true); }, itsm::Errc::storage);
        CHECK(msg.find("taken back") != std::string::npos);
        CHECK(s->size() == 1);
        CHECK(s->history(a.id).empty());
        // The store works on, and the numbers handed out in the batch stay used.
        auto next = c::add(*s, c::fresh(*s, "incident", 5));
        CHECK(next.id > b.id);
        s.reset();
        itsm::SqliteStore again(file);
        CHECK(again.size() == 2);
        CHECK(again.get(kept.id));
        CHECK(again.get(next.id));
        CHECK(again.integrity_check() == "ok");
    }
    SUBCASE("two tickets: the commit's savepoint is taken back, the batch goes on") {
        s->begin_batch();
        auto a = c::add(*s, c::fresh(*s, "incident", 2));
        auto b1 = c::fresh(*s, "incident", 3);
        auto b2 = c::fresh(*s, "incident", 3);
        itsm_test::error_of([&] { boom(*s, {b1, b2}); }, itsm::Errc::storage);
        auto d = c::add(*s, c::fresh(*s, "incident", 4));
        s->end_batch(true);
        CHECK(s->get(a.id));
        CHECK(s->get(d.id));
        CHECK(s->get(b1.id) == nullptr);
        CHECK(s->get(b2.id) == nullptr);
        CHECK(s->size() == 3);
    }
    SUBCASE("outside a batch nothing of the commit stays") {
        auto b = c::fresh(*s, "incident", 3);
        itsm_test::error_of([&] { boom(*s, {b}); }, itsm::Errc::storage);
        CHECK(s->get(b.id) == nullptr);
        CHECK(s->size() == 1);
        CHECK(c::add(*s, c::fresh(*s, "incident", 4)).id > b.id);
    }
}

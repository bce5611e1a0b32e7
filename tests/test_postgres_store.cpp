// PostgresStore against a real server (scripts/pg-test-server): the conformance suite,
// migrations under concurrent openers, URIs, and several engines on one database.
#include "itsm/postgres_store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <set>
#include <thread>

#include "itsm/sqlite_store.hpp"
#include "pg_helpers.hpp"
#include "store_conformance.hpp"

using namespace itsm_test;
using namespace std::chrono_literals;

TEST_CASE("conformance: PostgresStore") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    StoreFactory f;
    f.open = [&] {
        pg_exec(server, fmt::format("DROP SCHEMA IF EXISTS \"{}\" CASCADE", schema.name));
        return schema.open();
    };
    f.reopen = [&] { return schema.open(); };
    run_store_conformance(f);
}

TEST_CASE("PostgresStore: the schema is migrated once, under a lock, by concurrent openers") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    std::vector<std::thread> threads;
    std::atomic<int> opened{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            try {
                schema.open(false);
                ++opened;
            } catch (const itsm::Error& e) {
                MESSAGE(e.what());
            }
        });
    for (auto& t : threads)
        t.join();
    CHECK(opened == 4);
    auto s = schema.open(false);
    CHECK(s->database_schema_version() == itsm::PostgresStore::schema_version);
    CHECK(s->schema() == schema.name);

    SUBCASE("a newer schema is refused") {
        pg_exec(server, fmt::format("UPDATE \"{}\".schema_version SET version = 99", schema.name));
        try {
            schema.open(false);
            FAIL("a newer schema was opened");
        } catch (const itsm::Error& e) {
            CHECK(e.code() == itsm::Errc::storage);
            CHECK(std::string(e.what()).find("newer") != std::string::npos);
        }
    }
}

TEST_CASE("PostgresStore: URIs, schema names and unreachable servers") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    auto store = itsm::open_store(schema.store_uri());
    REQUIRE(dynamic_cast<itsm::PostgresStore*>(store.get()));
    CHECK(dynamic_cast<itsm::PostgresStore&>(*store).schema() == schema.name);
    CHECK(itsm::is_postgres_uri("postgres://h/db"));
    CHECK_FALSE(itsm::is_postgres_uri("sqlite:///x.db"));

    itsm::PostgresOptions bad;
    bad.schema = "Robert'); DROP";
    try {
        itsm::PostgresStore s(server, bad);
        FAIL("a bad schema name was accepted");
    } catch (const itsm::Error& e) {
        CHECK(e.code() == itsm::Errc::invalid_argument);
        CHECK(e.where() == "schema");
    }
    try {
        itsm::PostgresStore s("postgresql://itsm@127.0.0.1:1/nowhere?connect_timeout=2");
        FAIL("an unreachable server was opened");
    } catch (const itsm::Error& e) {
        CHECK(e.code() == itsm::Errc::storage);
    }
}

TEST_CASE("PostgresStore: two engines on one database") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    PgDesk a(schema.open()), b(schema.open());

    SUBCASE("each reads the other's commits") {
        auto t = a.incident();
        CHECK(b.engine.get(b.bob, t.id).title == t.title);
        itsm::TicketPatch p;
        p.title = "edited by b";
        b.engine.update(b.bob, t.id, p);
        CHECK(a.engine.get(a.alice, t.id).title == "edited by b");
        CHECK(a.engine.history(a.alice, t.id).size() == 2);
    }
    SUBCASE("keys stay unique and count per kind across engines") {
        std::set<std::string> keys;
        for (int i = 0; i < 5; ++i) {
            keys.insert(a.incident().key);
            keys.insert(b.incident().key);
        }
        CHECK(keys.size() == 10);
        CHECK(keys.count("INC0000001"));
        CHECK(keys.count("INC0000010"));
    }
    SUBCASE("a stale edit is a conflict, and nothing of it is written") {
        auto t = a.incident();
        itsm::TicketPatch p;
        p.title = "first";
        p.expected_version = 1;
        b.engine.update(b.bob, t.id, p);
        p.title = "second";
        auto msg = error_of([&] { a.engine.update(a.alice, t.id, p); }, itsm::Errc::conflict);
        CHECK(msg.find("version") != std::string::npos);
        CHECK(a.engine.get(a.alice, t.id).title == "first");
        CHECK(a.engine.history(a.alice, t.id).size() == 2);
    }
    SUBCASE("a write racing another engine's is a conflict at the store") {
        // Engine a has read version 1; b commits version 2 before a's commit reaches the store.
        auto t = a.incident();
        auto current = a.store->get(t.id);
        itsm::TicketPatch p;
        p.title = "from b";
        b.engine.update(b.bob, t.id, p);
        itsm::Ticket next = *current;
        next.title = "from a";
        next.version = 2;
        itsm::Commit c;
        c.tickets.push_back({std::make_shared<const itsm::Ticket>(next), 1});
        c.events.push_back(itsm::Event{});
        c.events.back().ticket = t.id;
        c.events.back().type = itsm::EventType::comment;
        try {
            a.store->commit(c);
            FAIL("a lost update was committed");
        } catch (const itsm::Error& e) {
            CHECK(e.code() == itsm::Errc::conflict);
        }
        CHECK(a.engine.get(a.alice, t.id).title == "from b");
        CHECK(a.engine.history(a.alice, t.id).size() == 2);
    }
}

// Each event keeps the configuration version of its commit; the store reports the version
// of the latest commit in the database, whichever engine made it.
TEST_CASE("PostgresStore: configuration versions of every commit, across engines") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    PgDesk a(schema.open());
    a.engine.set_config_version("A");
    auto t = a.incident();
    PgDesk b(schema.open());
    CHECK(b.engine.config_version() == "A");  // an engine starts where the data is
    b.engine.set_config_version("B");
    b.engine.comment(b.bob, t.id, "under B");
    CHECK(a.store->config_version() == "B");
    auto events = a.store->history(t.id);
    REQUIRE(events.size() == 2);
    CHECK(a.store->config_version_of(events[0].seq) == "A");
    CHECK(a.store->config_version_of(events[1].seq) == "B");
    try {
        (void)a.store->config_version_of(events[1].seq + 1000);
        FAIL("an unknown seq was answered");
    } catch (const itsm::Error& e) {
        CHECK(e.code() == itsm::Errc::not_found);
    }
}

TEST_CASE("PostgresStore: observers hear commits made by another engine") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);

    SUBCASE("from the listener thread") {
        PgDesk a(schema.open()), b(schema.open());
        std::mutex m;
        std::condition_variable cv;
        std::vector<itsm::Event> heard_a, heard_b;
        a.engine.subscribe([&](const itsm::Event& e) {
            std::lock_guard l(m);
            heard_a.push_back(e);
            cv.notify_all();
        });
        b.engine.subscribe([&](const itsm::Event& e) {
            std::lock_guard l(m);
            heard_b.push_back(e);
            cv.notify_all();
        });
        auto t = b.incident();
        itsm::TicketPatch p;
        p.title = "renamed";
        b.engine.update(b.bob, t.id, p);
        std::unique_lock l(m);
        CHECK(cv.wait_for(l, 10s, [&] { return heard_a.size() >= 2; }));
        REQUIRE(heard_a.size() == 2);
        CHECK(heard_a[0].type == itsm::EventType::created);
        CHECK(heard_a[0].ticket == t.id);
        CHECK(heard_a[1].field == itsm::Symbol("title"));
        CHECK(heard_a[1].seq > heard_a[0].seq);
        CHECK(heard_b.size() == 2);  // b heard its own commits once, not again from the server
        l.unlock();
        std::this_thread::sleep_for(300ms);
        l.lock();
        CHECK(heard_b.size() == 2);
    }
    SUBCASE("through poll() when the host delivers") {
        PgDesk a(schema.open(false)), b(schema.open(false));
        std::vector<itsm::Event> heard;
        a.engine.subscribe([&](const itsm::Event& e) { heard.push_back(e); });
        CHECK(a.store->poll() == 0);
        auto t = b.incident();
        b.engine.comment(b.bob, t.id, "on it");
        std::size_t got = 0;
        for (int i = 0; i < 50 && got < 2; ++i)
            got += a.store->poll(200ms);
        CHECK(got == 2);
        REQUIRE(heard.size() == 2);
        CHECK(heard[1].type == itsm::EventType::comment);
        CHECK(heard[1].text == "on it");
        CHECK(a.store->poll() == 0);  // each commit is delivered once
    }
    SUBCASE("a taken-back batch announces nothing") {
        PgDesk a(schema.open(false)), b(schema.open(false));
        std::vector<itsm::Event> heard;
        a.engine.subscribe([&](const itsm::Event& e) { heard.push_back(e); });
        CHECK_THROWS(b.engine.batch([&](itsm::Engine&) {
            b.incident();
            throw std::runtime_error("changed my mind");
        }));
        auto kept = b.incident();
        std::size_t got = 0;
        for (int i = 0; i < 50 && got < 1; ++i)
            got += a.store->poll(200ms);
        CHECK(a.store->poll(300ms) == 0);
        REQUIRE(heard.size() == 1);
        CHECK(heard[0].ticket == kept.id);
    }
}

TEST_CASE("PostgresStore: a requester's queue follows tickets another engine files for them") {
    const char* server = pg_uri();
    if (!server) return;
    PgSchema schema(server);
    auto policy = itsm::AccessPolicy::from_json(R"({
        "segments": [{"id": "it"}],
        "roles": [{"preset": "requester"}, {"preset": "administrator"}],
        "grants": [{"user": "alice", "role": "administrator", "segment": "*"},
                   {"user": "rita", "role": "requester", "segment": "it"}]})");
    auto desk = [&](std::shared_ptr<itsm::PostgresStore> s) {
        auto d = std::make_unique<PgDesk>(std::move(s));
        itsm::Directory people;
        for (const char* u : {"alice", "bob", "rita"})
            people.add_user({u, u, true});
        d->engine.set_directory(itsm::Actor::system(), people);
        d->engine.set_access(itsm::Actor::system(), policy);
        return d;
    };
    auto a = desk(schema.open(false));
    auto b = desk(schema.open(false));
    itsm::Actor rita{"rita"};
    itsm::Query q;
    CHECK(a->engine.query(rita, q).tickets.empty());

    itsm::NewTicket in;
    in.kind = "incident";
    in.title = "My laptop will not start";
    in.segment = "it";
    in.requester = "rita";
    auto t = b->engine.create(a->alice, in);
    for (int i = 0; i < 50 && a->store->poll(200ms) == 0; ++i) {
    }
    auto page = a->engine.query(rita, q);
    REQUIRE(page.tickets.size() == 1);
    CHECK(page.tickets[0]->id == t.id);

    itsm::TicketPatch p;
    p.requester = itsm::Symbol("bob");
    b->engine.update(b->alice, t.id, p);
    for (int i = 0; i < 50 && a->store->poll(200ms) == 0; ++i) {
    }
    CHECK(a->engine.query(rita, q).tickets.empty());
}

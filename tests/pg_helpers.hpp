// Shared by the PostgreSQL suites: the test server's URI, a fresh schema per use, and an
// engine over a PostgresStore with administrators granted (as tests/helpers.hpp's Desk).
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <random>
#include <string>

#include "helpers.hpp"
#include "itsm/postgres_store.hpp"

namespace itsm_test {

// The server scripts/pg-test-server started, or null: then the PostgreSQL tests say so and
// check nothing (scripts/test always sets it).
inline const char* pg_uri() {
    const char* uri = std::getenv("ITSM_TEST_PG_URI");
    if (!uri || !*uri)
        MESSAGE("skipped: ITSM_TEST_PG_URI is not set (scripts/test starts a server and sets it)");
    return uri && *uri ? uri : nullptr;
}

// Runs SQL outside the store, as an administrator would.
inline void pg_exec(const std::string& uri, const std::string& sql) {
    PGconn* c = PQconnectdb(uri.c_str());
    REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, PQerrorMessage(c));
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);  // "drop cascades to ..." is expected
    PGresult* r = PQexec(c, sql.c_str());
    auto st = PQresultStatus(r);
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    REQUIRE_MESSAGE((st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK), msg);
}

// A schema of its own for one test, dropped with everything in it at the end.
struct PgSchema {
    std::string uri, name;
    explicit PgSchema(const char* server) : uri(server) {
        std::random_device rd;
        name = fmt::format("t{:08x}{:08x}", rd(), rd());
    }
    ~PgSchema() {
        try {
            pg_exec(uri, fmt::format("DROP SCHEMA IF EXISTS \"{}\" CASCADE", name));
        } catch (...) {
        }
    }
    // The server URI naming this schema.
    std::string store_uri() const {
        return uri + (uri.find('?') == std::string::npos ? "?" : "&") + "schema=" + name;
    }
    std::shared_ptr<itsm::PostgresStore> open(bool thread = true) const {
        itsm::PostgresOptions o;
        o.schema = name;
        o.listener_thread = thread;
        return std::make_shared<itsm::PostgresStore>(uri, o);
    }
};

// An engine over `store` where alice and bob administer everything.
struct PgDesk {
    std::shared_ptr<itsm::PostgresStore> store;
    std::shared_ptr<itsm::ManualClock> clock = std::make_shared<itsm::ManualClock>(t0());
    itsm::Engine engine;
    itsm::Actor alice{"alice"}, bob{"bob"};

    explicit PgDesk(std::shared_ptr<itsm::PostgresStore> s)
        : store(std::move(s)), engine(store, clock) {
        make_admins(engine);
    }
    itsm::Ticket incident(std::string title = "Printer on floor 3 jams") {
        itsm::NewTicket in;
        in.kind = "incident";
        in.title = std::move(title);
        return engine.create(alice, in);
    }
};

}  // namespace itsm_test

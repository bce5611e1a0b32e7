// Internal: the PostgreSQL store's schema, as numbered migrations (docs/storage.md). The
// layout follows the SQLite store's (src/store/sqlite/schema.hpp) in PostgreSQL's types, so
// both compile queries with the same code (src/store/sql_query.hpp).
#pragma once

#include <string_view>

#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail::pg {

// migrations[i] takes a database from schema version i to i + 1. Never edit a released
// step: add a new one and raise PostgresStore::schema_version.
inline constexpr std::string_view migrations[] = {
    // 1: tickets as records plus the columns the query API filters and sorts on; events
    // numbered by a sequence and grouped by commit (commit_id = the commit's first seq, which
    // NOTIFY names); per-kind number counters; meta values.
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, last BIGINT NOT NULL);
CREATE SEQUENCE ticket_ids;
CREATE SEQUENCE event_seqs;
CREATE TABLE tickets (
    id BIGINT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    segment TEXT NOT NULL,
    assignee TEXT NOT NULL,
    assignment_group TEXT NOT NULL,
    category TEXT NOT NULL,
    requester TEXT NOT NULL,
    priority INTEGER NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX tickets_segment_state ON tickets (segment, state, updated, id);
CREATE INDEX tickets_segment_assignee ON tickets (segment, assignee, updated, id);
CREATE INDEX tickets_segment_group ON tickets (segment, assignment_group, updated, id);
CREATE INDEX tickets_segment_category ON tickets (segment, category, updated, id);
CREATE INDEX tickets_updated ON tickets (updated, id);
CREATE INDEX tickets_created ON tickets (created, id);
CREATE INDEX tickets_priority ON tickets (priority, created, id);
CREATE INDEX tickets_requester ON tickets (requester, updated, id);
CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    commit_id BIGINT NOT NULL,
    ticket BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    type TEXT NOT NULL,
    field TEXT NOT NULL,
    old_kind SMALLINT NOT NULL,
    old_value TEXT,
    new_kind SMALLINT NOT NULL,
    new_value TEXT,
    text TEXT NOT NULL,
    link_type TEXT,
    link_other BIGINT
);
CREATE INDEX events_ticket ON events (ticket, seq);
CREATE INDEX events_commit ON events (commit_id);
)sql",
    // 2: the configuration version each event was committed under (Commit::config_version),
    // NULL when the commit named none.
    R"sql(
ALTER TABLE events ADD COLUMN config_version TEXT;
)sql",
};

}  // namespace detail::pg
ITSM_END_NAMESPACE

// Internal: the SQLite store's schema, as numbered migrations (docs/storage.md).
#pragma once

#include <string_view>

#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail::sql {

// migrations[i] takes a file from schema version i to i + 1. Never edit a released step:
// add a new one and raise SqliteStore::schema_version.
inline constexpr std::string_view migrations[] = {
    // 1: tickets as records plus the columns the query API filters and sorts on; events;
    // per-kind number counters; meta values.
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE counters (name TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    segment TEXT NOT NULL,
    assignee TEXT NOT NULL,
    assignment_group TEXT NOT NULL,
    category TEXT NOT NULL,
    requester TEXT NOT NULL,
    priority INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX tickets_segment_state ON tickets (segment, state, updated, id);
CREATE INDEX tickets_segment_assignee ON tickets (segment, assignee, updated, id);
CREATE INDEX tickets_segment_group ON tickets (segment, assignment_group, updated, id);
CREATE INDEX tickets_segment_category ON tickets (segment, category, updated, id);
CREATE INDEX tickets_updated ON tickets (updated, id);
CREATE INDEX tickets_created ON tickets (created, id);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    ticket INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    type TEXT NOT NULL,
    field TEXT NOT NULL,
    old_kind INTEGER NOT NULL,
    old_value,
    new_kind INTEGER NOT NULL,
    new_value,
    text TEXT NOT NULL,
    link_type TEXT,
    link_other INTEGER
);
CREATE INDEX events_ticket ON events (ticket, seq);
)sql",
    // 2: the work-queue order (priority, created, id) and requester lookups.
    R"sql(
CREATE INDEX tickets_priority ON tickets (priority, created, id);
CREATE INDEX tickets_requester ON tickets (requester, updated, id);
)sql",
    // 3: SLA columns, written with the record: the ticket's next alarm and the earliest due
    // of its running clocks (micros, NULL when none) and whether any clock breached. The
    // store fills them in for tickets already stored right after this step (the values come
    // from the records' clocks, which SQL cannot evaluate).
    R"sql(
ALTER TABLE tickets ADD COLUMN sla_alarm INTEGER;
ALTER TABLE tickets ADD COLUMN sla_due INTEGER;
ALTER TABLE tickets ADD COLUMN sla_breached INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_sla_alarm ON tickets (sla_alarm) WHERE sla_alarm IS NOT NULL;
CREATE INDEX tickets_sla_due ON tickets (sla_due, id);
CREATE INDEX tickets_sla_breached ON tickets (updated, id) WHERE sla_breached = 1;
)sql",
    // 4: the configuration version each event was committed under (Commit::config_version),
    // NULL when the commit named none.
    R"sql(
ALTER TABLE events ADD COLUMN config_version TEXT;
)sql",
};

}  // namespace detail::sql
ITSM_END_NAMESPACE

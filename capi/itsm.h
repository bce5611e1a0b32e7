/* libitsm C ABI: the stable interface for hosts that are not written in C++ and for the
 * language bindings. Pure C (C99 or later); include this header alone.
 *
 * Conventions, for every function below unless its comment says otherwise:
 *
 *  - Status. Functions return an int status: ITSM_OK (0) on success, a negative ITSM_E_*
 *    code on failure. The message that goes with a failure is read with itsm_last_error()
 *    on the same thread. A failed call leaves no trace in the engine.
 *  - Strings in. UTF-8, NUL-terminated, borrowed for the duration of the call only.
 *  - Strings out. A `char** ..._out` parameter receives a string the caller owns: it was
 *    allocated by the library and must be released with itsm_free() (never with the
 *    caller's own free()). The out pointer itself must not be NULL. On failure *out is set
 *    to NULL, so releasing it unconditionally is always correct.
 *  - Records. Tickets, comments, events and query pages cross the ABI as JSON text; the
 *    shapes are described in docs/c-api.md.
 *  - Threads. An itsm_engine may be used from several threads at once (the engine
 *    synchronizes internally), except that itsm_engine_close() must not race with any
 *    other use of the same handle. The last-error state is kept per thread.
 *  - Exceptions. No C++ exception ever crosses this interface.
 */
#ifndef ITSM_H
#define ITSM_H

#include <stddef.h>
#include <stdint.h>

#ifndef ITSM_API
#if defined(__GNUC__) || defined(__clang__)
#define ITSM_API __attribute__((visibility("default")))
#else
#define ITSM_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ------------------------------------------------------------------------ */

#define ITSM_VERSION_MAJOR 0
#define ITSM_VERSION_MINOR 1
#define ITSM_VERSION_PATCH 0
/* major * 10000 + minor * 100 + patch. Compare it with itsm_version_number() to check
 * that the library loaded at run time is the one this header describes. */
#define ITSM_VERSION_NUMBER \
    (ITSM_VERSION_MAJOR * 10000 + ITSM_VERSION_MINOR * 100 + ITSM_VERSION_PATCH)

/* ---- Status codes ------------------------------------------------------------------- */

/* The values mirror the C++ itsm::Errc (negated) and never change. */
#define ITSM_OK 0
#define ITSM_E_INVALID_ARGUMENT (-1)   /* malformed input: NULL pointer, bad JSON, bad cursor */
#define ITSM_E_NOT_FOUND (-2)          /* no such ticket, link, ... */
#define ITSM_E_PERMISSION_DENIED (-3)  /* the actor may not do this */
#define ITSM_E_INVALID_TRANSITION (-4) /* the workflow refuses this transition now */
#define ITSM_E_VALIDATION_FAILED (-5)  /* well-formed input that breaks a rule */
#define ITSM_E_CONFLICT (-6)           /* stale version, duplicate, already linked */
#define ITSM_E_INVALID_CONFIG (-7)     /* a configuration document (schema) is refused */
#define ITSM_E_STORAGE (-8)            /* the store failed */
#define ITSM_E_INTERNAL (-9)           /* a bug in libitsm */
#define ITSM_E_NO_MEMORY (-10)         /* an allocation failed */

/* ---- Library ------------------------------------------------------------------------ */

/* The version of the loaded library, as ITSM_VERSION_NUMBER. Thread-safe; never fails. */
ITSM_API int itsm_version_number(void);

/* The version of the loaded library as text, "0.1.0". The string is static: borrowed,
 * valid for the life of the process, never to be freed. Thread-safe; never fails. */
ITSM_API const char* itsm_version_string(void);

/* The message of the most recent status-returning call made on this thread: "" when that
 * call succeeded or no call was made yet. Messages name the parameter, field or JSON path
 * at fault first, e.g. "title: must not be empty". The string is borrowed and stays valid
 * until the next libitsm call on this thread; copy it to keep it. Never NULL. */
ITSM_API const char* itsm_last_error(void);

/* The status code of the most recent status-returning call made on this thread (ITSM_OK
 * when it succeeded or no call was made yet). */
ITSM_API int itsm_last_error_code(void);

/* Releases a string the library returned as owned (through a char** out parameter).
 * NULL is a no-op. Thread-safe. Does not change the last-error state. */
ITSM_API void itsm_free(void* p);

/* ---- Engine ------------------------------------------------------------------------- */

/* An engine: a ticket store, a clock and a schema. Opaque; use through the functions. */
typedef struct itsm_engine itsm_engine;

/* Opens an engine over an in-memory store and the system clock. `schema_json` is a schema
 * document (docs/c-api.md) or NULL for the shipped ITIL default. On success *out receives
 * the handle, owned by the caller and released with itsm_engine_close().
 * Errors: ITSM_E_INVALID_ARGUMENT (out is NULL), ITSM_E_INVALID_CONFIG (the schema is
 * refused; the message names the JSON path), ITSM_E_NO_MEMORY. */
ITSM_API int itsm_engine_open_memory(const char* schema_json, itsm_engine** out);

/* As itsm_engine_open_memory(), but the engine runs on a manual clock that starts at
 * `start_unix_micros` (microseconds since 1970-01-01T00:00:00Z) and moves only through
 * itsm_engine_set_time() and itsm_engine_advance_clock(): every instant the engine records
 * is then deterministic. Instants must lie in years 0000 to 9999.
 * Errors: as itsm_engine_open_memory(), and ITSM_E_INVALID_ARGUMENT for an instant out of
 * range. */
ITSM_API int itsm_engine_open_memory_at(const char* schema_json, int64_t start_unix_micros,
                                        itsm_engine** out);

/* Opens an engine over the store named by `uri` and the system clock: "memory:" for an
 * in-memory store, "sqlite:///path/to/file.db" (or a plain file path) for a durable SQLite
 * file, created when absent and migrated to the current schema when older
 * (docs/storage.md), or "postgresql://user@host:port/db" (optionally "?schema=name") for
 * a PostgreSQL database shared with other processes: every read sees their commits, and a
 * concurrent edit is ITSM_E_CONFLICT. `schema_json` as for itsm_engine_open_memory().
 * On success *out receives the handle, owned by the caller and released with
 * itsm_engine_close(), which also closes the file or connections. Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (uri or out is NULL, an unknown URI scheme, a bad schema
 * name), ITSM_E_STORAGE (the file or server cannot be opened, is not a database, or has a
 * newer schema; the message is SQLite's or the server's), ITSM_E_INVALID_CONFIG,
 * ITSM_E_NO_MEMORY. */
ITSM_API int itsm_engine_open(const char* uri, const char* schema_json, itsm_engine** out);

/* Sets the manual clock of an engine opened with itsm_engine_open_memory_at(). The clock
 * may be set backwards. Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (engine is NULL, runs on the system clock, or the
 * instant is out of range). */
ITSM_API int itsm_engine_set_time(itsm_engine* engine, int64_t unix_micros);

/* Moves the manual clock of an engine opened with itsm_engine_open_memory_at() forward
 * by `micros` (0 or more). Thread-safe: the range check and the move are one atomic step,
 * so threads advancing at once never move the clock out of range, and a refused call leaves
 * it where it was.
 * Errors: ITSM_E_INVALID_ARGUMENT (engine is NULL, runs on the system clock, micros is
 * negative, or the result is out of range). */
ITSM_API int itsm_engine_advance_clock(itsm_engine* engine, int64_t micros);

/* Closes an engine and frees everything it holds. NULL is a no-op. Strings obtained from
 * the engine stay valid (they are owned by the caller). The destructors of subscriptions
 * still active run here, after the engine has stopped delivering events. No other thread may be
 * using the handle, and the handle must not be used afterwards. Does not change the last-error
 * state. */
ITSM_API void itsm_engine_close(itsm_engine* engine);

/* ---- Configuration at once ---------------------------------------------------------- */

/* Applies a configuration document whose members ("sections") are the documents of the
 * configuration setters, each unchanged and each optional: "directory", "calendars",
 * "access", "taxonomy", "routing", "sla_policies", "scorecard", "workflows" (applied in this
 * order; docs/configuration.md). Every section is read and checked first, then all are
 * applied together, each needing its usual permission (manage.grants, manage.calendars, ...);
 * other threads see all of it or none. All or nothing: on any refusal nothing stays applied,
 * and the message names the document and the JSON path in it, e.g.
 * "config_json: workflows.workflows.change.initial: unknown state". Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (a NULL argument), ITSM_E_INVALID_CONFIG (not JSON, an
 * unknown section, a section refused), ITSM_E_PERMISSION_DENIED, and any error a setter
 * gives (ITSM_E_NOT_FOUND for a grant naming an unknown user, ...). */
ITSM_API int itsm_engine_load_config_json(itsm_engine* engine, const char* actor,
                                          const char* config_json);

/* As itsm_engine_load_config_json() over the text of the file at `path` (UTF-8 JSON), which
 * names the document in messages ("desk.json: access.grants[2].role: ..."). Thread-safe.
 * Errors: as itsm_engine_load_config_json(), and ITSM_E_NOT_FOUND when the file cannot be
 * read (the message names it and says why). */
ITSM_API int itsm_engine_load_config_file(itsm_engine* engine, const char* actor, const char* path);

/* ---- Tickets ------------------------------------------------------------------------ */

/* In all the functions below, `engine` and `actor` must not be NULL. `actor` is the user
 * id the call is made as (or the engine's secret system actor, see
 * itsm_engine_system_actor); it is recorded in the audit trail and must not be empty. Each
 * function is thread-safe on a shared engine. Besides the errors listed, any of them may
 * return ITSM_E_INVALID_ARGUMENT (a NULL pointer or an empty actor), ITSM_E_NO_MEMORY,
 * ITSM_E_STORAGE or ITSM_E_INTERNAL, and ITSM_E_PERMISSION_DENIED when access control
 * refuses. A ticket the actor may not read is ITSM_E_NOT_FOUND, exactly as an absent one
 * (docs/access.md). */

/* Creates a ticket from a JSON object such as
 * {"kind":"incident","title":"Mail is down","impact":1,"urgency":2}. On success
 * *ticket_json_out receives the new ticket as JSON (owned; itsm_free).
 * Errors: ITSM_E_INVALID_ARGUMENT (not valid JSON, unknown member, wrong type),
 * ITSM_E_VALIDATION_FAILED (e.g. empty title, unknown kind, impact out of range). */
ITSM_API int itsm_ticket_create(itsm_engine* engine, const char* actor, const char* new_ticket_json,
                                char** ticket_json_out);

/* Reads a ticket by numeric id. *out receives the ticket as JSON (owned; itsm_free).
 * Errors: ITSM_E_NOT_FOUND. */
ITSM_API int itsm_ticket_get(itsm_engine* engine, const char* actor, uint64_t id, char** out);

/* Reads a ticket by its human key, e.g. "INC0000042". *out receives the ticket as JSON
 * (owned; itsm_free). Errors: ITSM_E_NOT_FOUND. */
ITSM_API int itsm_ticket_get_by_key(itsm_engine* engine, const char* actor, const char* key,
                                    char** out);

/* Changes the members present in the JSON patch, e.g. {"title":"New","version":3}. With
 * "version" the update applies only if the ticket is still at that version. A patch that
 * changes nothing writes nothing. *out receives the ticket after the update as JSON
 * (owned; itsm_free).
 * Errors: ITSM_E_NOT_FOUND, ITSM_E_CONFLICT (stale version; the ticket is unchanged),
 * ITSM_E_INVALID_ARGUMENT (malformed patch), ITSM_E_VALIDATION_FAILED. */
ITSM_API int itsm_ticket_update(itsm_engine* engine, const char* actor, uint64_t id,
                                const char* patch_json, char** out);

/* Adds a comment: a public reply when `work_note` is 0, an internal work note otherwise.
 * *comment_json_out receives the comment as JSON (owned; itsm_free).
 * Errors: ITSM_E_NOT_FOUND, ITSM_E_VALIDATION_FAILED (empty or oversized text). */
ITSM_API int itsm_ticket_comment(itsm_engine* engine, const char* actor, uint64_t id,
                                 const char* text, int work_note, char** comment_json_out);

/* Lists a ticket's comments and work notes, oldest first. *out receives a JSON array of
 * comments (owned; itsm_free). Errors: ITSM_E_NOT_FOUND. */
ITSM_API int itsm_ticket_comments(itsm_engine* engine, const char* actor, uint64_t id, char** out);

/* Links two tickets; the link is recorded on both, each side with its own direction.
 * `link_type` is one of "parent_of", "child_of", "duplicate_of", "duplicated_by",
 * "related", "caused_by", "causes", "resolved_by_change", "resolves";
 * link(a, "child_of", b) makes b the parent of a.
 * Errors: ITSM_E_INVALID_ARGUMENT (unknown link type), ITSM_E_NOT_FOUND (either ticket),
 * ITSM_E_CONFLICT (already linked so), ITSM_E_VALIDATION_FAILED (a second parent, a cycle,
 * a link to itself, kinds that do not fit the link type). */
ITSM_API int itsm_ticket_link(itsm_engine* engine, const char* actor, uint64_t from,
                              const char* link_type, uint64_t to);

/* Removes a link made by itsm_ticket_link() (either spelling of its direction), from both
 * tickets. Errors: ITSM_E_INVALID_ARGUMENT (unknown link type), ITSM_E_NOT_FOUND (either
 * ticket, or no such link). */
ITSM_API int itsm_ticket_unlink(itsm_engine* engine, const char* actor, uint64_t from,
                                const char* link_type, uint64_t to);

/* Runs a query, e.g. {"kinds":["incident"],"states":["new"],"limit":20}; "{}" lists every
 * ticket, most recently updated first. *page_json_out receives one page as JSON:
 * {"tickets":[...],"next_cursor":"..." or null,"total":N} (owned; itsm_free). Pass
 * next_cursor back as "cursor" (with the same filters and sort) for the next page. SLA
 * members: "sla_breached": true|false, "due_before": "<instant>", "sort": "due"
 * (docs/sla.md). Errors: ITSM_E_INVALID_ARGUMENT (malformed query, limit outside
 * 1..1000, a cursor that does not belong to this sort). */
ITSM_API int itsm_ticket_query(itsm_engine* engine, const char* actor, const char* query_json,
                               char** page_json_out);

/* The audit trail of a ticket, oldest first. *out receives a JSON array of events (owned;
 * itsm_free). Errors: ITSM_E_NOT_FOUND. */
ITSM_API int itsm_ticket_history(itsm_engine* engine, const char* actor, uint64_t id, char** out);

/* ---- Taxonomy and routing ----------------------------------------------------------- */

/* The category tree and the routing rules (docs/taxonomy.md). Configure in this order: the
 * directory, then the taxonomy, then the routing rules, which are checked against both.
 * Every function here needs the "manage.taxonomy" permission unless it only reads, takes
 * the engine and actor rules of the ticket functions above, and is thread-safe on a shared
 * engine. Category ids are borrowed for the call. */

/* Replaces the taxonomy with a JSON document such as
 * {"leaf_only":false,"categories":[{"id":"hardware","name":"Hardware","kinds":["incident"]},
 * {"id":"laptop","name":"Laptop","parent":"hardware"}]}.
 * Errors: ITSM_E_INVALID_CONFIG (refused whole; the message names the JSON path, e.g.
 * "categories[1].parent: unknown category \"hardwre\""), ITSM_E_CONFLICT (the new tree
 * lacks a category that tickets or routing rules still use). */
ITSM_API int itsm_engine_set_taxonomy_json(itsm_engine* engine, const char* actor,
                                           const char* taxonomy_json);

/* The taxonomy in force, as the JSON document above with names history and retirement.
 * *out receives it (owned; itsm_free). Any valid actor may read it (requesters pick
 * categories from it). Errors: ITSM_E_INVALID_ARGUMENT (empty actor). */
ITSM_API int itsm_engine_taxonomy_json(itsm_engine* engine, const char* actor, char** out);

/* Replaces the routing rules with a JSON document such as
 * {"rules":[{"id":"net","when":{"categories":["network"]},
 * "then":{"assignment_group":"network","assign":"round_robin"}}]}.
 * Errors: ITSM_E_INVALID_CONFIG (refused whole; the message names the JSON path, e.g.
 * "rules[0].then.assignment_group: unknown group \"netwrk\""). */
ITSM_API int itsm_engine_set_routing_json(itsm_engine* engine, const char* actor,
                                          const char* rules_json);

/* The routing rules in force as JSON. *out receives them (owned; itsm_free). The rules name
 * users and groups, so this needs "manage.taxonomy". Errors: ITSM_E_INVALID_ARGUMENT (empty
 * actor), ITSM_E_PERMISSION_DENIED. */
ITSM_API int itsm_engine_routing_json(itsm_engine* engine, const char* actor, char** out);

/* Renames a category; the old name stays in its history with the engine's clock as the
 * instant it ended. Errors: ITSM_E_NOT_FOUND, ITSM_E_INVALID_CONFIG (an empty name). */
ITSM_API int itsm_category_rename(itsm_engine* engine, const char* actor, const char* id,
                                  const char* name);

/* Moves a category and its subtree under `new_parent` (NULL or "" makes it a root).
 * Errors: ITSM_E_NOT_FOUND, ITSM_E_VALIDATION_FAILED (a cycle, or kinds the new parent does
 * not allow). */
ITSM_API int itsm_category_move(itsm_engine* engine, const char* actor, const char* id,
                                const char* new_parent);

/* Retires a category (and so its subtree): tickets keep it, new tickets and edits refuse
 * it. Errors: ITSM_E_NOT_FOUND, ITSM_E_CONFLICT (already retired). */
ITSM_API int itsm_category_retire(itsm_engine* engine, const char* actor, const char* id);

/* Merges `from` into `into`: every ticket of `from` (closed ones included) is re-pointed,
 * with one event each, in one commit; `from`'s subcategories move under `into`; `from` is
 * retired. When `moved_out` is not NULL it receives the number of tickets re-pointed.
 * Errors: ITSM_E_NOT_FOUND, ITSM_E_VALIDATION_FAILED (into is from, below it, retired, or not
 * allowed for a ticket's kind), ITSM_E_CONFLICT (from is already retired). */
ITSM_API int itsm_category_merge(itsm_engine* engine, const char* actor, const char* from,
                                 const char* into, uint64_t* moved_out);

/* Deletes a leaf category that no ticket and no routing rule uses.
 * Errors: ITSM_E_NOT_FOUND, ITSM_E_CONFLICT (in use, or has subcategories). */
ITSM_API int itsm_category_remove(itsm_engine* engine, const char* actor, const char* id);

/* Counts per category subtree, over the tickets the actor may read; needs "metrics.read"
 * granted on the root segment "*". *out receives
 * [{"id":"hardware","path":"Hardware","total":12,"open":5,"direct":2},...] (owned;
 * itsm_free), parents before children. `query_json` filters the tickets counted (a query
 * as for itsm_ticket_query without "categories"; NULL counts every ticket).
 * Errors: ITSM_E_INVALID_ARGUMENT (malformed query, or one naming categories). */
ITSM_API int itsm_category_counts(itsm_engine* engine, const char* actor, const char* query_json,
                                  char** out);

/* Tag counts over the tickets matching `query_json` (NULL: every ticket) that the actor may
 * read, most used first; needs "metrics.read" granted on "*":
 * *out receives [{"tag":"vpn","count":3},...] (owned; itsm_free).
 * Errors: ITSM_E_INVALID_ARGUMENT (malformed query). */
ITSM_API int itsm_tag_counts(itsm_engine* engine, const char* actor, const char* query_json,
                             char** out);
/* ---- Access control ----------------------------------------------------------------- */

/* Until an access policy is set, only the system may do anything (docs/access.md). */

/* The engine's system actor: *out receives a secret, random text (borrowed; valid until
 * itsm_engine_close) that, passed as `actor` to any function of this engine, acts as the
 * trusted host and passes every check. No user id gives these rights: a user named
 * "system" is an ordinary user. Keep the text inside the host process; never show it to
 * end users or store it. Thread-safe. */
ITSM_API int itsm_engine_system_actor(itsm_engine* engine, const char** out);

/* Replaces the directory (users, groups) from JSON text, as in docs/directory.md. Needs
 * manage.grants. Errors: ITSM_E_INVALID_CONFIG (message names the JSON path),
 * ITSM_E_PERMISSION_DENIED. Thread-safe. */
ITSM_API int itsm_engine_set_directory_json(itsm_engine* engine, const char* actor,
                                            const char* directory_json);

/* Replaces the access policy (segments, roles, grants, relationships) from JSON text, as in
 * docs/access.md. Needs manage.grants. Refused whole: ITSM_E_INVALID_CONFIG (message names
 * the JSON path, e.g. "grants[2].role: unknown role"), ITSM_E_PERMISSION_DENIED.
 * Thread-safe. */
ITSM_API int itsm_engine_set_access_json(itsm_engine* engine, const char* actor,
                                         const char* access_json);

/* Explains whether `actor` may exercise `permission` (e.g. "ticket.update") on ticket `id`.
 * *out receives {"allowed":bool,"system":bool,"grant":N|null,"relationship":"..."|null,
 * "reason":"..."} (owned; itsm_free). Errors: ITSM_E_NOT_FOUND (also for a ticket the
 * actor may not read), ITSM_E_INVALID_ARGUMENT (unknown permission). Thread-safe. */
ITSM_API int itsm_explain(itsm_engine* engine, const char* actor, uint64_t id,
                          const char* permission, char** out);

/* ---- Workflows ---------------------------------------------------------------------- */

/* The workflow functions follow the conventions of the ticket functions above (engine and
 * actor not NULL, thread-safe on a shared engine, the same general errors). The formats
 * are described in docs/workflows.md and docs/c-api.md. */

/* Replaces the engine's workflows with the document `workflows_json`
 * ({"workflows": {"<id>": {...}}}). The document is checked whole, also against the
 * engine's schema (kinds, custom fields); on error nothing changes.
 * Errors: ITSM_E_INVALID_CONFIG (the message names the JSON path, e.g.
 * "workflows.change_normal.transitions[3].to: unknown state \"implemnt\""),
 * ITSM_E_PERMISSION_DENIED (manage.workflows). */
ITSM_API int itsm_engine_set_workflows_json(itsm_engine* engine, const char* actor,
                                            const char* workflows_json);

/* Replaces the engine's workflows with the shipped ITIL preset (incident, problem, change
 * with its standard, normal and emergency models, service request with requested items,
 * task). Errors: ITSM_E_INVALID_CONFIG (the engine's schema lacks a kind or custom field
 * the preset uses), ITSM_E_PERMISSION_DENIED. */
ITSM_API int itsm_engine_load_itil_workflows(itsm_engine* engine, const char* actor);

/* Runs the transition `transition_id` of the ticket's workflow. `input_json` may be NULL
 * or {"fields": {"resolution_code": "...", "custom.<name>": value}, "comment": "...",
 * "work_note": false, "version": 3}. *ticket_json_out receives the ticket after the
 * transition (owned; itsm_free). A refused transition changes nothing.
 * Errors: ITSM_E_NOT_FOUND (ticket or transition), ITSM_E_INVALID_TRANSITION (wrong state,
 * failed guard, missing approval; the message starts with the rule, e.g.
 * "workflows.incident.transitions[0].guards[0]: assignee is required"),
 * ITSM_E_VALIDATION_FAILED (a missing or bad input), ITSM_E_CONFLICT (stale version),
 * ITSM_E_PERMISSION_DENIED, ITSM_E_INVALID_ARGUMENT (malformed input JSON). */
ITSM_API int itsm_ticket_transition(itsm_engine* engine, const char* actor, uint64_t id,
                                    const char* transition_id, const char* input_json,
                                    char** ticket_json_out);

/* The transitions leaving the ticket's current state, for this actor: a JSON array of
 * {"id", "label", "to", "available", "rule", "reason", "inputs"}; "rule" and "reason" say
 * why a transition is not available (null when it is). *out is owned; itsm_free.
 * Errors: ITSM_E_NOT_FOUND. */
ITSM_API int itsm_ticket_available_transitions(itsm_engine* engine, const char* actor, uint64_t id,
                                               char** out);

/* The actor approves (or rejects) the current approval step of the ticket; `comment` may
 * be NULL. Completing or rejecting a step may move the ticket (the workflow's on_approved
 * and on_rejected transitions). *ticket_json_out receives the ticket (owned; itsm_free).
 * Errors: ITSM_E_NOT_FOUND, ITSM_E_INVALID_TRANSITION (no approval in progress),
 * ITSM_E_PERMISSION_DENIED (the actor is not a pending approver). */
ITSM_API int itsm_ticket_approve(itsm_engine* engine, const char* actor, uint64_t id,
                                 const char* comment, char** ticket_json_out);
ITSM_API int itsm_ticket_reject(itsm_engine* engine, const char* actor, uint64_t id,
                                const char* comment, char** ticket_json_out);

/* Hands the actor's pending approval to `to_user` (recorded as delegated_from); `comment`
 * may be NULL. *ticket_json_out receives the ticket (owned; itsm_free).
 * Errors: ITSM_E_NOT_FOUND, ITSM_E_PERMISSION_DENIED (not a pending approver),
 * ITSM_E_CONFLICT (to_user already has the approval pending). */
ITSM_API int itsm_ticket_delegate(itsm_engine* engine, const char* actor, uint64_t id,
                                  const char* to_user, const char* comment, char** ticket_json_out);

/* Emits the SLA warnings and breaches due at `now_unix_micros`, in the order they were
 * crossed, then runs the timed transitions due then (e.g. Resolved -> Closed after the
 * configured period); each exactly once, also across restarts. *ran_out (may be NULL)
 * receives how many alarms and transitions ran. Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (engine NULL, instant out of range). */
ITSM_API int itsm_engine_advance(itsm_engine* engine, int64_t now_unix_micros, uint64_t* ran_out);

/* ---- SLA clocks --------------------------------------------------------------------- */

/* Replaces the engine's business calendars with the document `calendars_json`
 * ({"calendars": {"<id>": {...}}}, docs/sla.md). Refused whole: on error nothing changes.
 * Errors: ITSM_E_INVALID_CONFIG (the message names the JSON path, e.g.
 * "calendars.berlin.weekly.mon[1]: overlaps weekly.mon[0]", or a calendar an SLA policy
 * still uses), ITSM_E_PERMISSION_DENIED (manage.calendars). Thread-safe. */
ITSM_API int itsm_engine_set_calendars_json(itsm_engine* engine, const char* actor,
                                            const char* calendars_json);

/* Replaces the engine's SLA policies with the document `policies_json`
 * ({"sla_policies": {"<id>": {...}}}, docs/sla.md); every calendar they name must have been
 * set with itsm_engine_set_calendars_json(). Clocks start on tickets created or changed
 * from then on. Refused whole: on error nothing changes.
 * Errors: ITSM_E_INVALID_CONFIG (the message names the JSON path, e.g.
 * "sla_policies.gold.calendar: unknown calendar \"paris\""), ITSM_E_PERMISSION_DENIED
 * (manage.sla). Thread-safe. */
ITSM_API int itsm_engine_set_sla_policies_json(itsm_engine* engine, const char* actor,
                                               const char* policies_json);

/* The business calendars in force, as the document itsm_engine_set_calendars_json() takes
 * ({"calendars": {}} until some are set): setting it again changes no working time. Each
 * week is written out in full, bases included; one-off holidays lose their names. *out is
 * owned; itsm_free. Any valid actor may read them (as the taxonomy and the scorecard: office
 * hours and holidays are no secret). Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (empty actor). */
ITSM_API int itsm_engine_calendars_json(itsm_engine* engine, const char* actor, char** out);

/* The SLA policies in force, as the document itsm_engine_set_sla_policies_json() takes
 * ({"sla_policies": {}} until some are set), by policy id; targets as ISO-8601 durations.
 * *out is owned; itsm_free. Any valid actor may read them (agents see the clocks they
 * produce on every ticket). Thread-safe. Errors: ITSM_E_INVALID_ARGUMENT (empty actor). */
ITSM_API int itsm_engine_sla_policies_json(itsm_engine* engine, const char* actor, char** out);

/* The ticket's SLA clocks evaluated at the engine's clock: a JSON array of {"policy",
 * "metric", "cycle", "type", "calendar", "state" (running, paused, met, breached,
 * canceled), "start", "due", "stopped", "target", "elapsed", "remaining", "wall_elapsed",
 * "paused" (durations in seconds; elapsed is business time), "percentage", "paused_now",
 * "pauses": [{"from", "to"}], "warnings_emitted", "breach_emitted", "at"}. *out is owned;
 * itsm_free. Errors: ITSM_E_NOT_FOUND (also for a ticket the actor may not read).
 * Thread-safe. */
ITSM_API int itsm_ticket_sla(itsm_engine* engine, const char* actor, uint64_t id, char** out);

/* ---- Business calendars ------------------------------------------------------------- */

/* A business calendar: time zone, working hours, holidays (docs/sla.md). Opaque and
 * immutable: one handle may be used from several threads at once, except that
 * itsm_calendar_free() must not race with any other use of it. All instants are
 * microseconds since 1970-01-01T00:00:00Z (UTC) and must lie in the years 1900 to 2399;
 * business durations are microseconds. */
typedef struct itsm_calendar itsm_calendar;

/* Builds the calendar `id` of a calendars document {"calendars": {"<id>": {...}, ...}}
 * (docs/sla.md). `id` may be NULL when the document holds exactly one calendar. On success
 * *out receives the handle, owned by the caller and released with itsm_calendar_free().
 * Errors: ITSM_E_INVALID_ARGUMENT (config_json or out is NULL), ITSM_E_INVALID_CONFIG (the
 * document is refused; the message names the JSON path), ITSM_E_NOT_FOUND (no calendar
 * `id`, or id is NULL and the document does not hold exactly one), ITSM_E_NO_MEMORY. */
ITSM_API int itsm_calendar_new_json(const char* config_json, const char* id, itsm_calendar** out);

/* Frees a calendar. NULL is a no-op. Does not change the last-error state. */
ITSM_API void itsm_calendar_free(itsm_calendar* calendar);

/* *out_unix_micros receives `start` moved forward by `business_micros` of working time
 * (backward when negative). A duration that uses up a working period exactly ends at its
 * close; 0 from a closed instant gives the next opening. Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (NULL argument, an instant or result outside the
 * calendar's years, or no working time left to count). */
ITSM_API int itsm_calendar_add(const itsm_calendar* calendar, int64_t start_unix_micros,
                               int64_t business_micros, int64_t* out_unix_micros);

/* *out_unix_micros receives `start` moved backward by `business_micros` of working time
 * (the mirror of itsm_calendar_add: an exact fit ends at an opening; 0 from a closed
 * instant gives the previous closing). Thread-safe. Errors: as itsm_calendar_add(). */
ITSM_API int itsm_calendar_subtract(const itsm_calendar* calendar, int64_t start_unix_micros,
                                    int64_t business_micros, int64_t* out_unix_micros);

/* *out_business_micros receives the working time in [from, to); 0 when to <= from.
 * Thread-safe. Errors: ITSM_E_INVALID_ARGUMENT (NULL argument, instant out of range). */
ITSM_API int itsm_calendar_between(const itsm_calendar* calendar, int64_t from_unix_micros,
                                   int64_t to_unix_micros, int64_t* out_business_micros);

/* *out_open receives 1 when the calendar is open at `at` (a working period holds it:
 * open at a period's start, closed at its end), else 0. Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (NULL argument, instant out of range). */
ITSM_API int itsm_calendar_is_open(const itsm_calendar* calendar, int64_t at_unix_micros,
                                   int* out_open);

/* *out_unix_micros receives `at` when the calendar is open then, else the start of the next
 * working period. Thread-safe. Errors: ITSM_E_INVALID_ARGUMENT (NULL argument, instant out
 * of range, no opening before the end of the calendar's years). */
ITSM_API int itsm_calendar_next_opening(const itsm_calendar* calendar, int64_t at_unix_micros,
                                        int64_t* out_unix_micros);

/* *out_unix_micros receives the end of the working period that holds `at`, or of the next
 * one when closed. Thread-safe. Errors: as itsm_calendar_next_opening(). */
ITSM_API int itsm_calendar_next_closing(const itsm_calendar* calendar, int64_t at_unix_micros,
                                        int64_t* out_unix_micros);

/* ---- Metrics ------------------------------------------------------------------------ */

/* Service metrics over a period (docs/metrics.md), replayed from the tickets' events.
 * `query_json`: {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z", "kinds": [...],
 * "segments": [...], "categories": [...], "groups": [...], "priorities": [1, 2],
 * "calendar": {...}} (see docs/metrics.md). *out receives the report with its scorecard
 * (owned; itsm_free). Needs "metrics.read"; only tickets the actor may read are counted.
 * Thread-safe. Errors: ITSM_E_INVALID_ARGUMENT (malformed query; the message names the JSON
 * path, e.g. "priorities[1]: expected an integer"), ITSM_E_PERMISSION_DENIED. */
ITSM_API int itsm_metrics(itsm_engine* engine, const char* actor, const char* query_json,
                          char** out);

/* Replaces the scorecard targets with {"scorecard": {...}} (docs/metrics.md); members left
 * out keep their defaults. Needs "manage.sla". Thread-safe. Errors: ITSM_E_INVALID_CONFIG
 * (refused whole; the message names the JSON path, e.g. "scorecard.reopen_rate.max:
 * expected a number between 0 and 1"), ITSM_E_PERMISSION_DENIED. */
ITSM_API int itsm_engine_set_scorecard_json(itsm_engine* engine, const char* actor,
                                            const char* scorecard_json);

/* The scorecard targets in force as {"scorecard": {...}}. *out is owned; itsm_free. Any
 * valid actor may read them. Thread-safe. Errors: ITSM_E_INVALID_ARGUMENT (empty actor). */
ITSM_API int itsm_engine_scorecard_json(itsm_engine* engine, const char* actor, char** out);

/* ---- Configuration version ---------------------------------------------------------- */

/* Names the version of the configuration in force (a release of the host's configuration
 * files, their hash; docs/storage.md): every later commit is stored with it, so a durable
 * store tells after reopening which configuration the data was written under. An engine
 * starts with the version of its store's latest commit; "" names none. The host's
 * statement, not a desk setting: no actor, and a batch does not take it back. Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (engine or version NULL, more than 200 bytes, a control
 * character). */
ITSM_API int itsm_engine_set_config_version(itsm_engine* engine, const char* version);

/* The configuration version in force ("" when none is named). *out is owned; itsm_free.
 * Thread-safe. Errors: ITSM_E_INVALID_ARGUMENT (engine or out NULL). */
ITSM_API int itsm_engine_config_version(itsm_engine* engine, char** out);

/* ---- Observers ---------------------------------------------------------------------- */

/* Called once per committed event, in the order of the events' seq numbers, after the
 * commit and outside the engine's lock, on the thread whose call committed it (events
 * other processes commit on a shared PostgreSQL store arrive on the store's listener
 * thread, docs/storage.md). `event_json` is the event record, the shape of one entry of
 * itsm_ticket_history(): borrowed for the duration of the call only (copy it to keep it).
 * The callback may call the engine again, including itsm_engine_unsubscribe() for its own
 * subscription; the events that causes follow the current one. It must not call
 * itsm_engine_close() on its engine. Events of one engine are delivered one at a time. */
typedef void (*itsm_observer_event_fn)(const char* event_json, void* user_data);
/* Releases the host's state of a subscription (user_data). See itsm_engine_subscribe(). */
typedef void (*itsm_observer_destroy_fn)(void* user_data);

/* Subscribes `fn` to the engine's committed events. `destroy` (may be NULL) is called with
 * `user_data` exactly once: when the subscription is ended by itsm_engine_unsubscribe(),
 * or by itsm_engine_close() for a subscription still active. It never runs while a
 * callback of its subscription is in flight. On success *subscription_out receives the
 * subscription's number (never 0). Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (engine, fn or subscription_out is NULL),
 * ITSM_E_NO_MEMORY; on failure `destroy` is not called. */
ITSM_API int itsm_engine_subscribe(itsm_engine* engine, itsm_observer_event_fn fn,
                                   itsm_observer_destroy_fn destroy, void* user_data,
                                   uint64_t* subscription_out);

/* Ends a subscription: its callback is not called again once this returns. Called from
 * another thread while the callback runs, it waits for the callback to return, then runs
 * the destructor before returning (so do not hold a lock the callback needs). Called from
 * inside the subscription's own callback, the destructor runs as soon as that callback
 * returns. Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (engine is NULL), ITSM_E_NOT_FOUND (no such active
 * subscription, e.g. already ended). */
ITSM_API int itsm_engine_unsubscribe(itsm_engine* engine, uint64_t subscription);

/* ---- Custom stores ------------------------------------------------------------------ */

/* A host keeps tickets in its own database by giving the engine a table of callbacks
 * (docs/storage.md, "Custom stores through the C ABI"). Tickets and events cross as
 * record texts (JSON the library writes and reads; the host stores them as they are). The
 * host answers through an itsm_store_result and reads a commit through itsm_store_commit
 * accessors, so no memory changes hands between allocators.
 *
 * Every callback returns ITSM_OK, or a negative status on failure: ITSM_E_CONFLICT from
 * the commit callback when a ticket's stored version is not the expected one or a new
 * ticket's id or key is taken; any other negative status is a storage failure. The
 * message set with itsm_store_result_set_error() becomes the error message of the engine
 * call (ITSM_E_CONFLICT or ITSM_E_STORAGE). The engine calls the callbacks from the thread
 * that called it, one writer or several readers at a time (readers may run in parallel);
 * a callback must not call the engine. */
typedef struct itsm_store_callbacks itsm_store_callbacks;
typedef struct itsm_store_result itsm_store_result;
typedef struct itsm_store_commit itsm_store_commit;

/* Adds the ticket record with this id to `result`, or nothing when there is none. */
typedef int (*itsm_store_get_fn)(uint64_t id, itsm_store_result* result, void* user_data);
/* Adds the ticket record with this key ("INC0000042"), or nothing. */
typedef int (*itsm_store_get_by_key_fn)(const char* key, itsm_store_result* result,
                                        void* user_data);
/* Adds every ticket record, in any order. Queries and counts are answered from it. */
typedef int (*itsm_store_scan_fn)(itsm_store_result* result, void* user_data);
/* Adds the event records of the ticket, in the order of their seq numbers. */
typedef int (*itsm_store_history_fn)(uint64_t ticket, itsm_store_result* result, void* user_data);
/* Sets *count to the number of tickets. */
typedef int (*itsm_store_size_fn)(uint64_t* count, itsm_store_result* result, void* user_data);
/* Sets *id to a fresh ticket id (greater than every id before) and *number to the next key
 * number of the kind (1, 2, ... per kind). Neither is ever given again, even when the commit
 * that would have used it fails or its batch is taken back. */
typedef int (*itsm_store_allocate_fn)(const char* kind, uint64_t* id, uint64_t* number,
                                      itsm_store_result* result, void* user_data);
/* Applies every ticket write and appends every event of `commit`, or nothing (see
 * itsm_store_commit_ticket and itsm_store_commit_event). */
typedef int (*itsm_store_commit_fn)(itsm_store_commit* commit, itsm_store_result* result,
                                    void* user_data);
/* Adds the meta value stored under `key`, or nothing when there is none. */
typedef int (*itsm_store_meta_get_fn)(const char* key, itsm_store_result* result, void* user_data);
/* Stores `value` under `key` at once, outside any batch (it stays when a batch is taken back). */
typedef int (*itsm_store_meta_set_fn)(const char* key, const char* value, itsm_store_result* result,
                                      void* user_data);
/* Starts a batch: the commits until the end of the batch are one unit. Never nested (the
 * engine checks). A commit that fails inside a batch leaves the batch's earlier commits. */
typedef int (*itsm_store_begin_batch_fn)(itsm_store_result* result, void* user_data);
/* Ends the batch: keeps every commit of it when `keep` is 1, takes every one back when 0.
 * When keeping fails, the host must have taken the batch back. */
typedef int (*itsm_store_end_batch_fn)(int keep, itsm_store_result* result, void* user_data);
/* Releases the host's store (user_data); called once, when the engine closes. */
typedef void (*itsm_store_destroy_fn)(void* user_data);

/* A new, empty callback table for a store whose state is `user_data`; `destroy` (may be
 * NULL) is called with it once the engine that owns the table closes, or when the table is
 * freed or refused. On success *out receives the table, owned by the caller until it is
 * passed to itsm_engine_open_store(); release an unused one with itsm_store_callbacks_free().
 * Thread-safe. Errors: ITSM_E_INVALID_ARGUMENT (out is NULL), ITSM_E_NO_MEMORY; on failure
 * `destroy` is not called. */
ITSM_API int itsm_store_callbacks_new(void* user_data, itsm_store_destroy_fn destroy,
                                      itsm_store_callbacks** out);

/* Frees a table that was not passed to itsm_engine_open_store(), calling its destructor.
 * NULL is a no-op. Does not change the last-error state. */
ITSM_API void itsm_store_callbacks_free(itsm_store_callbacks* callbacks);

/* The setters fill in one callback each; every callback must be set before the table is
 * used. Errors: ITSM_E_INVALID_ARGUMENT (callbacks or fn is NULL). Not thread-safe on one
 * table. */
ITSM_API int itsm_store_callbacks_set_get(itsm_store_callbacks* callbacks, itsm_store_get_fn fn);
ITSM_API int itsm_store_callbacks_set_get_by_key(itsm_store_callbacks* callbacks,
                                                 itsm_store_get_by_key_fn fn);
ITSM_API int itsm_store_callbacks_set_scan(itsm_store_callbacks* callbacks, itsm_store_scan_fn fn);
ITSM_API int itsm_store_callbacks_set_history(itsm_store_callbacks* callbacks,
                                              itsm_store_history_fn fn);
ITSM_API int itsm_store_callbacks_set_size(itsm_store_callbacks* callbacks, itsm_store_size_fn fn);
ITSM_API int itsm_store_callbacks_set_allocate(itsm_store_callbacks* callbacks,
                                               itsm_store_allocate_fn fn);
ITSM_API int itsm_store_callbacks_set_commit(itsm_store_callbacks* callbacks,
                                             itsm_store_commit_fn fn);
ITSM_API int itsm_store_callbacks_set_meta_get(itsm_store_callbacks* callbacks,
                                               itsm_store_meta_get_fn fn);
ITSM_API int itsm_store_callbacks_set_meta_set(itsm_store_callbacks* callbacks,
                                               itsm_store_meta_set_fn fn);
ITSM_API int itsm_store_callbacks_set_begin_batch(itsm_store_callbacks* callbacks,
                                                  itsm_store_begin_batch_fn fn);
ITSM_API int itsm_store_callbacks_set_end_batch(itsm_store_callbacks* callbacks,
                                                itsm_store_end_batch_fn fn);

/* Opens an engine over the host's store and the system clock. The engine takes the table
 * whatever the outcome: on failure it is freed at once (its destructor called), on success
 * when the engine closes. `schema_json` as for itsm_engine_open_memory(). Thread-safe.
 * Errors: ITSM_E_INVALID_ARGUMENT (callbacks or out is NULL, a callback is not set; the
 * message names it), ITSM_E_INVALID_CONFIG, ITSM_E_NO_MEMORY. */
ITSM_API int itsm_engine_open_store(itsm_store_callbacks* callbacks, const char* schema_json,
                                    itsm_engine** out);

/* Inside a callback: adds one text (a record, or a meta value) to the answer. The text is
 * copied. Does not change the last-error state.
 * Errors: ITSM_E_INVALID_ARGUMENT (result or text is NULL), ITSM_E_NO_MEMORY. */
ITSM_API int itsm_store_result_add(itsm_store_result* result, const char* text);

/* Inside a callback that is about to fail: the message the engine call reports. The text
 * is copied. Does not change the last-error state.
 * Errors: ITSM_E_INVALID_ARGUMENT (result or message is NULL), ITSM_E_NO_MEMORY. */
ITSM_API int itsm_store_result_set_error(itsm_store_result* result, const char* message);

/* Inside the commit callback: how many tickets it writes and how many events it appends.
 * Errors: ITSM_E_INVALID_ARGUMENT (a NULL pointer). */
ITSM_API int itsm_store_commit_counts(const itsm_store_commit* commit, uint64_t* tickets,
                                      uint64_t* events);

/* Inside the commit callback: ticket write `index` (0-based). *version is the version of
 * the record written, *expected_version the version the writer read: 0 for a new ticket
 * (refuse with ITSM_E_CONFLICT when its id or key is taken), else the version that must be
 * stored now (refuse with ITSM_E_CONFLICT when it is not, or the ticket is absent). *key and
 * *record (the ticket record that replaces the stored one) are borrowed until the callback
 * returns. Errors: ITSM_E_INVALID_ARGUMENT (a NULL pointer, index out of range). */
ITSM_API int itsm_store_commit_ticket(const itsm_store_commit* commit, uint64_t index, uint64_t* id,
                                      const char** key, uint64_t* version,
                                      uint64_t* expected_version, const char** record);

/* Inside the commit callback: event `index` (0-based), numbered `seq` by the host. Numbers
 * increase strictly with the index and across commits (greater than every seq stored
 * before). *ticket is the event's ticket; *record (borrowed until the callback returns, or
 * the next call for this event) is the event record carrying `seq`, for the host to store and
 * to give back from the history callback. Each event must be numbered before the callback
 * returns ITSM_OK.
 * Errors: ITSM_E_INVALID_ARGUMENT (a NULL pointer, index out of range, seq 0). */
ITSM_API int itsm_store_commit_event(itsm_store_commit* commit, uint64_t index, uint64_t seq,
                                     uint64_t* ticket, const char** record);

#ifdef __cplusplus
}
#endif

#endif /* ITSM_H */

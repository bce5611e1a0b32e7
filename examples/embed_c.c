/* Embedding libitsm from C: open an engine on a manual clock, log an incident and the problem
 * behind it, work on them, link them, query, and print the incident's audit trail.
 * Every record comes back as JSON text owned by the caller and released with itsm_free. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itsm.h"

#define MINUTE INT64_C(60000000)

/* Prints the failure of `what` with the library's message and returns 1; 0 on success. */
static int failed(int rc, const char* what) {
    if (rc == ITSM_OK) return 0;
    fprintf(stderr, "%s failed (%d): %s\n", what, rc, itsm_last_error());
    return 1;
}

/* The unsigned number after "name": in a JSON text, or 0. Enough for this example; a real
 * host would use its JSON library. */
static uint64_t number_of(const char* json, const char* name) {
    char pattern[64];
    const char* at;
    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    at = strstr(json, pattern);
    return at ? strtoull(at + strlen(pattern), NULL, 10) : 0;
}

int main(void) {
    itsm_engine* engine = NULL;
    char* incident = NULL;
    char* problem = NULL;
    char* text = NULL;
    const char* system = NULL;
    uint64_t incident_id, problem_id, version;
    char patch[128];
    int rc;
    int status = EXIT_FAILURE;

    printf("libitsm %s (header %d, library %d)\n", itsm_version_string(), ITSM_VERSION_NUMBER,
           itsm_version_number());
    if (itsm_version_number() != ITSM_VERSION_NUMBER) {
        fprintf(stderr, "itsm.h and the loaded library differ\n");
        return EXIT_FAILURE;
    }

    /* 2026-03-02T08:00:00Z; the clock moves only when told to. NULL: the ITIL schema. */
    if (failed(itsm_engine_open_memory_at("{\"default_segment\":\"it\"}", INT64_C(1772438400000000),
                                          &engine),
               "open"))
        return EXIT_FAILURE;

    /* Access control denies every user until a policy is set. The host sets it acting as
     * the system: the engine's secret system actor, never shown to end users. alice, bob
     * and carol are agents of the IT segment; HR is sealed. */
    if (failed(itsm_engine_system_actor(engine, &system), "system actor")) goto done;
    if (failed(itsm_engine_set_directory_json(
                   engine, system,
                   "{\"users\":[{\"id\":\"alice\"},{\"id\":\"bob\"},{\"id\":\"carol\"}],"
                   "\"groups\":[{\"id\":\"it_desk\",\"members\":[\"alice\",\"bob\",\"carol\"]}]}"),
               "directory"))
        goto done;
    if (failed(itsm_engine_set_access_json(
                   engine, system,
                   "{\"segments\":[{\"id\":\"it\"},{\"id\":\"hr\",\"sealed\":true}],"
                   "\"roles\":[{\"preset\":\"service_desk_agent\"}],"
                   "\"grants\":[{\"group\":\"it_desk\",\"role\":\"service_desk_agent\","
                   "\"segment\":\"it\"}]}"),
               "access"))
        goto done;

    if (failed(itsm_ticket_create(engine, "alice",
                                  "{\"kind\":\"incident\",\"title\":\"VPN drops every hour\","
                                  "\"impact\":2,\"urgency\":1,\"channel\":\"phone\","
                                  "\"tags\":[\"vpn\"]}",
                                  &incident),
               "create incident"))
        goto done;
    incident_id = number_of(incident, "id");
    printf("created incident %" PRIu64 ": %s\n", incident_id, incident);

    if (failed(itsm_ticket_create(engine, "bob",
                                  "{\"kind\":\"problem\",\"title\":\"VPN gateway leaks memory\","
                                  "\"assignment_group\":\"network\"}",
                                  &problem),
               "create problem"))
        goto done;
    problem_id = number_of(problem, "id");
    printf("created problem %" PRIu64 "\n", problem_id);

    /* Ten minutes later, bob takes the incident. The version makes the update safe against
     * a concurrent one: a stale version fails with ITSM_E_CONFLICT. */
    itsm_engine_advance_clock(engine, 10 * MINUTE);
    version = number_of(incident, "version");
    snprintf(patch, sizeof patch, "{\"assignee\":\"bob\",\"version\":%" PRIu64 "}", version);
    if (failed(itsm_ticket_update(engine, "bob", incident_id, patch, &text), "update")) goto done;
    printf("assigned to bob: version %" PRIu64 " -> %" PRIu64 "\n", version,
           number_of(text, "version"));
    itsm_free(text);
    text = NULL;

    rc = itsm_ticket_update(engine, "carol", incident_id, patch, &text);
    if (rc != ITSM_E_CONFLICT) {
        fprintf(stderr, "a stale update returned %d, not ITSM_E_CONFLICT\n", rc);
        goto done;
    }
    printf("a second update made on version %" PRIu64 " was refused: %s\n", version,
           itsm_last_error());

    itsm_engine_advance_clock(engine, 5 * MINUTE);
    if (failed(itsm_ticket_comment(engine, "bob", incident_id,
                                   "Reconnect works for now; looking for the cause.", 0, &text),
               "comment"))
        goto done;
    printf("comment: %s\n", text);
    itsm_free(text);
    text = NULL;
    if (failed(itsm_ticket_comment(engine, "bob", incident_id,
                                   "Gateway memory grows by 2 GB an hour.", 1, &text),
               "work note"))
        goto done;
    printf("work note: %s\n", text);
    itsm_free(text);
    text = NULL;

    if (failed(itsm_ticket_link(engine, "bob", incident_id, "caused_by", problem_id), "link"))
        goto done;
    printf("linked incident %" PRIu64 " caused_by problem %" PRIu64 "\n", incident_id, problem_id);

    if (failed(itsm_ticket_query(engine, "alice",
                                 "{\"kinds\":[\"incident\",\"problem\"],\"sort\":\"priority\","
                                 "\"descending\":false,\"limit\":10}",
                                 &text),
               "query"))
        goto done;
    printf("work queue (highest priority first): %s\n", text);
    itsm_free(text);
    text = NULL;

    if (failed(itsm_ticket_history(engine, "alice", incident_id, &text), "history")) goto done;
    printf("history of incident %" PRIu64 ": %s\n", incident_id, text);

    status = EXIT_SUCCESS;
done:
    itsm_free(text);
    itsm_free(problem);
    itsm_free(incident);
    itsm_engine_close(engine);
    return status;
}

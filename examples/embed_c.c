/* Embedding libitsm from C: open an engine on a manual clock, log an incident and the problem
 * behind it, work on them, link them, query, and print the incident's audit trail. Then the
 * SLA side: the incident's clocks after a pause and the resolution, an unattended ticket that
 * warns and breaches as the clock moves on, and the week's metrics with the scorecard.
 * Every record comes back as JSON text owned by the caller and released with itsm_free. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itsm.h"

#define MINUTE INT64_C(60000000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define MONDAY_0800 INT64_C(1772438400000000) /* 2026-03-02T08:00:00Z */

/* The office works Monday to Friday, 09:00-17:00 UTC: SLA targets count these hours only. */
#define OFFICE                                                            \
    "{\"time_zone\":\"UTC\",\"weekly\":{\"mon\":[[\"09:00\",\"17:00\"]]," \
    "\"tue\":[[\"09:00\",\"17:00\"]],\"wed\":[[\"09:00\",\"17:00\"]],"    \
    "\"thu\":[[\"09:00\",\"17:00\"]],\"fri\":[[\"09:00\",\"17:00\"]]}}"

/* One SLA for incidents: a response (first assignment or public reply) and a resolution target
 * per priority, in business time; waiting for the caller does not count. */
#define SLA_POLICIES                                                                              \
    "{\"sla_policies\":{\"incidents\":{\"name\":\"Incident SLA\",\"calendar\":\"office\","        \
    "\"applies_when\":{\"kinds\":[\"incident\"]},\"pause_on\":[\"on_hold:awaiting_caller\"],"     \
    "\"metrics\":{\"response\":{\"targets\":{\"1\":\"PT15M\",\"2\":\"PT30M\",\"3\":\"PT1H\","     \
    "\"4\":\"PT2H\",\"5\":\"PT4H\"}},\"resolution\":{\"targets\":{\"1\":\"PT4H\",\"2\":\"PT8H\"," \
    "\"3\":\"PT12H\",\"4\":\"PT16H\",\"5\":\"PT40H\"}}}}}}"

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

/* Prints `label` and the value of the member `name` of a JSON object (the first occurrence):
 * a number, a string, or an object or array up to its matching bracket. Enough for this
 * example, whose texts have no brackets inside strings; a real host would use its JSON
 * library. */
static void print_member(const char* label, const char* json, const char* name) {
    char pattern[64];
    const char *at, *end;
    int depth = 0;
    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    at = strstr(json, pattern);
    if (!at) return;
    at += strlen(pattern);
    for (end = at; *end; ++end) {
        if (*end == '{' || *end == '[') ++depth;
        if (*end == '}' || *end == ']') {
            if (depth == 0) break;
            if (--depth == 0) {
                ++end;
                break;
            }
        }
        if (*end == ',' && depth == 0) break;
    }
    printf("%s%.*s\n", label, (int)(end - at), at);
}

/* Prints the ticket's SLA clocks as the engine evaluates them now. */
static int show_sla(itsm_engine* engine, const char* actor, uint64_t id) {
    char* text = NULL;
    if (failed(itsm_ticket_sla(engine, actor, id, &text), "sla")) return 1;
    printf("SLA clocks of ticket %" PRIu64 ": %s\n", id, text);
    itsm_free(text);
    return 0;
}

/* Runs the transition with its input (may be NULL) and releases the ticket it returns. */
static int transition(itsm_engine* engine, const char* actor, uint64_t id, const char* name,
                      const char* input) {
    char* text = NULL;
    int rc = itsm_ticket_transition(engine, actor, id, name, input, &text);
    itsm_free(text);
    return failed(rc, name);
}

/* The SLA side of the desk. The incident goes on hold awaiting its caller (its clocks pause),
 * the caller's answer resumes it, and bob resolves it: its clocks stop. A printer ticket
 * nobody works warns on Tuesday and is breached by Sunday. Then sam reads the week's metrics. */
static int sla_and_metrics(itsm_engine* engine, uint64_t incident_id) {
    char* text = NULL;
    uint64_t printer_id, ran = 0;

    if (transition(engine, "bob", incident_id, "hold",
                   "{\"fields\":{\"hold_reason\":\"awaiting_caller\"},"
                   "\"comment\":\"Which VPN client version do you run?\"}"))
        return 1;
    itsm_engine_advance_clock(engine, 2 * HOUR);
    /* alice, the requester, answers: the workflow resumes the incident by itself. */
    if (failed(itsm_ticket_comment(engine, "alice", incident_id, "Version 5.2.", 0, &text),
               "reply"))
        return 1;
    itsm_free(text);
    text = NULL;
    itsm_engine_advance_clock(engine, 30 * MINUTE);
    if (transition(engine, "bob", incident_id, "resolve",
                   "{\"fields\":{\"resolution_code\":\"solved_remotely\","
                   "\"resolution_notes\":\"Client updated to 5.3\"}}"))
        return 1;
    /* Stopped: "state" is met or breached; "paused" counts the two hours on hold. */
    if (show_sla(engine, "bob", incident_id)) return 1;

    if (failed(itsm_ticket_create(engine, "carol",
                                  "{\"kind\":\"incident\",\"title\":\"Printer on floor 3 jams\","
                                  "\"impact\":2,\"urgency\":2}",
                                  &text),
               "create printer ticket"))
        return 1;
    printer_id = number_of(text, "id");
    itsm_free(text);
    text = NULL;

    /* The host calls itsm_engine_advance from its scheduler; it emits the warnings and
     * breaches due by then, each once. */
    itsm_engine_set_time(engine, MONDAY_0800 + DAY + 6 * HOUR); /* Tuesday 14:00 */
    if (failed(itsm_engine_advance(engine, MONDAY_0800 + DAY + 6 * HOUR, &ran), "advance"))
        return 1;
    printf("Tuesday 14:00: %" PRIu64 " alarms ran\n", ran);
    if (show_sla(engine, "carol", printer_id)) return 1;
    itsm_engine_set_time(engine, MONDAY_0800 + 6 * DAY); /* Sunday */
    if (failed(itsm_engine_advance(engine, MONDAY_0800 + 6 * DAY, &ran), "advance")) return 1;
    printf("Sunday: %" PRIu64 " alarms ran\n", ran);
    if (show_sla(engine, "carol", printer_id)) return 1;

    /* The week in figures; with the office calendar, MTTR comes in business time too.
     * Compliance counts the clocks that stopped in the week (met or breached); the printer's
     * breached clocks still run. */
    if (failed(itsm_metrics(engine, "sam",
                            "{\"from\":\"2026-03-02T00:00:00Z\",\"to\":\"2026-03-09T00:00:00Z\","
                            "\"kinds\":[\"incident\"],\"calendar\":" OFFICE "}",
                            &text),
               "metrics"))
        return 1;
    print_member("MTTR: ", text, "mttr");
    print_member("SLA compliance: ", text, "sla");
    print_member("scorecard: ", text, "scorecard");
    itsm_free(text);
    return 0;
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
    if (failed(itsm_engine_open_memory_at("{\"default_segment\":\"it\"}", MONDAY_0800, &engine),
               "open"))
        return EXIT_FAILURE;

    /* Access control denies every user until a policy is set. The host sets it acting as
     * the system: the engine's secret system actor, never shown to end users. alice, bob
     * and carol are agents of the IT segment; HR is sealed. sam, the service level manager,
     * sets the business calendar and the SLA policy and reads the metrics. */
    if (failed(itsm_engine_system_actor(engine, &system), "system actor")) goto done;
    if (failed(itsm_engine_set_directory_json(
                   engine, system,
                   "{\"users\":[{\"id\":\"alice\"},{\"id\":\"bob\"},{\"id\":\"carol\"},{\"id\":"
                   "\"sam\"}],"
                   "\"groups\":[{\"id\":\"it_desk\",\"members\":[\"alice\",\"bob\",\"carol\"]}]}"),
               "directory"))
        goto done;
    if (failed(itsm_engine_set_access_json(
                   engine, system,
                   "{\"segments\":[{\"id\":\"it\"},{\"id\":\"hr\",\"sealed\":true}],"
                   "\"roles\":[{\"preset\":\"service_desk_agent\"},"
                   "{\"preset\":\"service_level_manager\"}],"
                   "\"grants\":[{\"group\":\"it_desk\",\"role\":\"service_desk_agent\","
                   "\"segment\":\"it\"},"
                   "{\"user\":\"sam\",\"role\":\"service_level_manager\",\"segment\":\"*\"}]}"),
               "access"))
        goto done;
    /* The ITIL workflows give incidents their states (on hold, resolved, ...); sam's role
     * holds manage.calendars and manage.sla. Clocks start on tickets created from now on. */
    if (failed(itsm_engine_load_itil_workflows(engine, system), "workflows")) goto done;
    if (failed(itsm_engine_set_calendars_json(engine, "sam",
                                              "{\"calendars\":{\"office\":" OFFICE "}}"),
               "calendars"))
        goto done;
    if (failed(itsm_engine_set_sla_policies_json(engine, "sam", SLA_POLICIES), "SLA policies"))
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

    if (sla_and_metrics(engine, incident_id)) goto done;

    status = EXIT_SUCCESS;
done:
    itsm_free(text);
    itsm_free(problem);
    itsm_free(incident);
    itsm_engine_close(engine);
    return status;
}

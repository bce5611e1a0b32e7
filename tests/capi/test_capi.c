/* Tests of the C ABI, written in plain C against itsm.h alone. Assertions look into the JSON
 * text with strstr: the library prints compact JSON with its members sorted by name. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__unix__)
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#define HAVE_PTHREADS 1
#define HAVE_POSIX 1 /* mkdtemp */
#endif

#include "c_store.h"
#include "itsm.h"

/* ---- Harness -------------------------------------------------------------------------- */

static int passed;
static int failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            ++passed;                                                                \
        } else {                                                                     \
            ++failed;                                                                \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

/* Checks a status and prints the last error when it is not the expected one. */
#define CHECK_RC(call, want)                                                                 \
    do {                                                                                     \
        int rc_ = (call);                                                                    \
        if (rc_ == (want)) {                                                                 \
            ++passed;                                                                        \
        } else {                                                                             \
            ++failed;                                                                        \
            fprintf(stderr, "%s:%d: %s returned %d, expected %d (%s)\n", __FILE__, __LINE__, \
                    #call, rc_, (want), itsm_last_error());                                  \
        }                                                                                    \
    } while (0)

/* True when `text` is not NULL and contains `part`. */
static int has(const char* text, const char* part) {
    return text != NULL && strstr(text, part) != NULL;
}

/* The unsigned number after the first "name": in `json`, or 0 when absent. */
static uint64_t number_of(const char* json, const char* name) {
    char pattern[64];
    const char* at;
    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    at = json ? strstr(json, pattern) : NULL;
    return at ? strtoull(at + strlen(pattern), NULL, 10) : 0;
}

/* Copies the string member "name":"..." of `json` into `buf` (no escapes expected);
 * returns 0 when the member is absent or not a string. */
static int string_of(const char* json, const char* name, char* buf, size_t size) {
    char pattern[64];
    const char* at;
    const char* end;
    snprintf(pattern, sizeof pattern, "\"%s\":\"", name);
    at = json ? strstr(json, pattern) : NULL;
    if (!at) return 0;
    at += strlen(pattern);
    end = strchr(at, '"');
    if (!end || (size_t)(end - at) >= size) return 0;
    memcpy(buf, at, (size_t)(end - at));
    buf[end - at] = '\0';
    return 1;
}

/* Occurrences of `part` in `text`. */
static int count_of(const char* text, const char* part) {
    int n = 0;
    while (text && (text = strstr(text, part)) != NULL) {
        ++n;
        text += strlen(part);
    }
    return n;
}

/* 2026-03-02T08:00:00Z */
#define T0 INT64_C(1772438400000000)
#define SECOND INT64_C(1000000)

/* Makes alice, bob, carol and worker administrators on the root segment, acting as the
 * engine's system actor (an engine denies everything to users until a policy is set). */
static void admit(itsm_engine* e) {
    const char* system = NULL;
    if (!e) return;
    CHECK_RC(itsm_engine_system_actor(e, &system), ITSM_OK);
    CHECK_RC(itsm_engine_set_directory_json(
                 e, system,
                 "{\"users\":[{\"id\":\"alice\"},{\"id\":\"bob\"},{\"id\":\"carol\"},"
                 "{\"id\":\"worker\"}],\"groups\":[{\"id\":\"admins\",\"members\":"
                 "[\"alice\",\"bob\",\"carol\",\"worker\"]}]}"),
             ITSM_OK);
    CHECK_RC(itsm_engine_set_access_json(
                 e, system,
                 "{\"segments\":[{\"id\":\"global\"}],\"roles\":[{\"preset\":"
                 "\"administrator\"}],\"grants\":[{\"group\":\"admins\",\"role\":"
                 "\"administrator\",\"segment\":\"*\"}]}"),
             ITSM_OK);
}

/* Creates a ticket and returns its id (0 on failure). */
static uint64_t create(itsm_engine* e, const char* json) {
    char* out = NULL;
    uint64_t id = 0;
    CHECK_RC(itsm_ticket_create(e, "alice", json, &out), ITSM_OK);
    id = number_of(out, "id");
    itsm_free(out);
    return id;
}

/* The number of tickets a query for everything reports. */
static uint64_t total_tickets(itsm_engine* e) {
    char* page = NULL;
    uint64_t total;
    CHECK_RC(itsm_ticket_query(e, "alice", "{}", &page), ITSM_OK);
    total = number_of(page, "total");
    itsm_free(page);
    return total;
}

/* ---- Tests ---------------------------------------------------------------------------- */

static void test_version(void) {
    char expected[32];
    CHECK(ITSM_VERSION_NUMBER == 100);
    CHECK(itsm_version_number() == ITSM_VERSION_NUMBER);
    snprintf(expected, sizeof expected, "%d.%d.%d", ITSM_VERSION_MAJOR, ITSM_VERSION_MINOR,
             ITSM_VERSION_PATCH);
    CHECK(strcmp(itsm_version_string(), expected) == 0);
}

static void test_open_close(void) {
    itsm_engine* e = NULL;
    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    admit(e);
    CHECK(e != NULL);
    CHECK(itsm_last_error_code() == ITSM_OK);
    CHECK(strcmp(itsm_last_error(), "") == 0);
    itsm_engine_close(e);
    itsm_engine_close(NULL);
    itsm_free(NULL);

    /* A custom schema: the ITIL kinds plus an integer field. */
    e = NULL;
    CHECK_RC(itsm_engine_open_memory(
                 "{\"custom_fields\":[{\"name\":\"cost\",\"type\":\"integer\"}]}", &e),
             ITSM_OK);
    admit(e);
    if (e) {
        char* out = NULL;
        CHECK_RC(
            itsm_ticket_create(
                e, "alice", "{\"kind\":\"change\",\"title\":\"x\",\"custom\":{\"cost\":42}}", &out),
            ITSM_OK);
        CHECK(has(out, "\"custom\":{\"cost\":42}"));
        CHECK(has(out, "\"key\":\"CHG0000001\""));
        itsm_free(out);
        itsm_engine_close(e);
    }

    /* A refused schema: no handle, and a message with the JSON path. */
    e = (itsm_engine*)&e; /* any non-NULL value: it must be reset */
    CHECK_RC(itsm_engine_open_memory("{\"base\":\"none\",\"kinds\":[{\"id\":\"Bad Id\"}]}", &e),
             ITSM_E_INVALID_CONFIG);
    CHECK(e == NULL);
    CHECK(itsm_last_error_code() == ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "kinds"));
    CHECK_RC(itsm_engine_open_memory("{not json", &e), ITSM_E_INVALID_CONFIG);
    CHECK(e == NULL);
}

/* A durable engine: a ticket created before closing is there after reopening the file. */
static void test_open_sqlite(void) {
#ifdef HAVE_POSIX
    char dir[] = "/tmp/itsm-capi-XXXXXX";
    char uri[160], path[64], side[160];
    itsm_engine* e = NULL;
    char* out = NULL;
    uint64_t id = 0;
    const char* suffixes[] = {"", "-wal", "-shm"};
    size_t i;
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    snprintf(path, sizeof path, "%s/desk.db", dir);
    snprintf(uri, sizeof uri, "sqlite://%s", path);
    CHECK_RC(itsm_engine_open(uri, NULL, &e), ITSM_OK);
    admit(e);
    if (e) {
        /* The configuration version goes with every commit into the file. */
        CHECK_RC(itsm_engine_set_config_version(e, "desk-7"), ITSM_OK);
        CHECK_RC(itsm_engine_set_config_version(e, "bad\tversion"), ITSM_E_INVALID_ARGUMENT);
        CHECK(has(itsm_last_error(), "config_version"));
        CHECK_RC(itsm_engine_set_config_version(e, NULL), ITSM_E_INVALID_ARGUMENT);
        CHECK_RC(itsm_engine_config_version(e, NULL), ITSM_E_INVALID_ARGUMENT);
        id = create(e, "{\"kind\":\"incident\",\"title\":\"kept\"}");
        itsm_engine_close(e);
    }
    e = NULL;
    CHECK_RC(itsm_engine_set_config_version(NULL, "x"), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_open(path, NULL, &e), ITSM_OK);
    admit(e);
    if (e) {
        CHECK_RC(itsm_ticket_get(e, "alice", id, &out), ITSM_OK);
        CHECK(has(out, "\"title\":\"kept\""));
        itsm_free(out);
        /* Reopened, the engine reports the version the data was written under. */
        CHECK_RC(itsm_engine_config_version(e, &out), ITSM_OK);
        CHECK(out && strcmp(out, "desk-7") == 0);
        itsm_free(out);
        itsm_engine_close(e);
    }
    CHECK_RC(itsm_engine_open("memory:", NULL, &e), ITSM_OK);
    itsm_engine_close(e);
    e = (itsm_engine*)&e;
    CHECK_RC(itsm_engine_open("ftp://x", NULL, &e), ITSM_E_INVALID_ARGUMENT);
    CHECK(e == NULL);
    CHECK_RC(itsm_engine_open(NULL, NULL, &e), ITSM_E_INVALID_ARGUMENT);
    snprintf(side, sizeof side, "%s/missing/dir/x.db", dir);
    CHECK_RC(itsm_engine_open(side, NULL, &e), ITSM_E_STORAGE);
    CHECK(has(itsm_last_error(), "unable to open"));
    for (i = 0; i < 3; ++i) {
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        remove(side);
    }
    CHECK(remove(dir) == 0);
#endif
}

/* Two engines on one PostgreSQL database (the server scripts/test starts): each reads the
 * other's commits, and a stale edit is a conflict. Skipped when ITSM_TEST_PG_URI is unset. */
static void test_open_postgresql(void) {
    const char* server = getenv("ITSM_TEST_PG_URI");
    char uri[512];
    itsm_engine* a = NULL;
    itsm_engine* b = NULL;
    char* out = NULL;
    uint64_t id = 0;
    if (!server || !*server) {
        printf("skipped: ITSM_TEST_PG_URI is not set (scripts/test starts a server and sets it)\n");
        return;
    }
    snprintf(uri, sizeof uri, "%s%sschema=capi%ld", server, strchr(server, '?') ? "&" : "?",
             (long)time(NULL));
    CHECK_RC(itsm_engine_open(uri, NULL, &a), ITSM_OK);
    CHECK_RC(itsm_engine_open(uri, NULL, &b), ITSM_OK);
    admit(a);
    admit(b);
    if (a && b) {
        id = create(a, "{\"kind\":\"incident\",\"title\":\"shared\"}");
        CHECK_RC(itsm_ticket_get(b, "alice", id, &out), ITSM_OK);
        CHECK(has(out, "\"title\":\"shared\""));
        itsm_free(out);
        CHECK_RC(itsm_ticket_update(b, "alice", id, "{\"title\":\"by b\",\"version\":1}", &out),
                 ITSM_OK);
        itsm_free(out);
        out = NULL;
        CHECK_RC(itsm_ticket_update(a, "alice", id, "{\"title\":\"stale\",\"version\":1}", &out),
                 ITSM_E_CONFLICT);
        CHECK(out == NULL);
        CHECK_RC(itsm_ticket_get(a, "alice", id, &out), ITSM_OK);
        CHECK(has(out, "\"title\":\"by b\""));
        itsm_free(out);
    }
    itsm_engine_close(a);
    itsm_engine_close(b);
    CHECK_RC(itsm_engine_open("postgresql://itsm@127.0.0.1:1/none?connect_timeout=2", NULL, &a),
             ITSM_E_STORAGE);
    CHECK(a == NULL);
}

static void test_create_get_update(void) {
    itsm_engine* e = NULL;
    char* t = NULL;
    char* again = NULL;
    char key[32] = "";
    uint64_t id;

    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    admit(e);
    if (!e) return;

    CHECK_RC(itsm_ticket_create(e, "alice",
                                "{\"kind\":\"incident\",\"title\":\"Mail is down\","
                                "\"impact\":1,\"urgency\":2,\"tags\":[\"Email\"]}",
                                &t),
             ITSM_OK);
    id = number_of(t, "id");
    CHECK(id != 0);
    CHECK(has(t, "\"key\":\"INC0000001\""));
    CHECK(has(t, "\"kind\":\"incident\""));
    CHECK(has(t, "\"state\":\"new\""));
    CHECK(has(t, "\"priority\":2"));
    CHECK(has(t, "\"requester\":\"alice\""));
    CHECK(has(t, "\"tags\":[\"email\"]"));
    CHECK(number_of(t, "version") == 1);
    CHECK(string_of(t, "key", key, sizeof key));

    /* get and get_by_key return the same text */
    CHECK_RC(itsm_ticket_get(e, "bob", id, &again), ITSM_OK);
    CHECK(again && t && strcmp(again, t) == 0);
    itsm_free(again);
    CHECK_RC(itsm_ticket_get_by_key(e, "bob", key, &again), ITSM_OK);
    CHECK(again && t && strcmp(again, t) == 0);
    itsm_free(again);
    itsm_free(t);

    /* absent tickets */
    again = (char*)key;
    CHECK_RC(itsm_ticket_get(e, "bob", 999, &again), ITSM_E_NOT_FOUND);
    CHECK(again == NULL);
    CHECK_RC(itsm_ticket_get_by_key(e, "bob", "INC0000999", &again), ITSM_E_NOT_FOUND);
    CHECK(has(itsm_last_error(), "INC0000999"));

    /* an update with the current version */
    CHECK_RC(itsm_ticket_update(e, "bob", id,
                                "{\"title\":\"Mail is down for sales\",\"assignee\":\"bob\","
                                "\"version\":1}",
                                &t),
             ITSM_OK);
    CHECK(number_of(t, "version") == 2);
    CHECK(has(t, "\"title\":\"Mail is down for sales\""));
    CHECK(has(t, "\"assignee\":\"bob\""));
    itsm_free(t);

    /* a stale version is a conflict and changes nothing */
    t = (char*)key;
    CHECK_RC(itsm_ticket_update(e, "carol", id, "{\"title\":\"Lost update\",\"version\":1}", &t),
             ITSM_E_CONFLICT);
    CHECK(t == NULL);
    CHECK(itsm_last_error_code() == ITSM_E_CONFLICT);
    CHECK(has(itsm_last_error(), "version"));
    CHECK_RC(itsm_ticket_get(e, "carol", id, &t), ITSM_OK);
    CHECK(number_of(t, "version") == 2);
    CHECK(has(t, "\"title\":\"Mail is down for sales\""));
    itsm_free(t);

    /* a patch that changes nothing writes nothing */
    CHECK_RC(itsm_ticket_update(e, "bob", id, "{\"assignee\":\"bob\"}", &t), ITSM_OK);
    CHECK(number_of(t, "version") == 2);
    itsm_free(t);

    /* malformed patches */
    CHECK_RC(itsm_ticket_update(e, "bob", id, "{\"titel\":\"x\"}", &t), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "titel"));
    CHECK_RC(itsm_ticket_update(e, "bob", id, "{\"impact\":\"high\"}", &t),
             ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "impact"));
    CHECK_RC(itsm_ticket_update(e, "bob", id, "{\"impact\":7}", &t), ITSM_E_VALIDATION_FAILED);
    CHECK(has(itsm_last_error(), "impact"));
    CHECK_RC(itsm_ticket_update(e, "bob", 999, "{\"title\":\"x\"}", &t), ITSM_E_NOT_FOUND);
    CHECK(t == NULL);

    /* a success clears the previous error */
    CHECK_RC(itsm_ticket_get(e, "bob", id, &t), ITSM_OK);
    CHECK(itsm_last_error_code() == ITSM_OK);
    CHECK(strcmp(itsm_last_error(), "") == 0);
    CHECK(number_of(t, "version") == 2);
    itsm_free(t);

    itsm_engine_close(e);
}

static void test_create_refusals(void) {
    itsm_engine* e = NULL;
    char* t = NULL;

    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    admit(e);
    if (!e) return;

    t = (char*)&t;
    CHECK_RC(itsm_ticket_create(e, "alice", "{\"kind\":\"incident\",\"title\":\"  \"}", &t),
             ITSM_E_VALIDATION_FAILED);
    CHECK(t == NULL);
    CHECK(itsm_last_error_code() == ITSM_E_VALIDATION_FAILED);
    CHECK(has(itsm_last_error(), "title"));

    CHECK_RC(itsm_ticket_create(e, "alice", "{\"kind\":\"spaceship\",\"title\":\"x\"}", &t),
             ITSM_E_VALIDATION_FAILED);
    CHECK(has(itsm_last_error(), "kind"));
    CHECK(has(itsm_last_error(), "spaceship"));

    CHECK_RC(itsm_ticket_create(e, "alice", "{\"kind\":\"incident\",\"title\":", &t),
             ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "JSON"));
    CHECK_RC(itsm_ticket_create(e, "alice", "[1,2]", &t), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(
        itsm_ticket_create(e, "alice", "{\"kind\":\"incident\",\"title\":\"x\",\"color\":1}", &t),
        ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "color"));
    CHECK_RC(itsm_ticket_create(e, "alice", "{\"title\":\"x\"}", &t), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "kind"));
    CHECK_RC(
        itsm_ticket_create(e, "alice", "{\"kind\":\"incident\",\"title\":\"x\",\"urgency\":0}", &t),
        ITSM_E_VALIDATION_FAILED);
    CHECK(has(itsm_last_error(), "urgency"));
    CHECK_RC(itsm_ticket_create(e, "", "{\"kind\":\"incident\",\"title\":\"x\"}", &t),
             ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "actor"));
    CHECK(t == NULL);

    /* none of the refusals left a ticket behind */
    CHECK(total_tickets(e) == 0);
    itsm_engine_close(e);
}

static void test_comments(void) {
    itsm_engine* e = NULL;
    char* c = NULL;
    char* list = NULL;
    uint64_t id;
    const char* reply;
    const char* note;

    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    id = create(e, "{\"kind\":\"service_request\",\"title\":\"New laptop\"}");

    CHECK_RC(itsm_ticket_comment(e, "bob", id, "Which model do you need?", 0, &c), ITSM_OK);
    CHECK(has(c, "\"visibility\":\"public\""));
    CHECK(has(c, "\"author\":\"bob\""));
    CHECK(has(c, "\"text\":\"Which model do you need?\""));
    CHECK(number_of(c, "seq") != 0);
    itsm_free(c);

    CHECK_RC(itsm_ticket_comment(e, "bob", id, "Budget approved by \"finance\"", 1, &c), ITSM_OK);
    CHECK(has(c, "\"visibility\":\"work_note\""));
    CHECK(has(c, "\\\"finance\\\"")); /* quotes are escaped */
    itsm_free(c);

    c = (char*)&c;
    CHECK_RC(itsm_ticket_comment(e, "bob", id, " \n ", 0, &c), ITSM_E_VALIDATION_FAILED);
    CHECK(c == NULL);
    CHECK(has(itsm_last_error(), "text"));
    CHECK_RC(itsm_ticket_comment(e, "bob", 999, "hello", 0, &c), ITSM_E_NOT_FOUND);

    CHECK_RC(itsm_ticket_comments(e, "alice", id, &list), ITSM_OK);
    CHECK(list && list[0] == '[' && list[strlen(list) - 1] == ']');
    CHECK(count_of(list, "\"visibility\"") == 2);
    reply = strstr(list ? list : "", "Which model");
    note = strstr(list ? list : "", "Budget approved");
    CHECK(reply && note && reply < note);
    itsm_free(list);

    /* a ticket without comments gives an empty array */
    id = create(e, "{\"kind\":\"incident\",\"title\":\"Quiet\"}");
    CHECK_RC(itsm_ticket_comments(e, "alice", id, &list), ITSM_OK);
    CHECK(list && strcmp(list, "[]") == 0);
    itsm_free(list);
    CHECK_RC(itsm_ticket_comments(e, "alice", 999, &list), ITSM_E_NOT_FOUND);
    CHECK(list == NULL);

    itsm_engine_close(e);
}

static void test_links(void) {
    itsm_engine* e = NULL;
    char* t = NULL;
    char expect[64];
    uint64_t parent, child, grandchild, problem, incident;

    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    parent = create(e, "{\"kind\":\"incident\",\"title\":\"Site down\"}");
    child = create(e, "{\"kind\":\"incident\",\"title\":\"Shop down\"}");
    grandchild = create(e, "{\"kind\":\"task\",\"title\":\"Restart the shop\"}");
    problem = create(e, "{\"kind\":\"problem\",\"title\":\"Disk fills up\"}");
    incident = create(e, "{\"kind\":\"incident\",\"title\":\"Disk full\"}");

    CHECK_RC(itsm_ticket_link(e, "bob", child, "child_of", parent), ITSM_OK);
    CHECK_RC(itsm_ticket_link(e, "bob", grandchild, "child_of", child), ITSM_OK);

    CHECK_RC(itsm_ticket_get(e, "bob", child, &t), ITSM_OK);
    snprintf(expect, sizeof expect, "{\"ticket\":%" PRIu64 ",\"type\":\"child_of\"}", parent);
    CHECK(has(t, expect));
    snprintf(expect, sizeof expect, "{\"ticket\":%" PRIu64 ",\"type\":\"parent_of\"}", grandchild);
    CHECK(has(t, expect));
    itsm_free(t);
    CHECK_RC(itsm_ticket_get(e, "bob", parent, &t), ITSM_OK);
    snprintf(expect, sizeof expect, "{\"ticket\":%" PRIu64 ",\"type\":\"parent_of\"}", child);
    CHECK(has(t, expect));
    CHECK(number_of(t, "version") == 2);
    itsm_free(t);

    /* cycles, second parents, duplicates and self links are refused; nothing changes */
    CHECK_RC(itsm_ticket_link(e, "bob", parent, "child_of", child), ITSM_E_VALIDATION_FAILED);
    CHECK(has(itsm_last_error(), "cycle"));
    CHECK_RC(itsm_ticket_link(e, "bob", parent, "child_of", grandchild), ITSM_E_VALIDATION_FAILED);
    CHECK_RC(itsm_ticket_link(e, "bob", grandchild, "parent_of", parent), ITSM_E_VALIDATION_FAILED);
    CHECK_RC(itsm_ticket_link(e, "bob", child, "child_of", problem), ITSM_E_VALIDATION_FAILED);
    CHECK_RC(itsm_ticket_link(e, "bob", child, "child_of", parent), ITSM_E_CONFLICT);
    CHECK_RC(itsm_ticket_link(e, "bob", parent, "related", parent), ITSM_E_VALIDATION_FAILED);
    CHECK_RC(itsm_ticket_get(e, "bob", parent, &t), ITSM_OK);
    CHECK(number_of(t, "version") == 2);
    CHECK(count_of(t, "\"type\"") == 1);
    itsm_free(t);

    /* missing tickets and unknown link types */
    CHECK_RC(itsm_ticket_link(e, "bob", child, "related", 999), ITSM_E_NOT_FOUND);
    CHECK(has(itsm_last_error(), "999"));
    CHECK_RC(itsm_ticket_link(e, "bob", 999, "related", child), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_ticket_link(e, "bob", child, "sibling_of", parent), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "link_type"));
    CHECK(has(itsm_last_error(), "sibling_of"));

    /* caused_by needs an incident and a problem */
    CHECK_RC(itsm_ticket_link(e, "bob", incident, "caused_by", problem), ITSM_OK);
    CHECK_RC(itsm_ticket_link(e, "bob", problem, "caused_by", incident), ITSM_E_VALIDATION_FAILED);
    CHECK_RC(itsm_ticket_get(e, "bob", problem, &t), ITSM_OK);
    snprintf(expect, sizeof expect, "{\"ticket\":%" PRIu64 ",\"type\":\"causes\"}", incident);
    CHECK(has(t, expect));
    itsm_free(t);

    /* unlink, by either spelling */
    CHECK_RC(itsm_ticket_unlink(e, "bob", parent, "parent_of", child), ITSM_OK);
    CHECK_RC(itsm_ticket_unlink(e, "bob", parent, "parent_of", child), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_ticket_get(e, "bob", parent, &t), ITSM_OK);
    CHECK(has(t, "\"links\":[]"));
    itsm_free(t);
    CHECK_RC(itsm_ticket_get(e, "bob", child, &t), ITSM_OK);
    CHECK(!has(t, "\"child_of\""));
    itsm_free(t);
    /* now that the chain is broken, the former parent may become a child */
    CHECK_RC(itsm_ticket_link(e, "bob", parent, "child_of", grandchild), ITSM_OK);

    itsm_engine_close(e);
}

static void test_query_paging(void) {
    itsm_engine* e = NULL;
    char* page = NULL;
    char query[256];
    char cursor[128];
    int seen[8] = {0};
    int pages = 0;
    int i;
    uint64_t ids[8];

    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    for (i = 0; i < 8; ++i) {
        char json[128];
        /* seven incidents tagged "batch", one problem that the filter leaves out */
        snprintf(json, sizeof json,
                 "{\"kind\":\"%s\",\"title\":\"Ticket %d\",\"tags\":[\"batch\"]}",
                 i == 3 ? "problem" : "incident", i);
        ids[i] = create(e, json);
        itsm_engine_advance_clock(e, SECOND);
    }
    create(e, "{\"kind\":\"incident\",\"title\":\"Untagged\"}");

    snprintf(query, sizeof query, "%s",
             "{\"kinds\":[\"incident\"],\"tags\":[\"batch\"],\"sort\":\"created\","
             "\"descending\":false,\"limit\":3}");
    for (;;) {
        int on_page = 0;
        const char* at;
        if (++pages > 5) break; /* the cursor would loop */
        CHECK_RC(itsm_ticket_query(e, "alice", query, &page), ITSM_OK);
        if (!page) break;
        CHECK(number_of(page, "total") == 7);
        for (at = strstr(page, "\"id\":"); at; at = strstr(at + 1, "\"id\":")) {
            uint64_t id = strtoull(at + 5, NULL, 10);
            int k;
            ++on_page;
            for (k = 0; k < 8; ++k)
                if (ids[k] == id) ++seen[k];
        }
        CHECK(on_page == (pages < 3 ? 3 : 1));
        if (!string_of(page, "next_cursor", cursor, sizeof cursor)) {
            CHECK(has(page, "\"next_cursor\":null"));
            itsm_free(page);
            break;
        }
        snprintf(query, sizeof query,
                 "{\"kinds\":[\"incident\"],\"tags\":[\"batch\"],\"sort\":\"created\","
                 "\"descending\":false,\"limit\":3,\"cursor\":\"%s\"}",
                 cursor);
        itsm_free(page);
    }
    CHECK(pages == 3);
    for (i = 0; i < 8; ++i)
        CHECK(seen[i] == (i == 3 ? 0 : 1));

    /* the first page lists the oldest first */
    CHECK_RC(itsm_ticket_query(e, "alice",
                               "{\"kinds\":[\"incident\"],\"sort\":\"created\","
                               "\"descending\":false,\"limit\":1}",
                               &page),
             ITSM_OK);
    CHECK(has(page, "\"title\":\"Ticket 0\""));
    CHECK(number_of(page, "total") == 8);
    itsm_free(page);

    /* malformed queries */
    page = (char*)&page;
    CHECK_RC(itsm_ticket_query(e, "alice", "{\"limit\":0}", &page), ITSM_E_INVALID_ARGUMENT);
    CHECK(page == NULL);
    CHECK(has(itsm_last_error(), "limit"));
    CHECK_RC(itsm_ticket_query(e, "alice", "{\"cursor\":\"nonsense\"}", &page),
             ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "cursor"));
    CHECK_RC(itsm_ticket_query(e, "alice", "{\"sort\":\"colour\"}", &page),
             ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_query(e, "alice", "{\"kinds\":", &page), ITSM_E_INVALID_ARGUMENT);

    itsm_engine_close(e);
}

static void test_history(void) {
    itsm_engine* e = NULL;
    char* h = NULL;
    char* t = NULL;
    uint64_t id, other;
    const char* order[] = {"\"type\":\"created\"",    "\"type\":\"field_changed\"",
                           "\"type\":\"comment\"",    "\"type\":\"work_note\"",
                           "\"type\":\"link_added\"", "\"type\":\"link_removed\""};
    const char* prev = NULL;
    size_t i;

    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    id = create(e, "{\"kind\":\"incident\",\"title\":\"Printer jam\"}");
    other = create(e, "{\"kind\":\"incident\",\"title\":\"Printer jam again\"}");
    itsm_engine_advance_clock(e, 60 * SECOND);
    CHECK_RC(itsm_ticket_update(e, "bob", id, "{\"urgency\":1}", &t), ITSM_OK);
    itsm_free(t);
    CHECK_RC(itsm_ticket_comment(e, "bob", id, "On my way", 0, &t), ITSM_OK);
    itsm_free(t);
    CHECK_RC(itsm_ticket_comment(e, "bob", id, "Tray 2 is broken", 1, &t), ITSM_OK);
    itsm_free(t);
    CHECK_RC(itsm_ticket_link(e, "bob", other, "duplicate_of", id), ITSM_OK);
    CHECK_RC(itsm_ticket_unlink(e, "bob", id, "duplicated_by", other), ITSM_OK);

    CHECK_RC(itsm_ticket_history(e, "alice", id, &h), ITSM_OK);
    for (i = 0; i < sizeof order / sizeof order[0]; ++i) {
        const char* at = strstr(h ? h : "", order[i]);
        CHECK(at != NULL);
        CHECK(at == NULL || prev == NULL || prev < at);
        prev = at;
    }
    /* one event per changed field: urgency and the priority derived from it */
    CHECK(count_of(h, "\"type\":\"field_changed\"") == 2);
    CHECK(has(h, "\"field\":\"urgency\""));
    CHECK(has(h, "\"field\":\"priority\""));
    CHECK(has(h, "\"at\":\"2026-03-02T08:00:00Z\""));
    CHECK(has(h, "\"at\":\"2026-03-02T08:01:00Z\""));
    CHECK(has(h, "\"actor\":\"bob\""));
    CHECK(has(h, "\"link\":{\"ticket\":"));
    itsm_free(h);

    h = (char*)&h;
    CHECK_RC(itsm_ticket_history(e, "alice", 999, &h), ITSM_E_NOT_FOUND);
    CHECK(h == NULL);
    itsm_engine_close(e);
}

static void test_null_arguments(void) {
    itsm_engine* e = NULL;
    char* out = NULL;
    uint64_t id;

    CHECK_RC(itsm_engine_open_memory(NULL, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "out"));
    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    id = create(e, "{\"kind\":\"incident\",\"title\":\"x\"}");

    out = (char*)&out;
    CHECK_RC(itsm_ticket_create(NULL, "alice", "{}", &out), ITSM_E_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK(has(itsm_last_error(), "engine"));
    CHECK_RC(itsm_ticket_create(e, NULL, "{\"kind\":\"incident\",\"title\":\"x\"}", &out),
             ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "actor"));
    CHECK_RC(itsm_ticket_create(e, "alice", NULL, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "new_ticket_json"));
    CHECK_RC(itsm_ticket_create(e, "alice", "{\"kind\":\"incident\",\"title\":\"x\"}", NULL),
             ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "ticket_json_out"));

    CHECK_RC(itsm_ticket_get(NULL, "alice", id, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_get(e, NULL, id, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_get(e, "alice", id, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "out"));
    CHECK_RC(itsm_ticket_get_by_key(e, "alice", NULL, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "key"));
    CHECK_RC(itsm_ticket_update(e, "alice", id, NULL, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "patch_json"));
    CHECK_RC(itsm_ticket_update(NULL, "alice", id, "{}", &out), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_comment(e, "alice", id, NULL, 0, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "text"));
    CHECK_RC(itsm_ticket_comment(e, "alice", id, "hi", 0, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_comments(e, NULL, id, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_comments(e, "alice", id, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_link(NULL, "alice", id, "related", id), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_link(e, NULL, id, "related", id), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_link(e, "alice", id, NULL, id), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "link_type"));
    CHECK_RC(itsm_ticket_unlink(e, "alice", id, NULL, id), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_query(e, "alice", NULL, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "query_json"));
    CHECK_RC(itsm_ticket_query(e, "alice", "{}", NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "page_json_out"));
    CHECK_RC(itsm_ticket_history(e, NULL, id, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_history(NULL, "alice", id, &out), ITSM_E_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_RC(itsm_engine_set_time(NULL, T0), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_advance_clock(NULL, 1), ITSM_E_INVALID_ARGUMENT);

    /* nothing was written by any of them */
    CHECK(total_tickets(e) == 1);
    CHECK_RC(itsm_ticket_get(e, "alice", id, &out), ITSM_OK);
    CHECK(number_of(out, "version") == 1);
    itsm_free(out);
    itsm_engine_close(e);
}

/* The same operations on two manual-clock engines give the same text, instants included. */
static void test_manual_clock(void) {
    itsm_engine* a = NULL;
    itsm_engine* b = NULL;
    itsm_engine* sys = NULL;
    char* ta = NULL;
    char* tb = NULL;
    char* t = NULL;

    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &a), ITSM_OK);
    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &b), ITSM_OK);
    if (!a || !b) goto done;
    admit(a);
    admit(b);

    CHECK_RC(itsm_ticket_create(a, "alice", "{\"kind\":\"incident\",\"title\":\"Clock\"}", &ta),
             ITSM_OK);
    CHECK_RC(itsm_ticket_create(b, "alice", "{\"kind\":\"incident\",\"title\":\"Clock\"}", &tb),
             ITSM_OK);
    CHECK(ta && tb && strcmp(ta, tb) == 0);
    CHECK(has(ta, "\"created\":\"2026-03-02T08:00:00Z\""));
    CHECK(has(ta, "\"updated\":\"2026-03-02T08:00:00Z\""));
    itsm_free(ta);
    itsm_free(tb);

    CHECK_RC(itsm_engine_advance_clock(a, 90 * SECOND + 250000), ITSM_OK);
    CHECK_RC(itsm_ticket_update(a, "bob", 1, "{\"title\":\"Later\"}", &t), ITSM_OK);
    CHECK(has(t, "\"created\":\"2026-03-02T08:00:00Z\""));
    CHECK(has(t, "\"updated\":\"2026-03-02T08:01:30.250000Z\""));
    itsm_free(t);

    CHECK_RC(itsm_engine_set_time(a, T0 + 86400 * SECOND), ITSM_OK);
    CHECK_RC(itsm_ticket_create(a, "alice", "{\"kind\":\"incident\",\"title\":\"Next day\"}", &t),
             ITSM_OK);
    CHECK(has(t, "\"created\":\"2026-03-03T08:00:00Z\""));
    itsm_free(t);

    /* the clock refuses to move backwards by advance, or out of the representable years */
    CHECK_RC(itsm_engine_advance_clock(a, -1), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_advance_clock(a, INT64_MAX), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_set_time(a, INT64_MIN), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_open_memory_at(NULL, INT64_MAX, &sys), ITSM_E_INVALID_ARGUMENT);
    CHECK(sys == NULL);
    CHECK_RC(itsm_engine_set_time(a, 0), ITSM_OK);
    CHECK_RC(itsm_ticket_create(a, "alice", "{\"kind\":\"task\",\"title\":\"Epoch\"}", &t),
             ITSM_OK);
    CHECK(has(t, "\"created\":\"1970-01-01T00:00:00Z\""));
    itsm_free(t);

    /* an engine on the system clock has no clock to move */
    CHECK_RC(itsm_engine_open_memory(NULL, &sys), ITSM_OK);
    CHECK_RC(itsm_engine_set_time(sys, T0), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "system clock"));
    CHECK_RC(itsm_engine_advance_clock(sys, SECOND), ITSM_E_INVALID_ARGUMENT);
    itsm_engine_close(sys);

done:
    itsm_engine_close(a);
    itsm_engine_close(b);
}

/* Access control: deny by default, the secret system actor, a sealed segment, explain. */
static void test_access(void) {
    itsm_engine* e = NULL;
    const char* system = NULL;
    char* t = NULL;
    char* page = NULL;
    char* why = NULL;
    uint64_t hr_id, it_id;

    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    if (!e) return;
    CHECK_RC(itsm_engine_system_actor(e, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_system_actor(NULL, &system), ITSM_E_INVALID_ARGUMENT);
    CHECK(system == NULL);
    CHECK_RC(itsm_engine_system_actor(e, &system), ITSM_OK);
    CHECK(system != NULL && strlen(system) > 20);
    /* nobody may act before a policy exists; "system" is just a user name */
    CHECK_RC(itsm_ticket_create(e, "alice", "{\"kind\":\"incident\",\"title\":\"x\"}", &t),
             ITSM_E_PERMISSION_DENIED);
    CHECK(t == NULL);
    CHECK_RC(itsm_ticket_create(e, "system", "{\"kind\":\"incident\",\"title\":\"x\"}", &t),
             ITSM_E_PERMISSION_DENIED);
    CHECK_RC(itsm_engine_set_access_json(e, "alice", "{}"), ITSM_E_PERMISSION_DENIED);

    CHECK_RC(itsm_engine_set_directory_json(
                 e, system,
                 "{\"users\":[{\"id\":\"ivy\"},{\"id\":\"hank\"}],\"groups\":[{\"id\":\"it\","
                 "\"members\":[\"ivy\"]},{\"id\":\"hr\",\"members\":[\"hank\"]}]}"),
             ITSM_OK);
    CHECK_RC(itsm_engine_set_access_json(
                 e, system,
                 "{\"segments\":[{\"id\":\"global\"},{\"id\":\"hr\",\"sealed\":true}],"
                 "\"roles\":[{\"preset\":\"service_desk_agent\"}],\"grants\":[{\"group\":\"it\","
                 "\"role\":\"agent\",\"segment\":\"global\"}]}"),
             ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "grants[0].role"));
    CHECK_RC(itsm_engine_set_access_json(e, system, "{\"segments\":[{\"id\":\"x\"}"),
             ITSM_E_INVALID_CONFIG);
    CHECK_RC(itsm_engine_set_access_json(e, system, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_set_directory_json(e, system, "{\"users\":[{\"id\":\"\"}]}"),
             ITSM_E_INVALID_CONFIG);
    CHECK_RC(itsm_engine_set_access_json(
                 e, system,
                 "{\"segments\":[{\"id\":\"global\"},{\"id\":\"hr\",\"sealed\":true}],"
                 "\"roles\":[{\"preset\":\"service_desk_agent\"}],\"grants\":[{\"group\":\"it\","
                 "\"role\":\"service_desk_agent\",\"segment\":\"global\"},{\"group\":\"hr\","
                 "\"role\":\"service_desk_agent\",\"segment\":\"hr\"}]}"),
             ITSM_OK);

    CHECK_RC(
        itsm_ticket_create(
            e, "hank", "{\"kind\":\"incident\",\"title\":\"Grievance\",\"segment\":\"hr\"}", &t),
        ITSM_OK);
    hr_id = number_of(t, "id");
    itsm_free(t);
    t = NULL;
    CHECK_RC(
        itsm_ticket_create(
            e, "ivy", "{\"kind\":\"incident\",\"title\":\"Laptop\",\"watchers\":[\"hank\"]}", &t),
        ITSM_OK);
    it_id = number_of(t, "id");
    CHECK(has(t, "\"watchers\":[\"hank\"]"));
    itsm_free(t);
    t = NULL;
    /* hank reads the IT ticket as its watcher, without the watch list (ticket.read.watchers) */
    CHECK_RC(itsm_ticket_get(e, "hank", it_id, &t), ITSM_OK);
    CHECK(has(t, "Laptop"));
    CHECK(has(t, "\"watchers\":[]"));
    itsm_free(t);
    t = NULL;

    /* the HR case does not exist for ivy: get, query, history, comment, explain */
    CHECK_RC(itsm_ticket_get(e, "ivy", hr_id, &t), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_ticket_history(e, "ivy", hr_id, &t), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_ticket_comment(e, "ivy", hr_id, "hi", 0, &t), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_ticket_link(e, "ivy", it_id, "related", hr_id), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_explain(e, "ivy", hr_id, "ticket.read", &why), ITSM_E_NOT_FOUND);
    CHECK(why == NULL);
    CHECK_RC(itsm_ticket_query(e, "ivy", "{}", &page), ITSM_OK);
    CHECK(has(page, "\"total\":1"));
    CHECK(!has(page, "Grievance"));
    itsm_free(page);
    page = NULL;
    CHECK_RC(itsm_ticket_query(e, system, "{}", &page), ITSM_OK);
    CHECK(has(page, "\"total\":2"));
    itsm_free(page);

    CHECK_RC(itsm_explain(e, "ivy", it_id, "ticket.update", &why), ITSM_OK);
    CHECK(has(why, "\"allowed\":true"));
    CHECK(has(why, "\"grant\":0"));
    itsm_free(why);
    why = NULL;
    CHECK_RC(itsm_explain(e, "ivy", it_id, "manage.grants", &why), ITSM_OK);
    CHECK(has(why, "\"allowed\":false"));
    CHECK(has(why, "denied"));
    itsm_free(why);
    why = NULL;
    CHECK_RC(itsm_explain(e, system, hr_id, "ticket.read", &why), ITSM_OK);
    CHECK(has(why, "\"system\":true"));
    itsm_free(why);
    CHECK_RC(itsm_explain(e, "ivy", it_id, "ticket.raed", &why), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_explain(e, "ivy", it_id, NULL, &why), ITSM_E_INVALID_ARGUMENT);
    itsm_engine_close(e);
}

/* A business calendar from JSON: arithmetic in microseconds, and refusals. */
static void test_calendar(void) {
    /* Mon-Fri 09:00-12:00 and 13:00-17:00 in Berlin (UTC+1 in March), and a holiday. */
    const char* config =
        "{\"calendars\": {\"office\": {\"time_zone\": \"Europe/Berlin\", \"weekly\": {"
        "\"mon\": [[\"09:00\", \"12:00\"], [\"13:00\", \"17:00\"]],"
        "\"tue\": [[\"09:00\", \"12:00\"], [\"13:00\", \"17:00\"]]},"
        "\"holidays\": [\"2026-03-09\"]}}}";
    const int64_t hour = 3600 * SECOND;
    itsm_calendar* c = NULL;
    itsm_calendar* other = NULL;
    int64_t r = 0;
    int open = -1;

    CHECK_RC(itsm_calendar_new_json(config, "office", &c), ITSM_OK);
    if (!c) return;
    /* T0 is Monday 2026-03-02 08:00Z = 09:00 in Berlin, the opening. */
    CHECK_RC(itsm_calendar_add(c, T0, 3 * hour, &r), ITSM_OK);
    CHECK(r == T0 + 3 * hour); /* an exact fit ends at the lunch-time close */
    CHECK_RC(itsm_calendar_add(c, T0, 3 * hour + 1, &r), ITSM_OK);
    CHECK(r == T0 + 4 * hour + 1);
    CHECK_RC(itsm_calendar_add(c, T0 + 3 * hour, 0, &r), ITSM_OK);
    CHECK(r == T0 + 4 * hour); /* zero from a closed instant: the next opening */
    CHECK_RC(itsm_calendar_add(c, T0 + 24 * hour, -1 * hour, &r), ITSM_OK);
    CHECK(r == T0 + 7 * hour);
    CHECK_RC(itsm_calendar_subtract(c, T0 + 8 * hour, 0, &r), ITSM_OK);
    CHECK(r == T0 + 8 * hour); /* Monday 17:00 is a closing */
    /* Tuesday 17:00 + 1 h skips the Monday holiday on 9 March: Tuesday 10 March 10:00. */
    CHECK_RC(itsm_calendar_add(c, T0 + 24 * hour + 8 * hour, hour, &r), ITSM_OK);
    CHECK(r == T0 + 8 * 24 * hour + hour);
    CHECK_RC(itsm_calendar_between(c, T0, T0 + 7 * 24 * hour, &r), ITSM_OK);
    CHECK(r == 14 * hour);
    CHECK_RC(itsm_calendar_between(c, T0 + hour, T0, &r), ITSM_OK);
    CHECK(r == 0);
    CHECK_RC(itsm_calendar_is_open(c, T0, &open), ITSM_OK);
    CHECK(open == 1);
    CHECK_RC(itsm_calendar_is_open(c, T0 + 3 * hour, &open), ITSM_OK);
    CHECK(open == 0);
    CHECK_RC(itsm_calendar_next_opening(c, T0 + 3 * hour, &r), ITSM_OK);
    CHECK(r == T0 + 4 * hour);
    CHECK_RC(itsm_calendar_next_closing(c, T0, &r), ITSM_OK);
    CHECK(r == T0 + 3 * hour);

    /* refusals: NULLs, out-of-range instants; the out value is left alone */
    r = 42;
    CHECK_RC(itsm_calendar_add(NULL, T0, hour, &r), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_calendar_add(c, T0, hour, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_calendar_between(c, 0, INT64_MAX, &r), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_calendar_is_open(c, -3000000000LL * SECOND, &open), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "1900"));
    CHECK(r == 42);

    /* a bad document is refused with the JSON path; the id must exist */
    CHECK_RC(itsm_calendar_new_json("{\"calendars\": {\"berlin\": {\"weekly\": {\"mon\": "
                                    "[[\"09:00\", \"12:00\"], [\"17:00\", \"09:00\"]]}}}}",
                                    NULL, &other),
             ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "calendars.berlin.weekly.mon[1]: end before start"));
    CHECK(other == NULL);
    CHECK_RC(itsm_calendar_new_json(config, "nope", &other), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_calendar_new_json(config, NULL, &other), ITSM_OK); /* the only one */
    CHECK(other != NULL);
    itsm_calendar_free(other);
    CHECK_RC(itsm_calendar_new_json("{\"calendars\": {}}", NULL, &other), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_calendar_new_json(NULL, NULL, &other), ITSM_E_INVALID_ARGUMENT);
    CHECK(other == NULL);
    CHECK_RC(itsm_calendar_new_json(config, NULL, NULL), ITSM_E_INVALID_ARGUMENT);
    itsm_calendar_free(NULL);
    itsm_calendar_free(c);
}

#ifdef HAVE_PTHREADS
/* Several threads create tickets on one engine; each thread sees only its own errors. */
struct worker {
    itsm_engine* engine;
    int created;
    int errors_ok;
};

static void* work(void* arg) {
    struct worker* w = (struct worker*)arg;
    int i;
    w->errors_ok = 1;
    for (i = 0; i < 50; ++i) {
        char* out = NULL;
        if (itsm_ticket_create(w->engine, "worker", "{\"kind\":\"task\",\"title\":\"Work\"}",
                               &out) == ITSM_OK)
            ++w->created;
        itsm_free(out);
        if (itsm_ticket_get(w->engine, "worker", 1000000, &out) != ITSM_E_NOT_FOUND ||
            itsm_last_error_code() != ITSM_E_NOT_FOUND || !has(itsm_last_error(), "1000000"))
            w->errors_ok = 0;
    }
    return NULL;
}

static void test_threads(void) {
    itsm_engine* e = NULL;
    struct worker workers[4];
    pthread_t threads[4];
    int i, started = 0;

    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    CHECK_RC(itsm_ticket_get(e, "main", 1, NULL), ITSM_E_INVALID_ARGUMENT);
    for (i = 0; i < 4; ++i) {
        workers[i].engine = e;
        workers[i].created = 0;
        workers[i].errors_ok = 0;
        if (pthread_create(&threads[i], NULL, work, &workers[i]) == 0) ++started;
    }
    CHECK(started == 4);
    for (i = 0; i < started; ++i)
        pthread_join(threads[i], NULL);
    for (i = 0; i < started; ++i) {
        CHECK(workers[i].created == 50);
        CHECK(workers[i].errors_ok);
    }
    /* the workers' errors did not overwrite this thread's */
    CHECK(itsm_last_error_code() == ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "out"));
    CHECK(total_tickets(e) == (uint64_t)started * 50);
    itsm_engine_close(e);
}
/* Several threads advance one manual clock towards its limit (the end of the year 9999) at
 * once, round after round: in each round exactly the room that was left is used, never more,
 * and the clock ends on the limit. A range check made apart from the move would let two
 * threads that both saw room for one step pass the limit together. */
#define CLOCK_LIMIT INT64_C(253402300799999999)
#define CLOCK_ROOM 6
#define CLOCK_ROUNDS 3000
#define CLOCK_THREADS 4

struct clock_race {
    itsm_engine* engine;
    pthread_barrier_t barrier;
    int moved[CLOCK_THREADS];
    int bad_rounds;   /* rounds that moved more or less than the room */
    int bad_refusals; /* refusals with the wrong code or message */
    atomic_int ready; /* threads that reached the start, over all rounds */
};

struct clock_worker {
    struct clock_race* race;
    int index;
};

static void* advance_work(void* arg) {
    struct clock_worker* w = (struct clock_worker*)arg;
    struct clock_race* race = w->race;
    int round, i;
    for (round = 0; round < CLOCK_ROUNDS; ++round) {
        if (w->index == 0 && itsm_engine_set_time(race->engine, CLOCK_LIMIT - CLOCK_ROOM) != 0)
            ++race->bad_rounds;
        race->moved[w->index] = 0;
        pthread_barrier_wait(&race->barrier);
        /* then spin until every thread is here, so that they run at the same moment rather
         * than one after another as each wakes up */
        atomic_fetch_add(&race->ready, 1);
        while (atomic_load(&race->ready) < (round + 1) * CLOCK_THREADS)
            sched_yield(); /* lets a thread still on its way in run on a busy machine */
        for (;;) {
            int rc = itsm_engine_advance_clock(race->engine, 1);
            if (rc == ITSM_OK) {
                ++race->moved[w->index];
                continue;
            }
            if (rc != ITSM_E_INVALID_ARGUMENT || !has(itsm_last_error(), "9999"))
                ++race->bad_refusals;
            break;
        }
        pthread_barrier_wait(&race->barrier); /* all done */
        if (w->index == 0) {
            int total = 0;
            for (i = 0; i < CLOCK_THREADS; ++i)
                total += race->moved[i];
            if (total != CLOCK_ROOM) ++race->bad_rounds;
        }
        pthread_barrier_wait(&race->barrier); /* counted before the next round */
    }
    return NULL;
}

static void test_clock_threads(void) {
    struct clock_race race;
    struct clock_worker workers[CLOCK_THREADS];
    pthread_t threads[CLOCK_THREADS];
    const char* system = NULL;
    char* t = NULL;
    int i, started = 0;

    memset(&race, 0, sizeof race);
    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &race.engine), ITSM_OK);
    if (!race.engine) return;
    CHECK(pthread_barrier_init(&race.barrier, NULL, CLOCK_THREADS) == 0);
    for (i = 0; i < CLOCK_THREADS; ++i) {
        workers[i].race = &race;
        workers[i].index = i;
        if (pthread_create(&threads[i], NULL, advance_work, &workers[i]) == 0) ++started;
    }
    CHECK(started == CLOCK_THREADS);
    if (started != CLOCK_THREADS) abort(); /* the others would wait at the barrier forever */
    for (i = 0; i < started; ++i)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&race.barrier);
    CHECK(race.bad_rounds == 0);
    CHECK(race.bad_refusals == 0);
    /* the clock stopped exactly on the limit: a ticket created now says so */
    CHECK_RC(itsm_engine_system_actor(race.engine, &system), ITSM_OK);
    CHECK_RC(
        itsm_ticket_create(race.engine, system, "{\"kind\":\"incident\",\"title\":\"Late\"}", &t),
        ITSM_OK);
    CHECK(has(t, "\"created\":\"9999-12-31T23:59:59.999999Z\""));
    itsm_free(t);
    CHECK_RC(itsm_engine_advance_clock(race.engine, 1), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_advance_clock(race.engine, 0), ITSM_OK);
    itsm_engine_close(race.engine);
}
#endif

static void test_taxonomy_and_routing(void) {
    itsm_engine* e = NULL;
    char* out = NULL;
    uint64_t laptop, printer, moved = 99;
    const char* tree =
        "{\"categories\":["
        "{\"id\":\"hardware\",\"name\":\"Hardware\",\"kinds\":[\"incident\"]},"
        "{\"id\":\"laptop\",\"name\":\"Laptop\",\"parent\":\"hardware\"},"
        "{\"id\":\"printer\",\"name\":\"Printer\",\"parent\":\"hardware\"},"
        "{\"id\":\"network\",\"name\":\"Network\"}]}";
    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK);
    if (!e) return;
    admit(e);

    /* Refusals name the JSON path and change nothing. */
    CHECK_RC(itsm_engine_set_taxonomy_json(
                 e, "alice", "{\"categories\":[{\"id\":\"a\",\"name\":\"A\",\"parent\":\"b\"}]}"),
             ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "categories[0].parent: unknown category \"b\""));
    CHECK_RC(itsm_engine_set_taxonomy_json(e, "alice", tree), ITSM_OK);
    CHECK_RC(itsm_engine_taxonomy_json(e, "alice", &out), ITSM_OK);
    CHECK(has(out, "\"id\":\"laptop\""));
    itsm_free(out);
    /* any valid user may read the tree (requesters pick from it); an empty actor may not */
    CHECK_RC(itsm_engine_taxonomy_json(e, "mallory", &out), ITSM_OK);
    itsm_free(out);
    CHECK_RC(itsm_engine_taxonomy_json(e, "", &out), ITSM_E_INVALID_ARGUMENT);
    CHECK(out == NULL);

    CHECK_RC(itsm_engine_set_routing_json(
                 e, "alice",
                 "{\"rules\":[{\"id\":\"hw\",\"when\":{\"categories\":[\"hardware\"]},"
                 "\"then\":{\"assignment_group\":\"desk\"}}]}"),
             ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "rules[0].then.assignment_group: unknown group \"desk\""));
    CHECK_RC(itsm_engine_set_routing_json(
                 e, "alice",
                 "{\"rules\":[{\"id\":\"hw\",\"when\":{\"categories\":[\"hardware\"],"
                 "\"title_words\":[\"urgent\"]},\"then\":{\"impact\":1,\"add_tags\":[\"hw\"]}}]}"),
             ITSM_OK);
    CHECK_RC(itsm_engine_routing_json(e, "alice", &out), ITSM_OK);
    CHECK(has(out, "\"title_words\""));
    itsm_free(out);
    /* the rules name users and groups: reading them needs manage.taxonomy */
    CHECK_RC(itsm_engine_routing_json(e, "mallory", &out), ITSM_E_PERMISSION_DENIED);
    CHECK(out == NULL);
    CHECK_RC(itsm_engine_routing_json(e, "", &out), ITSM_E_INVALID_ARGUMENT);

    laptop = create(e,
                    "{\"kind\":\"incident\",\"title\":\"Urgent: battery\","
                    "\"category\":\"laptop\"}");
    printer = create(e, "{\"kind\":\"incident\",\"title\":\"Jam\",\"category\":\"printer\"}");
    CHECK_RC(itsm_ticket_get(e, "alice", laptop, &out), ITSM_OK);
    CHECK(has(out, "\"impact\":1"));
    CHECK(has(out, "\"tags\":[\"hw\"]"));
    itsm_free(out);
    CHECK_RC(itsm_ticket_history(e, "alice", laptop, &out), ITSM_OK);
    CHECK(has(out, "\"actor\":\"rule:hw\""));
    itsm_free(out);
    CHECK_RC(itsm_ticket_create(e, "alice",
                                "{\"kind\":\"change\",\"title\":\"x\","
                                "\"category\":\"laptop\"}",
                                &out),
             ITSM_E_VALIDATION_FAILED);
    CHECK(out == NULL);

    /* Tree changes. */
    CHECK_RC(itsm_category_rename(e, "alice", "laptop", "Notebook"), ITSM_OK);
    CHECK_RC(itsm_category_move(e, "alice", "hardware", "hardware"), ITSM_E_VALIDATION_FAILED);
    CHECK_RC(itsm_category_move(e, "alice", "network", "hardware"), ITSM_OK);
    CHECK_RC(itsm_category_move(e, "alice", "network", NULL), ITSM_OK);
    CHECK_RC(itsm_category_remove(e, "alice", "printer"), ITSM_E_CONFLICT);
    CHECK_RC(itsm_category_merge(e, "alice", "printer", "laptop", &moved), ITSM_OK);
    CHECK(moved == 1);
    CHECK_RC(itsm_ticket_get(e, "alice", printer, &out), ITSM_OK);
    CHECK(has(out, "\"category\":\"laptop\""));
    itsm_free(out);
    CHECK_RC(itsm_category_retire(e, "alice", "printer"), ITSM_E_CONFLICT);
    CHECK_RC(itsm_category_retire(e, "alice", "network"), ITSM_OK);
    CHECK_RC(itsm_category_rename(e, "alice", "ghost", "G"), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_category_merge(e, "alice", "hardware", "laptop", NULL), ITSM_E_VALIDATION_FAILED);

    /* Counts. */
    CHECK_RC(itsm_category_counts(e, "alice", NULL, &out), ITSM_OK);
    CHECK(has(out,
              "{\"direct\":0,\"id\":\"hardware\",\"open\":2,\"path\":\"Hardware\","
              "\"total\":2}"));
    CHECK(has(out, "\"path\":\"Hardware > Notebook\",\"total\":2"));
    itsm_free(out);
    CHECK_RC(itsm_category_counts(e, "alice", "{\"categories\":[\"laptop\"]}", &out),
             ITSM_E_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_RC(itsm_tag_counts(e, "alice", "{\"kinds\":[\"incident\"]}", &out), ITSM_OK);
    CHECK(has(out, "[{\"count\":1,\"tag\":\"hw\"}]"));
    itsm_free(out);
    CHECK_RC(itsm_tag_counts(e, "alice", "{\"kinds\":", &out), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_set_taxonomy_json(NULL, "alice", tree), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_set_taxonomy_json(e, "alice", NULL), ITSM_E_INVALID_ARGUMENT);
    itsm_engine_close(e);
}

/* A small workflow with an approval by listed users, for the approval functions. */
static const char* review_workflow =
    "{\"workflows\": {\"review\": {\"kind\": \"change\", \"states\": ["
    "{\"id\": \"new\", \"class\": \"new\"},"
    "{\"id\": \"review\", \"class\": \"pending\", \"approval\": {\"steps\": [{\"approvers\": "
    "{\"users\": [\"carol\", \"dave\"]}, \"rule\": \"all\"}], \"on_approved\": \"accept\", "
    "\"on_rejected\": \"refuse\"}},"
    "{\"id\": \"accepted\", \"class\": \"closed\"}, {\"id\": \"refused\", \"class\": "
    "\"canceled\"}],"
    "\"initial\": [\"new\"], \"transitions\": ["
    "{\"id\": \"submit\", \"from\": [\"new\"], \"to\": \"review\"},"
    "{\"id\": \"accept\", \"from\": [\"review\"], \"to\": \"accepted\"},"
    "{\"id\": \"refuse\", \"from\": [\"review\"], \"to\": \"refused\"}]}}}";

static void test_workflows(void) {
    itsm_engine* e = NULL;
    char* t = NULL;
    char* list = NULL;
    uint64_t id, ran = 99;
    uint64_t versions_before;

    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    CHECK_RC(itsm_engine_load_itil_workflows(e, "alice"), ITSM_OK);
    id = create(e, "{\"kind\":\"incident\",\"title\":\"Mail is down\"}");

    /* what may be done now, and why start is not available */
    CHECK_RC(itsm_ticket_available_transitions(e, "bob", id, &list), ITSM_OK);
    CHECK(has(list, "\"id\":\"start\""));
    CHECK(has(list, "\"reason\":\"assignee is required\""));
    CHECK(has(list, "\"rule\":\"workflows.incident.transitions[0].guards[0]\""));
    itsm_free(list);

    /* refusals leave the ticket as it was */
    CHECK_RC(itsm_ticket_get(e, "alice", id, &t), ITSM_OK);
    versions_before = number_of(t, "version");
    itsm_free(t);
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "start", NULL, &t), ITSM_E_INVALID_TRANSITION);
    CHECK(t == NULL);
    CHECK(has(itsm_last_error(), "assignee is required"));
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "hold", "{\"fields\":{}}", &t),
             ITSM_E_VALIDATION_FAILED);
    CHECK(has(itsm_last_error(), "hold_reason: required"));
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "hold", "{\"fields\":", &t),
             ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "fly", NULL, &t), ITSM_E_NOT_FOUND);
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "cancel", "{\"version\":7}", &t),
             ITSM_E_CONFLICT);
    CHECK_RC(itsm_ticket_get(e, "alice", id, &t), ITSM_OK);
    CHECK(number_of(t, "version") == versions_before);
    itsm_free(t);

    /* resolve with inputs and a comment, then the timer closes it five days later */
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "resolve",
                                    "{\"fields\":{\"resolution_code\":\"solved_remotely\","
                                    "\"resolution_notes\":\"Restarted\"},\"comment\":\"Done\"}",
                                    &t),
             ITSM_OK);
    CHECK(has(t, "\"state\":\"resolved\""));
    CHECK(has(t, "\"resolution_code\":\"solved_remotely\""));
    itsm_free(t);
    CHECK_RC(itsm_engine_advance(e, T0 + 86400 * SECOND, &ran), ITSM_OK);
    CHECK(ran == 0);
    CHECK_RC(itsm_engine_advance(e, T0 + 5 * 86400 * SECOND, &ran), ITSM_OK);
    CHECK(ran == 1);
    CHECK_RC(itsm_engine_advance(e, T0 + 6 * 86400 * SECOND, NULL), ITSM_OK);
    CHECK_RC(itsm_ticket_get(e, "alice", id, &t), ITSM_OK);
    CHECK(has(t, "\"state\":\"closed\""));
    itsm_free(t);
    CHECK_RC(itsm_engine_advance(NULL, T0, &ran), ITSM_E_INVALID_ARGUMENT);

    /* a broken document is refused whole, naming the path; the preset stays */
    CHECK_RC(itsm_engine_set_workflows_json(
                 e, "alice",
                 "{\"workflows\":{\"w\":{\"kind\":\"incident\",\"states\":[{\"id\":\"new\","
                 "\"class\":\"new\"}],\"initial\":[\"new\"],\"transitions\":[{\"id\":\"x\","
                 "\"from\":[\"new\"],\"to\":\"implemnt\"}]}}}"),
             ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "workflows.w.transitions[0].to: unknown state \"implemnt\""));

    /* approvals: all of carol and dave; delegation; a rejection */
    CHECK_RC(itsm_engine_set_workflows_json(e, "alice", review_workflow), ITSM_OK);
    id = create(e, "{\"kind\":\"change\",\"title\":\"Patch the firewall\"}");
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "submit", NULL, &t), ITSM_OK);
    CHECK(has(t, "\"approver\":\"carol\""));
    CHECK(has(t, "\"decision\":\"pending\""));
    itsm_free(t);
    CHECK_RC(itsm_ticket_approve(e, "bob", id, NULL, &t), ITSM_E_PERMISSION_DENIED);
    CHECK_RC(itsm_ticket_approve(e, "carol", id, "fine", &t), ITSM_OK);
    CHECK(has(t, "\"state\":\"review\""));
    itsm_free(t);
    CHECK_RC(itsm_ticket_delegate(e, "dave", id, "erin", "away", &t), ITSM_OK);
    CHECK(has(t, "\"delegated_from\":\"dave\""));
    itsm_free(t);
    CHECK_RC(itsm_ticket_delegate(e, "erin", id, NULL, NULL, &t), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_ticket_approve(e, "erin", id, NULL, &t), ITSM_OK);
    CHECK(has(t, "\"state\":\"accepted\""));
    itsm_free(t);

    id = create(e, "{\"kind\":\"change\",\"title\":\"Patch the router\"}");
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "submit", NULL, &t), ITSM_OK);
    itsm_free(t);
    CHECK_RC(itsm_ticket_reject(e, "dave", id, "not now", &t), ITSM_OK);
    CHECK(has(t, "\"state\":\"refused\""));
    CHECK(has(t, "\"comment\":\"not now\""));
    itsm_free(t);
    CHECK_RC(itsm_ticket_reject(e, "carol", id, NULL, &t), ITSM_E_INVALID_TRANSITION);
    CHECK(t == NULL);

    itsm_engine_close(e);
}

/* What the getters return, set again, reads back the same; the documents name what was set. */
static void sla_config_round_trip(itsm_engine* e) {
    char *cals = NULL, *pols = NULL, *again = NULL;
    CHECK_RC(itsm_engine_calendars_json(e, "nobody", &cals), ITSM_OK);
    CHECK_RC(itsm_engine_sla_policies_json(e, "nobody", &pols), ITSM_OK);
    if (!cals || !pols) return;
    CHECK(
        has(cals, "\"office\":{\"time_zone\":\"UTC\",\"weekly\":{\"mon\":[[\"09:00\",\"17:00\"]]"));
    CHECK(has(pols, "\"gold\":{"));
    CHECK(has(pols, "\"calendar\":\"office\""));
    CHECK(has(pols, "\"targets\":{\"2\":\"PT8H\"}"));
    CHECK_RC(itsm_engine_set_calendars_json(e, "alice", cals), ITSM_OK);
    CHECK_RC(itsm_engine_set_sla_policies_json(e, "alice", pols), ITSM_OK);
    CHECK_RC(itsm_engine_calendars_json(e, "alice", &again), ITSM_OK);
    CHECK(again && strcmp(again, cals) == 0);
    itsm_free(again);
    CHECK_RC(itsm_engine_sla_policies_json(e, "alice", &again), ITSM_OK);
    CHECK(again && strcmp(again, pols) == 0);
    itsm_free(again);
    CHECK_RC(itsm_engine_calendars_json(e, "", &again), ITSM_E_INVALID_ARGUMENT);
    CHECK(again == NULL);
    CHECK_RC(itsm_engine_sla_policies_json(e, NULL, &again), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_sla_policies_json(e, "alice", NULL), ITSM_E_INVALID_ARGUMENT);
    itsm_free(cals);
    itsm_free(pols);
}

static void test_sla(void) {
    itsm_engine* e = NULL;
    char* out = NULL;
    uint64_t id, ran = 0;
    const char* calendars =
        "{\"calendars\":{\"office\":{\"time_zone\":\"UTC\",\"weekly\":{"
        "\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]]}}}}";
    const char* policies =
        "{\"sla_policies\":{\"gold\":{\"calendar\":\"office\",\"applies_when\":{\"kinds\":"
        "[\"incident\"]},\"metrics\":{\"resolution\":{\"targets\":{\"2\":\"PT8H\"}}}}}}";

    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK); /* Monday 08:00 UTC */
    admit(e);
    if (!e) return;
    CHECK_RC(itsm_engine_load_itil_workflows(e, "alice"), ITSM_OK);

    /* refused configuration names the JSON path and changes nothing */
    CHECK_RC(itsm_engine_set_sla_policies_json(e, "alice", policies), ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "sla_policies.gold.calendar: unknown calendar \"office\""));
    CHECK_RC(itsm_engine_set_calendars_json(
                 e, "alice", "{\"calendars\":{\"office\":{\"weekly\":{\"mon\":[[\"9\"]]}}}}"),
             ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "calendars.office.weekly.mon[0]"));
    CHECK_RC(itsm_engine_set_calendars_json(e, "alice", NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_set_sla_policies_json(NULL, "alice", policies), ITSM_E_INVALID_ARGUMENT);

    /* the getters: empty documents until set; any valid actor reads them */
    CHECK_RC(itsm_engine_calendars_json(e, "nobody", &out), ITSM_OK);
    CHECK(out && strcmp(out, "{\"calendars\":{}}") == 0);
    itsm_free(out);
    CHECK_RC(itsm_engine_sla_policies_json(e, "nobody", &out), ITSM_OK);
    CHECK(out && strcmp(out, "{\"sla_policies\":{}}") == 0);
    itsm_free(out);

    CHECK_RC(itsm_engine_set_calendars_json(e, "alice", calendars), ITSM_OK);
    CHECK_RC(itsm_engine_set_sla_policies_json(e, "alice", policies), ITSM_OK);
    sla_config_round_trip(e);
    id = create(e, "{\"kind\":\"incident\",\"title\":\"VPN drops\",\"priority\":2}");

    /* the clock runs from 09:00 (the office opens) for 8 hours */
    CHECK_RC(itsm_engine_advance_clock(e, 4 * 3600 * SECOND), ITSM_OK); /* 12:00 */
    CHECK_RC(itsm_ticket_sla(e, "alice", id, &out), ITSM_OK);
    CHECK(has(out, "\"policy\":\"gold\""));
    CHECK(has(out, "\"metric\":\"resolution\""));
    CHECK(has(out, "\"due\":\"2026-03-02T17:00:00Z\""));
    CHECK(has(out, "\"state\":\"running\""));
    CHECK(number_of(out, "elapsed") == 3 * 3600);
    CHECK(number_of(out, "remaining") == 5 * 3600);
    itsm_free(out);
    CHECK_RC(itsm_ticket_sla(e, "alice", 999, &out), ITSM_E_NOT_FOUND);
    CHECK(out == NULL);

    /* queries: due before an instant, sorted by due; breached */
    CHECK_RC(itsm_ticket_query(e, "alice",
                               "{\"due_before\":\"2026-03-02T18:00:00Z\","
                               "\"sort\":\"due\",\"descending\":false}",
                               &out),
             ITSM_OK);
    CHECK(number_of(out, "total") == 1);
    itsm_free(out);
    CHECK_RC(itsm_ticket_query(e, "alice", "{\"sla_breached\":true}", &out), ITSM_OK);
    CHECK(number_of(out, "total") == 0);
    itsm_free(out);
    CHECK_RC(itsm_ticket_query(e, "alice", "{\"sla_breached\":1}", &out), ITSM_E_INVALID_ARGUMENT);

    /* warnings at 13:00 and 15:00, the breach after 17:00: each once */
    CHECK_RC(itsm_engine_advance(e, T0 + 10 * 3600 * SECOND, &ran), ITSM_OK); /* 18:00 */
    CHECK(ran == 3);
    CHECK_RC(itsm_engine_advance(e, T0 + 10 * 3600 * SECOND, &ran), ITSM_OK);
    CHECK(ran == 0);
    CHECK_RC(itsm_ticket_query(e, "alice", "{\"sla_breached\":true}", &out), ITSM_OK);
    CHECK(number_of(out, "total") == 1);
    itsm_free(out);
    CHECK_RC(itsm_ticket_history(e, "alice", id, &out), ITSM_OK);
    CHECK(count_of(out, "\"type\":\"sla\"") == 4);
    CHECK(has(out, "\"text\":\"breached\""));
    itsm_free(out);

    itsm_engine_close(e);
}

static void test_metrics(void) {
    itsm_engine* e = NULL;
    char* t = NULL;
    char* report = NULL;
    char* card = NULL;
    const char* week = "{\"from\":\"2026-03-02T00:00:00Z\",\"to\":\"2026-03-09T00:00:00Z\"}";
    uint64_t id;

    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    CHECK_RC(itsm_engine_load_itil_workflows(e, "alice"), ITSM_OK);
    id = create(e, "{\"kind\":\"incident\",\"title\":\"Mail is down\",\"assignee\":\"bob\"}");
    CHECK_RC(itsm_engine_set_time(e, T0 + 7200 * SECOND), ITSM_OK);
    CHECK_RC(itsm_ticket_transition(e, "bob", id, "resolve",
                                    "{\"fields\":{\"resolution_code\":\"solved_remotely\","
                                    "\"resolution_notes\":\"Restarted\"}}",
                                    &t),
             ITSM_OK);
    itsm_free(t);

    /* one incident resolved in two hours by its only assignee */
    CHECK_RC(itsm_metrics(e, "alice", week, &report), ITSM_OK);
    CHECK(has(report, "\"mean_wall_seconds\":7200.0"));
    CHECK(has(report,
              "\"first_contact_resolution\":{\"denominator\":1,\"numerator\":1,"
              "\"rate\":1.0}"));
    CHECK(has(report, "\"metric\":\"mttr.tier_2\""));
    itsm_free(report);

    /* refusals: a malformed query names the path; a user without metrics.read */
    CHECK_RC(itsm_metrics(e, "alice", "{\"from\":\"2026-03-02T00:00:00Z\"}", &report),
             ITSM_E_INVALID_ARGUMENT);
    CHECK(report == NULL);
    CHECK(has(itsm_last_error(), "to: missing"));
    CHECK_RC(itsm_metrics(e, "stranger", week, &report), ITSM_E_PERMISSION_DENIED);
    CHECK_RC(itsm_metrics(e, "alice", NULL, &report), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_metrics(e, "alice", week, NULL), ITSM_E_INVALID_ARGUMENT);

    /* the scorecard: refused whole with the path, then replaced */
    CHECK_RC(
        itsm_engine_set_scorecard_json(e, "alice", "{\"scorecard\":{\"reopen_rate\":{\"max\":7}}}"),
        ITSM_E_INVALID_CONFIG);
    CHECK(has(itsm_last_error(), "scorecard.reopen_rate.max"));
    CHECK_RC(itsm_engine_set_scorecard_json(e, "stranger", "{\"scorecard\":{}}"),
             ITSM_E_PERMISSION_DENIED);
    CHECK_RC(itsm_engine_set_scorecard_json(
                 e, "alice",
                 "{\"scorecard\":{\"mttr\":[{\"tier\":\"all\",\"priorities\":[1,2,3,4,5],"
                 "\"max_hours\":1}]}}"),
             ITSM_OK);
    CHECK_RC(itsm_engine_scorecard_json(e, "alice", &card), ITSM_OK);
    CHECK(has(card, "\"tier\":\"all\""));
    CHECK(has(card, "\"reopen_rate\":{\"max\":0.05}"));
    itsm_free(card);
    CHECK_RC(itsm_engine_scorecard_json(e, "", &card), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_metrics(e, "alice", week, &report), ITSM_OK);
    CHECK(has(report, "\"max\":1.0,\"met\":false,\"metric\":\"mttr.all\""));
    itsm_free(report);

    itsm_engine_close(e);
}

/* A store written in C (c_store.c) under an engine: tickets written through the engine land
 * in its arrays; a failing callback is ITSM_E_STORAGE with the store's message and leaves
 * nothing; the destructor runs once, on close or on a refused open. */
static void test_custom_store(void) {
    itsm_engine* e = NULL;
    itsm_store_callbacks* cb = NULL;
    c_store* data = c_store_new();
    char* out = NULL;
    uint64_t id;
    size_t events;
    int freed = c_store_freed_count();

    CHECK_RC(itsm_engine_open_store(c_store_callbacks(data), NULL, &e), ITSM_OK);
    admit(e);
    id = create(e, "{\"kind\":\"incident\",\"title\":\"Kept by the host\"}");
    CHECK(id != 0);
    CHECK(c_store_ticket_count(data) == 1);
    events = c_store_event_count(data);
    CHECK(events >= 1);
    CHECK_RC(itsm_ticket_get(e, "alice", id, &out), ITSM_OK);
    CHECK(has(out, "\"title\":\"Kept by the host\""));
    itsm_free(out);

    /* the host's commit fails: the engine reports it, and nothing changed */
    c_store_fail_next(data, "commit", ITSM_E_STORAGE, "the host database is read-only");
    CHECK_RC(itsm_ticket_update(e, "alice", id, "{\"title\":\"lost\"}", &out), ITSM_E_STORAGE);
    CHECK(out == NULL);
    CHECK(has(itsm_last_error(), "store.commit: the host database is read-only"));
    CHECK(c_store_event_count(data) == events);
    CHECK_RC(itsm_ticket_get(e, "alice", id, &out), ITSM_OK);
    CHECK(has(out, "\"title\":\"Kept by the host\""));
    CHECK(number_of(out, "version") == 1);
    itsm_free(out);
    c_store_fail_next(data, "get", ITSM_E_STORAGE, "connection lost");
    CHECK_RC(itsm_ticket_get(e, "alice", id, &out), ITSM_E_STORAGE);
    CHECK(has(itsm_last_error(), "connection lost"));

    /* and goes on working */
    CHECK_RC(itsm_ticket_update(e, "alice", id, "{\"title\":\"renamed\"}", &out), ITSM_OK);
    CHECK(number_of(out, "version") == 2);
    itsm_free(out);
    CHECK_RC(itsm_ticket_history(e, "alice", id, &out), ITSM_OK);
    CHECK(has(out, "\"new\":\"renamed\""));
    itsm_free(out);
    itsm_engine_close(e);
    CHECK(c_store_freed_count() == freed); /* the caller still holds the data */
    CHECK(c_store_ticket_count(data) == 1);

    /* reopened over the same data: everything is there */
    CHECK_RC(itsm_engine_open_store(c_store_callbacks(data), NULL, &e), ITSM_OK);
    admit(e);
    CHECK_RC(itsm_ticket_get(e, "alice", id, &out), ITSM_OK);
    CHECK(has(out, "\"title\":\"renamed\""));
    itsm_free(out);
    itsm_engine_close(e);

    /* refusals: the table is taken and freed whatever the outcome */
    CHECK_RC(itsm_store_callbacks_new(data, NULL, &cb), ITSM_OK);
    CHECK_RC(itsm_engine_open_store(cb, NULL, &e), ITSM_E_INVALID_ARGUMENT);
    CHECK(e == NULL);
    CHECK(has(itsm_last_error(), "callbacks: the get callback is not set"));
    CHECK_RC(itsm_engine_open_store(c_store_callbacks(data), "{not json", &e),
             ITSM_E_INVALID_CONFIG);
    CHECK_RC(itsm_engine_open_store(c_store_callbacks(data), NULL, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_open_store(NULL, NULL, &e), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "callbacks"));
    CHECK_RC(itsm_store_callbacks_set_get(NULL, NULL), ITSM_E_INVALID_ARGUMENT);
    itsm_store_callbacks_free(NULL);
    c_store_release(data); /* every table released its reference: this frees the data */
    CHECK(c_store_freed_count() == freed + 1);
}

/* ---- Observers ------------------------------------------------------------------------ */

struct watch {
    itsm_engine* engine;
    uint64_t subscription;
    int calls;
    uint64_t seqs[16];
    char types[16][24];
    int destroyed;
    int reentered; /* reads back the ticket of a "created" event from the callback */
    int unsubscribe_self;
    int self_rc;        /* what unsubscribing from inside the callback returned */
    int destroyed_then; /* `destroyed` right after that call, still inside the callback */
    int fail_inside;    /* makes a failing call from the callback */
};

static void on_event(const char* event_json, void* user_data) {
    struct watch* w = (struct watch*)user_data;
    if (w->calls < 16) {
        w->seqs[w->calls] = number_of(event_json, "seq");
        if (!string_of(event_json, "type", w->types[w->calls], sizeof w->types[0]))
            w->types[w->calls][0] = '\0';
    }
    ++w->calls;
    if (w->engine && has(event_json, "\"type\":\"created\"")) {
        char* t = NULL;
        if (itsm_ticket_get(w->engine, "alice", number_of(event_json, "ticket"), &t) == ITSM_OK &&
            has(t, "\"title\":"))
            ++w->reentered;
        itsm_free(t);
    }
    if (w->fail_inside) {
        char* t = NULL;
        itsm_ticket_get(w->engine, "alice", 999999, &t); /* fails: sets the last error */
    }
    if (w->unsubscribe_self) {
        w->unsubscribe_self = 0;
        w->self_rc = itsm_engine_unsubscribe(w->engine, w->subscription);
        w->destroyed_then = w->destroyed;
    }
}

static void on_destroy(void* user_data) {
    ++((struct watch*)user_data)->destroyed;
}

/* Engine X's subscription creates a ticket on engine Y, whose subscription ends X's: the
 * end cannot wait for the callback it runs inside, so X's destructor follows it. */
struct nested {
    itsm_engine* x;
    itsm_engine* y;
    uint64_t x_subscription;
    int x_calls, y_calls, rc, destroyed, destroyed_inside;
};

static void on_x_event(const char* event_json, void* user_data) {
    struct nested* n = (struct nested*)user_data;
    char* t = NULL;
    (void)event_json;
    ++n->x_calls;
    if (itsm_ticket_create(n->y, "alice", "{\"kind\":\"incident\",\"title\":\"Echo\"}", &t) ==
        ITSM_OK)
        n->destroyed_inside = n->destroyed;
    itsm_free(t);
}

static void on_y_event(const char* event_json, void* user_data) {
    struct nested* n = (struct nested*)user_data;
    (void)event_json;
    if (n->y_calls++ == 0) n->rc = itsm_engine_unsubscribe(n->x, n->x_subscription);
}

static void on_x_destroy(void* user_data) {
    ++((struct nested*)user_data)->destroyed;
}

static void test_nested_observers(void) {
    struct nested n;
    uint64_t y_subscription = 0;
    memset(&n, 0, sizeof n);
    n.rc = 1;
    CHECK_RC(itsm_engine_open_memory(NULL, &n.x), ITSM_OK);
    CHECK_RC(itsm_engine_open_memory(NULL, &n.y), ITSM_OK);
    admit(n.x);
    admit(n.y);
    if (!n.x || !n.y) return;
    CHECK_RC(itsm_engine_subscribe(n.x, on_x_event, on_x_destroy, &n, &n.x_subscription), ITSM_OK);
    CHECK_RC(itsm_engine_subscribe(n.y, on_y_event, NULL, &n, &y_subscription), ITSM_OK);
    create(n.x, "{\"kind\":\"incident\",\"title\":\"Start\"}");
    CHECK(n.x_calls == 1);
    CHECK(n.y_calls == 1);
    CHECK(n.rc == ITSM_OK);
    CHECK(n.destroyed_inside == 0);
    CHECK(n.destroyed == 1);
    create(n.x, "{\"kind\":\"incident\",\"title\":\"Again\"}");
    CHECK(n.x_calls == 1);
    itsm_engine_close(n.x);
    itsm_engine_close(n.y);
    CHECK(n.destroyed == 1);
}

static void test_observers(void) {
    itsm_engine* e = NULL;
    struct watch w, other, self;
    char* t = NULL;
    uint64_t id, stray = 0;
    int i;

    memset(&w, 0, sizeof w);
    memset(&other, 0, sizeof other);
    memset(&self, 0, sizeof self);
    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    w.engine = e;
    CHECK_RC(itsm_engine_subscribe(e, on_event, on_destroy, &w, &w.subscription), ITSM_OK);
    CHECK(w.subscription != 0);
    CHECK_RC(itsm_engine_subscribe(e, on_event, on_destroy, &other, &other.subscription), ITSM_OK);
    CHECK(other.subscription != w.subscription);

    id = create(e, "{\"kind\":\"incident\",\"title\":\"Printer jam\"}");
    CHECK_RC(itsm_ticket_update(e, "bob", id, "{\"urgency\":1}", &t), ITSM_OK);
    itsm_free(t);
    /* created, then urgency and the priority derived from it, in seq order */
    CHECK(w.calls == 3);
    CHECK(strcmp(w.types[0], "created") == 0);
    CHECK(strcmp(w.types[1], "field_changed") == 0);
    CHECK(strcmp(w.types[2], "field_changed") == 0);
    for (i = 1; i < w.calls && i < 16; ++i)
        CHECK(w.seqs[i] > w.seqs[i - 1]);
    CHECK(w.seqs[0] > 0);
    CHECK(w.reentered == 1);
    CHECK(other.calls == 3);

    /* a failing call inside the callback is not the failure of the call that committed */
    w.fail_inside = 1;
    CHECK_RC(itsm_ticket_comment(e, "bob", id, "Looking", 0, &t), ITSM_OK);
    itsm_free(t);
    CHECK(itsm_last_error_code() == ITSM_OK);
    CHECK(strcmp(itsm_last_error(), "") == 0);
    w.fail_inside = 0;
    CHECK(w.calls == 4);

    /* unsubscribed: no more events, the destructor has run once */
    CHECK_RC(itsm_engine_unsubscribe(e, w.subscription), ITSM_OK);
    CHECK(w.destroyed == 1);
    CHECK_RC(itsm_engine_unsubscribe(e, w.subscription), ITSM_E_NOT_FOUND);
    CHECK(has(itsm_last_error(), "subscription"));
    CHECK(w.destroyed == 1);
    CHECK_RC(itsm_ticket_comment(e, "bob", id, "On my way", 0, &t), ITSM_OK);
    itsm_free(t);
    CHECK(w.calls == 4);
    CHECK(other.calls == 5);

    /* unsubscribing from inside its own callback: the destructor waits for it to return */
    self.engine = e;
    self.unsubscribe_self = 1;
    CHECK_RC(itsm_engine_subscribe(e, on_event, on_destroy, &self, &self.subscription), ITSM_OK);
    CHECK_RC(itsm_ticket_comment(e, "bob", id, "Still jammed", 0, &t), ITSM_OK);
    itsm_free(t);
    CHECK(self.calls == 1);
    CHECK(self.self_rc == ITSM_OK);
    CHECK(self.destroyed_then == 0);
    CHECK(self.destroyed == 1);
    CHECK_RC(itsm_ticket_comment(e, "bob", id, "Fixed", 0, &t), ITSM_OK);
    itsm_free(t);
    CHECK(self.calls == 1);

    /* refusals leave nothing subscribed and call no destructor */
    CHECK_RC(itsm_engine_subscribe(NULL, on_event, on_destroy, &w, &stray),
             ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_subscribe(e, NULL, on_destroy, &w, &stray), ITSM_E_INVALID_ARGUMENT);
    CHECK(has(itsm_last_error(), "fn"));
    CHECK_RC(itsm_engine_subscribe(e, on_event, on_destroy, &w, NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_unsubscribe(NULL, 1), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_unsubscribe(e, 999), ITSM_E_NOT_FOUND);
    CHECK(w.destroyed == 1);

    /* close runs the destructors of the subscriptions still active, once */
    CHECK(other.destroyed == 0);
    itsm_engine_close(e);
    CHECK(other.destroyed == 1);
    CHECK(w.destroyed == 1);
    CHECK(self.destroyed == 1);
}

#ifdef HAVE_PTHREADS
/* A callback that holds the delivering thread until told to go on. */
struct gate {
    atomic_int entered;
    atomic_int release;
    atomic_int running; /* 1 while the callback is inside */
    atomic_int destroyed_while_running;
    atomic_int destroyed;
};

static void on_gated_event(const char* event_json, void* user_data) {
    struct gate* g = (struct gate*)user_data;
    (void)event_json;
    atomic_store(&g->running, 1);
    atomic_fetch_add(&g->entered, 1);
    while (!atomic_load(&g->release))
        sched_yield();
    atomic_store(&g->running, 0);
}

static void on_gated_destroy(void* user_data) {
    struct gate* g = (struct gate*)user_data;
    if (atomic_load(&g->running)) atomic_fetch_add(&g->destroyed_while_running, 1);
    atomic_fetch_add(&g->destroyed, 1);
}

static void* create_one(void* arg) {
    char* t = NULL;
    /* no CHECK here: the counters belong to the main thread */
    itsm_ticket_create((itsm_engine*)arg, "alice",
                       "{\"kind\":\"incident\",\"title\":\"From a thread\"}", &t);
    itsm_free(t);
    return NULL;
}

struct unsubscriber {
    itsm_engine* engine;
    uint64_t subscription;
    int rc;
};

static void* unsubscribe_one(void* arg) {
    struct unsubscriber* u = (struct unsubscriber*)arg;
    u->rc = itsm_engine_unsubscribe(u->engine, u->subscription);
    return NULL;
}

/* Unsubscribing from another thread while the callback runs waits for it to return: the
 * destructor never runs while the callback is in flight. */
static void test_observer_threads(void) {
    itsm_engine* e = NULL;
    struct gate g;
    struct unsubscriber u;
    pthread_t creator, remover;
    int spins;

    memset(&g, 0, sizeof g);
    CHECK_RC(itsm_engine_open_memory(NULL, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    u.engine = e;
    u.rc = 1;
    CHECK_RC(itsm_engine_subscribe(e, on_gated_event, on_gated_destroy, &g, &u.subscription),
             ITSM_OK);
    pthread_create(&creator, NULL, create_one, e);
    while (!atomic_load(&g.entered))
        sched_yield();
    pthread_create(&remover, NULL, unsubscribe_one, &u);
    /* give the remover time to reach the wait; it must not destroy meanwhile */
    for (spins = 0; spins < 2000; ++spins)
        sched_yield();
    CHECK(atomic_load(&g.destroyed) == 0);
    atomic_store(&g.release, 1);
    pthread_join(remover, NULL);
    pthread_join(creator, NULL);
    CHECK(u.rc == ITSM_OK);
    CHECK(atomic_load(&g.destroyed) == 1);
    CHECK(atomic_load(&g.destroyed_while_running) == 0);
    itsm_engine_close(e);
    CHECK(atomic_load(&g.destroyed) == 1);
}
#endif

/* ---- Configuration at once ------------------------------------------------------------ */

#define CONFIG_CALENDARS                                                           \
    "\"calendars\":{\"calendars\":{\"office\":{\"time_zone\":\"UTC\",\"weekly\":{" \
    "\"mon\":[[\"09:00\",\"17:00\"]]}}}}"
#define CONFIG_POLICIES                                                                       \
    "\"sla_policies\":{\"sla_policies\":{\"gold\":{\"calendar\":\"office\",\"applies_when\":" \
    "{\"kinds\":[\"incident\"]},\"metrics\":{\"resolution\":{\"targets\":{\"2\":\"PT8H\"}}}}}}"
#define CONFIG_DIRECTORY                                                                  \
    "\"directory\":{\"users\":[{\"id\":\"alice\"},{\"id\":\"bob\"}],\"groups\":[{\"id\":" \
    "\"admins\",\"members\":[\"alice\",\"bob\"]}]}"
#define CONFIG_TAXONOMY "\"taxonomy\":{\"categories\":[{\"id\":\"network\",\"name\":\"Network\"}]}"

/* The configuration of `e` that a document can change and a C host can read, as one text. */
static char* config_state(itsm_engine* e) {
    char *cal = NULL, *pol = NULL, *tax = NULL, *all;
    size_t n;
    itsm_engine_calendars_json(e, "alice", &cal);
    itsm_engine_sla_policies_json(e, "alice", &pol);
    itsm_engine_taxonomy_json(e, "alice", &tax);
    n = strlen(cal ? cal : "") + strlen(pol ? pol : "") + strlen(tax ? tax : "") + 3;
    all = (char*)malloc(n);
    if (all) snprintf(all, n, "%s|%s|%s", cal ? cal : "", pol ? pol : "", tax ? tax : "");
    itsm_free(cal);
    itsm_free(pol);
    itsm_free(tax);
    return all;
}

/* Loads `json` and checks the status, that the message has `part`, and that the readable
 * configuration did not change. */
static void config_refused(itsm_engine* e, const char* actor, const char* json, int want,
                           const char* part) {
    char* before = config_state(e);
    char* after;
    CHECK_RC(itsm_engine_load_config_json(e, actor, json), want);
    if (!has(itsm_last_error(), part))
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", itsm_last_error(), part);
    CHECK(has(itsm_last_error(), part));
    after = config_state(e);
    CHECK(before && after && strcmp(before, after) == 0);
    free(before);
    free(after);
}

static void test_load_config(void) {
    itsm_engine* e = NULL;
    const char* system = NULL;
    char* out = NULL;
    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK);
    admit(e);
    if (!e) return;
    CHECK_RC(itsm_engine_system_actor(e, &system), ITSM_OK);

    /* sections are checked against the sections before them in the same document */
    CHECK_RC(itsm_engine_load_config_json(e, "alice",
                                          "{" CONFIG_DIRECTORY "," CONFIG_POLICIES
                                          "," CONFIG_CALENDARS "," CONFIG_TAXONOMY "}"),
             ITSM_OK);
    CHECK_RC(itsm_engine_sla_policies_json(e, "alice", &out), ITSM_OK);
    CHECK(has(out, "\"gold\":{"));
    itsm_free(out);
    CHECK_RC(itsm_engine_taxonomy_json(e, "alice", &out), ITSM_OK);
    CHECK(has(out, "\"id\":\"network\""));
    itsm_free(out);
    CHECK_RC(itsm_engine_load_config_json(e, "alice", "{}"), ITSM_OK);

    /* refusals name the document and the path in it, and leave everything as it was */
    config_refused(e, "alice", "{" CONFIG_CALENDARS ",", ITSM_E_INVALID_CONFIG,
                   "config_json: not valid JSON");
    config_refused(e, "alice", "[]", ITSM_E_INVALID_CONFIG, "config_json: expected an object");
    config_refused(e, "alice", "{" CONFIG_TAXONOMY ",\"sla\":{}}", ITSM_E_INVALID_CONFIG,
                   "config_json: sla: unknown section");
    config_refused(e, "alice",
                   "{\"calendars\":{\"calendars\":{}}," CONFIG_TAXONOMY
                   ",\"sla_policies\":{\"sla_policies\":{\"gold\":{\"calendar\":\"office\"}}}}",
                   ITSM_E_INVALID_CONFIG, "config_json: sla_policies.sla_policies.gold");
    config_refused(e, "alice",
                   "{" CONFIG_CALENDARS
                   ",\"taxonomy\":{\"categories\":[{\"id\":\"a\","
                   "\"name\":\"A\",\"parent\":\"b\"}]}}",
                   ITSM_E_INVALID_CONFIG,
                   "config_json: taxonomy.categories[0].parent: unknown category \"b\"");
    config_refused(e, "alice", "{\"workflows\":{\"workflows\":{\"w\":{\"kind\":\"nothing\"}}}}",
                   ITSM_E_INVALID_CONFIG, "config_json: workflows.workflows.w");
    config_refused(e, "alice",
                   "{\"directory\":{\"users\":[{\"id\":\"alice\"}]},\"access\":"
                   "{\"segments\":[{\"id\":\"global\"}],\"roles\":[{\"preset\":\"administrator\"}],"
                   "\"grants\":[{\"user\":\"zed\",\"role\":\"administrator\",\"segment\":\"*\"}]}}",
                   ITSM_E_INVALID_CONFIG,
                   "config_json: access.grants[0].user: unknown user \"zed\"");
    /* refused while applying (the setter checks the calendars against the policies in
     * force): the directory set before is put back */
    config_refused(e, "alice", "{" CONFIG_DIRECTORY ",\"calendars\":{\"calendars\":{}}}",
                   ITSM_E_INVALID_CONFIG,
                   "config_json: calendars.calendars.office: used by SLA policy \"gold\" "
                   "(nothing was applied)");
    /* the new access policy takes manage.taxonomy from alice, so the taxonomy after it is
     * refused, and the directory, calendars and access set before it are put back (alice can
     * still configure afterwards) */
    config_refused(e, "alice",
                   "{" CONFIG_DIRECTORY "," CONFIG_CALENDARS
                   ",\"access\":{"
                   "\"segments\":[{\"id\":\"global\"}],\"roles\":[{\"preset\":"
                   "\"administrator\"}],\"grants\":[{\"user\":\"bob\",\"role\":"
                   "\"administrator\",\"segment\":\"*\"}]},\"taxonomy\":{\"categories\":[]}}",
                   ITSM_E_PERMISSION_DENIED, "config_json: taxonomy");
    CHECK_RC(itsm_engine_load_config_json(e, "alice", "{" CONFIG_TAXONOMY "}"), ITSM_OK);
    config_refused(e, "mallory", "{" CONFIG_TAXONOMY "}", ITSM_E_PERMISSION_DENIED,
                   "config_json: taxonomy");
    CHECK_RC(itsm_engine_load_config_json(e, "alice", NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_load_config_json(NULL, "alice", "{}"), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_load_config_file(e, "alice", NULL), ITSM_E_INVALID_ARGUMENT);
    CHECK_RC(itsm_engine_load_config_file(e, NULL, "x.json"), ITSM_E_INVALID_ARGUMENT);
    itsm_engine_close(e);
}

static void test_load_config_file(void) {
#ifdef HAVE_POSIX
    char dir[] = "/tmp/itsm-capi-XXXXXX";
    char good[64], bad[64], missing[64];
    FILE* f;
    itsm_engine* e = NULL;
    char* out = NULL;
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    snprintf(good, sizeof good, "%s/desk.json", dir);
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    snprintf(missing, sizeof missing, "%s/missing.json", dir);
    f = fopen(good, "w");
    if (f) {
        fputs("{" CONFIG_CALENDARS ",\n" CONFIG_POLICIES "}\n", f);
        fclose(f);
    }
    f = fopen(bad, "w");
    if (f) {
        fputs("{" CONFIG_CALENDARS ",\n\"scorecard\":{\"nonsense\":1}}\n", f);
        fclose(f);
    }
    CHECK_RC(itsm_engine_open_memory_at(NULL, T0, &e), ITSM_OK);
    admit(e);
    if (e) {
        CHECK_RC(itsm_engine_load_config_file(e, "alice", missing), ITSM_E_NOT_FOUND);
        CHECK(has(itsm_last_error(), missing));
        CHECK(has(itsm_last_error(), "cannot be read"));
        CHECK_RC(itsm_engine_load_config_file(e, "alice", bad), ITSM_E_INVALID_CONFIG);
        CHECK(has(itsm_last_error(), "bad.json: scorecard.nonsense"));
        CHECK_RC(itsm_engine_calendars_json(e, "alice", &out), ITSM_OK);
        CHECK(!has(out, "office")); /* the calendars before it were not applied */
        itsm_free(out);
        CHECK_RC(itsm_engine_load_config_file(e, "alice", good), ITSM_OK);
        CHECK_RC(itsm_engine_sla_policies_json(e, "alice", &out), ITSM_OK);
        CHECK(has(out, "\"gold\":{"));
        itsm_free(out);
        itsm_engine_close(e);
    }
    remove(good);
    remove(bad);
    remove(dir);
#endif
}

int main(void) {
    test_version();
    test_open_close();
    test_open_sqlite();
    test_open_postgresql();
    test_create_get_update();
    test_create_refusals();
    test_comments();
    test_links();
    test_query_paging();
    test_history();
    test_null_arguments();
    test_manual_clock();
    test_taxonomy_and_routing();
    test_access();
    test_workflows();
    test_metrics();
    test_calendar();
    test_sla();
    test_custom_store();
    test_observers();
    test_nested_observers();
    test_load_config();
    test_load_config_file();
#ifdef HAVE_PTHREADS
    test_threads();
    test_observer_threads();
    test_clock_threads();
#endif
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

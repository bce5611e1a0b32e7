/* A store written in plain C through libitsm's callback table: tickets, events, counters
 * and meta values in growing arrays, found by linear search (a test store, not a fast one).
 * It checks versions and keys itself, as a host's store must, and takes a batch back from a
 * copy of its tickets made when the batch began. Allocation failures abort: it is a test. */
#include "c_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t id, version;
    char* key;
    char* record;
} ticket_row;

typedef struct {
    uint64_t seq, ticket;
    char* record;
} event_row;

typedef struct {
    char* name;
    char* value;
    uint64_t number; /* counters: the last key number given for the kind */
} named_row;

typedef struct {
    void* items;
    size_t count, capacity;
} array;

struct c_store {
    int refs;
    array tickets;  /* ticket_row */
    array events;   /* event_row, in seq order */
    array counters; /* named_row: kind -> number */
    array meta;     /* named_row: key -> value */
    uint64_t last_id, last_seq;
    int in_batch;
    array saved_tickets; /* the tickets when the batch began */
    size_t saved_events;
    uint64_t saved_seq;
    char fail_callback[32];
    int fail_status;
    char fail_message[256];
};

static int freed_count = 0;

static void* xmalloc(size_t n) {
    void* p = malloc(n ? n : 1);
    if (!p) abort();
    return p;
}

static char* xstrdup(const char* s) {
    size_t n = strlen(s) + 1;
    char* p = (char*)xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* Room for one more item of `size` bytes; returns it. */
static void* push(array* a, size_t size) {
    if (a->count == a->capacity) {
        size_t cap = a->capacity ? a->capacity * 2 : 16;
        void* p = realloc(a->items, cap * size);
        if (!p) abort();
        a->items = p;
        a->capacity = cap;
    }
    return (char*)a->items + size * a->count++;
}

#define ROWS(a, type) ((type*)(a).items)

static void free_tickets(array* a) {
    size_t i;
    for (i = 0; i < a->count; ++i) {
        free(ROWS(*a, ticket_row)[i].key);
        free(ROWS(*a, ticket_row)[i].record);
    }
    free(a->items);
    memset(a, 0, sizeof *a);
}

static void copy_tickets(array* to, const array* from) {
    size_t i;
    memset(to, 0, sizeof *to);
    for (i = 0; i < from->count; ++i) {
        const ticket_row* src = &ROWS(*from, ticket_row)[i];
        ticket_row* dst = (ticket_row*)push(to, sizeof(ticket_row));
        dst->id = src->id;
        dst->version = src->version;
        dst->key = xstrdup(src->key);
        dst->record = xstrdup(src->record);
    }
}

static void free_named(array* a) {
    size_t i;
    for (i = 0; i < a->count; ++i) {
        free(ROWS(*a, named_row)[i].name);
        free(ROWS(*a, named_row)[i].value);
    }
    free(a->items);
}

static ticket_row* ticket_by_id(c_store* s, uint64_t id) {
    size_t i;
    for (i = 0; i < s->tickets.count; ++i)
        if (ROWS(s->tickets, ticket_row)[i].id == id) return &ROWS(s->tickets, ticket_row)[i];
    return NULL;
}

static ticket_row* ticket_by_key(c_store* s, const char* key) {
    size_t i;
    for (i = 0; i < s->tickets.count; ++i)
        if (strcmp(ROWS(s->tickets, ticket_row)[i].key, key) == 0)
            return &ROWS(s->tickets, ticket_row)[i];
    return NULL;
}

static named_row* named(array* a, const char* name, int create) {
    size_t i;
    named_row* row;
    for (i = 0; i < a->count; ++i)
        if (strcmp(ROWS(*a, named_row)[i].name, name) == 0) return &ROWS(*a, named_row)[i];
    if (!create) return NULL;
    row = (named_row*)push(a, sizeof(named_row));
    row->name = xstrdup(name);
    row->value = NULL;
    row->number = 0;
    return row;
}

/* A failure asked for with c_store_fail_next(), once. */
static int injected(c_store* s, const char* callback, itsm_store_result* result) {
    int status;
    if (strcmp(s->fail_callback, callback) != 0) return ITSM_OK;
    s->fail_callback[0] = '\0';
    status = s->fail_status;
    itsm_store_result_set_error(result, s->fail_message);
    return status;
}

static int refuse(itsm_store_result* result, int status, const char* message) {
    itsm_store_result_set_error(result, message);
    return status;
}

/* ---- The callbacks ---------------------------------------------------------------------- */

static int cb_get(uint64_t id, itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    ticket_row* t;
    int rc = injected(s, "get", result);
    if (rc) return rc;
    t = ticket_by_id(s, id);
    return t ? itsm_store_result_add(result, t->record) : ITSM_OK;
}

static int cb_get_by_key(const char* key, itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    ticket_row* t;
    int rc = injected(s, "get_by_key", result);
    if (rc) return rc;
    t = ticket_by_key(s, key);
    return t ? itsm_store_result_add(result, t->record) : ITSM_OK;
}

static int cb_scan(itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    size_t i;
    int rc = injected(s, "scan", result);
    for (i = 0; rc == ITSM_OK && i < s->tickets.count; ++i)
        rc = itsm_store_result_add(result, ROWS(s->tickets, ticket_row)[i].record);
    return rc;
}

static int cb_history(uint64_t ticket, itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    size_t i;
    int rc = injected(s, "history", result);
    for (i = 0; rc == ITSM_OK && i < s->events.count; ++i)
        if (ROWS(s->events, event_row)[i].ticket == ticket)
            rc = itsm_store_result_add(result, ROWS(s->events, event_row)[i].record);
    return rc;
}

static int cb_size(uint64_t* count, itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    int rc = injected(s, "size", result);
    if (rc) return rc;
    *count = s->tickets.count;
    return ITSM_OK;
}

static int cb_allocate(const char* kind, uint64_t* id, uint64_t* number, itsm_store_result* result,
                       void* user_data) {
    c_store* s = (c_store*)user_data;
    named_row* counter;
    int rc = injected(s, "allocate", result);
    if (rc) return rc;
    counter = named(&s->counters, kind, 1);
    *id = ++s->last_id;
    *number = ++counter->number;
    return ITSM_OK;
}

/* Refuses the commit when a write does not fit the stored tickets or an earlier write. */
static int check_writes(c_store* s, itsm_store_commit* commit, uint64_t n,
                        itsm_store_result* result) {
    char message[200];
    uint64_t i, j;
    for (i = 0; i < n; ++i) {
        uint64_t id, version, expected;
        const char *key, *record;
        ticket_row* stored;
        itsm_store_commit_ticket(commit, i, &id, &key, &version, &expected, &record);
        stored = ticket_by_id(s, id);
        if (expected == 0 && stored) {
            snprintf(message, sizeof message, "ticket %llu already exists", (unsigned long long)id);
            return refuse(result, ITSM_E_CONFLICT, message);
        }
        if (expected == 0 && ticket_by_key(s, key)) {
            snprintf(message, sizeof message, "key %s is already taken", key);
            return refuse(result, ITSM_E_CONFLICT, message);
        }
        if (expected != 0 && (!stored || stored->version != expected)) {
            snprintf(message, sizeof message, "ticket %llu is not at version %llu",
                     (unsigned long long)id, (unsigned long long)expected);
            return refuse(result, ITSM_E_CONFLICT, message);
        }
        for (j = 0; j < i; ++j) {
            uint64_t id2, version2, expected2;
            const char *key2, *record2;
            itsm_store_commit_ticket(commit, j, &id2, &key2, &version2, &expected2, &record2);
            if (expected == 0 && (id2 == id || strcmp(key2, key) == 0))
                return refuse(result, ITSM_E_CONFLICT, "one commit writes a new ticket twice");
        }
    }
    return ITSM_OK;
}

static int cb_commit(itsm_store_commit* commit, itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    uint64_t n_tickets, n_events, i;
    event_row* numbered;
    int rc = injected(s, "commit", result);
    if (rc) return rc;
    itsm_store_commit_counts(commit, &n_tickets, &n_events);
    rc = check_writes(s, commit, n_tickets, result);
    if (rc) return rc;
    /* Number the events before anything changes: nothing below can fail. */
    numbered = (event_row*)xmalloc(sizeof(event_row) * (size_t)(n_events ? n_events : 1));
    for (i = 0; i < n_events; ++i) {
        const char* record;
        numbered[i].seq = s->last_seq + 1 + i;
        rc = itsm_store_commit_event(commit, i, numbered[i].seq, &numbered[i].ticket, &record);
        if (rc) {
            while (i-- > 0)
                free(numbered[i].record);
            free(numbered);
            return refuse(result, rc, "itsm_store_commit_event failed");
        }
        numbered[i].record = xstrdup(record);
    }
    for (i = 0; i < n_tickets; ++i) {
        uint64_t id, version, expected;
        const char *key, *record;
        ticket_row* row;
        itsm_store_commit_ticket(commit, i, &id, &key, &version, &expected, &record);
        row = expected ? ticket_by_id(s, id) : (ticket_row*)push(&s->tickets, sizeof(ticket_row));
        if (expected) {
            free(row->record);
        } else {
            row->id = id;
            row->key = xstrdup(key);
        }
        row->version = version;
        row->record = xstrdup(record);
    }
    for (i = 0; i < n_events; ++i)
        *(event_row*)push(&s->events, sizeof(event_row)) = numbered[i];
    s->last_seq += n_events;
    free(numbered);
    return ITSM_OK;
}

static int cb_meta_get(const char* key, itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    named_row* row;
    int rc = injected(s, "meta_get", result);
    if (rc) return rc;
    row = named(&s->meta, key, 0);
    return row ? itsm_store_result_add(result, row->value) : ITSM_OK;
}

static int cb_meta_set(const char* key, const char* value, itsm_store_result* result,
                       void* user_data) {
    c_store* s = (c_store*)user_data;
    named_row* row;
    int rc = injected(s, "meta_set", result);
    if (rc) return rc;
    row = named(&s->meta, key, 1);
    free(row->value);
    row->value = xstrdup(value);
    return ITSM_OK;
}

static int cb_begin_batch(itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    int rc = injected(s, "begin_batch", result);
    if (rc) return rc;
    if (s->in_batch) return refuse(result, ITSM_E_STORAGE, "a batch is already open");
    copy_tickets(&s->saved_tickets, &s->tickets);
    s->saved_events = s->events.count;
    s->saved_seq = s->last_seq;
    s->in_batch = 1;
    return ITSM_OK;
}

static int cb_end_batch(int keep, itsm_store_result* result, void* user_data) {
    c_store* s = (c_store*)user_data;
    int rc = injected(s, "end_batch", result);
    if (!s->in_batch) return refuse(result, ITSM_E_STORAGE, "no batch is open");
    /* Keeping can fail (an injected failure): then the batch is taken back, as promised. */
    if (keep && rc == ITSM_OK) {
        free_tickets(&s->saved_tickets);
    } else {
        free_tickets(&s->tickets);
        s->tickets = s->saved_tickets;
        memset(&s->saved_tickets, 0, sizeof s->saved_tickets);
        while (s->events.count > s->saved_events)
            free(ROWS(s->events, event_row)[--s->events.count].record);
        s->last_seq = s->saved_seq;
    }
    s->in_batch = 0;
    return rc;
}

static void cb_destroy(void* user_data) {
    c_store_release((c_store*)user_data);
}

/* ---- The functions of c_store.h --------------------------------------------------------- */

c_store* c_store_new(void) {
    c_store* s = (c_store*)calloc(1, sizeof(c_store));
    if (s) s->refs = 1;
    return s;
}

void c_store_release(c_store* s) {
    size_t i;
    if (!s || --s->refs > 0) return;
    free_tickets(&s->tickets);
    free_tickets(&s->saved_tickets);
    for (i = 0; i < s->events.count; ++i)
        free(ROWS(s->events, event_row)[i].record);
    free(s->events.items);
    free_named(&s->counters);
    free_named(&s->meta);
    free(s);
    ++freed_count;
}

itsm_store_callbacks* c_store_callbacks(c_store* s) {
    itsm_store_callbacks* cb = NULL;
    if (itsm_store_callbacks_new(s, cb_destroy, &cb) != ITSM_OK) return NULL;
    ++s->refs;
    itsm_store_callbacks_set_get(cb, cb_get);
    itsm_store_callbacks_set_get_by_key(cb, cb_get_by_key);
    itsm_store_callbacks_set_scan(cb, cb_scan);
    itsm_store_callbacks_set_history(cb, cb_history);
    itsm_store_callbacks_set_size(cb, cb_size);
    itsm_store_callbacks_set_allocate(cb, cb_allocate);
    itsm_store_callbacks_set_commit(cb, cb_commit);
    itsm_store_callbacks_set_meta_get(cb, cb_meta_get);
    itsm_store_callbacks_set_meta_set(cb, cb_meta_set);
    itsm_store_callbacks_set_begin_batch(cb, cb_begin_batch);
    itsm_store_callbacks_set_end_batch(cb, cb_end_batch);
    return cb;
}

void c_store_fail_next(c_store* s, const char* callback, int status, const char* message) {
    snprintf(s->fail_callback, sizeof s->fail_callback, "%s", callback);
    snprintf(s->fail_message, sizeof s->fail_message, "%s", message);
    s->fail_status = status;
}

int c_store_freed_count(void) {
    return freed_count;
}

size_t c_store_ticket_count(const c_store* s) {
    return s->tickets.count;
}

size_t c_store_event_count(const c_store* s) {
    return s->events.count;
}

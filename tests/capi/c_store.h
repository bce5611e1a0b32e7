/* A store written in plain C, kept in arrays, given to libitsm as a table of callbacks.
 * The C++ conformance suite and the C ABI test both run on it. */
#ifndef ITSM_TEST_C_STORE_H
#define ITSM_TEST_C_STORE_H

#include "itsm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The data of one store: tickets, events, counters and meta values. Reference-counted:
 * each callback table holds one reference, and so does the caller of c_store_new(). */
typedef struct c_store c_store;

/* A new, empty store with one reference (the caller's), or NULL when out of memory. */
c_store* c_store_new(void);
/* Drops one reference; the last frees the data. NULL is a no-op. */
void c_store_release(c_store* store);
/* A new, complete callback table over the store (one more reference, dropped by the
 * table's destructor), or NULL when out of memory. */
itsm_store_callbacks* c_store_callbacks(c_store* store);
/* The next call of the named callback ("commit", "get", ...) fails with `status` and
 * `message`, without changing anything. */
void c_store_fail_next(c_store* store, const char* callback, int status, const char* message);
/* How many stores were freed so far (their last reference dropped). */
int c_store_freed_count(void);
/* How many tickets and events the store holds. */
size_t c_store_ticket_count(const c_store* store);
size_t c_store_event_count(const c_store* store);

#ifdef __cplusplus
}
#endif

#endif

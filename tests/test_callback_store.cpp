// The C ABI's custom stores: the conformance suite on a store written in plain C
// (tests/capi/c_store.c) through its callback table, and the adapter's own refusals.
#include "../src/store/callback_store.hpp"

#include "c_store.h"
#include "helpers.hpp"
#include "itsm/record.hpp"
#include "store_conformance.hpp"

using itsm_test::error_of;

namespace {

std::shared_ptr<itsm::Store> over(c_store* data) {
    return itsm::capi::callback_store(
        std::unique_ptr<itsm_store_callbacks>(c_store_callbacks(data)));
}

using Data = std::shared_ptr<c_store>;

Data new_data() {
    return Data(c_store_new(), c_store_release);
}

// A ticket ready to commit on `s`.
itsm::Ticket ticket_on(itsm::Store& s) {
    return itsm_test::conformance::fresh(s, "incident", 1, true);
}

}  // namespace

TEST_CASE("conformance: a store written in C through the callback table") {
    auto data = std::make_shared<Data>();
    itsm_test::StoreFactory f;
    f.open = [data] {
        *data = new_data();
        return over(data->get());
    };
    f.reopen = [data] { return over(data->get()); };  // the same arrays, a new table
    itsm_test::run_store_conformance(f);
}

TEST_CASE("callback store: a failing callback is a storage error with the host's message") {
    auto data = new_data();
    auto s = over(data.get());
    auto t = itsm_test::conformance::add(*s, ticket_on(*s));
    auto before = itsm::ticket_record(*s->get(t.id));

    c_store_fail_next(data.get(), "commit", ITSM_E_STORAGE, "disk full");
    auto m = error_of([&] { itsm_test::conformance::add(*s, ticket_on(*s)); }, itsm::Errc::storage);
    CHECK(m == "store.commit: disk full");
    CHECK(s->size() == 1);
    CHECK(c_store_event_count(data.get()) == 1);

    c_store_fail_next(data.get(), "get", -42, "");
    m = error_of([&] { s->get(t.id); }, itsm::Errc::storage);
    CHECK(m == "store.get: failed with status -42");
    c_store_fail_next(data.get(), "scan", ITSM_E_STORAGE, "offline");
    m = error_of([&] { s->query(itsm::Query{}); }, itsm::Errc::storage);
    CHECK(m == "store.scan: offline");
    c_store_fail_next(data.get(), "history", ITSM_E_STORAGE, "offline");
    error_of([&] { s->history(t.id); }, itsm::Errc::storage);
    c_store_fail_next(data.get(), "allocate", ITSM_E_STORAGE, "no numbers");
    error_of([&] { s->allocate("incident"); }, itsm::Errc::storage);
    c_store_fail_next(data.get(), "meta_set", ITSM_E_STORAGE, "read-only");
    error_of([&] { s->set_meta("k", "v"); }, itsm::Errc::storage);
    CHECK_FALSE(s->meta("k"));

    // A conflict from the host stays a conflict.
    c_store_fail_next(data.get(), "commit", ITSM_E_CONFLICT, "someone else wrote it");
    m = error_of([&] { itsm_test::conformance::add(*s, ticket_on(*s)); }, itsm::Errc::conflict);
    CHECK(m == "store.commit: someone else wrote it");
    CHECK(itsm::ticket_record(*s->get(t.id)) == before);
    CHECK(s->size() == 1);
}

TEST_CASE("callback store: a batch whose end fails is taken back") {
    auto data = new_data();
    auto s = over(data.get());
    s->begin_batch();
    auto t = itsm_test::conformance::add(*s, ticket_on(*s));
    c_store_fail_next(data.get(), "end_batch", ITSM_E_STORAGE, "commit failed");
    error_of([&] { s->end_batch(true); }, itsm::Errc::storage);
    CHECK(s->get(t.id) == nullptr);
    CHECK(s->size() == 0);
    // No batch is open any more: ending it again is a bug of the caller.
    error_of([&] { s->end_batch(false); }, itsm::Errc::internal);
}

TEST_CASE("callback store: an incomplete table is refused naming the callback") {
    int freed = c_store_freed_count();
    {
        auto data = new_data();
        std::unique_ptr<itsm_store_callbacks> cb(c_store_callbacks(data.get()));
        cb->history = nullptr;
        auto m = error_of([&] { itsm::capi::callback_store(std::move(cb)); },
                          itsm::Errc::invalid_argument);
        CHECK(m == "callbacks: the history callback is not set");
    }
    // The refused table was destroyed: its reference and the caller's are both gone.
    CHECK(c_store_freed_count() == freed + 1);
}

TEST_CASE("callback store: records the host gives back are checked") {
    int dummy = 0;
    itsm_store_callbacks* raw = nullptr;
    REQUIRE(itsm_store_callbacks_new(&dummy, nullptr, &raw) == ITSM_OK);
    std::unique_ptr<itsm_store_callbacks> cb(raw);
    auto data = new_data();
    std::unique_ptr<itsm_store_callbacks> real(c_store_callbacks(data.get()));
    cb->user_data = data.get();
    cb->get = [](uint64_t, itsm_store_result* r, void*) {
        itsm_store_result_add(r, "{\"id\":1}");
        return ITSM_OK;
    };
    cb->get_by_key = [](const char*, itsm_store_result* r, void*) {
        itsm_store_result_add(r, "{}");
        itsm_store_result_add(r, "{}");
        return ITSM_OK;
    };
    cb->scan = real->scan;
    cb->history = real->history;
    cb->size = real->size;
    cb->allocate = real->allocate;
    // A commit callback that forgets to number the events.
    cb->commit = [](itsm_store_commit*, itsm_store_result*, void*) { return ITSM_OK; };
    cb->meta_get = real->meta_get;
    cb->meta_set = real->meta_set;
    cb->begin_batch = real->begin_batch;
    cb->end_batch = real->end_batch;
    auto s = itsm::capi::callback_store(std::move(cb));
    auto m = error_of([&] { s->get(1); }, itsm::Errc::storage);
    CHECK(m.find("missing from the stored ticket") != std::string::npos);
    m = error_of([&] { s->get_by_key("INC1"); }, itsm::Errc::storage);
    CHECK(m == "store.get_by_key: added 2 texts where at most one was expected");
    itsm::Commit c;
    c.events.push_back(
        itsm_test::conformance::event_for(ticket_on(*s), itsm::EventType::comment, 1));
    m = error_of([&] { s->commit(c); }, itsm::Errc::storage);
    CHECK(m == "store.commit: event 0 was not numbered (itsm_store_commit_event)");
}

TEST_CASE("callback store: the host's functions refuse bad arguments") {
    itsm_store_callbacks* cb = nullptr;
    CHECK(itsm_store_callbacks_new(nullptr, nullptr, nullptr) == ITSM_E_INVALID_ARGUMENT);
    REQUIRE(itsm_store_callbacks_new(nullptr, nullptr, &cb) == ITSM_OK);
    CHECK(itsm_store_callbacks_set_get(cb, nullptr) == ITSM_E_INVALID_ARGUMENT);
    CHECK(itsm_store_callbacks_set_scan(nullptr, cb->scan) == ITSM_E_INVALID_ARGUMENT);
    itsm_store_callbacks_free(cb);
    itsm_store_callbacks_free(nullptr);
    CHECK(itsm_store_result_add(nullptr, "x") == ITSM_E_INVALID_ARGUMENT);
    itsm_store_result r;
    CHECK(itsm_store_result_add(&r, nullptr) == ITSM_E_INVALID_ARGUMENT);
    CHECK(itsm_store_result_set_error(&r, nullptr) == ITSM_E_INVALID_ARGUMENT);
    itsm_store_commit c;
    std::vector<itsm::Event> events(1);
    c.events = &events;
    c.event_records.resize(1);
    std::uint64_t id = 0, n = 0, v = 0, ticket = 0;
    const char *key = nullptr, *record = nullptr;
    CHECK(itsm_store_commit_ticket(&c, 0, &id, &key, &v, &n, &record) == ITSM_E_INVALID_ARGUMENT);
    CHECK(itsm_store_commit_event(&c, 1, 5, &ticket, &record) == ITSM_E_INVALID_ARGUMENT);
    CHECK(itsm_store_commit_event(&c, 0, 0, &ticket, &record) == ITSM_E_INVALID_ARGUMENT);
    CHECK(itsm_store_commit_event(&c, 0, 5, &ticket, &record) == ITSM_OK);
    CHECK(itsm::event_from_record(record).seq == 5);
    CHECK(events[0].seq == 5);
}

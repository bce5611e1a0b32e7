// A host's store through the C ABI: the itsm::Store that calls a table of callbacks, and the
// C functions with which a host fills the table and answers the calls.
#include "callback_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <new>
#include <utility>

#include "itsm/error.hpp"
#include "itsm/record.hpp"

namespace itsm::capi {
namespace {

class CallbackStore final : public Store {
  public:
    explicit CallbackStore(std::unique_ptr<itsm_store_callbacks> cb) : cb_(std::move(cb)) {}

    TicketPtr get(TicketId id) const override {
        auto r = call("get", [&](itsm_store_result* res) { return cb_->get(id, res, ud()); });
        return one_ticket("get", r);
    }
    TicketPtr get_by_key(std::string_view key) const override {
        std::string k(key);
        auto r = call("get_by_key", [&](itsm_store_result* res) {
            return cb_->get_by_key(k.c_str(), res, ud());
        });
        return one_ticket("get_by_key", r);
    }
    Page query(const Query& q) const override;
    std::size_t count(const Query& q) const override {
        std::size_t n = 0;
        for (const auto& t : scan())
            n += q.matches(*t);
        return n;
    }
    std::vector<Event> history(TicketId id) const override {
        auto r =
            call("history", [&](itsm_store_result* res) { return cb_->history(id, res, ud()); });
        std::vector<Event> out;
        out.reserve(r.texts.size());
        for (const auto& text : r.texts)
            out.push_back(event_from_record(text));
        return out;
    }
    std::size_t size() const override {
        std::uint64_t n = 0;
        call("size", [&](itsm_store_result* res) { return cb_->size(&n, res, ud()); });
        return static_cast<std::size_t>(n);
    }
    std::pair<TicketId, std::uint64_t> allocate(Symbol kind) override {
        std::uint64_t id = 0, number = 0;
        std::string k = kind.str();
        call("allocate", [&](itsm_store_result* res) {
            return cb_->allocate(k.c_str(), &id, &number, res, ud());
        });
        if (id == 0 || number == 0)
            throw Error(Errc::storage, "store.allocate", "gave id or number 0");
        return {id, number};
    }
    void commit(Commit& c) override;
    std::optional<std::string> meta(std::string_view key) const override {
        std::string k(key);
        auto r = call("meta_get",
                      [&](itsm_store_result* res) { return cb_->meta_get(k.c_str(), res, ud()); });
        if (r.texts.size() > 1) too_many("meta_get", r.texts.size());
        if (r.texts.empty()) return std::nullopt;
        return std::move(r.texts.front());
    }
    void set_meta(std::string_view key, std::string_view value) override {
        std::string k(key), v(value);
        call("meta_set", [&](itsm_store_result* res) {
            return cb_->meta_set(k.c_str(), v.c_str(), res, ud());
        });
    }
    void begin_batch() override {
        if (in_batch_) throw Error(Errc::internal, "batch", "batches do not nest");
        call("begin_batch", [&](itsm_store_result* res) { return cb_->begin_batch(res, ud()); });
        in_batch_ = true;
    }
    void end_batch(bool keep) override {
        if (!in_batch_) throw Error(Errc::internal, "batch", "no batch is open");
        in_batch_ = false;  // a failed end leaves no batch open: the host took it back
        call("end_batch",
             [&](itsm_store_result* res) { return cb_->end_batch(keep ? 1 : 0, res, ud()); });
    }

  private:
    void* ud() const noexcept { return cb_->user_data; }

    // Runs one callback; a failure becomes Error(conflict) or Error(storage) with the host's
    // message, named after the callback.
    template <class Fn>
    itsm_store_result call(const char* name, Fn&& fn) const {
        itsm_store_result r;
        int status = fn(&r);
        if (status == ITSM_OK) return r;
        std::string message =
            r.error.empty() ? fmt::format("failed with status {}", status) : std::move(r.error);
        throw Error(status == ITSM_E_CONFLICT ? Errc::conflict : Errc::storage,
                    fmt::format("store.{}", name), message);
    }
    [[noreturn]] static void too_many(const char* name, std::size_t n) {
        throw Error(Errc::storage, fmt::format("store.{}", name),
                    fmt::format("added {} texts where at most one was expected", n));
    }
    static TicketPtr one_ticket(const char* name, const itsm_store_result& r) {
        if (r.texts.size() > 1) too_many(name, r.texts.size());
        if (r.texts.empty()) return nullptr;
        return std::make_shared<const Ticket>(ticket_from_record(r.texts.front()));
    }
    std::vector<TicketPtr> scan() const {
        auto r = call("scan", [&](itsm_store_result* res) { return cb_->scan(res, ud()); });
        std::vector<TicketPtr> out;
        out.reserve(r.texts.size());
        for (const auto& text : r.texts)
            out.push_back(std::make_shared<const Ticket>(ticket_from_record(text)));
        return out;
    }

    std::unique_ptr<itsm_store_callbacks> cb_;
    bool in_batch_ = false;  // the engine serializes writers, so no lock is needed
};

// Every matching ticket from a scan, sorted; the page starts after the cursor's position.
Page CallbackStore::query(const Query& q) const {
    validate_query(q);
    std::vector<std::pair<SortPosition, TicketPtr>> hits;
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    for (auto& t : scan()) {
        if (!q.matches(*t)) continue;
        auto pos = sort_position(*t, q.sort);
        if (after && (q.descending ? pos >= *after : pos <= *after)) continue;
        hits.emplace_back(pos, std::move(t));
    }
    auto order = [&](const auto& a, const auto& b) {
        return q.descending ? a.first > b.first : a.first < b.first;
    };
    bool more = hits.size() > q.limit;
    if (more) {
        std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(q.limit),
                          hits.end(), order);
        hits.resize(q.limit);
    } else {
        std::sort(hits.begin(), hits.end(), order);
    }
    Page page;
    for (auto& h : hits)
        page.tickets.push_back(std::move(h.second));
    if (more) page.next_cursor = encode_cursor(q.sort, q.descending, hits.back().first);
    return page;
}

void CallbackStore::commit(Commit& c) {
    itsm_store_commit handle;
    for (const auto& w : c.tickets)
        handle.tickets.push_back({w.ticket->id, w.ticket->version, w.expected_version,
                                  w.ticket->key, ticket_record(*w.ticket)});
    handle.events = &c.events;
    handle.event_records.resize(c.events.size());
    call("commit", [&](itsm_store_result* res) { return cb_->commit(&handle, res, ud()); });
    // The host numbered the events through itsm_store_commit_event.
    for (std::size_t i = 0; i < c.events.size(); ++i) {
        if (handle.event_records[i].empty())
            throw Error(Errc::storage, "store.commit",
                        fmt::format("event {} was not numbered (itsm_store_commit_event)", i));
        if (i > 0 && c.events[i].seq <= c.events[i - 1].seq)
            throw Error(Errc::storage, "store.commit",
                        fmt::format("event {} was numbered {}, not above {}", i, c.events[i].seq,
                                    c.events[i - 1].seq));
    }
}

}  // namespace

std::shared_ptr<Store> callback_store(std::unique_ptr<itsm_store_callbacks> cb) {
    const std::pair<const char*, bool> required[] = {
        {"get", cb->get != nullptr},
        {"get_by_key", cb->get_by_key != nullptr},
        {"scan", cb->scan != nullptr},
        {"history", cb->history != nullptr},
        {"size", cb->size != nullptr},
        {"allocate", cb->allocate != nullptr},
        {"commit", cb->commit != nullptr},
        {"meta_get", cb->meta_get != nullptr},
        {"meta_set", cb->meta_set != nullptr},
        {"begin_batch", cb->begin_batch != nullptr},
        {"end_batch", cb->end_batch != nullptr},
    };
    for (auto [name, set] : required)
        if (!set)
            throw Error(Errc::invalid_argument, "callbacks",
                        fmt::format("the {} callback is not set", name));
    return std::make_shared<CallbackStore>(std::move(cb));
}

}  // namespace itsm::capi

// ---- The C functions a host calls ---------------------------------------------------------
// They do not touch the last-error state: they run inside an engine call, whose own status
// and message are what the host reads afterwards.

namespace {

template <class Body>
int checked(Body&& body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return ITSM_E_NO_MEMORY;
    } catch (...) {
        return ITSM_E_INTERNAL;
    }
}

template <class Fn>
int set_callback(itsm_store_callbacks* cb, Fn itsm_store_callbacks::*member, Fn fn) noexcept {
    if (!cb || !fn) return ITSM_E_INVALID_ARGUMENT;
    cb->*member = fn;
    return ITSM_OK;
}

}  // namespace

extern "C" {

ITSM_API int itsm_store_callbacks_new(void* user_data, itsm_store_destroy_fn destroy,
                                      itsm_store_callbacks** out) {
    if (!out) return ITSM_E_INVALID_ARGUMENT;
    *out = nullptr;
    auto* cb = new (std::nothrow) itsm_store_callbacks;
    if (!cb) return ITSM_E_NO_MEMORY;
    cb->user_data = user_data;
    cb->destroy = destroy;
    *out = cb;
    return ITSM_OK;
}

ITSM_API void itsm_store_callbacks_free(itsm_store_callbacks* callbacks) {
    delete callbacks;
}

ITSM_API int itsm_store_callbacks_set_get(itsm_store_callbacks* cb, itsm_store_get_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::get, fn);
}
ITSM_API int itsm_store_callbacks_set_get_by_key(itsm_store_callbacks* cb,
                                                 itsm_store_get_by_key_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::get_by_key, fn);
}
ITSM_API int itsm_store_callbacks_set_scan(itsm_store_callbacks* cb, itsm_store_scan_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::scan, fn);
}
ITSM_API int itsm_store_callbacks_set_history(itsm_store_callbacks* cb, itsm_store_history_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::history, fn);
}
ITSM_API int itsm_store_callbacks_set_size(itsm_store_callbacks* cb, itsm_store_size_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::size, fn);
}
ITSM_API int itsm_store_callbacks_set_allocate(itsm_store_callbacks* cb,
                                               itsm_store_allocate_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::allocate, fn);
}
ITSM_API int itsm_store_callbacks_set_commit(itsm_store_callbacks* cb, itsm_store_commit_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::commit, fn);
}
ITSM_API int itsm_store_callbacks_set_meta_get(itsm_store_callbacks* cb,
                                               itsm_store_meta_get_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::meta_get, fn);
}
ITSM_API int itsm_store_callbacks_set_meta_set(itsm_store_callbacks* cb,
                                               itsm_store_meta_set_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::meta_set, fn);
}
ITSM_API int itsm_store_callbacks_set_begin_batch(itsm_store_callbacks* cb,
                                                  itsm_store_begin_batch_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::begin_batch, fn);
}
ITSM_API int itsm_store_callbacks_set_end_batch(itsm_store_callbacks* cb,
                                                itsm_store_end_batch_fn fn) {
    return set_callback(cb, &itsm_store_callbacks::end_batch, fn);
}

ITSM_API int itsm_store_result_add(itsm_store_result* result, const char* text) {
    if (!result || !text) return ITSM_E_INVALID_ARGUMENT;
    return checked([&] {
        result->texts.emplace_back(text);
        return ITSM_OK;
    });
}

ITSM_API int itsm_store_result_set_error(itsm_store_result* result, const char* message) {
    if (!result || !message) return ITSM_E_INVALID_ARGUMENT;
    return checked([&] {
        result->error = message;
        return ITSM_OK;
    });
}

ITSM_API int itsm_store_commit_counts(const itsm_store_commit* commit, uint64_t* tickets,
                                      uint64_t* events) {
    if (!commit || !tickets || !events) return ITSM_E_INVALID_ARGUMENT;
    *tickets = commit->tickets.size();
    *events = commit->event_records.size();
    return ITSM_OK;
}

ITSM_API int itsm_store_commit_ticket(const itsm_store_commit* commit, uint64_t index, uint64_t* id,
                                      const char** key, uint64_t* version,
                                      uint64_t* expected_version, const char** record) {
    if (!commit || !id || !key || !version || !expected_version || !record ||
        index >= commit->tickets.size())
        return ITSM_E_INVALID_ARGUMENT;
    const auto& w = commit->tickets[index];
    *id = w.id;
    *key = w.key.c_str();
    *version = w.version;
    *expected_version = w.expected_version;
    *record = w.record.c_str();
    return ITSM_OK;
}

ITSM_API int itsm_store_commit_event(itsm_store_commit* commit, uint64_t index, uint64_t seq,
                                     uint64_t* ticket, const char** record) {
    if (!commit || !ticket || !record || seq == 0 || index >= commit->event_records.size())
        return ITSM_E_INVALID_ARGUMENT;
    return checked([&] {
        itsm::Event& e = (*commit->events)[index];
        e.seq = seq;
        commit->event_records[index] = itsm::event_record(e);
        *ticket = e.ticket;
        *record = commit->event_records[index].c_str();
        return ITSM_OK;
    });
}

}  // extern "C"

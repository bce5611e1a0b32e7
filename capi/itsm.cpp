// The C ABI over itsm::Engine. Every entry point runs its body through guarded(), which
// turns exceptions into status codes and records the thread's last error.
#include "itsm.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../src/store/callback_store.hpp"
#include "itsm/access.hpp"
#include "itsm/calendar.hpp"
#include "itsm/config.hpp"
#include "itsm/engine.hpp"
#include "itsm/error.hpp"
#include "itsm/json.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/metrics.hpp"
#include "itsm/routing.hpp"
#include "itsm/sqlite_store.hpp"
#include "itsm/taxonomy.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"
#include "itsm/workflow.hpp"
// The JSON writer's C-string form of a ticket, for the hot calls (create, get, update).
#include "../src/json_out.hpp"

static_assert(ITSM_VERSION_NUMBER == ITSM_VERSION_NUMBER_CPP,
              "itsm.h and itsm/version.hpp disagree on the version");
static_assert(ITSM_E_INVALID_ARGUMENT == -static_cast<int>(itsm::Errc::invalid_argument) &&
                  ITSM_E_NOT_FOUND == -static_cast<int>(itsm::Errc::not_found) &&
                  ITSM_E_PERMISSION_DENIED == -static_cast<int>(itsm::Errc::permission_denied) &&
                  ITSM_E_INVALID_TRANSITION == -static_cast<int>(itsm::Errc::invalid_transition) &&
                  ITSM_E_VALIDATION_FAILED == -static_cast<int>(itsm::Errc::validation_failed) &&
                  ITSM_E_CONFLICT == -static_cast<int>(itsm::Errc::conflict) &&
                  ITSM_E_INVALID_CONFIG == -static_cast<int>(itsm::Errc::invalid_config) &&
                  ITSM_E_STORAGE == -static_cast<int>(itsm::Errc::storage) &&
                  ITSM_E_INTERNAL == -static_cast<int>(itsm::Errc::internal),
              "itsm.h status codes must mirror itsm::Errc");

namespace itsm::capi {
// The C observers of one engine (defined with the observer functions below).
struct ObserverTable;
void end_all(ObserverTable& table) noexcept;
struct ObserverTableHolder {
    std::unique_ptr<ObserverTable> table;
    ObserverTableHolder();
    ~ObserverTableHolder();
};
}  // namespace itsm::capi

// The handle. `clock` is set only for an engine on a manual clock. `system_actor` is the
// engine's secret spelling of Actor::system() (see itsm_engine_system_actor). `observers`
// comes first so that it is destroyed after the engine: no event is delivered any more
// when the destructors of the remaining subscriptions run.
struct itsm_engine {
    itsm::capi::ObserverTableHolder observers;
    std::shared_ptr<itsm::ManualClock> clock;
    itsm::Engine engine;
    std::string system_actor;
};

// The calendar handle.
struct itsm_calendar {
    itsm::CalendarPtr calendar;
};

// "major.minor.patch", spelled from the version macros.
#define ITSM_STRINGIFY_(x) #x
#define ITSM_STRINGIFY(x) ITSM_STRINGIFY_(x)
#define ITSM_VERSION_TEXT              \
    ITSM_STRINGIFY(ITSM_VERSION_MAJOR) \
    "." ITSM_STRINGIFY(ITSM_VERSION_MINOR) "." ITSM_STRINGIFY(ITSM_VERSION_PATCH)

namespace {

// Instants the JSON text can represent: years 0000 to 9999.
constexpr std::int64_t min_micros = -62167219200LL * 1000000;
constexpr std::int64_t max_micros = 253402300800LL * 1000000 - 1;

// ---- Last error, per thread ---------------------------------------------------------

struct LastError {
    int code = ITSM_OK;
    std::string message;
    bool out_of_memory = false;  // the message itself could not be stored
};
thread_local LastError last;

void clear_error() noexcept {
    last.code = ITSM_OK;
    last.message.clear();
    last.out_of_memory = false;
}

int record_error(int code, const char* message) noexcept {
    last.code = code;
    try {
        last.message.assign(message);
        last.out_of_memory = false;
    } catch (...) {
        last.message.clear();
        last.out_of_memory = true;
    }
    return code;
}

int status_of(itsm::Errc code) noexcept {
    int c = static_cast<int>(code);
    return c >= static_cast<int>(itsm::Errc::invalid_argument) &&
                   c <= static_cast<int>(itsm::Errc::internal)
               ? -c
               : ITSM_E_INTERNAL;
}

// Runs `body`, which returns nothing or throws, and translates what it throws.
template <class Body>
int guarded(Body&& body) noexcept {
    clear_error();
    try {
        body();
        return ITSM_OK;
    } catch (const itsm::Error& e) {
        return record_error(status_of(e.code()), e.what());
    } catch (const std::bad_alloc&) {
        return record_error(ITSM_E_NO_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        try {
            return record_error(ITSM_E_INTERNAL,
                                ("internal error: " + std::string(e.what())).c_str());
        } catch (...) {
            return record_error(ITSM_E_INTERNAL, "internal error");
        }
    } catch (...) {
        return record_error(ITSM_E_INTERNAL, "internal error: unknown exception");
    }
}

// ---- Argument helpers (they throw; guarded() catches) --------------------------------

template <class T>
T* required(T* p, const char* name) {
    if (!p) throw itsm::Error(itsm::Errc::invalid_argument, name, "must not be NULL");
    return p;
}

// The system actor is recognised only by the engine's own random token, which a user id
// can match only if the host leaks it; any other text is an ordinary user.
itsm::Actor actor_of(const itsm_engine* e, const char* actor) {
    required(actor, "actor");
    if (e->system_actor == actor) return itsm::Actor::system();
    return itsm::Actor{itsm::Symbol(actor)};
}

// 128 random bits, spelled so that no valid user id looks like it by accident.
std::string new_system_token() {
    std::random_device rd;
    std::string token = "itsm-system:";
    const char* hex = "0123456789abcdef";
    for (int i = 0; i < 4; ++i) {
        auto word = static_cast<std::uint32_t>(rd());
        for (int k = 0; k < 8; ++k, word >>= 4)
            token += hex[word & 0xF];
    }
    return token;
}

itsm::LinkType link_type_of(const char* name) {
    auto type = itsm::link_type_from_string(required(name, "link_type"));
    if (!type)
        throw itsm::Error(itsm::Errc::invalid_argument, "link_type",
                          "unknown link type \"" + std::string(name) +
                              "\" (parent_of, child_of, duplicate_of, duplicated_by, related, "
                              "caused_by, causes, resolved_by_change, resolves)");
    return *type;
}

itsm::Instant instant_of(std::int64_t micros, const char* name) {
    if (micros < min_micros || micros > max_micros)
        throw itsm::Error(itsm::Errc::invalid_argument, name,
                          std::to_string(micros) + " is outside years 0000 to 9999");
    return itsm::instant_from_micros(micros);
}

itsm::ManualClock& manual_clock(itsm_engine* e) {
    required(e, "engine");
    if (!e->clock)
        throw itsm::Error(itsm::Errc::invalid_argument, "engine",
                          "runs on the system clock (open it with itsm_engine_open_memory_at)");
    return *e->clock;
}

// Configuration documents are written indented for people; the C ABI returns compact JSON.
std::string compact(const std::string& json_text) {
    return nlohmann::json::parse(json_text).dump();
}

// A malloc'ed copy that the caller releases with itsm_free.
char* owned_copy(const std::string& s) {
    auto* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size() + 1);
    return p;
}

// A result handed to the caller: a copy of a std::string, or a C string from malloc as it is.
char* handed_out(const std::string& s) {
    return owned_copy(s);
}
char* handed_out(itsm::detail::CText&& s) {
    return s.release();
}

// For the functions with a string result: *out is NULL unless `body` returns a string.
template <class Body>
int returning_text(char** out, const char* out_name, Body&& body) noexcept {
    if (out) *out = nullptr;
    return guarded([&] {
        required(out, out_name);  // before `body`: a call without a result does nothing
        auto text = body();
        *out = handed_out(std::move(text));
    });
}

// The functions on tickets: checks the engine and the actor, then runs `body`.
template <class Body>
int on_engine(itsm_engine* e, const char* actor, char** out, const char* out_name,
              Body&& body) noexcept {
    return returning_text(out, out_name, [&] {
        required(e, "engine");
        return body(e->engine, actor_of(e, actor));
    });
}

// The functions without a result: checks the engine and the actor, then runs `body`.
template <class Body>
int on_engine_void(itsm_engine* e, const char* actor, Body&& body) noexcept {
    return guarded([&] {
        required(e, "engine");
        body(e->engine, actor_of(e, actor));
    });
}

itsm::Query filter_of(const char* query_json) {
    return query_json ? itsm::query_from_json(query_json) : itsm::Query{};
}

// Opens an engine over the store named by `uri`, or the one `make_store` gives: on a manual
// clock from `start`, if given.
int open_engine(const char* schema_json, std::optional<std::int64_t> start, itsm_engine** out,
                const char* uri = "memory:",
                const std::function<std::shared_ptr<itsm::Store>()>& make_store = {}) {
    if (out) *out = nullptr;
    return guarded([&] {
        required(out, "out");
        if (!make_store) required(uri, "uri");
        std::shared_ptr<itsm::ManualClock> manual;
        if (start)
            manual = std::make_shared<itsm::ManualClock>(instant_of(*start, "start_unix_micros"));
        itsm::Schema schema =
            schema_json ? itsm::Schema::from_json(schema_json) : itsm::Schema::itil();
        std::shared_ptr<const itsm::Clock> clock = manual;
        if (!clock) clock = std::make_shared<itsm::SystemClock>();
        *out = new itsm_engine{{},
                               manual,
                               itsm::Engine(make_store ? make_store() : itsm::open_store(uri),
                                            std::move(clock), std::move(schema)),
                               new_system_token()};
    });
}

// Runs `body` on the calendar and stores its result in *out (left untouched on failure).
template <class T, class Body>
int on_calendar(const itsm_calendar* c, T* out, Body&& body) noexcept {
    return guarded([&] {
        required(c, "calendar");
        required(out, "out");
        *out = body(*c->calendar);
    });
}

}  // namespace

// ---- Library -----------------------------------------------------------------------

extern "C" {

ITSM_API int itsm_version_number(void) {
    return ITSM_VERSION_NUMBER;
}

ITSM_API const char* itsm_version_string(void) {
    return ITSM_VERSION_TEXT;
}

ITSM_API const char* itsm_last_error(void) {
    return last.out_of_memory ? "out of memory (the error message was lost)" : last.message.c_str();
}

ITSM_API int itsm_last_error_code(void) {
    return last.code;
}

ITSM_API void itsm_free(void* p) {
    std::free(p);
}

// ---- Engine ------------------------------------------------------------------------

ITSM_API int itsm_engine_open_memory(const char* schema_json, itsm_engine** out) {
    return open_engine(schema_json, std::nullopt, out);
}

ITSM_API int itsm_engine_open_memory_at(const char* schema_json, int64_t start_unix_micros,
                                        itsm_engine** out) {
    return open_engine(schema_json, start_unix_micros, out);
}

ITSM_API int itsm_engine_open(const char* uri, const char* schema_json, itsm_engine** out) {
    return open_engine(schema_json, std::nullopt, out, uri);
}

ITSM_API int itsm_engine_open_store(itsm_store_callbacks* callbacks, const char* schema_json,
                                    itsm_engine** out) {
    // Taken whatever the outcome: freed here on failure, by the engine's store on success.
    std::unique_ptr<itsm_store_callbacks> owned(callbacks);
    if (!callbacks) {
        if (out) *out = nullptr;
        return guarded([] { required(static_cast<void*>(nullptr), "callbacks"); });
    }
    return open_engine(schema_json, std::nullopt, out, nullptr,
                       [&] { return itsm::capi::callback_store(std::move(owned)); });
}

ITSM_API int itsm_engine_set_time(itsm_engine* engine, int64_t unix_micros) {
    return guarded([&] {
        itsm::ManualClock& clock = manual_clock(engine);
        clock.set(instant_of(unix_micros, "unix_micros"));
    });
}

ITSM_API int itsm_engine_advance_clock(itsm_engine* engine, int64_t micros) {
    return guarded([&] {
        itsm::ManualClock& clock = manual_clock(engine);
        if (micros < 0)
            throw itsm::Error(itsm::Errc::invalid_argument, "micros",
                              "must not be negative (itsm_engine_set_time moves back)");
        // checked and moved in one step: threads advancing together cannot pass the limit
        if (!clock.advance_within(itsm::Duration{micros}, itsm::instant_from_micros(max_micros)))
            throw itsm::Error(itsm::Errc::invalid_argument, "micros",
                              "moves the clock past the year 9999");
    });
}

ITSM_API void itsm_engine_close(itsm_engine* engine) {
    delete engine;
}

// ---- Tickets -----------------------------------------------------------------------

ITSM_API int itsm_ticket_create(itsm_engine* engine, const char* actor, const char* new_ticket_json,
                                char** ticket_json_out) {
    return on_engine(engine, actor, ticket_json_out, "ticket_json_out",
                     [&](itsm::Engine& e, const itsm::Actor& a) {
                         auto input = itsm::new_ticket_from_json(
                             required(new_ticket_json, "new_ticket_json"), e.schema());
                         return itsm::detail::ticket_c_text(e.create(a, input));
                     });
}

ITSM_API int itsm_ticket_get(itsm_engine* engine, const char* actor, uint64_t id, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::detail::ticket_c_text(e.get(a, id));
    });
}

ITSM_API int itsm_ticket_get_by_key(itsm_engine* engine, const char* actor, const char* key,
                                    char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::to_json(e.get_by_key(a, required(key, "key")));
    });
}

ITSM_API int itsm_ticket_update(itsm_engine* engine, const char* actor, uint64_t id,
                                const char* patch_json, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        auto patch = itsm::patch_from_json(required(patch_json, "patch_json"), e.schema());
        return itsm::detail::ticket_c_text(e.update(a, id, patch));
    });
}

ITSM_API int itsm_ticket_comment(itsm_engine* engine, const char* actor, uint64_t id,
                                 const char* text, int work_note, char** comment_json_out) {
    return on_engine(engine, actor, comment_json_out, "comment_json_out",
                     [&](itsm::Engine& e, const itsm::Actor& a) {
                         auto visibility = work_note ? itsm::CommentVisibility::work_note
                                                     : itsm::CommentVisibility::public_reply;
                         return itsm::to_json(e.comment(a, id, required(text, "text"), visibility));
                     });
}

ITSM_API int itsm_ticket_comments(itsm_engine* engine, const char* actor, uint64_t id, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::to_json(e.comments(a, id));
    });
}

ITSM_API int itsm_ticket_link(itsm_engine* engine, const char* actor, uint64_t from,
                              const char* link_type, uint64_t to) {
    return guarded([&] {
        required(engine, "engine");
        auto a = actor_of(engine, actor);
        engine->engine.link(a, from, link_type_of(link_type), to);
    });
}

ITSM_API int itsm_ticket_unlink(itsm_engine* engine, const char* actor, uint64_t from,
                                const char* link_type, uint64_t to) {
    return guarded([&] {
        required(engine, "engine");
        auto a = actor_of(engine, actor);
        engine->engine.unlink(a, from, link_type_of(link_type), to);
    });
}

ITSM_API int itsm_ticket_query(itsm_engine* engine, const char* actor, const char* query_json,
                               char** page_json_out) {
    return on_engine(engine, actor, page_json_out, "page_json_out",
                     [&](itsm::Engine& e, const itsm::Actor& a) {
                         auto q = itsm::query_from_json(required(query_json, "query_json"));
                         std::size_t total = 0;
                         auto page = e.query(a, q, &total);
                         return itsm::to_json(page, total);
                     });
}

ITSM_API int itsm_ticket_history(itsm_engine* engine, const char* actor, uint64_t id, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::to_json(e.history(a, id));
    });
}

// ---- Taxonomy and routing ---------------------------------------------------------

ITSM_API int itsm_engine_set_taxonomy_json(itsm_engine* engine, const char* actor,
                                           const char* taxonomy_json) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        auto schema = e.schema();
        e.set_taxonomy(
            a, itsm::Taxonomy::from_json(required(taxonomy_json, "taxonomy_json"), &schema));
    });
}

ITSM_API int itsm_engine_taxonomy_json(itsm_engine* engine, const char* actor, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return compact(e.taxonomy(a).to_json());
    });
}

ITSM_API int itsm_engine_set_routing_json(itsm_engine* engine, const char* actor,
                                          const char* rules_json) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        e.set_routing(a, itsm::RoutingRules::from_json(required(rules_json, "rules_json")));
    });
}

ITSM_API int itsm_engine_routing_json(itsm_engine* engine, const char* actor, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return compact(e.routing(a).to_json());
    });
}

ITSM_API int itsm_category_rename(itsm_engine* engine, const char* actor, const char* id,
                                  const char* name) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        e.rename_category(a, required(id, "id"), required(name, "name"));
    });
}

ITSM_API int itsm_category_move(itsm_engine* engine, const char* actor, const char* id,
                                const char* new_parent) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        e.move_category(a, required(id, "id"), itsm::Symbol(new_parent ? new_parent : ""));
    });
}

ITSM_API int itsm_category_retire(itsm_engine* engine, const char* actor, const char* id) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        e.retire_category(a, required(id, "id"));
    });
}

ITSM_API int itsm_category_merge(itsm_engine* engine, const char* actor, const char* from,
                                 const char* into, uint64_t* moved_out) {
    if (moved_out) *moved_out = 0;
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        auto moved = e.merge_category(a, required(from, "from"), required(into, "into"));
        if (moved_out) *moved_out = moved;
    });
}

ITSM_API int itsm_category_remove(itsm_engine* engine, const char* actor, const char* id) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        e.remove_category(a, required(id, "id"));
    });
}

ITSM_API int itsm_category_counts(itsm_engine* engine, const char* actor, const char* query_json,
                                  char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::to_json(e.category_counts(a, filter_of(query_json)));
    });
}

ITSM_API int itsm_tag_counts(itsm_engine* engine, const char* actor, const char* query_json,
                             char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::to_json(e.tag_counts(a, filter_of(query_json)));
    });
}

// ---- Access control ------------------------------------------------------------------

ITSM_API int itsm_engine_system_actor(itsm_engine* engine, const char** out) {
    if (out) *out = nullptr;
    return guarded([&] {
        required(out, "out");
        *out = required(engine, "engine")->system_actor.c_str();
    });
}

ITSM_API int itsm_engine_set_directory_json(itsm_engine* engine, const char* actor,
                                            const char* directory_json) {
    return guarded([&] {
        required(engine, "engine");
        auto a = actor_of(engine, actor);
        engine->engine.set_directory(
            a, itsm::Directory::from_json(required(directory_json, "directory_json")));
    });
}

ITSM_API int itsm_engine_set_access_json(itsm_engine* engine, const char* actor,
                                         const char* access_json) {
    return guarded([&] {
        required(engine, "engine");
        auto a = actor_of(engine, actor);
        engine->engine.set_access(
            a, itsm::AccessPolicy::from_json(required(access_json, "access_json")));
    });
}

ITSM_API int itsm_explain(itsm_engine* engine, const char* actor, uint64_t id,
                          const char* permission, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::to_json(e.explain(a, id, required(permission, "permission")));
    });
}

// ---- Workflows ---------------------------------------------------------------------

ITSM_API int itsm_engine_set_workflows_json(itsm_engine* engine, const char* actor,
                                            const char* workflows_json) {
    return guarded([&] {
        required(engine, "engine");
        auto a = actor_of(engine, actor);
        auto w = itsm::Workflows::from_json(required(workflows_json, "workflows_json"));
        engine->engine.set_workflows(a, std::move(w));
    });
}

ITSM_API int itsm_engine_load_config_json(itsm_engine* engine, const char* actor,
                                          const char* config_json) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        itsm::load_config(e, a, required(config_json, "config_json"), "config_json");
    });
}

ITSM_API int itsm_engine_load_config_file(itsm_engine* engine, const char* actor,
                                          const char* path) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        itsm::load_config_file(e, a, required(path, "path"));
    });
}

ITSM_API int itsm_engine_load_itil_workflows(itsm_engine* engine, const char* actor) {
    return guarded([&] {
        required(engine, "engine");
        auto a = actor_of(engine, actor);
        engine->engine.set_workflows(a, itsm::Workflows::itil());
    });
}

ITSM_API int itsm_ticket_transition(itsm_engine* engine, const char* actor, uint64_t id,
                                    const char* transition_id, const char* input_json,
                                    char** ticket_json_out) {
    return on_engine(engine, actor, ticket_json_out, "ticket_json_out",
                     [&](itsm::Engine& e, const itsm::Actor& a) {
                         itsm::Symbol tr(required(transition_id, "transition_id"));
                         itsm::TransitionInput input;
                         if (input_json)
                             input = itsm::transition_input_from_json(input_json, e.schema());
                         return itsm::to_json(e.transition(a, id, tr, input));
                     });
}

ITSM_API int itsm_ticket_available_transitions(itsm_engine* engine, const char* actor, uint64_t id,
                                               char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::to_json(e.available_transitions(a, id));
    });
}

ITSM_API int itsm_ticket_approve(itsm_engine* engine, const char* actor, uint64_t id,
                                 const char* comment, char** ticket_json_out) {
    return on_engine(engine, actor, ticket_json_out, "ticket_json_out",
                     [&](itsm::Engine& e, const itsm::Actor& a) {
                         return itsm::to_json(e.approve(a, id, comment ? comment : ""));
                     });
}

ITSM_API int itsm_ticket_reject(itsm_engine* engine, const char* actor, uint64_t id,
                                const char* comment, char** ticket_json_out) {
    return on_engine(engine, actor, ticket_json_out, "ticket_json_out",
                     [&](itsm::Engine& e, const itsm::Actor& a) {
                         return itsm::to_json(e.reject(a, id, comment ? comment : ""));
                     });
}

ITSM_API int itsm_ticket_delegate(itsm_engine* engine, const char* actor, uint64_t id,
                                  const char* to_user, const char* comment,
                                  char** ticket_json_out) {
    return on_engine(engine, actor, ticket_json_out, "ticket_json_out",
                     [&](itsm::Engine& e, const itsm::Actor& a) {
                         itsm::Symbol to(required(to_user, "to_user"));
                         return itsm::to_json(e.delegate(a, id, to, comment ? comment : ""));
                     });
}

ITSM_API int itsm_engine_advance(itsm_engine* engine, int64_t now_unix_micros, uint64_t* ran_out) {
    if (ran_out) *ran_out = 0;
    return guarded([&] {
        required(engine, "engine");
        std::size_t ran = engine->engine.advance(instant_of(now_unix_micros, "now_unix_micros"));
        if (ran_out) *ran_out = ran;
    });
}

// ---- SLA clocks --------------------------------------------------------------------

ITSM_API int itsm_engine_set_calendars_json(itsm_engine* engine, const char* actor,
                                            const char* calendars_json) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        e.set_calendars(a,
                        itsm::CalendarSet::from_json(required(calendars_json, "calendars_json")));
    });
}

ITSM_API int itsm_engine_set_sla_policies_json(itsm_engine* engine, const char* actor,
                                               const char* policies_json) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        auto calendars = e.calendars();
        e.set_sla_policies(
            a, itsm::SlaPolicies::from_json(required(policies_json, "policies_json"), &calendars));
    });
}

// Readable by any valid actor, as the taxonomy and the scorecard are (docs/sla.md).
ITSM_API int itsm_engine_calendars_json(itsm_engine* engine, const char* actor, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        if (a.user.empty()) throw itsm::Error(itsm::Errc::invalid_argument, "actor", "is empty");
        return e.calendars().to_json();
    });
}

ITSM_API int itsm_engine_sla_policies_json(itsm_engine* engine, const char* actor, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        if (a.user.empty()) throw itsm::Error(itsm::Errc::invalid_argument, "actor", "is empty");
        return e.sla_policies().to_json();
    });
}

ITSM_API int itsm_ticket_sla(itsm_engine* engine, const char* actor, uint64_t id, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        return itsm::to_json(e.sla(a, id));
    });
}

// ---- Business calendars ------------------------------------------------------------

ITSM_API int itsm_calendar_new_json(const char* config_json, const char* id, itsm_calendar** out) {
    if (out) *out = nullptr;
    return guarded([&] {
        required(out, "out");
        auto set = itsm::CalendarSet::from_json(required(config_json, "config_json"));
        itsm::CalendarPtr cal;
        if (id) {
            cal = set.at(id);
        } else if (set.size() == 1) {
            cal = set.at(set.ids().front());
        } else {
            throw itsm::Error(
                itsm::Errc::not_found, "id",
                "the document holds " + std::to_string(set.size()) + " calendars: name one");
        }
        *out = new itsm_calendar{std::move(cal)};
    });
}

ITSM_API void itsm_calendar_free(itsm_calendar* calendar) {
    delete calendar;
}

ITSM_API int itsm_calendar_add(const itsm_calendar* calendar, int64_t start_unix_micros,
                               int64_t business_micros, int64_t* out_unix_micros) {
    return on_calendar(calendar, out_unix_micros, [&](const itsm::Calendar& c) {
        return itsm::to_micros(c.add(instant_of(start_unix_micros, "start_unix_micros"),
                                     itsm::Duration{business_micros}));
    });
}

ITSM_API int itsm_calendar_subtract(const itsm_calendar* calendar, int64_t start_unix_micros,
                                    int64_t business_micros, int64_t* out_unix_micros) {
    return on_calendar(calendar, out_unix_micros, [&](const itsm::Calendar& c) {
        return itsm::to_micros(c.subtract(instant_of(start_unix_micros, "start_unix_micros"),
                                          itsm::Duration{business_micros}));
    });
}

ITSM_API int itsm_calendar_between(const itsm_calendar* calendar, int64_t from_unix_micros,
                                   int64_t to_unix_micros, int64_t* out_business_micros) {
    return on_calendar(calendar, out_business_micros, [&](const itsm::Calendar& c) {
        return c
            .between(instant_of(from_unix_micros, "from_unix_micros"),
                     instant_of(to_unix_micros, "to_unix_micros"))
            .count();
    });
}

ITSM_API int itsm_calendar_is_open(const itsm_calendar* calendar, int64_t at_unix_micros,
                                   int* out_open) {
    return on_calendar(calendar, out_open, [&](const itsm::Calendar& c) {
        return c.is_open(instant_of(at_unix_micros, "at_unix_micros")) ? 1 : 0;
    });
}

ITSM_API int itsm_calendar_next_opening(const itsm_calendar* calendar, int64_t at_unix_micros,
                                        int64_t* out_unix_micros) {
    return on_calendar(calendar, out_unix_micros, [&](const itsm::Calendar& c) {
        return itsm::to_micros(c.next_opening(instant_of(at_unix_micros, "at_unix_micros")));
    });
}

ITSM_API int itsm_calendar_next_closing(const itsm_calendar* calendar, int64_t at_unix_micros,
                                        int64_t* out_unix_micros) {
    return on_calendar(calendar, out_unix_micros, [&](const itsm::Calendar& c) {
        return itsm::to_micros(c.next_closing(instant_of(at_unix_micros, "at_unix_micros")));
    });
}

ITSM_API int itsm_metrics(itsm_engine* engine, const char* actor, const char* query_json,
                          char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        auto query = itsm::metrics_query_from_json(required(query_json, "query_json"));
        return itsm::to_json(e.metrics(a, query));
    });
}

ITSM_API int itsm_engine_set_scorecard_json(itsm_engine* engine, const char* actor,
                                            const char* scorecard_json) {
    return on_engine_void(engine, actor, [&](itsm::Engine& e, const itsm::Actor& a) {
        e.set_scorecard(a, itsm::Scorecard::from_json(required(scorecard_json, "scorecard_json")));
    });
}

ITSM_API int itsm_engine_scorecard_json(itsm_engine* engine, const char* actor, char** out) {
    return on_engine(engine, actor, out, "out", [&](itsm::Engine& e, const itsm::Actor& a) {
        if (a.user.empty()) throw itsm::Error(itsm::Errc::invalid_argument, "actor", "is empty");
        return itsm::to_json(e.scorecard());
    });
}

ITSM_API int itsm_engine_set_config_version(itsm_engine* engine, const char* version) {
    return guarded([&] {
        required(engine, "engine");
        engine->engine.set_config_version(required(version, "version"));
    });
}

ITSM_API int itsm_engine_config_version(itsm_engine* engine, char** out) {
    return returning_text(out, "out", [&] {
        required(engine, "engine");
        return engine->engine.config_version();
    });
}

}  // extern "C"

// ---- Observers ---------------------------------------------------------------------
//
// Each C subscription wraps the host's callback in an itsm::Observer. The engine may still
// call an observer it copied just before it was unsubscribed, so the subscription keeps its
// own state: once ended it ignores further events, and its destructor runs exactly once,
// after the last callback in flight has returned.

namespace itsm::capi {

struct CSubscription {
    itsm_observer_event_fn fn = nullptr;
    itsm_observer_destroy_fn destroy = nullptr;
    void* user_data = nullptr;
    std::mutex mutex;
    std::condition_variable idle;
    int in_flight = 0;
    bool ended = false;
    bool destroyed = false;

    // Claims the destructor call (under `mutex`): true for exactly one caller.
    bool claim_destroy() {
        if (destroyed) return false;
        destroyed = true;
        return true;
    }
    void run_destroy() noexcept {
        if (destroy) destroy(user_data);
    }
};

struct ObserverTable {
    std::mutex mutex;
    std::map<std::uint64_t, std::shared_ptr<CSubscription>> active;
};

ObserverTableHolder::ObserverTableHolder() : table(std::make_unique<ObserverTable>()) {}
ObserverTableHolder::~ObserverTableHolder() {
    if (table) end_all(*table);
}

namespace {

// The subscriptions whose callbacks this thread is running, innermost last: a callback may
// call another engine, whose callbacks then run inside it.
thread_local std::vector<const CSubscription*> running;

bool running_here(const CSubscription* sub) {
    return std::find(running.begin(), running.end(), sub) != running.end();
}

void deliver_to(const std::shared_ptr<CSubscription>& sub, const itsm::Event& event) {
    {
        std::lock_guard l(sub->mutex);
        if (sub->ended) return;
        ++sub->in_flight;
    }
    try {
        std::string text = itsm::to_json(event);
        running.push_back(sub.get());
        sub->fn(text.c_str(), sub->user_data);
        running.pop_back();
        // The callback's own calls set this thread's last error; the call that committed the
        // event has succeeded so far and must not report their failures.
        clear_error();
    } catch (...) {
        // an event that cannot be written (out of memory) is not delivered; the commit stands
    }
    bool destroy_now = false;
    {
        std::lock_guard l(sub->mutex);
        --sub->in_flight;
        if (sub->in_flight == 0) {
            // ended from inside its own callback: the destructor was left for us
            destroy_now = sub->ended && sub->claim_destroy();
            sub->idle.notify_all();
        }
    }
    if (destroy_now) sub->run_destroy();
}

// Ends a subscription already removed from the engine: waits for callbacks in flight on
// other threads, then runs the destructor. From inside its own callback it cannot wait,
// so the destructor runs when that callback returns.
void end(CSubscription& sub) noexcept {
    std::unique_lock l(sub.mutex);
    sub.ended = true;
    if (running_here(&sub)) return;
    sub.idle.wait(l, [&] { return sub.in_flight == 0; });
    bool destroy_now = sub.claim_destroy();
    l.unlock();
    if (destroy_now) sub.run_destroy();
}

}  // namespace

void end_all(ObserverTable& table) noexcept {
    std::map<std::uint64_t, std::shared_ptr<CSubscription>> remaining;
    {
        std::lock_guard l(table.mutex);
        remaining.swap(table.active);
    }
    for (auto& [id, sub] : remaining)
        end(*sub);
}

}  // namespace itsm::capi

extern "C" {

ITSM_API int itsm_engine_subscribe(itsm_engine* engine, itsm_observer_event_fn fn,
                                   itsm_observer_destroy_fn destroy, void* user_data,
                                   uint64_t* subscription_out) {
    return guarded([&] {
        required(engine, "engine");
        if (!fn) throw itsm::Error(itsm::Errc::invalid_argument, "fn", "must not be NULL");
        required(subscription_out, "subscription_out");
        auto sub = std::make_shared<itsm::capi::CSubscription>();
        sub->fn = fn;
        sub->destroy = destroy;
        sub->user_data = user_data;
        auto& table = *engine->observers.table;
        std::lock_guard l(table.mutex);  // the id is in the table before anyone can end it
        auto id = engine->engine.subscribe(
            [sub](const itsm::Event& e) { itsm::capi::deliver_to(sub, e); });
        try {
            table.active.emplace(id, sub);
        } catch (...) {
            engine->engine.unsubscribe(id);  // a failed call leaves no trace
            throw;
        }
        *subscription_out = id;
    });
}

ITSM_API int itsm_engine_unsubscribe(itsm_engine* engine, uint64_t subscription) {
    return guarded([&] {
        required(engine, "engine");
        std::shared_ptr<itsm::capi::CSubscription> sub;
        {
            auto& table = *engine->observers.table;
            std::lock_guard l(table.mutex);
            auto it = table.active.find(subscription);
            if (it == table.active.end())
                throw itsm::Error(itsm::Errc::not_found, "subscription",
                                  "no subscription " + std::to_string(subscription));
            engine->engine.unsubscribe(subscription);
            sub = std::move(it->second);
            table.active.erase(it);
        }
        itsm::capi::end(*sub);
    });
}

}  // extern "C"

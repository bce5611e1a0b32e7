// Shared fixtures for the doctest suites: an engine on a manual clock, and a check that an
// operation fails with a given code and leaves the ticket and its history as they were.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <initializer_list>
#include <memory>

#include "itsm/access.hpp"
#include "itsm/engine.hpp"
#include "itsm/error.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/time.hpp"

namespace itsm_test {

inline itsm::Instant t0() {
    return itsm::parse_instant("2026-03-02T09:00:00Z");
}

// Gives `engine` the users alice and bob, administrators on the root segment, below which
// lie the schema's default segment and `segments` (none sealed).
inline void make_admins(itsm::Engine& engine, std::initializer_list<const char*> segments = {}) {
    itsm::Directory people;
    people.add_user({"alice", "Alice", true}).add_user({"bob", "Bob", true});
    engine.set_directory(itsm::Actor::system(), people);
    itsm::AccessPolicy policy;
    policy.add_segment({engine.schema().default_segment(), {}, false, "Default"});
    for (const char* s : segments)
        if (!policy.segment(s)) policy.add_segment({s, {}, false, s});
    policy.add_preset_role("administrator")
        .add_grant({"alice", {}, "administrator", itsm::root_segment, true, {}})
        .add_grant({"bob", {}, "administrator", itsm::root_segment, true, {}});
    engine.set_access(itsm::Actor::system(), policy);
}

struct Desk {
    std::shared_ptr<itsm::InMemoryStore> store = std::make_shared<itsm::InMemoryStore>();
    std::shared_ptr<itsm::ManualClock> clock = std::make_shared<itsm::ManualClock>(t0());
    itsm::Engine engine;
    itsm::Actor alice{"alice"};
    itsm::Actor bob{"bob"};

    // alice and bob are administrators on the root segment, below which lie the schema's
    // default segment and it, hr, facilities, finance and emea (none sealed); suites about access
    // control set their own policy as the system.
    explicit Desk(itsm::Schema schema = itsm::Schema::itil())
        : engine(store, clock, std::move(schema)) {
        make_admins(engine, {"it", "hr", "facilities", "finance", "emea"});
    }

    itsm::Ticket incident(std::string title = "Printer on floor 3 jams") {
        itsm::NewTicket in;
        in.kind = "incident";
        in.title = std::move(title);
        return engine.create(alice, in);
    }
    itsm::Ticket make(itsm::Symbol kind, std::string title) {
        itsm::NewTicket in;
        in.kind = kind;
        in.title = std::move(title);
        return engine.create(alice, in);
    }
};

// Runs `op`, requires an itsm::Error with `code`, and returns its message.
inline std::string error_of(const std::function<void()>& op, itsm::Errc code) {
    try {
        op();
    } catch (const itsm::Error& e) {
        CHECK_MESSAGE(e.code() == code, "got ", itsm::to_string(e.code()), ": ", e.what());
        return e.what();
    }
    FAIL("expected an itsm::Error with code ", itsm::to_string(code));
    return {};
}

// Requires that `op` fails with `code` and changes neither the ticket nor its history.
inline std::string refused_unchanged(Desk& d, itsm::TicketId id, const std::function<void()>& op,
                                     itsm::Errc code) {
    auto before = d.engine.get(d.alice, id);
    auto history = d.engine.history(d.alice, id).size();
    auto total = d.store->size();
    std::string message = error_of(op, code);
    auto after = d.engine.get(d.alice, id);
    CHECK(after.version == before.version);
    CHECK(after.updated == before.updated);
    CHECK(after.title == before.title);
    CHECK(after.links == before.links);
    CHECK(after.custom == before.custom);
    CHECK(d.engine.history(d.alice, id).size() == history);
    CHECK(d.store->size() == total);
    return message;
}

}  // namespace itsm_test

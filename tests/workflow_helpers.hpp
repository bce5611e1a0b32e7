// Fixtures for the workflow suites: a desk running the ITIL preset with a directory of
// people (a CAB of three, groups with managers), and short forms for transitions.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "helpers.hpp"
#include "itsm/workflow.hpp"

namespace itsm_test {

inline itsm::Directory itil_directory() {
    itsm::Directory d;
    for (const char* u : {"alice", "bob", "carol", "dave", "erin", "frank", "mona", "sam"})
        d.add_user({u, u, true});
    d.add_group({"cab", "Change Advisory Board", {}, {"carol", "dave", "erin"}});
    d.add_group({"network", "Network", "mona", {"bob", "sam"}});
    d.add_group({"small_cab", "Small CAB", {}, {"carol"}});
    d.add_group({"no_manager", "No manager", {}, {"bob"}});
    return d;
}

struct ItilDesk : Desk {
    itsm::Actor carol{"carol"}, dave{"dave"}, erin{"erin"}, frank{"frank"}, mona{"mona"};

    // The CAB members hold the cab_member role everywhere, as a real desk would grant it, so
    // approval refusals test the workflow's rules rather than missing rights.
    ItilDesk() {
        engine.set_workflows(alice, itsm::Workflows::itil());
        engine.set_directory(alice, itil_directory());
        auto policy = engine.access_policy();
        policy.add_preset_role("cab_member")
            .add_grant({{}, "cab", "cab_member", itsm::root_segment, true, {}});
        engine.set_access(alice, policy);
    }

    itsm::Ticket create(itsm::Symbol kind, itsm::Symbol model = {}, int impact = 3,
                        int urgency = 3) {
        itsm::NewTicket in;
        in.kind = kind;
        in.model = model;
        in.title = std::string("A ") + std::string(kind.view());
        in.impact = impact;
        in.urgency = urgency;
        return engine.create(alice, in);
    }

    itsm::Ticket go(itsm::TicketId id, itsm::Symbol transition,
                    std::vector<std::pair<std::string, itsm::Value>> fields = {},
                    const itsm::Actor* as = nullptr) {
        itsm::TransitionInput in;
        in.fields = std::move(fields);
        return engine.transition(as ? *as : bob, id, transition, in);
    }

    // Requires the transition to be refused with `code`, the ticket and history unchanged.
    std::string refused(itsm::TicketId id, itsm::Symbol transition, itsm::Errc code,
                        std::vector<std::pair<std::string, itsm::Value>> fields = {}) {
        return refused_unchanged(
            *this, id, [&] { go(id, transition, fields); }, code);
    }

    // The `where` of the refusal (the rule's path) of a transition that must be refused.
    std::string refusing_rule(itsm::TicketId id, itsm::Symbol transition,
                              std::vector<std::pair<std::string, itsm::Value>> fields = {}) {
        auto before = engine.history(alice, id).size();
        try {
            go(id, transition, fields);
        } catch (const itsm::Error& e) {
            CHECK(e.code() == itsm::Errc::invalid_transition);
            CHECK(engine.history(alice, id).size() == before);
            return e.where();
        }
        FAIL("transition ", transition.view(), " was not refused");
        return {};
    }

    void set(itsm::TicketId id, std::string field, itsm::Value value) {
        itsm::TicketPatch p;
        p.custom.emplace_back(std::move(field), std::move(value));
        engine.update(alice, id, p);
    }
    void assign(itsm::TicketId id, itsm::Symbol assignee, itsm::Symbol group = {}) {
        itsm::TicketPatch p;
        p.assignee = assignee;
        if (!group.empty()) p.assignment_group = group;
        engine.update(alice, id, p);
    }
    itsm::Ticket get(itsm::TicketId id) { return engine.get(alice, id); }

    const itsm::TransitionOption* option(const std::vector<itsm::TransitionOption>& all,
                                         itsm::Symbol id) {
        for (const auto& o : all)
            if (o.id == id) return &o;
        return nullptr;
    }
    std::vector<itsm::TicketId> children(itsm::TicketId id) {
        std::vector<itsm::TicketId> out;
        for (const auto& l : get(id).links)
            if (l.type == itsm::LinkType::parent_of) out.push_back(l.other);
        return out;
    }
    std::size_t count_events(itsm::TicketId id, itsm::EventType type) {
        std::size_t n = 0;
        for (const auto& e : engine.history(alice, id))
            n += e.type == type;
        return n;
    }
};

inline std::pair<std::string, itsm::Value> in(std::string field, itsm::Value v) {
    return {std::move(field), std::move(v)};
}
inline itsm::Value text(const char* s) {
    return itsm::Value{std::string(s)};
}

}  // namespace itsm_test

// Event: one audit record. Every committed change yields events; they are append-only and
// numbered by the store in commit order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

enum class EventType : std::uint8_t {
    created,         // new_value: the initial fields as a JSON object
    field_changed,   // field, old_value, new_value
    comment,         // text: a public reply
    work_note,       // text: an internal note, hidden from requesters
    link_added,      // link
    link_removed,    // link
    state_changed,   // field "state", old_value, new_value; text: the transition id
    approval,        // field "approval" (decision: old and new) or "approval.approver"
                     // (delegation: old and new user); text: the approver's comment
    workflow_event,  // text: the name a workflow action emits to observers
    sla,             // field "sla.<policy>.<metric>"; text: what happened (docs/sla.md)
};
std::string_view to_string(EventType t) noexcept;
std::optional<EventType> event_type_from_string(std::string_view s) noexcept;

struct Event {
    std::uint64_t seq = 0;  // assigned by the store at commit: strictly increasing
    TicketId ticket = 0;
    Instant at{};
    Symbol actor;
    EventType type = EventType::created;
    Symbol field;  // field_changed: "title", "priority", "custom.cost", "tags", ...
    Value old_value;
    Value new_value;
    std::string text;          // comment or work note body; "override" marks a manual priority
    std::optional<Link> link;  // link events: the link as this ticket records it
};

ITSM_END_NAMESPACE

// The ticket model: plain value types with no behaviour beyond small helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "itsm/compact_vector.hpp"
#include "itsm/sla_clock.hpp"
#include "itsm/symbol.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

using TicketId = std::uint64_t;

// How the ticket reached the service desk.
enum class Channel : std::uint8_t { portal, email, phone, chat, walk_in, monitoring, self_service };
std::string_view to_string(Channel c) noexcept;
std::optional<Channel> channel_from_string(std::string_view s) noexcept;

// Links are stored on both tickets, each side with its own direction.
enum class LinkType : std::uint8_t {
    parent_of,           // this ticket is the parent of `other`
    child_of,            // this ticket is a child of `other` (at most one parent)
    duplicate_of,        // this ticket duplicates `other` (at most one original)
    duplicated_by,       // `other` duplicates this ticket
    related,             // symmetric
    caused_by,           // this incident is caused by the problem `other`
    causes,              // this problem causes the incident `other`
    resolved_by_change,  // this incident or problem is resolved by the change `other`
    resolves,            // this change resolves the incident or problem `other`
};
std::string_view to_string(LinkType t) noexcept;
std::optional<LinkType> link_type_from_string(std::string_view s) noexcept;
// The type the other ticket records for the same link.
LinkType inverse(LinkType t) noexcept;

struct Link {
    LinkType type;
    TicketId other;
    friend bool operator==(const Link&, const Link&) = default;
};

// Custom field types. A choice is stored as its text and checked against the options.
enum class FieldType : std::uint8_t { text, integer, boolean, instant, choice };
std::string_view to_string(FieldType t) noexcept;
std::optional<FieldType> field_type_from_string(std::string_view s) noexcept;

// A field value; monostate means "no value".
using Value = std::variant<std::monostate, std::string, std::int64_t, bool, Instant>;
// Human-readable text of a value, as the audit trail shows it ("" for no value).
std::string value_to_text(const Value& v);

struct CustomField {
    Symbol name;
    Value value;
    friend bool operator==(const CustomField&, const CustomField&) = default;
};

// One approver's part of an approval step. Group and role approvers are expanded into one
// record per user when the step starts, so "who still has to approve" is a plain lookup.
enum class ApprovalDecision : std::uint8_t { pending, approved, rejected, canceled };
std::string_view to_string(ApprovalDecision d) noexcept;

struct Approval {
    std::uint32_t step = 0;  // the step's position in its state's sequence of steps
    Symbol approver;         // a user id
    ApprovalDecision decision = ApprovalDecision::pending;
    Symbol delegated_from;  // the user who delegated this approval to `approver`, if any
    std::optional<Instant> decided;
    std::string comment;
    friend bool operator==(const Approval&, const Approval&) = default;
};

struct Ticket {
    TicketId id = 0;
    std::string key;  // human key, e.g. "INC0000042"
    Symbol kind;
    Symbol model;  // the workflow model within the kind (change: standard, normal, emergency)
    Symbol state;
    std::string title;
    std::string description;
    std::uint8_t impact = 3;
    std::uint8_t urgency = 3;
    std::uint8_t priority = 5;
    bool priority_overridden = false;  // set by hand, not from the impact x urgency matrix
    Channel channel = Channel::portal;
    std::uint32_t reopen_count = 0;
    Symbol category;
    Symbol requester;
    Symbol assignee;
    Symbol assignment_group;
    Symbol segment;  // the department (or tenant) that owns the ticket
    // The lists are CompactVectors, one pointer wide while empty (compact_vector.hpp).
    CompactVector<Symbol> tags;         // normalized, sorted by identity, unique
    CompactVector<Symbol> watchers;     // users who follow the ticket; sorted by identity, unique
    CompactVector<CustomField> custom;  // sorted by name identity, unique names
    CompactVector<Link> links;
    CompactVector<Approval> approvals;
    Instant created{};
    Instant updated{};
    std::optional<Instant> resolved;
    std::optional<Instant> closed;
    Instant state_entered{};  // when the ticket entered its state: timed transitions count from it
    // Set by workflow transitions (ITIL fields every kind may use); empty when unset.
    Symbol hold_reason;      // why the ticket waits (awaiting_caller, awaiting_vendor, ...)
    Symbol resolution_code;  // how it was resolved (solved_permanently, fix_applied, ...)
    std::string resolution_notes;
    Symbol close_code;  // how a change ended (successful, successful_with_issues, unsuccessful)
    std::uint64_t version = 0;    // 1 after creation, +1 per committed change
    CompactVector<SlaClock> sla;  // the SLA clocks, kept by the engine (docs/sla.md)

    const Value* custom_value(Symbol name) const noexcept {
        for (const auto& f : custom)
            if (f.name == name) return &f.value;
        return nullptr;
    }
    bool has_tag(Symbol tag) const noexcept {
        for (auto t : tags)
            if (t == tag) return true;
        return false;
    }
    bool has_watcher(Symbol user) const noexcept {
        for (auto w : watchers)
            if (w == user) return true;
        return false;
    }
    bool is_pending_approver(Symbol user) const noexcept {
        for (const auto& a : approvals)
            if (a.approver == user && a.decision == ApprovalDecision::pending) return true;
        return false;
    }
    std::optional<TicketId> parent() const noexcept {
        for (const auto& l : links)
            if (l.type == LinkType::child_of) return l.other;
        return std::nullopt;
    }
};

// What a caller supplies to create a ticket. Empty values take the documented defaults.
struct NewTicket {
    Symbol kind;
    Symbol model;  // the workflow model; empty: the kind's default workflow
    Symbol state;  // one of the workflow's initial states; empty: the first one
    std::string title;
    std::string description;
    int impact = 3;
    int urgency = 3;
    std::optional<int> priority;  // a manual override of the matrix
    Channel channel = Channel::portal;
    Symbol category;
    Symbol requester;  // defaults to the actor
    Symbol assignee;
    Symbol assignment_group;
    Symbol segment;  // defaults to the schema's default segment
    std::vector<std::string> tags;
    std::vector<Symbol> watchers;
    std::vector<std::pair<std::string, Value>> custom;
};

// A partial update: only the members that hold a value change. For Symbol members an empty
// symbol clears the field; `priority` set to nullopt-inside-optional drops a manual override.
struct TicketPatch {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<int> impact;
    std::optional<int> urgency;
    std::optional<std::optional<int>> priority;
    std::optional<Channel> channel;
    std::optional<Symbol> category;
    std::optional<Symbol> requester;
    std::optional<Symbol> assignee;
    std::optional<Symbol> assignment_group;
    std::optional<Symbol> segment;
    std::vector<std::string> add_tags;
    std::vector<std::string> remove_tags;
    std::vector<Symbol> add_watchers;
    std::vector<Symbol> remove_watchers;
    std::vector<std::pair<std::string, Value>> custom;  // monostate clears the field
    std::optional<std::uint64_t> expected_version;      // stale -> Errc::conflict

    bool empty() const noexcept {
        return !title && !description && !impact && !urgency && !priority && !channel &&
               !category && !requester && !assignee && !assignment_group && !segment &&
               add_tags.empty() && remove_tags.empty() && add_watchers.empty() &&
               remove_watchers.empty() && custom.empty();
    }
};

// Normalizes a tag as stored: surrounding white space trimmed, ASCII letters lower-cased.
std::string normalize_tag(std::string_view tag);

ITSM_END_NAMESPACE

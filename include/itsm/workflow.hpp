// Workflows: lifecycles as data. One workflow per ticket kind and model (change: standard,
// normal, emergency) with states and their classes, transitions with guards, inputs and
// actions, timed transitions, approval steps per state, triggers and roll-up rules. This
// header is policy only: the checks below are pure functions of a workflow and tickets
// (no storage, no clock); the Engine sequences them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/schema.hpp"
#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

// What a state means for reporting and for the rules: resolved, closed and canceled are not
// open work; closed and canceled are final for the validation of a workflow.
enum class StateClass : std::uint8_t { new_, active, pending, resolved, closed, canceled };
std::string_view to_string(StateClass c) noexcept;  // "new", "active", ...
std::optional<StateClass> state_class_from_string(std::string_view s) noexcept;
inline bool is_final(StateClass c) noexcept {
    return c == StateClass::closed || c == StateClass::canceled;
}
inline bool is_open(StateClass c) noexcept {
    return c == StateClass::new_ || c == StateClass::active || c == StateClass::pending;
}

// A condition over a ticket. Fields are the built-in names (see docs/workflows.md) or
// "custom.<name>".
struct Guard {
    enum class Op : std::uint8_t {
        required,  // every field in `fields` has a value
        equals,    // field == values[0]
        in,        // field is one of values
        lt,
        le,
        gt,
        ge,                  // field compared with values[0] (integers, text, instants)
        approvals_complete,  // the approval steps of the current state have passed
        children_closed,     // every child ticket is in a closed or canceled state
        linked,              // a ticket linked by `link` is in one of `states` (any when empty)
    };
    Op op = Op::required;
    bool negate = false;         // {"not": {...}}
    std::vector<Symbol> fields;  // required: all of them; others: fields[0]
    std::vector<Value> values;   // equals, in, comparisons
    LinkType link = LinkType::related;
    std::vector<Symbol> states;  // linked: state ids or class names of the linked ticket
};

// A value a transition accepts from its caller (TransitionInput::fields).
struct InputDef {
    Symbol field;  // hold_reason, resolution_code, resolution_notes, close_code, assignee,
                   // assignment_group, category or custom.<name>
    bool required = false;
    std::vector<std::string> choices;  // when not empty, the value must be one of them
};

struct TaskTemplate {
    std::string title;  // "{title}" and "{key}" are replaced by the parent's
    std::string description;
};

struct ComputeCase {
    std::vector<Guard> when;  // all must hold
    Value value;
};

struct Action {
    enum class Op : std::uint8_t {
        set,           // field = value
        clear,         // field = no value
        stamp,         // field (resolved or closed) = now
        unstamp,       // field (resolved or closed) = no value
        increment,     // field (reopen_count) + 1
        create_tasks,  // one child ticket of kind task per template, linked child_of
        cascade,       // run `transition` on every ticket linked by `link` where it is available
        emit,          // a workflow_event named `name` for observers
        compute,       // field = the value of the first case that holds, else `value`
    };
    Op op = Op::set;
    Symbol field;
    Value value;  // set; compute: the fallback ("otherwise")
    std::vector<TaskTemplate> tasks;
    LinkType link = LinkType::parent_of;
    Symbol transition;                                     // cascade
    std::vector<std::pair<Symbol, Value>> cascade_inputs;  // cascade: input values given
    std::string name;                                      // emit
    std::vector<ComputeCase> cases;                        // compute
};

struct Transition {
    Symbol id;
    std::string label;
    std::vector<Symbol> from;  // the states it leaves; ignored when from_any
    bool from_any = false;
    Symbol to;
    std::string permission;  // empty: "transition.<id>" (filled in by Workflows::add)
    std::vector<Guard> guards;
    std::vector<InputDef> inputs;
    std::vector<Action> actions;
    std::optional<Duration> after;  // timed: Engine::advance runs it this long after entry

    // The permission it needs: `permission`, which Workflows::add sets to
    // "transition.<id>" when it is empty.
    std::string_view permission_id() const noexcept { return permission; }
    bool leaves(Symbol state) const noexcept {
        if (from_any) return state != to;
        for (auto s : from)
            if (s == state) return true;
        return false;
    }
};

enum class ApprovalRule : std::uint8_t { any, all, n_of_m };
std::string_view to_string(ApprovalRule r) noexcept;

// Who approves one step: listed users, the holders of a role on the ticket's segment, the
// members of a group, or a group's manager. An empty group means the ticket's assignment
// group.
struct Approvers {
    enum class Kind : std::uint8_t { users, role, group, manager };
    Kind kind = Kind::users;
    std::vector<Symbol> users;
    Symbol role;
    Symbol group;
};

struct ApprovalStep {
    Symbol id;
    std::vector<Guard> when;  // the step applies only when these hold (empty: always)
    Approvers approvers;
    ApprovalRule rule = ApprovalRule::any;
    int n = 1;                      // n_of_m
    bool rejection_rejects = true;  // false: the step fails only when it can no longer pass
};

struct ApprovalConfig {
    std::vector<ApprovalStep> steps;  // in sequence
    Symbol on_approved;               // transition run when every step has passed (optional)
    Symbol on_rejected;               // transition run when a step is rejected (optional)
    bool empty() const noexcept { return steps.empty(); }
};

struct StateDef {
    Symbol id;
    std::string label;
    StateClass cls = StateClass::active;
    ApprovalConfig approval;  // started when a transition enters the state
};

// Runs `transition` when the ticket's requester comments on or updates it and `when` holds.
struct Trigger {
    Symbol transition;
    std::vector<Guard> when;
};

// When every child is in a closed or canceled state, the first rule that matches picks the
// transition run on the parent: `all` children, or `any` child, in one of `states`.
struct RollupRule {
    bool all = true;
    std::vector<Symbol> states;
    Symbol transition;
};
struct Rollup {
    std::vector<RollupRule> rules;
    Symbol otherwise;  // when no rule matches (optional)
    bool empty() const noexcept { return rules.empty() && otherwise.empty(); }
};

struct Workflow {
    Symbol id;  // the key in the document's "workflows" object
    Symbol kind;
    Symbol model;             // empty: the kind's only workflow
    bool is_default = false;  // used for a ticket created without a model
    std::vector<StateDef> states;
    std::vector<Symbol> initial;
    std::vector<Transition> transitions;
    std::vector<Trigger> on_requester_update;
    Rollup rollup;

    const StateDef* state(Symbol id) const noexcept;
    const Transition* transition(Symbol id) const noexcept;
    bool is_initial(Symbol state) const noexcept;
};

// Why a transition (or a rule) refuses: `rule` is the path of the rule in the workflow
// document (`workflows.incident.transitions[2].guards[0]`, or "state" when the transition
// does not leave the ticket's state), `message` says what is missing.
struct Refusal {
    std::string rule;
    std::string message;
};

// How the policy reads tickets other than the one it checks (children, linked tickets).
using TicketLookup = std::function<std::shared_ptr<const Ticket>(TicketId)>;

enum class ApprovalStatus : std::uint8_t { not_required, pending, approved, rejected };
std::string_view to_string(ApprovalStatus s) noexcept;

// The approval of one step as its records stand.
struct StepTally {
    int approved = 0, rejected = 0, pending = 0, needed = 0;
    bool passed() const noexcept { return approved >= needed && needed > 0; }
};
StepTally tally(const ApprovalStep& step, const Ticket& t, std::uint32_t index);
bool step_rejected(const ApprovalStep& step, const StepTally& tally);

// The value of a field as guards see it: text fields as strings (empty = no value), counts
// as integers, instants as instants; monostate when the field has no value.
Value field_value(const Ticket& t, Symbol field);
// Whether the name is a built-in field guards may read / transitions may set.
bool is_readable_field(std::string_view field) noexcept;
bool is_settable_field(std::string_view field) noexcept;

// A guard's verdict: nullopt when it holds, else what is missing.
std::optional<std::string> check_guard(const Workflow& wf, const Guard& g, const Ticket& t,
                                       const TicketLookup& lookup);
// The approval status of the ticket's current state.
ApprovalStatus approval_status(const Workflow& wf, const Ticket& t);
// Whether `tr` (index `index` of wf.transitions) may run on `t` now: the state, then each
// guard in order. Inputs are checked separately.
std::optional<Refusal> check_transition(const Workflow& wf, std::size_t index, const Ticket& t,
                                        const TicketLookup& lookup);

// The workflows of a desk. Builders validate and throw Error(invalid_config) naming the
// path in the JSON document form (`workflows.change_normal.transitions[3].to`).
class Workflows {
  public:
    // The shipped ITIL preset (config/itil-workflows.json, compiled in).
    static Workflows itil();
    static const char* itil_json() noexcept;
    // {"workflows": {"<id>": {...}}}: refused whole with Errc::invalid_config naming the path.
    static Workflows from_json(std::string_view json_text);

    Workflows& add(Workflow wf);
    // Checks kinds and custom fields against a schema (Engine::set_workflows does it).
    void check(const Schema& schema) const;

    const std::vector<Workflow>& all() const noexcept { return list_; }
    const Workflow* find(Symbol id) const noexcept;
    // The workflow for (kind, model); an empty model picks the kind's default (or its only
    // workflow). nullptr when none applies.
    const Workflow* for_kind(Symbol kind, Symbol model) const noexcept;
    const Workflow* for_ticket(const Ticket& t) const noexcept { return for_kind(t.kind, t.model); }
    bool has_kind(Symbol kind) const noexcept;
    bool empty() const noexcept { return list_.empty(); }

  private:
    std::vector<Workflow> list_;
};

// What a caller gives a transition: values for the transition's inputs, an optional comment
// (a public reply, or a work note) and the version the caller saw (stale -> Errc::conflict).
struct TransitionInput {
    std::vector<std::pair<std::string, Value>> fields;
    std::string comment;
    bool work_note = false;
    std::optional<std::uint64_t> expected_version;
};

// One entry of Engine::available_transitions.
struct TransitionOption {
    Symbol id;
    std::string label;
    Symbol to;
    bool available = false;
    std::string rule;    // when not available: the rule that refuses (see Refusal), or
                         // "permission" when the actor may not
    std::string reason;  // when not available: why
    std::vector<InputDef> inputs;
};

// JSON forms used across the C ABI. A transition input is {"fields": {"resolution_code":
// "...", "custom.<name>": value}, "comment": "...", "work_note": false, "version": 3}; values
// of custom fields are typed by the schema. Malformed input: Error(invalid_argument) naming
// the JSON path; a custom value of the wrong type: Error(validation_failed).
TransitionInput transition_input_from_json(std::string_view json_text, const Schema& schema);
// [{"id", "label", "to", "available", "rule", "reason", "inputs": [{"field", "required",
// "choices"}]}]
std::string to_json(const std::vector<TransitionOption>& options);

// Parses "90s", "15m", "72h", "5d" (or a bare number of seconds) into a duration; throws
// Error(invalid_config) naming `where`.
Duration parse_duration(std::string_view text, const std::string& where);

ITSM_END_NAMESPACE

// Workflows: the pure evaluation of guards and approvals, and the validation of a workflow
// (every error names the path the JSON form of the document would have).
#include "itsm/workflow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

constexpr std::array<std::string_view, 6> class_names = {"new",      "active", "pending",
                                                         "resolved", "closed", "canceled"};

// Built-in fields: the ones guards read, and the subset transitions may set.
constexpr std::array<std::string_view, 21> readable_fields = {"title",
                                                              "description",
                                                              "kind",
                                                              "model",
                                                              "state",
                                                              "impact",
                                                              "urgency",
                                                              "priority",
                                                              "channel",
                                                              "category",
                                                              "requester",
                                                              "assignee",
                                                              "assignment_group",
                                                              "segment",
                                                              "hold_reason",
                                                              "resolution_code",
                                                              "resolution_notes",
                                                              "close_code",
                                                              "reopen_count",
                                                              "resolved",
                                                              "closed"};
constexpr std::array<std::string_view, 7> settable_fields = {
    "hold_reason", "resolution_code",  "resolution_notes", "close_code",
    "assignee",    "assignment_group", "category"};

Value symbol_value(Symbol s) {
    return s.empty() ? Value{} : Value{s.str()};
}
Value text_value(const std::string& s) {
    return s.empty() ? Value{} : Value{s};
}
Value optional_value(const std::optional<Instant>& i) {
    return i ? Value{*i} : Value{};
}

bool is_identifier(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// Orders two values of comparable types; nullopt when they cannot be compared.
std::optional<int> compare(const Value& a, const Value& b) {
    auto order = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    if (auto x = std::get_if<std::int64_t>(&a))
        if (auto y = std::get_if<std::int64_t>(&b)) return order(*x, *y);
    if (auto x = std::get_if<std::string>(&a))
        if (auto y = std::get_if<std::string>(&b)) return order(*x, *y);
    if (auto x = std::get_if<bool>(&a))
        if (auto y = std::get_if<bool>(&b)) return order(*x, *y);
    if (auto x = std::get_if<Instant>(&a)) {
        if (auto y = std::get_if<Instant>(&b)) return order(*x, *y);
        if (auto y = std::get_if<std::string>(&b)) {
            try {
                return order(*x, parse_instant(*y));
            } catch (const Error&) {
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

std::string quoted(const Value& v) {
    if (std::holds_alternative<std::string>(v)) return fmt::format("\"{}\"", value_to_text(v));
    if (std::holds_alternative<std::monostate>(v)) return "(none)";
    return value_to_text(v);
}

std::string values_text(const std::vector<Value>& values) {
    std::string out;
    for (const auto& v : values)
        out += (out.empty() ? "" : ", ") + quoted(v);
    return out;
}

std::string symbols_list(const std::vector<Symbol>& symbols) {
    std::string out;
    for (auto s : symbols)
        out += (out.empty() ? "" : ", ") + s.str();
    return out;
}

// The guard's own verdict, ignoring `negate`: nullopt when the condition holds.
std::optional<std::string> evaluate(const Workflow& wf, const Guard& g, const Ticket& t,
                                    const TicketLookup& lookup, bool explain) {
    using Op = Guard::Op;
    switch (g.op) {
        case Op::required:
            for (auto f : g.fields)
                if (std::holds_alternative<std::monostate>(field_value(t, f)))
                    return explain ? fmt::format("{} is required", f.view()) : std::string();
            return std::nullopt;
        case Op::equals:
        case Op::in: {
            Value v = field_value(t, g.fields[0]);
            for (const auto& want : g.values)
                if (compare(v, want) == 0) return std::nullopt;
            return explain
                       ? fmt::format("{} is {}, not {}{}", g.fields[0].view(), quoted(v),
                                     g.values.size() > 1 ? "one of " : "", values_text(g.values))
                       : std::string();
        }
        case Op::lt:
        case Op::le:
        case Op::gt:
        case Op::ge: {
            Value v = field_value(t, g.fields[0]);
            auto c = compare(v, g.values[0]);
            bool ok = c && ((g.op == Op::lt && *c < 0) || (g.op == Op::le && *c <= 0) ||
                            (g.op == Op::gt && *c > 0) || (g.op == Op::ge && *c >= 0));
            if (ok) return std::nullopt;
            constexpr std::array<std::string_view, 4> ops = {"<", "<=", ">", ">="};
            return explain ? fmt::format("{} is {}, not {} {}", g.fields[0].view(), quoted(v),
                                         ops[static_cast<int>(g.op) - static_cast<int>(Op::lt)],
                                         quoted(g.values[0]))
                           : std::string();
        }
        case Op::approvals_complete: {
            auto s = approval_status(wf, t);
            if (s == ApprovalStatus::approved || s == ApprovalStatus::not_required)
                return std::nullopt;
            return explain ? fmt::format("the approvals are not complete ({})", to_string(s))
                           : std::string();
        }
        case Op::children_closed:
            for (const auto& l : t.links) {
                if (l.type != LinkType::parent_of) continue;
                auto child = lookup(l.other);
                if (!child || child->closed) continue;  // closed: its closed instant is stamped
                return explain ? fmt::format("child {} is still open (state {})", child->key,
                                             child->state.view())
                               : std::string();
            }
            return std::nullopt;
        case Op::linked:
            for (const auto& l : t.links) {
                if (l.type != g.link) continue;
                if (g.states.empty()) return std::nullopt;
                auto other = lookup(l.other);
                if (other &&
                    std::find(g.states.begin(), g.states.end(), other->state) != g.states.end())
                    return std::nullopt;
            }
            if (!explain) return std::string();
            return g.states.empty() ? fmt::format("no ticket is linked as {}", to_string(g.link))
                                    : fmt::format("no ticket linked as {} is in {}",
                                                  to_string(g.link), symbols_list(g.states));
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(StateClass c) noexcept {
    return class_names[static_cast<int>(c)];
}
std::optional<StateClass> state_class_from_string(std::string_view s) noexcept {
    for (std::size_t i = 0; i < class_names.size(); ++i)
        if (class_names[i] == s) return static_cast<StateClass>(i);
    return std::nullopt;
}

std::string_view to_string(ApprovalRule r) noexcept {
    switch (r) {
        case ApprovalRule::any:
            return "any";
        case ApprovalRule::all:
            return "all";
        case ApprovalRule::n_of_m:
            return "n_of_m";
    }
    return "unknown";
}

std::string_view to_string(ApprovalStatus s) noexcept {
    switch (s) {
        case ApprovalStatus::not_required:
            return "not_required";
        case ApprovalStatus::pending:
            return "pending";
        case ApprovalStatus::approved:
            return "approved";
        case ApprovalStatus::rejected:
            return "rejected";
    }
    return "unknown";
}

bool is_readable_field(std::string_view field) noexcept {
    return std::find(readable_fields.begin(), readable_fields.end(), field) !=
           readable_fields.end();
}
bool is_settable_field(std::string_view field) noexcept {
    return std::find(settable_fields.begin(), settable_fields.end(), field) !=
           settable_fields.end();
}

Value field_value(const Ticket& t, Symbol field) {
    std::string_view f = field.view();
    if (f.substr(0, 7) == "custom.") {
        const Value* v = t.custom_value(Symbol::find(f.substr(7)));
        return v ? *v : Value{};
    }
    if (f == "state") return symbol_value(t.state);
    if (f == "hold_reason") return symbol_value(t.hold_reason);
    if (f == "resolution_code") return symbol_value(t.resolution_code);
    if (f == "resolution_notes") return text_value(t.resolution_notes);
    if (f == "close_code") return symbol_value(t.close_code);
    if (f == "assignee") return symbol_value(t.assignee);
    if (f == "assignment_group") return symbol_value(t.assignment_group);
    if (f == "category") return symbol_value(t.category);
    if (f == "requester") return symbol_value(t.requester);
    if (f == "segment") return symbol_value(t.segment);
    if (f == "kind") return symbol_value(t.kind);
    if (f == "model") return symbol_value(t.model);
    if (f == "title") return text_value(t.title);
    if (f == "description") return text_value(t.description);
    if (f == "channel") return std::string(to_string(t.channel));
    if (f == "impact") return std::int64_t{t.impact};
    if (f == "urgency") return std::int64_t{t.urgency};
    if (f == "priority") return std::int64_t{t.priority};
    if (f == "reopen_count") return std::int64_t{t.reopen_count};
    if (f == "resolved") return optional_value(t.resolved);
    if (f == "closed") return optional_value(t.closed);
    return Value{};
}

std::optional<std::string> check_guard(const Workflow& wf, const Guard& g, const Ticket& t,
                                       const TicketLookup& lookup) {
    // A negated guard's own message is never shown: skip formatting it.
    auto verdict = evaluate(wf, g, t, lookup, !g.negate);
    if (!g.negate) return verdict;
    if (verdict) return std::nullopt;
    Guard plain = g;
    plain.negate = false;
    switch (g.op) {
        case Guard::Op::required:
            return fmt::format("{} must not be set", symbols_list(g.fields));
        case Guard::Op::equals:
        case Guard::Op::in:
            return fmt::format("{} must not be {}{}", g.fields[0].view(),
                               g.values.size() > 1 ? "one of " : "", values_text(g.values));
        case Guard::Op::approvals_complete:
            return std::string("the approvals must not be complete");
        case Guard::Op::children_closed:
            return std::string("the children must not all be closed");
        case Guard::Op::linked:
            return fmt::format("a ticket is linked as {}{}", to_string(g.link),
                               g.states.empty() ? "" : " in " + symbols_list(g.states));
        default:
            return fmt::format("{} must not compare so with {}", g.fields[0].view(),
                               quoted(g.values[0]));
    }
}

StepTally tally(const ApprovalStep& step, const Ticket& t, std::uint32_t index) {
    StepTally out;
    int members = 0;
    for (const auto& a : t.approvals) {
        if (a.step != index) continue;
        switch (a.decision) {
            case ApprovalDecision::approved:
                ++out.approved, ++members;
                break;
            case ApprovalDecision::rejected:
                ++out.rejected, ++members;
                break;
            case ApprovalDecision::pending:
                ++out.pending, ++members;
                break;
            case ApprovalDecision::canceled:
                ++members;  // canceled after the step was decided: still one of its approvers
                break;
        }
    }
    out.needed = step.rule == ApprovalRule::any   ? 1
                 : step.rule == ApprovalRule::all ? members
                                                  : step.n;
    return out;
}

bool step_rejected(const ApprovalStep& step, const StepTally& tally) {
    if (tally.passed()) return false;
    if (step.rejection_rejects && tally.rejected > 0) return true;
    return tally.approved + tally.pending < tally.needed;
}

ApprovalStatus approval_status(const Workflow& wf, const Ticket& t) {
    const StateDef* s = wf.state(t.state);
    if (!s || s->approval.empty() || t.approvals.empty()) return ApprovalStatus::not_required;
    std::uint32_t current = 0;
    for (const auto& a : t.approvals)
        current = std::max(current, a.step);
    if (current >= s->approval.steps.size()) return ApprovalStatus::not_required;
    const ApprovalStep& step = s->approval.steps[current];
    StepTally n = tally(step, t, current);
    if (n.passed()) return ApprovalStatus::approved;  // a later step would have started
    if (step_rejected(step, n)) return ApprovalStatus::rejected;
    return ApprovalStatus::pending;
}

std::optional<Refusal> check_transition(const Workflow& wf, std::size_t index, const Ticket& t,
                                        const TicketLookup& lookup) {
    const Transition& tr = wf.transitions[index];
    if (!tr.leaves(t.state))
        return Refusal{"state", fmt::format("transition \"{}\" does not leave state \"{}\"",
                                            tr.id.view(), t.state.view())};
    for (std::size_t j = 0; j < tr.guards.size(); ++j)
        if (auto why = check_guard(wf, tr.guards[j], t, lookup))
            return Refusal{
                fmt::format("workflows.{}.transitions[{}].guards[{}]", wf.id.view(), index, j),
                *why};
    return std::nullopt;
}

const StateDef* Workflow::state(Symbol id) const noexcept {
    for (const auto& s : states)
        if (s.id == id) return &s;
    return nullptr;
}
const Transition* Workflow::transition(Symbol id) const noexcept {
    for (const auto& t : transitions)
        if (t.id == id) return &t;
    return nullptr;
}
bool Workflow::is_initial(Symbol s) const noexcept {
    return std::find(initial.begin(), initial.end(), s) != initial.end();
}

Duration parse_duration(std::string_view text, const std::string& where) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    std::int64_t scale = unit.empty() || unit == "s" ? 1
                         : unit == "m"               ? 60
                         : unit == "h"               ? 3600
                         : unit == "d"               ? 86400
                                                     : 0;
    if (ec != std::errc{} || end == text.data() || scale == 0 || n < 0 ||
        n > std::int64_t{100} * 365 * 86400 / scale)
        throw Error(Errc::invalid_config, where,
                    fmt::format("\"{}\" is not a duration (a count and s, m, h or d)", text));
    return std::chrono::seconds(n * scale);
}

// ---- Validation ---------------------------------------------------------------------------

namespace {

class Validator {
  public:
    Validator(const Workflow& wf, const Schema* schema)
        : wf_(wf), schema_(schema), base_(fmt::format("workflows.{}", wf.id.view())) {}

    void run() {
        if (!is_identifier(wf_.id.view()))
            fail("workflows",
                 fmt::format("\"{}\" is not a workflow id (a-z, 0-9, _)", wf_.id.view()));
        if (wf_.kind.empty()) fail(base_ + ".kind", "must not be empty");
        if (schema_ && !schema_->kind(wf_.kind))
            fail(base_ + ".kind", fmt::format("unknown kind \"{}\"", wf_.kind.view()));
        states();
        if (wf_.initial.empty()) fail(base_ + ".initial", "needs at least one state");
        for (std::size_t i = 0; i < wf_.initial.size(); ++i) {
            std::string p = fmt::format("{}.initial[{}]", base_, i);
            known_state(p, wf_.initial[i]);
            if (!wf_.state(wf_.initial[i])->approval.empty())
                fail(p, "an initial state cannot have approval steps");
        }
        std::set<Symbol> ids;
        for (std::size_t i = 0; i < wf_.transitions.size(); ++i) {
            std::string p = fmt::format("{}.transitions[{}]", base_, i);
            if (!ids.insert(wf_.transitions[i].id).second)
                fail(p + ".id",
                     fmt::format("duplicate transition id \"{}\"", wf_.transitions[i].id.view()));
            transition(p, wf_.transitions[i]);
        }
        for (std::size_t i = 0; i < wf_.on_requester_update.size(); ++i) {
            std::string p = fmt::format("{}.on_requester_update[{}]", base_, i);
            known_transition(p + ".transition", wf_.on_requester_update[i].transition);
            guards(p + ".when", wf_.on_requester_update[i].when);
        }
        for (std::size_t i = 0; i < wf_.rollup.rules.size(); ++i) {
            std::string p = fmt::format("{}.rollup.rules[{}]", base_, i);
            known_transition(p + ".transition", wf_.rollup.rules[i].transition);
            if (wf_.rollup.rules[i].states.empty()) fail(p, "needs at least one child state");
        }
        if (!wf_.rollup.otherwise.empty())
            known_transition(base_ + ".rollup.otherwise", wf_.rollup.otherwise);
        paths();
    }

  private:
    [[noreturn]] void fail(const std::string& where, std::string_view message) const {
        throw Error(Errc::invalid_config, where, message);
    }

    void known_state(const std::string& p, Symbol s) const {
        if (!wf_.state(s)) fail(p, fmt::format("unknown state \"{}\"", s.view()));
    }
    void known_transition(const std::string& p, Symbol t) const {
        if (!wf_.transition(t)) fail(p, fmt::format("unknown transition \"{}\"", t.view()));
    }

    void field(const std::string& p, Symbol f, bool settable) const {
        std::string_view name = f.view();
        if (name.substr(0, 7) == "custom.") {
            std::string_view custom = name.substr(7);
            if (!is_identifier(custom))
                fail(p, fmt::format("\"{}\" is not a custom field name", custom));
            if (!schema_) return;
            const CustomFieldDef* def = schema_->custom_field(Symbol::find(custom));
            if (!def) fail(p, fmt::format("unknown field \"{}\"", name));
            if (!def->allowed_for(wf_.kind))
                fail(p, fmt::format("field \"{}\" is not a field of kind \"{}\"", name,
                                    wf_.kind.view()));
            return;
        }
        if (settable ? !is_settable_field(name) : !is_readable_field(name))
            fail(p, settable ? fmt::format("field \"{}\" cannot be set by a transition", name)
                             : fmt::format("unknown field \"{}\"", name));
    }

    void guards(const std::string& p, const std::vector<Guard>& gs) const {
        for (std::size_t j = 0; j < gs.size(); ++j) {
            std::string gp = fmt::format("{}[{}]", p, j);
            const Guard& g = gs[j];
            switch (g.op) {
                case Guard::Op::approvals_complete:
                case Guard::Op::children_closed:
                case Guard::Op::linked:
                    break;
                case Guard::Op::required:
                    if (g.fields.empty()) fail(gp + ".required", "names no field");
                    for (std::size_t k = 0; k < g.fields.size(); ++k)
                        field(fmt::format("{}.required[{}]", gp, k), g.fields[k], false);
                    break;
                default:
                    if (g.fields.size() != 1) fail(gp + ".field", "needs one field");
                    field(gp + ".field", g.fields[0], false);
                    if (g.values.empty()) fail(gp, "compares with no value");
                    break;
            }
        }
    }

    void approvals(const std::string& p, const ApprovalConfig& a) const {
        for (std::size_t i = 0; i < a.steps.size(); ++i) {
            std::string sp = fmt::format("{}.steps[{}]", p, i);
            const ApprovalStep& s = a.steps[i];
            guards(sp + ".when", s.when);
            const Approvers& who = s.approvers;
            int listed = -1;  // unknown until the step starts
            if (who.kind == Approvers::Kind::users) {
                listed = static_cast<int>(who.users.size());
                std::set<Symbol> seen;
                for (auto u : who.users)
                    if (u.empty() || !seen.insert(u).second)
                        fail(sp + ".approvers.users",
                             fmt::format("empty or repeated user \"{}\"", u.view()));
                if (listed == 0) fail(sp + ".approvers.users", "lists no user: it can never pass");
            }
            if (who.kind == Approvers::Kind::role && who.role.empty())
                fail(sp + ".approvers.role", "must not be empty");
            if (who.kind == Approvers::Kind::manager) listed = 1;
            if (s.rule == ApprovalRule::n_of_m) {
                if (s.n < 1) fail(sp + ".n", fmt::format("{} approvals: must be 1 or more", s.n));
                if (listed >= 0 && s.n > listed)
                    fail(sp + ".n",
                         fmt::format("needs {} approvals of {} approver{}: it can never pass", s.n,
                                     listed, listed == 1 ? "" : "s"));
            }
        }
        if (!a.on_approved.empty()) known_transition(p + ".on_approved", a.on_approved);
        if (!a.on_rejected.empty()) known_transition(p + ".on_rejected", a.on_rejected);
    }

    void states() const {
        if (wf_.states.empty()) fail(base_ + ".states", "needs at least one state");
        std::set<Symbol> ids;
        for (std::size_t i = 0; i < wf_.states.size(); ++i) {
            std::string p = fmt::format("{}.states[{}]", base_, i);
            const StateDef& s = wf_.states[i];
            if (!is_identifier(s.id.view()))
                fail(p + ".id", fmt::format("\"{}\" is not a state id (a-z, 0-9, _)", s.id.view()));
            if (!ids.insert(s.id).second)
                fail(p + ".id", fmt::format("duplicate state id \"{}\"", s.id.view()));
        }
        for (std::size_t i = 0; i < wf_.states.size(); ++i)
            approvals(fmt::format("{}.states[{}].approval", base_, i), wf_.states[i].approval);
    }

    void transition(const std::string& p, const Transition& tr) const {
        if (!is_identifier(tr.id.view()))
            fail(p + ".id",
                 fmt::format("\"{}\" is not a transition id (a-z, 0-9, _)", tr.id.view()));
        if (!tr.from_any && tr.from.empty()) fail(p + ".from", "names no state");
        for (std::size_t k = 0; k < tr.from.size(); ++k)
            known_state(fmt::format("{}.from[{}]", p, k), tr.from[k]);
        known_state(p + ".to", tr.to);
        guards(p + ".guards", tr.guards);
        std::set<Symbol> inputs;
        for (std::size_t k = 0; k < tr.inputs.size(); ++k) {
            std::string ip = fmt::format("{}.inputs[{}].field", p, k);
            field(ip, tr.inputs[k].field, true);
            if (!inputs.insert(tr.inputs[k].field).second)
                fail(ip, fmt::format("duplicate input \"{}\"", tr.inputs[k].field.view()));
        }
        for (std::size_t k = 0; k < tr.actions.size(); ++k)
            action(fmt::format("{}.actions[{}]", p, k), tr.actions[k]);
    }

    void action(const std::string& p, const Action& a) const {
        using Op = Action::Op;
        switch (a.op) {
            case Op::set:
            case Op::clear:
                field(p + (a.op == Op::set ? ".set" : ".clear"), a.field, true);
                break;
            case Op::compute:
                field(p + ".compute", a.field, true);
                for (std::size_t i = 0; i < a.cases.size(); ++i)
                    guards(fmt::format("{}.cases[{}].when", p, i), a.cases[i].when);
                break;
            case Op::stamp:
            case Op::unstamp:
                if (a.field != "resolved" && a.field != "closed")
                    fail(p,
                         fmt::format("cannot stamp \"{}\" (resolved or closed)", a.field.view()));
                break;
            case Op::increment:
                if (a.field != "reopen_count")
                    fail(p + ".increment",
                         fmt::format("cannot increment \"{}\" (reopen_count)", a.field.view()));
                break;
            case Op::create_tasks:
                if (a.tasks.empty()) fail(p + ".create_tasks", "lists no task");
                if (schema_ && !schema_->kind("task"))
                    fail(p + ".create_tasks", "the schema has no kind \"task\"");
                for (std::size_t i = 0; i < a.tasks.size(); ++i)
                    if (a.tasks[i].title.empty())
                        fail(fmt::format("{}.create_tasks[{}].title", p, i), "must not be empty");
                break;
            case Op::cascade:
                if (!is_identifier(a.transition.view()))
                    fail(p + ".cascade", "expected a transition id");
                break;
            case Op::emit:
                if (a.name.empty()) fail(p + ".emit", "must not be empty");
                break;
        }
    }

    // Every state is reachable from an initial state, and can reach a closed or canceled one.
    void paths() const {
        std::size_t n = wf_.states.size();
        auto index = [&](Symbol s) {
            for (std::size_t i = 0; i < n; ++i)
                if (wf_.states[i].id == s) return i;
            return n;
        };
        std::vector<std::vector<std::size_t>> next(n);
        for (const auto& tr : wf_.transitions)
            for (std::size_t i = 0; i < n; ++i)
                if (tr.leaves(wf_.states[i].id)) next[i].push_back(index(tr.to));
        auto closure = [&](std::vector<bool> seen, bool forward) {
            for (bool grew = true; grew;) {
                grew = false;
                for (std::size_t i = 0; i < n; ++i)
                    for (auto j : next[i]) {
                        std::size_t from = forward ? i : j, to = forward ? j : i;
                        if (seen[from] && !seen[to]) seen[to] = grew = true;
                    }
            }
            return seen;
        };
        std::vector<bool> start(n, false), finals(n, false);
        for (auto s : wf_.initial)
            start[index(s)] = true;
        for (std::size_t i = 0; i < n; ++i)
            finals[i] = is_final(wf_.states[i].cls);
        auto reached = closure(start, true);
        auto ends = closure(finals, false);
        for (std::size_t i = 0; i < n; ++i) {
            std::string p = fmt::format("{}.states[{}]", base_, i);
            if (!reached[i])
                fail(p, fmt::format("state \"{}\" cannot be reached from an initial state",
                                    wf_.states[i].id.view()));
            if (!ends[i])
                fail(p, fmt::format("state \"{}\" has no path to a closed or canceled state",
                                    wf_.states[i].id.view()));
        }
    }

    const Workflow& wf_;
    const Schema* schema_;
    std::string base_;
};

}  // namespace

Workflows& Workflows::add(Workflow wf) {
    if (wf.kind.empty() && !wf.id.empty()) wf.kind = wf.id;
    Validator(wf, nullptr).run();
    std::string base = fmt::format("workflows.{}", wf.id.view());
    for (const auto& other : list_) {
        if (other.id == wf.id) throw Error(Errc::invalid_config, base, "duplicate workflow id");
        if (other.kind == wf.kind && other.model == wf.model)
            throw Error(Errc::invalid_config, base + ".model",
                        fmt::format("workflow \"{}\" already covers kind \"{}\" model \"{}\"",
                                    other.id.view(), wf.kind.view(), wf.model.view()));
        if (other.kind == wf.kind && other.is_default && wf.is_default)
            throw Error(Errc::invalid_config, base + ".default",
                        fmt::format("workflow \"{}\" is already the default of kind \"{}\"",
                                    other.id.view(), wf.kind.view()));
    }
    for (auto& tr : wf.transitions)
        if (tr.permission.empty()) tr.permission = "transition." + tr.id.str();
    list_.push_back(std::move(wf));
    return *this;
}

void Workflows::check(const Schema& schema) const {
    for (const auto& wf : list_)
        Validator(wf, &schema).run();
}

const Workflow* Workflows::find(Symbol id) const noexcept {
    for (const auto& wf : list_)
        if (wf.id == id) return &wf;
    return nullptr;
}

const Workflow* Workflows::for_kind(Symbol kind, Symbol model) const noexcept {
    const Workflow* only = nullptr;
    int count = 0;
    for (const auto& wf : list_) {
        if (wf.kind != kind) continue;
        if (wf.model == model) return &wf;
        if (model.empty() && wf.is_default) return &wf;
        only = &wf, ++count;
    }
    return model.empty() && count == 1 ? only : nullptr;
}

bool Workflows::has_kind(Symbol kind) const noexcept {
    for (const auto& wf : list_)
        if (wf.kind == kind) return true;
    return false;
}

ITSM_END_NAMESPACE

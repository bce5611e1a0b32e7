// Engine members for workflows: transitions with their guards, inputs and actions, approvals,
// roll-up, triggers and timed transitions. The rules themselves are pure functions in
// workflow.hpp; this file sequences them and commits every ticket an operation changes at
// once.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine_impl.hpp"
#include "itsm/workflow.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

// The tickets one operation changes: each is copied once, on its first change, and all of
// them are committed together (version + 1 each, `updated` = now).
struct WorkSet {
    struct Entry {
        std::shared_ptr<Ticket> ticket;
        std::uint64_t base = 0;  // the version read (0 for a new ticket)
    };
    const Store& store;
    Instant now;
    Symbol actor;
    std::vector<Entry> entries;
    std::vector<Event> events;

    TicketPtr get(TicketId id) const {
        for (const auto& e : entries)
            if (e.ticket->id == id) return e.ticket;
        return store.get(id);
    }
    Ticket& edit(TicketId id) {
        for (auto& e : entries)
            if (e.ticket->id == id) return *e.ticket;
        TicketPtr t = store.get(id);
        if (!t) throw Error(Errc::not_found, "ticket", fmt::format("no ticket {}", id));
        entries.push_back({std::make_shared<Ticket>(*t), t->version});
        return *entries.back().ticket;
    }
    Ticket& add(Ticket t) {
        entries.push_back({std::make_shared<Ticket>(std::move(t)), 0});
        return *entries.back().ticket;
    }
    WorkSet(const Store& s, Instant at, Symbol who) : store(s), now(at), actor(who) {
        events.reserve(8);  // a transition writes a handful of events
    }
    TicketLookup lookup() const {
        return [this](TicketId id) { return get(id); };
    }
    Event& event(const Ticket& t, EventType type) {
        events.push_back(make_event(t.id, now, actor, type));
        return events.back();
    }
    // Adds the changed tickets and the events to `c` (replacing a ticket `c` already has).
    void into(Commit& c) {
        for (auto& e : entries) {
            e.ticket->version = e.base + 1;
            e.ticket->updated = now;
            auto same = std::find_if(c.tickets.begin(), c.tickets.end(), [&](const TicketWrite& w) {
                return w.ticket->id == e.ticket->id;
            });
            if (same != c.tickets.end())
                same->ticket = e.ticket;
            else
                c.tickets.push_back({e.ticket, e.base});
        }
        c.events.insert(c.events.end(), std::make_move_iterator(events.begin()),
                        std::make_move_iterator(events.end()));
        events.clear();
    }
};

namespace {

constexpr int max_depth = 16;

// Interned once: events name these fields on every transition.
Symbol state_field() {
    static const Symbol s("state");
    return s;
}
Symbol approval_field() {
    static const Symbol s("approval");
    return s;
}  // cascades and roll-ups that nest deeper are a loop

using Inputs = std::vector<std::pair<Symbol, Value>>;

std::size_t index_of(const Workflow& wf, const Transition& tr) {
    return static_cast<std::size_t>(&tr - wf.transitions.data());
}
std::size_t state_index(const Workflow& wf, Symbol state) {
    for (std::size_t i = 0; i < wf.states.size(); ++i)
        if (wf.states[i].id == state) return i;
    return wf.states.size();
}

// Sets a settable field (see is_settable_field, or custom.<name>) and records the change.
void set_field(WorkSet& ws, Ticket& t, Symbol field, const Value& value) {
    std::string_view f = field.view();
    Value before = field_value(t, field);
    if (before == value) return;
    if (f.substr(0, 7) == "custom.") {
        set_custom(t, Symbol(f.substr(7)), value);
    } else {
        const std::string* text = std::get_if<std::string>(&value);
        std::string s = text ? *text : std::string{};
        if (f == "resolution_notes")
            t.resolution_notes = s;
        else if (f == "hold_reason")
            t.hold_reason = Symbol(s);
        else if (f == "resolution_code")
            t.resolution_code = Symbol(s);
        else if (f == "close_code")
            t.close_code = Symbol(s);
        else if (f == "assignee")
            t.assignee = Symbol(s);
        else if (f == "assignment_group")
            t.assignment_group = Symbol(s);
        else if (f == "category")
            t.category = Symbol(s);
        else
            throw Error(Errc::internal, std::string(f), "not a settable field");
    }
    Event& e = ws.event(t, EventType::field_changed);
    e.field = field;
    e.old_value = std::move(before);
    e.new_value = value;
}

void stamp(WorkSet& ws, Ticket& t, Symbol field, bool set) {
    std::optional<Instant>& slot = field == "resolved" ? t.resolved : t.closed;
    std::optional<Instant> next = set ? std::optional<Instant>(ws.now) : std::nullopt;
    if (slot == next) return;
    Event& e = ws.event(t, EventType::field_changed);
    e.field = field;
    e.old_value = slot ? Value{*slot} : Value{};
    e.new_value = next ? Value{*next} : Value{};
    slot = next;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (auto p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size()))
        text.replace(p, from.size(), to);
    return text;
}

std::string users_text(const std::vector<Symbol>& users) {
    std::string out;
    for (auto u : users)
        out += (out.empty() ? "" : ", ") + u.str();
    return out;
}

std::string choices_text(const InputDef& d) {
    std::string out;
    for (const auto& c : d.choices)
        out += (out.empty() ? "" : ", ") + c;
    return out;
}

}  // namespace

// ---- Lookups ------------------------------------------------------------------------------

const Workflow* Engine::Impl::workflow_of(const Ticket& t) const noexcept {
    return workflows ? workflows->for_ticket(t) : nullptr;
}

std::optional<StateClass> Engine::Impl::class_of(const Ticket& t) const noexcept {
    const Workflow* wf = workflow_of(t);
    const StateDef* s = wf ? wf->state(t.state) : nullptr;
    if (!s) return std::nullopt;
    return s->cls;
}

std::optional<bool> Engine::Impl::workflow_open(const Ticket& t) const noexcept {
    auto c = class_of(t);
    if (!c) return std::nullopt;
    return itsm::is_open(*c);
}

void Engine::Impl::place_new_ticket(Ticket& t, const NewTicket& in, Instant now) const {
    t.state_entered = now;
    check_symbol("model", in.model, false);
    check_symbol("state", in.state, false);
    if (!workflows || !workflows->has_kind(t.kind)) {
        if (!in.state.empty())
            throw Error(Errc::validation_failed, "state",
                        fmt::format("kind \"{}\" has no workflow: tickets start in \"{}\"",
                                    t.kind.view(), t.state.view()));
        t.model = in.model;
        return;
    }
    const Workflow* wf = workflows->for_kind(t.kind, in.model);
    if (!wf) {
        std::vector<Symbol> models;
        for (const auto& w : workflows->all())
            if (w.kind == t.kind) models.push_back(w.model);
        throw Error(
            Errc::validation_failed, "model",
            in.model.empty()
                ? fmt::format("kind \"{}\" needs a model ({})", t.kind.view(), users_text(models))
                : fmt::format("unknown model \"{}\" of kind \"{}\" ({})", in.model.view(),
                              t.kind.view(), users_text(models)));
    }
    t.model = wf->model;
    if (in.state.empty()) {
        t.state = wf->initial.front();
    } else if (wf->is_initial(in.state)) {
        t.state = in.state;
    } else {
        throw Error(Errc::validation_failed, "state",
                    fmt::format("\"{}\" is not an initial state of workflow \"{}\" ({})",
                                in.state.view(), wf->id.view(), users_text(wf->initial)));
    }
}

// ---- Inputs -------------------------------------------------------------------------------

Inputs Engine::Impl::checked_inputs(const Ticket& t, const Transition& tr,
                                    const TransitionInput& in) const {
    Inputs out;
    for (const auto& [name, value] : in.fields) {
        auto def = std::find_if(tr.inputs.begin(), tr.inputs.end(),
                                [&](const InputDef& d) { return d.field.view() == name; });
        if (def == tr.inputs.end()) {
            std::vector<Symbol> names;
            for (const auto& d : tr.inputs)
                names.push_back(d.field);
            throw Error(Errc::validation_failed, name,
                        fmt::format("not an input of transition \"{}\" (inputs: {})", tr.id.view(),
                                    names.empty() ? "none" : users_text(names)));
        }
        for (const auto& [seen, v] : out)
            if (seen == def->field) throw Error(Errc::validation_failed, name, "given twice");
        if (name.rfind("custom.", 0) == 0) {
            schema.check_custom(t.kind, name.substr(7), value);
            check_custom_value(name.substr(7), value);
        } else if (!std::holds_alternative<std::monostate>(value)) {
            const std::string* text = std::get_if<std::string>(&value);
            if (!text) throw Error(Errc::validation_failed, name, "expected text");
            if (name == "resolution_notes")
                checked_description(*text);
            else
                check_symbol(name, Symbol(*text), false);
        }
        if (!def->choices.empty() && !std::holds_alternative<std::monostate>(value)) {
            std::string text = value_to_text(value);
            if (std::find(def->choices.begin(), def->choices.end(), text) == def->choices.end())
                throw Error(Errc::validation_failed, name,
                            fmt::format("\"{}\" is not one of {}", text, choices_text(*def)));
        }
        out.emplace_back(def->field, value);
    }
    for (const auto& d : tr.inputs) {
        if (!d.required) continue;
        auto given =
            std::find_if(out.begin(), out.end(), [&](auto& p) { return p.first == d.field; });
        bool has = given != out.end()
                       ? !std::holds_alternative<std::monostate>(given->second)
                       : !std::holds_alternative<std::monostate>(field_value(t, d.field));
        if (!has)
            throw Error(Errc::validation_failed, d.field.str(),
                        fmt::format("required by transition \"{}\"", tr.id.view()));
    }
    return out;
}

// ---- Running a transition -----------------------------------------------------------------

void Engine::Impl::run_transition(WorkSet& ws, TicketId id, const Workflow& wf,
                                  const Transition& tr, const Inputs& inputs, int depth) {
    if (depth > max_depth)
        throw Error(Errc::invalid_config, fmt::format("workflows.{}", wf.id.view()),
                    "cascades and roll-ups nest too deep (a loop?)");
    Ticket& t = ws.edit(id);
    for (const auto& [field, value] : inputs)
        set_field(ws, t, field, value);
    Symbol from = t.state;
    Event& e = ws.event(t, EventType::state_changed);
    e.field = state_field();
    e.old_value = from.str();
    e.new_value = tr.to.str();
    e.text = tr.id.str();
    t.state = tr.to;
    t.state_entered = ws.now;
    if (from != tr.to) cancel_pending(ws, t);
    for (const auto& a : tr.actions)
        run_action(ws, t, wf, a, depth);
    const StateDef* to = wf.state(tr.to);
    if (from != tr.to && !to->approval.empty()) start_approvals(ws, t, wf, 0, depth);
    if (is_final(to->cls)) rollup(ws, t, depth);
}

bool Engine::Impl::try_transition(WorkSet& ws, TicketId id, Symbol transition, int depth,
                                  const Inputs& given) {
    TicketPtr t = ws.get(id);
    const Workflow* wf = t ? workflow_of(*t) : nullptr;
    const Transition* tr = wf ? wf->transition(transition) : nullptr;
    if (!tr || check_transition(*wf, index_of(*wf, *tr), *t, ws.lookup())) return false;
    TransitionInput in;
    for (const auto& d : tr->inputs) {  // given values first, then the source ticket's
        auto g =
            std::find_if(given.begin(), given.end(), [&](auto& p) { return p.first == d.field; });
        if (g != given.end()) in.fields.emplace_back(d.field.str(), g->second);
    }
    Inputs inputs;
    try {
        inputs = checked_inputs(*t, *tr, in);
    } catch (const Error&) {
        return false;  // an automatic transition that lacks its inputs does not run
    }
    run_transition(ws, id, *wf, *tr, inputs, depth + 1);
    return true;
}

void Engine::Impl::run_action(WorkSet& ws, Ticket& t, const Workflow& wf, const Action& a,
                              int depth) {
    switch (a.op) {
        case Action::Op::set:
            if (a.field.view().rfind("custom.", 0) == 0)
                schema.check_custom(t.kind, a.field.view().substr(7), a.value);
            set_field(ws, t, a.field, a.value);
            break;
        case Action::Op::clear:
            set_field(ws, t, a.field, Value{});
            break;
        case Action::Op::stamp:
        case Action::Op::unstamp:
            stamp(ws, t, a.field, a.op == Action::Op::stamp);
            break;
        case Action::Op::increment: {
            Event& e = ws.event(t, EventType::field_changed);
            e.field = a.field;
            e.old_value = std::int64_t{t.reopen_count};
            e.new_value = std::int64_t{++t.reopen_count};
            break;
        }
        case Action::Op::emit:
            ws.event(t, EventType::workflow_event).text = a.name;
            break;
        case Action::Op::compute: {
            const Value* v = &a.value;
            for (const auto& c : a.cases) {
                bool holds = std::all_of(c.when.begin(), c.when.end(), [&](const Guard& g) {
                    return !check_guard(wf, g, t, ws.lookup());
                });
                if (holds) {
                    v = &c.value;
                    break;
                }
            }
            if (a.field.view().rfind("custom.", 0) == 0)
                schema.check_custom(t.kind, a.field.view().substr(7), *v);
            set_field(ws, t, a.field, *v);
            break;
        }
        case Action::Op::create_tasks:
            create_tasks(ws, t, a);
            break;
        case Action::Op::cascade: {
            std::vector<TicketId> targets;
            for (const auto& l : t.links)
                if (l.type == a.link) targets.push_back(l.other);
            for (auto other : targets) {
                Inputs given = a.cascade_inputs;
                TicketPtr o = ws.get(other);
                const Workflow* owf = o ? workflow_of(*o) : nullptr;
                const Transition* otr = owf ? owf->transition(a.transition) : nullptr;
                if (!otr) continue;
                for (const auto& d : otr->inputs) {  // the source's own values fill the rest
                    Value mine = field_value(t, d.field);
                    bool set = std::any_of(given.begin(), given.end(),
                                           [&](auto& p) { return p.first == d.field; });
                    if (!set && !std::holds_alternative<std::monostate>(mine))
                        given.emplace_back(d.field, mine);
                }
                try_transition(ws, other, a.transition, depth, given);
            }
            break;
        }
    }
}

void Engine::Impl::create_tasks(WorkSet& ws, Ticket& parent, const Action& a) {
    const KindDef* kind = schema.kind("task");
    if (!kind) throw Error(Errc::invalid_config, "create_tasks", "the schema has no kind \"task\"");
    const Workflow* wf = workflows->for_kind("task", Symbol{});
    for (const auto& tmpl : a.tasks) {
        Ticket child;
        auto [id, number] = store->allocate(kind->id);
        child.id = id;
        child.key = format_key(kind->prefix, number);
        child.kind = kind->id;
        child.state = wf ? wf->initial.front() : kind->initial_state;
        child.model = wf ? wf->model : Symbol{};
        child.title = checked_title(
            replace_all(replace_all(tmpl.title, "{title}", parent.title), "{key}", parent.key));
        child.description = replace_all(tmpl.description, "{key}", parent.key);
        child.impact = parent.impact;
        child.urgency = parent.urgency;
        child.priority = parent.priority;
        child.requester = parent.requester;
        child.assignment_group = parent.assignment_group;
        child.segment = parent.segment;
        child.created = child.updated = child.state_entered = ws.now;
        child.links.push_back({LinkType::child_of, parent.id});
        parent.links.push_back({LinkType::parent_of, id});
        Ticket& added = ws.add(std::move(child));
        ws.event(added, EventType::created).text = added.key;
        ws.event(added, EventType::link_added).link = Link{LinkType::child_of, parent.id};
        ws.event(parent, EventType::link_added).link = Link{LinkType::parent_of, id};
    }
}

// ---- Approvals ----------------------------------------------------------------------------

std::vector<Symbol> Engine::Impl::approvers_of(const ApprovalStep& step, const Ticket& t) const {
    std::vector<Symbol> out;
    const Approvers& who = step.approvers;
    Symbol group = who.group.empty() ? t.assignment_group : who.group;
    const GroupDef* g = directory.group(group);
    switch (who.kind) {
        case Approvers::Kind::users:
            out = who.users;
            break;
        case Approvers::Kind::role:
            out = holders_of(who.role, t.segment);
            break;
        case Approvers::Kind::group:
            if (g) out = g->members;
            break;
        case Approvers::Kind::manager:
            if (g && !g->manager.empty()) out.push_back(g->manager);
            break;
    }
    std::vector<Symbol> unique;
    for (auto u : out)
        if (std::find(unique.begin(), unique.end(), u) == unique.end()) unique.push_back(u);
    return unique;
}

void Engine::Impl::start_approvals(WorkSet& ws, Ticket& t, const Workflow& wf,
                                   std::uint32_t from_step, int depth) {
    std::size_t si = state_index(wf, t.state);
    const ApprovalConfig& cfg = wf.states[si].approval;
    if (from_step == 0) t.approvals.clear();  // a new round; history keeps the old decisions
    for (std::uint32_t k = from_step; k < cfg.steps.size(); ++k) {
        const ApprovalStep& step = cfg.steps[k];
        bool applies = std::all_of(step.when.begin(), step.when.end(), [&](const Guard& g) {
            return !check_guard(wf, g, t, ws.lookup());
        });
        if (!applies) continue;
        std::vector<Symbol> users = approvers_of(step, t);
        std::string rule =
            fmt::format("workflows.{}.states[{}].approval.steps[{}]", wf.id.view(), si, k);
        if (users.empty())
            throw Error(Errc::invalid_transition, rule + ".approvers",
                        "the approval step has no approver (check the directory: group members, "
                        "manager, role holders)");
        if (step.rule == ApprovalRule::n_of_m && static_cast<int>(users.size()) < step.n)
            throw Error(
                Errc::invalid_transition, rule + ".n",
                fmt::format("needs {} approvals but has only {} approvers", step.n, users.size()));
        for (auto u : users)
            t.approvals.push_back(Approval{k, u, ApprovalDecision::pending, {}, {}, {}});
        Event& e = ws.event(t, EventType::approval);
        e.field = approval_field();
        e.new_value = std::string("requested");
        e.text = users_text(users);
        return;
    }
    // No further step applies: the approval has passed.
    if (!cfg.on_approved.empty()) try_transition(ws, t.id, cfg.on_approved, depth);
}

void Engine::Impl::cancel_pending(WorkSet& ws, Ticket& t) const {
    std::vector<Symbol> canceled;
    for (auto& a : t.approvals)
        if (a.decision == ApprovalDecision::pending) {
            a.decision = ApprovalDecision::canceled;
            a.decided = ws.now;
            canceled.push_back(a.approver);
        }
    if (canceled.empty()) return;
    Event& e = ws.event(t, EventType::approval);
    e.field = approval_field();
    e.old_value = std::string("pending");
    e.new_value = std::string("canceled");
    e.text = users_text(canceled);
}

Ticket Engine::Impl::decide(const Actor& actor, TicketId id, ApprovalDecision decision,
                            std::string_view comment) {
    check_actor(actor.user);
    std::string text = comment.empty() ? std::string{} : checked_comment(comment);
    TicketPtr current = load_readable(actor, id);
    authorize(actor, current.get(), "approval.approve");
    const Workflow* wf = workflow_of(*current);
    const StateDef* state = wf ? wf->state(current->state) : nullptr;
    if (!state || state->approval.empty() ||
        approval_status(*wf, *current) != ApprovalStatus::pending)
        throw Error(Errc::invalid_transition, "approval",
                    fmt::format("{} has no approval in progress", current->key));
    std::uint32_t step = 0;
    for (const auto& a : current->approvals)
        step = std::max(step, a.step);
    auto mine = [&](const Approval& a) {
        return a.step == step && a.approver == actor.user &&
               a.decision == ApprovalDecision::pending;
    };
    if (std::none_of(current->approvals.begin(), current->approvals.end(), mine))
        throw Error(
            Errc::permission_denied, "approval",
            fmt::format("{} is not a pending approver of {}", actor.user.view(), current->key));
    WorkSet ws(*store, clock->now(), actor.user);
    Ticket& t = ws.edit(id);
    auto record = std::find_if(t.approvals.begin(), t.approvals.end(), mine);
    record->decision = decision;
    record->decided = ws.now;
    record->comment = text;
    Event& e = ws.event(t, EventType::approval);
    e.field = approval_field();
    e.old_value = std::string("pending");
    e.new_value = std::string(to_string(decision));
    e.text = text;
    const ApprovalStep& cfg = state->approval.steps[step];
    StepTally n = tally(cfg, t, step);
    if (n.passed()) {
        cancel_pending(ws, t);  // the others of this step need not decide any more
        start_approvals(ws, t, *wf, step + 1, 0);
    } else if (step_rejected(cfg, n)) {
        cancel_pending(ws, t);
        if (!state->approval.on_rejected.empty())
            try_transition(ws, id, state->approval.on_rejected, 0);
    }
    Commit c;
    ws.into(c);
    commit(c);
    return written(c, id);
}

// ---- Roll-up and triggers -----------------------------------------------------------------

void Engine::Impl::rollup(WorkSet& ws, const Ticket& child, int depth) {
    auto parent_id = child.parent();
    if (!parent_id) return;
    TicketPtr parent = ws.get(*parent_id);
    const Workflow* pwf = parent ? workflow_of(*parent) : nullptr;
    if (!pwf || pwf->rollup.empty()) return;
    std::vector<Symbol> states;
    for (const auto& l : parent->links) {
        if (l.type != LinkType::parent_of) continue;
        TicketPtr c = ws.get(l.other);
        if (!c) continue;
        auto cls = class_of(*c);
        if (!cls || !is_final(*cls)) return;  // a child is still open
        states.push_back(c->state);
    }
    Symbol pick = pwf->rollup.otherwise;
    for (const auto& rule : pwf->rollup.rules) {
        auto in = [&](Symbol s) {
            return std::find(rule.states.begin(), rule.states.end(), s) != rule.states.end();
        };
        bool match = rule.all ? std::all_of(states.begin(), states.end(), in)
                              : std::any_of(states.begin(), states.end(), in);
        if (match) {
            pick = rule.transition;
            break;
        }
    }
    if (!pick.empty()) try_transition(ws, *parent_id, pick, depth);
}

void Engine::Impl::requester_activity(Symbol actor, Commit& c, Instant now) {
    if (!workflows || c.tickets.empty()) return;
    const Ticket& t = *c.tickets.front().ticket;
    const Workflow* wf = workflow_of(t);
    if (!wf || wf->on_requester_update.empty() || actor != t.requester) return;
    WorkSet ws(*store, now, actor);
    ws.entries.push_back({std::make_shared<Ticket>(t), c.tickets.front().expected_version});
    for (const auto& trigger : wf->on_requester_update) {
        bool holds = std::all_of(trigger.when.begin(), trigger.when.end(), [&](const Guard& g) {
            return !check_guard(*wf, g, t, ws.lookup());
        });
        if (holds && try_transition(ws, t.id, trigger.transition, 0)) break;
    }
    if (ws.events.empty()) return;
    ws.into(c);
}

// ---- Engine members -----------------------------------------------------------------------

void Engine::set_workflows(const Actor& actor, Workflows workflows) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.workflows");
    workflows.check(impl_->schema);
    impl_->workflows = std::make_shared<const Workflows>(std::move(workflows));
    impl_->recompile_access();  // open_only follows the state classes
}

std::shared_ptr<const Workflows> Engine::workflows() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->workflows;
}

Ticket Engine::transition(const Actor& actor, TicketId id, Symbol transition_id,
                          const TransitionInput& input) {
    check_actor(actor.user);
    std::string comment = input.comment.empty() ? std::string{} : checked_comment(input.comment);
    Ticket result;
    {
        std::unique_lock lock(impl_->mutex);
        TicketPtr current = impl_->load_readable(actor, id);
        impl_->check_version(*current, input.expected_version, "transition");
        const Workflow* wf = impl_->workflow_of(*current);
        if (!wf)
            throw Error(Errc::invalid_transition, "transition",
                        fmt::format("{} has no workflow (kind \"{}\")", current->key,
                                    current->kind.view()));
        const Transition* tr = wf->transition(transition_id);
        if (!tr)
            throw Error(Errc::not_found, "transition",
                        fmt::format("workflow \"{}\" has no transition \"{}\"", wf->id.view(),
                                    transition_id.view()));
        impl_->authorize(actor, current.get(), tr->permission_id());
        auto store_lookup = [&](TicketId other) { return impl_->store->get(other); };
        if (auto refusal = check_transition(*wf, index_of(*wf, *tr), *current, store_lookup))
            throw Error(Errc::invalid_transition, refusal->rule, refusal->message);
        Inputs inputs = impl_->checked_inputs(*current, *tr, input);
        WorkSet ws(*impl_->store, impl_->clock->now(), actor.user);
        impl_->run_transition(ws, id, *wf, *tr, inputs, 0);
        if (!comment.empty())
            ws.event(*ws.get(id), input.work_note ? EventType::work_note : EventType::comment)
                .text = std::move(comment);
        Commit c;
        ws.into(c);
        impl_->commit(c);
        result = impl_->view_of(actor, Impl::written(c, id), current.get());
    }
    impl_->deliver();
    return result;
}

std::vector<TransitionOption> Engine::available_transitions(const Actor& actor, TicketId id) const {
    check_actor(actor.user);
    std::shared_lock lock(impl_->mutex);
    TicketPtr t = impl_->load_readable(actor, id);
    std::vector<TransitionOption> out;
    const Workflow* wf = impl_->workflow_of(*t);
    if (!wf) return out;
    auto store_lookup = [&](TicketId other) { return impl_->store->get(other); };
    for (std::size_t i = 0; i < wf->transitions.size(); ++i) {
        const Transition& tr = wf->transitions[i];
        if (!tr.leaves(t->state)) continue;
        TransitionOption o{tr.id, tr.label, tr.to, true, {}, {}, tr.inputs};
        if (auto why = impl_->refusal(actor, t.get(), tr.permission_id())) {
            o.available = false;
            o.rule = "permission";
            o.reason = *why;
        } else if (auto refusal = check_transition(*wf, i, *t, store_lookup)) {
            o.available = false;
            o.rule = refusal->rule;
            o.reason = refusal->message;
        }
        out.push_back(std::move(o));
    }
    return out;
}

Ticket Engine::approve(const Actor& actor, TicketId id, std::string_view comment) {
    return decide(actor, id, ApprovalDecision::approved, comment);
}

Ticket Engine::reject(const Actor& actor, TicketId id, std::string_view comment) {
    return decide(actor, id, ApprovalDecision::rejected, comment);
}

Ticket Engine::decide(const Actor& actor, TicketId id, ApprovalDecision decision,
                      std::string_view comment) {
    Ticket result;
    {
        std::unique_lock lock(impl_->mutex);
        TicketPtr before = impl_->store->get(id);  // the rights the approver acts with
        result = impl_->decide(actor, id, decision, comment);
        result = impl_->view_of(actor, result, before.get());
    }
    impl_->deliver();
    return result;
}

Ticket Engine::delegate(const Actor& actor, TicketId id, Symbol to_user, std::string_view comment) {
    check_actor(actor.user);
    check_symbol("to_user", to_user, true);
    std::string text = comment.empty() ? std::string{} : checked_comment(comment);
    Ticket result;
    {
        std::unique_lock lock(impl_->mutex);
        TicketPtr current = impl_->load_readable(actor, id);
        impl_->authorize(actor, current.get(), "approval.approve");
        std::uint32_t step = 0;
        for (const auto& a : current->approvals)
            step = std::max(step, a.step);
        auto pending_of = [&](Symbol user) {
            return [&, user](const Approval& a) {
                return a.step == step && a.approver == user &&
                       a.decision == ApprovalDecision::pending;
            };
        };
        const auto& list = current->approvals;
        if (std::none_of(list.begin(), list.end(), pending_of(actor.user)))
            throw Error(
                Errc::permission_denied, "approval",
                fmt::format("{} is not a pending approver of {}", actor.user.view(), current->key));
        if (to_user == actor.user || std::any_of(list.begin(), list.end(), pending_of(to_user)))
            throw Error(Errc::conflict, "to_user",
                        fmt::format("{} already has this approval pending", to_user.view()));
        WorkSet ws(*impl_->store, impl_->clock->now(), actor.user);
        Ticket& t = ws.edit(id);
        auto record = std::find_if(t.approvals.begin(), t.approvals.end(), pending_of(actor.user));
        record->approver = to_user;
        record->delegated_from = actor.user;
        Event& e = ws.event(t, EventType::approval);
        e.field = "approval.approver";
        e.old_value = actor.user.str();
        e.new_value = to_user.str();
        e.text = text;
        Commit c;
        ws.into(c);
        impl_->commit(c);
        result = impl_->view_of(actor, Impl::written(c, id), current.get());
    }
    impl_->deliver();
    return result;
}

std::size_t Engine::advance(Instant now) {
    std::size_t ran = impl_->advance_sla(now);  // SLA alarms first, each in its own commit
    // The due queue names the candidates (engine_timers.cpp); each is checked again under
    // the lock, since another thread or process may have moved it. Moves made here can make
    // others due at `now` (a zero delay): the queue is read again until nothing new is due.
    std::set<std::pair<TicketId, std::uint32_t>> tried;
    for (;;) {
        std::shared_ptr<const Workflows> wfs;
        std::vector<Impl::TimerEntry> due;
        {
            std::unique_lock lock(impl_->mutex);
            due = impl_->due_timers(now, wfs);
        }
        std::erase_if(due, [&](const Impl::TimerEntry& e) {
            return !tried.emplace(e.ticket, e.transition).second;
        });
        if (due.empty()) return ran;
        std::size_t n = 0;
        for (const auto& e : due) {
            const Workflow& wf = wfs->all()[e.workflow];
            const Transition& tr = wf.transitions[e.transition];
            std::unique_lock lock(impl_->mutex);
            TicketPtr t = impl_->store->get(e.ticket);
            const Workflow* current = t ? impl_->workflow_of(*t) : nullptr;
            if (!current || current->id != wf.id || t->state_entered + *tr.after > now) continue;
            WorkSet ws(*impl_->store, now, Actor::system().user);
            if (!impl_->try_transition(ws, t->id, tr.id, -1)) continue;
            Commit c;
            ws.into(c);
            impl_->commit(c);
            ++ran;
            if (++n % 256 == 0) {
                lock.unlock();
                impl_->deliver();
            }
        }
        impl_->deliver();
    }
}

ITSM_END_NAMESPACE

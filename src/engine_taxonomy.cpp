// Engine members for the taxonomy and routing: configuration, category checks on create and
// update, routing, tree changes (rename, move, retire, merge, remove) and category and tag
// counts.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "engine_impl.hpp"
#include "itsm/engine.hpp"
#include "itsm/error.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

struct TaxonomyState {
    Taxonomy taxonomy;
    RoutingRules rules;
    std::shared_ptr<const RoutingPlan> plan;  // null without rules
    std::vector<Symbol> rule_actors;          // "rule:<id>", by rule position
    std::vector<Symbol> round_robin_actors;   // the actors of round robin rules, sorted
    // Round robin: group -> user chosen last. Moved only by a committed pick (note_picks),
    // so a refused operation or a batch taken back does not use up anyone's turn.
    std::unordered_map<Symbol, Symbol> last_pick;
};

namespace {

constexpr std::size_t scan_page = 1000;

// Calls f(ticket) for every ticket matching q (sort, limit and cursor are replaced), page by
// page under the caller's lock.
template <class F>
void for_each_ticket(const Store& store, Query q, F&& f) {
    q.sort = SortKey::updated;
    q.limit = scan_page;
    q.cursor.clear();
    for (;;) {
        Page page = store.query(q);
        for (const auto& t : page.tickets)
            f(*t);
        if (page.next_cursor.empty()) return;
        q.cursor = std::move(page.next_cursor);
    }
}

bool contains(const std::vector<Symbol>& v, Symbol s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// The fields a rule may not overwrite: the ones the caller set in the same operation.
bool set_by_caller(const std::vector<Symbol>& fields, std::string_view name) {
    return std::any_of(fields.begin(), fields.end(), [&](Symbol f) { return f == name; });
}

}  // namespace

// ---- Checks and routing (called from Engine::create / Engine::update) -------------------

void Engine::Impl::check_new_category(const Ticket& t) const {
    if (!taxonomy_state || taxonomy_state->taxonomy.empty() || t.category.empty()) return;
    taxonomy_state->taxonomy.check_choice(t.category, t.kind, t.segment);
}

namespace {

// Chooses the assignee inside `group` for a rule, or nothing when no member is available.
// (Templates over the engine's internals, whose type name is private to Engine.)
template <class Impl>
struct Picker {
    const Impl& impl;
    TaxonomyState& state;

    Symbol pick(AssignMode mode, Symbol group, Symbol explicit_user) const {
        const Directory& dir = impl.directory;
        auto available = [&](Symbol u) {
            const UserDef* d = dir.user(u);
            return d && d->available;
        };
        if (mode == AssignMode::user) return available(explicit_user) ? explicit_user : Symbol{};
        const GroupDef* g = dir.group(group);
        if (!g || g->members.empty()) return {};
        if (mode == AssignMode::round_robin) return round_robin(*g, available);
        return least_loaded(*g, available);
    }

    template <class Available>
    Symbol round_robin(const GroupDef& g, Available&& available) const {
        const auto& m = g.members;
        auto turn = state.last_pick.find(g.id);
        auto last =
            turn == state.last_pick.end() ? m.end() : std::find(m.begin(), m.end(), turn->second);
        std::size_t start = last == m.end() ? 0 : static_cast<std::size_t>(last - m.begin()) + 1;
        for (std::size_t k = 0; k < m.size(); ++k) {
            Symbol u = m[(start + k) % m.size()];
            if (available(u)) return u;
        }
        return {};
    }

    // Fewest open tickets assigned; ties go to the member listed first.
    template <class Available>
    Symbol least_loaded(const GroupDef& g, Available&& available) const {
        Symbol best;
        std::size_t best_load = 0;
        for (Symbol u : g.members) {
            if (!available(u)) continue;
            Query q;
            q.assignees = {u};
            std::size_t load = 0;
            for_each_ticket(*impl.store, q, [&](const Ticket& t) { load += impl.is_open(t); });
            if (best.empty() || load < best_load) {
                best = u;
                best_load = load;
            }
        }
        return best;
    }
};

// Runs the rules over `t`: the first match, then the next ones while matches say continue.
// Each rule's actions become one patch applied as "rule:<id>", so every change it makes is
// an ordinary event attributed to it. Fields in `caller_set` are left as the caller set them.
template <class Impl>
void run_rules(Impl& impl, Ticket& t, Instant now, std::vector<Event>& events,
               const std::vector<Symbol>& caller_set) {
    TaxonomyState& state = *impl.taxonomy_state;
    const RoutingPlan& plan = *state.plan;
    std::vector<Symbol> groups;
    if (plan.needs_requester_groups()) groups = impl.directory.groups_of(t.requester);
    Picker<Impl> picker{impl, state};
    for (auto i = plan.next_match(t, groups, 0); i;) {
        const RoutingRule& rule = plan.rule(*i);
        const RuleActions& a = rule.then;
        TicketPatch p;
        bool group_free = !set_by_caller(caller_set, "assignment_group");
        if (!a.assignment_group.empty() && group_free) p.assignment_group = a.assignment_group;
        if (a.assign != AssignMode::none && group_free && !set_by_caller(caller_set, "assignee")) {
            Symbol group = p.assignment_group.value_or(t.assignment_group);
            if (Symbol u = picker.pick(a.assign, group, a.assignee)) p.assignee = u;
        }
        if (a.impact && !set_by_caller(caller_set, "impact")) p.impact = a.impact;
        if (a.urgency && !set_by_caller(caller_set, "urgency")) p.urgency = a.urgency;
        if (!a.segment.empty() && !set_by_caller(caller_set, "segment")) p.segment = a.segment;
        p.add_tags = a.add_tags;
        p.add_watchers = a.add_watchers;
        impl.apply_patch(t, p, now, state.rule_actors[*i], events);
        if (!rule.continue_after) break;
        i = plan.next_match(t, groups, *i + 1);
    }
}

}  // namespace

void Engine::Impl::route_new(Ticket& t, Instant now, std::vector<Event>& events) {
    if (!taxonomy_state || !taxonomy_state->plan) return;
    std::vector<Symbol> caller_set;
    if (!t.assignment_group.empty()) caller_set.emplace_back("assignment_group");
    if (!t.assignee.empty()) caller_set.emplace_back("assignee");
    run_rules(*this, t, now, events, caller_set);
}

void Engine::Impl::note_picks(const Commit& c) {
    if (!taxonomy_state || taxonomy_state->round_robin_actors.empty()) return;
    static const Symbol assignee("assignee");
    const auto& rr = taxonomy_state->round_robin_actors;
    for (const auto& e : c.events) {
        if (e.field != assignee || !std::binary_search(rr.begin(), rr.end(), e.actor)) continue;
        // The turn belongs to the group the ticket was routed to, as committed.
        for (const auto& w : c.tickets)
            if (w.ticket->id == e.ticket && !w.ticket->assignment_group.empty())
                taxonomy_state->last_pick[w.ticket->assignment_group] = w.ticket->assignee;
    }
}

RoundRobinTurns Engine::Impl::round_robin_turns() const {
    return taxonomy_state ? taxonomy_state->last_pick : RoundRobinTurns{};
}

void Engine::Impl::restore_round_robin_turns(RoundRobinTurns turns) {
    if (taxonomy_state) taxonomy_state->last_pick = std::move(turns);
}

void Engine::Impl::after_patch(const Ticket& before, Ticket& t, Instant now,
                               std::vector<Event>& events) {
    if (!taxonomy_state) return;
    const Taxonomy& tax = taxonomy_state->taxonomy;
    if (!tax.empty() && !t.category.empty()) {
        if (t.category != before.category)
            tax.check_choice(t.category, t.kind, t.segment);
        else if (t.segment != before.segment && tax.find(t.category) &&
                 !tax.allowed_for(t.category, t.kind, t.segment))
            throw Error(Errc::validation_failed, "segment",
                        fmt::format("category \"{}\" is not allowed in segment \"{}\"",
                                    t.category.view(), t.segment.view()));
    }
    // Routing triages open work; edits to resolved or closed tickets are not re-routed.
    if (!taxonomy_state->plan || !is_open(t)) return;
    std::uint32_t changed = 0;
    std::vector<Symbol> caller_set;
    for (const auto& e : events) {
        changed |= routing_field::of(e.field);
        caller_set.push_back(e.field);
    }
    if (changed & taxonomy_state->plan->reads()) run_rules(*this, t, now, events, caller_set);
}

// ---- Configuration ----------------------------------------------------------------------

namespace {

std::shared_ptr<const RoutingPlan> compile(const RoutingRules& rules, const Taxonomy& tax) {
    if (rules.empty()) return nullptr;
    return std::make_shared<const RoutingPlan>(rules, tax);
}

}  // namespace

void Engine::set_taxonomy(const Actor& actor, Taxonomy taxonomy) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.taxonomy");
    taxonomy.check_kinds(impl_->schema);
    auto next = impl_->taxonomy_state ? std::make_shared<TaxonomyState>(*impl_->taxonomy_state)
                                      : std::make_shared<TaxonomyState>();
    // Nothing deletes a category that tickets still use, nor one a routing rule names.
    for (const auto& c : next->taxonomy.categories()) {
        if (taxonomy.find(c.id)) continue;
        Query q;
        q.categories = {c.id};
        if (std::size_t n = impl_->store->count(q))
            throw Error(
                Errc::conflict, "categories",
                fmt::format("category \"{}\" is missing but {} ticket(s) use it", c.id.view(), n));
    }
    const auto& rules = next->rules.rules();
    for (std::size_t i = 0; i < rules.size(); ++i)
        for (Symbol c : rules[i].when.categories)
            if (!taxonomy.find(c))
                throw Error(Errc::conflict, "categories",
                            fmt::format("category \"{}\" is missing but routing rule \"{}\" "
                                        "names it",
                                        c.view(), rules[i].id.view()));
    next->plan = compile(next->rules, taxonomy);
    next->taxonomy = std::move(taxonomy);
    impl_->taxonomy_state = std::move(next);
    impl_->recompile_access();  // grant conditions cover category subtrees
}

const Taxonomy* Engine::Impl::current_taxonomy() const noexcept {
    return taxonomy_state && !taxonomy_state->taxonomy.empty() ? &taxonomy_state->taxonomy
                                                               : nullptr;
}

std::vector<Symbol> Engine::Impl::category_ancestors(Symbol category) const {
    std::vector<Symbol> out;
    if (!taxonomy_state) return out;
    const Taxonomy& tree = taxonomy_state->taxonomy;
    for (const CategoryDef* c = tree.find(category); c && !c->parent.empty();
         c = tree.find(c->parent)) {
        if (out.size() > tree.categories().size()) break;  // a cycle cannot occur; be safe
        out.push_back(c->parent);
    }
    return out;
}

Taxonomy Engine::taxonomy() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->taxonomy_state ? impl_->taxonomy_state->taxonomy : Taxonomy{};
}

void Engine::set_routing(const Actor& actor, RoutingRules rules) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.taxonomy");
    auto next = impl_->taxonomy_state ? std::make_shared<TaxonomyState>(*impl_->taxonomy_state)
                                      : std::make_shared<TaxonomyState>();
    rules.check(impl_->schema, next->taxonomy, impl_->directory);
    next->rule_actors.clear();
    next->round_robin_actors.clear();
    for (const auto& r : rules.rules()) {
        next->rule_actors.emplace_back("rule:" + r.id.str());
        if (r.then.assign == AssignMode::round_robin)
            next->round_robin_actors.push_back(next->rule_actors.back());
    }
    std::sort(next->round_robin_actors.begin(), next->round_robin_actors.end());
    next->plan = compile(rules, next->taxonomy);
    next->rules = std::move(rules);
    impl_->taxonomy_state = std::move(next);
}

Taxonomy Engine::taxonomy(const Actor& actor) const {
    check_actor(actor.user);
    return taxonomy();
}

RoutingRules Engine::routing(const Actor& actor) const {
    check_actor(actor.user);
    {
        std::shared_lock lock(impl_->mutex);
        impl_->authorize(actor, nullptr, "manage.taxonomy");
    }
    return routing();
}

RoutingRules Engine::routing() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->taxonomy_state ? impl_->taxonomy_state->rules : RoutingRules{};
}

// ---- Tree changes -----------------------------------------------------------------------

namespace {

// Applies `change` to a copy of the taxonomy and installs it with a recompiled plan; the
// copy keeps a refused change from leaving anything half-done.
template <class Impl, class Change>
void change_tree(Impl& impl, const Actor& actor, Change&& change) {
    impl.authorize(actor, nullptr, "manage.taxonomy");
    if (!impl.taxonomy_state) throw Error(Errc::not_found, "category", "no taxonomy is configured");
    auto next = std::make_shared<TaxonomyState>(*impl.taxonomy_state);
    change(next->taxonomy);
    next->plan = compile(next->rules, next->taxonomy);
    impl.taxonomy_state = std::move(next);
    impl.recompile_access();  // grant conditions cover category subtrees
}

}  // namespace

void Engine::rename_category(const Actor& actor, Symbol id, std::string name) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    Instant now = impl_->clock->now();
    change_tree(*impl_, actor, [&](Taxonomy& t) { t.rename(id, std::move(name), now); });
}

void Engine::move_category(const Actor& actor, Symbol id, Symbol new_parent) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    change_tree(*impl_, actor, [&](Taxonomy& t) { t.move(id, new_parent); });
}

void Engine::retire_category(const Actor& actor, Symbol id) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    Instant now = impl_->clock->now();
    change_tree(*impl_, actor, [&](Taxonomy& t) { t.retire(id, now); });
}

std::size_t Engine::merge_category(const Actor& actor, Symbol from, Symbol into) {
    check_actor(actor.user);
    std::size_t moved = 0;
    {
        std::unique_lock lock(impl_->mutex);
        Instant now = impl_->clock->now();
        Commit c;
        change_tree(*impl_, actor, [&](Taxonomy& t) {
            t.merge(from, into, now);
            // Every ticket of `from`, closed ones included, follows in the same commit.
            Query q;
            q.categories = {from};
            for_each_ticket(*impl_->store, q, [&](const Ticket& old) {
                if (!t.allowed_for(into, old.kind, old.segment))
                    throw Error(Errc::validation_failed, "into",
                                fmt::format("\"{}\" is not allowed for {} ({} in {})", into.view(),
                                            old.key, old.kind.view(), old.segment.view()));
                auto next = std::make_shared<Ticket>(old);
                next->category = into;
                next->updated = now;
                next->version = old.version + 1;
                c.events.push_back(impl_->field_event(old, now, actor.user, "category", from.str(),
                                                      into.str(), "merge"));
                c.tickets.push_back({std::move(next), old.version});
            });
            if (!c.tickets.empty()) impl_->commit(c);  // before the tree is installed
        });
        moved = c.tickets.size();
    }
    impl_->deliver();
    return moved;
}

void Engine::remove_category(const Actor& actor, Symbol id) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    change_tree(*impl_, actor, [&](Taxonomy& t) {
        Query q;
        q.categories = {id};
        if (std::size_t n = impl_->store->count(q))
            throw Error(Errc::conflict, "category",
                        fmt::format("category \"{}\" is used by {} ticket(s); retire or merge it",
                                    id.view(), n));
        for (const auto& r : impl_->taxonomy_state->rules.rules())
            if (contains(r.when.categories, id))
                throw Error(Errc::conflict, "category",
                            fmt::format("routing rule \"{}\" names category \"{}\"", r.id.view(),
                                        id.view()));
        t.remove(id);
    });
}

// ---- Counts -----------------------------------------------------------------------------

std::vector<CategoryCount> Engine::category_counts(const Actor& actor, const Query& filter,
                                                   std::optional<Instant> names_at) const {
    check_actor(actor.user);
    if (!filter.categories.empty())
        throw Error(Errc::invalid_argument, "categories",
                    "category counts group by category; filter on other fields");
    std::shared_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "metrics.read");
    if (!impl_->taxonomy_state) return {};
    const Taxonomy& tax = impl_->taxonomy_state->taxonomy;
    const auto& cats = tax.categories();
    std::vector<CategoryCount> out(cats.size());
    std::unordered_map<Symbol, std::size_t> at;
    for (std::size_t i = 0; i < cats.size(); ++i) {
        out[i].id = cats[i].id;
        out[i].path = names_at ? tax.path_at(cats[i].id, *names_at) : tax.path(cats[i].id);
        at[cats[i].id] = i;
        Query q = impl_->restricted(actor, filter);  // only what the actor may read
        q.categories = {cats[i].id};
        for_each_ticket(*impl_->store, q, [&](const Ticket& t) {
            ++out[i].direct;
            out[i].open += impl_->is_open(t);
        });
        out[i].total = out[i].direct;
    }
    // Children come after their parents: walking backwards adds each finished subtree to
    // its parent exactly once.
    for (std::size_t i = cats.size(); i-- > 0;)
        if (!cats[i].parent.empty()) {
            auto& parent = out[at.at(cats[i].parent)];
            parent.total += out[i].total;
            parent.open += out[i].open;
        }
    return out;
}

std::vector<TagCount> Engine::tag_counts(const Actor& actor, const Query& filter) const {
    check_actor(actor.user);
    std::shared_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "metrics.read");
    std::unordered_map<Symbol, std::size_t> counts;
    for_each_ticket(*impl_->store, impl_->restricted(actor, filter), [&](const Ticket& t) {
        for (Symbol tag : t.tags)
            ++counts[tag];
    });
    std::vector<TagCount> out;
    for (const auto& [tag, n] : counts)
        out.push_back({tag, n});
    std::sort(out.begin(), out.end(), [](const TagCount& a, const TagCount& b) {
        return a.count != b.count ? a.count > b.count : a.tag.view() < b.tag.view();
    });
    return out;
}

ITSM_END_NAMESPACE

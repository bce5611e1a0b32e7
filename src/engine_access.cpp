// Engine members for access control: the checks every operation makes, the visibility
// compiled into queries, and the policy's setters and explanations.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "engine_impl.hpp"
#include "itsm/access.hpp"
#include "itsm/taxonomy.hpp"
#include "itsm/workflow.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

std::optional<std::string> Engine::Impl::refusal(const Actor& actor, const Ticket* ticket,
                                                 std::string_view permission) const {
    if (may(actor, ticket, permission)) return std::nullopt;
    if (!access) return std::string("no access policy is set: only the system may act");
    return access->explain(actor.user, ticket, permission).reason;
}

std::vector<Symbol> Engine::Impl::holders_of(Symbol role, Symbol segment) const {
    return access ? access->holders_of(role, segment) : std::vector<Symbol>{};
}

TicketPtr Engine::Impl::load_readable(const Actor& actor, TicketId id,
                                      std::string_view what) const {
    auto t = store->get(id);
    // Same error, same text as an absent ticket: existence must not leak across segments.
    if (!t || !may(actor, t.get(), "ticket.read"))
        throw Error(Errc::not_found, std::string(what), fmt::format("no ticket {}", id));
    return t;
}

namespace {

// Whether some link points at a ticket the actor may not read.
template <class Impl>
bool hides_links(const Impl& impl, const Actor& actor, const Ticket& t) {
    for (const auto& l : t.links) {
        auto other = impl.store->get(l.other);
        if (!other || !impl.may(actor, other.get(), "ticket.read")) return true;
    }
    return false;
}

}  // namespace

TicketPtr Engine::Impl::view(const Actor& actor, TicketPtr t, const Ticket* rights) const {
    if (actor.is_system() || !access) return t;
    return view(actor, std::move(t), access->readable_groups(actor.user, rights ? *rights : *t));
}

TicketPtr Engine::Impl::view(const Actor& actor, TicketPtr t, ReadGroups groups) const {
    bool links = !t->links.empty() && hides_links(*this, actor, *t);
    if (groups == all_read_groups && !links) return t;
    auto out = std::make_shared<Ticket>(trimmed(*t, groups));
    // A link to a ticket the actor cannot see would reveal that it exists.
    if (links)
        out->links.erase(std::remove_if(out->links.begin(), out->links.end(),
                                        [&](const Link& l) {
                                            auto other = store->get(l.other);
                                            return !other ||
                                                   !may(actor, other.get(), "ticket.read");
                                        }),
                         out->links.end());
    return out;
}

Ticket Engine::Impl::view_of(const Actor& actor, const Ticket& t, const Ticket* rights) const {
    if (actor.is_system() || !access) return t;
    return *view(actor, std::make_shared<const Ticket>(t), rights);
}

void Engine::Impl::authorize_create(const Actor& actor, const Ticket& t) const {
    if (access && !access->is_declared(t.segment))
        throw Error(Errc::validation_failed, "segment",
                    fmt::format("\"{}\" is not a segment of the access policy", t.segment.view()));
    authorize(actor, &t, "ticket.create");
}

void Engine::Impl::authorize_changes(const Actor& actor, const Ticket& before, const Ticket& after,
                                     const std::vector<Event>& changes) const {
    if (actor.is_system()) return;
    bool rated = false;  // impact or urgency changed: a matrix priority follows from them
    for (const auto& e : changes)
        rated = rated || e.field == "impact" || e.field == "urgency";
    std::vector<std::string_view> checked;
    for (const auto& e : changes) {
        std::string_view group = field_group(e.field.view());
        if (group == "priority" && rated && e.text == "matrix") continue;
        if (std::find(checked.begin(), checked.end(), group) != checked.end()) continue;
        checked.push_back(group);
        if (group == "assignee" || group == "assignment_group") {
            authorize(actor, &before, "ticket.assign");
            continue;
        }
        std::string specific = fmt::format("ticket.update.{}", group);
        if (!may(actor, &before, "ticket.update") && !may(actor, &before, specific))
            throw Error(
                Errc::permission_denied, specific,
                *refusal(actor, &before, "ticket.update") + fmt::format(" (nor {})", specific));
    }
    if (after.segment != before.segment) authorize_create(actor, after);
}

std::vector<Event> Engine::Impl::readable_events(const Actor& actor, TicketId id,
                                                 bool whole_history) const {
    TicketPtr t = load_readable(actor, id);
    if (whole_history) authorize(actor, t.get(), "history.read");
    auto events = store->history(id);
    bool notes = may(actor, t.get(), "work_notes.read");
    ReadGroups groups =
        actor.is_system() ? all_read_groups : access->readable_groups(actor.user, *t);
    // The changes of a field group the actor may not read are as hidden as its value.
    auto hidden = [&](const Event& e) {
        if (e.type == EventType::work_note) return !notes;
        if (e.type == EventType::approval) return !(groups & bit(ReadGroup::approvals));
        if ((e.type == EventType::link_added || e.type == EventType::link_removed) && e.link &&
            !actor.is_system()) {
            auto other = store->get(e.link->other);
            return !other || !may(actor, other.get(), "ticket.read");
        }
        if (e.type != EventType::field_changed) return false;
        auto g = read_group_of_field(e.field.view());
        return g && !(groups & bit(*g));
    };
    events.erase(std::remove_if(events.begin(), events.end(), hidden), events.end());
    return events;
}

std::shared_ptr<const Visibility> Engine::Impl::visibility_of(const Actor& actor) const {
    if (actor.is_system()) return nullptr;
    if (!access) return std::make_shared<Visibility>();  // nothing is visible
    return access->visibility(actor.user);
}

Query Engine::Impl::restricted(const Actor& actor, const Query& q) const {
    Query v = q;
    v.visibility = visibility_of(actor);
    return v;
}

// ---- Relationship index -------------------------------------------------------------

struct Engine::Impl::RelationIndex {
    std::unordered_map<Symbol, std::vector<TicketId>> by_user;  // sorted ids

    template <typename F>
    static void each_user(const Ticket& t, F&& f) {
        std::vector<Symbol> seen;
        auto once = [&](Symbol u) {
            if (u.empty() || std::find(seen.begin(), seen.end(), u) != seen.end()) return;
            seen.push_back(u);
            f(u);
        };
        once(t.requester);
        for (auto w : t.watchers)
            once(w);
        for (const auto& a : t.approvals)
            if (a.decision == ApprovalDecision::pending) once(a.approver);
    }
    void add(const Ticket& t) {
        each_user(t, [&](Symbol u) { insert(u, t.id); });
    }
    // Only the users whose relationship changed are touched: an ordinary update (same
    // requester, watchers and approvers) costs nothing here, however many tickets they have.
    void update(const Ticket& before, const Ticket& after) {
        std::vector<Symbol> was, is;
        each_user(before, [&](Symbol u) { was.push_back(u); });
        each_user(after, [&](Symbol u) { is.push_back(u); });
        for (auto u : was)
            if (std::find(is.begin(), is.end(), u) == is.end()) erase(u, before.id);
        for (auto u : is)
            if (std::find(was.begin(), was.end(), u) == was.end()) insert(u, after.id);
    }
    void insert(Symbol u, TicketId id) {
        auto& ids = by_user[u];
        auto it = std::lower_bound(ids.begin(), ids.end(), id);
        if (it == ids.end() || *it != id) ids.insert(it, id);
    }
    void erase(Symbol u, TicketId id) {
        auto found = by_user.find(u);
        if (found == by_user.end()) return;
        auto& ids = found->second;
        auto it = std::lower_bound(ids.begin(), ids.end(), id);
        if (it != ids.end() && *it == id) ids.erase(it);
    }
    // A ticket changed elsewhere (another process), its previous form unknown: dropped from
    // every user, then added as it is now (null: gone). Costs one search per user.
    void replace(TicketId id, const Ticket* now) {
        for (auto& [u, ids] : by_user) {
            auto it = std::lower_bound(ids.begin(), ids.end(), id);
            if (it != ids.end() && *it == id) ids.erase(it);
        }
        if (now) add(*now);
    }
    const std::vector<TicketId>& of(Symbol user) const {
        static const std::vector<TicketId> none;
        auto it = by_user.find(user);
        return it == by_user.end() ? none : it->second;
    }
};

std::vector<TicketPtr> Engine::Impl::relations_before(const Commit& c) const {
    std::vector<TicketPtr> replaced;
    if (!relations) return replaced;
    for (const auto& w : c.tickets)
        replaced.push_back(store->get(w.ticket->id));
    return replaced;
}

void Engine::Impl::relations_after(const std::vector<TicketPtr>& replaced, const Commit& c) {
    if (!relations) return;
    for (std::size_t i = 0; i < c.tickets.size(); ++i) {
        if (replaced[i])
            relations->update(*replaced[i], *c.tickets[i].ticket);
        else
            relations->add(*c.tickets[i].ticket);
    }
}

namespace {

// Every stored ticket, page by page: the index is built once, when the first policy is set.
template <typename F>
void each_ticket(const Store& store, F&& f) {
    Query all;
    all.limit = 1000;
    for (;;) {
        Page page = store.query(all);
        for (const auto& t : page.tickets)
            f(*t);
        if (page.next_cursor.empty()) return;
        all.cursor = page.next_cursor;
    }
}

bool listed(const std::vector<Symbol>& values, Symbol v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

// ---- Queries under access control -----------------------------------------------------

struct Engine::Impl::Branches {
    bool single = true;                // one store query says it all
    std::vector<Query> store_queries;  // disjoint branches, each with an indexed filter
    std::vector<TicketPtr> personal;   // branch 3, from the relationship index, filtered
};

Engine::Impl::Branches Engine::Impl::branches(const Actor& actor, const Query& q) const {
    Branches b;
    auto whole = visibility_of(actor);
    if (!whole || whole->segments_only()) {
        b.store_queries.push_back(q);
        b.store_queries.back().visibility = std::move(whole);
        return b;
    }
    b.single = false;
    const Visibility& vis = *whole;
    auto branch = [&](int k) {
        Query x = q;
        x.visibility = access->visibility(actor.user, k);
        return x;
    };
    if (store->plans_visibility()) {
        indexed_branch(vis, q, b);
    } else {
        clause_branches(actor, vis, q, b);
    }
    if ((vis.requester || vis.watcher || vis.approver) && relations) {
        Query x = branch(3);
        for (TicketId id : relations->of(vis.user))
            if (auto t = store->get(id); t && x.matches(*t)) b.personal.push_back(std::move(t));
    }
    return b;
}

// The segment, group and assignee clauses as one store query: the store walks their index
// ranges as one order, each ticket once, instead of filling a page per clause.
void Engine::Impl::indexed_branch(const Visibility& vis, const Query& q, Branches& b) const {
    if (vis.segments.empty() && vis.groups.empty() && !vis.assignee) return;
    Query x = q;
    x.visibility = access->visibility(vis.user, AccessControl::indexed_clauses);
    b.store_queries.push_back(std::move(x));
}

// The same clauses as disjoint branches, each with a filter a store's indexes can serve.
void Engine::Impl::clause_branches(const Actor& actor, const Visibility& vis, const Query& q,
                                   Branches& b) const {
    auto branch = [&](int k) {
        Query x = q;
        x.visibility = access->visibility(actor.user, k);
        return x;
    };
    std::vector<Symbol> segments;
    for (const auto& s : vis.segments)
        if ((q.segments.empty() || listed(q.segments, s.segment)) && !listed(segments, s.segment))
            segments.push_back(s.segment);
    if (!segments.empty()) {
        b.store_queries.push_back(branch(0));
        b.store_queries.back().segments = std::move(segments);
    }
    std::vector<Symbol> groups;
    for (auto g : vis.groups)
        if (q.groups.empty() || listed(q.groups, g)) groups.push_back(g);
    if (!groups.empty()) {
        b.store_queries.push_back(branch(1));
        b.store_queries.back().groups = std::move(groups);
    }
    if (vis.assignee && (q.assignees.empty() || listed(q.assignees, vis.user))) {
        b.store_queries.push_back(branch(2));
        b.store_queries.back().assignees = {vis.user};
    }
}

Page Engine::Impl::visible_query(const Actor& actor, const Query& q, std::size_t* total) const {
    Branches b = branches(actor, q);
    Page page = merged_query(b, q, total);
    if (actor.is_system() || !access) return page;
    // Tickets that the segment, group and assignee clauses admitted are read whole when each
    // of those clauses reads every group; the personal ones (requester, watcher, approver)
    // and the rest are decided per ticket, the user resolved once for the page.
    bool floor_whole = access->indexed_reads(actor.user) == all_read_groups;
    std::vector<TicketId> personal;
    for (const auto& t : b.personal)
        personal.push_back(t->id);
    std::sort(personal.begin(), personal.end());
    // The fields a decision reads lie a few cache lines into each ticket: asking for all of
    // them first lets the page's cache misses overlap instead of coming one by one.
    for (const auto& t : page.tickets) {
        if (!floor_whole) __builtin_prefetch(&t->requester);
        __builtin_prefetch(&t->links);
    }
    AccessControl::Reader reader = access->reader(actor.user);
    for (auto& t : page.tickets) {
        bool whole = floor_whole && !std::binary_search(personal.begin(), personal.end(), t->id);
        ReadGroups groups = whole ? all_read_groups : reader.readable_groups(*t);
        if (groups != all_read_groups || !t->links.empty()) t = view(actor, std::move(t), groups);
    }
    return page;
}

Page Engine::Impl::merged_query(const Branches& b, const Query& q, std::size_t* total) const {
    if (b.single || (b.store_queries.size() == 1 && b.personal.empty())) {
        if (total) *total = store->count(b.store_queries.front());
        return store->query(b.store_queries.front());
    }
    // Each branch gives its first `limit` tickets after the cursor; the merged first `limit`
    // are the page.
    std::vector<std::pair<SortPosition, TicketPtr>> hits;
    bool more = false;
    for (const auto& x : b.store_queries) {
        Page part = store->query(x);
        more = more || !part.next_cursor.empty();
        for (auto& t : part.tickets)
            hits.emplace_back(sort_position(*t, q.sort), std::move(t));
    }
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    for (const auto& t : b.personal) {
        auto pos = sort_position(*t, q.sort);
        if (!after || (q.descending ? pos < *after : pos > *after)) hits.emplace_back(pos, t);
    }
    std::sort(hits.begin(), hits.end(), [&](const auto& x, const auto& y) {
        return q.descending ? x.first > y.first : x.first < y.first;
    });
    if (hits.size() > q.limit) {
        more = true;
        hits.resize(q.limit);
    }
    Page page;
    for (auto& [pos, t] : hits)
        page.tickets.push_back(std::move(t));
    if (more && !hits.empty())
        page.next_cursor = encode_cursor(q.sort, q.descending, hits.back().first);
    if (total) *total = visible_count(b);
    return page;
}

std::size_t Engine::Impl::visible_count(const Branches& b) const {
    std::size_t n = b.personal.size();
    for (const auto& x : b.store_queries)
        n += store->count(x);
    return n;
}

std::size_t Engine::Impl::visible_count(const Actor& actor, const Query& q) const {
    return visible_count(branches(actor, q));
}

namespace {

// Which (kind, model, state) the workflows call open: the same answer as Impl::is_open, for
// grant conditions and for the store (which cannot see workflows).
std::shared_ptr<const OpenStates> open_states_of(const Workflows* workflows) {
    if (!workflows || workflows->empty()) return nullptr;
    auto out = std::make_shared<OpenStates>();
    for (const auto& wf : workflows->all()) {
        auto add_under = [&](Symbol model) {
            if (workflows->for_kind(wf.kind, model) != &wf) return;  // another one serves it
            for (const auto& st : wf.states)
                out->add(wf.kind, model, st.id, itsm::is_open(st.cls));
        };
        add_under(wf.model);
        if (!wf.model.empty()) add_under(Symbol{});  // the kind's default, for no model
    }
    return out;
}

}  // namespace

std::shared_ptr<const AccessControl> Engine::Impl::compile_access(AccessPolicy policy,
                                                                  const Directory& d) const {
    AccessContext context;
    context.taxonomy = current_taxonomy();
    context.open_states = open_states_of(workflows.get());
    return std::make_shared<AccessControl>(std::move(policy), d, context);
}

void Engine::Impl::recompile_access() {
    if (access) access = compile_access(access->policy(), directory);
}

void Engine::Impl::replace_directory(Directory d) {
    std::shared_ptr<const AccessControl> compiled;
    if (access) compiled = compile_access(access->policy(), d);
    directory = std::move(d);
    if (compiled) access = std::move(compiled);
}

void Engine::set_access(const Actor& actor, AccessPolicy policy) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.grants");
    policy.check_principals(impl_->directory);
    auto compiled = impl_->compile_access(std::move(policy), impl_->directory);
    if (!impl_->relations) impl_->rebuild_relations();
    impl_->access = std::move(compiled);
}

void Engine::Impl::refresh_relations(const std::vector<TicketId>& ids) {
    if (!relations) return;
    for (auto id : ids) {
        auto t = store->get(id);
        relations->replace(id, t.get());
    }
}

void Engine::Impl::rebuild_relations() {
    auto index = std::make_shared<RelationIndex>();
    each_ticket(*store, [&](const Ticket& t) { index->add(t); });
    relations = std::move(index);
}

AccessPolicy Engine::access_policy() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->access ? impl_->access->policy() : AccessPolicy{};
}

namespace {

void check_permission_name(std::string_view permission) {
    if (!is_valid_permission(permission))
        throw Error(Errc::invalid_argument, "permission",
                    fmt::format("unknown permission \"{}\"", permission));
}

}  // namespace

Explanation Engine::explain(const Actor& actor, TicketId id, std::string_view permission) const {
    check_actor(actor.user);
    check_permission_name(permission);
    std::shared_lock lock(impl_->mutex);
    TicketPtr t = impl_->load_readable(actor, id);
    if (actor.is_system())
        return {{true, true, -1, Relationship::none}, "allowed: the system acts"};
    return impl_->access->explain(actor.user, t.get(), permission);
}

Explanation Engine::explain_for(const Actor& actor, Symbol user, TicketId id,
                                std::string_view permission) const {
    check_actor(actor.user);
    check_actor(user);
    check_permission_name(permission);
    std::shared_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.grants");
    TicketPtr t = impl_->load(id);
    if (!impl_->access) return {{}, "denied: no access policy is set"};
    return impl_->access->explain(user, t.get(), permission);
}

ITSM_END_NAMESPACE

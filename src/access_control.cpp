// AccessControl: the policy compiled against a directory. Every user's grants are resolved
// per segment once (seals applied, groups expanded, permissions as bit sets), so a decision
// is a user lookup, a segment lookup and a few bit tests.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <unordered_map>

#include "itsm/access.hpp"
#include "itsm/error.hpp"
#include "itsm/taxonomy.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

class Bits {
  public:
    void set(std::size_t i) {
        if (words_.size() <= i / 64) words_.resize(i / 64 + 1);
        words_[i / 64] |= std::uint64_t{1} << (i % 64);
    }
    bool has(std::size_t i) const noexcept {
        return i / 64 < words_.size() && (words_[i / 64] >> (i % 64)) & 1U;
    }

  private:
    std::vector<std::uint64_t> words_;
};

// A grant's conditions as compiled against the engine's context: categories expanded into
// their subtrees (sorted, for a binary search) when there is a taxonomy, open_only decided
// by the workflows' state classes when there are workflows.
struct Conditions {
    std::vector<Symbol> kinds;
    std::vector<Symbol> categories;
    bool exact = false;  // categories is a whole set of subtrees
    bool open_only = false;
    std::shared_ptr<const OpenStates> open_states;

    bool empty() const noexcept { return kinds.empty() && categories.empty() && !open_only; }
    bool hold(const Ticket& t) const noexcept {
        if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), t.kind) == kinds.end())
            return false;
        if (!categories.empty()) {
            bool in = exact ? std::binary_search(categories.begin(), categories.end(), t.category)
                            : std::any_of(categories.begin(), categories.end(),
                                          [&](Symbol c) { return category_within(t.category, c); });
            if (!in) return false;
        }
        if (!open_only) return true;
        return open_states ? open_states->is_open(t) : !t.resolved && !t.closed;
    }
};

Conditions compile_conditions(const GrantConditions& c, const AccessContext& context) {
    Conditions out{c.kinds, c.categories, false, c.open_only, nullptr};
    if (c.open_only) out.open_states = context.open_states;
    if (context.taxonomy && !c.categories.empty()) {
        out.exact = true;
        out.categories.clear();
        for (Symbol cat : c.categories) {
            auto below = context.taxonomy->subtree(cat);
            if (below.empty()) below.push_back(cat);  // not in the tree: the id itself
            out.categories.insert(out.categories.end(), below.begin(), below.end());
        }
        std::sort(out.categories.begin(), out.categories.end());
        out.categories.erase(std::unique(out.categories.begin(), out.categories.end()),
                             out.categories.end());
    }
    return out;
}

// One grant as it applies to one user on one segment.
struct Effective {
    const Bits* bits;
    const Conditions* when;
    int grant;
    ReadGroups reads;  // the field groups the grant's role may read
};

}  // namespace

struct AccessControl::UserRights {
    std::vector<std::vector<Effective>> by_segment;  // index: segment index
    std::vector<Symbol> groups;                      // sorted
    // index 0: the whole clause; 1 + k: only its branch k (Visibility::branch); 5: the
    // indexed clauses alone (indexed_clauses)
    std::array<std::shared_ptr<const Visibility>, 6> visibility;
    bool any_grant = false;  // some grant applies to them on some segment
    // The groups read on every ticket that the segment, group and assignee clauses of their
    // visibility admit (AccessControl::indexed_reads).
    ReadGroups indexed_reads = all_read_groups;
};

struct AccessControl::Compiled {
    std::unordered_map<std::string, PermissionId, StringHash, std::equal_to<>> permission_ids;
    PermissionId read = no_permission;
    PermissionId any_transition = no_permission;
    std::unordered_map<Symbol, std::uint32_t> segment_index;  // 0 is the root
    std::vector<Symbol> segment_ids;
    std::vector<std::vector<std::uint32_t>> reach;  // segments a recursive grant on i covers
    std::vector<Bits> role_bits;                    // by role position in the policy
    std::vector<ReadGroups> role_reads;             // the same, as field groups
    std::array<Bits, relationship_count> relationship_bits;
    std::array<ReadGroups, relationship_count> relationship_reads{};
    // The relationships, those that read the most groups first: the first that holds often
    // reads them all, and the others need no test.
    std::array<Relationship, relationship_count> relationships_by_reads{};
    std::vector<Conditions> conditions;  // by grant position in the policy

    using User = UserRights;
    std::unordered_map<Symbol, User> users;

    PermissionId intern(const std::string& name) {
        auto it = permission_ids.find(name);
        if (it != permission_ids.end()) return it->second;
        auto id = static_cast<PermissionId>(permission_ids.size());
        permission_ids.emplace(name, id);
        return id;
    }
    void compile_permissions(const AccessPolicy& p);
    void compile_segments(const AccessPolicy& p);
    void compile_users(const AccessPolicy& p, const Directory& directory,
                       const AccessContext& context);
    bool related(Relationship r, Symbol user, const User* u, const Ticket& t) const noexcept;
    // `g` and the groups the relationships of `user` to `t` add to it.
    ReadGroups with_related_groups(ReadGroups g, Symbol user, const User* u,
                                   const Ticket& t) const noexcept;
    const User* find_user(Symbol user) const noexcept {
        auto it = users.find(user);
        return it == users.end() ? nullptr : &it->second;
    }
    // The segment's position, 0 for the root and for undeclared segments (no grant is on
    // them for a ticket).
    std::uint32_t segment_of(Symbol segment) const noexcept {
        auto it = segment_index.find(segment);
        return it == segment_index.end() ? 0 : it->second;
    }
    std::shared_ptr<Visibility> make_visibility(Symbol user, const User* u) const;
    ReadGroups indexed_reads(const User* u) const noexcept;
    void set_visibility(Symbol id, User& u) const;
};

bool AccessControl::Compiled::related(Relationship r, Symbol user, const User* u,
                                      const Ticket& t) const noexcept {
    switch (r) {
        case Relationship::requester:
            return t.requester == user;
        case Relationship::watcher:
            return t.has_watcher(user);
        case Relationship::assignee:
            return t.assignee == user;
        case Relationship::group_member:
            return u && !t.assignment_group.empty() &&
                   std::binary_search(u->groups.begin(), u->groups.end(), t.assignment_group);
        case Relationship::approver:
            return t.is_pending_approver(user);
        case Relationship::none:
            break;
    }
    return false;
}

ReadGroups AccessControl::Compiled::with_related_groups(ReadGroups g, Symbol user, const User* u,
                                                        const Ticket& t) const noexcept {
    for (Relationship r : relationships_by_reads) {
        ReadGroups more = relationship_reads[static_cast<std::size_t>(r) - 1];
        if ((g | more) != g && related(r, user, u, t) && (g |= more) == all_read_groups) break;
    }
    return g;
}

namespace {

// The visibility `whole` narrowed: to one branch (0..3), or to its indexed clauses.
std::shared_ptr<const Visibility> narrowed(const Visibility& whole, int branch) {
    auto v = std::make_shared<Visibility>(whole);
    if (branch == AccessControl::indexed_clauses) {
        v->requester = v->watcher = v->approver = false;
    } else {
        v->branch = branch;
    }
    v->finish();
    return v;
}

}  // namespace

// A ticket admitted by a segment clause holds the grant that clause stands for; one admitted
// by the group or assignee clause, that relationship. What all of them read is the floor.
ReadGroups AccessControl::Compiled::indexed_reads(const User* u) const noexcept {
    auto reads_tickets = [&](Relationship r) {
        return relationship_bits[static_cast<std::size_t>(r) - 1].has(read);
    };
    auto reads_of = [&](Relationship r) {
        return relationship_reads[static_cast<std::size_t>(r) - 1];
    };
    ReadGroups floor = all_read_groups;
    if (reads_tickets(Relationship::assignee)) floor &= reads_of(Relationship::assignee);
    if (!u) return floor;
    if (!u->groups.empty() && reads_tickets(Relationship::group_member))
        floor &= reads_of(Relationship::group_member);
    for (std::size_t s = 1; s < u->by_segment.size(); ++s) {
        // As make_visibility: one clause for the segment when a reading grant has no
        // condition (its tickets hold every unconditional grant), else one per reading grant.
        ReadGroups unconditional = 0, conditional = all_read_groups;
        bool whole = false;
        for (const auto& e : u->by_segment[s]) {
            if (!e.bits->has(read)) continue;
            if (e.when->empty()) {
                whole = true;
                unconditional |= e.reads;
            } else {
                conditional &= e.reads;
            }
        }
        floor &= whole ? unconditional : conditional;
    }
    return floor;
}

void AccessControl::Compiled::set_visibility(Symbol id, User& u) const {
    auto whole = make_visibility(id, &u);
    for (int k = 0; k <= indexed_clauses; ++k)
        u.visibility[static_cast<std::size_t>(k) + 1] = narrowed(*whole, k);
    whole->finish();
    u.visibility[0] = std::move(whole);
}

std::shared_ptr<Visibility> AccessControl::Compiled::make_visibility(Symbol user,
                                                                     const User* u) const {
    auto v = std::make_shared<Visibility>();
    v->user = user;
    auto reads = [&](Relationship r) {
        return relationship_bits[static_cast<std::size_t>(r) - 1].has(read);
    };
    v->requester = reads(Relationship::requester);
    v->watcher = reads(Relationship::watcher);
    v->assignee = reads(Relationship::assignee);
    v->approver = reads(Relationship::approver);
    if (u && reads(Relationship::group_member)) v->groups = u->groups;
    if (!u) return v;
    for (std::size_t s = 1; s < u->by_segment.size(); ++s) {
        std::vector<const Conditions*> conds;
        bool unconditional = false;
        for (const auto& e : u->by_segment[s]) {
            if (!e.bits->has(read)) continue;
            unconditional = unconditional || e.when->empty();
            conds.push_back(e.when);
        }
        if (unconditional) {
            v->segments.push_back({segment_ids[s], {}, {}, false, false, nullptr});
            continue;
        }
        for (const auto* c : conds)
            v->segments.push_back(
                {segment_ids[s], c->kinds, c->categories, c->exact, c->open_only, c->open_states});
    }
    return v;
}

// Permissions: every name a role or relationship uses gets a bit; "transition.*" also
// holds every transition named anywhere.
void AccessControl::Compiled::compile_permissions(const AccessPolicy& p) {
    for (const auto& role : p.roles())
        for (const auto& name : role.permissions)
            intern(name);
    for (int r = 1; r <= relationship_count; ++r)
        for (const auto& name : p.relationship(static_cast<Relationship>(r)))
            intern(name);
    read = intern("ticket.read");
    any_transition = intern("transition.*");
    auto bits_of = [&](const std::vector<std::string>& names) {
        Bits b;
        bool all_transitions = false;
        for (const auto& name : names) {
            b.set(permission_ids.at(name));
            all_transitions = all_transitions || name == "transition.*";
        }
        if (all_transitions)
            for (const auto& [name, id] : permission_ids)
                if (name.rfind("transition.", 0) == 0) b.set(id);
        return b;
    };
    auto reads_of = [&](const std::vector<std::string>& names) {
        ReadGroups g = 0;
        for (std::size_t i = 0; i < read_group_count; ++i) {
            std::string name = fmt::format("ticket.read.{}", to_string(static_cast<ReadGroup>(i)));
            if (std::find(names.begin(), names.end(), name) != names.end())
                g |= bit(static_cast<ReadGroup>(i));
        }
        return g;
    };
    for (const auto& role : p.roles()) {
        role_bits.push_back(bits_of(role.permissions));
        role_reads.push_back(reads_of(role.permissions));
    }
    for (int r = 1; r <= relationship_count; ++r) {
        const auto& names = p.relationship(static_cast<Relationship>(r));
        relationship_bits[static_cast<std::size_t>(r) - 1] = bits_of(names);
        relationship_reads[static_cast<std::size_t>(r) - 1] = reads_of(names);
        relationships_by_reads[static_cast<std::size_t>(r) - 1] = static_cast<Relationship>(r);
    }
    auto reads = [&](Relationship r) {
        return std::popcount(relationship_reads[static_cast<std::size_t>(r) - 1]);
    };
    std::stable_sort(relationships_by_reads.begin(), relationships_by_reads.end(),
                     [&](Relationship a, Relationship b) { return reads(a) > reads(b); });
}

// Segments: the root is 0, declared ones follow in order (parents before children). A
// recursive grant on a segment reaches its descendants, stopping at every seal.
void AccessControl::Compiled::compile_segments(const AccessPolicy& p) {
    segment_ids.push_back(Symbol(root_segment));
    segment_index.emplace(Symbol(root_segment), 0);
    std::vector<std::vector<std::uint32_t>> children(1);
    for (const auto& s : p.segments()) {
        auto i = static_cast<std::uint32_t>(segment_ids.size());
        segment_ids.push_back(s.id);
        segment_index.emplace(s.id, i);
        children.emplace_back();
        children[s.parent.empty() ? 0 : segment_index.at(s.parent)].push_back(i);
    }
    reach.resize(segment_ids.size());
    for (std::size_t i = 0; i < reach.size(); ++i) {
        std::vector<std::uint32_t> todo = {static_cast<std::uint32_t>(i)};
        while (!todo.empty()) {
            auto s = todo.back();
            todo.pop_back();
            reach[i].push_back(s);
            for (auto child : children[s])
                if (!p.segments()[child - 1].sealed) todo.push_back(child);
        }
    }
}

// Users: everyone in the directory and everyone named by a grant, each with the grants that
// apply to them on every segment (groups expanded) and their visibility clause.
void AccessControl::Compiled::compile_users(const AccessPolicy& p, const Directory& directory,
                                            const AccessContext& context) {
    std::unordered_map<Symbol, std::vector<Symbol>> groups_of, members;
    for (const auto& g : directory.groups()) {
        members[g.id] = g.members;
        for (auto m : g.members)
            groups_of[m].push_back(g.id);
    }
    auto entry = [&](Symbol id) -> User& {
        auto [it, fresh] = users.try_emplace(id);
        if (fresh) {
            it->second.by_segment.resize(segment_ids.size());
            it->second.groups = groups_of[id];
            std::sort(it->second.groups.begin(), it->second.groups.end());
        }
        return it->second;
    };
    for (const auto& u : directory.users())
        entry(u.id);
    const auto& grants = p.grants();
    conditions.reserve(grants.size());  // Effective points into it
    for (const auto& g : grants)
        conditions.push_back(compile_conditions(g.when, context));
    for (std::size_t gi = 0; gi < grants.size(); ++gi) {
        const auto& g = grants[gi];
        auto role = static_cast<std::size_t>(p.role(g.role) - p.roles().data());
        Effective e{&role_bits[role], &conditions[gi], static_cast<int>(gi), role_reads[role]};
        auto seg = segment_index.at(g.segment);
        std::vector<std::uint32_t> covered = g.recursive ? reach[seg] : std::vector{seg};
        for (auto user : g.user.empty() ? members[g.group] : std::vector{g.user}) {
            auto& u = entry(user);
            for (auto s : covered)
                u.by_segment[s].push_back(e);
            u.any_grant = u.any_grant || !covered.empty();
        }
    }
    for (auto& [id, user] : users) {
        set_visibility(id, user);
        user.indexed_reads = indexed_reads(&user);
    }
}

AccessControl::AccessControl(AccessPolicy policy, const Directory& directory,
                             const AccessContext& context)
    : policy_(std::move(policy)), c_(std::make_unique<Compiled>()) {
    c_->compile_permissions(policy_);
    c_->compile_segments(policy_);
    c_->compile_users(policy_, directory, context);
}

AccessControl::~AccessControl() = default;

AccessControl::PermissionId AccessControl::permission_id(std::string_view name) const noexcept {
    auto it = c_->permission_ids.find(name);
    if (it != c_->permission_ids.end()) return it->second;
    // A transition no role names explicitly is still held by "transition.*".
    if (name.substr(0, 11) == "transition.") return c_->any_transition;
    return no_permission;
}

bool AccessControl::is_declared(Symbol segment) const noexcept {
    auto it = c_->segment_index.find(segment);
    return it != c_->segment_index.end() && it->second != 0;
}

Decision AccessControl::decide(Symbol user, const Ticket* ticket,
                               PermissionId permission) const noexcept {
    Decision d;
    if (permission == no_permission) return d;
    const Compiled::User* u = c_->find_user(user);
    if (!ticket) {
        if (u)
            for (const auto& e : u->by_segment[0])
                if (e.bits->has(permission)) return {true, false, e.grant, Relationship::none};
        return d;
    }
    if (std::uint32_t s = c_->segment_of(ticket->segment); u && s != 0)
        for (const auto& e : u->by_segment[s])
            if (e.bits->has(permission) && e.when->hold(*ticket))
                return {true, false, e.grant, Relationship::none};
    for (int r = 1; r <= relationship_count; ++r) {
        auto rel = static_cast<Relationship>(r);
        if (c_->relationship_bits[static_cast<std::size_t>(r) - 1].has(permission) &&
            c_->related(rel, user, u, *ticket))
            return {true, false, -1, rel};
    }
    return d;
}

ReadGroups AccessControl::readable_groups(Symbol user, const Ticket& ticket) const noexcept {
    return reader(user).readable_groups(ticket);
}

AccessControl::Reader::Reader(const AccessControl& ac, Symbol user) noexcept
    : ac_(&ac), user_(user), rights_(ac.c_->find_user(user)) {}

// What the user's grants give on every ticket of a (segment, kind): grants with no category
// or open_only condition whose kinds, if any, list the kind. Whether any other grant there
// could add a group on some of its tickets.
const AccessControl::Reader::Pair& AccessControl::Reader::pair(Symbol segment,
                                                               Symbol kind) noexcept {
    for (std::size_t i = 0; i < used_; ++i)
        if (pairs_[i].segment == segment && pairs_[i].kind == kind) return pairs_[i];
    Pair p{segment, kind, ac_->c_->segment_of(segment), 0, false};
    if (rights_ && p.index != 0)
        for (const auto& e : rights_->by_segment[p.index]) {
            const Conditions& w = *e.when;
            if (!w.kinds.empty() &&
                std::find(w.kinds.begin(), w.kinds.end(), kind) == w.kinds.end())
                continue;  // holds on no ticket of this kind
            if (w.categories.empty() && !w.open_only)
                p.sure |= e.reads;
            else
                p.conditional = true;
        }
    std::size_t slot = used_ < cached_pairs ? used_++ : next_++ % cached_pairs;
    pairs_[slot] = p;
    return pairs_[slot];
}

ReadGroups AccessControl::Reader::readable_groups(const Ticket& t) noexcept {
    if (!rights_ || !rights_->any_grant) return ac_->c_->with_related_groups(0, user_, rights_, t);
    const Pair& p = pair(t.segment, t.kind);
    ReadGroups g = p.sure;
    if (g == all_read_groups) return g;
    if (p.conditional)
        for (const auto& e : rights_->by_segment[p.index]) {
            if ((g | e.reads) == g || !e.when->hold(t)) continue;
            g |= e.reads;
            if (g == all_read_groups) return g;
        }
    return ac_->c_->with_related_groups(g, user_, rights_, t);
}

Explanation AccessControl::explain(Symbol user, const Ticket* ticket,
                                   std::string_view permission) const {
    Explanation x;
    x.decision = decide(user, ticket, permission);
    const Decision& d = x.decision;
    std::string where =
        ticket ? fmt::format("{} in segment \"{}\"",
                             ticket->key.empty() ? std::string("the ticket") : ticket->key,
                             ticket->segment.view())
               : std::string("outside any ticket (root segment)");
    if (d.grant >= 0) {
        const auto& g = policy_.grants()[static_cast<std::size_t>(d.grant)];
        x.reason = fmt::format(
            "allowed: grants[{}] gives {} \"{}\" the role \"{}\" on \"{}\"{} ({} on {})", d.grant,
            g.user.empty() ? "group" : "user", g.user.empty() ? g.group.view() : g.user.view(),
            g.role.view(), g.segment.view(), g.recursive ? " and below" : "", permission, where);
    } else if (d.allowed) {
        x.reason = fmt::format("allowed: \"{}\" is the ticket's {} ({} on {})", user.view(),
                               to_string(d.relationship), permission, where);
    } else if (!is_valid_permission(permission)) {
        x.reason = fmt::format("denied: \"{}\" is not a permission (docs/access.md lists them)",
                               permission);
    } else if (ticket && !is_declared(ticket->segment)) {
        x.reason = fmt::format("denied: segment \"{}\" is not declared in the access policy",
                               ticket->segment.view());
    } else {
        x.reason = fmt::format(
            "denied: no grant or relationship gives \"{}\" {} on {}{}", user.view(), permission,
            where,
            ticket && policy_.segment(ticket->segment) && policy_.segment(ticket->segment)->sealed
                ? " (the segment is sealed: grants on its ancestors do not reach it)"
                : "");
    }
    return x;
}

std::vector<Symbol> AccessControl::holders_of(Symbol role, Symbol segment) const {
    std::vector<Symbol> out;
    auto sit = c_->segment_index.find(segment);
    if (sit == c_->segment_index.end()) return out;
    for (const auto& [id, user] : c_->users)
        for (const auto& e : user.by_segment[sit->second])
            if (policy_.grants()[static_cast<std::size_t>(e.grant)].role == role) {
                out.push_back(id);
                break;
            }
    std::sort(out.begin(), out.end(), [](Symbol a, Symbol b) { return a.view() < b.view(); });
    return out;
}

ReadGroups AccessControl::indexed_reads(Symbol user) const noexcept {
    const auto* u = c_->find_user(user);
    return u ? u->indexed_reads : c_->indexed_reads(nullptr);
}

std::shared_ptr<const Visibility> AccessControl::visibility(Symbol user, int branch) const {
    if (const auto* u = c_->find_user(user))
        return u->visibility[static_cast<std::size_t>(branch + 1)];
    auto v = c_->make_visibility(user, nullptr);
    if (branch >= 0) return narrowed(*v, branch);
    v->finish();
    return v;
}

ITSM_END_NAMESPACE

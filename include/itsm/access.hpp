// Access control: a tree of segments (departments or tenants, some sealed), roles as sets of
// permissions, grants of roles to users or groups on segments (with optional conditions),
// relationship rights computed per ticket, and an explainable, deny-by-default decision.
//
// AccessPolicy is configuration (JSON or builder). AccessControl is the policy compiled
// against a Directory: every user's effective grants are resolved per segment up front, so
// one decision is a couple of hash lookups and a bit test. Pure: no storage, no clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "itsm/directory.hpp"
#include "itsm/store.hpp"
#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

// The implicit root of the segment tree. Segments declared without a parent hang below
// it; a grant on it reaches every segment that no seal shuts off. No ticket lives in it.
inline constexpr std::string_view root_segment = "*";

struct SegmentDef {
    Symbol id;
    Symbol parent;        // empty: below the root
    bool sealed = false;  // a grant on an ancestor does not reach into it
    std::string name;
};

struct RoleDef {
    Symbol id;
    std::string name;
    std::vector<std::string> permissions;
};

// Optional restrictions of a grant; every one given must hold.
struct GrantConditions {
    std::vector<Symbol> kinds;  // the ticket's kind is one of them
    // The category is one of them or below one: in the engine's taxonomy when it has one,
    // else by dotted ids ("a.b" is below "a").
    std::vector<Symbol> categories;
    bool open_only = false;  // the ticket counts as open work (OpenStates)
    bool empty() const noexcept { return kinds.empty() && categories.empty() && !open_only; }
};

struct GrantDef {
    Symbol user;  // exactly one of user and group
    Symbol group;
    Symbol role;
    Symbol segment;  // a declared segment or root_segment
    bool recursive = true;
    GrantConditions when;
};

// The relationships a user can have with a ticket, each giving fixed permissions across
// segments (configurable in AccessPolicy::set_relationship).
enum class Relationship : std::uint8_t {
    none,
    requester,
    watcher,
    assignee,
    group_member,  // member of the ticket's assignment group
    approver,      // pending approver of the ticket
};
std::string_view to_string(Relationship r) noexcept;
inline constexpr int relationship_count = 5;

class AccessPolicy {
  public:
    // Builders. Each validates what it can alone (ids, permission names, references to
    // segments and roles added before) and throws Error(invalid_config) naming the place,
    // e.g. "roles.agent.permissions[2]".
    AccessPolicy& add_segment(SegmentDef segment);
    AccessPolicy& add_role(RoleDef role);
    AccessPolicy& add_preset_role(std::string_view preset);  // one of preset_roles()
    AccessPolicy& add_grant(GrantDef grant);
    // Replaces the permissions a relationship gives (defaults in docs/access.md).
    AccessPolicy& set_relationship(Relationship r, std::vector<std::string> permissions);

    // The usual ITSM roles, by id: requester, service_desk_agent, technician, ...
    static const std::vector<std::string>& preset_roles();

    // {"segments": [{"id", "parent", "sealed", "name"}],
    //  "roles": [{"id", "name", "permissions": [...]} | {"preset": "technician"}],
    //  "grants": [{"user"|"group", "role", "segment", "recursive", "kinds", "categories",
    //              "open_only"}],
    //  "relationships": {"requester": [...], ...}}
    // Refused whole with Errc::invalid_config naming the JSON path.
    static AccessPolicy from_json(std::string_view json_text);
    std::string to_json() const;

    // Principals must exist in the directory: throws Error(invalid_config) naming
    // "grants[i].user" / "grants[i].group".
    void check_principals(const Directory& directory) const;

    const std::vector<SegmentDef>& segments() const noexcept { return segments_; }
    const std::vector<RoleDef>& roles() const noexcept { return roles_; }
    const std::vector<GrantDef>& grants() const noexcept { return grants_; }
    const std::vector<std::string>& relationship(Relationship r) const;
    const SegmentDef* segment(Symbol id) const noexcept;
    const RoleDef* role(Symbol id) const noexcept;

  private:
    std::vector<SegmentDef> segments_;
    std::vector<RoleDef> roles_;
    std::vector<GrantDef> grants_;
    std::vector<std::vector<std::string>> relationships_ = default_relationships();
    static std::vector<std::vector<std::string>> default_relationships();
};

// The field groups a reader of a ticket may be refused, each read with
// "ticket.read.<group>" on top of "ticket.read" (docs/access.md lists their fields). A view
// of a ticket omits the groups the actor may not read.
enum class ReadGroup : std::uint8_t { custom, approvals, resolution, watchers };
inline constexpr std::size_t read_group_count = 4;
using ReadGroups = std::uint8_t;  // one bit per ReadGroup
inline constexpr ReadGroups all_read_groups = (1U << read_group_count) - 1;
inline constexpr ReadGroups bit(ReadGroup g) noexcept {
    return static_cast<ReadGroups>(1U << static_cast<unsigned>(g));
}
std::string_view to_string(ReadGroup g) noexcept;  // "custom", ...
// The group an event's field belongs to ("custom.cost" -> custom, "resolution_code" ->
// resolution, "approval" -> approvals); nullopt for fields every reader sees.
std::optional<ReadGroup> read_group_of_field(std::string_view field) noexcept;
// The ticket without the fields of the groups missing from `readable`.
Ticket trimmed(const Ticket& t, ReadGroups readable);

class Taxonomy;

// What the engine knows besides the directory and compiles into the decisions.
struct AccessContext {
    // With a taxonomy, a grant's category condition covers the category's subtree in the
    // tree; without one, the dotted-id rule (category_within).
    const Taxonomy* taxonomy = nullptr;
    // With it, open_only follows the workflow state classes; without, the stamps.
    std::shared_ptr<const OpenStates> open_states;
};

// Whether a permission name is in the vocabulary (fixed names, "transition.<id>",
// "ticket.update.<field group>").
bool is_valid_permission(std::string_view name) noexcept;
// The field group a changed ticket field belongs to ("custom.cost" -> "custom").
std::string_view field_group(std::string_view field) noexcept;

// One decision, cheap to produce: no strings.
struct Decision {
    bool allowed = false;
    bool system = false;                             // the trusted host acted
    int grant = -1;                                  // index into AccessPolicy::grants()
    Relationship relationship = Relationship::none;  // when a relationship allowed it
};

// A decision with its reason in words, e.g. `allowed by grants[2] (group "it_agents" as
// "technician" on "it")`.
struct Explanation {
    Decision decision;
    std::string reason;
};

// {"allowed": bool, "system": bool, "grant": index or null, "relationship": name or null,
//  "reason": text}
std::string to_json(const Explanation& x);

// Compiled for fast decisions; immutable, so many threads may share one.
class AccessControl {
  public:
    using PermissionId = std::uint16_t;
    static constexpr PermissionId no_permission = 0xFFFF;

    AccessControl(AccessPolicy policy, const Directory& directory,
                  const AccessContext& context = {});
    ~AccessControl();
    AccessControl(const AccessControl&) = delete;
    AccessControl& operator=(const AccessControl&) = delete;

    const AccessPolicy& policy() const noexcept { return policy_; }
    // The id of a permission named by some role or relationship; no_permission otherwise
    // (then nobody holds it).
    PermissionId permission_id(std::string_view name) const noexcept;
    bool is_declared(Symbol segment) const noexcept;

    // `ticket` null: a permission outside any ticket (manage.*, metrics.read), held only
    // through a grant on the root segment.
    Decision decide(Symbol user, const Ticket* ticket, PermissionId permission) const noexcept;
    Decision decide(Symbol user, const Ticket* ticket, std::string_view permission) const noexcept {
        return decide(user, ticket, permission_id(permission));
    }
    // The field groups `user` may read on `ticket` (grants whose conditions hold on it, and
    // relationships), whether or not the user may read the ticket at all.
    ReadGroups readable_groups(Symbol user, const Ticket& ticket) const noexcept;

  private:
    struct Compiled;
    struct UserRights;  // one user's grants per segment, groups and visibility

  public:
    // One user's field-group rights resolved once, for the tickets of a page: the same
    // answers as readable_groups(user, t), without looking the user up again per ticket, and
    // with what the grants give on each (segment, kind) worked out once. Grants without
    // category or open_only conditions hold on every ticket of a (segment, kind), so a ticket
    // whose pair they read whole costs one comparison. Borrows the AccessControl; one thread.
    class Reader {
      public:
        ReadGroups readable_groups(const Ticket& t) noexcept;

      private:
        friend class AccessControl;
        Reader(const AccessControl& ac, Symbol user) noexcept;
        struct Pair {
            Symbol segment, kind;
            std::uint32_t index = 0;   // the segment's position; 0: undeclared (no grant)
            ReadGroups sure = 0;       // read on every ticket of the pair
            bool conditional = false;  // some grant's category or open_only decides per ticket
        };
        const Pair& pair(Symbol segment, Symbol kind) noexcept;
        const AccessControl* ac_;
        Symbol user_;
        const UserRights* rights_;  // null when no directory entry or grant names the user
        // The pairs met most recently: a page touches a few, so a linear search wins.
        static constexpr std::size_t cached_pairs = 16;
        Pair pairs_[cached_pairs];
        std::size_t used_ = 0, next_ = 0;
    };
    Reader reader(Symbol user) const noexcept { return Reader(*this, user); }

    // A name outside the vocabulary is denied, with a reason that says so.
    Explanation explain(Symbol user, const Ticket* ticket, std::string_view permission) const;

    // Users who hold `role` on `segment` through a grant (groups expanded), sorted by id.
    std::vector<Symbol> holders_of(Symbol role, Symbol segment) const;
    // The tickets `user` may read, as a clause the store evaluates with the rest of a query;
    // with `branch` 0..3, only the tickets whose first clause is that one; with
    // indexed_clauses, the segment, group and assignee clauses alone (what a store that plans
    // visibility walks as one order; the personal clauses come from the engine). Prebuilt.
    static constexpr int indexed_clauses = 4;
    std::shared_ptr<const Visibility> visibility(Symbol user, int branch = -1) const;
    // The field groups `user` reads on every ticket that those indexed clauses admit (each
    // holds the grant or relationship of its clause). When it is all of them, a page of such
    // tickets needs no decision per ticket.
    ReadGroups indexed_reads(Symbol user) const noexcept;

  private:
    AccessPolicy policy_;
    std::unique_ptr<Compiled> c_;
};

ITSM_END_NAMESPACE

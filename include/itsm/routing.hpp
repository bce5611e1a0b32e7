// Routing: ordered rules that triage a ticket. A rule has conditions over the ticket's
// fields and actions (assignment group and assignee, impact, urgency, tags, watchers,
// segment). Rules are data (JSON or the builder below); the engine checks them against its
// schema, taxonomy and directory when they are set, compiles them into a RoutingPlan for
// fast evaluation, and applies the actions of the rules that match.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/directory.hpp"
#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

class Schema;
class Taxonomy;

// Every list is "any of"; lists that are empty do not constrain. A rule with no condition
// matches every ticket.
struct RuleConditions {
    std::vector<Symbol> kinds;
    std::vector<Symbol> categories;  // the ticket's category is one of these or below one
    std::vector<std::string> tags;   // the ticket has at least one of them (normalized)
    std::vector<Symbol> segments;
    std::vector<int> impacts;
    std::vector<int> urgencies;
    std::vector<int> priorities;
    std::vector<Channel> channels;
    std::vector<Symbol> requester_groups;  // the requester belongs to one of these groups
    std::vector<std::string> title_words;  // one of these words is in the title (ASCII case
                                           // folded, whole words)
};

// How the assignee is chosen inside the assignment group.
enum class AssignMode : std::uint8_t {
    none,          // leave the assignee alone
    user,          // RuleActions::assignee
    round_robin,   // the next available member after the one chosen last time
    least_loaded,  // the available member with the fewest open tickets
};
std::string_view to_string(AssignMode m) noexcept;

struct RuleActions {
    Symbol assignment_group;  // set the group (empty: keep the ticket's)
    AssignMode assign = AssignMode::none;
    Symbol assignee;  // for AssignMode::user
    std::optional<int> impact;
    std::optional<int> urgency;
    std::vector<std::string> add_tags;
    std::vector<Symbol> add_watchers;
    Symbol segment;
};

struct RoutingRule {
    Symbol id;  // stable; events the rule makes are attributed to "rule:<id>"
    std::string name;
    RuleConditions when;
    RuleActions then;
    bool continue_after = false;  // go on to the next rules after this one matched
};

class RoutingRules {
  public:
    // Builder: checks what needs no outside knowledge (ids, duplicate ids, an assignee
    // without AssignMode::user, a rule that does nothing). Throws Error(invalid_config)
    // naming "rules[<i>]...".
    RoutingRules& add(RoutingRule rule);

    // {"rules": [{"id", "name", "when": {...}, "then": {...}, "continue": bool}]}; members
    // as in RuleConditions / RuleActions, channels by name, "assign" one of "user",
    // "round_robin", "least_loaded". Refused whole with Errc::invalid_config naming the JSON
    // path; an unknown member (field) is refused too.
    static RoutingRules from_json(std::string_view json_text);
    std::string to_json() const;

    // Checks every name against the world the rules will run in: kinds and levels against
    // the schema, categories against the taxonomy, groups and users against the directory
    // (an explicit assignee must be a member of the group the rule assigns to). Throws
    // Error(invalid_config) naming e.g. "rules[3].then.assignment_group".
    void check(const Schema& schema, const Taxonomy& taxonomy, const Directory& directory) const;

    const std::vector<RoutingRule>& rules() const noexcept { return rules_; }
    bool empty() const noexcept { return rules_.empty(); }

  private:
    std::vector<RoutingRule> rules_;
};

// Which ticket fields a rule can read, as bits (for "re-route when a field it reads
// changes").
namespace routing_field {
constexpr std::uint32_t category = 1u << 0, tags = 1u << 1, segment = 1u << 2, impact = 1u << 3,
                        urgency = 1u << 4, priority = 1u << 5, channel = 1u << 6,
                        requester = 1u << 7, title = 1u << 8;
// The bit for an event's field name ("impact", "tags", ...), 0 for fields no rule reads.
std::uint32_t of(Symbol field) noexcept;
}  // namespace routing_field

// RoutingRules compiled against a taxonomy: category subtrees expanded, title words hashed,
// and inverted indexes (one bit per rule) from each field value to the rules it satisfies,
// so finding the matching rules costs a few lookups whatever their number. Immutable; safe
// to share across threads.
class RoutingPlan {
  public:
    RoutingPlan(const RoutingRules& rules, const Taxonomy& taxonomy);
    ~RoutingPlan();
    RoutingPlan(RoutingPlan&&) noexcept;
    RoutingPlan& operator=(RoutingPlan&&) noexcept;

    // The positions of the rules that fire for `t`, in order: the first match, and the
    // ones after it while matching rules say continue. `requester_groups` are the groups of
    // the ticket's requester (read only when a rule needs them; any order).
    // Conditions are evaluated on `t` as given (actions are the caller's part).
    std::vector<std::size_t> matching(const Ticket& t,
                                      const std::vector<Symbol>& requester_groups) const;
    // The first rule at position `from` or later that matches `t`.
    std::optional<std::size_t> next_match(const Ticket& t,
                                          const std::vector<Symbol>& requester_groups,
                                          std::size_t from) const;
    // Whether rule `i` matches `t`.
    bool matches(std::size_t i, const Ticket& t, const std::vector<Symbol>& requester_groups) const;
    // The union of routing_field bits the rules read.
    std::uint32_t reads() const noexcept;
    bool needs_requester_groups() const noexcept;
    std::size_t size() const noexcept;
    const RoutingRule& rule(std::size_t i) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

ITSM_END_NAMESPACE

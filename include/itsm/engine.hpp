// Engine: the one place that sequences an operation. Every mutation validates first, builds
// the changed tickets as copies, records one Event per change, commits tickets and events
// to the Store atomically, and only then notifies observers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/access.hpp"
#include "itsm/directory.hpp"
#include "itsm/event.hpp"
#include "itsm/metrics.hpp"
#include "itsm/routing.hpp"
#include "itsm/schema.hpp"
#include "itsm/sla.hpp"
#include "itsm/store.hpp"
#include "itsm/taxonomy.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"
#include "itsm/workflow.hpp"

ITSM_BEGIN_NAMESPACE

// Who performs a call: a user, whose groups and grants access control resolves, or the
// trusted host itself (Actor::system(), which passes every check). The system flag cannot
// be set from a user id: a user named "system" is an ordinary user.
struct Actor {
    Symbol user;
    Actor() = default;
    Actor(Symbol u) : user(u) {}  // NOLINT: implicit on purpose
    static Actor system() {
        Actor a(Symbol("system"));
        a.system_ = true;
        return a;
    }
    bool is_system() const noexcept { return system_; }

  private:
    bool system_ = false;
};

enum class CommentVisibility : std::uint8_t { public_reply, work_note };

struct Comment {
    std::uint64_t seq = 0;  // the event that recorded it
    Symbol author;
    Instant at{};
    CommentVisibility visibility = CommentVisibility::public_reply;
    std::string text;
};

// Called once per committed event, in seq order, after the commit and outside the engine's
// lock. An observer may call the engine again (its own events follow the current ones).
// Exceptions thrown by an observer are caught and dropped: the commit stands.
using Observer = std::function<void(const Event&)>;

class Engine {
  public:
    // An engine over an in-memory store and the system clock.
    explicit Engine(Schema schema = Schema::itil());
    Engine(std::shared_ptr<Store> store, std::shared_ptr<const Clock> clock,
           Schema schema = Schema::itil());
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    Ticket create(const Actor& actor, const NewTicket& input);
    Ticket get(const Actor& actor, TicketId id) const;  // Errc::not_found when absent
    // The stored ticket itself, shared and immutable: no copy, so the fastest read. It stays
    // valid after later changes, which store new copies. An actor who may not read every
    // field group gets a trimmed copy instead, as from get() (docs/access.md).
    TicketPtr get_shared(const Actor& actor, TicketId id) const;
    Ticket get_by_key(const Actor& actor, std::string_view key) const;
    // A no-op patch changes nothing and writes no event.
    Ticket update(const Actor& actor, TicketId id, const TicketPatch& patch);

    Comment comment(const Actor& actor, TicketId id, std::string_view text,
                    CommentVisibility visibility = CommentVisibility::public_reply);
    std::vector<Comment> comments(const Actor& actor, TicketId id) const;

    // Records the link on both tickets: link(a, child_of, b) makes b the parent of a.
    void link(const Actor& actor, TicketId from, LinkType type, TicketId to);
    void unlink(const Actor& actor, TicketId from, LinkType type, TicketId to);

    // With `total`, also counts every match under the same lock, so the count and the page
    // agree even while other threads write (counting can cost a scan; see docs).
    Page query(const Actor& actor, const Query& q, std::size_t* total = nullptr) const;
    std::size_t count(const Actor& actor, const Query& q) const;
    std::vector<Event> history(const Actor& actor, TicketId id) const;

    // The people of the desk (users, groups, managers, availability). Replaced whole; a
    // snapshot is returned by value so it stays consistent while others replace it.
    void set_directory(const Actor& actor, Directory directory);
    Directory directory() const;

    // Taxonomy and routing (docs/taxonomy.md); each change needs "manage.taxonomy".
    // Configure in this order: directory, taxonomy, routing (rules are checked against the
    // taxonomy and directory in force when they are set).
    void set_taxonomy(const Actor& actor, Taxonomy taxonomy);
    Taxonomy taxonomy() const;
    // The same for a user (the C ABI's getters): the tree for any valid actor, since every
    // requester picks categories from it.
    Taxonomy taxonomy(const Actor& actor) const;
    void set_routing(const Actor& actor, RoutingRules rules);
    RoutingRules routing() const;
    // The rules name users and groups, so a user needs manage.taxonomy to read them.
    RoutingRules routing(const Actor& actor) const;
    // Tree changes, stamped with the engine's clock.
    void rename_category(const Actor& actor, Symbol id, std::string name);
    void move_category(const Actor& actor, Symbol id, Symbol new_parent);
    void retire_category(const Actor& actor, Symbol id);
    // Re-points every ticket of `from` (closed ones too) to `into` in one commit, one event
    // each; returns how many.
    std::size_t merge_category(const Actor& actor, Symbol from, Symbol into);
    void remove_category(const Actor& actor, Symbol id);  // a leaf no ticket uses
    // Per category: tickets in its subtree matching `filter` (whose categories must be
    // empty), and how many of them are open. Paths use the current names, or with
    // `names_at` the names in use at that instant.
    std::vector<CategoryCount> category_counts(const Actor& actor, const Query& filter = {},
                                               std::optional<Instant> names_at = {}) const;
    std::vector<TagCount> tag_counts(const Actor& actor, const Query& filter = {}) const;
    // Access control (docs/access.md). Until a policy is set only Actor::system() may do
    // anything. Replaced whole; needs manage.grants; grants must name known principals.
    void set_access(const Actor& actor, AccessPolicy policy);
    AccessPolicy access_policy() const;
    // Why the actor may or may not exercise `permission` on the ticket. A ticket the actor
    // may not read is not_found, as in get().
    Explanation explain(const Actor& actor, TicketId id, std::string_view permission) const;
    // The same for another user, asked by someone holding manage.grants.
    Explanation explain_for(const Actor& actor, Symbol user, TicketId id,
                            std::string_view permission) const;
    // Workflows (docs/workflows.md). Replaced whole (`manage.workflows`), after checking the
    // kinds and custom fields they name against the schema (Errc::invalid_config). Without
    // workflows, tickets stay in their kind's initial state.
    void set_workflows(const Actor& actor, Workflows workflows);
    std::shared_ptr<const Workflows> workflows() const;
    // Runs a transition of the ticket's workflow: permission, state, guards and inputs are
    // checked first; a refusal changes nothing (Errc::invalid_transition naming the rule, or
    // validation_failed for bad input, permission_denied, conflict for a stale version).
    Ticket transition(const Actor& actor, TicketId id, Symbol transition_id,
                      const TransitionInput& input = {});
    // Every transition that leaves the ticket's state, each with whether this actor may run
    // it now and, when not, the rule that refuses.
    std::vector<TransitionOption> available_transitions(const Actor& actor, TicketId id) const;
    // Emits the SLA warnings and breaches due at or before `now`, each once and in the order
    // they were crossed, then runs the timed transitions due at `now`, each once; returns how
    // many alarms and transitions ran.
    std::size_t advance(Instant now);
    // Decisions of a pending approver on the ticket's current approval step (approval.approve).
    Ticket approve(const Actor& actor, TicketId id, std::string_view comment = {});
    Ticket reject(const Actor& actor, TicketId id, std::string_view comment = {});
    // Hands the actor's pending approval to another user; recorded as delegated_from.
    Ticket delegate(const Actor& actor, TicketId id, Symbol to_user, std::string_view comment = {});

    // SLA (docs/sla.md). Calendars need manage.calendars and may not drop one a policy
    // uses; policies need manage.sla and must name known calendars (Errc::invalid_config
    // naming "sla_policies.<id>.calendar"). Both are replaced whole. Clocks start on tickets
    // created or changed from then on.
    void set_calendars(const Actor& actor, CalendarSet calendars);
    CalendarSet calendars() const;
    void set_sla_policies(const Actor& actor, SlaPolicies policies);
    SlaPolicies sla_policies() const;
    // The ticket's clocks evaluated at the engine's clock (ticket.read).
    std::vector<SlaStatus> sla(const Actor& actor, TicketId id) const;
    // Service metrics over a period (docs/metrics.md), replayed from the events. Needs
    // metrics.read; counts only the tickets the actor may read. Errc::invalid_argument for a
    // malformed query.
    MetricsReport metrics(const Actor& actor, const MetricsQuery& query) const;
    // The targets reports are scored against (manage.sla to change; the defaults until set).
    void set_scorecard(const Actor& actor, Scorecard scorecard);
    Scorecard scorecard() const;
    // Runs `fn`, whose operations on this engine commit together: kept when it returns,
    // all taken back when it throws (the exception goes on; numbers it allocated stay
    // unused). Other threads wait until the batch ends; observers hear of its events only
    // once it is kept. Configuration set inside a batch is not taken back. Batches do not
    // nest (Errc::invalid_argument).
    void batch(const std::function<void(Engine&)>& fn);

    std::uint64_t subscribe(Observer observer);
    void unsubscribe(std::uint64_t subscription);

    // The version of the configuration in force, as the host names it (a release of its
    // configuration files, their hash): every later commit is stored with it, so a durable
    // store tells after a restart which configuration the data was written under
    // (docs/storage.md). An engine starts with the version of its store's latest commit;
    // empty names none. Errc::invalid_argument for more than 200 bytes or a control
    // character. A host's statement, not a desk setting: no actor, not taken back by a batch.
    void set_config_version(std::string_view version);
    std::string config_version() const;

    const Schema& schema() const noexcept;
    const Clock& clock() const noexcept;

  private:
    Ticket decide(const Actor& actor, TicketId id, ApprovalDecision decision,
                  std::string_view comment);  // approve and reject
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

ITSM_END_NAMESPACE

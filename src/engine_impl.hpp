// Internal: the engine's state, shared by the source files that implement Engine's members
// (one file per concern: tickets and links in engine.cpp, and so on).
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "itsm/access.hpp"
#include "itsm/engine.hpp"
#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE

inline Event make_event(TicketId ticket, Instant at, Symbol actor, EventType type) {
    Event e;
    e.ticket = ticket;
    e.at = at;
    e.actor = actor;
    e.type = type;
    return e;
}

// The engine's readers-writer lock. The thread running Engine::batch holds it exclusively
// for the whole batch; that thread's own lock calls inside the batch pass through.
class EngineMutex {
  public:
    void lock() {
        if (!held_here()) m_.lock();
    }
    void unlock() {
        if (!held_here()) m_.unlock();
    }
    void lock_shared() {
        if (!held_here()) m_.lock_shared();
    }
    void unlock_shared() {
        if (!held_here()) m_.unlock_shared();
    }
    void hold_for_batch() {
        m_.lock();
        owner_.store(std::this_thread::get_id());
    }
    void release_batch() {
        owner_.store(std::thread::id());
        m_.unlock();
    }
    bool held_here() const noexcept { return owner_.load() == std::this_thread::get_id(); }

  private:
    std::shared_mutex m_;
    std::atomic<std::thread::id> owner_{};
};

struct TaxonomyState;  // taxonomy, routing rules and their plan (engine_taxonomy.cpp)
using RoundRobinTurns = std::unordered_map<Symbol, Symbol>;  // group -> user picked last
struct WorkSet;  // the tickets one workflow operation changes (engine_workflow.cpp)

struct Engine::Impl {
    std::shared_ptr<Store> store;
    std::shared_ptr<const Clock> clock;
    Schema schema;
    Directory directory;
    mutable EngineMutex mutex;  // readers in parallel, one writer (or one batch)

    std::mutex observers_mutex;
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Observer>>> observers;
    std::uint64_t next_subscription = 1;
    // Events are queued only while someone observes: an unobserved engine skips the copy.
    std::atomic<std::size_t> observer_count{0};
    std::mutex queue_mutex;
    std::deque<Event> pending;  // committed, not yet delivered, in seq order
    std::mutex deliver_mutex;

    // Access control (engine_access.cpp). Null until set_access: only the system may act.
    std::shared_ptr<const AccessControl> access;

    // Access control decides here: why `actor` may not exercise `permission` (on `ticket`
    // when given), or nullopt when it may. Called under the engine's lock.
    std::optional<std::string> refusal(const Actor& actor, const Ticket* ticket,
                                       std::string_view permission) const;
    bool may(const Actor& actor, const Ticket* ticket, std::string_view permission) const {
        return actor.is_system() ||
               (access && access->decide(actor.user, ticket, permission).allowed);
    }
    // Throws Error(permission_denied) naming the permission when refusal() has a reason.
    void authorize(const Actor& actor, const Ticket* ticket, std::string_view permission) const {
        if (auto why = refusal(actor, ticket, permission))
            throw Error(Errc::permission_denied, std::string(permission), *why);
    }
    // The users who hold `role` on `segment` (for role approvers), from the grants.
    std::vector<Symbol> holders_of(Symbol role, Symbol segment) const;

    // A ticket the actor may not read is reported exactly as an absent one.
    TicketPtr load_readable(const Actor& actor, TicketId id,
                            std::string_view what = "ticket") const;
    // What the actor sees of a ticket: the ticket itself when every field group is readable
    // and every linked ticket visible, else a trimmed copy (docs/access.md). The field
    // groups are those readable on `rights` when given: the result of a change shows what
    // the actor could read when acting (an approver who delegates still sees the approvals).
    TicketPtr view(const Actor& actor, TicketPtr t, const Ticket* rights = nullptr) const;
    // The same with the readable groups already decided (a page decides them in a row).
    TicketPtr view(const Actor& actor, TicketPtr t, ReadGroups groups) const;
    Ticket view_of(const Actor& actor, const Ticket& t, const Ticket* rights = nullptr) const;
    // Recompiles the access policy against the directory, taxonomy and workflows in force
    // (after any of them changes).
    void recompile_access();
    std::shared_ptr<const AccessControl> compile_access(AccessPolicy policy,
                                                        const Directory& d) const;
    // create: the segment is declared and the actor holds ticket.create on the new ticket.
    void authorize_create(const Actor& actor, const Ticket& t) const;
    // update: each changed field's permission on `before`; ticket.create on `after` when
    // the ticket moves to another segment.
    void authorize_changes(const Actor& actor, const Ticket& before, const Ticket& after,
                           const std::vector<Event>& changes) const;
    // The ticket's events the actor may see: ticket.read (else not_found), history.read
    // when `whole_history`, work notes only with work_notes.read.
    std::vector<Event> readable_events(const Actor& actor, TicketId id, bool whole_history) const;
    // The tickets the actor may read (null: all of them), and the query with it compiled in.
    std::shared_ptr<const Visibility> visibility_of(const Actor& actor) const;
    Query restricted(const Actor& actor, const Query& q) const;
    // Engine::query and Engine::count under access control: a visibility with relationship
    // clauses runs as disjoint branches, each planned on an index, merged by sort position
    // (on a store that plans visibility, the indexed clauses are one branch: their union).
    Page visible_query(const Actor& actor, const Query& q, std::size_t* total) const;
    std::size_t visible_count(const Actor& actor, const Query& q) const;
    struct Branches;
    Branches branches(const Actor& actor, const Query& q) const;
    Page merged_query(const Branches& b, const Query& q, std::size_t* total) const;
    void indexed_branch(const Visibility& vis, const Query& q, Branches& b) const;
    void clause_branches(const Actor& actor, const Visibility& vis, const Query& q,
                         Branches& b) const;
    std::size_t visible_count(const Branches& b) const;
    // The tickets each user requested, watches or must approve (no store index has them),
    // built when the first policy is set and kept up to date by commit().
    struct RelationIndex;
    std::shared_ptr<RelationIndex> relations;
    std::vector<TicketPtr> relations_before(const Commit& c) const;
    void relations_after(const std::vector<TicketPtr>& replaced, const Commit& c);
    // Sets the directory and recompiles the policy against it (all or nothing).
    void replace_directory(Directory d);

    // Whether a ticket still counts as open work (for least-loaded assignment, open counts,
    // backlog). Workflows refine this with their state classes.
    bool is_open(const Ticket& t) const noexcept {
        if (auto open = workflow_open(t)) return *open;
        return !t.resolved && !t.closed;
    }

    TicketPtr load(TicketId id, std::string_view what = "ticket") const {
        auto t = store->get(id);
        if (!t) throw Error(Errc::not_found, std::string(what), fmt::format("no ticket {}", id));
        return t;
    }

    // A write made on a stale read is a conflict, never a lost update. `operation` names the
    // write in the message ("update", "transition").
    static void check_version(const Ticket& current, std::optional<std::uint64_t> expected,
                              std::string_view operation) {
        if (expected && *expected != current.version)
            throw Error(Errc::conflict, "version",
                        fmt::format("ticket {} is at version {}, the {} was made on {}",
                                    current.key, current.version, operation, *expected));
    }

    // Commits under the writer lock and queues the events for delivery.
    void commit(Commit& c) {
        if (sla && !sla_internal) sla_commit(c);  // the clocks move with the ticket
        auto replaced = relations_before(c);      // access control's index follows every write
        c.config_version = config_version;
        store->commit(c);
        if (timers) timers_commit(c);  // the due queue of timed transitions
        relations_after(replaced, c);
        note_picks(c);
        if (batch_events) {  // delivered when the batch is kept
            batch_events->insert(batch_events->end(), c.events.begin(), c.events.end());
            return;
        }
        if (observer_count.load(std::memory_order_acquire) == 0) return;
        std::lock_guard q(queue_mutex);
        pending.insert(pending.end(), c.events.begin(), c.events.end());
    }

    void deliver();
    // The configuration version every commit is stored with (engine_config_version.cpp).
    Symbol config_version;
    // The ticket as `c` wrote it (the SLA hook may have replaced the copy an operation built).
    static const Ticket& written(const Commit& c, TicketId id) {
        for (const auto& w : c.tickets)
            if (w.ticket->id == id) return *w.ticket;
        throw Error(Errc::internal, fmt::format("ticket {} is not in the commit", id));
    }
    // Commits by other processes on a shared store (engine_shared.cpp): the store hands
    // their events to on_foreign, which brings the engine's indexes up to date and tells
    // the observers.
    void attach_foreign();
    void detach_foreign() noexcept;
    void on_foreign(std::vector<Event> events);
    // Engine::batch (engine_batch.cpp): the events of the open batch, delivered when it is
    // kept; the relationship index rebuilt from the store when it is taken back.
    std::optional<std::vector<Event>> batch_events;
    void rebuild_relations();
    // The index entries of tickets another process changed, read again from the store.
    void refresh_relations(const std::vector<TicketId>& ids);
    Event field_event(const Ticket& t, Instant at, Symbol actor, Symbol field, Value old_value,
                      Value new_value, std::string note = {}) const {
        Event e = make_event(t.id, at, actor, EventType::field_changed);
        e.field = field;
        e.old_value = std::move(old_value);
        e.new_value = std::move(new_value);
        e.text = std::move(note);
        return e;
    }
    void apply_patch(Ticket& t, const TicketPatch& p, Instant now, Symbol actor,
                     std::vector<Event>& events) const;
    // Taxonomy and routing (engine_taxonomy.cpp); null until either is configured.
    std::shared_ptr<TaxonomyState> taxonomy_state;
    void check_new_category(const Ticket& t) const;
    const Taxonomy* current_taxonomy() const noexcept;  // null when none or empty
    void route_new(Ticket& t, Instant now, std::vector<Event>& events);
    // Round robin turns move with committed picks only; a batch taken back restores them.
    void note_picks(const Commit& c);
    RoundRobinTurns round_robin_turns() const;
    void restore_round_robin_turns(RoundRobinTurns turns);
    void after_patch(const Ticket& before, Ticket& t, Instant now, std::vector<Event>& events);
    void check_link(const Ticket& from, LinkType type, const Ticket& to) const;
    // The category's ancestors, nearest first (empty without a taxonomy).
    std::vector<Symbol> category_ancestors(Symbol category) const;

    // SLA (engine_sla.cpp). `sla` is null while no policy is set, so that commit() pays one
    // test when SLAs are unused.
    std::shared_ptr<const CalendarSet> calendars;
    std::shared_ptr<const SlaPolicies> sla;
    bool sla_internal = false;  // advance's own commits already moved the clocks
    class ClockStep;            // one ticket's clocks through one commit
    // Starts, pauses, resumes, stops and retargets the clocks of every ticket `c` writes,
    // appending the SLA events to it.
    void sla_commit(Commit& c);
    // Emits the warnings and breaches due at `now`, in crossing order; returns how many.
    std::size_t advance_sla(Instant now);

    // Metrics (engine_metrics.cpp): the scorecard targets; null means the defaults.
    std::shared_ptr<const Scorecard> scorecard;

    // Workflows (engine_workflow.cpp). Null until set_workflows.
    std::shared_ptr<const Workflows> workflows;
    // Create: the model and initial state from the kind's workflow (throws before anything
    // is allocated); the instant the ticket enters its state.
    void place_new_ticket(Ticket& t, const NewTicket& in, Instant now) const;
    // Update and comment: a change by the requester runs the workflow's triggers (e.g. an
    // incident on hold awaiting the caller returns to In Progress) inside the same commit.
    void requester_activity(Symbol actor, Commit& c, Instant now);
    std::optional<bool> workflow_open(const Ticket& t) const noexcept;
    const Workflow* workflow_of(const Ticket& t) const noexcept;
    std::optional<StateClass> class_of(const Ticket& t) const noexcept;
    std::vector<std::pair<Symbol, Value>> checked_inputs(const Ticket& t, const Transition& tr,
                                                         const TransitionInput& in) const;
    void run_transition(WorkSet& ws, TicketId id, const Workflow& wf, const Transition& tr,
                        const std::vector<std::pair<Symbol, Value>>& inputs, int depth);
    bool try_transition(WorkSet& ws, TicketId id, Symbol transition, int depth,
                        const std::vector<std::pair<Symbol, Value>>& given = {});
    void run_action(WorkSet& ws, Ticket& t, const Workflow& wf, const Action& a, int depth);
    void create_tasks(WorkSet& ws, Ticket& parent, const Action& a);
    void start_approvals(WorkSet& ws, Ticket& t, const Workflow& wf, std::uint32_t from_step,
                         int depth);
    std::vector<Symbol> approvers_of(const ApprovalStep& step, const Ticket& t) const;
    void cancel_pending(WorkSet& ws, Ticket& t) const;
    void rollup(WorkSet& ws, const Ticket& child, int depth);
    Ticket decide(const Actor& actor, TicketId id, ApprovalDecision decision,
                  std::string_view comment);
    void commit_link(Symbol actor, const TicketPtr& a, const TicketPtr& b, LinkType type, bool add);

    // Timed transitions (engine_timers.cpp): a queue of the transitions with `after` that
    // tickets wait on, by due instant, so advance does not scan. Null until the first advance.
    struct TimerEntry {
        Instant due;
        std::uint32_t workflow = 0, transition = 0;  // positions in the Workflows it was built for
        Instant created;
        TicketId ticket = 0;
        bool operator==(const TimerEntry&) const = default;
        bool operator<(const TimerEntry& o) const noexcept {
            return std::tie(due, workflow, transition, created, ticket) <
                   std::tie(o.due, o.workflow, o.transition, o.created, o.ticket);
        }
    };
    struct Timers;
    std::shared_ptr<Timers> timers;
    void timers_commit(const Commit& c);  // the written tickets' entries follow the commit
    void refresh_timers(const std::vector<TicketId>& ids);  // read again from the store
    void rebuild_timers();
    // The entries due at `now`, in the order advance runs them; `wfs` is set to the workflows
    // the positions refer to. Called under the writer lock.
    std::vector<TimerEntry> due_timers(Instant now, std::shared_ptr<const Workflows>& wfs);
};

ITSM_END_NAMESPACE

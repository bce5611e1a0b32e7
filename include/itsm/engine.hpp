// Engine: the one place that sequences an operation. Every mutation validates first, builds
// the changed tickets as copies, records one Event per change, commits tickets and events
// to the Store atomically, and only then notifies observers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/directory.hpp"
#include "itsm/event.hpp"
#include "itsm/schema.hpp"
#include "itsm/store.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"
#include "itsm/workflow.hpp"

ITSM_BEGIN_NAMESPACE

// Who performs a call. Access control (roles, groups, segments) resolves the rest.
struct Actor {
    Symbol user;
    static Actor system() { return Actor{"system"}; }
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
    // Runs the timed transitions due at `now`, each once; returns how many ran.
    std::size_t advance(Instant now);
    // Decisions of a pending approver on the ticket's current approval step (approval.approve).
    Ticket approve(const Actor& actor, TicketId id, std::string_view comment = {});
    Ticket reject(const Actor& actor, TicketId id, std::string_view comment = {});
    // Hands the actor's pending approval to another user; recorded as delegated_from.
    Ticket delegate(const Actor& actor, TicketId id, Symbol to_user, std::string_view comment = {});

    std::uint64_t subscribe(Observer observer);
    void unsubscribe(std::uint64_t subscription);

    const Schema& schema() const noexcept;
    const Clock& clock() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

ITSM_END_NAMESPACE

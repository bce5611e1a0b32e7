// The storage interface. A Store keeps tickets and their events; the Engine is its only
// caller and serializes access to it (many readers or one writer at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "itsm/event.hpp"
#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

// Tickets are immutable once stored: a change stores a new copy, so readers can hold a
// ticket without a lock while writers go on.
using TicketPtr = std::shared_ptr<const Ticket>;

enum class SortKey : std::uint8_t {
    updated,   // (updated, id)
    created,   // (created, id)
    priority,  // (priority, created, id): ascending is a work queue, highest first, oldest first
    due,       // (no running SLA clock, earliest due, id): ascending is most urgent first, and
               // tickets without a running clock come last
};
std::string_view to_string(SortKey k) noexcept;
std::optional<SortKey> sort_key_from_string(std::string_view s) noexcept;

// A ticket's position in a sort order; compared as a tuple.
using SortPosition = std::tuple<std::int64_t, std::int64_t, TicketId>;
SortPosition sort_position(const Ticket& t, SortKey key) noexcept;

// The category is `within` the given one or below it: "hardware.printer" is within
// "hardware" (categories are dot-separated ids).
bool category_within(Symbol category, Symbol within) noexcept;

// Which tickets count as open work, compiled by the engine from its workflows: a ticket
// whose (kind, model, state) a workflow defines is open when the state's class is new,
// active or pending; any other ticket when it is neither resolved nor closed.
struct OpenStates {
    struct Entry {
        Symbol kind, model, state;
        bool open;
    };
    std::vector<Entry> entries;  // sorted by (kind, model, state), unique
    void add(Symbol kind, Symbol model, Symbol state, bool open);  // keeps the order
    bool is_open(const Ticket& t) const noexcept;
};

// The fields of a ticket that a store's index rows usually carry: enough to decide most
// visibility clauses without opening the ticket (see Visibility::decided_by_fields).
struct RowFields {
    Symbol segment, kind, category, group, assignee;
};

// Which tickets an actor may read, filled in by the engine from access control (callers'
// values are replaced): a ticket is visible when one segment clause or one relationship
// clause holds.
struct VisibleSegment {
    Symbol segment;
    std::vector<Symbol> kinds;       // empty: any kind
    std::vector<Symbol> categories;  // empty: any; else category_within one of them
    bool categories_exact = false;   // the categories are a whole subtree: plain membership
    bool open_only = false;          // open work: open_states->is_open, else no stamps
    std::shared_ptr<const OpenStates> open_states;
    bool allows(const Ticket& t) const noexcept;
    // The same on row fields; ignores open_only (callers check decided_by_fields first).
    bool allows(const RowFields& f) const noexcept;
};
struct Visibility {
    std::vector<VisibleSegment> segments;
    Symbol user;  // the relationship clauses below are about this user
    bool requester = false, watcher = false, assignee = false, approver = false;
    std::vector<Symbol> groups;  // the assignment group is one of them
    // The clauses in the order they are tried: 0 a segment clause, 1 the group clause, 2 the
    // assignee clause, 3 requester / watcher / pending approver; -1 when none holds.
    int first_clause(const Ticket& t) const noexcept;
    // When set (0..3), only tickets whose first clause is this one: the engine splits a
    // query into disjoint branches that the store can plan on its indexes.
    int branch = -1;
    bool allows(const Ticket& t) const noexcept {
        int c = first_clause(t);
        return c >= 0 && (branch < 0 || c == branch);
    }
    // Whether RowFields decide allows(): no open_only clause, and no requester, watcher or
    // approver clause that could hold (they need the ticket); computed when the engine
    // builds the visibility (finish()).
    bool decided_by_fields() const noexcept { return by_fields; }
    bool allows(const RowFields& f) const noexcept;
    void finish() noexcept;
    bool by_fields = false;
    // No relationship clause: every visible ticket lies in one of the listed segments,
    // so a store may plan with them as a segment filter.
    bool segments_only() const noexcept {
        return !requester && !watcher && !assignee && !approver && groups.empty();
    }
};

// Filters combine with AND; the values listed for one field combine with OR. An empty
// symbol in assignees, groups or categories matches tickets without one.
struct Query {
    std::vector<Symbol> kinds;
    std::vector<Symbol> states;
    std::vector<Symbol> segments;
    std::vector<Symbol> assignees;
    std::vector<Symbol> groups;
    std::vector<Symbol> requesters;
    std::vector<Symbol> categories;
    std::vector<Symbol> tags;               // the ticket has at least one of them
    std::optional<int> priority_min;        // inclusive; 1 is the highest priority
    std::optional<int> priority_max;        // inclusive
    std::optional<Instant> created_from;    // inclusive
    std::optional<Instant> created_before;  // exclusive
    std::optional<Instant> updated_from;    // inclusive
    std::optional<Instant> updated_before;  // exclusive
    std::optional<bool> sla_breached;       // true: some SLA clock breached; false: none
    std::optional<Instant> due_before;      // some running SLA clock is due before (exclusive)

    SortKey sort = SortKey::updated;
    bool descending = true;
    std::size_t limit = 50;  // 1..1000
    std::string cursor;      // from Page::next_cursor; empty for the first page
    std::shared_ptr<const Visibility> visibility;  // null: every ticket (set by the engine)

    bool matches(const Ticket& t) const noexcept;
    // Member by member (visibility by pointer): a store compares what it did not translate
    // into its own query language with a default Query, so a member added later is still
    // honored through matches().
    friend bool operator==(const Query&, const Query&) = default;
};

struct Page {
    std::vector<TicketPtr> tickets;
    std::string next_cursor;  // empty when there is no further page
};

// Keyset cursors: a page resumes strictly after the last ticket of the previous one, so a
// ticket that does not change while a caller pages is returned exactly once.
std::string encode_cursor(SortKey key, bool descending, const SortPosition& after);
// Throws Error(invalid_argument) when the text is not a cursor for this sort.
SortPosition decode_cursor(std::string_view cursor, SortKey key, bool descending);
// Throws Error(invalid_argument) naming the member when the query is malformed.
void validate_query(const Query& q);
// The segments a store may plan a query with: the query's own, narrowed to the visible ones
// when its visibility is made of segment clauses only (a list of the empty segment when
// nothing is visible).
std::vector<Symbol> planning_segments(const Query& q);

// One ticket written by a commit. expected_version is the version the writer read (0 for a
// new ticket); the store refuses the commit with Errc::conflict when it no longer matches.
struct TicketWrite {
    TicketPtr ticket;
    std::uint64_t expected_version = 0;
};

// Receives the events of commits made by other stores sharing the same data (another
// process on the same database), in their commit order.
using ForeignSink = std::function<void(std::vector<Event>)>;

// Everything one engine operation writes. Committed all or nothing.
struct Commit {
    std::vector<TicketWrite> tickets;
    std::vector<Event> events;  // seq is assigned by commit()
    // The configuration version in force (Engine::set_config_version), empty when none is
    // named. A durable store keeps it with the commit's events (docs/storage.md).
    Symbol config_version;
};

class Store {
  public:
    virtual ~Store() = default;

    virtual TicketPtr get(TicketId id) const = 0;                  // nullptr when absent
    virtual TicketPtr get_by_key(std::string_view key) const = 0;  // nullptr when absent
    virtual Page query(const Query& q) const = 0;
    virtual std::size_t count(const Query& q) const = 0;        // ignores sort, limit and cursor
    virtual std::vector<Event> history(TicketId id) const = 0;  // in seq order
    virtual std::size_t size() const = 0;                       // number of tickets

    // A fresh ticket id and the next key number for the kind. Numbers are never reused; a
    // create that fails after allocating leaves a gap, as in every ticketing system.
    virtual std::pair<TicketId, std::uint64_t> allocate(Symbol kind) = 0;

    // Applies every write and appends every event, or nothing. Assigns Event::seq.
    // Throws Error(conflict) on a stale expected_version or a duplicate key.
    virtual void commit(Commit& c) = 0;

    // Tickets whose next SLA alarm (next_alarm(ticket.sla): a warning or breach instant not
    // yet emitted) is at or before `until`, earliest alarm first, at most `limit`. The engine's
    // advance() calls it, so a store should index it; this default scans every ticket.
    virtual std::vector<TicketPtr> sla_alarms(Instant until, std::size_t limit) const;
    // Small named texts kept with the data, such as the configuration version it was written
    // under (key "config_version"). Written at once, outside any batch.
    virtual std::optional<std::string> meta(std::string_view key) const = 0;
    virtual void set_meta(std::string_view key, std::string_view value) = 0;
    // The configuration version the latest commit was written under (Commit::config_version),
    // also after reopening a durable store. Empty when unknown: that commit named none, there
    // was no commit, or the store does not keep it (this default).
    virtual std::string config_version() const { return {}; }

    // A batch makes every commit between begin_batch() and end_batch(true) one unit: a
    // durable store writes them in one transaction; end_batch(false) takes back every one of
    // them (allocated numbers stay used). Batches do not nest: Error(internal) otherwise.
    virtual void begin_batch() = 0;
    virtual void end_batch(bool keep) = 0;

    // Whether query() and count() find the tickets that a visibility's segment, group and
    // assignee clauses admit through the store's own indexes, so that the engine may ask for
    // them in one query instead of one query per clause. A store that only filters by
    // visibility says false (the default).
    virtual bool plans_visibility() const { return false; }

    // A store shared with other processes hands the events they commit to `sink` (the engine
    // sets one, to tell its observers); an empty sink stops that, and once this returns no
    // call to the old sink is under way. A store nobody else writes ignores it.
    virtual void set_foreign_sink(ForeignSink sink) { (void)sink; }
};

ITSM_END_NAMESPACE

// InMemoryStore: the default Store. Tickets are found by id in dense blocks of rows (a row
// copies the fields queries filter on most, next to the shared ticket) and by key in dense
// vectors. Each (segment, value) pair of the state, assignee, assignment group, category and
// kind has a sorted sequence of (updated, id) keys, the assignee and the group have one
// across segments too, and two more sequences order every ticket by (updated, id) and by
// (created, id); a query walks one or several of them as one
// ordered sequence, so filtered pages come out already sorted. SLA clocks add three small
// ordered sets: by next alarm, by earliest running due, and the breached tickets. Events
// live in a packed append-only log (see docs/performance.md for the sizes).
#pragma once

#include <memory>

#include "itsm/store.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

class InMemoryStore final : public Store {
  public:
    InMemoryStore();
    ~InMemoryStore() override;
    InMemoryStore(const InMemoryStore&) = delete;
    InMemoryStore& operator=(const InMemoryStore&) = delete;

    TicketPtr get(TicketId id) const override;
    TicketPtr get_by_key(std::string_view key) const override;
    Page query(const Query& q) const override;
    std::size_t count(const Query& q) const override;
    std::vector<Event> history(TicketId id) const override;
    std::size_t size() const override;
    std::pair<TicketId, std::uint64_t> allocate(Symbol kind) override;
    void commit(Commit& c) override;
    // Indexed by each ticket's next alarm (a set kept up to date by commit).
    std::vector<TicketPtr> sla_alarms(Instant until, std::size_t limit) const override;
    std::optional<std::string> meta(std::string_view key) const override;
    void set_meta(std::string_view key, std::string_view value) override;
    void begin_batch() override;
    void end_batch(bool keep) override;
    // Plans the segment, group and assignee clauses of a visibility as one ordered walk.
    bool plans_visibility() const override { return true; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

ITSM_END_NAMESPACE

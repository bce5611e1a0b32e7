// InMemoryStore: the default Store. Tickets are found by id and by key in dense vectors;
// a Boost.MultiIndex container (kept out of this header so hosts compile fast) orders them
// for queries with these indexes, each ending in (updated, id) so filtered pages come out
// already sorted:
//   (segment, state), (segment, assignee), (segment, assignment group),
//   (segment, category), and updated alone; plus (created, id) for created order.
// SLA clocks add three small ordered sets: by next alarm, by earliest running due, and the
// breached tickets. Events live in a packed append-only log (see docs/performance.md for the
// sizes).
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

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

ITSM_END_NAMESPACE

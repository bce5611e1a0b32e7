// InMemoryStore: the default Store. Tickets live in a Boost.MultiIndex container (kept out
// of this header so hosts compile fast) with these indexes:
//   unique: id (hashed), key (hashed)
//   non-unique, each ending in (updated, id) so filtered pages come out already sorted:
//     (segment, state), assignee, assignment group, category, and updated alone
//   (created, id) for created order.
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

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

ITSM_END_NAMESPACE

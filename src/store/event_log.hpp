// Internal: the in-memory audit trail. Events are append-only and numbered 1, 2, 3, ... in
// commit order, so an event's seq is its position and need not be stored. Each event is
// packed into 80 bytes: the fixed fields, a link to the ticket's previous event, and the
// rarely-used parts (field values, text, link) encoded into one string that stays within
// the string's inline buffer for short values.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "itsm/event.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail {

class EventLog {
  public:
    // Appends `e`, whose seq must be size() + 1.
    void append(const Event& e);
    // Removes the last event: the undo of append when a commit fails half-way.
    void pop_back();
    std::vector<Event> history(TicketId ticket) const;  // in seq order
    std::uint64_t size() const noexcept { return events_.size(); }

  private:
    struct Stored {
        TicketId ticket;
        Instant at;
        Symbol actor;
        Symbol field;
        std::uint64_t previous;  // seq of the ticket's event before this one; 0 for none
        EventType type;
        std::string body;  // old value, new value, text and link, encoded
    };
    Event decode(const Stored& s, std::uint64_t seq) const;

    std::deque<Stored> events_;
    std::vector<std::uint64_t> last_;  // by ticket id: seq of its latest event, 0 for none
};

}  // namespace detail
ITSM_END_NAMESPACE

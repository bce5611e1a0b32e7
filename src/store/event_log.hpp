// Internal: the in-memory audit trail. Events are append-only and numbered 1, 2, 3, ... in
// commit order, so an event's seq is its position and need not be stored. Each event is
// encoded, fixed fields and optional parts alike, into a few bytes of an append-only arena
// of 64 KiB blocks: small integers as variable-length numbers, actor and field as numbers
// in a table of the symbols the log has seen, the instant relative to its block's first
// event, and a link to the ticket's previous event as a distance back in seq. A `created`
// event takes about 25 bytes there, plus 2 for its offset in the block.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
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
    std::uint64_t size() const noexcept { return offsets_.size(); }

  private:
    // Events are appended whole to the last block; one larger than a block gets its own.
    struct Block {
        std::unique_ptr<unsigned char[]> bytes;
        std::uint32_t used = 0;
        std::uint32_t capacity = 0;
        std::uint64_t first_seq = 0;   // the seq of the first event in the block
        std::int64_t base_micros = 0;  // events store their instant relative to this
    };
    static constexpr std::uint32_t block_size = 1u << 16;  // so an offset fits 16 bits

    std::uint64_t symbol_number(Symbol s);
    Block& room_for(std::size_t n, std::int64_t at_micros, std::uint64_t seq);
    const unsigned char* locate(std::uint64_t seq, const Block** block) const;

    std::vector<Block> blocks_;
    std::vector<std::uint16_t> offsets_;     // by seq - 1: where the event starts in its block
    std::vector<std::uint64_t> last_;        // by ticket id: seq of its latest event, 0 for none
    std::vector<Symbol> symbols_{Symbol{}};  // actor and field symbols by number; 0: empty
    std::unordered_map<Symbol, std::uint64_t> numbers_;  // the inverse of symbols_
    std::string scratch_;                                // the event being encoded
};

}  // namespace detail
ITSM_END_NAMESPACE

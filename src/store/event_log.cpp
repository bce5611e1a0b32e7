// The packed encoding of one event, in this order:
//   head      the flags below in the low 4 bits, the event type in the high 4 (15 there
//             means the type follows as a byte of its own);
//   ticket    the ticket id;
//   previous  seq minus the seq of the ticket's previous event, 0 for none;
//   actor, field   numbers in the symbol table;
//   each optional part the flags name: a value is its type byte and payload (a string as
//   length and bytes, an integer or an instant zigzag-encoded, a boolean as one byte), the
//   text is a length and bytes, a link is its type byte and the other ticket's id;
//   at        the instant in microseconds, minus the block's base, zigzag-encoded.
// Every number is a variable-length unsigned integer, 7 bits a byte, low bits first.
#include "event_log.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

ITSM_BEGIN_NAMESPACE
namespace detail {

namespace {

enum Flags : unsigned { has_old = 1, has_new = 2, has_text = 4, has_link = 8 };
constexpr unsigned type_follows = 15;

void put_number(std::string& out, std::uint64_t n) {
    while (n >= 0x80) {
        out.push_back(static_cast<char>((n & 0x7f) | 0x80));
        n >>= 7;
    }
    out.push_back(static_cast<char>(n));
}

std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t n) {
    return static_cast<std::int64_t>(n >> 1) ^ -static_cast<std::int64_t>(n & 1);
}

void put_text(std::string& out, std::string_view s) {
    put_number(out, s.size());
    out.append(s);
}

void put_value(std::string& out, const Value& v) {
    out.push_back(static_cast<char>(v.index()));
    if (auto s = std::get_if<std::string>(&v))
        put_text(out, *s);
    else if (auto i = std::get_if<std::int64_t>(&v))
        put_number(out, zigzag(*i));
    else if (auto b = std::get_if<bool>(&v))
        out.push_back(*b ? 1 : 0);
    else if (auto t = std::get_if<Instant>(&v))
        put_number(out, zigzag(to_micros(*t)));
}

class Reader {
  public:
    explicit Reader(const unsigned char* p) : p_(p) {}
    unsigned byte() { return *p_++; }
    std::uint64_t number() {
        std::uint64_t n = 0;
        for (int shift = 0;; shift += 7) {
            unsigned b = byte();
            n |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return n;
        }
    }
    std::string text() {
        auto n = static_cast<std::size_t>(number());
        std::string s(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return s;
    }
    Value value() {
        switch (byte()) {
            case 1:
                return text();
            case 2:
                return unzigzag(number());
            case 3:
                return byte() != 0;
            case 4:
                return instant_from_micros(unzigzag(number()));
            default:
                return Value{};
        }
    }

  private:
    const unsigned char* p_;
};

}  // namespace

std::uint64_t EventLog::symbol_number(Symbol s) {
    if (!s) return 0;
    auto [it, added] = numbers_.try_emplace(s, symbols_.size());
    if (added) {
        try {
            symbols_.push_back(s);
        } catch (...) {
            numbers_.erase(it);
            throw;
        }
    }
    return it->second;
}

EventLog::Block& EventLog::room_for(std::size_t n, std::int64_t at_micros, std::uint64_t seq) {
    // Only a standard block takes more events: an offset in it fits 16 bits.
    if (!blocks_.empty() && blocks_.back().capacity == block_size &&
        block_size - blocks_.back().used >= n)
        return blocks_.back();
    if (n > std::uint32_t{0xffffffff}) throw std::length_error("event log: event too large");
    auto capacity = static_cast<std::uint32_t>(std::max<std::size_t>(n, block_size));
    Block b;
    b.bytes.reset(new unsigned char[capacity]);
    b.capacity = capacity;
    b.first_seq = seq;
    b.base_micros = at_micros;
    blocks_.push_back(std::move(b));
    return blocks_.back();
}

void EventLog::append(const Event& e) {
    std::uint64_t seq = size() + 1;
    if (e.seq != seq) throw std::logic_error("event log: seq out of order");
    unsigned flags = 0;
    if (!std::holds_alternative<std::monostate>(e.old_value)) flags |= has_old;
    if (!std::holds_alternative<std::monostate>(e.new_value)) flags |= has_new;
    if (!e.text.empty()) flags |= has_text;
    if (e.link) flags |= has_link;
    auto type = static_cast<unsigned>(e.type);
    std::uint64_t actor = symbol_number(e.actor), field = symbol_number(e.field);
    if (last_.size() <= e.ticket) last_.resize(e.ticket + 1);
    std::uint64_t previous = last_[e.ticket];

    std::string& out = scratch_;
    out.clear();
    out.push_back(static_cast<char>(flags | std::min(type, type_follows) << 4));
    if (type >= type_follows) out.push_back(static_cast<char>(type));
    put_number(out, e.ticket);
    put_number(out, previous ? seq - previous : 0);
    put_number(out, actor);
    put_number(out, field);
    if (flags & has_old) put_value(out, e.old_value);
    if (flags & has_new) put_value(out, e.new_value);
    if (flags & has_text) put_text(out, e.text);
    if (flags & has_link) {
        out.push_back(static_cast<char>(e.link->type));
        put_number(out, e.link->other);
    }
    // The instant goes last: it is relative to the base of the block the event lands in,
    // and takes at most 10 bytes.
    std::int64_t at = to_micros(e.at);
    Block& b = room_for(out.size() + 10, at, seq);
    put_number(out, zigzag(at - b.base_micros));

    offsets_.push_back(static_cast<std::uint16_t>(b.used));
    std::memcpy(b.bytes.get() + b.used, out.data(), out.size());
    b.used += static_cast<std::uint32_t>(out.size());
    last_[e.ticket] = seq;
}

const unsigned char* EventLog::locate(std::uint64_t seq, const Block** block) const {
    auto it = std::upper_bound(blocks_.begin(), blocks_.end(), seq,
                               [](std::uint64_t s, const Block& b) { return s < b.first_seq; });
    *block = &*std::prev(it);
    return (*block)->bytes.get() + offsets_[seq - 1];
}

void EventLog::pop_back() {
    // A block whose first append failed half-way stays empty; drop it first.
    while (blocks_.back().used == 0)
        blocks_.pop_back();
    std::uint64_t seq = size();
    const Block* block = nullptr;
    Reader r(locate(seq, &block));
    if ((r.byte() >> 4) == type_follows) r.byte();
    TicketId ticket = r.number();
    std::uint64_t distance = r.number();
    last_[ticket] = distance ? seq - distance : 0;
    Block& b = blocks_.back();
    b.used = offsets_.back();
    offsets_.pop_back();
    if (b.used == 0) blocks_.pop_back();
}

std::vector<Event> EventLog::history(TicketId ticket) const {
    std::vector<Event> out;
    if (ticket >= last_.size()) return out;
    for (std::uint64_t seq = last_[ticket]; seq != 0;) {
        const Block* block = nullptr;
        Reader r(locate(seq, &block));
        Event& e = out.emplace_back();
        e.seq = seq;
        unsigned head = r.byte();
        unsigned type = head >> 4;
        if (type == type_follows) type = r.byte();
        e.type = static_cast<EventType>(type);
        e.ticket = r.number();
        std::uint64_t distance = r.number();
        e.actor = symbols_[r.number()];
        e.field = symbols_[r.number()];
        if (head & has_old) e.old_value = r.value();
        if (head & has_new) e.new_value = r.value();
        if (head & has_text) e.text = r.text();
        if (head & has_link) {
            auto link_type = static_cast<LinkType>(r.byte());
            e.link = Link{link_type, r.number()};
        }
        e.at = instant_from_micros(block->base_micros + unzigzag(r.number()));
        seq = distance ? seq - distance : 0;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace detail
ITSM_END_NAMESPACE

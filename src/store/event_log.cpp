// The packed encoding of an event's optional parts: one flags byte, then each present part.
// Values: a type byte and the payload (strings as a length and bytes, integers and instants
// as 8 bytes, booleans as 1). Text: a length and bytes. Link: a type byte and an 8-byte id.
#include "event_log.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

ITSM_BEGIN_NAMESPACE
namespace detail {

namespace {

enum Flags : std::uint8_t { has_old = 1, has_new = 2, has_text = 4, has_link = 8 };

void put_u64(std::string& out, std::uint64_t v) {
    char bytes[8];
    std::memcpy(bytes, &v, 8);
    out.append(bytes, 8);
}

void put_length(std::string& out, std::size_t n) {
    do {
        auto byte = static_cast<std::uint8_t>(n & 0x7f);
        n >>= 7;
        out.push_back(static_cast<char>(n ? byte | 0x80 : byte));
    } while (n);
}

void put_value(std::string& out, const Value& v) {
    out.push_back(static_cast<char>(v.index()));
    if (auto s = std::get_if<std::string>(&v)) {
        put_length(out, s->size());
        out += *s;
    } else if (auto i = std::get_if<std::int64_t>(&v)) {
        put_u64(out, static_cast<std::uint64_t>(*i));
    } else if (auto b = std::get_if<bool>(&v)) {
        out.push_back(*b ? 1 : 0);
    } else if (auto t = std::get_if<Instant>(&v)) {
        put_u64(out, static_cast<std::uint64_t>(to_micros(*t)));
    }
}

class Reader {
  public:
    explicit Reader(const std::string& s) : p_(s.data()) {}
    std::uint8_t byte() { return static_cast<std::uint8_t>(*p_++); }
    std::uint64_t u64() {
        std::uint64_t v;
        std::memcpy(&v, p_, 8);
        p_ += 8;
        return v;
    }
    std::string text() {
        std::size_t n = 0;
        for (int shift = 0;; shift += 7) {
            std::uint8_t b = byte();
            n |= static_cast<std::size_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) break;
        }
        std::string s(p_, n);
        p_ += n;
        return s;
    }
    Value value() {
        switch (byte()) {
            case 1:
                return text();
            case 2:
                return static_cast<std::int64_t>(u64());
            case 3:
                return byte() != 0;
            case 4:
                return instant_from_micros(static_cast<std::int64_t>(u64()));
            default:
                return Value{};
        }
    }

  private:
    const char* p_;
};

}  // namespace

void EventLog::append(const Event& e) {
    if (e.seq != events_.size() + 1) throw std::logic_error("event log: seq out of order");
    std::string body;
    std::uint8_t flags = 0;
    if (!std::holds_alternative<std::monostate>(e.old_value)) flags |= has_old;
    if (!std::holds_alternative<std::monostate>(e.new_value)) flags |= has_new;
    if (!e.text.empty()) flags |= has_text;
    if (e.link) flags |= has_link;
    if (flags) {
        body.push_back(static_cast<char>(flags));
        if (flags & has_old) put_value(body, e.old_value);
        if (flags & has_new) put_value(body, e.new_value);
        if (flags & has_text) {
            put_length(body, e.text.size());
            body += e.text;
        }
        if (flags & has_link) {
            body.push_back(static_cast<char>(e.link->type));
            put_u64(body, e.link->other);
        }
    }
    if (last_.size() <= e.ticket) last_.resize(e.ticket + 1);
    events_.push_back({e.ticket, e.at, e.actor, e.field, last_[e.ticket], e.type, std::move(body)});
    last_[e.ticket] = e.seq;
}

void EventLog::pop_back() {
    const Stored& s = events_.back();
    last_[s.ticket] = s.previous;
    events_.pop_back();
}

Event EventLog::decode(const Stored& s, std::uint64_t seq) const {
    Event e;
    e.seq = seq;
    e.ticket = s.ticket;
    e.at = s.at;
    e.actor = s.actor;
    e.type = s.type;
    e.field = s.field;
    if (s.body.empty()) return e;
    Reader r(s.body);
    std::uint8_t flags = r.byte();
    if (flags & has_old) e.old_value = r.value();
    if (flags & has_new) e.new_value = r.value();
    if (flags & has_text) e.text = r.text();
    if (flags & has_link) {
        auto type = static_cast<LinkType>(r.byte());
        e.link = Link{type, r.u64()};
    }
    return e;
}

std::vector<Event> EventLog::history(TicketId ticket) const {
    std::vector<Event> out;
    if (ticket >= last_.size()) return out;
    for (std::uint64_t seq = last_[ticket]; seq != 0; seq = events_[seq - 1].previous)
        out.push_back(decode(events_[seq - 1], seq));
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace detail
ITSM_END_NAMESPACE

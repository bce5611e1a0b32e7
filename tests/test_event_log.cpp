// The in-memory event log (src/store/event_log.hpp) on its own: every part of an event comes
// back as it went in, across block boundaries, for events larger than a block, with
// instants that go backwards, and after pop_back undoes appends.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../src/store/event_log.hpp"

using namespace itsm;

namespace {

bool same(const Event& a, const Event& b) {
    return a.seq == b.seq && a.ticket == b.ticket && a.at == b.at && a.actor == b.actor &&
           a.type == b.type && a.field == b.field && a.old_value == b.old_value &&
           a.new_value == b.new_value && a.text == b.text && a.link == b.link;
}

// A varied event for seq `seq`: the ticket, type and parts depend on the seq.
Event varied(std::uint64_t seq) {
    Event e;
    e.seq = seq;
    e.ticket = 1 + seq % 7;
    // Mostly forward in time, but every fifth event steps back an hour.
    e.at = instant_from_micros(1'700'000'000'000'000 + static_cast<std::int64_t>(seq) * 1'000'000 -
                               (seq % 5 == 0 ? 3'600'000'000 : 0));
    e.actor = Symbol(seq % 3 ? "agent" + std::to_string(seq % 11) : "");
    e.type = static_cast<EventType>(seq % 10);
    switch (seq % 6) {
        case 0:
            e.field = "title";
            e.old_value = std::string("old title ") + std::to_string(seq);
            e.new_value = std::string(seq % 200, 'x');
            break;
        case 1:
            e.field = "custom.cost";
            e.old_value = std::int64_t{-1} - static_cast<std::int64_t>(seq);
            e.new_value = std::numeric_limits<std::int64_t>::min();
            break;
        case 2:
            e.field = "custom.urgent";
            e.old_value = false;
            e.new_value = true;
            break;
        case 3:
            e.field = "custom.due";
            e.new_value = instant_from_micros(-static_cast<std::int64_t>(seq));
            e.text = "override";
            break;
        case 4:
            e.link = Link{LinkType::resolves, std::numeric_limits<TicketId>::max() - seq};
            break;
        default:
            e.text = std::string(seq % 300, 'n');
            break;
    }
    return e;
}

std::vector<Event> expected_history(const std::vector<Event>& all, TicketId ticket) {
    std::vector<Event> out;
    for (const auto& e : all)
        if (e.ticket == ticket) out.push_back(e);
    return out;
}

void check_history(const detail::EventLog& log, const std::vector<Event>& all, TicketId ticket) {
    auto got = log.history(ticket);
    auto want = expected_history(all, ticket);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        CHECK(same(got[i], want[i]));
}

}  // namespace

TEST_CASE("event log: every part of many events comes back, across blocks") {
    detail::EventLog log;
    std::vector<Event> all;
    for (std::uint64_t seq = 1; seq <= 20'000; ++seq) {
        all.push_back(varied(seq));
        log.append(all.back());
    }
    CHECK(log.size() == 20'000);
    for (TicketId t = 1; t <= 7; ++t)
        check_history(log, all, t);
    CHECK(log.history(8).empty());
    CHECK(log.history(0).empty());
}

TEST_CASE("event log: an event larger than a block gets one of its own") {
    detail::EventLog log;
    std::vector<Event> all;
    for (std::uint64_t seq = 1; seq <= 9; ++seq) {
        Event e = varied(seq);
        if (seq == 3 || seq == 4) e.text = std::string(200'000 + seq, static_cast<char>('a' + seq));
        all.push_back(e);
        log.append(e);
    }
    for (TicketId t = 1; t <= 7; ++t)
        check_history(log, all, t);
}

TEST_CASE("event log: pop_back takes appends back, the ticket's chain included") {
    detail::EventLog log;
    std::vector<Event> all;
    for (std::uint64_t seq = 1; seq <= 5'000; ++seq) {
        all.push_back(varied(seq));
        log.append(all.back());
    }
    // Take back enough to empty the last block, then append different events.
    for (int i = 0; i < 3'000; ++i) {
        log.pop_back();
        all.pop_back();
    }
    CHECK(log.size() == 2'000);
    for (TicketId t = 1; t <= 7; ++t)
        check_history(log, all, t);
    for (std::uint64_t seq = 2'001; seq <= 2'100; ++seq) {
        Event e = varied(seq + 1);  // other tickets and parts than the ones taken back
        e.seq = seq;
        all.push_back(e);
        log.append(e);
    }
    for (TicketId t = 1; t <= 7; ++t)
        check_history(log, all, t);
    CHECK_THROWS(log.append(varied(5'000)));  // seq out of order
    CHECK(log.size() == 2'100);
}

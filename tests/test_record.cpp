// Event records: every kind of value and every optional part reads back as it was written,
// and a text that is not an event record is refused naming the member.
#include "itsm/record.hpp"

#include <fmt/format.h>

#include "itsm/json.hpp"

#include "helpers.hpp"

using itsm_test::error_of;

namespace {

itsm::Event sample() {
    itsm::Event e;
    e.seq = 41;
    e.ticket = 7;
    e.at = itsm::parse_instant("2026-03-02T09:15:00.250Z");
    e.actor = "alice";
    e.type = itsm::EventType::field_changed;
    e.field = "custom.due";
    return e;
}

// The whole event, with the variant index of each value: an instant and its text differ.
std::string shown(const itsm::Event& e) {
    return fmt::format("{}|{}|{}", itsm::to_json(e), e.old_value.index(), e.new_value.index());
}

void round_trips(const itsm::Event& e) {
    auto text = itsm::event_record(e);
    auto back = itsm::event_from_record(text);
    CHECK_MESSAGE(shown(back) == shown(e), text);
    CHECK(back.seq == e.seq);
    CHECK(back.link == e.link);
    CHECK(itsm::event_record(back) == text);
}

}  // namespace

TEST_CASE("event records round-trip every kind of value") {
    auto e = sample();
    round_trips(e);  // no values
    e.old_value = itsm::parse_instant("2026-01-01T00:00:00Z");
    e.new_value = std::string("2026-01-01T00:00:00Z");  // text that looks like an instant
    round_trips(e);
    e.old_value = std::string("x");
    e.new_value = itsm::parse_instant("2026-04-01T12:00:00Z");
    round_trips(e);
    e.old_value = std::int64_t{-3};
    e.new_value = true;
    e.text = "multi\nline \"quoted\" ünïcode";
    round_trips(e);
    e.old_value = false;
    e.new_value = std::monostate{};
    round_trips(e);
}

TEST_CASE("event records keep values and links of events without a field") {
    auto e = sample();
    e.field = {};
    e.type = itsm::EventType::created;
    e.new_value = std::string("{\"title\":\"x\"}");
    e.old_value = itsm::parse_instant("2026-02-01T00:00:00Z");
    round_trips(e);
    auto link = sample();
    link.field = {};
    link.type = itsm::EventType::link_added;
    link.link = itsm::Link{itsm::LinkType::parent_of, 12};
    round_trips(link);
    auto sla = sample();
    sla.type = itsm::EventType::sla;
    sla.field = "sla.gold.resolution";
    sla.text = "stopped";
    sla.old_value = itsm::parse_instant("2026-03-03T09:00:00Z");
    sla.new_value = std::string("met");
    round_trips(sla);
}

TEST_CASE("a text that is not an event record is refused naming the member") {
    auto text = itsm::event_record(sample());
    auto m = error_of([] { itsm::event_from_record("{not json"); }, itsm::Errc::storage);
    CHECK(m.find("stored event") != std::string::npos);
    m = error_of([] { itsm::event_from_record("[]"); }, itsm::Errc::storage);
    m = error_of(
        [&] { itsm::event_from_record(R"({"seq":1,"ticket":2,"actor":"a","type":"comment"})"); },
        itsm::Errc::storage);
    CHECK(m.find("at: missing from the stored event") != std::string::npos);
    std::string bad_type = text;
    bad_type.replace(bad_type.find("field_changed"), 13, "exploded");
    m = error_of([&] { itsm::event_from_record(bad_type); }, itsm::Errc::storage);
    CHECK(m.find("type: unknown value \"exploded\"") != std::string::npos);
    std::string bad_seq = text;
    bad_seq.replace(bad_seq.find("41"), 2, "\"x\"");
    m = error_of([&] { itsm::event_from_record(bad_seq); }, itsm::Errc::storage);
    CHECK(m.find("seq: expected an integer") != std::string::npos);
    m = error_of(
        [] {
            itsm::event_from_record(R"({"seq":1,"ticket":2,"at":"2026-01-01T00:00:00Z",)"
                                    R"("actor":"a","type":"comment","field":"f",)"
                                    R"("new":[1],"old":null})");
        },
        itsm::Errc::storage);
    CHECK(m.find("new: expected a text, integer, boolean or null") != std::string::npos);
}

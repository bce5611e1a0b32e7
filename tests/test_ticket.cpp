#include "itsm/ticket.hpp"

#include <doctest/doctest.h>

#include "itsm/error.hpp"
#include "itsm/event.hpp"

using namespace itsm;

TEST_CASE("channels, link types, field types and event types round-trip their names") {
    for (auto c : {Channel::portal, Channel::email, Channel::phone, Channel::chat, Channel::walk_in,
                   Channel::monitoring, Channel::self_service})
        CHECK(channel_from_string(to_string(c)) == c);
    CHECK(to_string(Channel::walk_in) == "walk_in");
    CHECK_FALSE(channel_from_string("fax"));
    for (int i = 0; i <= static_cast<int>(LinkType::resolves); ++i) {
        auto t = static_cast<LinkType>(i);
        CHECK(link_type_from_string(to_string(t)) == t);
        CHECK(inverse(inverse(t)) == t);
    }
    CHECK(inverse(LinkType::child_of) == LinkType::parent_of);
    CHECK(inverse(LinkType::caused_by) == LinkType::causes);
    CHECK(inverse(LinkType::resolved_by_change) == LinkType::resolves);
    CHECK(inverse(LinkType::related) == LinkType::related);
    CHECK_FALSE(link_type_from_string("blocks"));
    CHECK(field_type_from_string("choice") == FieldType::choice);
    CHECK_FALSE(field_type_from_string("float"));
    CHECK(event_type_from_string("work_note") == EventType::work_note);
    CHECK(to_string(EventType::field_changed) == "field_changed");
}

TEST_CASE("values print as the audit trail shows them") {
    CHECK(value_to_text(Value{}) == "");
    CHECK(value_to_text(Value{std::string("x")}) == "x");
    CHECK(value_to_text(Value{std::int64_t{-4}}) == "-4");
    CHECK(value_to_text(Value{true}) == "true");
    CHECK(value_to_text(Value{parse_instant("2026-01-01T00:00:00Z")}) == "2026-01-01T00:00:00Z");
}

TEST_CASE("tags are trimmed and lower-cased") {
    CHECK(normalize_tag("  VPN ") == "vpn");
    CHECK(normalize_tag("Floor-3") == "floor-3");
    CHECK(normalize_tag("   ") == "");
    CHECK(normalize_tag("Ünïcode") == "Ünïcode");  // only ASCII letters fold
}

TEST_CASE("ticket helpers find custom values, tags and the parent") {
    Ticket t;
    t.custom.push_back({"cost", std::int64_t{5}});
    t.tags.push_back("vpn");
    t.links.push_back({LinkType::related, 9});
    t.links.push_back({LinkType::child_of, 7});
    REQUIRE(t.custom_value("cost"));
    CHECK(std::get<std::int64_t>(*t.custom_value("cost")) == 5);
    CHECK_FALSE(t.custom_value("other"));
    CHECK(t.has_tag("vpn"));
    CHECK_FALSE(t.has_tag("wifi"));
    CHECK(t.parent() == TicketId{7});
}

TEST_CASE("an Error names where it happened") {
    Error e(Errc::validation_failed, "title", "must not be empty");
    CHECK(e.code() == Errc::validation_failed);
    CHECK(e.where() == "title");
    CHECK(std::string(e.what()) == "title: must not be empty");
    CHECK(to_string(Errc::conflict) == "conflict");
    Error plain(Errc::storage, "disk full");
    CHECK(plain.where().empty());
    CHECK(std::string(plain.what()) == "disk full");
}

// Query semantics shared by every store: matching, sort positions, cursors, validation.
#include "itsm/store.hpp"

#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace itsm;
using itsm_test::error_of;

TEST_CASE("a query matches with AND across fields and OR within one") {
    Ticket t;
    t.kind = "incident";
    t.state = "new";
    t.segment = "it";
    t.assignee = Symbol{};
    t.priority = 2;
    t.tags = {"vpn"};
    t.created = t.updated = parse_instant("2026-03-02T10:00:00Z");
    Query q;
    CHECK(q.matches(t));
    q.kinds = {"problem", "incident"};
    q.segments = {"it"};
    CHECK(q.matches(t));
    q.assignees = {Symbol{}};  // unassigned
    CHECK(q.matches(t));
    q.assignees = {"bob"};
    CHECK_FALSE(q.matches(t));
    q.assignees.clear();
    q.tags = {"wifi", "vpn"};
    CHECK(q.matches(t));
    q.tags = {"wifi"};
    CHECK_FALSE(q.matches(t));
    q.tags.clear();
    q.priority_min = 1;
    q.priority_max = 2;
    CHECK(q.matches(t));
    q.priority_max = 1;
    CHECK_FALSE(q.matches(t));
    q.priority_max.reset();
    q.created_from = t.created;
    q.created_before = t.created + std::chrono::seconds(1);
    CHECK(q.matches(t));
    q.created_before = t.created;  // exclusive
    CHECK_FALSE(q.matches(t));
}

TEST_CASE("cursors round-trip and are refused for another sort or when malformed") {
    SortPosition pos{1772445600000000, 0, 42};
    auto c = encode_cursor(SortKey::updated, true, pos);
    CHECK(decode_cursor(c, SortKey::updated, true) == pos);
    error_of([&] { decode_cursor(c, SortKey::created, true); }, Errc::invalid_argument);
    error_of([&] { decode_cursor(c, SortKey::updated, false); }, Errc::invalid_argument);
    for (const char* bad :
         {"", "updated.d.", "updated.d.1.2", "updated.d.1.2.x", "updated.d.1.2.3.4", "garbage"}) {
        CAPTURE(bad);
        error_of([&] { decode_cursor(bad, SortKey::updated, true); }, Errc::invalid_argument);
    }
}

TEST_CASE("malformed queries are refused naming the member") {
    Query q;
    q.limit = 0;
    CHECK(error_of([&] { validate_query(q); }, Errc::invalid_argument).rfind("limit", 0) == 0);
    q.limit = 1001;
    error_of([&] { validate_query(q); }, Errc::invalid_argument);
    q.limit = 10;
    q.priority_min = 3;
    q.priority_max = 2;
    CHECK(error_of([&] { validate_query(q); }, Errc::invalid_argument).rfind("priority_min", 0) ==
          0);
    q.priority_max.reset();
    q.cursor = "nonsense";
    CHECK(error_of([&] { validate_query(q); }, Errc::invalid_argument).rfind("cursor", 0) == 0);
}

TEST_CASE("sort positions follow the documented tuples") {
    Ticket t;
    t.id = 5;
    t.priority = 2;
    t.created = parse_instant("2026-01-01T00:00:00Z");
    t.updated = parse_instant("2026-01-02T00:00:00Z");
    CHECK(sort_position(t, SortKey::updated) == SortPosition{to_micros(t.updated), 0, 5});
    CHECK(sort_position(t, SortKey::created) == SortPosition{to_micros(t.created), 0, 5});
    CHECK(sort_position(t, SortKey::priority) == SortPosition{2, to_micros(t.created), 5});
    CHECK(sort_key_from_string("priority") == SortKey::priority);
    CHECK_FALSE(sort_key_from_string("title"));
}

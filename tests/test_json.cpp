#include "itsm/json.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "helpers.hpp"

using namespace itsm;
using itsm_test::Desk;
using itsm_test::error_of;
using nlohmann::json;

namespace {

Schema schema_with_fields() {
    Schema s = Schema::itil();
    s.add_custom_field({"cost", FieldType::integer, {}, {"change"}});
    s.add_custom_field({"due", FieldType::instant, {}, {}});
    s.add_custom_field({"env", FieldType::choice, {"prod", "test"}, {}});
    return s;
}

}  // namespace

TEST_CASE("a ticket round-trips from a JSON body to JSON text") {
    Desk d(schema_with_fields());
    NewTicket in = new_ticket_from_json(R"({
        "kind": "change", "title": "Patch the mail server", "impact": 2, "urgency": 1,
        "channel": "email", "category": "software.mail", "assignee": null,
        "tags": ["Mail", "patch"], "segment": "it",
        "custom": {"cost": 300, "due": "2026-04-01T10:00:00+02:00", "env": null}
    })",
                                        d.engine.schema());
    Ticket t = d.engine.create(d.alice, in);
    json j = json::parse(to_json(t));
    CHECK(j["key"] == "CHG0000001");
    CHECK(j["kind"] == "change");
    CHECK(j["priority"] == 2);
    CHECK(j["channel"] == "email");
    CHECK(j["assignee"].is_null());
    CHECK(j["requester"] == "alice");
    CHECK(j["tags"] == json::array({"mail", "patch"}));
    CHECK(j["custom"]["cost"] == 300);
    CHECK(j["custom"]["due"] == "2026-04-01T08:00:00Z");
    CHECK_FALSE(j["custom"].contains("env"));
    CHECK(j["created"] == "2026-03-02T09:00:00Z");
    CHECK(j["resolved"].is_null());
    CHECK(j["version"] == 1);
}

TEST_CASE("a patch body reads every member, null clears") {
    Schema s = schema_with_fields();
    TicketPatch p = patch_from_json(
        R"({"title": "x", "priority": null, "assignee": null, "add_tags": ["a"],
            "remove_tags": ["b"], "custom": {"env": "prod"}, "version": 3, "impact": 1})",
        s);
    CHECK(p.title == "x");
    REQUIRE(p.priority);
    CHECK_FALSE(p.priority->has_value());
    REQUIRE(p.assignee);
    CHECK(p.assignee->empty());
    CHECK(p.expected_version == 3u);
    CHECK(p.impact == 1);
    CHECK(p.custom.size() == 1);
    TicketPatch override = patch_from_json(R"({"priority": 2})", s);
    CHECK(override.priority->value() == 2);
}

TEST_CASE("bad bodies are refused naming the JSON path") {
    Schema s = schema_with_fields();
    struct Case {
        const char* body;
        Errc code;
        const char* message;
    };
    Case creates[] = {
        {R"({"title": "x"})", Errc::invalid_argument, "kind: missing"},
        {R"({"kind": "incident"})", Errc::invalid_argument, "title: missing"},
        {R"({"kind": "incident", "title": 5})", Errc::invalid_argument, "title: expected a string"},
        {R"({"kind": "incident", "title": "x", "impact": "high"})", Errc::invalid_argument,
         "impact: expected an integer"},
        {R"({"kind": "incident", "title": "x", "channel": "fax"})", Errc::invalid_argument,
         "channel: unknown channel \"fax\""},
        {R"({"kind": "incident", "title": "x", "tags": ["a", 1]})", Errc::invalid_argument,
         "tags[1]: expected a string"},
        {R"({"kind": "incident", "title": "x", "colour": "red"})", Errc::invalid_argument,
         "colour: unknown member"},
        {R"({"kind": "incident", "title": "x", "custom": {"cost": "12"}})", Errc::validation_failed,
         "custom.cost: expected a value of type integer"},
        {R"({"kind": "incident", "title": "x", "custom": {"size": 1}})", Errc::validation_failed,
         "custom.size: unknown custom field"},
        {R"({"kind": "incident", "title": "x", "custom": {"due": "tomorrow"}})",
         Errc::validation_failed, "custom.due: \"tomorrow\" is not an ISO-8601 instant"},
        {R"({"kind": "incident", "title": "x", "custom": []})", Errc::invalid_argument,
         "custom: expected an object"},
        {R"({"kind": "incident", "title": )", Errc::invalid_argument, "(document): not valid JSON"},
        {R"("incident")", Errc::invalid_argument, "(document): expected an object"},
    };
    for (const auto& c : creates) {
        CAPTURE(c.body);
        auto msg = error_of([&] { new_ticket_from_json(c.body, s); }, c.code);
        CHECK_MESSAGE(msg.rfind(c.message, 0) == 0, msg);
    }
    auto msg = error_of([&] { patch_from_json(R"({"version": 0})", s); }, Errc::invalid_argument);
    CHECK(msg == "version: must be 1 or more");
    msg = error_of([&] { patch_from_json(R"({"kind": "problem"})", s); }, Errc::invalid_argument);
    CHECK(msg == "kind: unknown member");
}

TEST_CASE("a query body reads filters, sort and paging") {
    Query q = query_from_json(R"({"segments": ["it"], "assignees": [null, "bob"],
        "tags": [" VPN "], "priority_max": 2, "updated_from": "2026-03-01T00:00:00Z",
        "sort": "priority", "descending": false, "limit": 20})");
    CHECK(q.segments == std::vector<Symbol>{"it"});
    CHECK(q.assignees == std::vector<Symbol>{Symbol{}, "bob"});
    CHECK(q.tags == std::vector<Symbol>{"vpn"});
    CHECK(q.priority_max == 2);
    CHECK(q.updated_from == parse_instant("2026-03-01T00:00:00Z"));
    CHECK(q.sort == SortKey::priority);
    CHECK_FALSE(q.descending);
    CHECK(q.limit == 20);
    CHECK(error_of([&] { query_from_json(R"({"sort": "title"})"); }, Errc::invalid_argument)
              .rfind("sort: unknown sort", 0) == 0);
    CHECK(error_of([&] { query_from_json(R"({"limit": 0})"); }, Errc::invalid_argument) ==
          "limit: 0 is outside 1..1000");
    CHECK(error_of([&] { query_from_json(R"({"updated_from": "yesterday"})"); },
                   Errc::invalid_argument)
              .rfind("updated_from: ", 0) == 0);
}

TEST_CASE("events, comments and pages serialize every member") {
    Desk d;
    Ticket t = d.incident();
    TicketPatch p;
    p.impact = 1;
    d.engine.update(d.alice, t.id, p);
    d.engine.comment(d.bob, t.id, "On it", CommentVisibility::work_note);
    json h = json::parse(to_json(d.engine.history(d.alice, t.id)));
    REQUIRE(h.size() == 4);
    CHECK(h[0]["type"] == "created");
    CHECK(h[1]["field"] == "impact");
    CHECK(h[1]["old"] == 3);
    CHECK(h[1]["new"] == 1);
    CHECK(h[2]["field"] == "priority");
    CHECK(h[2]["text"] == "matrix");
    CHECK(h[3]["type"] == "work_note");
    CHECK(h[3]["actor"] == "bob");
    json c = json::parse(to_json(d.engine.comments(d.alice, t.id)[0]));
    CHECK(c["visibility"] == "work_note");
    Query q;
    q.limit = 1;
    d.incident("another");
    json page = json::parse(to_json(d.engine.query(d.alice, q), 2));
    CHECK(page["total"] == 2);
    CHECK(page["tickets"].size() == 1);
    CHECK(page["next_cursor"].is_string());
}

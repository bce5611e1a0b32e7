#include "itsm/schema.hpp"

#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace itsm;
using itsm_test::error_of;

TEST_CASE("the ITIL schema has the five kinds and the 3x3 priority table") {
    Schema s = Schema::itil();
    REQUIRE(s.kinds().size() == 5);
    CHECK(s.kind("incident")->prefix == "INC");
    CHECK(s.kind("service_request")->prefix == "REQ");
    CHECK(s.kind("problem")->prefix == "PRB");
    CHECK(s.kind("change")->prefix == "CHG");
    CHECK(s.kind("task")->prefix == "TASK");
    CHECK(s.kind("incident")->initial_state == "new");
    CHECK_FALSE(s.kind("bug"));
    const auto& m = s.priority_matrix();
    int expected[3][3] = {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}};
    for (int i = 1; i <= 3; ++i)
        for (int u = 1; u <= 3; ++u)
            CHECK(m.priority(i, u) == expected[i - 1][u - 1]);
    CHECK(s.default_segment() == "global");
    CHECK(format_key("INC", 42) == "INC0000042");
    CHECK(format_key("TASK", 12345678) == "TASK12345678");
}

TEST_CASE("a schema file adds kinds, custom fields and a matrix to the ITIL base") {
    Schema s = Schema::from_json(R"({
        "kinds": [{"id": "hr_case", "prefix": "HRC", "label": "HR case"}],
        "priority_matrix": [[1, 1, 2, 3], [2, 3, 3, 4], [3, 4, 4, 5]],
        "custom_fields": [
            {"name": "cost", "type": "integer", "kinds": ["change"]},
            {"name": "environment", "type": "choice", "choices": ["prod", "test"]},
            {"name": "vip", "type": "boolean"},
            {"name": "due", "type": "instant"},
            {"name": "note"}
        ],
        "default_segment": "it"
    })");
    CHECK(s.kinds().size() == 6);
    CHECK(s.kind("hr_case")->prefix == "HRC");
    CHECK(s.priority_matrix().urgency_levels == 4);
    CHECK(s.priority_matrix().priority(1, 2) == 1);
    CHECK(s.priority_matrix().priority(3, 4) == 5);
    CHECK(s.custom_field("cost")->type == FieldType::integer);
    CHECK(s.custom_field("note")->type == FieldType::text);
    CHECK(s.default_segment() == "it");
    // to_json and back gives the same schema
    Schema again = Schema::from_json(s.to_json());
    CHECK(again.to_json() == s.to_json());
    Schema bare =
        Schema::from_json(R"({"base": "none", "kinds": [{"id": "ticket", "prefix": "T"}]})");
    CHECK(bare.kinds().size() == 1);
}

TEST_CASE("a broken schema file is refused whole, naming the JSON path") {
    struct Case {
        const char* json;
        const char* where;
    };
    Case cases[] = {
        {R"({"kinds": [{"id": "incident", "prefix": "INX"}]})", "kinds[0]: duplicate kind id"},
        {R"({"kinds": [{"id": "x", "prefix": "INC"}]})",
         "kinds[0].prefix: prefix \"INC\" is already used"},
        {R"({"kinds": [{"id": "x", "prefix": "inc"}]})", "kinds[0].prefix"},
        {R"({"kinds": [{"id": "Bad Id", "prefix": "B"}]})", "kinds[0].id"},
        {R"({"kinds": [{"prefix": "B"}]})", "kinds[0].id: missing"},
        {R"({"kinds": [{"id": "b", "prefix": "B", "colour": 1}]})",
         "kinds[0].colour: unknown member"},
        {R"({"kinds": {}})", "kinds: expected an array"},
        {R"({"priority_matrix": [[1, 2], [2]]})", "priority_matrix[1]"},
        {R"({"priority_matrix": [[1, 2], [2, 0]]})", "priority_matrix[1][1]"},
        {R"({"priority_matrix": [[1, "a"]]})", "priority_matrix[0][1]: expected an integer"},
        {R"({"custom_fields": [{"name": "x", "type": "float"}]})", "custom_fields[0].type"},
        {R"({"custom_fields": [{"name": "x", "type": "choice"}]})", "custom_fields[0].choices"},
        {R"({"custom_fields": [{"name": "x", "kinds": ["bug"]}]})",
         "custom_fields[0].kinds[0]: unknown kind \"bug\""},
        {R"({"custom_fields": [{"name": "x"}, {"name": "x"}]})",
         "custom_fields[1]: duplicate custom field"},
        {R"({"default_segment": ""})", "default_segment"},
        {R"({"base": "jira"})", "base"},
        {R"({"kindz": []})", "kindz: unknown member"},
        {R"([1, 2])", "(document): expected an object"},
        {R"({"kinds": [)", "(document): not valid JSON"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.json);
        auto msg = error_of([&] { Schema::from_json(c.json); }, Errc::invalid_config);
        CHECK_MESSAGE(msg.rfind(c.where, 0) == 0, msg);
    }
}

TEST_CASE("custom values are checked against their definition") {
    Schema s = Schema::itil();
    s.add_custom_field({"cost", FieldType::integer, {}, {"change"}});
    s.add_custom_field({"env", FieldType::choice, {"prod", "test"}, {}});
    s.check_custom("change", "cost", std::int64_t{3});
    s.check_custom("change", "cost", Value{});  // clearing
    s.check_custom("incident", "env", std::string("prod"));
    auto msg = error_of([&] { s.check_custom("incident", "cost", std::int64_t{3}); },
                        Errc::validation_failed);
    CHECK(msg == "custom.cost: not a field of kind \"incident\"");
    msg = error_of([&] { s.check_custom("change", "cost", std::string("3")); },
                   Errc::validation_failed);
    CHECK(msg == "custom.cost: expected a value of type integer");
    msg = error_of([&] { s.check_custom("incident", "env", std::string("dev")); },
                   Errc::validation_failed);
    CHECK(msg == "custom.env: \"dev\" is not one of its choices");
    msg = error_of([&] { s.check_custom("incident", "nope", std::int64_t{1}); },
                   Errc::validation_failed);
    CHECK(msg == "custom.nope: unknown custom field");
    error_of([&] { s.check_impact(0); }, Errc::validation_failed);
    error_of([&] { s.check_urgency(4); }, Errc::validation_failed);
    error_of([&] { s.check_priority(6); }, Errc::validation_failed);
}

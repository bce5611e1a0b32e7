#include "itsm/sla.hpp"

#include <doctest/doctest.h>

#include "helpers.hpp"
#include "itsm/error.hpp"

using namespace itsm;
using namespace std::chrono_literals;
using itsm_test::error_of;

namespace {

Instant at(const char* text) {
    return parse_instant(text);
}

// Mon-Fri 09:00-17:00 UTC.
CalendarPtr nine_to_five() {
    CalendarBuilder b("office");
    for (auto d : {std::chrono::Monday, std::chrono::Tuesday, std::chrono::Wednesday,
                   std::chrono::Thursday, std::chrono::Friday})
        b.hours(d, "09:00", "17:00");
    b.holiday(parse_date("2026-03-13"));  // a Friday
    return b.build();
}

const char* policies_json = R"({"sla_policies": {
    "incident_sla": {
        "name": "Incident resolution", "type": "sla", "calendar": "office",
        "applies_when": {"kinds": ["incident"], "priorities": [1, 2, 3],
                         "categories": ["network"], "segments": ["it"],
                         "custom": {"site": ["north", "south"], "vip": [true]}},
        "pause_on": ["state_class:pending", "on_hold:awaiting_caller"],
        "warnings": [50, 75, 90],
        "on_reopen": "new_cycle",
        "metrics": {
            "response": {"targets": {"1": "PT15M", "2": "PT1H"}},
            "resolution": {"targets": {"1": "PT4H", "2": "PT8H", "3": "P2D"}},
            "first_fix": {"start_on": ["assigned"], "stop_on": ["state_class:resolved"],
                          "pause_on": [], "targets": {"1": "PT2H30M"}}
        }},
    "network_ola": {"type": "ola", "applies_when": {"categories": ["network"]},
                    "metrics": {"resolution": {"targets": {"1": "PT2H"}}}},
    "supplier": {"type": "underpinning_contract",
                 "metrics": {"resolution": {"targets": {"4": "PT40H"}}}}
}})";

}  // namespace

TEST_CASE("sla policies: JSON with types, conditions, metrics, targets, pauses, warnings") {
    auto calendars = CalendarSet();
    calendars.add(nine_to_five());
    auto set = SlaPolicies::from_json(policies_json, &calendars);
    REQUIRE(set.all().size() == 3);
    const SlaPolicy* p = set.find("incident_sla");
    REQUIRE(p);
    CHECK(p->name == "Incident resolution");
    CHECK(p->type == AgreementType::sla);
    CHECK(p->calendar == "office");
    CHECK(p->warnings == std::vector<int>{50, 75, 90});
    CHECK(p->on_reopen == SlaPolicy::OnReopen::new_cycle);
    CHECK(p->pause_on == std::vector<SlaTrigger>{{SlaTrigger::Kind::state_class, "pending"},
                                                 {SlaTrigger::Kind::on_hold, "awaiting_caller"}});
    const MetricDef* response = p->metric("response");
    REQUIRE(response);
    // Response keeps its default start and stops (first assignment or public agent reply).
    CHECK(response->start_on == std::vector<SlaTrigger>{{SlaTrigger::Kind::created, {}}});
    CHECK(response->stop_on == std::vector<SlaTrigger>{{SlaTrigger::Kind::assigned, {}},
                                                       {SlaTrigger::Kind::public_reply, {}}});
    CHECK(response->target_for(1) == Duration{15min});
    CHECK_FALSE(response->target_for(3));
    CHECK(p->metric("resolution")->stop_on ==
          std::vector<SlaTrigger>{{SlaTrigger::Kind::state_class, "resolved"}});
    CHECK(p->metric("resolution")->target_for(3) == Duration{48h});
    const MetricDef* custom = p->metric("first_fix");
    REQUIRE(custom);
    CHECK(custom->start_on == std::vector<SlaTrigger>{{SlaTrigger::Kind::assigned, {}}});
    CHECK(custom->pause_on == std::vector<SlaTrigger>{});
    CHECK(custom->target_for(1) == Duration{150min});
    CHECK(set.find("network_ola")->type == AgreementType::ola);
    CHECK(set.find("network_ola")->warnings == std::vector<int>{50, 75});  // the default
    CHECK(set.find("supplier")->type == AgreementType::underpinning_contract);
    CHECK(SlaTrigger::parse("state_class:pending")->to_string() == "state_class:pending");
}

TEST_CASE("sla policies: applies-when conditions") {
    auto set = SlaPolicies::from_json(policies_json);
    SlaFacts f;
    f.kind = "incident";
    f.priority = 2;
    f.categories = {"wifi", "network"};  // wifi lies in the network subtree
    f.segment = "it";
    f.custom = {{"site", std::string("north")}, {"vip", true}};
    auto ids = [&] {
        std::vector<std::string> out;
        for (const auto* p : set.matching(f))
            out.push_back(p->id.str());
        return out;
    };
    CHECK(ids() == std::vector<std::string>{"incident_sla", "network_ola", "supplier"});
    f.custom = {{"site", std::string("east")}, {"vip", true}};
    CHECK(ids() == std::vector<std::string>{"network_ola", "supplier"});
    f.custom = {{"site", std::string("south")}};  // vip missing
    CHECK(ids() == std::vector<std::string>{"network_ola", "supplier"});
    f.custom = {{"site", std::string("south")}, {"vip", true}};
    f.priority = 4;
    CHECK(ids() == std::vector<std::string>{"network_ola", "supplier"});
    f.priority = 1;
    f.segment = "hr";
    CHECK(ids() == std::vector<std::string>{"network_ola", "supplier"});
    f.segment = "it";
    f.categories = {"printers"};
    CHECK(ids() == std::vector<std::string>{"supplier"});
    f.categories = {"network"};
    f.kind = "change";
    CHECK(ids() == std::vector<std::string>{"network_ola", "supplier"});

    Ticket t;
    t.kind = "incident";
    t.priority = 1;
    t.category = "network";
    t.segment = "it";
    t.custom = {{"site", std::string("north")}, {"vip", true}};
    CHECK(set.matching(SlaFacts::of(t)).size() == 3);
}

TEST_CASE("sla policies: a bad document is refused whole, naming the JSON path") {
    auto calendars = CalendarSet();
    calendars.add(nine_to_five());
    struct Bad {
        const char* doc;
        const char* message;
    };
    for (
        Bad bad : {
            Bad{R"({"sla_policies": {"p": {"type": "sls", "metrics": {}}}})",
                "sla_policies.p.type: unknown type \"sls\""},
            Bad{R"({"sla_policies": {"p": {"calendar": "paris", "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.calendar: unknown calendar \"paris\""},
            Bad{R"({"sla_policies": {"p": {"metrics": {}}}})",
                "sla_policies.p.metrics: a policy needs at least one metric"},
            Bad{R"({"sla_policies": {"p": {"metrics": {"resolution": {"targets": {"1": "4h"}}}}}})",
                "sla_policies.p.metrics.resolution.targets.1: \"4h\" is not an ISO-8601 duration"},
            Bad{R"({"sla_policies": {"p": {"metrics": {"resolution": {"targets": {"0": "PT4H"}}}}}})",
                "sla_policies.p.metrics.resolution.targets.0: a priority is 1 to 9"},
            Bad{R"({"sla_policies": {"p": {"metrics": {"resolution": {"targets": {"1": "PT0S"}}}}}})",
                "sla_policies.p.metrics.resolution.targets.1: a target must be longer than zero"},
            Bad{R"({"sla_policies": {"p": {"metrics": {"resolution": {"targets": {}}}}}})",
                "sla_policies.p.metrics.resolution.targets: a metric needs at least one target"},
            Bad{R"({"sla_policies": {"p": {"metrics": {"fix": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.metrics.fix.start_on: a metric needs a start"},
            Bad{R"({"sla_policies": {"p": {"pause_on": ["state_class:pending", "pendng"], "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.pause_on[1]: unknown trigger \"pendng\""},
            Bad{R"({"sla_policies": {"p": {"pause_on": ["state_class:waiting"], "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.pause_on[0]: unknown trigger \"state_class:waiting\""},
            Bad{R"({"sla_policies": {"p": {"warnings": [75, 50], "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.warnings[1]: thresholds must ascend"},
            Bad{R"({"sla_policies": {"p": {"warnings": [100], "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.warnings[0]: a warning threshold is a percentage from 1 to 99"},
            Bad{R"({"sla_policies": {"p": {"applies_when": {"priorities": [0]}, "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.applies_when.priorities[0]: a priority is 1 to 9"},
            Bad{R"({"sla_policies": {"p": {"applies_when": {"kind": ["incident"]}, "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.applies_when.kind: unknown member"},
            Bad{R"({"sla_policies": {"p": {"on_reopen": "restart", "metrics": {"resolution": {"targets": {"1": "PT1H"}}}}}})",
                "sla_policies.p.on_reopen: \"restart\" is neither"},
            Bad{R"({"sla_policies": {"P 1": {"metrics": {}}}})",
                "sla_policies.P 1: \"P 1\" is not a valid policy id"},
            Bad{R"({"policies": {}})", "policies: unknown member"},
        }) {
        CAPTURE(bad.doc);
        auto msg =
            error_of([&] { SlaPolicies::from_json(bad.doc, &calendars); }, Errc::invalid_config);
        CHECK_MESSAGE(msg.find(bad.message) == 0, msg);
    }
    // A refused add() leaves the set as it was.
    SlaPolicies set;
    SlaPolicy ok;
    ok.id = "ok";
    ok.metrics = {MetricDef::resolution()};
    ok.metrics[0].targets[1] = 1h;
    set.add(ok);
    SlaPolicy dup = ok;
    error_of([&] { set.add(dup); }, Errc::invalid_config);
    CHECK(set.all().size() == 1);
}

TEST_CASE("sla clocks: due, elapsed, remaining, percentage and warnings in business time") {
    auto cal = nine_to_five();
    ClockInput in;
    in.start = at("2026-03-02T15:00:00Z");  // Monday
    in.target = 4h;
    auto v = evaluate_clock(*cal, in, at("2026-03-02T16:00:00Z"));
    CHECK(v.state == ClockState::running);
    CHECK(v.due == at("2026-03-03T11:00:00Z"));
    CHECK(v.elapsed == 1h);
    CHECK(v.remaining == 3h);
    CHECK(v.wall_elapsed == 1h);
    CHECK(v.percentage == doctest::Approx(25.0));
    REQUIRE(v.warning_at.size() == 2);
    CHECK(v.warning_at[0] == at("2026-03-02T17:00:00Z"));  // 50%: exactly at the close
    CHECK(v.warning_at[1] == at("2026-03-03T10:00:00Z"));  // 75%
    // Overnight the business clock stands still while wall time runs.
    v = evaluate_clock(*cal, in, at("2026-03-03T08:00:00Z"));
    CHECK(v.elapsed == 2h);
    CHECK(v.wall_elapsed == 17h);
    // Past the due instant: breached, remaining negative.
    v = evaluate_clock(*cal, in, at("2026-03-03T12:00:00Z"));
    CHECK(v.state == ClockState::breached);
    CHECK(v.remaining == -1h);
    CHECK(v.percentage == doctest::Approx(125.0));
    // Due at a close: after the close, before the next opening, it is breached.
    in.target = 2h;
    CHECK(evaluate_clock(*cal, in, at("2026-03-02T17:00:00Z")).state == ClockState::running);
    v = evaluate_clock(*cal, in, at("2026-03-02T20:00:00Z"));
    CHECK(v.state == ClockState::breached);
    CHECK(v.elapsed == 2h);
    // Holidays: Thursday 16:00 + 2 h skips Friday 13 March.
    in.start = at("2026-03-12T16:00:00Z");
    CHECK(evaluate_clock(*cal, in, in.start).due == at("2026-03-16T10:00:00Z"));
}

TEST_CASE("sla clocks: pauses stop the business clock and move the due instant") {
    auto cal = nine_to_five();
    ClockInput in;
    in.start = at("2026-03-02T09:00:00Z");
    in.target = 8h;
    in.pauses = {{at("2026-03-02T10:00:00Z"), at("2026-03-02T12:00:00Z")},
                 {at("2026-03-03T09:00:00Z"), std::nullopt}};
    // Paused now: the due instant is projected as if the clock resumed now.
    auto v = evaluate_clock(*cal, in, at("2026-03-03T10:00:00Z"));
    CHECK(v.state == ClockState::paused);
    CHECK(v.elapsed == 6h);
    CHECK(v.paused == 2h + 1h);
    CHECK(v.remaining == 2h);
    CHECK(v.due == at("2026-03-03T12:00:00Z"));
    CHECK(v.wall_elapsed == 25h - 3h);
    // The warnings already passed stay where they were.
    CHECK(v.warning_at[0] == at("2026-03-02T15:00:00Z"));
    CHECK(v.warning_at[1] == at("2026-03-02T17:00:00Z"));
    // Resumed at 11:00: 2 h left, due 13:00.
    in.pauses.back().to = at("2026-03-03T11:00:00Z");
    v = evaluate_clock(*cal, in, at("2026-03-03T11:30:00Z"));
    CHECK(v.state == ClockState::running);
    CHECK(v.due == at("2026-03-03T13:00:00Z"));
    // Stopped before the due instant: met; after: breached.
    in.stopped = at("2026-03-03T13:00:00Z");
    CHECK(evaluate_clock(*cal, in, at("2026-03-09T00:00:00Z")).state == ClockState::met);
    in.stopped = at("2026-03-03T13:00:01Z");
    v = evaluate_clock(*cal, in, at("2026-03-09T00:00:00Z"));
    CHECK(v.state == ClockState::breached);
    CHECK(v.elapsed == 8h + 1s);
    // A new target applies from the original start and keeps the pause history.
    in.stopped.reset();
    in.target = 16h;
    CHECK(evaluate_clock(*cal, in, at("2026-03-03T11:30:00Z")).due == at("2026-03-04T13:00:00Z"));
    in.canceled = true;
    CHECK(evaluate_clock(*cal, in, at("2026-03-03T11:30:00Z")).state == ClockState::canceled);
}

TEST_CASE("sla clocks: DST and a wall-clock calendar") {
    auto berlin = CalendarBuilder("b").time_zone("Europe/Berlin").always_open().build();
    ClockInput in;
    in.start = at("2026-03-28T12:00:00Z");
    in.target = 24h;
    // 24 h of real time across the spring-forward night.
    CHECK(evaluate_clock(*berlin, in, in.start).due == at("2026-03-29T12:00:00Z"));
    auto office = CalendarBuilder("o")
                      .time_zone("Europe/Berlin")
                      .hours(std::chrono::Friday, "09:00", "17:00")
                      .hours(std::chrono::Monday, "09:00", "17:00")
                      .build();
    in.start = at("2026-03-27T15:00:00Z");  // Friday 16:00 CET
    in.target = 2h;
    // One hour on Friday, one on Monday from 09:00 CEST (07:00Z).
    CHECK(evaluate_clock(*office, in, in.start).due == at("2026-03-30T08:00:00Z"));
}

TEST_CASE("sla clocks: malformed input is refused naming the field") {
    auto cal = nine_to_five();
    ClockInput in;
    in.start = at("2026-03-02T09:00:00Z");
    in.target = 0s;
    auto msg = error_of([&] { evaluate_clock(*cal, in, in.start); }, Errc::invalid_argument);
    CHECK(msg.find("target") == 0);
    in.target = 1h;
    in.pauses = {{at("2026-03-02T08:00:00Z"), at("2026-03-02T10:00:00Z")}};
    CHECK(error_of([&] { evaluate_clock(*cal, in, in.start); }, Errc::invalid_argument)
              .find("pauses[0]: starts before") == 0);
    in.pauses = {{at("2026-03-02T10:00:00Z"), std::nullopt},
                 {at("2026-03-02T11:00:00Z"), at("2026-03-02T12:00:00Z")}};
    CHECK(error_of([&] { evaluate_clock(*cal, in, in.start); }, Errc::invalid_argument)
              .find("pauses[0]: only the last") == 0);
    in.pauses = {{at("2026-03-02T10:00:00Z"), at("2026-03-02T12:00:00Z")},
                 {at("2026-03-02T11:00:00Z"), at("2026-03-02T13:00:00Z")}};
    CHECK(error_of([&] { evaluate_clock(*cal, in, in.start); }, Errc::invalid_argument)
              .find("pauses[1]: overlaps") == 0);
    in.pauses.clear();
    in.warnings = {0};
    CHECK(error_of([&] { evaluate_clock(*cal, in, in.start); }, Errc::invalid_argument)
              .find("warnings[0]") == 0);
}

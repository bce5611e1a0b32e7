// The simulator: scenario loading and its refusals, determinism, and a scripted scenario
// whose counts and times are computed by hand.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "helpers.hpp"
#include "itsm/sim/random.hpp"
#include "itsm/sim/scenario.hpp"
#include "itsm/sim/simulator.hpp"

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// One agent working around the clock, fixed handling times, scripted arrivals.
json scripted() {
    return json::parse(R"({
      "name": "scripted",
      "horizon": {"start": "2026-03-02", "weeks": 2},
      "calendars": {"always": {"weekly": "24x7"}},
      "sla_policies": {"inc": {"applies_when": {"kinds": ["incident"]},
                               "metrics": {"resolution": {"targets": {"5": "PT2H"}}}}},
      "sites": [{"id": "hq", "users": 3}],
      "groups": [{"id": "desk", "tier": 1, "escalates_to": "second"},
                 {"id": "second", "tier": 2}],
      "categories": [{"id": "printing", "group": "desk"}],
      "staff": [{"id": "ann", "groups": ["desk"], "calendar": "always"},
                {"id": "tom", "groups": ["second"], "calendar": "always"}],
      "arrivals": [{"kind": "incident", "category": "printing",
                    "at": ["2026-03-02T09:00:00Z", "2026-03-02T09:10:00Z",
                           "2026-03-02T09:20:00Z"]}],
      "impact": [0, 0, 1],
      "urgency": [0, 0, 1],
      "handling": [{"tiers": [2], "median": "PT2H"}, {"median": "PT1H"}]
    })");
}

itsm::Errc code_of(const json& doc, std::string* where = nullptr) {
    try {
        itsm::sim::Scenario::from_json(doc.dump());
    } catch (const itsm::Error& e) {
        if (where) *where = e.what();
        return e.code();
    }
    return itsm::Errc::ok;
}

std::string refusal(const json& doc) {
    std::string what;
    CHECK(code_of(doc, &what) == itsm::Errc::invalid_config);
    return what;
}

}  // namespace

TEST_CASE("sim: the random numbers are the same everywhere for a seed") {
    itsm::sim::Random r(42);
    // splitmix64's published first outputs for seed 42 (any conforming implementation).
    CHECK(r.next() == 0xBDD732262FEB6E95ull);
    CHECK(r.next() == 0x28EFE333B266F103ull);
    itsm::sim::Random a(7), b(7);
    for (int i = 0; i < 1000; ++i)
        CHECK(a.poisson(3.5) == b.poisson(3.5));
    // The sample mean of a Poisson and a log-normal's median land near their parameters.
    itsm::sim::Random c(1);
    double sum = 0;
    int below = 0;
    for (int i = 0; i < 20000; ++i) {
        sum += static_cast<double>(c.poisson(45.0));
        below += c.lognormal(60, 240) < 60;
    }
    CHECK(sum / 20000 == doctest::Approx(45.0).epsilon(0.02));
    CHECK(below / 20000.0 == doctest::Approx(0.5).epsilon(0.03));
}

TEST_CASE("sim: the built-in scenario loads and describes the mid-size organisation") {
    auto s = itsm::sim::Scenario::default_scenario();
    int agents = 0, users = 0;
    double rate = 0;
    for (const auto& a : s.staff)
        agents += a.count;
    for (const auto& site : s.sites)
        users += site.users;
    for (const auto& a : s.arrivals)
        rate += a.rate_per_week;
    CHECK(agents == 5);
    CHECK(s.sites.size() == 4);
    CHECK(users == 500);
    CHECK(rate == doctest::Approx(119.5));
}

TEST_CASE("sim: a scenario with an error is refused with the JSON path") {
    json doc = scripted();
    CHECK(code_of(doc) == itsm::Errc::ok);

    auto bad = doc;
    bad["arrivals"].push_back(
        {{"kind", "incident"}, {"category", "printing"}, {"rate_per_week", 5}});
    bad["arrivals"].push_back(
        {{"kind", "incident"}, {"category", "printing"}, {"rate_per_week", -1}});
    CHECK(refusal(bad) == "arrivals[2].rate_per_week: must be positive");

    bad = doc;
    bad["arrivals"][0]["category"] = "printer";
    CHECK(refusal(bad) == "arrivals[0].category: unknown category \"printer\"");
    bad = doc;
    bad["arrivals"][0]["at"][1] = "2027-01-01T00:00:00Z";
    CHECK(refusal(bad) == "arrivals[0].at[1]: outside the horizon");
    bad = doc;
    bad["arrivals"][0]["rate_per_week"] = 3;
    CHECK(refusal(bad) == "arrivals[0]: give either rate_per_week or at");
    bad = doc;
    bad["staff"][1]["calendar"] = "night";
    CHECK(refusal(bad) == "staff[1].calendar: unknown calendar \"night\"");
    bad = doc;
    bad["staff"][0]["groups"] = {"desk", "third"};
    CHECK(refusal(bad) == "staff[0].groups[1]: unknown group \"third\"");
    bad = doc;
    bad["handling"][1]["p90"] = "PT30M";
    CHECK(refusal(bad) == "handling[1].p90: must not be below median");
    bad = doc;
    bad["handling"][1]["median"] = "1 hour";
    CHECK(refusal(bad) ==
          "handling[1].median: \"1 hour\" is not a positive ISO-8601 duration such as \"PT4H\"");
    bad = doc;
    bad["handling"] = json::array({{{"tiers", {2}}, {"median", "PT1H"}}});
    CHECK(refusal(bad) ==
          "arrivals[0]: no handling rule matches incident in printing at priority 1");
    bad = doc;
    bad["chances"] = {{"reopen", 1.5}};
    CHECK(refusal(bad) == "chances.reopen: must be between 0 and 1");
    bad = doc;
    bad["profile"] = {{"hour", {1, 2, 3}}};
    CHECK(refusal(bad) == "profile.hour: expected 24 weights");
    bad = doc;
    bad["channels"] = {{"email", 1}, {"fax", 1}};
    CHECK(refusal(bad) == "channels.fax: unknown channel");
    bad = doc;
    bad["horizon"]["weeks"] = 0;
    CHECK(refusal(bad) == "horizon.weeks: must be between 1 and 520");
    bad = doc;
    bad["sites"][0]["staff"] = 3;
    CHECK(refusal(bad) == "sites[0].staff: unknown member");
    // The calendars and SLA policies are checked by their own loaders, with the same paths.
    bad = doc;
    bad["calendars"]["always"]["time_zone"] = "Mars/Olympus";
    CHECK(refusal(bad).rfind("calendars.always.time_zone:", 0) == 0);
    bad = doc;
    bad["sla_policies"]["inc"]["calendar"] = "office";
    CHECK(refusal(bad).rfind("sla_policies.inc.calendar:", 0) == 0);
    bad = doc;
    bad["arrivals"].push_back({{"kind", "change"}, {"category", "printing"}, {"rate_per_week", 1}});
    bad["handling"].push_back({{"median", "PT1H"}});
    CHECK(refusal(bad) == "cab: normal and emergency changes need at least two CAB members");
    CHECK(code_of(json::parse("[1]")) == itsm::Errc::invalid_config);
    CHECK(refusal(json::object()) == "horizon: is required");
}

TEST_CASE("sim: a scripted desk gives the counts and times computed by hand") {
    itsm::sim::Simulation run(itsm::sim::Scenario::from_json(scripted().dump()));
    auto report = run.run();
    // ann takes the three incidents in turn, an hour each: resolved at 10:00, 11:00, 12:00,
    // so 1h, 1h50 and 2h40 after creation.
    CHECK(report.totals.created[0] == 3);
    CHECK(report.totals.resolved == 3);
    CHECK(report.totals.open_at_end == 0);
    REQUIRE(report.mttr.size() == 1);
    CHECK(report.mttr[0].resolved == 3);
    CHECK(report.mttr[0].mean_hours == doctest::Approx((60 + 110 + 160) / 3.0 / 60));
    CHECK(report.mttr[0].median_hours == doctest::Approx(110 / 60.0));
    // P5 resolution target 2 hours: the first two are met, the third breached.
    REQUIRE(report.sla.size() == 1);
    CHECK(report.sla[0].priority == 5);
    CHECK(report.sla[0].met == 2);
    CHECK(report.sla[0].breached == 1);
    CHECK(report.weeks.size() == 2);
    CHECK(report.weeks[0].resolved == 3);
    CHECK(report.weeks[0].backlog == 0);

    // The engine holds the real tickets: assigned to ann, resolved, and closed five days
    // after the resolution by Engine::advance.
    auto& engine = run.engine();
    itsm::Query q;
    q.kinds = {"incident"};
    auto page = engine.query(itsm::Actor::system(), q);
    REQUIRE(page.tickets.size() == 3);
    for (const auto& t : page.tickets) {
        CHECK(t->state == itsm::Symbol("closed"));
        CHECK(t->assignee == itsm::Symbol("ann"));
        CHECK(t->assignment_group == itsm::Symbol("desk"));
        CHECK(t->requester.view().find("@hq") != std::string_view::npos);
        CHECK(*t->closed - *t->resolved == std::chrono::hours(24 * 5));
    }
}

TEST_CASE("sim: escalation and reopening follow the scripted chances") {
    json doc = scripted();
    doc["chances"] = {{"escalation", 1.0}, {"reopen", 1.0}};
    doc["reopen_after"] = {{"median", "PT1H"}};
    auto report = itsm::sim::simulate(itsm::sim::Scenario::from_json(doc.dump()));
    // Every incident goes to tom (2h each) after ann's hour, and is reopened an hour after
    // its resolution, then resolved again by tom.
    CHECK(report.totals.escalated == 3);
    CHECK(report.totals.reopened == 3);
    CHECK(report.totals.resolved == 3);
    // ann: 10:00, 11:00, 12:00 to tom; tom: 10-12, 12-14, 14-16 (the first reopened at 13:00
    // waits for tom): then the reopened ones 16-18, 18-20, 20-22.
    REQUIRE(report.mttr.size() == 1);
    CHECK(report.mttr[0].mean_hours ==
          doctest::Approx(((18 * 60 - 540) + (20 * 60 - 550) + (22 * 60 - 560)) / 3.0 / 60));
}

TEST_CASE("sim: the same seed gives a byte-identical report, another seed another") {
    auto scenario = itsm::sim::Scenario::default_scenario();
    scenario.weeks = 2;
    auto one = itsm::sim::to_json(itsm::sim::simulate(scenario));
    auto two = itsm::sim::to_json(itsm::sim::simulate(scenario));
    CHECK(one == two);
    itsm::sim::RunOptions other;
    other.seed = scenario.seed + 1;
    auto three = itsm::sim::to_json(itsm::sim::simulate(scenario, other));
    CHECK(three != one);
    auto doc = json::parse(one);
    CHECK(doc["weeks"].size() == 2);
    CHECK(doc["totals"]["created"]["incident"].get<int>() > 100);
    CHECK(itsm::sim::to_html(itsm::sim::simulate(scenario)).find("<svg") != std::string::npos);
}

// CalendarSet::to_json and SlaPolicies::to_json: what they write reads back as the same
// calendars and policies (the C ABI getters and the bindings rely on it).
#include <doctest/doctest.h>

#include "itsm/calendar.hpp"
#include "itsm/sla.hpp"

using namespace itsm;

namespace {

const char* calendars_doc = R"({"calendars": {
  "de": {
    "time_zone": "CET-1CEST,M3.5.0,M10.5.0/3",
    "weekly": {"mon": [["08:00", "12:30"], ["13:30", "17:00"]], "tue": [["08:00", "12:00"], ["12:00", "17:00"]],
               "wed": [["08:00", "17:00"]], "fri": [["22:00", "06:00+1"]]},
    "holidays": ["2026-04-03", {"date": "2026-05-14", "name": "Ascension"},
                 {"yearly": "12-25", "name": "Christmas"},
                 {"yearly": "10-03", "name": "Unity Day", "from": 1990, "until": 2030}],
    "dates": {"2026-12-24": {"hours": [["08:00", "12:00"]]},
              "2026-06-20": {"extra": [["10:00", "14:00:30"]]},
              "2026-03-11": {"closed": [["12:00", "15:00"]], "holiday": false}},
    "holidays_ics": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261231\nSUMMARY:Eve\nEND:VEVENT\nEND:VCALENDAR\n"
  },
  "de_night": {"base": "de", "dates": {"2026-03-16": {"holiday": true}}},
  "ops": {"time_zone": "UTC", "weekly": "24x7"},
  "none": {"weekly": {}}
}})";

// Same working time: the same hours on every date of two years, the same zone and base.
void check_same(const CalendarSet& a, const CalendarSet& b) {
    REQUIRE(a.ids() == b.ids());
    for (const auto& id : a.ids()) {
        CAPTURE(id);
        auto x = a.at(id), y = b.at(id);
        CHECK(x->time_zone().name() == y->time_zone().name());
        CHECK((x->base() ? x->base()->id() : "") == (y->base() ? y->base()->id() : ""));
        for (auto day = std::chrono::sys_days(parse_date("2026-01-01"));
             day < std::chrono::sys_days(parse_date("2028-01-01")); day += std::chrono::days(1)) {
            Date d(day);
            CAPTURE(format_date(d));
            CHECK(x->hours_on(d) == y->hours_on(d));
        }
        Instant from = parse_instant("2026-03-01T00:00:00Z"),
                to = parse_instant("2026-04-15T00:00:00Z");
        if (id != "none") CHECK(x->between(from, to) == y->between(from, to));
    }
}

}  // namespace

TEST_CASE("CalendarSet::to_json reads back as the same calendars") {
    auto set = CalendarSet::from_json(calendars_doc);
    std::string text = set.to_json();
    auto again = CalendarSet::from_json(text);
    check_same(set, again);
    CHECK(again.to_json() == text);                                            // a fixed point
    CHECK(text.find("\"tue\":[[\"08:00\",\"17:00\"]]") != std::string::npos);  // normalized
    CHECK(text.find("\"14:00:30\"") != std::string::npos);
    CHECK(text.find("\"06:00+1\"") != std::string::npos);
    CHECK(text.find("\"until\":2030") != std::string::npos);
    CHECK(CalendarSet{}.to_json() == R"({"calendars":{}})");
}

TEST_CASE("CalendarSet::to_json writes a base that is not in the set") {
    auto base =
        CalendarBuilder("hq").time_zone("UTC").hours(std::chrono::Monday, "09:00", "17:00").build();
    CalendarSet set;
    set.add(CalendarBuilder("branch").base(base).holiday(parse_date("2026-03-02")).build());
    auto again = CalendarSet::from_json(set.to_json());
    REQUIRE(again.ids() == std::vector<std::string>{"branch", "hq"});
    CHECK(again.at("branch")->base()->id() == "hq");
    CHECK(again.at("branch")->hours_on(parse_date("2026-03-02")).empty());
    CHECK(again.at("branch")->hours_on(parse_date("2026-03-09")) ==
          base->hours_on(parse_date("2026-03-09")));
}

TEST_CASE("SlaPolicies::to_json reads back as the same policies") {
    auto calendars = CalendarSet::from_json(calendars_doc);
    auto policies = SlaPolicies::from_json(R"({"sla_policies": {
      "incident_sla": {
        "name": "Incident resolution", "type": "sla", "calendar": "de",
        "applies_when": {"kinds": ["incident"], "priorities": [1, 2, 3], "categories": ["network"],
                         "segments": ["it"], "custom": {"vip": [true], "site": ["north", 3]}},
        "pause_on": ["state_class:pending", "on_hold:awaiting_caller"],
        "warnings": [50, 75, 90], "on_reopen": "new_cycle",
        "metrics": {
          "response": {"targets": {"1": "PT15M", "2": "PT1H"}},
          "resolution": {"targets": {"1": "PT4H", "2": "PT8H", "3": "P2D"}},
          "first_fix": {"start_on": ["assigned"], "stop_on": ["state_class:resolved"],
                        "pause_on": [], "targets": {"1": "PT2H30M15S"}}}},
      "network_ola": {"type": "ola", "applies_when": {"categories": ["network"]},
                      "metrics": {"resolution": {"targets": {"1": "PT2H"}}}}}})",
                                           &calendars);
    std::string text = policies.to_json();
    auto again = SlaPolicies::from_json(text, &calendars);
    CHECK(again.to_json() == text);
    REQUIRE(again.all().size() == policies.all().size());
    for (std::size_t i = 0; i < policies.all().size(); ++i) {
        const SlaPolicy &p = policies.all()[i], &q = again.all()[i];
        CAPTURE(p.id);
        CHECK(p.id == q.id);
        CHECK(p.name == q.name);
        CHECK(p.type == q.type);
        CHECK(p.calendar == q.calendar);
        CHECK(p.pause_on == q.pause_on);
        CHECK(p.warnings == q.warnings);
        CHECK(p.on_reopen == q.on_reopen);
        CHECK(p.applies_when.kinds == q.applies_when.kinds);
        CHECK(p.applies_when.priorities == q.applies_when.priorities);
        CHECK(p.applies_when.categories == q.applies_when.categories);
        CHECK(p.applies_when.segments == q.applies_when.segments);
        CHECK(p.applies_when.custom == q.applies_when.custom);
        REQUIRE(p.metrics.size() == q.metrics.size());
        for (std::size_t m = 0; m < p.metrics.size(); ++m) {
            CHECK(p.metrics[m].id == q.metrics[m].id);
            CHECK(p.metrics[m].start_on == q.metrics[m].start_on);
            CHECK(p.metrics[m].stop_on == q.metrics[m].stop_on);
            CHECK(p.metrics[m].pause_on == q.metrics[m].pause_on);
            CHECK(p.metrics[m].targets == q.metrics[m].targets);
        }
    }
    CHECK(text.find("\"3\":\"PT48H\"") != std::string::npos);
    CHECK(text.find("\"PT2H30M15S\"") != std::string::npos);
    CHECK(SlaPolicies{}.to_json() == R"({"sla_policies":{}})");
}

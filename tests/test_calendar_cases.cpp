// Runs every case of tests/data/business_time_cases.json: cases read from the test suites of
// three business-time libraries (zendesk/biz, bokmann/business_time, Znuny). Each case's
// calendar is translated into our JSON configuration and the operation runs through the
// public Calendar API. Where a peer follows a rule that differs from ours, `ours` below
// holds our answer and the reason; every other case must give the peer's answer.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "itsm/calendar.hpp"
#include "itsm/error.hpp"

using namespace itsm;
using nlohmann::json;

namespace {

json load_cases() {
    std::ifstream in(ITSM_TEST_DATA_DIR "/business_time_cases.json");
    REQUIRE(in.good());
    std::stringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
}

// Peers' "floating" (zone-less) timestamps behave like UTC: no DST inside any case.
std::string zone_name(const std::string& tz) {
    return tz.rfind("floating", 0) == 0 ? "UTC" : tz;
}

json translate(const json& def, const std::string& case_zone) {
    json out = json::object();
    if (def.contains("base")) out["base"] = def["base"];
    if (def.contains("time_zone"))
        out["time_zone"] = zone_name(def["time_zone"].get<std::string>());
    else if (!def.contains("base"))
        out["time_zone"] = zone_name(case_zone);  // Znuny: the zone of the case's DateTime
    if (def.contains("weekly")) out["weekly"] = def["weekly"];
    json holidays = json::array();
    for (const auto& h : def.value("holidays", json::array()))
        holidays.push_back(h);
    for (const auto& h : def.value("recurring_holidays_mm_dd", json::array()))
        holidays.push_back({{"yearly", h}});
    if (!holidays.empty()) out["holidays"] = holidays;
    json dates = json::object();
    const json breaks = def.value("breaks", json::object());
    const json shifts = def.value("shifts", json::object());
    for (const auto& [d, ranges] : breaks.items())
        dates[d]["closed"] = ranges;
    for (const auto& [d, ranges] : shifts.items())
        dates[d]["hours"] = ranges;
    if (!dates.empty()) out["dates"] = dates;
    return out;
}

CalendarPtr calendar_for(const json& all, const json& c) {
    std::string id = c["calendar"];
    std::string zone = c["timestamps_tz"];
    json doc;
    for (std::string at = id;;) {
        json def = all.at(at);
        if (at == id && c.contains("calendar_overrides"))
            for (const auto& [k, v] : c["calendar_overrides"].items())
                def[k] = v;
        doc["calendars"][at] = translate(def, zone);
        if (!def.contains("base")) break;
        at = def["base"];
    }
    return CalendarSet::from_json(doc.dump()).at(id);
}

LocalTime local_of(const std::string& text) {
    // "YYYY-MM-DD HH:MM:SS", where "24:00:00" means the end of that day.
    Date d = parse_date(text.substr(0, 10));
    int h = std::stoi(text.substr(11, 2)), m = std::stoi(text.substr(14, 2)),
        s = std::stoi(text.substr(17, 2));
    return LocalTime{std::chrono::sys_days{d}.time_since_epoch()} + std::chrono::hours{h} +
           std::chrono::minutes{m} + std::chrono::seconds{s};
}

Instant instant_of(const std::string& text, const TimeZone& zone) {
    return zone.resolve(local_of(text));
}

std::string text_of(Instant t, const TimeZone& zone) {
    using namespace std::chrono;
    LocalTime l = zone.to_local(t);
    auto day = floor<days>(l);
    hh_mm_ss<Duration> hms{l - day};
    return fmt::format("{} {:02}:{:02}:{:02}", format_date(Date{sys_days{day.time_since_epoch()}}),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

// ISO-8601 durations as the peers write them: [-]P[nD][T[nH][nM][nS]]; a day is 24 hours of
// business time (Znuny's meaning).
Duration duration_of(std::string text) {
    bool negative = !text.empty() && text[0] == '-';
    auto d = parse_iso_duration(std::string_view(text).substr(negative ? 1 : 0));
    REQUIRE(d);
    return negative ? -*d : *d;
}

// Our answer where a peer's rule differs from ours, and why (docs/sla.md lists them too).
struct Ours {
    json expected;
    const char* difference;
};
const std::map<std::string, Ours>& ours() {
    static const std::map<std::string, Ours> m = {
        {"biz-periods-dst-empty-interval",
         {json{{"period", {"2006-04-02 03:00:00", "2006-04-02 03:15:00"}}},
          "working intervals hold every instant whose wall clock reads within them: on the "
          "spring-forward day Sun 02:30-03:15 is open from 03:00 (when the clock jumps) to "
          "03:15; biz resolves 02:30 to 03:30 first and drops the interval as empty"}},
        {"znuny-add-negative-rejected",
         {json{{"result", "2015-02-17 10:00:00"}},
          "a negative duration goes backwards; Znuny refuses it and leaves the time unchanged"}},
    };
    return m;
}

json run(const json& all, const json& c) {
    const std::string op = c["operation"];
    const json& in = c["input"];
    TimeZone zone = TimeZone::locate(zone_name(c["timestamps_tz"]));
    if (op == "resolve_local_time") {
        Instant t = zone.resolve(local_of(in["local"]));
        json out = {{"resolved_utc_derived", text_of(t, TimeZone::utc())}};
        out["resolved_local"] = text_of(t, zone);
        return out;
    }
    CalendarPtr cal = calendar_for(all, c);
    if (op == "add_duration")
        return {
            {"result",
             text_of(cal->add(instant_of(in["start"], zone), duration_of(in["duration"])), zone)}};
    if (op == "subtract_duration")
        return {{"result",
                 text_of(cal->subtract(instant_of(in["start"], zone), duration_of(in["duration"])),
                         zone)}};
    if (op == "add_business_days" || op == "subtract_business_days") {
        int n = in["business_days"];
        if (op == "subtract_business_days") n = -n;
        return {
            {"result", text_of(cal->add_business_days(instant_of(in["start"], zone), n), zone)}};
    }
    if (op == "business_time_between") {
        Duration d = cal->between(instant_of(in["start"], zone), instant_of(in["end"], zone));
        return {{"duration_seconds", std::chrono::duration_cast<std::chrono::seconds>(d).count()}};
    }
    if (op == "first_period_after" || op == "periods_after") {
        Instant origin = instant_of(in["origin"], zone);
        auto periods = cal->periods(origin, origin + std::chrono::hours(24 * 400));
        json list = json::array();
        std::size_t take = op == "periods_after" ? in["take"].get<std::size_t>() : 1;
        for (std::size_t i = 0; i < take && i < periods.size(); ++i)
            list.push_back({text_of(periods[i].start, zone), text_of(periods[i].end, zone)});
        if (op == "first_period_after") return {{"period", list.empty() ? json() : list[0]}};
        return {{"periods", list}};
    }
    FAIL("unknown operation ", op);
    return {};
}

// Checks the members of `expected` that our run can answer (descriptive members such as
// "rule" are skipped by name, never silently).
void compare(const json& expected, const json& got) {
    for (const auto& [key, value] : expected.items()) {
        if (key == "rule") {
            CHECK(value == "DST (first) occurrence");  // checked through resolved_utc_derived
            continue;
        }
        CAPTURE(key);
        REQUIRE(got.contains(key));
        CHECK(got[key] == value);
    }
}

}  // namespace

TEST_CASE("business-time cases from three peer libraries: all 93 run, differences named") {
    json data = load_cases();
    const json& cases = data["cases"];
    CHECK(cases.size() == 93);
    std::size_t ran = 0, differing = 0;
    for (const auto& c : cases) {
        std::string id = c["id"];
        CAPTURE(id);
        auto diff = ours().find(id);
        json got;
        try {
            got = run(data["calendars"], c);
        } catch (const Error& e) {
            FAIL_CHECK("threw: ", e.what());
            continue;
        }
        ++ran;
        if (diff != ours().end()) {
            ++differing;
            INFO("differs from the peer on purpose: ", diff->second.difference);
            compare(diff->second.expected, got);
            continue;
        }
        compare(c["expected"], got);
    }
    CHECK(ran == 93);
    CHECK(differing == ours().size());
}

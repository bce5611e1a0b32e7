// A simulation scenario: the organisation, its service desk and the demand on it, as data.
// Loaded from JSON (docs/simulation.md) and refused whole with the JSON path of the first
// error, e.g. `arrivals[2].rate_per_week: must be positive`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/calendar.hpp"
#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE
namespace sim {

// A positive random duration given by its median and 90th percentile (a log-normal), or a
// fixed value when both are equal.
struct DurationDist {
    Duration median{};
    Duration p90{};
};

// Relative weights of the days Monday..Sunday and of the hours 0..23 (local time of the
// scenario's time zone). Only the ratios matter.
struct Profile {
    std::array<double, 7> weekday{1, 1, 1, 1, 1, 1, 1};
    std::array<double, 24> hour{};  // all 1 unless given
    Profile() { hour.fill(1.0); }
};

struct Site {
    Symbol id;
    std::string name;
    int users = 0;  // people who raise tickets (requesters)
};

struct Category {
    Symbol id;
    std::string name;
    Symbol group;  // the group routing sends this category's tickets to
};

struct Group {
    Symbol id;
    std::string name;
    int tier = 1;
    Symbol escalates_to;  // the group escalated tickets go to; empty: none
    Symbol manager;       // a staff member (approves low-risk changes of the group)
};

// `count` > 1 makes `id_1` .. `id_<count>` with the same groups, skills and shift.
struct Agent {
    Symbol id;
    std::string name;
    int count = 1;
    std::vector<Symbol> groups;
    std::vector<Symbol> skills;  // categories handled; empty: every category of its groups
    std::string calendar;        // the shift: a calendar id of `calendars`
};

struct Arrival {
    Symbol kind;                     // incident, service_request or change
    Symbol category;                 // a category id
    Symbol model;                    // change only: normal (default), standard or emergency
    double rate_per_week = 0;        // Poisson arrivals at this mean rate...
    std::optional<Profile> profile;  // ...shaped by this profile (none: the scenario's)
    std::vector<Instant> at;         // or scripted arrivals at exactly these instants
};

// Handling time of one piece of work. Empty lists match anything; the first matching rule
// of Scenario::handling wins.
struct HandlingRule {
    std::vector<Symbol> kinds;
    std::vector<Symbol> categories;
    std::vector<int> priorities;
    std::vector<int> tiers;
    DurationDist time;
};

struct Chances {
    double escalation = 0;   // tier 1 work sent on to the group's escalates_to group
    double reopen = 0;       // a resolved incident reopened by its caller
    double hold = 0;         // work that waits on the caller once
    double rollback = 0;     // a change that fails and is rolled back (close_code unsuccessful)
    double with_issues = 0;  // a change that succeeds with issues
};

struct ProblemRule {
    int threshold = 0;      // incidents of one category within `window` raise a problem; 0: never
    Duration window{};      // e.g. 7 days
    DurationDist handling;  // the problem's analysis and fix, worked by a tier-2 group
};

struct ChangeTimes {
    DurationDist approval;   // each approver's time to decide
    DurationDist lead_time;  // from approval to the planned start
};

struct Scenario {
    std::string name;
    std::uint64_t seed = 1;
    Instant start{};  // the first instant simulated (midnight UTC of horizon.start)
    int weeks = 1;
    std::string time_zone = "UTC";  // for the arrival profiles
    std::string calendars_json;     // {"calendars": {...}} as given (CalendarSet::from_json)
    std::string sla_json;           // {"sla_policies": {...}} as given, or empty
    std::string metrics_calendar;   // business time for MTTR: a calendar id, or empty
    CalendarSet calendars;
    std::vector<Site> sites;
    std::vector<Group> groups;
    std::vector<Category> categories;
    std::vector<Agent> staff;
    std::vector<Symbol> cab;  // staff who sit on the Change Advisory Board
    std::vector<Arrival> arrivals;
    Profile profile;
    // Weights of the channels incidents and requests arrive by (default: portal and email
    // equally); a self_service share counts towards self-service adoption.
    std::vector<std::pair<Channel, double>> channels;
    std::array<double, 3> impact{1, 1, 1};   // weights of impact 1, 2, 3
    std::array<double, 3> urgency{1, 1, 1};  // weights of urgency 1, 2, 3
    std::vector<HandlingRule> handling;
    Chances chances;
    DurationDist caller_reply;  // how long the caller takes to answer while work is on hold
    DurationDist reopen_after;  // from resolution to the caller's reopening
    ProblemRule problems;
    ChangeTimes changes;

    Instant end() const { return start + std::chrono::hours(24 * 7 * weeks); }
    // The handling time rule for a piece of work, or null when none matches.
    const HandlingRule* handling_for(Symbol kind, Symbol category, int priority, int tier) const;

    // Throws Error(invalid_config) naming the JSON path of the first problem.
    static Scenario from_json(std::string_view text);
    // The built-in default: a mid-size organisation (docs/simulation.md).
    static Scenario default_scenario();
    static const char* default_json() noexcept;
};

// ISO-8601 durations as SLA targets write them: "PT4H", "P2DT30M", "P1W" (a day is 24
// hours). None when the text is not one. The same as itsm::parse_iso_duration (time.hpp).
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace sim
ITSM_END_NAMESPACE

// Service metrics: MTTR, first contact resolution, reopen rate, SLA compliance, change
// success, self-service adoption, backlog aging and weekly throughput over a period, plus a
// scorecard of configurable targets. Policy only: every figure is computed by replaying
// each ticket's events, so any past period can be reported; nothing here stores, reads a
// clock or checks access (Engine::metrics does that). docs/metrics.md defines each figure.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/calendar.hpp"
#include "itsm/event.hpp"
#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

class Taxonomy;
class Workflows;

// What to report on. Filters combine with AND, the values of one filter with OR, and an
// empty filter allows anything. Filters look at each ticket as it stood at the end of the
// period (`to`), replayed from its events, so later changes never rewrite a past report.
struct MetricsQuery {
    Instant from{};  // inclusive
    Instant to{};    // exclusive; must be after `from`
    std::vector<Symbol> kinds;
    std::vector<Symbol> segments;
    std::vector<Symbol> categories;  // roots of subtrees: "hardware" holds "hardware.printer"
    std::vector<Symbol> groups;      // assignment groups; an empty symbol: unassigned
    std::vector<int> priorities;
    // Business time for MTTR: working time of this calendar between creation and resolution.
    // Null: business figures are not reported (absent in JSON).
    CalendarPtr calendar;
    // The kinds whose resolutions count for MTTR, first contact resolution, reopen rate and
    // self-service adoption (user-facing service work), and the kinds whose closures count
    // for change success.
    std::vector<Symbol> service_kinds{Symbol("incident"), Symbol("service_request")};
    std::vector<Symbol> change_kinds{Symbol("change")};
    // A ticket resolved with a knowledge article carries a value in this custom field when
    // it is resolved (self-service adoption).
    Symbol knowledge_field{"knowledge_article"};

    // Throws Error(invalid_argument) naming the member ("to", "priorities[1]").
    void validate() const;
};

// Parses a query: {"from": "...Z", "to": "...Z", "kinds": [...], "segments": [...],
// "categories": [...], "groups": [...], "priorities": [1, 2], "service_kinds": [...],
// "change_kinds": [...], "knowledge_field": "...", "calendar": {<a calendar as in
// docs/sla.md, plus "id">}}. Errors are Errc::invalid_argument naming the JSON path.
MetricsQuery metrics_query_from_json(std::string_view text);

// Mean and median time to resolve over `count` resolutions. Absent when count is 0; the
// business figures are absent when the query has no calendar.
struct DurationStats {
    std::size_t count = 0;
    std::optional<Duration> mean_wall, median_wall;
    std::optional<Duration> mean_business, median_business;
};

// A share: numerator / denominator; `rate` is absent when the denominator is 0.
struct Rate {
    std::size_t numerator = 0;
    std::size_t denominator = 0;
    std::optional<double> rate() const noexcept {
        if (denominator == 0) return std::nullopt;
        return static_cast<double>(numerator) / static_cast<double>(denominator);
    }
};

// Clocks of one SLA metric (e.g. "resolution") that stopped in the period.
struct SlaCompliance {
    std::size_t met = 0;
    std::size_t breached = 0;
    std::optional<double> rate() const noexcept {
        std::size_t n = met + breached;
        if (n == 0) return std::nullopt;
        return static_cast<double>(met) / static_cast<double>(n);
    }
};

struct ChangeOutcomes {
    std::size_t successful = 0;
    std::size_t successful_with_issues = 0;
    std::size_t unsuccessful = 0;
    std::size_t total() const noexcept {
        return successful + successful_with_issues + unsuccessful;
    }
    // Successful, with or without issues, among the three outcomes.
    std::optional<double> success_rate() const noexcept {
        if (total() == 0) return std::nullopt;
        return static_cast<double>(successful + successful_with_issues) /
               static_cast<double>(total());
    }
};

// Open tickets at the end of the period by age (since creation): under 1 day, 1-3 days,
// 3-7 days, 7-30 days, 30 days and more. Each bucket holds its lower bound.
inline constexpr std::array<std::string_view, 5> backlog_bucket_names{"lt_1d", "1d_3d", "3d_7d",
                                                                      "7d_30d", "ge_30d"};
struct Backlog {
    std::size_t total = 0;
    std::array<std::size_t, 5> buckets{};
    std::map<int, std::size_t> by_priority;
    // The bucket of an age (0 to 4).
    static std::size_t bucket_of(Duration age) noexcept;
};

// Created and resolved tickets in one ISO week (Monday 00:00 UTC), clipped to the period.
struct WeekCount {
    std::string week;  // "2026-W47"
    Instant start{};   // the Monday, 00:00 UTC
    std::size_t created = 0;
    std::size_t resolved = 0;
};

// One scorecard line: the value, the target and whether it is met (absent: no data).
struct ScoreLine {
    std::string metric;  // "mttr.tier_1", "first_contact_resolution", ...
    std::optional<double> value;
    std::string unit;  // "hours", "business_hours" (MTTR) or "ratio"
    std::optional<double> min;
    std::optional<double> max;
    std::optional<bool> met;  // min <= value <= max (each bound when given)
};

// Targets a desk steers by. An MTTR tier groups priorities and has an upper bound in hours;
// rate targets are ratios in [0, 1]. The defaults are the issue's: MTTR under 4 hours for
// tier 1 (priorities 1-2) and under 24 hours for tier 2 (priorities 3-5); first contact
// resolution 0.65-0.80; reopen rate under 0.05; SLA compliance over 0.90; change success
// over 0.95; self-service adoption 0.30-0.50.
struct Scorecard {
    struct Tier {
        std::string id;  // "tier_1"
        std::vector<int> priorities;
        double max_hours = 0;
    };
    struct Range {
        std::optional<double> min;
        std::optional<double> max;
    };
    std::vector<Tier> mttr{{"tier_1", {1, 2}, 4.0}, {"tier_2", {3, 4, 5}, 24.0}};
    // MTTR is compared in business time when the query has a calendar and this is true.
    bool mttr_business_time = true;
    Range first_contact_resolution{0.65, 0.80};
    Range reopen_rate{std::nullopt, 0.05};
    Range sla_compliance{0.90, std::nullopt};
    Range change_success{0.95, std::nullopt};
    Range self_service{0.30, 0.50};

    // {"scorecard": {"mttr": [{"tier": "tier_1", "priorities": [1, 2], "max_hours": 4}],
    //  "mttr_business_time": true, "first_contact_resolution": {"min": 0.65, "max": 0.8},
    //  "reopen_rate": {"max": 0.05}, "sla_compliance": {"min": 0.9},
    //  "change_success": {"min": 0.95}, "self_service": {"min": 0.3, "max": 0.5}}}
    // Members left out keep their defaults. Refused whole with Errc::invalid_config naming
    // the JSON path (`scorecard.mttr[1].max_hours: expected a positive number`).
    static Scorecard from_json(std::string_view text);
    // Throws Error(invalid_config) naming the path as from_json would.
    void validate() const;
};
std::string to_json(const Scorecard& s);

struct MetricsReport {
    Instant from{}, to{};
    std::size_t tickets = 0;   // tickets in scope (created before `to`, matching the filters)
    std::size_t created = 0;   // of them, created in the period
    std::size_t resolved = 0;  // of them, resolved in the period (any kind)

    // Service kinds resolved in the period: time to resolve, overall and broken down.
    DurationStats mttr;
    std::map<int, DurationStats> mttr_by_priority;
    std::map<std::string, DurationStats> mttr_by_category;  // "" for no category

    Rate first_contact_resolution;
    Rate reopen_rate;
    Rate self_service;

    // SLA clocks stopped in the period: all metrics, per metric id, per metric and priority.
    SlaCompliance sla;
    std::map<std::string, SlaCompliance> sla_by_metric;
    std::map<std::string, std::map<int, SlaCompliance>> sla_by_metric_priority;

    ChangeOutcomes changes;
    Backlog backlog;  // at `to`
    std::vector<WeekCount> weekly;

    std::vector<ScoreLine> scorecard;
};
std::string to_json(const MetricsReport& r);

// What the replay needs beyond the events: the workflows classify states (resolved, closed,
// open...); without them, the resolved and closed stamps decide. The taxonomy decides
// category subtrees; without it, dotted ids do ("hardware" holds "hardware.printer").
struct MetricsContext {
    const Workflows* workflows = nullptr;
    const Taxonomy* taxonomy = nullptr;
    const Scorecard* scorecard = nullptr;  // null: the defaults
};

// One ticket as the metrics see it: its current record and its events in seq order (the
// `created` event first). Values before the first change are recovered by undoing the
// recorded changes from the current record, so events alone after `created` suffice.
struct TicketHistory {
    Ticket ticket;
    std::vector<Event> events;
};

// Builds a report one ticket at a time, so that a large desk never needs all histories in
// memory at once. Not thread-safe; cheap to create.
class MetricsAccumulator {
  public:
    MetricsAccumulator(MetricsQuery query, MetricsContext context);
    ~MetricsAccumulator();
    MetricsAccumulator(MetricsAccumulator&&) noexcept;
    MetricsAccumulator& operator=(MetricsAccumulator&&) noexcept;

    // Adds one ticket: its current record and all of its events in seq order (events of
    // other tickets are ignored). Work notes and comments may be left out.
    void add(const Ticket& current, std::span<const Event> events);
    MetricsReport finish() const;

    struct State;

  private:
    std::unique_ptr<State> state_;
};

// The report over the given tickets (the query is validated first).
MetricsReport compute_metrics(const std::vector<TicketHistory>& tickets, const MetricsQuery& q,
                              const MetricsContext& context = {});
// The scorecard lines of a report (MetricsAccumulator::finish fills them already).
std::vector<ScoreLine> score(const MetricsReport& r, const Scorecard& s, bool business_time);

// The ISO week label of an instant (UTC): "2026-W01".
std::string iso_week(Instant t);

ITSM_END_NAMESPACE

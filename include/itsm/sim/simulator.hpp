// The simulator: a scenario's service desk run on the real Engine over a ManualClock, and
// the report of the run (JSON, HTML with SVG charts, a text scorecard). docs/simulation.md.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "itsm/engine.hpp"
#include "itsm/metrics.hpp"
#include "itsm/sim/scenario.hpp"

ITSM_BEGIN_NAMESPACE
namespace sim {

// Ticket kinds the report counts, in this order.
inline constexpr std::array<const char*, 4> report_kinds = {"incident", "service_request",
                                                            "problem", "change"};

struct WeekStats {
    Instant start{};
    std::array<std::uint32_t, 4> created{};  // per report_kinds
    std::uint32_t resolved = 0;              // incidents and requests resolved in the week
    std::uint32_t backlog = 0;               // open incidents and requests at the week's end
};

struct SlaStats {
    int priority = 0;
    std::uint32_t met = 0, breached = 0;  // resolution clocks stopped in the horizon
};

struct CategoryStats {
    Symbol category;
    std::uint32_t resolved = 0;  // incidents resolved (final resolution)
    double mean_hours = 0, median_hours = 0;
};

struct Totals {
    std::array<std::uint32_t, 4> created{};  // per report_kinds
    std::uint32_t resolved = 0;              // incidents and requests resolved at the end
    std::uint32_t escalated = 0, held = 0, reopened = 0;
    std::uint32_t approvals = 0;  // approval decisions taken
    std::uint32_t changes_successful = 0, changes_with_issues = 0, changes_unsuccessful = 0;
    std::uint32_t problems_resolved = 0;
    std::uint32_t open_at_end = 0;  // incidents and requests not resolved at the horizon
    std::uint64_t events = 0;       // events the engine recorded
};

struct Report {
    std::string scenario;
    std::string time_zone;  // the horizon's; dates in the text and HTML are local to it
    std::uint64_t seed = 0;
    Instant start{}, end{};
    std::uint32_t agents = 0, users = 0;
    Totals totals;
    std::vector<WeekStats> weeks;
    std::vector<SlaStats> sla;  // priorities 1..5 with any clock
    std::vector<CategoryStats> mttr;
    // The engine's metrics over the horizon (Engine::metrics), with the scorecard's lines.
    MetricsReport metrics;
};

struct RunOptions {
    std::optional<std::uint64_t> seed;  // replaces the scenario's seed
    // Called now and then with the share of the horizon simulated (0..1).
    std::function<void(double)> progress;
};

class Simulation {
  public:
    explicit Simulation(Scenario scenario, RunOptions options = {});
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    // Runs the whole horizon (once) and returns the report.
    Report run();
    // The engine the run drives (for inspection after run()).
    Engine& engine();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

inline Report simulate(Scenario scenario, RunOptions options = {}) {
    return Simulation(std::move(scenario), std::move(options)).run();
}

// Hands the scenario's calendars and SLA policies to the engine, whose clocks then run on
// every simulated ticket; the report's SLA figures come from their `stopped` events.
void apply_sla(Engine& engine, const Scenario& scenario);

std::string to_json(const Report& report);
std::string to_html(const Report& report);
// The scorecard and the main counts as aligned text, for a terminal.
std::string to_text(const Report& report);

}  // namespace sim
ITSM_END_NAMESPACE

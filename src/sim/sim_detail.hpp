// Internal: how the simulator sets up the desk it drives (directory, access, taxonomy,
// routing, workflows) and asks the engine for the metrics of a run.
#pragma once

#include <cstdint>
#include <string>

#include "itsm/engine.hpp"
#include "itsm/metrics.hpp"
#include "itsm/sim/scenario.hpp"

ITSM_BEGIN_NAMESPACE
namespace sim::internal {

// Every simulated ticket lives in this segment.
inline const Symbol segment{"it"};

// The directory id of staff member `k` (1-based) of an entry: its id, or `<id>_<k>` when
// the entry has a count above one.
std::string staff_id(const Agent& agent, int k);
// The directory id of requester `n` (1-based) of a site: `u<n>@<site>`.
std::string requester_id(Symbol site, std::uint64_t n);

// Directory, access policy, taxonomy, routing and the ITIL workflows for the scenario.
void configure_desk(Engine& engine, const Scenario& scenario);

// Engine::metrics over the horizon, as the system, with the scenario's metrics calendar.
MetricsReport metrics(const Engine& engine, const Scenario& scenario);

}  // namespace sim::internal
ITSM_END_NAMESPACE

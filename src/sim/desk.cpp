// The desk a scenario describes, configured on the engine through its public API, and the
// engine's metrics of a run.
#include <fmt/format.h>

#include "itsm/access.hpp"
#include "itsm/directory.hpp"
#include "itsm/routing.hpp"
#include "itsm/sim/simulator.hpp"
#include "itsm/sla.hpp"
#include "itsm/taxonomy.hpp"
#include "itsm/workflow.hpp"
#include "sim_detail.hpp"

ITSM_BEGIN_NAMESPACE
namespace sim {

namespace internal {

std::string staff_id(const Agent& agent, int k) {
    return agent.count == 1 ? agent.id.str() : fmt::format("{}_{}", agent.id.view(), k);
}

std::string requester_id(Symbol site, std::uint64_t n) {
    return fmt::format("u{}@{}", n, site.view());
}

namespace {

Symbol site_group(const Site& site) {
    return Symbol(fmt::format("site_{}", site.id.view()));
}

Directory directory_of(const Scenario& sc) {
    Directory d;
    std::vector<std::vector<Symbol>> members(sc.groups.size());
    for (const auto& a : sc.staff)
        for (int k = 1; k <= a.count; ++k) {
            Symbol id(staff_id(a, k));
            d.add_user({id, a.count == 1 ? a.name : fmt::format("{} {}", a.name, k), true});
            for (auto g : a.groups)
                for (std::size_t i = 0; i < sc.groups.size(); ++i)
                    if (sc.groups[i].id == g) members[i].push_back(id);
        }
    for (std::size_t i = 0; i < sc.groups.size(); ++i)
        d.add_group({sc.groups[i].id, sc.groups[i].name, sc.groups[i].manager, members[i]});
    if (!sc.cab.empty()) d.add_group({"cab", "Change Advisory Board", {}, sc.cab});
    for (const auto& site : sc.sites) {
        std::vector<Symbol> people;
        for (int n = 1; n <= site.users; ++n) {
            Symbol id(requester_id(site.id, static_cast<std::uint64_t>(n)));
            d.add_user({id, id.str(), true});
            people.push_back(id);
        }
        d.add_group({site_group(site), site.name, {}, std::move(people)});
    }
    return d;
}

// Staff work the desk's segment, the CAB approves changes, everybody at a site may raise
// tickets (and reads their own as the requester).
AccessPolicy access_of(const Scenario& sc) {
    AccessPolicy p;
    p.add_segment({segment, {}, false, "IT"});
    p.add_preset_role("requester").add_preset_role("service_desk_agent");
    for (const auto& g : sc.groups)
        p.add_grant({{}, g.id, "service_desk_agent", segment, true, {}});
    if (!sc.cab.empty())
        p.add_preset_role("cab_member").add_grant({{}, "cab", "cab_member", segment, true, {}});
    for (const auto& site : sc.sites)
        p.add_grant({{}, site_group(site), "requester", segment, true, {}});
    return p;
}

// A flat taxonomy, and one routing rule per category sending its incidents, requests and
// changes to the category's group (problems and tasks keep the group they are given).
void taxonomy_and_routing(Engine& engine, const Scenario& sc) {
    Taxonomy tax;
    RoutingRules rules;
    for (const auto& c : sc.categories) {
        CategoryDef def;
        def.id = c.id;
        def.name = c.name;
        tax.add(std::move(def));
        RoutingRule r;
        r.id = Symbol(fmt::format("route_{}", c.id.view()));
        r.name = fmt::format("{} to {}", c.name, c.group.view());
        r.when.kinds = {"incident", "service_request", "change"};
        r.when.categories = {c.id};
        r.then.assignment_group = c.group;
        rules.add(std::move(r));
    }
    engine.set_taxonomy(Actor::system(), std::move(tax));
    engine.set_routing(Actor::system(), std::move(rules));
}

}  // namespace

void configure_desk(Engine& engine, const Scenario& sc) {
    engine.set_directory(Actor::system(), directory_of(sc));
    engine.set_access(Actor::system(), access_of(sc));
    engine.set_workflows(Actor::system(), Workflows::itil());
    taxonomy_and_routing(engine, sc);
}

MetricsReport metrics(const Engine& engine, const Scenario& sc) {
    MetricsQuery q;
    q.from = sc.start;
    q.to = sc.end();
    if (!sc.metrics_calendar.empty()) q.calendar = sc.calendars.at(sc.metrics_calendar);
    return engine.metrics(Actor::system(), q);
}

}  // namespace internal

void apply_sla(Engine& engine, const Scenario& scenario) {
    // The policies were checked against the calendars when the scenario loaded.
    engine.set_calendars(Actor::system(), scenario.calendars);
    if (!scenario.sla_json.empty())
        engine.set_sla_policies(Actor::system(),
                                SlaPolicies::from_json(scenario.sla_json, &scenario.calendars));
}

}  // namespace sim
ITSM_END_NAMESPACE

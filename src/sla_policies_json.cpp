// SlaPolicies back to the JSON document SlaPolicies::from_json reads (sla.cpp), so that a host
// can read the policies in force through the C ABI and set them again unchanged.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "itsm/sla.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using json = nlohmann::json;

// An ISO-8601 duration of whole seconds: "PT4H", "PT2H30M", "PT45S"; a part of a second is
// rounded up, so a target never comes back shorter than it was.
std::string iso_duration(Duration d) {
    std::int64_t s = (d.count() + 999'999) / 1'000'000;
    std::string out = "PT";
    if (s >= 3600) out += fmt::format("{}H", s / 3600);
    if (s % 3600 >= 60) out += fmt::format("{}M", s % 3600 / 60);
    if (s % 60 != 0 || s == 0) out += fmt::format("{}S", s % 60);
    return out;
}

json triggers_json(const std::vector<SlaTrigger>& list) {
    auto out = json::array();
    for (const auto& t : list)
        out.push_back(t.to_string());
    return out;
}

json symbols_json(const std::vector<Symbol>& list) {
    auto out = json::array();
    for (Symbol s : list)
        out.push_back(std::string(s.view()));
    return out;
}

json value_json(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* b = std::get_if<bool>(&v)) return *b;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
    return nullptr;  // from_json accepts only the three above
}

json applies_json(const AppliesWhen& a) {
    auto j = json::object();
    if (!a.kinds.empty()) j["kinds"] = symbols_json(a.kinds);
    if (!a.priorities.empty()) j["priorities"] = a.priorities;
    if (!a.categories.empty()) j["categories"] = symbols_json(a.categories);
    if (!a.segments.empty()) j["segments"] = symbols_json(a.segments);
    if (!a.custom.empty()) {
        auto custom = json::object();
        for (const auto& [field, values] : a.custom) {
            auto list = json::array();
            for (const auto& v : values)
                list.push_back(value_json(v));
            custom[std::string(field.view())] = std::move(list);
        }
        j["custom"] = std::move(custom);
    }
    return j;
}

json metric_json(const MetricDef& m) {
    json j = {{"start_on", triggers_json(m.start_on)}, {"stop_on", triggers_json(m.stop_on)}};
    if (m.pause_on) j["pause_on"] = triggers_json(*m.pause_on);
    auto targets = json::object();
    for (const auto& [priority, target] : m.targets)
        targets[std::to_string(priority)] = iso_duration(target);
    j["targets"] = std::move(targets);
    return j;
}

json policy_json(const SlaPolicy& p) {
    json j = {{"type", std::string(to_string(p.type))},
              {"applies_when", applies_json(p.applies_when)},
              {"pause_on", triggers_json(p.pause_on)},
              {"warnings", p.warnings},
              {"on_reopen", p.on_reopen == SlaPolicy::OnReopen::resume ? "resume" : "new_cycle"}};
    if (!p.name.empty()) j["name"] = p.name;
    if (!p.calendar.empty()) j["calendar"] = p.calendar;
    auto metrics = json::object();
    for (const auto& m : p.metrics)
        metrics[std::string(m.id.view())] = metric_json(m);
    j["metrics"] = std::move(metrics);
    return j;
}

}  // namespace

std::string SlaPolicies::to_json() const {
    auto all = json::object();
    for (const auto& p : policies_)
        all[std::string(p.id.view())] = policy_json(p);
    return json{{"sla_policies", std::move(all)}}.dump();
}

ITSM_END_NAMESPACE

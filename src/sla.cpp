// SLA policies: matching, validation, JSON loading; and the arithmetic of one clock.
#include "itsm/sla.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "itsm/error.hpp"
#include "itsm/workflow.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

// ---- Names -------------------------------------------------------------------------------

std::string_view to_string(AgreementType t) noexcept {
    switch (t) {
        case AgreementType::sla:
            return "sla";
        case AgreementType::ola:
            return "ola";
        case AgreementType::underpinning_contract:
            return "underpinning_contract";
    }
    return "unknown";
}

std::optional<AgreementType> agreement_type_from_string(std::string_view s) noexcept {
    for (auto t : {AgreementType::sla, AgreementType::ola, AgreementType::underpinning_contract})
        if (to_string(t) == s) return t;
    return std::nullopt;
}

std::string_view to_string(ClockState s) noexcept {
    switch (s) {
        case ClockState::running:
            return "running";
        case ClockState::paused:
            return "paused";
        case ClockState::met:
            return "met";
        case ClockState::breached:
            return "breached";
        case ClockState::canceled:
            return "canceled";
    }
    return "unknown";
}

std::string SlaTrigger::to_string() const {
    switch (kind) {
        case Kind::created:
            return "created";
        case Kind::assigned:
            return "assigned";
        case Kind::public_reply:
            return "public_reply";
        case Kind::state_class:
            return "state_class:" + value.str();
        case Kind::on_hold:
            return "on_hold:" + value.str();
    }
    return "unknown";
}

namespace {

bool is_identifier(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

}  // namespace

std::optional<SlaTrigger> SlaTrigger::parse(std::string_view text) {
    if (text == "created") return SlaTrigger{Kind::created, {}};
    if (text == "assigned") return SlaTrigger{Kind::assigned, {}};
    if (text == "public_reply") return SlaTrigger{Kind::public_reply, {}};
    for (auto [prefix, kind] : {std::pair{std::string_view("state_class:"), Kind::state_class},
                                std::pair{std::string_view("on_hold:"), Kind::on_hold}}) {
        if (text.substr(0, prefix.size()) != prefix) continue;
        auto rest = text.substr(prefix.size());
        if (!is_identifier(rest)) return std::nullopt;
        // A state class must be one the workflows know.
        if (kind == Kind::state_class && !state_class_from_string(rest)) return std::nullopt;
        return SlaTrigger{kind, Symbol(rest)};
    }
    return std::nullopt;
}

// ---- Matching ----------------------------------------------------------------------------

SlaFacts SlaFacts::of(const Ticket& t) {
    SlaFacts f;
    f.kind = t.kind;
    f.priority = t.priority;
    if (!t.category.empty()) f.categories.push_back(t.category);
    f.segment = t.segment;
    f.custom.assign(t.custom.begin(), t.custom.end());
    return f;
}

bool AppliesWhen::matches(const SlaFacts& f) const {
    auto allows = [](const auto& list, const auto& v) {
        return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
    };
    if (!allows(kinds, f.kind) || !allows(priorities, f.priority) || !allows(segments, f.segment))
        return false;
    if (!categories.empty() && std::none_of(f.categories.begin(), f.categories.end(),
                                            [&](Symbol c) { return allows(categories, c); }))
        return false;
    for (const auto& [field, values] : custom) {
        auto it = std::find_if(f.custom.begin(), f.custom.end(),
                               [&](const CustomField& c) { return c.name == field; });
        if (it == f.custom.end() || !allows(values, it->value)) return false;
    }
    return true;
}

std::optional<Duration> MetricDef::target_for(int priority) const {
    auto it = targets.find(priority);
    if (it == targets.end()) return std::nullopt;
    return it->second;
}

MetricDef MetricDef::response() {
    MetricDef m;
    m.id = "response";
    m.start_on = {{SlaTrigger::Kind::created, {}}};
    m.stop_on = {{SlaTrigger::Kind::assigned, {}}, {SlaTrigger::Kind::public_reply, {}}};
    return m;
}

MetricDef MetricDef::resolution() {
    MetricDef m;
    m.id = "resolution";
    m.start_on = {{SlaTrigger::Kind::created, {}}};
    m.stop_on = {{SlaTrigger::Kind::state_class, "resolved"}};
    return m;
}

const MetricDef* SlaPolicy::metric(Symbol id) const noexcept {
    for (const auto& m : metrics)
        if (m.id == id) return &m;
    return nullptr;
}

// ---- Validation --------------------------------------------------------------------------

namespace {

[[noreturn]] void config_error(const std::string& where, std::string_view message) {
    throw Error(Errc::invalid_config, where, message);
}

void check_metric(const MetricDef& m, const std::string& where) {
    if (!is_identifier(m.id.view()))
        config_error(where,
                     fmt::format("\"{}\" is not a valid metric id (a-z, 0-9, _)", m.id.view()));
    if (m.start_on.empty()) config_error(where + ".start_on", "a metric needs a start");
    if (m.stop_on.empty()) config_error(where + ".stop_on", "a metric needs a stop");
    if (m.targets.empty()) config_error(where + ".targets", "a metric needs at least one target");
    for (const auto& [priority, target] : m.targets) {
        std::string p = fmt::format("{}.targets.{}", where, priority);
        if (priority < 1 || priority > 9) config_error(p, "a priority is 1 to 9");
        if (target <= Duration{0}) config_error(p, "a target must be longer than zero");
    }
}

}  // namespace

SlaPolicies& SlaPolicies::add(SlaPolicy p, const CalendarSet* calendars) {
    const std::string where = fmt::format("sla_policies.{}", p.id.view());
    if (!is_identifier(p.id.view()))
        config_error("sla_policies",
                     fmt::format("\"{}\" is not a valid policy id (a-z, 0-9, _)", p.id.view()));
    if (find(p.id)) config_error(where, "duplicate policy id");
    if (calendars && !p.calendar.empty() && !calendars->find(p.calendar))
        config_error(where + ".calendar", fmt::format("unknown calendar \"{}\"", p.calendar));
    if (p.metrics.empty()) config_error(where + ".metrics", "a policy needs at least one metric");
    std::set<std::string_view> ids;
    for (const auto& m : p.metrics) {
        std::string mw = fmt::format("{}.metrics.{}", where, m.id.view());
        check_metric(m, mw);
        if (!ids.insert(m.id.view()).second) config_error(mw, "duplicate metric id");
    }
    for (std::size_t i = 0; i < p.warnings.size(); ++i) {
        std::string w = fmt::format("{}.warnings[{}]", where, i);
        if (p.warnings[i] < 1 || p.warnings[i] > 99)
            config_error(w, "a warning threshold is a percentage from 1 to 99");
        if (i > 0 && p.warnings[i] <= p.warnings[i - 1]) config_error(w, "thresholds must ascend");
    }
    for (int pr : p.applies_when.priorities)
        if (pr < 1 || pr > 9)
            config_error(where + ".applies_when.priorities", "a priority is 1 to 9");
    if (p.name.empty()) p.name = p.id.str();
    policies_.push_back(std::move(p));
    return *this;
}

const SlaPolicy* SlaPolicies::find(Symbol id) const noexcept {
    for (const auto& p : policies_)
        if (p.id == id) return &p;
    return nullptr;
}

std::vector<const SlaPolicy*> SlaPolicies::matching(const SlaFacts& facts) const {
    std::vector<const SlaPolicy*> out;
    for (const auto& p : policies_)
        if (p.applies_when.matches(facts)) out.push_back(&p);
    return out;
}

// ---- JSON --------------------------------------------------------------------------------

namespace {

using detail::json;
using detail::JsonReader;

class PolicyLoader {
  public:
    explicit PolicyLoader(const JsonReader& r) : r_(r) {}

    std::vector<SlaTrigger> triggers(const json& j, const std::string& path) {
        std::vector<SlaTrigger> out;
        const auto& list = r_.array(j, path);
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string p = JsonReader::index(path, i);
            std::string text = r_.string(list[i], p);
            auto t = SlaTrigger::parse(text);
            if (!t)
                r_.fail(p, fmt::format("unknown trigger \"{}\" (created, assigned, public_reply, "
                                       "state_class:<new|active|pending|resolved|closed|"
                                       "canceled>, on_hold:<reason>)",
                                       text));
            out.push_back(*t);
        }
        return out;
    }

    MetricDef metric(const std::string& id, const json& j, const std::string& path) {
        r_.object(j, path);
        r_.only(j, path, {"start_on", "stop_on", "pause_on", "targets"});
        MetricDef m = id == "response"     ? MetricDef::response()
                      : id == "resolution" ? MetricDef::resolution()
                                           : MetricDef{};
        m.id = Symbol(id);
        if (j.contains("start_on")) m.start_on = triggers(j["start_on"], path + ".start_on");
        if (j.contains("stop_on")) m.stop_on = triggers(j["stop_on"], path + ".stop_on");
        if (j.contains("pause_on")) m.pause_on = triggers(j["pause_on"], path + ".pause_on");
        if (!j.contains("targets")) r_.fail(path + ".targets", "missing");
        const auto& targets = r_.object(j["targets"], path + ".targets");
        for (auto it = targets.begin(); it != targets.end(); ++it) {
            std::string p = JsonReader::child(path + ".targets", it.key());
            const std::string& k = it.key();
            if (k.size() != 1 || k[0] < '1' || k[0] > '9') r_.fail(p, "a priority is 1 to 9");
            std::string text = r_.string(it.value(), p);
            auto d = parse_iso_duration(text);  // a day is 24 hours of business time
            if (!d)
                r_.fail(p,
                        fmt::format("\"{}\" is not an ISO-8601 duration such as \"PT4H\"", text));
            m.targets[k[0] - '0'] = *d;
        }
        return m;
    }

    AppliesWhen applies(const json& j, const std::string& path) {
        r_.object(j, path);
        r_.only(j, path, {"kinds", "priorities", "categories", "segments", "custom"});
        AppliesWhen a;
        auto symbols = [&](const char* key, std::vector<Symbol>& out) {
            if (!j.contains(key)) return;
            std::string p = JsonReader::child(path, key);
            const auto& list = r_.array(j[key], p);
            for (std::size_t i = 0; i < list.size(); ++i)
                out.emplace_back(r_.string(list[i], JsonReader::index(p, i)));
        };
        symbols("kinds", a.kinds);
        symbols("categories", a.categories);
        symbols("segments", a.segments);
        if (j.contains("priorities")) {
            const auto& list = r_.array(j["priorities"], path + ".priorities");
            for (std::size_t i = 0; i < list.size(); ++i) {
                std::string p = JsonReader::index(path + ".priorities", i);
                auto v = r_.integer(list[i], p);
                if (v < 1 || v > 9) r_.fail(p, "a priority is 1 to 9");
                a.priorities.push_back(int(v));
            }
        }
        if (j.contains("custom")) {
            const auto& obj = r_.object(j["custom"], path + ".custom");
            for (auto it = obj.begin(); it != obj.end(); ++it) {
                std::string p = JsonReader::child(path + ".custom", it.key());
                const auto& list = r_.array(it.value(), p);
                std::vector<Value> values;
                for (std::size_t i = 0; i < list.size(); ++i) {
                    const json& v = list[i];
                    if (v.is_string())
                        values.emplace_back(v.get<std::string>());
                    else if (v.is_boolean())
                        values.emplace_back(v.get<bool>());
                    else if (v.is_number_integer())
                        values.emplace_back(v.get<std::int64_t>());
                    else
                        r_.fail(JsonReader::index(p, i), "expected a string, integer or boolean");
                }
                a.custom.emplace_back(Symbol(it.key()), std::move(values));
            }
        }
        return a;
    }

    SlaPolicy policy(const std::string& id, const json& j, const std::string& path) {
        r_.object(j, path);
        r_.only(j, path,
                {"name", "type", "calendar", "applies_when", "metrics", "pause_on", "warnings",
                 "on_reopen"});
        SlaPolicy p;
        p.id = Symbol(id);
        if (j.contains("name")) p.name = r_.string(j["name"], path + ".name");
        if (j.contains("type")) {
            std::string t = r_.string(j["type"], path + ".type");
            auto type = agreement_type_from_string(t);
            if (!type)
                r_.fail(path + ".type",
                        fmt::format("unknown type \"{}\" (sla, ola, underpinning_contract)", t));
            p.type = *type;
        }
        if (j.contains("calendar")) p.calendar = r_.string(j["calendar"], path + ".calendar");
        if (j.contains("applies_when"))
            p.applies_when = applies(j["applies_when"], path + ".applies_when");
        if (j.contains("pause_on")) p.pause_on = triggers(j["pause_on"], path + ".pause_on");
        if (j.contains("warnings")) {
            const auto& list = r_.array(j["warnings"], path + ".warnings");
            p.warnings.clear();
            for (std::size_t i = 0; i < list.size(); ++i)
                p.warnings.push_back(
                    int(r_.integer(list[i], JsonReader::index(path + ".warnings", i))));
        }
        if (j.contains("on_reopen")) {
            std::string o = r_.string(j["on_reopen"], path + ".on_reopen");
            if (o == "resume")
                p.on_reopen = SlaPolicy::OnReopen::resume;
            else if (o == "new_cycle")
                p.on_reopen = SlaPolicy::OnReopen::new_cycle;
            else
                r_.fail(path + ".on_reopen",
                        fmt::format("\"{}\" is neither \"resume\" nor \"new_cycle\"", o));
        }
        if (!j.contains("metrics")) r_.fail(path + ".metrics", "missing");
        const auto& metrics = r_.object(j["metrics"], path + ".metrics");
        for (auto it = metrics.begin(); it != metrics.end(); ++it)
            p.metrics.push_back(
                metric(it.key(), it.value(), JsonReader::child(path + ".metrics", it.key())));
        return p;
    }

  private:
    const JsonReader& r_;
};

}  // namespace

SlaPolicies SlaPolicies::from_json(std::string_view text, const CalendarSet* calendars) {
    JsonReader r(Errc::invalid_config);
    auto doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"sla_policies"});
    if (!doc.contains("sla_policies")) r.fail("sla_policies", "missing");
    const auto& obj = r.object(doc["sla_policies"], "sla_policies");
    SlaPolicies out;
    PolicyLoader loader(r);
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        std::string path = JsonReader::child("sla_policies", it.key());
        if (!is_identifier(it.key()))
            r.fail(path, fmt::format("\"{}\" is not a valid policy id (a-z, 0-9, _)", it.key()));
        out.add(loader.policy(it.key(), it.value(), path), calendars);  // errors carry the path
    }
    return out;
}

// ---- One clock ---------------------------------------------------------------------------

namespace {

using Span = std::pair<Instant, Instant>;

// The first instant at which `budget` of working time has run since `start`, skipping the
// paused spans (ascending, disjoint).
Instant reach(const Calendar& c, Instant start, const std::vector<Span>& pauses, Duration budget) {
    Instant cur = start;
    for (const auto& [from, to] : pauses) {
        if (from <= cur) {
            cur = std::max(cur, to);
            continue;
        }
        Duration available = c.between(cur, from);
        if (available >= budget) return c.add(cur, budget);
        budget -= available;
        cur = to;
    }
    return c.add(cur, budget);
}

std::vector<Span> checked_pauses(const ClockInput& in, Instant end) {
    std::vector<Span> out;
    for (std::size_t i = 0; i < in.pauses.size(); ++i) {
        const auto& p = in.pauses[i];
        std::string where = fmt::format("pauses[{}]", i);
        if (p.from < in.start)
            throw Error(Errc::invalid_argument, where, "starts before the clock");
        if (p.to && *p.to < p.from)
            throw Error(Errc::invalid_argument, where, "ends before it starts");
        if (!p.to && i + 1 != in.pauses.size())
            throw Error(Errc::invalid_argument, where, "only the last pause may be open");
        if (i > 0 && p.from < *in.pauses[i - 1].to)
            throw Error(Errc::invalid_argument, where, "overlaps the pause before");
        Instant to = std::min(p.to.value_or(end), end);
        if (p.from < to) out.emplace_back(p.from, to);
    }
    return out;
}

}  // namespace

ClockView evaluate_clock(const Calendar& c, const ClockInput& in, Instant now) {
    if (in.target <= Duration{0})
        throw Error(Errc::invalid_argument, "target", "must be longer than zero");
    for (std::size_t i = 0; i < in.warnings.size(); ++i)
        if (in.warnings[i] < 1 || in.warnings[i] > 99)
            throw Error(Errc::invalid_argument, fmt::format("warnings[{}]", i),
                        "a threshold is a percentage from 1 to 99");
    if (in.stopped && *in.stopped < in.start)
        throw Error(Errc::invalid_argument, "stopped", "before the clock started");
    const Instant end = std::max(in.start, in.stopped.value_or(now));
    const auto pauses = checked_pauses(in, end);

    ClockView v;
    v.elapsed = c.between(in.start, end);
    v.wall_elapsed = end - in.start;
    for (const auto& [from, to] : pauses) {
        v.elapsed -= c.between(from, to);
        v.paused += to - from;
    }
    v.wall_elapsed -= v.paused;
    v.remaining = in.target - v.elapsed;
    v.percentage = 100.0 * double(v.elapsed.count()) / double(in.target.count());
    v.due = reach(c, in.start, pauses, in.target);
    for (int w : in.warnings)
        v.warning_at.push_back(reach(c, in.start, pauses, in.target * w / 100));

    const bool open_pause =
        !in.pauses.empty() && !in.pauses.back().to && in.pauses.back().from <= end;
    if (in.canceled)
        v.state = ClockState::canceled;
    else if (in.stopped)
        v.state = *in.stopped <= v.due ? ClockState::met : ClockState::breached;
    else if (now > v.due)
        v.state = ClockState::breached;
    else
        v.state = open_pause ? ClockState::paused : ClockState::running;
    return v;
}

ITSM_END_NAMESPACE

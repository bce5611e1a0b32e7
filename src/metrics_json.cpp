// JSON forms of the metrics: the query, the scorecard targets and the report.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "itsm/error.hpp"
#include "itsm/metrics.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

using detail::JsonReader;
using json = nlohmann::json;

namespace {

std::vector<Symbol> symbols(const JsonReader& r, const json& j, const std::string& path) {
    r.array(j, path);
    std::vector<Symbol> out;
    for (std::size_t i = 0; i < j.size(); ++i)
        out.emplace_back(r.string(j[i], JsonReader::index(path, i)));
    return out;
}

Instant instant(const JsonReader& r, const json& j, const std::string& path) {
    std::string text = r.string(j, path);
    try {
        return parse_instant(text);
    } catch (const Error& e) {
        r.fail(path, fmt::format("\"{}\" is not an instant (2026-01-31T09:00:00Z)", text));
    }
}

// An inline calendar {"id": "...", <the members of a calendar in docs/sla.md>}, read by the
// calendar loader; its errors are re-rooted at `path`.
CalendarPtr inline_calendar(const JsonReader& r, const json& j, const std::string& path) {
    r.object(j, path);
    json body = j;
    std::string id = "metrics";
    if (body.contains("id")) {
        id = r.string(body["id"], JsonReader::child(path, "id"));
        body.erase("id");
    }
    json doc = {{"calendars", {{id, body}}}};
    try {
        return CalendarSet::from_json(doc.dump()).at(id);
    } catch (const Error& e) {
        std::string prefix = "calendars." + id;
        std::string where = e.where();
        std::string message = e.what();
        if (!where.empty() && message.rfind(where + ": ", 0) == 0)
            message = message.substr(where.size() + 2);
        if (where.rfind(prefix, 0) == 0) where = path + where.substr(prefix.size());
        r.fail(where.empty() ? path : where, message);
    }
}

}  // namespace

MetricsQuery metrics_query_from_json(std::string_view text) {
    JsonReader r(Errc::invalid_argument);
    json doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "",
           {"from", "to", "kinds", "segments", "categories", "groups", "priorities",
            "service_kinds", "change_kinds", "knowledge_field", "calendar"});
    MetricsQuery q;
    for (const char* key : {"from", "to"})
        if (!doc.contains(key)) r.fail(key, "missing");
    q.from = instant(r, doc["from"], "from");
    q.to = instant(r, doc["to"], "to");
    auto list = [&](const char* key, std::vector<Symbol>& out) {
        if (doc.contains(key)) out = symbols(r, doc[key], key);
    };
    list("kinds", q.kinds);
    list("segments", q.segments);
    list("categories", q.categories);
    list("groups", q.groups);
    list("service_kinds", q.service_kinds);
    list("change_kinds", q.change_kinds);
    if (doc.contains("priorities")) {
        const auto& a = r.array(doc["priorities"], "priorities");
        for (std::size_t i = 0; i < a.size(); ++i)
            q.priorities.push_back(
                static_cast<int>(r.integer(a[i], JsonReader::index("priorities", i))));
    }
    if (doc.contains("knowledge_field"))
        q.knowledge_field = Symbol(r.string(doc["knowledge_field"], "knowledge_field"));
    if (doc.contains("calendar")) q.calendar = inline_calendar(r, doc["calendar"], "calendar");
    q.validate();
    return q;
}

// ---- Scorecard ---------------------------------------------------------------------------

namespace {

double number(const JsonReader& r, const json& j, const std::string& path, bool ratio) {
    bool ok = j.is_number() &&
              (ratio ? j.get<double>() >= 0 && j.get<double>() <= 1 : j.get<double>() > 0);
    if (!ok)
        r.fail(path, ratio ? "expected a number between 0 and 1" : "expected a positive number");
    return j.get<double>();
}

void check_range(const JsonReader& r, const Scorecard::Range& range, const std::string& path) {
    for (auto [bound, key] : {std::pair{range.min, "min"}, std::pair{range.max, "max"}})
        if (bound && !(*bound >= 0 && *bound <= 1))
            r.fail(JsonReader::child(path, key), "expected a number between 0 and 1");
    if (range.min && range.max && *range.min > *range.max)
        r.fail(JsonReader::child(path, "min"),
               fmt::format("{} is above max ({})", *range.min, *range.max));
}

void read_range(const JsonReader& r, const json& doc, const char* key, Scorecard::Range& out) {
    if (!doc.contains(key)) return;
    std::string path = JsonReader::child("scorecard", key);
    const json& j = r.object(doc[key], path);
    r.only(j, path, {"min", "max"});
    Scorecard::Range range;
    for (const char* bound : {"min", "max"})
        if (j.contains(bound) && !j[bound].is_null())
            (bound[1] == 'i' ? range.min : range.max) =
                number(r, j[bound], JsonReader::child(path, bound), true);
    out = range;
}

Scorecard::Tier read_tier(const JsonReader& r, const json& j, const std::string& path) {
    r.object(j, path);
    r.only(j, path, {"tier", "priorities", "max_hours"});
    for (const char* key : {"tier", "priorities", "max_hours"})
        if (!j.contains(key)) r.fail(JsonReader::child(path, key), "missing");
    Scorecard::Tier t;
    t.id = r.string(j["tier"], JsonReader::child(path, "tier"));
    const auto& ps = r.array(j["priorities"], JsonReader::child(path, "priorities"));
    for (std::size_t i = 0; i < ps.size(); ++i)
        t.priorities.push_back(static_cast<int>(
            r.integer(ps[i], JsonReader::index(JsonReader::child(path, "priorities"), i))));
    t.max_hours = number(r, j["max_hours"], JsonReader::child(path, "max_hours"), false);
    return t;
}

}  // namespace

void Scorecard::validate() const {
    JsonReader r(Errc::invalid_config);
    for (std::size_t i = 0; i < mttr.size(); ++i) {
        std::string path = JsonReader::index("scorecard.mttr", i);
        const Tier& t = mttr[i];
        if (t.id.empty()) r.fail(JsonReader::child(path, "tier"), "must not be empty");
        for (std::size_t k = 0; k < i; ++k)
            if (mttr[k].id == t.id)
                r.fail(JsonReader::child(path, "tier"), fmt::format("duplicate tier \"{}\"", t.id));
        if (t.priorities.empty())
            r.fail(JsonReader::child(path, "priorities"), "must name at least one priority");
        for (std::size_t k = 0; k < t.priorities.size(); ++k)
            if (t.priorities[k] < 1 || t.priorities[k] > 5)
                r.fail(JsonReader::index(JsonReader::child(path, "priorities"), k),
                       fmt::format("{} is outside 1..5", t.priorities[k]));
        if (!(t.max_hours > 0))
            r.fail(JsonReader::child(path, "max_hours"), "expected a positive number");
    }
    check_range(r, first_contact_resolution, "scorecard.first_contact_resolution");
    check_range(r, reopen_rate, "scorecard.reopen_rate");
    check_range(r, sla_compliance, "scorecard.sla_compliance");
    check_range(r, change_success, "scorecard.change_success");
    check_range(r, self_service, "scorecard.self_service");
}

Scorecard Scorecard::from_json(std::string_view text) {
    JsonReader r(Errc::invalid_config);
    json doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"scorecard"});
    if (!doc.contains("scorecard")) r.fail("scorecard", "missing");
    const json& sc = r.object(doc["scorecard"], "scorecard");
    r.only(sc, "scorecard",
           {"mttr", "mttr_business_time", "first_contact_resolution", "reopen_rate",
            "sla_compliance", "change_success", "self_service"});
    Scorecard s;
    if (sc.contains("mttr")) {
        const auto& tiers = r.array(sc["mttr"], "scorecard.mttr");
        s.mttr.clear();
        for (std::size_t i = 0; i < tiers.size(); ++i)
            s.mttr.push_back(read_tier(r, tiers[i], JsonReader::index("scorecard.mttr", i)));
    }
    if (sc.contains("mttr_business_time"))
        s.mttr_business_time = r.boolean(sc["mttr_business_time"], "scorecard.mttr_business_time");
    read_range(r, sc, "first_contact_resolution", s.first_contact_resolution);
    read_range(r, sc, "reopen_rate", s.reopen_rate);
    read_range(r, sc, "sla_compliance", s.sla_compliance);
    read_range(r, sc, "change_success", s.change_success);
    read_range(r, sc, "self_service", s.self_service);
    s.validate();
    return s;
}

namespace {

json optional_number(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}
json range_json(const Scorecard::Range& range) {
    json j = json::object();
    if (range.min) j["min"] = *range.min;
    if (range.max) j["max"] = *range.max;
    return j;
}
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string to_json(const Scorecard& s) {
    json tiers = json::array();
    for (const auto& t : s.mttr)
        tiers.push_back({{"tier", t.id}, {"priorities", t.priorities}, {"max_hours", t.max_hours}});
    json sc = {{"mttr", tiers},
               {"mttr_business_time", s.mttr_business_time},
               {"first_contact_resolution", range_json(s.first_contact_resolution)},
               {"reopen_rate", range_json(s.reopen_rate)},
               {"sla_compliance", range_json(s.sla_compliance)},
               {"change_success", range_json(s.change_success)},
               {"self_service", range_json(s.self_service)}};
    return dump(json{{"scorecard", sc}});
}

// ---- Report ------------------------------------------------------------------------------

namespace {

json seconds(const std::optional<Duration>& d) {
    return d ? json(static_cast<double>(d->count()) / 1e6) : json(nullptr);
}
json stats_json(const DurationStats& s) {
    return {{"count", s.count},
            {"mean_wall_seconds", seconds(s.mean_wall)},
            {"median_wall_seconds", seconds(s.median_wall)},
            {"mean_business_seconds", seconds(s.mean_business)},
            {"median_business_seconds", seconds(s.median_business)}};
}
json rate_json(const Rate& r) {
    return {{"numerator", r.numerator},
            {"denominator", r.denominator},
            {"rate", optional_number(r.rate())}};
}
json sla_json(const SlaCompliance& c) {
    return {{"met", c.met}, {"breached", c.breached}, {"rate", optional_number(c.rate())}};
}
template <class Map, class F>
json map_json(const Map& m, F&& f) {
    json j = json::object();
    for (const auto& [key, value] : m) {
        if constexpr (std::is_same_v<std::decay_t<decltype(key)>, int>)
            j[std::to_string(key)] = f(value);
        else
            j[key] = f(value);
    }
    return j;
}
json backlog_json(const Backlog& b) {
    json buckets = json::object();
    for (std::size_t i = 0; i < b.buckets.size(); ++i)
        buckets[std::string(backlog_bucket_names[i])] = b.buckets[i];
    return {{"total", b.total},
            {"buckets", buckets},
            {"by_priority", map_json(b.by_priority, [](std::size_t n) { return json(n); })}};
}
json score_json(const ScoreLine& l) {
    return {{"metric", l.metric},
            {"value", optional_number(l.value)},
            {"unit", l.unit},
            {"min", optional_number(l.min)},
            {"max", optional_number(l.max)},
            {"met", l.met ? json(*l.met) : json(nullptr)}};
}

}  // namespace

std::string to_json(const MetricsReport& r) {
    json weekly = json::array();
    for (const auto& w : r.weekly)
        weekly.push_back({{"week", w.week},
                          {"start", format_instant(w.start)},
                          {"created", w.created},
                          {"resolved", w.resolved}});
    json sla_mp = json::object();
    for (const auto& [metric, by_priority] : r.sla_by_metric_priority)
        sla_mp[metric] = map_json(by_priority, sla_json);
    json scorecard = json::array();
    for (const auto& l : r.scorecard)
        scorecard.push_back(score_json(l));
    json changes = {{"successful", r.changes.successful},
                    {"successful_with_issues", r.changes.successful_with_issues},
                    {"unsuccessful", r.changes.unsuccessful},
                    {"success_rate", optional_number(r.changes.success_rate())}};
    json j = {{"from", format_instant(r.from)},
              {"to", format_instant(r.to)},
              {"tickets", r.tickets},
              {"created", r.created},
              {"resolved", r.resolved},
              {"mttr", stats_json(r.mttr)},
              {"mttr_by_priority", map_json(r.mttr_by_priority, stats_json)},
              {"mttr_by_category", map_json(r.mttr_by_category, stats_json)},
              {"first_contact_resolution", rate_json(r.first_contact_resolution)},
              {"reopen_rate", rate_json(r.reopen_rate)},
              {"self_service", rate_json(r.self_service)},
              {"sla", sla_json(r.sla)},
              {"sla_by_metric", map_json(r.sla_by_metric, sla_json)},
              {"sla_by_metric_priority", sla_mp},
              {"changes", changes},
              {"backlog", backlog_json(r.backlog)},
              {"weekly", weekly},
              {"scorecard", scorecard}};
    return dump(j);
}

ITSM_END_NAMESPACE

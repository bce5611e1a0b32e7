// Scenario: loading and checking the JSON form (docs/simulation.md).
#include "itsm/sim/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "../json_reader.hpp"
#include "itsm/error.hpp"
#include "itsm/sla.hpp"

ITSM_BEGIN_NAMESPACE
namespace sim {

using detail::json;
using detail::JsonReader;

std::optional<Duration> parse_duration(std::string_view s) {
    return parse_iso_duration(s);
}

const HandlingRule* Scenario::handling_for(Symbol kind, Symbol category, int priority,
                                           int tier) const {
    auto in = [](const auto& list, const auto& v) {
        return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
    };
    for (const auto& h : handling)
        if (in(h.kinds, kind) && in(h.categories, category) && in(h.priorities, priority) &&
            in(h.tiers, tier))
            return &h;
    return nullptr;
}

namespace {

const std::set<std::string_view> kinds_simulated = {"incident", "service_request", "change"};

class Loader {
  public:
    Loader() : r_(Errc::invalid_config) {}

    Scenario load(std::string_view text) {
        json doc = r_.parse(text, "scenario");
        r_.object(doc, "");
        r_.only(doc, "", {"name",      "seed",         "horizon",
                          "calendars", "sla_policies", "sites",
                          "groups",    "categories",   "staff",
                          "cab",       "arrivals",     "profile",
                          "impact",    "urgency",      "handling",
                          "chances",   "caller_reply", "reopen_after",
                          "problems",  "changes",      "metrics_calendar",
                          "channels"});
        Scenario s;
        if (doc.contains("name")) s.name = r_.string(doc["name"], "name");
        if (doc.contains("seed")) {
            auto seed = r_.integer(doc["seed"], "seed");
            if (seed < 0) r_.fail("seed", "must not be negative");
            s.seed = static_cast<std::uint64_t>(seed);
        }
        horizon(need(doc, "", "horizon"), s);
        calendars(need(doc, "", "calendars"), s);
        if (doc.contains("sla_policies")) {
            s.sla_json = json{{"sla_policies", doc["sla_policies"]}}.dump();
            SlaPolicies::from_json(s.sla_json, &s.calendars);  // checks; the engine applies
        }
        if (doc.contains("metrics_calendar")) {
            s.metrics_calendar = r_.string(doc["metrics_calendar"], "metrics_calendar");
            if (!s.calendars.find(s.metrics_calendar))
                r_.fail("metrics_calendar",
                        fmt::format("unknown calendar \"{}\"", s.metrics_calendar));
        }
        groups(need(doc, "", "groups"), s);
        categories(need(doc, "", "categories"), s);
        staff(need(doc, "", "staff"), s);
        sites(need(doc, "", "sites"), s);
        if (doc.contains("cab")) cab(doc["cab"], s);
        if (doc.contains("profile")) s.profile = profile(doc["profile"], "profile");
        s.channels = {{Channel::portal, 1.0}, {Channel::email, 1.0}};
        if (doc.contains("channels")) channels(doc["channels"], s);
        if (doc.contains("impact")) s.impact = weights3(doc["impact"], "impact");
        if (doc.contains("urgency")) s.urgency = weights3(doc["urgency"], "urgency");
        handling(need(doc, "", "handling"), s);
        arrivals(need(doc, "", "arrivals"), s);
        if (doc.contains("chances")) chances(doc["chances"], s.chances);
        s.caller_reply = doc.contains("caller_reply")
                             ? dist(doc["caller_reply"], "caller_reply")
                             : DurationDist{std::chrono::hours(4), std::chrono::hours(24)};
        s.reopen_after = doc.contains("reopen_after")
                             ? dist(doc["reopen_after"], "reopen_after")
                             : DurationDist{std::chrono::hours(24), std::chrono::hours(72)};
        if (doc.contains("problems")) problems(doc["problems"], s);
        changes(doc.contains("changes") ? doc["changes"] : json::object(), s);
        return s;
    }

  private:
    const json& need(const json& obj, const std::string& path, const char* key) {
        if (!obj.contains(key)) r_.fail(JsonReader::child(path, key), "is required");
        return obj[key];
    }
    double number(const json& j, const std::string& path) {
        if (!j.is_number()) r_.fail(path, "expected a number");
        return j.get<double>();
    }
    double positive(const json& j, const std::string& path) {
        double v = number(j, path);
        if (!(v > 0)) r_.fail(path, "must be positive");
        return v;
    }
    double probability(const json& j, const std::string& path) {
        double v = number(j, path);
        if (v < 0 || v > 1) r_.fail(path, "must be between 0 and 1");
        return v;
    }
    Duration duration(const json& j, const std::string& path) {
        auto d = parse_duration(r_.string(j, path));
        if (!d || d->count() <= 0)
            r_.fail(path, fmt::format("\"{}\" is not a positive ISO-8601 duration such as \"PT4H\"",
                                      j.get<std::string>()));
        return *d;
    }
    Symbol id(const json& j, const std::string& path) {
        std::string v = r_.string(j, path);
        if (v.empty() || v.find_first_of(" \t\n") != std::string::npos)
            r_.fail(path, fmt::format("\"{}\" is not an id (no spaces, not empty)", v));
        return Symbol(v);
    }
    std::vector<Symbol> ids(const json& j, const std::string& path) {
        std::vector<Symbol> out;
        r_.array(j, path);
        for (std::size_t i = 0; i < j.size(); ++i)
            out.push_back(id(j[i], JsonReader::index(path, i)));
        return out;
    }
    std::vector<int> levels(const json& j, const std::string& path, int max) {
        std::vector<int> out;
        r_.array(j, path);
        for (std::size_t i = 0; i < j.size(); ++i) {
            auto p = JsonReader::index(path, i);
            auto v = r_.integer(j[i], p);
            if (v < 1 || v > max) r_.fail(p, fmt::format("must be between 1 and {}", max));
            out.push_back(static_cast<int>(v));
        }
        return out;
    }
    template <std::size_t N>
    std::array<double, N> weights(const json& j, const std::string& path) {
        r_.array(j, path);
        if (j.size() != N) r_.fail(path, fmt::format("expected {} weights", N));
        std::array<double, N> out{};
        double sum = 0;
        for (std::size_t i = 0; i < N; ++i) {
            auto p = JsonReader::index(path, i);
            out[i] = number(j[i], p);
            if (out[i] < 0) r_.fail(p, "must not be negative");
            sum += out[i];
        }
        if (!(sum > 0)) r_.fail(path, "at least one weight must be positive");
        return out;
    }
    std::array<double, 3> weights3(const json& j, const std::string& path) {
        return weights<3>(j, path);
    }
    DurationDist dist(const json& j, const std::string& path) {
        r_.object(j, path);
        r_.only(j, path, {"median", "p90"});
        DurationDist d;
        d.median = duration(need(j, path, "median"), JsonReader::child(path, "median"));
        d.p90 = j.contains("p90") ? duration(j["p90"], JsonReader::child(path, "p90")) : d.median;
        if (d.p90 < d.median) r_.fail(JsonReader::child(path, "p90"), "must not be below median");
        return d;
    }
    Profile profile(const json& j, const std::string& path) {
        r_.object(j, path);
        r_.only(j, path, {"weekday", "hour"});
        Profile p;
        if (j.contains("weekday")) p.weekday = weights<7>(j["weekday"], path + ".weekday");
        if (j.contains("hour")) p.hour = weights<24>(j["hour"], path + ".hour");
        return p;
    }

    void channels(const json& j, Scenario& s) {
        r_.object(j, "channels");
        s.channels.clear();
        double sum = 0;
        for (auto it = j.begin(); it != j.end(); ++it) {
            auto p = JsonReader::child("channels", it.key());
            auto c = channel_from_string(it.key());
            if (!c) r_.fail(p, "unknown channel");
            double w = number(it.value(), p);
            if (w < 0) r_.fail(p, "must not be negative");
            sum += w;
            s.channels.emplace_back(*c, w);
        }
        if (!(sum > 0)) r_.fail("channels", "at least one weight must be positive");
    }

    void horizon(const json& j, Scenario& s) {
        r_.object(j, "horizon");
        r_.only(j, "horizon", {"start", "weeks", "time_zone"});
        std::string text = r_.string(need(j, "horizon", "start"), "horizon.start");
        Date date;
        try {
            date = parse_date(text);
        } catch (const Error&) {
            r_.fail("horizon.start", fmt::format("\"{}\" is not a date (YYYY-MM-DD)", text));
        }
        auto weeks = r_.integer(need(j, "horizon", "weeks"), "horizon.weeks");
        if (weeks < 1 || weeks > 520) r_.fail("horizon.weeks", "must be between 1 and 520");
        s.weeks = static_cast<int>(weeks);
        TimeZone zone;
        if (j.contains("time_zone")) {
            s.time_zone = r_.string(j["time_zone"], "horizon.time_zone");
            try {
                zone = TimeZone::locate(s.time_zone);
            } catch (const Error& e) {
                r_.fail("horizon.time_zone", e.what());
            }
        }
        s.start = zone.resolve(LocalTime{std::chrono::local_days{date}});
    }

    void calendars(const json& j, Scenario& s) {
        s.calendars_json = json{{"calendars", j}}.dump();
        s.calendars = CalendarSet::from_json(s.calendars_json);
    }

    void groups(const json& j, Scenario& s) {
        r_.array(j, "groups");
        if (j.empty()) r_.fail("groups", "at least one group is needed");
        for (std::size_t i = 0; i < j.size(); ++i) {
            auto p = JsonReader::index("groups", i);
            r_.object(j[i], p);
            r_.only(j[i], p, {"id", "name", "tier", "escalates_to", "manager"});
            Group g;
            g.id = id(need(j[i], p, "id"), p + ".id");
            for (const auto& other : s.groups)
                if (other.id == g.id) r_.fail(p + ".id", "duplicate group id");
            if (j[i].contains("name")) g.name = r_.string(j[i]["name"], p + ".name");
            if (j[i].contains("tier")) {
                auto tier = r_.integer(j[i]["tier"], p + ".tier");
                if (tier < 1 || tier > 3) r_.fail(p + ".tier", "must be between 1 and 3");
                g.tier = static_cast<int>(tier);
            }
            if (j[i].contains("escalates_to"))
                g.escalates_to = id(j[i]["escalates_to"], p + ".escalates_to");
            if (j[i].contains("manager")) g.manager = id(j[i]["manager"], p + ".manager");
            s.groups.push_back(std::move(g));
        }
        for (std::size_t i = 0; i < s.groups.size(); ++i)
            if (!s.groups[i].escalates_to.empty() && !group(s, s.groups[i].escalates_to))
                r_.fail(JsonReader::index("groups", i) + ".escalates_to",
                        fmt::format("unknown group \"{}\"", s.groups[i].escalates_to.view()));
    }
    static const Group* group(const Scenario& s, Symbol id) {
        for (const auto& g : s.groups)
            if (g.id == id) return &g;
        return nullptr;
    }
    static bool has_category(const Scenario& s, Symbol id) {
        for (const auto& c : s.categories)
            if (c.id == id) return true;
        return false;
    }

    void categories(const json& j, Scenario& s) {
        r_.array(j, "categories");
        if (j.empty()) r_.fail("categories", "at least one category is needed");
        for (std::size_t i = 0; i < j.size(); ++i) {
            auto p = JsonReader::index("categories", i);
            r_.object(j[i], p);
            r_.only(j[i], p, {"id", "name", "group"});
            Category c;
            c.id = id(need(j[i], p, "id"), p + ".id");
            auto v = c.id.view();
            if (v.size() > 64 || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
                                     std::string_view::npos)
                r_.fail(p + ".id", "use a-z A-Z 0-9 _ - . (at most 64 bytes)");
            if (has_category(s, c.id)) r_.fail(p + ".id", "duplicate category id");
            c.name = j[i].contains("name") ? r_.string(j[i]["name"], p + ".name") : c.id.str();
            c.group = id(need(j[i], p, "group"), p + ".group");
            if (!group(s, c.group))
                r_.fail(p + ".group", fmt::format("unknown group \"{}\"", c.group.view()));
            s.categories.push_back(std::move(c));
        }
    }

    void staff(const json& j, Scenario& s) {
        r_.array(j, "staff");
        if (j.empty()) r_.fail("staff", "at least one agent is needed");
        std::set<Symbol> seen;
        for (std::size_t i = 0; i < j.size(); ++i) {
            auto p = JsonReader::index("staff", i);
            r_.object(j[i], p);
            r_.only(j[i], p, {"id", "name", "count", "groups", "skills", "calendar"});
            Agent a;
            a.id = id(need(j[i], p, "id"), p + ".id");
            if (!seen.insert(a.id).second) r_.fail(p + ".id", "duplicate staff id");
            a.name = j[i].contains("name") ? r_.string(j[i]["name"], p + ".name") : a.id.str();
            if (j[i].contains("count")) {
                auto n = r_.integer(j[i]["count"], p + ".count");
                if (n < 1 || n > 100000) r_.fail(p + ".count", "must be between 1 and 100000");
                a.count = static_cast<int>(n);
            }
            a.groups = ids(need(j[i], p, "groups"), p + ".groups");
            if (a.groups.empty()) r_.fail(p + ".groups", "an agent needs a group");
            for (std::size_t k = 0; k < a.groups.size(); ++k)
                if (!group(s, a.groups[k]))
                    r_.fail(JsonReader::index(p + ".groups", k),
                            fmt::format("unknown group \"{}\"", a.groups[k].view()));
            if (j[i].contains("skills")) a.skills = ids(j[i]["skills"], p + ".skills");
            for (std::size_t k = 0; k < a.skills.size(); ++k)
                if (!has_category(s, a.skills[k]))
                    r_.fail(JsonReader::index(p + ".skills", k),
                            fmt::format("unknown category \"{}\"", a.skills[k].view()));
            a.calendar = r_.string(need(j[i], p, "calendar"), p + ".calendar");
            if (!s.calendars.find(a.calendar))
                r_.fail(p + ".calendar", fmt::format("unknown calendar \"{}\"", a.calendar));
            s.staff.push_back(std::move(a));
        }
        for (std::size_t i = 0; i < s.groups.size(); ++i)
            if (!s.groups[i].manager.empty() && !is_agent(s, s.groups[i].manager))
                r_.fail(JsonReader::index("groups", i) + ".manager",
                        fmt::format("unknown staff member \"{}\"", s.groups[i].manager.view()));
    }
    // Staff ids as the directory will know them (`id`, or `id_1`.. when counted).
    static bool is_agent(const Scenario& s, Symbol user) {
        for (const auto& a : s.staff) {
            if (a.count == 1 && a.id == user) return true;
            if (a.count > 1)
                for (int k = 1; k <= a.count; ++k)
                    if (fmt::format("{}_{}", a.id.view(), k) == user.view()) return true;
        }
        return false;
    }

    void sites(const json& j, Scenario& s) {
        r_.array(j, "sites");
        if (j.empty()) r_.fail("sites", "at least one site is needed");
        for (std::size_t i = 0; i < j.size(); ++i) {
            auto p = JsonReader::index("sites", i);
            r_.object(j[i], p);
            r_.only(j[i], p, {"id", "name", "users"});
            Site site;
            site.id = id(need(j[i], p, "id"), p + ".id");
            for (const auto& o : s.sites)
                if (o.id == site.id) r_.fail(p + ".id", "duplicate site id");
            site.name =
                j[i].contains("name") ? r_.string(j[i]["name"], p + ".name") : site.id.str();
            auto users = r_.integer(need(j[i], p, "users"), p + ".users");
            if (users < 1 || users > 1000000)
                r_.fail(p + ".users", "must be between 1 and 1000000");
            site.users = static_cast<int>(users);
            s.sites.push_back(std::move(site));
        }
    }

    void cab(const json& j, Scenario& s) {
        s.cab = ids(j, "cab");
        for (std::size_t k = 0; k < s.cab.size(); ++k)
            if (!is_agent(s, s.cab[k]))
                r_.fail(JsonReader::index("cab", k),
                        fmt::format("unknown staff member \"{}\"", s.cab[k].view()));
    }

    void handling(const json& j, Scenario& s) {
        r_.array(j, "handling");
        for (std::size_t i = 0; i < j.size(); ++i) {
            auto p = JsonReader::index("handling", i);
            r_.object(j[i], p);
            r_.only(j[i], p, {"kinds", "categories", "priorities", "tiers", "median", "p90"});
            HandlingRule h;
            if (j[i].contains("kinds")) h.kinds = ids(j[i]["kinds"], p + ".kinds");
            for (std::size_t k = 0; k < h.kinds.size(); ++k)
                if (!kinds_simulated.count(h.kinds[k].view()) && h.kinds[k] != Symbol("problem"))
                    r_.fail(JsonReader::index(p + ".kinds", k),
                            fmt::format("unknown kind \"{}\"", h.kinds[k].view()));
            if (j[i].contains("categories"))
                h.categories = ids(j[i]["categories"], p + ".categories");
            for (std::size_t k = 0; k < h.categories.size(); ++k)
                if (!has_category(s, h.categories[k]))
                    r_.fail(JsonReader::index(p + ".categories", k),
                            fmt::format("unknown category \"{}\"", h.categories[k].view()));
            if (j[i].contains("priorities"))
                h.priorities = levels(j[i]["priorities"], p + ".priorities", 5);
            if (j[i].contains("tiers")) h.tiers = levels(j[i]["tiers"], p + ".tiers", 3);
            json d = json::object();
            d["median"] = need(j[i], p, "median");
            if (j[i].contains("p90")) d["p90"] = j[i]["p90"];
            h.time = dist(d, p);
            s.handling.push_back(std::move(h));
        }
    }

    void arrivals(const json& j, Scenario& s) {
        r_.array(j, "arrivals");
        if (j.empty()) r_.fail("arrivals", "at least one arrival stream is needed");
        for (std::size_t i = 0; i < j.size(); ++i) {
            auto p = JsonReader::index("arrivals", i);
            r_.object(j[i], p);
            r_.only(j[i], p, {"kind", "category", "model", "rate_per_week", "profile", "at"});
            Arrival a;
            a.kind = id(need(j[i], p, "kind"), p + ".kind");
            if (!kinds_simulated.count(a.kind.view()))
                r_.fail(p + ".kind",
                        fmt::format("\"{}\" is not incident, service_request or change",
                                    a.kind.view()));
            a.category = id(need(j[i], p, "category"), p + ".category");
            if (!has_category(s, a.category))
                r_.fail(p + ".category", fmt::format("unknown category \"{}\"", a.category.view()));
            if (j[i].contains("model")) {
                a.model = id(j[i]["model"], p + ".model");
                auto m = a.model.view();
                if (a.kind != Symbol("change") ||
                    (m != "normal" && m != "standard" && m != "emergency"))
                    r_.fail(p + ".model",
                            "only a change has a model: normal, standard or emergency");
            }
            if (j[i].contains("at") == j[i].contains("rate_per_week"))
                r_.fail(p, "give either rate_per_week or at");
            if (j[i].contains("at")) {
                a.at = instants(j[i]["at"], p + ".at", s);
            } else {
                a.rate_per_week = positive(j[i]["rate_per_week"], p + ".rate_per_week");
                if (j[i].contains("profile")) a.profile = profile(j[i]["profile"], p + ".profile");
            }
            check_handled(s, a, p);
            s.arrivals.push_back(std::move(a));
        }
    }
    std::vector<Instant> instants(const json& j, const std::string& path, const Scenario& s) {
        r_.array(j, path);
        std::vector<Instant> out;
        for (std::size_t k = 0; k < j.size(); ++k) {
            auto p = JsonReader::index(path, k);
            std::string text = r_.string(j[k], p);
            Instant t{};
            try {
                t = parse_instant(text);
            } catch (const Error&) {
                r_.fail(p, fmt::format("\"{}\" is not an instant (YYYY-MM-DDTHH:MM:SSZ)", text));
            }
            if (t < s.start || t >= s.end()) r_.fail(p, "outside the horizon");
            out.push_back(t);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    // Every piece of work an arrival leads to needs a handling time, at any priority.
    void check_handled(const Scenario& s, const Arrival& a, const std::string& p) {
        const Category* cat = nullptr;
        for (const auto& c : s.categories)
            if (c.id == a.category) cat = &c;
        int tier = group(s, cat->group)->tier;
        for (int prio = 1; prio <= 5; ++prio)
            if (!s.handling_for(a.kind, a.category, prio, tier))
                r_.fail(p, fmt::format("no handling rule matches {} in {} at priority {}",
                                       a.kind.view(), a.category.view(), prio));
    }

    void chances(const json& j, Chances& c) {
        r_.object(j, "chances");
        r_.only(j, "chances", {"escalation", "reopen", "hold", "rollback", "with_issues"});
        auto get = [&](const char* key, double& out) {
            if (j.contains(key)) out = probability(j[key], JsonReader::child("chances", key));
        };
        get("escalation", c.escalation);
        get("reopen", c.reopen);
        get("hold", c.hold);
        get("rollback", c.rollback);
        get("with_issues", c.with_issues);
        if (c.rollback + c.with_issues > 1)
            r_.fail("chances.with_issues", "rollback + with_issues must not exceed 1");
    }

    void problems(const json& j, Scenario& s) {
        r_.object(j, "problems");
        r_.only(j, "problems", {"threshold", "window", "handling"});
        auto t = r_.integer(need(j, "problems", "threshold"), "problems.threshold");
        if (t < 2) r_.fail("problems.threshold", "must be at least 2");
        s.problems.threshold = static_cast<int>(t);
        s.problems.window = duration(need(j, "problems", "window"), "problems.window");
        s.problems.handling = dist(need(j, "problems", "handling"), "problems.handling");
        bool tier2 = false;
        for (const auto& g : s.groups)
            tier2 = tier2 || !g.escalates_to.empty();
        if (!tier2) r_.fail("problems", "problems need a group that escalates_to another");
    }

    void changes(const json& j, Scenario& s) {
        r_.object(j, "changes");
        r_.only(j, "changes", {"approval", "lead_time"});
        s.changes.approval = j.contains("approval")
                                 ? dist(j["approval"], "changes.approval")
                                 : DurationDist{std::chrono::hours(4), std::chrono::hours(24)};
        s.changes.lead_time = j.contains("lead_time")
                                  ? dist(j["lead_time"], "changes.lead_time")
                                  : DurationDist{std::chrono::hours(48), std::chrono::hours(120)};
        bool normal = false;
        for (const auto& a : s.arrivals)
            normal = normal || (a.kind == Symbol("change") && a.model != Symbol("standard"));
        if (normal && s.cab.size() < 2)
            r_.fail("cab", "normal and emergency changes need at least two CAB members");
        // A low-risk change is approved by its group's manager.
        for (std::size_t i = 0; i < s.arrivals.size(); ++i) {
            const auto& a = s.arrivals[i];
            if (a.kind != Symbol("change") || a.model == Symbol("standard")) continue;
            for (const auto& c : s.categories)
                if (c.id == a.category && group(s, c.group)->manager.empty())
                    r_.fail(JsonReader::index("arrivals", i) + ".category",
                            fmt::format("group \"{}\" approves changes and needs a manager",
                                        c.group.view()));
        }
    }

    JsonReader r_;
};

}  // namespace

Scenario Scenario::from_json(std::string_view text) {
    return Loader().load(text);
}

Scenario Scenario::default_scenario() {
    return from_json(default_json());
}

}  // namespace sim
ITSM_END_NAMESPACE

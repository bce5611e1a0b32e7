// The JSON form of routing rules. Every member is checked for its type on its JSON path;
// the builder (RoutingRules::add) then checks each rule on the same path.
#include <fmt/format.h>

#include "itsm/error.hpp"
#include "itsm/routing.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using detail::json;
using detail::JsonReader;

template <class T, class Read>
std::vector<T> list(const JsonReader& r, const json& obj, const std::string& path, const char* key,
                    Read read) {
    std::vector<T> out;
    if (!obj.contains(key)) return out;
    std::string p = JsonReader::child(path, key);
    const auto& arr = r.array(obj[key], p);
    for (std::size_t i = 0; i < arr.size(); ++i)
        out.push_back(read(arr[i], JsonReader::index(p, i)));
    return out;
}

RuleConditions read_when(const JsonReader& r, const json& w, const std::string& p) {
    r.object(w, p);
    r.only(w, p,
           {"kinds", "categories", "tags", "segments", "impacts", "urgencies", "priorities",
            "channels", "requester_groups", "title_words"});
    auto sym = [&](const json& j, const std::string& at) { return Symbol(r.string(j, at)); };
    auto str = [&](const json& j, const std::string& at) { return r.string(j, at); };
    auto level = [&](const json& j, const std::string& at) {
        long long v = r.integer(j, at);
        if (v < 1 || v > 31) r.fail(at, fmt::format("{} is outside 1..31", v));
        return static_cast<int>(v);
    };
    auto channel = [&](const json& j, const std::string& at) {
        std::string name = r.string(j, at);
        auto c = channel_from_string(name);
        if (!c) r.fail(at, fmt::format("unknown channel \"{}\"", name));
        return *c;
    };
    RuleConditions c;
    c.kinds = list<Symbol>(r, w, p, "kinds", sym);
    c.categories = list<Symbol>(r, w, p, "categories", sym);
    c.tags = list<std::string>(r, w, p, "tags", str);
    c.segments = list<Symbol>(r, w, p, "segments", sym);
    c.impacts = list<int>(r, w, p, "impacts", level);
    c.urgencies = list<int>(r, w, p, "urgencies", level);
    c.priorities = list<int>(r, w, p, "priorities", level);
    c.channels = list<Channel>(r, w, p, "channels", channel);
    c.requester_groups = list<Symbol>(r, w, p, "requester_groups", sym);
    c.title_words = list<std::string>(r, w, p, "title_words", str);
    return c;
}

RuleActions read_then(const JsonReader& r, const json& t, const std::string& p) {
    r.object(t, p);
    r.only(t, p,
           {"assignment_group", "assign", "assignee", "impact", "urgency", "add_tags",
            "add_watchers", "segment"});
    auto sym = [&](const char* key) {
        return t.contains(key) ? Symbol(r.string(t[key], JsonReader::child(p, key))) : Symbol{};
    };
    RuleActions a;
    a.assignment_group = sym("assignment_group");
    a.assignee = sym("assignee");
    a.segment = sym("segment");
    if (t.contains("assign")) {
        std::string mode = r.string(t["assign"], JsonReader::child(p, "assign"));
        if (mode == "user")
            a.assign = AssignMode::user;
        else if (mode == "round_robin")
            a.assign = AssignMode::round_robin;
        else if (mode == "least_loaded")
            a.assign = AssignMode::least_loaded;
        else
            r.fail(JsonReader::child(p, "assign"),
                   fmt::format("unknown mode \"{}\" (user, round_robin, least_loaded)", mode));
    } else if (!a.assignee.empty()) {
        a.assign = AssignMode::user;  // naming an assignee is explicit assignment
    }
    for (const char* key : {"impact", "urgency"})
        if (t.contains(key)) {
            long long v = r.integer(t[key], JsonReader::child(p, key));
            if (v < 1 || v > 31)
                r.fail(JsonReader::child(p, key), fmt::format("{} is out of range", v));
            (key[0] == 'i' ? a.impact : a.urgency) = static_cast<int>(v);
        }
    a.add_tags = list<std::string>(
        r, t, p, "add_tags", [&](const json& j, const std::string& at) { return r.string(j, at); });
    a.add_watchers =
        list<Symbol>(r, t, p, "add_watchers",
                     [&](const json& j, const std::string& at) { return Symbol(r.string(j, at)); });
    return a;
}

}  // namespace

RoutingRules RoutingRules::from_json(std::string_view text) {
    JsonReader r(Errc::invalid_config);
    auto doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"rules"});
    RoutingRules rules;
    if (!doc.contains("rules")) return rules;
    const auto& arr = r.array(doc["rules"], "rules");
    for (std::size_t i = 0; i < arr.size(); ++i) {
        std::string p = JsonReader::index("rules", i);
        r.object(arr[i], p);
        r.only(arr[i], p, {"id", "name", "when", "then", "continue"});
        for (const char* required : {"id", "then"})
            if (!arr[i].contains(required)) r.fail(JsonReader::child(p, required), "missing");
        RoutingRule rule;
        rule.id = Symbol(r.string(arr[i]["id"], p + ".id"));
        if (arr[i].contains("name")) rule.name = r.string(arr[i]["name"], p + ".name");
        if (arr[i].contains("when")) rule.when = read_when(r, arr[i]["when"], p + ".when");
        rule.then = read_then(r, arr[i]["then"], p + ".then");
        if (arr[i].contains("continue"))
            rule.continue_after = r.boolean(arr[i]["continue"], p + ".continue");
        rules.add(std::move(rule));
    }
    return rules;
}

std::string RoutingRules::to_json() const {
    auto names = [](const std::vector<Symbol>& v) {
        std::vector<std::string> out;
        for (auto s : v)
            out.push_back(s.str());
        return out;
    };
    json out = json::array();
    for (const auto& rule : rules_) {
        const auto& w = rule.when;
        json when = json::object();
        auto put = [&](const char* key, json value) {
            if (!value.empty()) when[key] = std::move(value);
        };
        put("kinds", names(w.kinds));
        put("categories", names(w.categories));
        put("tags", w.tags);
        put("segments", names(w.segments));
        put("impacts", w.impacts);
        put("urgencies", w.urgencies);
        put("priorities", w.priorities);
        std::vector<std::string> channels;
        for (auto c : w.channels)
            channels.emplace_back(to_string(c));
        put("channels", channels);
        put("requester_groups", names(w.requester_groups));
        put("title_words", w.title_words);
        const auto& a = rule.then;
        json then = json::object();
        if (!a.assignment_group.empty()) then["assignment_group"] = a.assignment_group.str();
        if (a.assign != AssignMode::none) then["assign"] = std::string(to_string(a.assign));
        if (!a.assignee.empty()) then["assignee"] = a.assignee.str();
        if (a.impact) then["impact"] = *a.impact;
        if (a.urgency) then["urgency"] = *a.urgency;
        if (!a.add_tags.empty()) then["add_tags"] = a.add_tags;
        if (!a.add_watchers.empty()) then["add_watchers"] = names(a.add_watchers);
        if (!a.segment.empty()) then["segment"] = a.segment.str();
        out.push_back({{"id", rule.id.str()},
                       {"name", rule.name},
                       {"when", when},
                       {"then", then},
                       {"continue", rule.continue_after}});
    }
    return json{{"rules", out}}.dump(2);
}

ITSM_END_NAMESPACE

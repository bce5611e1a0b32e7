// Workflows from JSON: the reader checks the shape of the document (types, unknown members)
// naming the JSON path; Workflows::add then checks the rules with the same paths.
#include <fmt/format.h>

#include "itsm/error.hpp"
#include "itsm/workflow.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using detail::json;
using detail::JsonReader;

class WorkflowReader {
  public:
    Workflow workflow(const std::string& id, const json& j, const std::string& p) const {
        r_.object(j, p);
        r_.only(j, p,
                {"kind", "model", "default", "label", "states", "initial", "transitions",
                 "on_requester_update", "rollup"});
        Workflow wf;
        wf.id = id;
        wf.kind = j.contains("kind") ? Symbol(r_.string(j["kind"], p + ".kind")) : wf.id;
        if (j.contains("model")) wf.model = r_.string(j["model"], p + ".model");
        if (j.contains("default")) wf.is_default = r_.boolean(j["default"], p + ".default");
        wf.states = list<StateDef>(
            j, p, "states", [&](const json& s, const std::string& sp) { return state(s, sp); });
        if (j.contains("initial")) wf.initial = symbols(j["initial"], p + ".initial");
        wf.transitions = list<Transition>(
            j, p, "transitions",
            [&](const json& t, const std::string& tp) { return transition(t, tp); });
        wf.on_requester_update =
            list<Trigger>(j, p, "on_requester_update", [&](const json& t, const std::string& tp) {
                r_.object(t, tp);
                r_.only(t, tp, {"transition", "when"});
                Trigger out;
                out.transition = required_string(t, tp, "transition");
                if (t.contains("when")) out.when = guards(t["when"], tp + ".when");
                return out;
            });
        if (j.contains("rollup")) wf.rollup = rollup(j["rollup"], p + ".rollup");
        return wf;
    }

  private:
    template <class T, class F>
    std::vector<T> list(const json& j, const std::string& p, const char* name, F&& each) const {
        std::vector<T> out;
        if (!j.contains(name)) return out;
        std::string lp = JsonReader::child(p, name);
        const auto& a = r_.array(j[name], lp);
        for (std::size_t i = 0; i < a.size(); ++i)
            out.push_back(each(a[i], JsonReader::index(lp, i)));
        return out;
    }

    std::string required_string(const json& j, const std::string& p, const char* name) const {
        if (!j.contains(name)) r_.fail(JsonReader::child(p, name), "missing");
        return r_.string(j[name], JsonReader::child(p, name));
    }

    std::vector<Symbol> symbols(const json& j, const std::string& p) const {
        std::vector<Symbol> out;
        r_.array(j, p);
        for (std::size_t i = 0; i < j.size(); ++i)
            out.emplace_back(r_.string(j[i], JsonReader::index(p, i)));
        return out;
    }

    Value value(const json& j, const std::string& p) const {
        if (j.is_string()) return j.get<std::string>();
        if (j.is_boolean()) return j.get<bool>();
        if (j.is_number_integer()) return j.get<std::int64_t>();
        if (j.is_null()) return Value{};
        r_.fail(p, "expected a string, an integer, true or false");
    }

    StateDef state(const json& j, const std::string& p) const {
        r_.object(j, p);
        r_.only(j, p, {"id", "label", "class", "approval"});
        StateDef s;
        s.id = required_string(j, p, "id");
        s.label = j.contains("label") ? r_.string(j["label"], p + ".label") : s.id.str();
        std::string cls = required_string(j, p, "class");
        auto c = state_class_from_string(cls);
        if (!c)
            r_.fail(p + ".class",
                    fmt::format("unknown class \"{}\" (new, active, pending, resolved, closed, "
                                "canceled)",
                                cls));
        s.cls = *c;
        if (j.contains("approval")) s.approval = approval(j["approval"], p + ".approval");
        return s;
    }

    ApprovalConfig approval(const json& j, const std::string& p) const {
        r_.object(j, p);
        r_.only(j, p, {"steps", "on_approved", "on_rejected"});
        ApprovalConfig a;
        a.steps = list<ApprovalStep>(
            j, p, "steps", [&](const json& s, const std::string& sp) { return step(s, sp); });
        if (a.steps.empty()) r_.fail(p + ".steps", "needs at least one step");
        if (j.contains("on_approved"))
            a.on_approved = r_.string(j["on_approved"], p + ".on_approved");
        if (j.contains("on_rejected"))
            a.on_rejected = r_.string(j["on_rejected"], p + ".on_rejected");
        return a;
    }

    ApprovalStep step(const json& j, const std::string& p) const {
        r_.object(j, p);
        r_.only(j, p, {"id", "when", "approvers", "rule", "n", "rejection_rejects"});
        ApprovalStep s;
        if (j.contains("id")) s.id = r_.string(j["id"], p + ".id");
        if (j.contains("when")) s.when = guards(j["when"], p + ".when");
        if (!j.contains("approvers")) r_.fail(p + ".approvers", "missing");
        std::string ap = p + ".approvers";
        const json& a = r_.object(j["approvers"], ap);
        r_.only(a, ap, {"users", "role", "group", "manager_of"});
        if (a.size() != 1) r_.fail(ap, "expected one of users, role, group, manager_of");
        if (a.contains("users")) {
            s.approvers.kind = Approvers::Kind::users;
            s.approvers.users = symbols(a["users"], ap + ".users");
        } else if (a.contains("role")) {
            s.approvers.kind = Approvers::Kind::role;
            s.approvers.role = r_.string(a["role"], ap + ".role");
        } else {
            bool manager = a.contains("manager_of");
            s.approvers.kind = manager ? Approvers::Kind::manager : Approvers::Kind::group;
            std::string gp = ap + (manager ? ".manager_of" : ".group");
            std::string g = r_.string(manager ? a["manager_of"] : a["group"], gp);
            if (g.empty()) r_.fail(gp, "must not be empty");
            if (g != "assignment_group") s.approvers.group = g;
        }
        std::string rule = j.contains("rule") ? r_.string(j["rule"], p + ".rule") : "any";
        if (rule == "any")
            s.rule = ApprovalRule::any;
        else if (rule == "all")
            s.rule = ApprovalRule::all;
        else if (rule == "n_of_m")
            s.rule = ApprovalRule::n_of_m;
        else
            r_.fail(p + ".rule", fmt::format("unknown rule \"{}\" (any, all, n_of_m)", rule));
        if (j.contains("n")) {
            if (s.rule != ApprovalRule::n_of_m) r_.fail(p + ".n", "only the n_of_m rule has n");
            long long n = r_.integer(j["n"], p + ".n");
            s.n = static_cast<int>(std::clamp<long long>(n, -1, 1000000));
        } else if (s.rule == ApprovalRule::n_of_m) {
            r_.fail(p + ".n", "missing");
        }
        if (j.contains("rejection_rejects"))
            s.rejection_rejects = r_.boolean(j["rejection_rejects"], p + ".rejection_rejects");
        return s;
    }

    std::vector<Guard> guards(const json& j, const std::string& p) const {
        std::vector<Guard> out;
        r_.array(j, p);
        for (std::size_t i = 0; i < j.size(); ++i)
            out.push_back(guard(j[i], JsonReader::index(p, i)));
        return out;
    }

    Guard guard(const json& j, const std::string& p) const {
        r_.object(j, p);
        if (j.contains("not")) {
            r_.only(j, p, {"not"});
            Guard g = guard(j["not"], p + ".not");
            g.negate = !g.negate;
            return g;
        }
        Guard g;
        if (j.contains("required")) {
            r_.only(j, p, {"required"});
            g.op = Guard::Op::required;
            g.fields = symbols(j["required"], p + ".required");
        } else if (j.contains("approvals")) {
            r_.only(j, p, {"approvals"});
            if (r_.string(j["approvals"], p + ".approvals") != "complete")
                r_.fail(p + ".approvals", "expected \"complete\"");
            g.op = Guard::Op::approvals_complete;
        } else if (j.contains("children")) {
            r_.only(j, p, {"children"});
            if (r_.string(j["children"], p + ".children") != "closed")
                r_.fail(p + ".children", "expected \"closed\"");
            g.op = Guard::Op::children_closed;
        } else if (j.contains("linked")) {
            r_.only(j, p, {"linked", "in"});
            g.op = Guard::Op::linked;
            std::string type = r_.string(j["linked"], p + ".linked");
            auto l = link_type_from_string(type);
            if (!l) r_.fail(p + ".linked", fmt::format("unknown link type \"{}\"", type));
            g.link = *l;
            if (j.contains("in")) g.states = symbols(j["in"], p + ".in");
        } else if (j.contains("field")) {
            comparison(j, p, g);
        } else {
            r_.fail(p, "expected one of required, field, approvals, children, linked, not");
        }
        return g;
    }

    void comparison(const json& j, const std::string& p, Guard& g) const {
        r_.only(j, p, {"field", "equals", "in", "lt", "le", "gt", "ge"});
        if (j.size() != 2) r_.fail(p, "expected field and one of equals, in, lt, le, gt, ge");
        g.fields.emplace_back(r_.string(j["field"], p + ".field"));
        static const std::pair<const char*, Guard::Op> ops[] = {{"equals", Guard::Op::equals},
                                                                {"lt", Guard::Op::lt},
                                                                {"le", Guard::Op::le},
                                                                {"gt", Guard::Op::gt},
                                                                {"ge", Guard::Op::ge}};
        for (auto [name, op] : ops)
            if (j.contains(name)) {
                g.op = op;
                g.values.push_back(value(j[name], JsonReader::child(p, name)));
            }
        if (j.contains("in")) {
            g.op = Guard::Op::in;
            const auto& a = r_.array(j["in"], p + ".in");
            for (std::size_t i = 0; i < a.size(); ++i)
                g.values.push_back(value(a[i], JsonReader::index(p + ".in", i)));
            if (g.values.empty()) r_.fail(p + ".in", "lists no value");
        }
    }

    Transition transition(const json& j, const std::string& p) const {
        r_.object(j, p);
        r_.only(
            j, p,
            {"id", "label", "from", "to", "permission", "guards", "inputs", "actions", "after"});
        Transition t;
        t.id = required_string(j, p, "id");
        t.label = j.contains("label") ? r_.string(j["label"], p + ".label") : t.id.str();
        if (!j.contains("from")) r_.fail(p + ".from", "missing");
        if (j["from"].is_string()) {
            if (j["from"].get<std::string>() != "any")
                r_.fail(p + ".from", "expected \"any\" or a list of states");
            t.from_any = true;
        } else {
            t.from = symbols(j["from"], p + ".from");
        }
        t.to = required_string(j, p, "to");
        if (j.contains("permission")) {
            t.permission = r_.string(j["permission"], p + ".permission");
            if (t.permission.empty()) r_.fail(p + ".permission", "must not be empty");
        }
        if (j.contains("guards")) t.guards = guards(j["guards"], p + ".guards");
        t.inputs = list<InputDef>(j, p, "inputs", [&](const json& i, const std::string& ip) {
            r_.object(i, ip);
            r_.only(i, ip, {"field", "required", "choices"});
            InputDef d;
            d.field = required_string(i, ip, "field");
            if (i.contains("required")) d.required = r_.boolean(i["required"], ip + ".required");
            if (i.contains("choices"))
                for (auto c : symbols(i["choices"], ip + ".choices"))
                    d.choices.push_back(c.str());
            return d;
        });
        t.actions = list<Action>(
            j, p, "actions", [&](const json& a, const std::string& ap) { return action(a, ap); });
        if (j.contains("after")) {
            std::string ap = p + ".after";
            t.after = j["after"].is_number_integer()
                          ? parse_duration(std::to_string(j["after"].get<long long>()), ap)
                          : parse_duration(r_.string(j["after"], ap), ap);
        }
        return t;
    }

    Action action(const json& j, const std::string& p) const {
        r_.object(j, p);
        Action a;
        auto single = [&](const char* name, Action::Op op) {
            if (!j.contains(name)) return false;
            a.op = op;
            a.field = r_.string(j[name], JsonReader::child(p, name));
            return true;
        };
        if (j.contains("cascade")) {  // first: a cascade has a "set" member of its own
            cascade(j, p, a);
        } else if (single("set", Action::Op::set)) {
            r_.only(j, p, {"set", "value"});
            if (!j.contains("value")) r_.fail(p + ".value", "missing");
            a.value = value(j["value"], p + ".value");
        } else if (single("clear", Action::Op::clear) || single("stamp", Action::Op::stamp) ||
                   single("unstamp", Action::Op::unstamp) ||
                   single("increment", Action::Op::increment)) {
            r_.only(j, p, {"clear", "stamp", "unstamp", "increment"});
        } else if (j.contains("emit")) {
            r_.only(j, p, {"emit"});
            a.op = Action::Op::emit;
            a.name = r_.string(j["emit"], p + ".emit");
        } else if (single("compute", Action::Op::compute)) {
            r_.only(j, p, {"compute", "cases", "otherwise"});
            a.cases = list<ComputeCase>(j, p, "cases", [&](const json& c, const std::string& cp) {
                r_.object(c, cp);
                r_.only(c, cp, {"when", "value"});
                ComputeCase out;
                if (c.contains("when")) out.when = guards(c["when"], cp + ".when");
                if (!c.contains("value")) r_.fail(cp + ".value", "missing");
                out.value = value(c["value"], cp + ".value");
                return out;
            });
            if (j.contains("otherwise")) a.value = value(j["otherwise"], p + ".otherwise");
        } else if (j.contains("create_tasks")) {
            r_.only(j, p, {"create_tasks"});
            a.op = Action::Op::create_tasks;
            a.tasks =
                list<TaskTemplate>(j, p, "create_tasks", [&](const json& t, const std::string& tp) {
                    r_.object(t, tp);
                    r_.only(t, tp, {"title", "description"});
                    TaskTemplate out;
                    out.title = required_string(t, tp, "title");
                    if (t.contains("description"))
                        out.description = r_.string(t["description"], tp + ".description");
                    return out;
                });
        } else {
            r_.fail(p,
                    "expected one of set, clear, stamp, unstamp, increment, compute, "
                    "create_tasks, cascade, emit");
        }
        return a;
    }

    void cascade(const json& j, const std::string& p, Action& a) const {
        r_.only(j, p, {"cascade", "link", "set"});
        a.op = Action::Op::cascade;
        a.transition = r_.string(j["cascade"], p + ".cascade");
        if (j.contains("link")) {
            std::string type = r_.string(j["link"], p + ".link");
            auto l = link_type_from_string(type);
            if (!l) r_.fail(p + ".link", fmt::format("unknown link type \"{}\"", type));
            a.link = *l;
        }
        if (j.contains("set")) {
            const auto& s = r_.object(j["set"], p + ".set");
            for (auto it = s.begin(); it != s.end(); ++it)
                a.cascade_inputs.emplace_back(
                    Symbol(it.key()), value(it.value(), JsonReader::child(p + ".set", it.key())));
        }
    }

    Rollup rollup(const json& j, const std::string& p) const {
        r_.object(j, p);
        r_.only(j, p, {"rules", "otherwise"});
        Rollup out;
        out.rules = list<RollupRule>(j, p, "rules", [&](const json& rj, const std::string& rp) {
            r_.object(rj, rp);
            r_.only(rj, rp, {"all_in", "any_in", "transition"});
            RollupRule rule;
            if (rj.contains("all_in") == rj.contains("any_in"))
                r_.fail(rp, "expected one of all_in, any_in");
            rule.all = rj.contains("all_in");
            rule.states = symbols(rule.all ? rj["all_in"] : rj["any_in"],
                                  rp + (rule.all ? ".all_in" : ".any_in"));
            rule.transition = required_string(rj, rp, "transition");
            return rule;
        });
        if (j.contains("otherwise")) out.otherwise = r_.string(j["otherwise"], p + ".otherwise");
        return out;
    }

    JsonReader r_{Errc::invalid_config};
};

}  // namespace

Workflows Workflows::from_json(std::string_view text) {
    JsonReader r(Errc::invalid_config);
    json doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"workflows"});
    if (!doc.contains("workflows")) r.fail("workflows", "missing");
    const json& all = r.object(doc["workflows"], "workflows");
    Workflows out;
    WorkflowReader reader;
    for (auto it = all.begin(); it != all.end(); ++it) {
        std::string p = JsonReader::child("workflows", it.key());
        out.add(reader.workflow(it.key(), it.value(), p));
    }
    return out;
}

TransitionInput transition_input_from_json(std::string_view text, const Schema& schema) {
    JsonReader r(Errc::invalid_argument);
    json doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"fields", "comment", "work_note", "version"});
    TransitionInput in;
    if (doc.contains("fields")) {
        const json& fields = r.object(doc["fields"], "fields");
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            std::string p = JsonReader::child("fields", it.key());
            const json& v = it.value();
            Value value;
            const CustomFieldDef* def =
                it.key().rfind("custom.", 0) == 0
                    ? schema.custom_field(Symbol::find(std::string_view(it.key()).substr(7)))
                    : nullptr;
            if (v.is_null()) {
                value = Value{};
            } else if (def && def->type == FieldType::integer && v.is_number_integer()) {
                value = v.get<std::int64_t>();
            } else if (def && def->type == FieldType::boolean && v.is_boolean()) {
                value = v.get<bool>();
            } else if (def && def->type == FieldType::instant && v.is_string()) {
                try {
                    value = parse_instant(v.get<std::string>());
                } catch (const Error& e) {
                    throw Error(Errc::validation_failed, it.key(), e.what());
                }
            } else if (v.is_string()) {
                value = v.get<std::string>();
            } else if (def) {
                throw Error(Errc::validation_failed, it.key(),
                            fmt::format("expected a value of type {}", to_string(def->type)));
            } else {
                r.fail(p, "expected a string or null");
            }
            in.fields.emplace_back(it.key(), std::move(value));
        }
    }
    if (doc.contains("comment")) in.comment = r.string(doc["comment"], "comment");
    if (doc.contains("work_note")) in.work_note = r.boolean(doc["work_note"], "work_note");
    if (doc.contains("version")) {
        long long v = r.integer(doc["version"], "version");
        if (v < 1) r.fail("version", "must be 1 or more");
        in.expected_version = static_cast<std::uint64_t>(v);
    }
    return in;
}

std::string to_json(const std::vector<TransitionOption>& options) {
    json out = json::array();
    for (const auto& o : options) {
        json inputs = json::array();
        for (const auto& i : o.inputs)
            inputs.push_back(
                {{"field", i.field.str()}, {"required", i.required}, {"choices", i.choices}});
        json j = {{"id", o.id.str()},
                  {"label", o.label},
                  {"to", o.to.str()},
                  {"available", o.available},
                  {"inputs", inputs}};
        j["rule"] = o.available ? json(nullptr) : json(o.rule);
        j["reason"] = o.available ? json(nullptr) : json(o.reason);
        out.push_back(std::move(j));
    }
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Workflows Workflows::itil() {
    static const Workflows preset = from_json(itil_json());
    return preset;
}

ITSM_END_NAMESPACE

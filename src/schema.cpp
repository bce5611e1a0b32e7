// Schema: kinds, priority matrix and custom fields, with their JSON form and validation.
#include "itsm/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "itsm/error.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

bool is_identifier(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

bool is_prefix(std::string_view s) {
    if (s.empty() || s.size() > 8) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

[[noreturn]] void config_error(const std::string& where, std::string_view message) {
    throw Error(Errc::invalid_config, where, message);
}

// The custom fields the ITIL workflow preset reads and sets (docs/workflows.md).
void add_itil_workflow_fields(Schema& s) {
    s.add_custom_field({"risk", FieldType::choice, {"low", "moderate", "high"}, {"change"}});
    for (const char* plan : {"implementation_plan", "backout_plan", "test_plan"})
        s.add_custom_field({plan, FieldType::text, {}, {"change"}});
    s.add_custom_field({"planned_start", FieldType::instant, {}, {"change"}});
    s.add_custom_field({"planned_end", FieldType::instant, {}, {"change"}});
    s.add_custom_field({"root_cause", FieldType::text, {}, {"problem"}});
    s.add_custom_field({"known_error", FieldType::boolean, {}, {"problem"}});
    s.add_custom_field({"workaround", FieldType::text, {}, {"problem"}});
    s.add_custom_field({"catalog_item", FieldType::text, {}, {"service_request"}});
    s.add_custom_field({"approval_required", FieldType::boolean, {}, {"service_request"}});
}

}  // namespace

std::string format_key(std::string_view prefix, std::uint64_t number) {
    return fmt::format("{}{:07}", prefix, number);
}

Schema Schema::itil() {
    Schema s;
    s.add_kind({"incident", "INC", "Incident"});
    s.add_kind({"service_request", "REQ", "Service request"});
    s.add_kind({"problem", "PRB", "Problem"});
    s.add_kind({"change", "CHG", "Change"});
    s.add_kind({"task", "TASK", "Task"});
    add_itil_workflow_fields(s);
    return s;
}

Schema& Schema::add_kind(KindDef kind) {
    std::string where = fmt::format("kinds.{}", kind.id.view());
    if (!is_identifier(kind.id.view()))
        config_error("kinds",
                     fmt::format("\"{}\" is not a valid kind id (a-z, 0-9, _)", kind.id.view()));
    if (this->kind(kind.id)) config_error(where, "duplicate kind id");
    if (!is_prefix(kind.prefix))
        config_error(where + ".prefix",
                     fmt::format("\"{}\" is not a key prefix (1 to 8 letters A-Z)", kind.prefix));
    for (const auto& k : kinds_)
        if (k.prefix == kind.prefix)
            config_error(where + ".prefix",
                         fmt::format("prefix \"{}\" is already used by kind \"{}\"", kind.prefix,
                                     k.id.view()));
    if (!is_identifier(kind.initial_state.view()))
        config_error(where + ".initial_state", "expected a state id (a-z, 0-9, _)");
    if (kind.label.empty()) kind.label = kind.id.str();
    kinds_.push_back(std::move(kind));
    return *this;
}

Schema& Schema::add_custom_field(CustomFieldDef field) {
    std::string where = fmt::format("custom_fields.{}", field.name.view());
    if (!is_identifier(field.name.view()))
        config_error("custom_fields", fmt::format("\"{}\" is not a valid field name (a-z, 0-9, _)",
                                                  field.name.view()));
    if (custom_field(field.name)) config_error(where, "duplicate custom field");
    if (field.type == FieldType::choice && field.choices.empty())
        config_error(where + ".choices", "a choice field needs at least one choice");
    if (field.type != FieldType::choice && !field.choices.empty())
        config_error(where + ".choices", "only a choice field has choices");
    std::set<std::string> seen;
    for (const auto& c : field.choices)
        if (c.empty() || !seen.insert(c).second)
            config_error(where + ".choices", fmt::format("empty or repeated choice \"{}\"", c));
    for (auto k : field.kinds)
        if (!kind(k)) config_error(where + ".kinds", fmt::format("unknown kind \"{}\"", k.view()));
    fields_.push_back(std::move(field));
    return *this;
}

Schema& Schema::set_priority_matrix(PriorityMatrix m) {
    if (m.impact_levels < 1 || m.impact_levels > 9 || m.urgency_levels < 1 || m.urgency_levels > 9)
        config_error("priority_matrix", "impact and urgency need 1 to 9 levels each");
    if (m.table.size() != std::size_t(m.impact_levels * m.urgency_levels))
        config_error(
            "priority_matrix",
            fmt::format("expected {} x {} = {} entries, got {}", m.impact_levels, m.urgency_levels,
                        m.impact_levels * m.urgency_levels, m.table.size()));
    for (std::size_t i = 0; i < m.table.size(); ++i)
        if (m.table[i] < 1 || m.table[i] > 9)
            config_error(
                fmt::format("priority_matrix[{}][{}]", i / m.urgency_levels, i % m.urgency_levels),
                fmt::format("priority {} is outside 1..9", m.table[i]));
    m.lowest = *std::max_element(m.table.begin(), m.table.end());
    matrix_ = std::move(m);
    return *this;
}

Schema& Schema::set_default_segment(Symbol segment) {
    if (segment.empty()) config_error("default_segment", "must not be empty");
    default_segment_ = segment;
    return *this;
}

const KindDef* Schema::kind(Symbol id) const noexcept {
    for (const auto& k : kinds_)
        if (k.id == id) return &k;
    return nullptr;
}

const CustomFieldDef* Schema::custom_field(Symbol name) const noexcept {
    for (const auto& f : fields_)
        if (f.name == name) return &f;
    return nullptr;
}

void Schema::check_custom(Symbol kind, std::string_view name, const Value& value) const {
    std::string where = fmt::format("custom.{}", name);
    const CustomFieldDef* def = custom_field(Symbol::find(name));
    if (!def) throw Error(Errc::validation_failed, where, "unknown custom field");
    if (!def->allowed_for(kind))
        throw Error(Errc::validation_failed, where,
                    fmt::format("not a field of kind \"{}\"", kind.view()));
    if (std::holds_alternative<std::monostate>(value)) return;  // clearing is always allowed
    bool ok = false;
    switch (def->type) {
        case FieldType::text:
            ok = std::holds_alternative<std::string>(value);
            break;
        case FieldType::integer:
            ok = std::holds_alternative<std::int64_t>(value);
            break;
        case FieldType::boolean:
            ok = std::holds_alternative<bool>(value);
            break;
        case FieldType::instant:
            ok = std::holds_alternative<Instant>(value);
            break;
        case FieldType::choice:
            if (auto s = std::get_if<std::string>(&value)) {
                if (std::find(def->choices.begin(), def->choices.end(), *s) == def->choices.end())
                    throw Error(Errc::validation_failed, where,
                                fmt::format("\"{}\" is not one of its choices", *s));
                ok = true;
            }
            break;
    }
    if (!ok)
        throw Error(Errc::validation_failed, where,
                    fmt::format("expected a value of type {}", to_string(def->type)));
}

void Schema::check_impact(int impact) const {
    if (impact < 1 || impact > matrix_.impact_levels)
        throw Error(Errc::validation_failed, "impact",
                    fmt::format("{} is outside 1..{}", impact, matrix_.impact_levels));
}
void Schema::check_urgency(int urgency) const {
    if (urgency < 1 || urgency > matrix_.urgency_levels)
        throw Error(Errc::validation_failed, "urgency",
                    fmt::format("{} is outside 1..{}", urgency, matrix_.urgency_levels));
}
void Schema::check_priority(int priority) const {
    if (priority < 1 || priority > matrix_.lowest)
        throw Error(Errc::validation_failed, "priority",
                    fmt::format("{} is outside 1..{}", priority, matrix_.lowest));
}

Schema Schema::from_json(std::string_view text) {
    detail::JsonReader r(Errc::invalid_config);
    using detail::JsonReader;
    auto doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"base", "kinds", "priority_matrix", "custom_fields", "default_segment"});

    Schema s;
    std::string base = doc.contains("base") ? r.string(doc["base"], "base") : "itil";
    if (base == "itil")
        s = itil();
    else if (base != "none")
        r.fail("base", fmt::format("\"{}\" is neither \"itil\" nor \"none\"", base));

    // Builder errors name a logical place ("kinds.<id>.prefix"); re-anchor them on the JSON
    // path of the entry (`kinds[2].prefix`).
    auto at = [&](const std::string& path, auto&& build) {
        try {
            build();
        } catch (const Error& e) {
            const std::string& where = e.where();
            auto second_dot = where.find('.', where.find('.') + 1);
            std::string tail = second_dot == std::string::npos ? "" : where.substr(second_dot);
            r.fail(path + tail, std::string(e.what()).substr(where.empty() ? 0 : where.size() + 2));
        }
    };

    if (doc.contains("kinds")) {
        const auto& kinds = r.array(doc["kinds"], "kinds");
        for (std::size_t i = 0; i < kinds.size(); ++i) {
            std::string p = JsonReader::index("kinds", i);
            const auto& k = r.object(kinds[i], p);
            r.only(k, p, {"id", "prefix", "label", "initial_state"});
            KindDef def;
            if (!k.contains("id")) r.fail(p + ".id", "missing");
            if (!k.contains("prefix")) r.fail(p + ".prefix", "missing");
            def.id = r.string(k["id"], p + ".id");
            if (!is_identifier(def.id.view()))
                r.fail(p + ".id",
                       fmt::format("\"{}\" is not a valid kind id (a-z, 0-9, _)", def.id.view()));
            def.prefix = r.string(k["prefix"], p + ".prefix");
            if (k.contains("label")) def.label = r.string(k["label"], p + ".label");
            if (k.contains("initial_state"))
                def.initial_state = r.string(k["initial_state"], p + ".initial_state");
            at(p, [&] { s.add_kind(std::move(def)); });
        }
    }
    if (doc.contains("priority_matrix")) {
        const auto& rows = r.array(doc["priority_matrix"], "priority_matrix");
        PriorityMatrix m;
        m.impact_levels = static_cast<int>(rows.size());
        m.urgency_levels = rows.empty() ? 0 : static_cast<int>(rows[0].size());
        m.table.clear();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            std::string p = JsonReader::index("priority_matrix", i);
            const auto& row = r.array(rows[i], p);
            if (row.size() != std::size_t(m.urgency_levels))
                r.fail(p, fmt::format("expected {} entries like the first row, got {}",
                                      m.urgency_levels, row.size()));
            for (std::size_t j = 0; j < row.size(); ++j)
                m.table.push_back(static_cast<int>(r.integer(row[j], JsonReader::index(p, j))));
        }
        s.set_priority_matrix(std::move(m));  // its errors already name the JSON path
    }
    if (doc.contains("custom_fields")) {
        const auto& fields = r.array(doc["custom_fields"], "custom_fields");
        for (std::size_t i = 0; i < fields.size(); ++i) {
            std::string p = JsonReader::index("custom_fields", i);
            const auto& f = r.object(fields[i], p);
            r.only(f, p, {"name", "type", "choices", "kinds"});
            CustomFieldDef def;
            if (!f.contains("name")) r.fail(p + ".name", "missing");
            def.name = r.string(f["name"], p + ".name");
            if (!is_identifier(def.name.view()))
                r.fail(p + ".name", fmt::format("\"{}\" is not a valid field name (a-z, 0-9, _)",
                                                def.name.view()));
            std::string type = f.contains("type") ? r.string(f["type"], p + ".type") : "text";
            auto t = field_type_from_string(type);
            if (!t)
                r.fail(p + ".type",
                       fmt::format("unknown type \"{}\" (text, integer, boolean, instant, choice)",
                                   type));
            def.type = *t;
            if (f.contains("choices")) {
                const auto& cs = r.array(f["choices"], p + ".choices");
                for (std::size_t j = 0; j < cs.size(); ++j)
                    def.choices.push_back(r.string(cs[j], JsonReader::index(p + ".choices", j)));
            }
            if (f.contains("kinds")) {
                const auto& ks = r.array(f["kinds"], p + ".kinds");
                for (std::size_t j = 0; j < ks.size(); ++j) {
                    std::string kp = JsonReader::index(p + ".kinds", j);
                    Symbol k = r.string(ks[j], kp);
                    if (!s.kind(k)) r.fail(kp, fmt::format("unknown kind \"{}\"", k.view()));
                    def.kinds.push_back(k);
                }
            }
            at(p, [&] { s.add_custom_field(std::move(def)); });
        }
    }
    if (doc.contains("default_segment")) {
        std::string seg = r.string(doc["default_segment"], "default_segment");
        if (seg.empty()) r.fail("default_segment", "must not be empty");
        s.set_default_segment(Symbol(seg));
    }
    return s;
}

std::string Schema::to_json() const {
    detail::json doc;
    doc["base"] = "none";
    auto& kinds = doc["kinds"] = detail::json::array();
    for (const auto& k : kinds_)
        kinds.push_back({{"id", k.id.str()},
                         {"prefix", k.prefix},
                         {"label", k.label},
                         {"initial_state", k.initial_state.str()}});
    auto& rows = doc["priority_matrix"] = detail::json::array();
    for (int i = 0; i < matrix_.impact_levels; ++i) {
        auto row = detail::json::array();
        for (int j = 0; j < matrix_.urgency_levels; ++j)
            row.push_back(matrix_.priority(i + 1, j + 1));
        rows.push_back(row);
    }
    auto& fields = doc["custom_fields"] = detail::json::array();
    for (const auto& f : fields_) {
        detail::json jf = {{"name", f.name.str()}, {"type", std::string(to_string(f.type))}};
        if (!f.choices.empty()) jf["choices"] = f.choices;
        if (!f.kinds.empty()) {
            auto ks = detail::json::array();
            for (auto k : f.kinds)
                ks.push_back(k.str());
            jf["kinds"] = ks;
        }
        fields.push_back(jf);
    }
    doc["default_segment"] = default_segment_.str();
    return doc.dump();
}

ITSM_END_NAMESPACE

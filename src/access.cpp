// Access policy: the permission vocabulary, presets, builders with validation and the JSON
// form. The compiled decision structure is in access_control.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "itsm/access.hpp"
#include "itsm/error.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

[[noreturn]] void refuse(const std::string& where, std::string_view why) {
    throw Error(Errc::invalid_config, where, why);
}

constexpr std::array<std::string_view, 17> fixed_permissions = {
    "ticket.create",   "ticket.read",      "ticket.update",    "ticket.delete",
    "ticket.assign",   "ticket.link",      "comment.public",   "comment.work_note",
    "work_notes.read", "history.read",     "approval.approve", "metrics.read",
    "manage.taxonomy", "manage.workflows", "manage.calendars", "manage.sla",
    "manage.grants"};

// The field groups a ticket view can omit: "ticket.read.<group>" (docs/access.md).
constexpr std::array<std::string_view, read_group_count> read_group_names = {
    "custom", "approvals", "resolution", "watchers"};

constexpr std::array<std::string_view, 12> field_groups = {
    "title",    "description", "impact",  "urgency", "priority", "channel",
    "category", "requester",   "segment", "tags",    "watchers", "custom"};

void check_id(const std::string& where, Symbol id) {
    auto v = id.view();
    if (v.empty()) refuse(where, "must not be empty");
    if (v.size() > 256) refuse(where, "is longer than 256 bytes");
    if (v.front() == ' ' || v.back() == ' ')
        refuse(where, fmt::format("\"{}\" has surrounding white space", v));
}

void check_permissions(const std::string& where, const std::vector<std::string>& permissions) {
    for (std::size_t i = 0; i < permissions.size(); ++i)
        if (!is_valid_permission(permissions[i]))
            refuse(fmt::format("{}[{}]", where, i),
                   fmt::format("unknown permission \"{}\"", permissions[i]));
}

using Perms = std::vector<std::string>;

Perms with(Perms base, std::initializer_list<std::string_view> more) {
    for (auto p : more)
        base.emplace_back(p);
    return base;
}

// The presets: what the usual ITSM roles may do on the segments they are granted on.
// Reading one's own tickets comes from the requester relationship, not from a role.
const std::vector<std::pair<std::string, Perms>>& presets() {
    static const std::vector<std::pair<std::string, Perms>> all = [] {
        // Staff who work tickets read every field group.
        Perms fields = {"ticket.read", "ticket.read.custom", "ticket.read.approvals",
                        "ticket.read.resolution", "ticket.read.watchers"};
        Perms work =
            with(fields, {"ticket.create", "ticket.update", "ticket.link", "comment.public",
                          "comment.work_note", "work_notes.read", "history.read", "transition.*"});
        Perms manager = with(work, {"ticket.assign", "metrics.read"});
        Perms admin = with(fields, {"transition.*"});
        for (auto p : fixed_permissions)
            if (p != "ticket.read") admin.emplace_back(p);
        return std::vector<std::pair<std::string, Perms>>{
            {"requester", {"ticket.create"}},
            {"service_desk_agent", with(work, {"ticket.assign"})},
            {"technician", work},
            {"incident_manager", manager},
            {"problem_manager", manager},
            {"change_manager", with(manager, {"approval.approve"})},
            {"cab_member", with(fields, {"comment.public", "comment.work_note", "work_notes.read",
                                         "history.read", "approval.approve"})},
            {"configuration_manager",
             with(fields, {"ticket.link", "comment.work_note", "work_notes.read", "history.read"})},
            // Harvests resolutions for articles: no internal custom data, approvals or
            // watch lists.
            {"knowledge_manager",
             {"ticket.read", "ticket.read.resolution", "comment.public", "history.read",
              "manage.taxonomy"}},
            {"service_level_manager",
             {"ticket.read", "ticket.read.resolution", "history.read", "metrics.read",
              "manage.calendars", "manage.sla"}},
            {"auditor", with(fields, {"work_notes.read", "history.read", "metrics.read"})},
            {"administrator", admin},
        };
    }();
    return all;
}

constexpr std::array<std::string_view, relationship_count> relationship_names = {
    "requester", "watcher", "assignee", "group_member", "approver"};

std::optional<Relationship> relationship_from_string(std::string_view s) {
    for (std::size_t i = 0; i < relationship_names.size(); ++i)
        if (relationship_names[i] == s) return static_cast<Relationship>(i + 1);
    return std::nullopt;
}

}  // namespace

std::string_view to_string(Relationship r) noexcept {
    if (r == Relationship::none) return "none";
    return relationship_names[static_cast<std::size_t>(r) - 1];
}

bool is_valid_permission(std::string_view name) noexcept {
    if (std::find(fixed_permissions.begin(), fixed_permissions.end(), name) !=
        fixed_permissions.end())
        return true;
    constexpr std::string_view transition = "transition.", update = "ticket.update.",
                               read = "ticket.read.";
    if (name.substr(0, read.size()) == read)
        return std::find(read_group_names.begin(), read_group_names.end(),
                         name.substr(read.size())) != read_group_names.end();
    if (name.substr(0, transition.size()) == transition) {
        auto id = name.substr(transition.size());
        return !id.empty() && id.find_first_of(" \t\n") == std::string_view::npos;
    }
    if (name.substr(0, update.size()) == update)
        return std::find(field_groups.begin(), field_groups.end(), name.substr(update.size())) !=
               field_groups.end();
    return false;
}

std::string_view field_group(std::string_view field) noexcept {
    if (field.substr(0, 7) == "custom.") return "custom";
    return field;
}

std::string_view to_string(ReadGroup g) noexcept {
    auto i = static_cast<std::size_t>(g);
    return i < read_group_names.size() ? read_group_names[i] : "";
}

std::optional<ReadGroup> read_group_of_field(std::string_view field) noexcept {
    if (field.substr(0, 7) == "custom.") return ReadGroup::custom;
    if (field == "approval" || field == "approval.approver") return ReadGroup::approvals;
    if (field == "resolution_code" || field == "resolution_notes" || field == "close_code" ||
        field == "hold_reason")
        return ReadGroup::resolution;
    if (field == "watchers") return ReadGroup::watchers;
    return std::nullopt;
}

Ticket trimmed(const Ticket& t, ReadGroups readable) {
    Ticket out = t;
    if (!(readable & bit(ReadGroup::custom))) out.custom.clear();
    if (!(readable & bit(ReadGroup::approvals))) out.approvals.clear();
    if (!(readable & bit(ReadGroup::resolution))) {
        out.hold_reason = {};
        out.resolution_code = {};
        out.resolution_notes.clear();
        out.close_code = {};
    }
    if (!(readable & bit(ReadGroup::watchers))) out.watchers.clear();
    return out;
}

std::vector<std::vector<std::string>> AccessPolicy::default_relationships() {
    // Order: requester, watcher, assignee, group_member, approver. A requester follows their
    // request's approvals, resolution and watch list but not its internal custom fields; a
    // watcher sees the resolution only; an approver sees the approvals and the custom fields
    // (cost, justification) they decide on.
    return {
        {"ticket.read", "ticket.read.approvals", "ticket.read.resolution", "ticket.read.watchers",
         "comment.public"},
        {"ticket.read", "ticket.read.resolution", "comment.public"},
        {"ticket.read", "ticket.read.custom", "ticket.read.approvals", "ticket.read.resolution",
         "ticket.read.watchers", "ticket.update", "comment.public", "comment.work_note",
         "work_notes.read", "history.read"},
        {"ticket.read", "ticket.read.custom", "ticket.read.approvals", "ticket.read.resolution",
         "ticket.read.watchers", "comment.public", "comment.work_note", "work_notes.read",
         "history.read"},
        {"ticket.read", "ticket.read.custom", "ticket.read.approvals", "approval.approve"},
    };
}

const std::vector<std::string>& AccessPolicy::preset_roles() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& [name, perms] : presets())
            out.push_back(name);
        return out;
    }();
    return names;
}

AccessPolicy& AccessPolicy::add_segment(SegmentDef s) {
    std::string where = "segments." + s.id.str();
    check_id(where + ".id", s.id);
    if (s.id == root_segment) refuse(where + ".id", "\"*\" is the implicit root");
    if (segment(s.id)) refuse(where, "a segment with this id already exists");
    if (s.parent == root_segment) s.parent = Symbol{};
    if (!s.parent.empty() && !segment(s.parent))
        refuse(where + ".parent",
               fmt::format("unknown segment \"{}\" (a parent is declared before its children)",
                           s.parent.view()));
    segments_.push_back(std::move(s));
    return *this;
}

AccessPolicy& AccessPolicy::add_role(RoleDef r) {
    std::string where = "roles." + r.id.str();
    check_id(where + ".id", r.id);
    if (role(r.id)) refuse(where, "a role with this id already exists");
    check_permissions(where + ".permissions", r.permissions);
    roles_.push_back(std::move(r));
    return *this;
}

AccessPolicy& AccessPolicy::add_preset_role(std::string_view preset) {
    for (const auto& [name, perms] : presets())
        if (name == preset) return add_role(RoleDef{Symbol(name), name, perms});
    refuse("preset", fmt::format("unknown preset role \"{}\"", preset));
}

AccessPolicy& AccessPolicy::add_grant(GrantDef g) {
    std::string where = fmt::format("grants[{}]", grants_.size());
    if (g.user.empty() == g.group.empty())
        refuse(where, "name exactly one principal: a user or a group");
    if (!role(g.role)) refuse(where + ".role", fmt::format("unknown role \"{}\"", g.role.view()));
    if (g.segment != root_segment && !segment(g.segment))
        refuse(where + ".segment", fmt::format("unknown segment \"{}\"", g.segment.view()));
    for (auto k : g.when.kinds)
        if (k.empty()) refuse(where + ".kinds", "a kind must not be empty");
    for (auto c : g.when.categories)
        if (c.empty()) refuse(where + ".categories", "a category must not be empty");
    grants_.push_back(std::move(g));
    return *this;
}

AccessPolicy& AccessPolicy::set_relationship(Relationship r, std::vector<std::string> permissions) {
    if (r == Relationship::none) refuse("relationships", "no relationship given");
    check_permissions(fmt::format("relationships.{}", to_string(r)), permissions);
    relationships_[static_cast<std::size_t>(r) - 1] = std::move(permissions);
    return *this;
}

const std::vector<std::string>& AccessPolicy::relationship(Relationship r) const {
    static const std::vector<std::string> none;
    return r == Relationship::none ? none : relationships_[static_cast<std::size_t>(r) - 1];
}

const SegmentDef* AccessPolicy::segment(Symbol id) const noexcept {
    for (const auto& s : segments_)
        if (s.id == id) return &s;
    return nullptr;
}

const RoleDef* AccessPolicy::role(Symbol id) const noexcept {
    for (const auto& r : roles_)
        if (r.id == id) return &r;
    return nullptr;
}

void AccessPolicy::check_principals(const Directory& directory) const {
    for (std::size_t i = 0; i < grants_.size(); ++i) {
        const auto& g = grants_[i];
        if (!g.user.empty() && !directory.user(g.user))
            refuse(fmt::format("grants[{}].user", i),
                   fmt::format("unknown user \"{}\"", g.user.view()));
        if (!g.group.empty() && !directory.group(g.group))
            refuse(fmt::format("grants[{}].group", i),
                   fmt::format("unknown group \"{}\"", g.group.view()));
    }
}

namespace {

using detail::JsonReader;
using json = detail::json;

std::vector<std::string> strings(const JsonReader& r, const json& j, const std::string& path) {
    std::vector<std::string> out;
    r.array(j, path);
    for (std::size_t i = 0; i < j.size(); ++i)
        out.push_back(r.string(j[i], JsonReader::index(path, i)));
    return out;
}

std::vector<Symbol> symbols(const JsonReader& r, const json& j, const std::string& path) {
    std::vector<Symbol> out;
    for (auto& s : strings(r, j, path))
        out.emplace_back(s);
    return out;
}

}  // namespace

namespace {

// Reads one policy document into the builders. Builder errors name a logical place
// ("roles.agent..."); they are re-anchored on the JSON path.
struct PolicyReader {
    JsonReader r{Errc::invalid_config};
    AccessPolicy p;

    template <typename Build>
    void at(const std::string& path, const std::string& logical, Build&& build) {
        try {
            build();
        } catch (const Error& e) {
            const std::string& where = e.where();
            std::string tail = where.rfind(logical, 0) == 0 ? where.substr(logical.size()) : "";
            r.fail(path + tail, std::string(e.what()).substr(where.size() + 2));
        }
    }
    std::string text_of(const json& obj, const std::string& path, const char* key, bool required) {
        if (!obj.contains(key)) {
            if (required) r.fail(JsonReader::child(path, key), "missing");
            return std::string();
        }
        return r.string(obj[key], JsonReader::child(path, key));
    }
    void segments(json& doc) {
        const auto& list = r.array(doc["segments"], "segments");
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string path = JsonReader::index("segments", i);
            const auto& s = r.object(list[i], path);
            r.only(s, path, {"id", "parent", "sealed", "name"});
            SegmentDef def;
            def.id = Symbol(text_of(s, path, "id", true));
            if (s.contains("parent") && !s["parent"].is_null())
                def.parent = Symbol(text_of(s, path, "parent", false));
            if (s.contains("sealed"))
                def.sealed = r.boolean(s["sealed"], JsonReader::child(path, "sealed"));
            def.name = text_of(s, path, "name", false);
            at(path, "segments." + def.id.str(), [&] { p.add_segment(std::move(def)); });
        }
    }
    void roles(json& doc) {
        const auto& list = r.array(doc["roles"], "roles");
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string path = JsonReader::index("roles", i);
            const auto& o = r.object(list[i], path);
            if (o.contains("preset")) {
                r.only(o, path, {"preset"});
                std::string preset = text_of(o, path, "preset", true);
                at(path, "roles." + preset, [&] { p.add_preset_role(preset); });
                continue;
            }
            r.only(o, path, {"id", "name", "permissions"});
            RoleDef def;
            def.id = Symbol(text_of(o, path, "id", true));
            def.name = text_of(o, path, "name", false);
            if (o.contains("permissions"))
                def.permissions =
                    strings(r, o["permissions"], JsonReader::child(path, "permissions"));
            at(path, "roles." + def.id.str(), [&] { p.add_role(std::move(def)); });
        }
    }
    void grants(json& doc) {
        const auto& list = r.array(doc["grants"], "grants");
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string path = JsonReader::index("grants", i);
            const auto& o = r.object(list[i], path);
            r.only(o, path,
                   {"user", "group", "role", "segment", "recursive", "kinds", "categories",
                    "open_only"});
            GrantDef g;
            g.user = Symbol(text_of(o, path, "user", false));
            g.group = Symbol(text_of(o, path, "group", false));
            g.role = Symbol(text_of(o, path, "role", true));
            g.segment = Symbol(text_of(o, path, "segment", true));
            if (o.contains("recursive"))
                g.recursive = r.boolean(o["recursive"], JsonReader::child(path, "recursive"));
            if (o.contains("kinds")) g.when.kinds = symbols(r, o["kinds"], path + ".kinds");
            if (o.contains("categories"))
                g.when.categories = symbols(r, o["categories"], path + ".categories");
            if (o.contains("open_only"))
                g.when.open_only = r.boolean(o["open_only"], JsonReader::child(path, "open_only"));
            at(path, path, [&] { p.add_grant(std::move(g)); });
        }
    }
    void relationships(json& doc) {
        const auto& rel = r.object(doc["relationships"], "relationships");
        for (auto it = rel.begin(); it != rel.end(); ++it) {
            std::string path = JsonReader::child("relationships", it.key());
            auto which = relationship_from_string(it.key());
            if (!which) r.fail(path, "unknown relationship");
            auto perms = strings(r, it.value(), path);
            at(path, path, [&] { p.set_relationship(*which, std::move(perms)); });
        }
    }
};

}  // namespace

AccessPolicy AccessPolicy::from_json(std::string_view text) {
    PolicyReader reader;
    auto doc = reader.r.parse(text, "(document)");
    reader.r.object(doc, "");
    reader.r.only(doc, "", {"segments", "roles", "grants", "relationships"});
    if (doc.contains("segments")) reader.segments(doc);
    if (doc.contains("roles")) reader.roles(doc);
    if (doc.contains("grants")) reader.grants(doc);
    if (doc.contains("relationships")) reader.relationships(doc);
    return std::move(reader.p);
}

std::string to_json(const Explanation& x) {
    const Decision& d = x.decision;
    json o = {{"allowed", d.allowed},
              {"system", d.system},
              {"grant", d.grant >= 0 ? json(d.grant) : json(nullptr)},
              {"relationship", d.relationship == Relationship::none
                                   ? json(nullptr)
                                   : json(std::string(to_string(d.relationship)))},
              {"reason", x.reason}};
    return o.dump();
}

std::string AccessPolicy::to_json() const {
    json segs = json::array(), roles = json::array(), grants = json::array(), rels = json::object();
    auto texts = [](const std::vector<Symbol>& v) {
        std::vector<std::string> out;
        for (auto s : v)
            out.push_back(s.str());
        return out;
    };
    for (const auto& s : segments_)
        segs.push_back({{"id", s.id.str()},
                        {"parent", s.parent.empty() ? json(nullptr) : json(s.parent.str())},
                        {"sealed", s.sealed},
                        {"name", s.name}});
    for (const auto& r : roles_)
        roles.push_back({{"id", r.id.str()}, {"name", r.name}, {"permissions", r.permissions}});
    for (const auto& g : grants_) {
        json o = {{"role", g.role.str()}, {"segment", g.segment.str()}, {"recursive", g.recursive}};
        if (!g.user.empty()) o["user"] = g.user.str();
        if (!g.group.empty()) o["group"] = g.group.str();
        if (!g.when.kinds.empty()) o["kinds"] = texts(g.when.kinds);
        if (!g.when.categories.empty()) o["categories"] = texts(g.when.categories);
        if (g.when.open_only) o["open_only"] = true;
        grants.push_back(std::move(o));
    }
    for (std::size_t i = 0; i < relationships_.size(); ++i)
        rels[std::string(relationship_names[i])] = relationships_[i];
    return json{{"segments", segs}, {"roles", roles}, {"grants", grants}, {"relationships", rels}}
        .dump(2);
}

ITSM_END_NAMESPACE

// Directory builders, lookups and its JSON form.
#include "itsm/directory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "itsm/error.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

[[noreturn]] void refuse(const std::string& where, std::string_view why) {
    throw Error(Errc::invalid_config, where, why);
}

void check_id(const std::string& where, Symbol id) {
    // Logical places are "users.<id>" / "groups.<id>"; an id error is about ".id".
    auto v = id.view();
    if (v.empty()) refuse(where, "must not be empty");
    if (v.size() > 256) refuse(where, "is longer than 256 bytes");
    if (v.front() == ' ' || v.back() == ' ' || v.front() == '\t' || v.back() == '\t')
        refuse(where, fmt::format("\"{}\" has surrounding white space", v));
}

}  // namespace

Directory& Directory::add_user(UserDef u) {
    check_id("users." + u.id.str() + ".id", u.id);
    if (user(u.id)) refuse("users." + u.id.str(), "a user with this id already exists");
    user_at_.emplace(u.id, users_.size());
    users_.push_back(std::move(u));
    return *this;
}

Directory& Directory::add_group(GroupDef g) {
    check_id("groups." + g.id.str() + ".id", g.id);
    std::string where = "groups." + g.id.str();
    if (group(g.id)) refuse(where, "a group with this id already exists");
    if (!g.manager.empty() && !user(g.manager))
        refuse(where + ".manager", fmt::format("unknown user \"{}\"", g.manager.view()));
    std::unordered_set<Symbol> members;
    for (auto m : g.members) {
        if (!user(m)) refuse(where + ".members", fmt::format("unknown user \"{}\"", m.view()));
        if (!members.insert(m).second)
            refuse(where + ".members", fmt::format("\"{}\" is listed twice", m.view()));
    }
    // Checked whole above: from here nothing throws but allocation.
    std::size_t at = groups_.size();
    group_at_.emplace(g.id, at);
    for (auto m : g.members)
        groups_of_[m].push_back(at);
    groups_.push_back(std::move(g));
    return *this;
}

Directory& Directory::set_available(Symbol id, bool available) {
    if (auto it = user_at_.find(id); it != user_at_.end()) {
        users_[it->second].available = available;
        return *this;
    }
    throw Error(Errc::not_found, "user", fmt::format("unknown user \"{}\"", id.view()));
}

const UserDef* Directory::user(Symbol id) const noexcept {
    auto it = user_at_.find(id);
    return it == user_at_.end() ? nullptr : &users_[it->second];
}

const GroupDef* Directory::group(Symbol id) const noexcept {
    auto it = group_at_.find(id);
    return it == group_at_.end() ? nullptr : &groups_[it->second];
}

std::vector<Symbol> Directory::groups_of(Symbol user) const {
    std::vector<Symbol> out;
    if (auto it = groups_of_.find(user); it != groups_of_.end())
        for (auto at : it->second)
            out.push_back(groups_[at].id);
    return out;
}

bool Directory::is_member(Symbol user, Symbol group_id) const noexcept {
    auto g = group_at_.find(group_id);
    auto of = groups_of_.find(user);
    if (g == group_at_.end() || of == groups_of_.end()) return false;
    // A user belongs to few groups: scanning them beats scanning a large group's members.
    return std::find(of->second.begin(), of->second.end(), g->second) != of->second.end();
}

Directory Directory::from_json(std::string_view text) {
    detail::JsonReader r(Errc::invalid_config);
    using detail::JsonReader;
    auto doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"users", "groups"});
    Directory d;
    // Builder errors name a logical place; re-anchor them on the entry's JSON path.
    auto at = [&](const std::string& path, const std::string& logical, auto&& build) {
        try {
            build();
        } catch (const Error& e) {
            const std::string& where = e.where();
            std::string tail = where.rfind(logical, 0) == 0 ? where.substr(logical.size()) : "";
            r.fail(path + tail, std::string(e.what()).substr(where.size() + 2));
        }
    };
    auto id_of = [&](const auto& obj, const std::string& p) {
        if (!obj.contains("id")) r.fail(JsonReader::child(p, "id"), "missing");
        return Symbol(r.string(obj["id"], JsonReader::child(p, "id")));
    };
    if (doc.contains("users")) {
        const auto& users = r.array(doc["users"], "users");
        for (std::size_t i = 0; i < users.size(); ++i) {
            std::string p = JsonReader::index("users", i);
            const auto& u = r.object(users[i], p);
            r.only(u, p, {"id", "name", "available"});
            UserDef def;
            def.id = id_of(u, p);
            if (u.contains("name")) def.name = r.string(u["name"], JsonReader::child(p, "name"));
            if (u.contains("available"))
                def.available = r.boolean(u["available"], JsonReader::child(p, "available"));
            at(p, "users." + def.id.str(), [&] { d.add_user(std::move(def)); });
        }
    }
    if (doc.contains("groups")) {
        const auto& groups = r.array(doc["groups"], "groups");
        for (std::size_t i = 0; i < groups.size(); ++i) {
            std::string p = JsonReader::index("groups", i);
            const auto& g = r.object(groups[i], p);
            r.only(g, p, {"id", "name", "manager", "members"});
            GroupDef def;
            def.id = id_of(g, p);
            if (g.contains("name")) def.name = r.string(g["name"], JsonReader::child(p, "name"));
            if (g.contains("manager") && !g["manager"].is_null())
                def.manager = Symbol(r.string(g["manager"], JsonReader::child(p, "manager")));
            if (g.contains("members")) {
                std::string mp = JsonReader::child(p, "members");
                const auto& members = r.array(g["members"], mp);
                for (std::size_t k = 0; k < members.size(); ++k)
                    def.members.emplace_back(r.string(members[k], JsonReader::index(mp, k)));
            }
            at(p, "groups." + def.id.str(), [&] { d.add_group(std::move(def)); });
        }
    }
    return d;
}

std::string Directory::to_json() const {
    using json = nlohmann::json;
    json users = json::array();
    for (const auto& u : users_)
        users.push_back({{"id", u.id.str()}, {"name", u.name}, {"available", u.available}});
    json groups = json::array();
    for (const auto& g : groups_) {
        std::vector<std::string> members;
        for (auto m : g.members)
            members.push_back(m.str());
        groups.push_back({{"id", g.id.str()},
                          {"name", g.name},
                          {"manager", g.manager.empty() ? json(nullptr) : json(g.manager.str())},
                          {"members", members}});
    }
    return json{{"users", users}, {"groups", groups}}.dump(2);
}

ITSM_END_NAMESPACE

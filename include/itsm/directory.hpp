// Directory: the people of the service desk. Users (with availability, for assignment) and
// groups (members and a manager). Access control resolves an actor's groups from it,
// workflows expand group approvers and find a group's manager, routing assigns inside a
// group. Pure data: no storage, no clock.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "itsm/symbol.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

struct UserDef {
    Symbol id;              // stable id, e.g. "alice"
    std::string name;       // display name
    bool available = true;  // false: on leave, skipped by automatic assignment
};

struct GroupDef {
    Symbol id;                    // stable id, e.g. "service_desk"
    std::string name;             // display name
    Symbol manager;               // optional: a user id
    std::vector<Symbol> members;  // user ids
};

class Directory {
  public:
    // Builders; each validates its argument and throws Error(invalid_config): a duplicate
    // id, an id that is empty or has surrounding white space, a member or manager that is
    // not a known user.
    Directory& add_user(UserDef user);
    Directory& add_group(GroupDef group);
    // Throws Error(not_found) for an unknown user.
    Directory& set_available(Symbol user, bool available);

    // {"users": [{"id", "name", "available"}], "groups": [{"id", "name", "manager",
    // "members"}]}; refused whole with Errc::invalid_config naming the JSON path.
    static Directory from_json(std::string_view json_text);
    std::string to_json() const;

    const std::vector<UserDef>& users() const noexcept { return users_; }
    const std::vector<GroupDef>& groups() const noexcept { return groups_; }
    const UserDef* user(Symbol id) const noexcept;
    const GroupDef* group(Symbol id) const noexcept;
    // The groups `user` belongs to, in the order they were added (empty when unknown).
    std::vector<Symbol> groups_of(Symbol user) const;
    bool is_member(Symbol user, Symbol group) const noexcept;
    bool empty() const noexcept { return users_.empty() && groups_.empty(); }

  private:
    std::vector<UserDef> users_;
    std::vector<GroupDef> groups_;
    // Indexes into users_ / groups_ (positions stay valid: entries are only appended), and
    // each user's groups as positions in groups_, in the order the groups were added.
    std::unordered_map<Symbol, std::size_t> user_at_;
    std::unordered_map<Symbol, std::size_t> group_at_;
    std::unordered_map<Symbol, std::vector<std::size_t>> groups_of_;
};

ITSM_END_NAMESPACE

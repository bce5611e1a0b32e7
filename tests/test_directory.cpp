#include "itsm/directory.hpp"

#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace itsm;
using itsm_test::error_of;

TEST_CASE("directory: users, groups, membership and availability") {
    Directory d;
    d.add_user({"alice", "Alice", true})
        .add_user({"bob", "Bob", true})
        .add_user({"carol", "", true});
    d.add_group({"service_desk", "Service Desk", "alice", {"alice", "bob"}});
    d.add_group({"network", "Network", {}, {"bob"}});
    CHECK(d.groups_of("bob") == std::vector<Symbol>{"service_desk", "network"});
    CHECK(d.groups_of("carol").empty());
    CHECK(d.groups_of("nobody").empty());
    CHECK(d.is_member("alice", "service_desk"));
    CHECK_FALSE(d.is_member("alice", "network"));
    CHECK_FALSE(d.is_member("alice", "nowhere"));
    CHECK(d.group("service_desk")->manager == "alice");
    d.set_available("bob", false);
    CHECK_FALSE(d.user("bob")->available);
    error_of([&] { d.set_available("zed", false); }, Errc::not_found);
}

TEST_CASE("directory: builder refusals name the place and change nothing") {
    Directory d;
    d.add_user({"alice", "", true});
    CHECK(error_of(
              [&] {
                  d.add_user({"alice", "", true});
              },
              Errc::invalid_config) == "users.alice: a user with this id already exists");
    error_of([&] { d.add_user({"", "", true}); }, Errc::invalid_config);
    error_of([&] { d.add_user({" bob", "", true}); }, Errc::invalid_config);
    CHECK(error_of(
              [&] {
                  d.add_group({"g", "", "zed", {}});
              },
              Errc::invalid_config) == "groups.g.manager: unknown user \"zed\"");
    CHECK(error_of(
              [&] {
                  d.add_group({"g", "", {}, {"alice", "alice"}});
              },
              Errc::invalid_config) == "groups.g.members: \"alice\" is listed twice");
    CHECK(d.users().size() == 1);
    CHECK(d.groups().empty());
}

TEST_CASE("directory: JSON round trip, and bad documents refused with the path") {
    auto d = Directory::from_json(R"({
        "users": [{"id": "alice", "name": "Alice"}, {"id": "bob", "available": false}],
        "groups": [{"id": "cab", "name": "CAB", "manager": "alice", "members": ["alice", "bob"]}]
    })");
    CHECK(d.users().size() == 2);
    CHECK_FALSE(d.user("bob")->available);
    CHECK(d.is_member("bob", "cab"));
    auto again = Directory::from_json(d.to_json());
    CHECK(again.to_json() == d.to_json());

    CHECK(error_of([] { Directory::from_json(R"({"users": [{"name": "x"}]})"); },
                   Errc::invalid_config) == "users[0].id: missing");
    CHECK(error_of([] { Directory::from_json(R"({"users": [{"id": "a"}, {"id": "a"}]})"); },
                   Errc::invalid_config) == "users[1]: a user with this id already exists");
    CHECK(
        error_of(
            [] {
                Directory::from_json(
                    R"({"users": [{"id": "a"}], "groups": [{"id": "g", "members": ["a", "b"]}]})");
            },
            Errc::invalid_config) == "groups[0].members: unknown user \"b\"");
    CHECK(error_of([] { Directory::from_json(R"({"people": []})"); }, Errc::invalid_config) ==
          "people: unknown member");
    error_of([] { Directory::from_json(R"({"users": [{"id": 7}]})"); }, Errc::invalid_config);
}

TEST_CASE("directory: the engine holds one and hands out snapshots") {
    itsm_test::Desk d;
    CHECK(d.engine.directory().users().size() == 2);  // the fixture's alice and bob
    Directory dir;
    dir.add_user({"alice", "Alice", true});
    d.engine.set_directory(d.alice, dir);
    auto snapshot = d.engine.directory();
    dir.add_user({"bob", "Bob", true});
    CHECK(snapshot.users().size() == 1);
    CHECK(d.engine.directory().users().size() == 1);
}

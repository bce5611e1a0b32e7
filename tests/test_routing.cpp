#include "itsm/routing.hpp"

#include <doctest/doctest.h>

#include <thread>

#include "helpers.hpp"
#include "itsm/schema.hpp"
#include "itsm/taxonomy.hpp"

using namespace itsm;
using itsm_test::Desk;
using itsm_test::error_of;
using itsm_test::refused_unchanged;

namespace {

const char* directory_json = R"({
  "users": [{"id": "alice"}, {"id": "bob"}, {"id": "carol"}, {"id": "dave"},
            {"id": "erin", "available": false}, {"id": "vip"}],
  "groups": [{"id": "service_desk", "members": ["alice", "bob"]},
             {"id": "network", "members": ["carol", "dave", "erin"]},
             {"id": "executives", "members": ["vip"]}]})";

const char* taxonomy_json = R"({"categories": [
  {"id": "hardware", "name": "Hardware"},
  {"id": "laptop", "name": "Laptop", "parent": "hardware"},
  {"id": "network", "name": "Network"},
  {"id": "vpn", "name": "VPN", "parent": "network"},
  {"id": "wifi", "name": "Wi-Fi", "parent": "network"}]})";

// A desk with people and a tree, ready for rules.
struct RoutedDesk : Desk {
    RoutedDesk() {
        engine.set_directory(alice, Directory::from_json(directory_json));
        engine.set_taxonomy(alice, Taxonomy::from_json(taxonomy_json));
    }
    void rules(const std::string& json) {
        engine.set_routing(alice, RoutingRules::from_json(json));
    }
    Ticket file(std::string title, Symbol category = {}, Symbol requester = {}) {
        NewTicket in;
        in.kind = "incident";
        in.title = std::move(title);
        in.category = category;
        in.requester = requester;
        return engine.create(alice, in);
    }
};

std::string rules_error(const std::string& json) {
    return error_of([&] { RoutingRules::from_json(json); }, Errc::invalid_config);
}

std::string set_error(RoutedDesk& d, const std::string& json) {
    return error_of([&] { d.rules(json); }, Errc::invalid_config);
}

// The events after creation, as "actor field=new".
std::vector<std::string> changes(Desk& d, TicketId id) {
    std::vector<std::string> out;
    for (const auto& e : d.engine.history(d.alice, id))
        if (e.type == EventType::field_changed)
            out.push_back(e.actor.str() + " " + e.field.str() + "=" + value_to_text(e.new_value));
    return out;
}

}  // namespace

TEST_CASE("routing JSON: unknown fields and malformed rules are refused with their path") {
    CHECK(rules_error(R"({"rules":[{"id":"r","when":{"colour":["red"]},"then":{"impact":1}}]})") ==
          "rules[0].when.colour: unknown member");
    CHECK(rules_error(R"({"rules":[{"id":"r","then":{"owner":"bob"}}]})") ==
          "rules[0].then.owner: unknown member");
    CHECK(rules_error(R"({"rules":[{"id":"r","then":{"assign":"random"}}]})") ==
          "rules[0].then.assign: unknown mode \"random\" (user, round_robin, least_loaded)");
    CHECK(rules_error(R"({"rules":[{"id":"r","then":{"assign":"user"}}]})") ==
          "rules[0].then.assignee: \"assign\": \"user\" needs an assignee");
    CHECK(rules_error(R"({"rules":[{"id":"r","then":{}}]})") ==
          "rules[0].then: the rule has no action");
    CHECK(rules_error(R"({"rules":[{"id":"r","then":{"impact":1}},
                                   {"id":"r","then":{"impact":2}}]})") ==
          "rules[1].id: duplicate rule id \"r\"");
    CHECK(rules_error(R"({"rules":[{"id":"r","when":{"title_words":["two words"]},
                                    "then":{"impact":1}}]})") ==
          "rules[0].when.title_words[0]: \"two words\" is not one word (letters and digits)");
    CHECK(
        rules_error(R"({"rules":[{"id":"r","when":{"channels":["fax"]},"then":{"impact":1}}]})") ==
        "rules[0].when.channels[0]: unknown channel \"fax\"");
    CHECK(rules_error(R"({"rules":[{"then":{"impact":1}}]})") == "rules[0].id: missing");
    CHECK(rules_error(R"({"rules":[{"id":"r","when":{"impacts":[0]},"then":{"impact":1}}]})") ==
          "rules[0].when.impacts[0]: 0 is outside 1..31");
}

TEST_CASE("routing: set_routing checks names against the directory, taxonomy and schema") {
    RoutedDesk d;
    d.rules(R"({"rules":[{"id":"keep","then":{"add_tags":["seen"]}}]})");
    CHECK(set_error(d, R"({"rules":[{"id":"r","then":{"assignment_group":"netwrk"}}]})") ==
          "rules[0].then.assignment_group: unknown group \"netwrk\"");
    CHECK(set_error(d, R"({"rules":[{"id":"r","then":{"assignee":"zed"}}]})") ==
          "rules[0].then.assignee: unknown user \"zed\"");
    CHECK(set_error(d, R"({"rules":[{"id":"r","then":{"assignment_group":"network",
                                                       "assignee":"alice"}}]})") ==
          "rules[0].then.assignee: \"alice\" is not a member of \"network\"");
    CHECK(set_error(d, R"({"rules":[{"id":"r","then":{"add_watchers":["bob","zed"]}}]})") ==
          "rules[0].then.add_watchers[1]: unknown user \"zed\"");
    CHECK(set_error(d, R"({"rules":[{"id":"ok","then":{"impact":1}},
                          {"id":"r","when":{"requester_groups":["board"]},"then":{"impact":1}}]})") ==
          "rules[1].when.requester_groups[0]: unknown group \"board\"");
    CHECK(set_error(d, R"({"rules":[{"id":"r","when":{"categories":["printer"]},
                                     "then":{"impact":1}}]})") ==
          "rules[0].when.categories[0]: unknown category \"printer\"");
    CHECK(set_error(d, R"({"rules":[{"id":"r","when":{"kinds":["bug"]},"then":{"impact":1}}]})") ==
          "rules[0].when.kinds[0]: unknown kind \"bug\"");
    CHECK(set_error(d, R"({"rules":[{"id":"r","then":{"impact":4}}]})") ==
          "rules[0].then.impact: 4 is outside 1..3");
    CHECK(set_error(d, R"({"rules":[{"id":"r","when":{"priorities":[6]},"then":{"impact":1}}]})") ==
          "rules[0].when.priorities[0]: 6 is outside 1..5");
    // Every refusal left the rules that were in force.
    REQUIRE(d.engine.routing().rules().size() == 1);
    CHECK(d.engine.routing().rules()[0].id == "keep");
}

TEST_CASE("routing: first match wins, events are attributed to the rule") {
    RoutedDesk d;
    d.rules(R"({"rules":[
      {"id":"net","when":{"categories":["network"]},
       "then":{"assignment_group":"network","add_tags":["Net"],"impact":1}},
      {"id":"fallback","then":{"assignment_group":"service_desk"}}]})");
    Ticket t = d.file("VPN is down", "vpn");  // vpn is below network
    CHECK(t.assignment_group == "network");
    CHECK(t.has_tag("net"));
    CHECK(t.impact == 1);
    CHECK(t.priority == 3);  // from the matrix, impact 1 x urgency 3
    CHECK(changes(d, t.id) == std::vector<std::string>{"rule:net impact=1", "rule:net priority=3",
                                                       "rule:net assignment_group=network",
                                                       "rule:net tags=net"});
    auto h = d.engine.history(d.alice, t.id);
    CHECK(h[0].type == EventType::created);
    CHECK(h[0].actor == "alice");
    Ticket other = d.file("Laptop broken", "laptop");
    CHECK(other.assignment_group == "service_desk");
    CHECK(changes(d, other.id) ==
          std::vector<std::string>{"rule:fallback assignment_group=service_desk"});
    // The ticket as stored is the ticket as routed.
    CHECK(d.engine.get(d.alice, t.id).assignment_group == "network");
    CHECK(d.engine.get(d.alice, t.id).version == 1);
}

TEST_CASE("routing: continue runs later rules; later rules see earlier actions") {
    RoutedDesk d;
    d.rules(R"({"rules":[
      {"id":"major","when":{"title_words":["outage"]},"then":{"impact":1,"urgency":1},
       "continue":true},
      {"id":"p1","when":{"priorities":[1]},"then":{"add_watchers":["vip"],"add_tags":["p1"]}},
      {"id":"never","then":{"add_tags":["never"]}}]})");
    Ticket t = d.file("Mail OUTAGE in Berlin");
    CHECK(t.priority == 1);
    CHECK(t.has_watcher("vip"));
    CHECK(t.has_tag("p1"));
    CHECK_FALSE(t.has_tag("never"));
    Ticket calm = d.file("Outages report for March");  // "outages" is not the word "outage"
    CHECK(calm.has_tag("never"));
    CHECK(calm.priority == 5);
}

TEST_CASE("routing: conditions on tags, channel, segment, impact and requester's group") {
    RoutedDesk d;
    d.rules(R"({"rules":[
      {"id":"exec","when":{"requester_groups":["executives"]},"then":{"add_tags":["exec"]}},
      {"id":"phone","when":{"channels":["phone"],"impacts":[1,2]},"then":{"add_tags":["call"]}},
      {"id":"vpn","when":{"tags":["VPN"],"segments":["global"]},
       "then":{"segment":"emea","add_tags":["moved"]}}]})");
    CHECK(d.file("Help", {}, "vip").has_tag("exec"));
    CHECK_FALSE(d.file("Help", {}, "bob").has_tag("exec"));
    NewTicket in;
    in.kind = "incident";
    in.title = "Call me";
    in.channel = Channel::phone;
    in.impact = 2;
    CHECK(d.engine.create(d.alice, in).has_tag("call"));
    in.impact = 3;
    CHECK_FALSE(d.engine.create(d.alice, in).has_tag("call"));
    in.channel = Channel::email;
    in.tags = {"vpn"};
    Ticket t = d.engine.create(d.alice, in);
    CHECK(t.segment == "emea");
    CHECK(t.has_tag("moved"));
}

TEST_CASE("routing: round robin and least loaded skip unavailable members") {
    RoutedDesk d;
    d.rules(R"({"rules":[
      {"id":"rr","when":{"categories":["vpn"]},
       "then":{"assignment_group":"network","assign":"round_robin"}},
      {"id":"ll","when":{"categories":["wifi"]},
       "then":{"assignment_group":"network","assign":"least_loaded"}},
      {"id":"sd","when":{"categories":["laptop"]},"then":{"assignee":"bob"}}]})");
    // erin is unavailable: the turn goes carol, dave, carol.
    CHECK(d.file("a", "vpn").assignee == "carol");
    CHECK(d.file("b", "vpn").assignee == "dave");
    CHECK(d.file("c", "vpn").assignee == "carol");
    // carol has 2 open, dave 1: least loaded picks dave, then (2 and 2) carol.
    CHECK(d.file("d", "wifi").assignee == "dave");
    CHECK(d.file("e", "wifi").assignee == "carol");
    CHECK(d.file("laptop", "laptop").assignee == "bob");
    Directory dir = d.engine.directory();
    dir.set_available("bob", false);
    d.engine.set_directory(d.alice, dir);
    Ticket t = d.file("laptop 2", "laptop");
    CHECK(t.assignee.empty());  // the one named user is away: nobody is picked
}

TEST_CASE("routing: a batch taken back does not use up a round robin turn") {
    RoutedDesk d;
    d.rules(
        R"({"rules":[{"id":"rr","then":{"assignment_group":"network","assign":"round_robin"}}]})");
    CHECK(d.file("a").assignee == "carol");
    std::size_t before = d.store->size();
    CHECK_THROWS_AS(d.engine.batch([&](Engine&) {
        CHECK(d.file("b").assignee == "dave");
        throw std::runtime_error("taken back");
    }),
                    std::runtime_error);
    CHECK(d.store->size() == before);
    // dave's turn was never committed, so it is still his.
    CHECK(d.file("d").assignee == "dave");
    CHECK(d.file("e").assignee == "carol");
    // A batch that is kept moves the turn like single operations do.
    d.engine.batch([&](Engine&) { CHECK(d.file("f").assignee == "dave"); });
    CHECK(d.file("g").assignee == "carol");
}

TEST_CASE("routing: re-runs when a field it reads changes, never over the caller's fields") {
    RoutedDesk d;
    d.rules(R"({"rules":[
      {"id":"net","when":{"categories":["network"]},"then":{"assignment_group":"network"}}]})");
    Ticket t = d.file("Slow", "laptop");
    CHECK(t.assignment_group.empty());
    TicketPatch desc;
    desc.description = "still slow";  // no rule reads the description
    CHECK(d.engine.update(d.alice, t.id, desc).assignment_group.empty());
    TicketPatch cat;
    cat.category = Symbol("wifi");
    Ticket moved = d.engine.update(d.alice, t.id, cat);
    CHECK(moved.assignment_group == "network");
    CHECK(moved.version == t.version + 2);
    CHECK(changes(d, t.id).back() == "rule:net assignment_group=network");
    // A caller who sets the group together with the category keeps it.
    Ticket u = d.file("Other", "laptop");
    TicketPatch both;
    both.category = Symbol("vpn");
    both.assignment_group = Symbol("service_desk");
    CHECK(d.engine.update(d.alice, u.id, both).assignment_group == "service_desk");
    // A closed ticket is not re-routed.
    Ticket done = d.file("Done", "laptop");
    {
        auto closed = std::make_shared<Ticket>(*d.store->get(done.id));
        closed->closed = d.clock->now();
        closed->version = done.version + 1;
        Commit c;
        c.tickets.push_back({closed, done.version});
        d.store->commit(c);
    }
    TicketPatch late;
    late.category = Symbol("vpn");
    CHECK(d.engine.update(d.alice, done.id, late).assignment_group.empty());
    // A creator who names a group keeps it too.
    NewTicket in;
    in.kind = "incident";
    in.title = "Given";
    in.category = "vpn";
    in.assignment_group = "service_desk";
    CHECK(d.engine.create(d.alice, in).assignment_group == "service_desk");
}

TEST_CASE("routing: rules follow taxonomy changes; the tree keeps categories rules name") {
    RoutedDesk d;
    d.rules(R"({"rules":[
      {"id":"net","when":{"categories":["network"]},"then":{"assignment_group":"network"}}]})");
    CHECK(d.file("x", "laptop").assignment_group.empty());
    d.engine.move_category(d.alice, "hardware", "network");  // laptop is now below network
    CHECK(d.file("y", "laptop").assignment_group == "network");
    CHECK(error_of([&] { d.engine.remove_category(d.alice, "network"); }, Errc::conflict) ==
          "category: routing rule \"net\" names category \"network\"");
    Taxonomy smaller = Taxonomy::from_json(R"({"categories":[{"id":"hardware","name":"H"},
        {"id":"laptop","name":"L","parent":"hardware"},{"id":"vpn","name":"V"},
        {"id":"wifi","name":"W"}]})");
    CHECK(error_of([&] { d.engine.set_taxonomy(d.alice, smaller); }, Errc::conflict) ==
          "categories: category \"network\" is missing but routing rule \"net\" names it");
}

TEST_CASE("routing plan: evaluation without the engine") {
    Taxonomy tax = Taxonomy::from_json(taxonomy_json);
    RoutingRules rules = RoutingRules::from_json(R"({"rules":[
      {"id":"a","when":{"kinds":["change"]},"then":{"impact":1},"continue":true},
      {"id":"b","when":{"categories":["network"],"title_words":["vpn"]},"then":{"impact":2},
       "continue":true},
      {"id":"c","then":{"impact":3}},
      {"id":"d","then":{"impact":3}}]})");
    RoutingPlan plan(rules, tax);
    CHECK(plan.size() == 4);
    CHECK(plan.reads() == (routing_field::category | routing_field::title));
    Ticket t;
    t.kind = "incident";
    t.category = "wifi";
    t.title = "The VPN, again";
    CHECK(plan.matching(t, {}) == std::vector<std::size_t>{1, 2});
    t.title = "The VPNs";
    CHECK(plan.matching(t, {}) == std::vector<std::size_t>{2});
    CHECK(plan.next_match(t, {}, 3) == std::optional<std::size_t>{3});
    CHECK(RoutingRules::from_json(rules.to_json()).to_json() == rules.to_json());
}

TEST_CASE("routing plan: the indexed search agrees with rule-by-rule evaluation") {
    Taxonomy tax = Taxonomy::from_json(taxonomy_json);
    std::uint64_t seed = 42;
    auto next = [&](std::uint64_t n) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        return (seed >> 33) % n;
    };
    const Symbol cats[] = {"hardware", "laptop", "network", "vpn", "wifi"};
    const Symbol kinds[] = {"incident", "problem", "change"};
    const char* words[] = {"vpn", "down", "slow", "mail", "printer"};
    const char* tags[] = {"a", "b", "c"};
    RoutingRules rules;
    for (int i = 0; i < 150; ++i) {  // more than 64 rules: several words per rule set
        RoutingRule r;
        r.id = "r" + std::to_string(i);
        if (next(2)) r.when.kinds = {kinds[next(3)]};
        if (next(2)) r.when.categories = {cats[next(5)]};
        if (next(3) == 0) r.when.tags = {tags[next(3)], tags[next(3)]};
        if (next(3) == 0) r.when.title_words = {words[next(5)]};
        if (next(3) == 0) r.when.impacts = {static_cast<int>(1 + next(3))};
        if (next(4) == 0) r.when.channels = {Channel::email};
        if (next(4) == 0) r.when.requester_groups = {"g1"};
        r.then.add_tags = {"x"};
        r.continue_after = next(2) == 0;
        rules.add(std::move(r));
    }
    RoutingPlan plan(rules, tax);
    std::size_t several = 0;  // the sample reaches many rules, several at a time
    std::vector<std::size_t> firsts;
    for (int n = 0; n < 500; ++n) {
        Ticket t;
        t.kind = kinds[next(3)];
        t.category = next(4) ? cats[next(5)] : Symbol{};
        t.title = std::string("The ") + words[next(5)] + " is " + words[next(5)];
        t.impact = static_cast<std::uint8_t>(1 + next(3));
        t.channel = next(2) ? Channel::email : Channel::portal;
        for (const char* tag : tags)
            if (next(2)) t.tags.emplace_back(tag);
        std::sort(t.tags.begin(), t.tags.end());
        std::vector<Symbol> groups;
        if (next(2)) groups.emplace_back("g1");
        std::vector<std::size_t> expected;
        for (std::size_t i = 0; i < plan.size(); ++i) {
            if (!plan.matches(i, t, groups)) continue;
            expected.push_back(i);
            if (!plan.rule(i).continue_after) break;
        }
        REQUIRE(plan.matching(t, groups) == expected);
        several += expected.size() > 1;
        if (!expected.empty() &&
            std::find(firsts.begin(), firsts.end(), expected[0]) == firsts.end())
            firsts.push_back(expected[0]);
        std::size_t from = next(plan.size());
        std::optional<std::size_t> first;
        for (std::size_t i = from; i < plan.size() && !first; ++i)
            if (plan.matches(i, t, groups)) first = i;
        REQUIRE(plan.next_match(t, groups, from) == first);
    }
    CHECK(several > 50);
    CHECK(firsts.size() > 10);
}

TEST_CASE("routing: threads creating at once share one round robin turn") {
    RoutedDesk d;
    d.rules(
        R"({"rules":[{"id":"rr","then":{"assignment_group":"network","assign":"round_robin"}}]})");
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k)
        threads.emplace_back([&] {
            for (int n = 0; n < 50; ++n)
                d.file("parallel");
        });
    for (auto& th : threads)
        th.join();
    Query q;
    q.assignees = {"carol"};
    CHECK(d.engine.count(d.alice, q) == 100);
    q.assignees = {"dave"};
    CHECK(d.engine.count(d.alice, q) == 100);
}

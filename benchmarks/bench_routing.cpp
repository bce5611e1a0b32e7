// Routing benchmarks: a new ticket through 200 rules (target: at most 5 us).
//
//   Plan/*     RoutingPlan alone: find the rule that fires for a ticket.
//   Create/*   Engine::create on an in-memory store, without rules and with the 200 rules,
//              so the difference is what routing adds to a create (matching, the actions,
//              their events).
//
// The desk: 20 root categories with 5 children and 3 grandchildren each (420 categories),
// 20 groups of 8 users. Every rule reads the kind, a category subtree, a priority set and
// one title word; all 200 share the kind and the subtree and differ by the word, so every
// rule is evaluated down to its last condition before the ticket meets the one that fires.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "itsm/access.hpp"
#include "itsm/directory.hpp"
#include "itsm/engine.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/routing.hpp"
#include "itsm/taxonomy.hpp"
#include "itsm/time.hpp"

namespace {

constexpr int roots = 20, children = 5, grandchildren = 3, groups = 20, members = 8;
constexpr int rule_count = 200;

itsm::Taxonomy make_taxonomy() {
    itsm::Taxonomy t;
    auto add = [&](std::string id, itsm::Symbol parent) {
        itsm::CategoryDef c;
        c.id = id;
        c.name = "Category " + id;
        c.parent = parent;
        t.add(std::move(c));
    };
    for (int r = 0; r < roots; ++r) {
        std::string root = "c" + std::to_string(r);
        add(root, {});
        for (int k = 0; k < children; ++k) {
            std::string child = root + "." + std::to_string(k);
            add(child, root);
            for (int g = 0; g < grandchildren; ++g)
                add(child + "." + std::to_string(g), child);
        }
    }
    return t;
}

itsm::Directory make_directory() {
    itsm::Directory d;
    for (int g = 0; g < groups; ++g) {
        itsm::GroupDef def;
        def.id = "g" + std::to_string(g);
        for (int m = 0; m < members; ++m) {
            itsm::Symbol user("u" + std::to_string(g) + "_" + std::to_string(m));
            d.add_user({user, "", m != 0});  // the first member of each group is away
            def.members.push_back(user);
        }
        d.add_group(def);
    }
    return d;
}

// `assign`: "" for no assignee choice, else round_robin / least_loaded.
itsm::RoutingRules make_rules(itsm::AssignMode assign) {
    itsm::RoutingRules rules;
    for (int i = 0; i < rule_count; ++i) {
        itsm::RoutingRule r;
        r.id = "r" + std::to_string(i);
        r.when.kinds = {"incident"};
        r.when.categories = {"c0"};
        r.when.priorities = {3, 4, 5};
        r.when.title_words = {"word" + std::to_string(i)};
        r.then.assignment_group = "g" + std::to_string(i % groups);
        r.then.assign = assign;
        r.then.add_tags = {"routed"};
        rules.add(std::move(r));
    }
    return rules;
}

// Matches only the last rule.
itsm::NewTicket last_rule_ticket() {
    itsm::NewTicket in;
    in.kind = "incident";
    in.title = "Laptop battery swells after update, see word199";
    in.category = "c0.4.2";
    return in;
}

itsm::Ticket as_ticket(const itsm::NewTicket& in) {
    itsm::Ticket t;
    t.kind = in.kind;
    t.title = in.title;
    t.category = in.category;
    t.segment = "global";
    return t;
}

void Plan_MatchLastOf200(benchmark::State& state) {
    itsm::Taxonomy tax = make_taxonomy();
    itsm::RoutingPlan plan(make_rules(itsm::AssignMode::none), tax);
    itsm::Ticket t = as_ticket(last_rule_ticket());
    std::vector<itsm::Symbol> no_groups;
    for (auto _ : state) {
        auto hit = plan.next_match(t, no_groups, 0);
        benchmark::DoNotOptimize(hit);
    }
}
BENCHMARK(Plan_MatchLastOf200)->Name("Plan/match_last_of_200");

void Plan_NoMatch200(benchmark::State& state) {
    itsm::Taxonomy tax = make_taxonomy();
    itsm::RoutingPlan plan(make_rules(itsm::AssignMode::none), tax);
    itsm::NewTicket in = last_rule_ticket();
    in.title = "Laptop battery swells after the last update";
    itsm::Ticket t = as_ticket(in);
    std::vector<itsm::Symbol> no_groups;
    for (auto _ : state) {
        auto hit = plan.next_match(t, no_groups, 0);
        benchmark::DoNotOptimize(hit);
    }
}
BENCHMARK(Plan_NoMatch200)->Name("Plan/no_match_200");

// Creates tickets on a fresh engine; `rules` = false measures create without routing.
void create_loop(benchmark::State& state, bool rules, itsm::AssignMode assign) {
    auto clock = std::make_shared<itsm::ManualClock>(itsm::parse_instant("2026-03-02T09:00:00Z"));
    itsm::Engine engine(std::make_shared<itsm::InMemoryStore>(), clock);
    itsm::Actor admin{"admin"};
    // admin creates under a real access policy, so each create pays its access checks.
    auto directory = make_directory();
    directory.add_user({"admin", "", true});
    engine.set_directory(itsm::Actor::system(), directory);
    engine.set_access(itsm::Actor::system(), itsm::AccessPolicy::from_json(R"({
        "segments": [{"id": "global"}], "roles": [{"preset": "administrator"}],
        "grants": [{"user": "admin", "role": "administrator", "segment": "*"}]})"));
    engine.set_taxonomy(admin, make_taxonomy());
    if (rules) engine.set_routing(admin, make_rules(assign));
    itsm::NewTicket in = last_rule_ticket();
    for (auto _ : state) {
        clock->advance(std::chrono::microseconds(1));
        benchmark::DoNotOptimize(engine.create(admin, in));
    }
}

void Create_NoRules(benchmark::State& state) {
    create_loop(state, false, itsm::AssignMode::none);
}
void Create_Routed200(benchmark::State& state) {
    create_loop(state, true, itsm::AssignMode::none);
}
void Create_Routed200RoundRobin(benchmark::State& state) {
    create_loop(state, true, itsm::AssignMode::round_robin);
}
void Create_Routed200LeastLoaded(benchmark::State& state) {
    create_loop(state, true, itsm::AssignMode::least_loaded);
}
BENCHMARK(Create_NoRules)->Name("Create/no_rules");
BENCHMARK(Create_Routed200)->Name("Create/routed_200");
BENCHMARK(Create_Routed200RoundRobin)->Name("Create/routed_200_round_robin");
// Least loaded counts each member's open tickets, so its cost grows with the backlog of
// the group: a fixed number of iterations keeps runs comparable.
BENCHMARK(Create_Routed200LeastLoaded)->Name("Create/routed_200_least_loaded")->Iterations(2000);

}  // namespace

BENCHMARK_MAIN();

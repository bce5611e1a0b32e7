// Workflow benchmarks: transitions per second through Engine::transition over an
// InMemoryStore and a ManualClock, with guards, inputs, actions and events included.
//
//   Transition/itil/<tickets>     the ITIL incident preset: resolve (two inputs checked
//                                 against their choices, clear, stamp, a cascade over the
//                                 children) and reopen (unstamp, two clears, increment),
//                                 alternately, round-robin over the desk's tickets
//   Transition/guarded/<tickets>  a workflow whose transitions carry five guards (required,
//                                 in, comparisons, a negation) and three actions (set, emit,
//                                 compute over two cases)
//   Transition/guards_only/<tickets>  the same five guards, no action: one event (the
//                                 state change) per transition
//   Available/itil/<tickets>      available_transitions on an incident in progress
//   Approval/<tickets>            submit (a transition that starts a one-approver step), then
//                                 approve, which runs the transition the approval triggers
//                                 (two operations, two commits per iteration)
//   Update/baseline/<tickets>     Engine::update of one field (one event), for comparison
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "itsm/access.hpp"
#include "itsm/engine.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/workflow.hpp"

namespace {

using itsm::TicketId;

constexpr const char* guarded_workflow = R"({"workflows": {"bench": {
    "kind": "incident",
    "states": [{"id": "new", "class": "new"}, {"id": "a", "class": "active"},
               {"id": "b", "class": "active"}, {"id": "done", "class": "closed"}],
    "initial": ["new"],
    "transitions": [
        {"id": "go", "from": ["new", "b"], "to": "a",
         "guards": [{"required": ["assignee", "title"]}, {"field": "priority", "in": [1, 2, 3, 4, 5]},
                    {"field": "impact", "le": 3}, {"field": "urgency", "ge": 1},
                    {"not": {"field": "category", "equals": "spam"}}],
         "actions": [{"set": "assignment_group", "value": "desk"}, {"emit": "went"},
                     {"compute": "resolution_code",
                      "cases": [{"when": [{"field": "impact", "equals": 1}], "value": "big"},
                                {"when": [{"field": "urgency", "equals": 1}], "value": "fast"}],
                      "otherwise": "plain"}]},
        {"id": "back", "from": ["a"], "to": "b",
         "guards": [{"required": ["assignee", "title"]}, {"field": "priority", "in": [1, 2, 3, 4, 5]},
                    {"field": "impact", "le": 3}, {"field": "urgency", "ge": 1},
                    {"not": {"field": "category", "equals": "spam"}}],
         "actions": [{"clear": "assignment_group"}, {"emit": "back"},
                     {"compute": "resolution_code",
                      "cases": [{"when": [{"field": "impact", "equals": 1}], "value": "big"},
                                {"when": [{"field": "urgency", "equals": 2}], "value": "soon"}],
                      "otherwise": "later"}]},
        {"id": "fwd", "from": ["new", "b"], "to": "a",
         "guards": [{"required": ["assignee", "title"]}, {"field": "priority", "in": [1, 2, 3, 4, 5]},
                    {"field": "impact", "le": 3}, {"field": "urgency", "ge": 1},
                    {"not": {"field": "category", "equals": "spam"}}]},
        {"id": "rev", "from": ["a"], "to": "b",
         "guards": [{"required": ["assignee", "title"]}, {"field": "priority", "in": [1, 2, 3, 4, 5]},
                    {"field": "impact", "le": 3}, {"field": "urgency", "ge": 1},
                    {"not": {"field": "category", "equals": "spam"}}]},
        {"id": "finish", "from": "any", "to": "done"}]}}})";

constexpr const char* approval_workflow = R"({"workflows": {"bench": {
    "kind": "incident",
    "states": [{"id": "new", "class": "new"},
               {"id": "review", "class": "pending", "approval": {
                   "steps": [{"approvers": {"users": ["carol"]}}], "on_approved": "accept"}},
               {"id": "accepted", "class": "active"}, {"id": "done", "class": "closed"}],
    "initial": ["new"],
    "transitions": [
        {"id": "submit", "from": ["new", "accepted"], "to": "review"},
        {"id": "accept", "from": ["review"], "to": "accepted", "guards": [{"approvals": "complete"}]},
        {"id": "finish", "from": "any", "to": "done"}]}}})";

struct Desk {
    std::shared_ptr<itsm::ManualClock> clock =
        std::make_shared<itsm::ManualClock>(itsm::parse_instant("2026-03-02T09:00:00Z"));
    itsm::Engine engine{std::make_shared<itsm::InMemoryStore>(), clock};
    itsm::Actor actor{"agent"};
    std::vector<TicketId> ids;

    // The agent works under a real access policy, so each transition pays its access checks.
    Desk(itsm::Workflows w, std::size_t n) {
        itsm::Actor system = itsm::Actor::system();
        itsm::Directory people;
        people.add_user({"agent", "", true}).add_user({"carol", "", true});
        engine.set_directory(system, people);
        engine.set_access(system, itsm::AccessPolicy::from_json(R"({
            "segments": [{"id": "global"}], "roles": [{"preset": "administrator"}],
            "grants": [{"user": "agent", "role": "administrator", "segment": "*"}]})"));
        engine.set_workflows(actor, std::move(w));
        for (std::size_t i = 0; i < n; ++i) {
            itsm::NewTicket in;
            in.kind = "incident";
            in.title = "Printer " + std::to_string(i);
            in.assignee = "agent";
            in.impact = 1 + static_cast<int>(i % 3);
            in.urgency = 1 + static_cast<int>((i / 3) % 3);
            ids.push_back(engine.create(actor, in).id);
        }
    }
};

void BM_Transition_itil(benchmark::State& state) {
    Desk d(itsm::Workflows::itil(), static_cast<std::size_t>(state.range(0)));
    for (auto id : d.ids)
        d.engine.transition(d.actor, id, "start");
    itsm::TransitionInput resolve;
    resolve.fields = {{"resolution_code", std::string("solved_remotely")},
                      {"resolution_notes", std::string("Restarted the spooler")}};
    itsm::TransitionInput reopen;
    std::size_t i = 0, n = d.ids.size();
    for (auto _ : state) {
        // the first pass over the desk resolves every ticket, the second reopens them, ...
        bool resolving = (i / n) % 2 == 0;
        benchmark::DoNotOptimize(d.engine.transition(
            d.actor, d.ids[i % n], resolving ? "resolve" : "reopen", resolving ? resolve : reopen));
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// Back and forth between two states with `forward` and `backward`, round-robin.
void back_and_forth(benchmark::State& state, itsm::Symbol forward, itsm::Symbol backward) {
    Desk d(itsm::Workflows::from_json(guarded_workflow), static_cast<std::size_t>(state.range(0)));
    std::size_t i = 0, n = d.ids.size();
    for (auto _ : state) {
        bool ahead = (i / n) % 2 == 0;
        benchmark::DoNotOptimize(
            d.engine.transition(d.actor, d.ids[i % n], ahead ? forward : backward));
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_Transition_guarded(benchmark::State& state) {
    back_and_forth(state, "go", "back");
}

void BM_Transition_guards_only(benchmark::State& state) {
    back_and_forth(state, "fwd", "rev");
}

// The baseline: a plain update that writes one field and one event, on the same desk.
void BM_Update_baseline(benchmark::State& state) {
    Desk d(itsm::Workflows::itil(), static_cast<std::size_t>(state.range(0)));
    std::size_t i = 0, n = d.ids.size();
    itsm::TicketPatch patch[2];
    patch[0].assignee = itsm::Symbol("agent2");
    patch[1].assignee = itsm::Symbol("agent");
    for (auto _ : state) {
        benchmark::DoNotOptimize(d.engine.update(d.actor, d.ids[i % n], patch[(i / n) % 2]));
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_Available_itil(benchmark::State& state) {
    Desk d(itsm::Workflows::itil(), static_cast<std::size_t>(state.range(0)));
    for (auto id : d.ids)
        d.engine.transition(d.actor, id, "start");
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(
            d.engine.available_transitions(d.actor, d.ids[i++ % d.ids.size()]));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_Approval(benchmark::State& state) {
    Desk d(itsm::Workflows::from_json(approval_workflow), static_cast<std::size_t>(state.range(0)));
    itsm::Actor carol{"carol"};
    std::size_t i = 0;
    for (auto _ : state) {
        TicketId id = d.ids[i++ % d.ids.size()];
        d.engine.transition(d.actor, id, "submit");
        benchmark::DoNotOptimize(d.engine.approve(carol, id));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK(BM_Transition_itil)->Name("Transition/itil")->Arg(1000)->Arg(100000)->MinTime(0.5);
BENCHMARK(BM_Transition_guarded)->Name("Transition/guarded")->Arg(1000)->Arg(100000)->MinTime(0.5);
BENCHMARK(BM_Transition_guards_only)
    ->Name("Transition/guards_only")
    ->Arg(1000)
    ->Arg(100000)
    ->MinTime(0.5);
BENCHMARK(BM_Update_baseline)->Name("Update/baseline")->Arg(1000)->Arg(100000)->MinTime(0.5);
BENCHMARK(BM_Available_itil)->Name("Available/itil")->Arg(1000)->Arg(100000)->MinTime(0.5);
BENCHMARK(BM_Approval)->Name("Approval")->Arg(1000)->Arg(100000)->MinTime(0.5);

BENCHMARK_MAIN();

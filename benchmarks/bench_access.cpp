// Access control benchmarks: the cost of one decision, and of a filtered query over a
// million tickets for actors who may see about 5% of them, against the same query made
// by the system (no access control).
//
// Decide/*: AccessControl::decide for 200 agents in 20 groups with grants on 5 segments
// (HR sealed), over tickets of the benchmark workload.
// Query/*: one page (50 tickets, newest first) and the exact total of
// {"priority_max": 3} over 1M tickets, as
//   system           the trusted host: no visibility clause;
//   segment_scoped   a user granted one segment for one kind (about 6% of the tickets),
//                    with relationship rights turned off: visibility is segments only;
//   group_scoped     an agent with no grant, seeing the tickets assigned to their group or
//                    to them (about 5.5%) through relationship rights.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "itsm/access.hpp"
#include "itsm/engine.hpp"
#include "itsm/memory_store.hpp"
#include "workload.hpp"

namespace {

using bench::Catalog;

itsm::Directory make_directory() {
    const Catalog& c = Catalog::get();
    itsm::Directory dir;
    for (auto u : c.users)
        dir.add_user({u, u.str(), true});
    dir.add_user({"scoped", "", true});
    for (std::size_t g = 0; g < c.groups.size(); ++g) {
        itsm::GroupDef def{c.groups[g], "", {}, {}};
        for (std::size_t u = g; u < c.users.size(); u += c.groups.size())
            def.members.push_back(c.users[u]);
        dir.add_group(def);
    }
    return dir;
}

// Segments it, hr (sealed), finance, facilities, legal; the first ten groups work one
// segment each, the other ten have no grant (their members see what their group is assigned).
itsm::AccessPolicy make_policy(bool relationships) {
    const Catalog& c = Catalog::get();
    itsm::AccessPolicy p;
    for (auto s : c.segments)
        p.add_segment({s, {}, s == "hr", s.str()});
    for (const auto& preset : itsm::AccessPolicy::preset_roles())
        p.add_preset_role(preset);
    for (std::size_t g = 0; g < c.groups.size() / 2; ++g)
        p.add_grant(
            {{}, c.groups[g], "service_desk_agent", c.segments[g % c.segments.size()], true, {}});
    itsm::GrantConditions requests;
    requests.kinds = {"service_request"};
    p.add_grant({"scoped", {}, "technician", "it", true, requests});
    if (!relationships)
        for (int r = 1; r <= itsm::relationship_count; ++r)
            p.set_relationship(static_cast<itsm::Relationship>(r), {});
    return p;
}

std::vector<itsm::Ticket> sample_tickets(std::size_t n) {
    itsm::Schema schema = itsm::Schema::itil();
    std::vector<itsm::Ticket> out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(bench::to_ticket(schema, bench::input(i), Catalog::get().actor));
        out.back().id = i + 1;
    }
    return out;
}

void BM_Decide(benchmark::State& state, bool by_name) {
    const Catalog& c = Catalog::get();
    itsm::AccessControl ac(make_policy(true), make_directory());
    auto tickets = sample_tickets(4096);
    const char* permissions[] = {"ticket.read", "ticket.update", "comment.work_note",
                                 "ticket.assign"};
    std::vector<itsm::AccessControl::PermissionId> ids;
    for (auto p : permissions)
        ids.push_back(ac.permission_id(p));
    std::size_t i = 0, allowed = 0;
    for (auto _ : state) {
        const auto& t = tickets[i % tickets.size()];
        itsm::Symbol user = c.users[(i * 7) % c.users.size()];
        auto d =
            by_name ? ac.decide(user, &t, permissions[i % 4]) : ac.decide(user, &t, ids[i % 4]);
        allowed += d.allowed;
        benchmark::DoNotOptimize(d);
        ++i;
    }
    state.counters["allowed_pct"] =
        100.0 * static_cast<double>(allowed) / static_cast<double>(state.iterations());
}

// A million tickets committed straight to the store (the engine's create is measured in
// bench_core), then an engine over it.
struct Desk {
    std::shared_ptr<itsm::InMemoryStore> store = std::make_shared<itsm::InMemoryStore>();
    std::unique_ptr<itsm::Engine> engine;
    bool relationships = true;

    explicit Desk(std::size_t n) {
        itsm::Schema schema = itsm::Schema::itil();
        auto at = itsm::instant_from_micros(bench::start_micros);
        for (std::size_t i = 0; i < n; ++i) {
            itsm::Ticket t = bench::to_ticket(schema, bench::input(i), Catalog::get().actor);
            auto [id, number] = store->allocate(t.kind);
            t.id = id;
            t.key = itsm::format_key(schema.kind(t.kind)->prefix, number);
            at += bench::ticket_spacing;
            t.created = t.updated = at;
            t.version = 1;
            itsm::Commit commit;
            commit.tickets.push_back({std::make_shared<const itsm::Ticket>(std::move(t)), 0});
            store->commit(commit);
        }
        engine =
            std::make_unique<itsm::Engine>(store, std::make_shared<itsm::ManualClock>(at), schema);
        engine->set_directory(itsm::Actor::system(), make_directory());
        use(true);
    }
    void use(bool with_relationships) {
        if (relationships == with_relationships && engine->access_policy().grants().size()) return;
        engine->set_access(itsm::Actor::system(), make_policy(with_relationships));
        relationships = with_relationships;
    }
};

Desk& desk() {
    static Desk d(1000000);
    return d;
}

// system_as_segment / system_as_group: the system asking for the same tickets with explicit
// filters (segment it and kind service_request; the agent's group), i.e. the same result
// without access control.
enum class Who { system, segment_scoped, group_scoped, system_as_segment, system_as_group };

void BM_Query(benchmark::State& state, Who who, bool with_total) {
    Desk& d = desk();
    d.use(who != Who::segment_scoped);
    const Catalog& c = Catalog::get();
    itsm::Actor actor = who == Who::segment_scoped ? itsm::Actor{"scoped"}
                        : who == Who::group_scoped ? itsm::Actor{c.users[15]}  // group 15
                                                   : itsm::Actor::system();
    itsm::Query q;
    q.priority_max = 3;
    if (who == Who::system_as_segment) {
        q.segments = {"it"};
        q.kinds = {"service_request"};
    }
    if (who == Who::system_as_group) q.groups = {c.groups[15]};
    q.limit = 50;
    std::size_t total = 0, returned = 0;
    for (auto _ : state) {
        auto page = d.engine->query(actor, q, with_total ? &total : nullptr);
        returned += page.tickets.size();
        benchmark::DoNotOptimize(page);
    }
    state.counters["returned"] =
        static_cast<double>(returned) / static_cast<double>(state.iterations());
    itsm::Query all;
    state.counters["visible_pct"] = 100.0 * static_cast<double>(d.engine->count(actor, all)) / 1e6;
    if (with_total) state.counters["total"] = static_cast<double>(total);
}

}  // namespace

BENCHMARK_CAPTURE(BM_Decide, by_id, false);
BENCHMARK_CAPTURE(BM_Decide, by_name, true);
#define ITSM_QUERY_BENCH(name, who)                                                      \
    BENCHMARK_CAPTURE(BM_Query, page / name, who, false)->Unit(benchmark::kMicrosecond); \
    BENCHMARK_CAPTURE(BM_Query, page_and_total / name, who, true)->Unit(benchmark::kMillisecond)

ITSM_QUERY_BENCH(system, Who::system);
ITSM_QUERY_BENCH(segment_scoped, Who::segment_scoped);
ITSM_QUERY_BENCH(system_as_segment, Who::system_as_segment);
ITSM_QUERY_BENCH(group_scoped, Who::group_scoped);
ITSM_QUERY_BENCH(system_as_group, Who::system_as_group);

BENCHMARK_MAIN();

// The discrete-event simulator. Everything the desk does goes through the real Engine:
// requesters create tickets, routing picks the group, agents assign, start, hold, resolve,
// escalate and reopen through the ITIL workflows, approvers decide on changes, and
// Engine::advance closes resolved incidents. The simulator only decides *when* (from the
// scenario's random draws) and keeps the tallies for the report.
#include "itsm/sim/simulator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <set>
#include <unordered_map>

#include "itsm/error.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/sim/random.hpp"
#include "itsm/sla.hpp"
#include "sim_detail.hpp"

ITSM_BEGIN_NAMESPACE
namespace sim {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

enum class Kind : std::uint8_t { incident, service_request, problem, change };

enum class Stage : std::uint8_t { work, plan, implement };

// One ticket the simulator follows.
struct Work {
    TicketId id = 0;
    Kind kind = Kind::incident;
    Symbol model;
    Symbol requester;
    std::uint32_t category = 0;
    int priority = 5;
    std::uint32_t group = 0;
    int preferred = -1;  // the agent who must continue it (after a hold or reopen)
    int agent = -1;      // the agent working on it now
    Stage stage = Stage::work;
    Duration remaining{};
    Instant started{};  // when the agent started the current stretch
    Instant created{};
    Instant planned{};  // a change's planned start
    std::optional<Instant> first_assigned, resolved;
    bool hold_planned = false, escalated = false, reopened = false;
};

struct AgentState {
    Symbol id;
    CalendarPtr shift;
    std::vector<std::uint32_t> groups;
    std::vector<bool> skills;  // by category index
    bool on_shift = false;
    bool busy = false;
};

enum class EvType : std::uint8_t {
    hour,
    arrive,
    shift_start,
    shift_end,
    work_done,
    hold,
    caller_reply,
    reopen,
    approve,
    planned_start
};

struct Ev {
    Instant at;
    std::uint64_t seq;
    EvType type;
    std::uint64_t a = 0;  // stream, agent or work index
    std::uint64_t b = 0;  // approver slot
    bool operator>(const Ev& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

// A queue entry: the most urgent first, then the first queued.
using QueueKey = std::tuple<int, std::uint64_t, std::uint64_t>;  // priority, seq, work

Duration to_duration(double seconds) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}
double hours(Duration d) {
    return std::chrono::duration<double, std::ratio<3600>>(d).count();
}

}  // namespace

struct Simulation::Impl {
    Scenario sc;
    RunOptions options;
    Random rng;
    std::shared_ptr<InMemoryStore> store = std::make_shared<InMemoryStore>();
    std::shared_ptr<ManualClock> clock;
    Engine engine;
    Actor system = Actor::system();
    bool ran = false;

    std::vector<AgentState> agents;
    std::vector<std::vector<std::uint32_t>> group_agents;  // agents by group index
    std::vector<std::set<QueueKey>> queues;                // by group index
    std::vector<Work> works;
    std::unordered_map<TicketId, std::uint64_t> work_of;           // ticket id -> index in works
    std::vector<std::pair<std::uint64_t, Symbol>> approver_slots;  // work, approver
    std::map<std::uint64_t, Symbol> cab_role_holders;
    std::vector<std::deque<std::pair<Instant, std::uint64_t>>> recent;  // incidents by category
    std::priority_queue<Ev, std::vector<Ev>, std::greater<>> events;
    std::uint64_t seq = 0;
    std::vector<std::pair<Symbol, std::uint32_t>> site_users;  // site prefix, users
    std::vector<double> site_weights;                          // users by site, for draws
    std::vector<std::vector<Symbol>> requesters;               // u<n>@<site> by site, n - 1
    TimeZone zone;
    Report report;
    std::uint32_t open = 0;  // incidents and requests not resolved
    std::uint64_t events_seen = 0;
    // The workflows' timed transitions: (kind, state left, after). A ticket entering such a
    // state makes Engine::advance due then; the hourly tick calls it only when one is due,
    // since each call scans the tickets in those states.
    std::vector<std::tuple<Symbol, Symbol, Duration>> timed;
    std::priority_queue<Instant, std::vector<Instant>, std::greater<>> due;

    Impl(Scenario s, RunOptions o)
        : sc(std::move(s)),
          options(std::move(o)),
          rng(options.seed.value_or(sc.seed)),
          clock(std::make_shared<ManualClock>(sc.start)),
          engine(store, clock, Schema::itil()),
          zone(TimeZone::locate(sc.time_zone)) {
        internal::configure_desk(engine, sc);
        apply_sla(engine, sc);
        collect_timed();
        engine.subscribe([this](const Event& e) {
            ++events_seen;
            if (e.type == EventType::state_changed) note_state(e);
        });
        for (const auto& site : sc.sites)
            site_users.emplace_back(site.id, static_cast<std::uint32_t>(site.users));
        build_agents();
        queues.resize(sc.groups.size());
        recent.resize(sc.categories.size());
        report.scenario = sc.name;
        report.time_zone = sc.time_zone;
        report.seed = options.seed.value_or(sc.seed);
        report.start = sc.start;
        report.end = sc.end();
        report.agents = static_cast<std::uint32_t>(agents.size());
        for (const auto& site : sc.sites)
            report.users += static_cast<std::uint32_t>(site.users);
    }

    std::uint32_t group_index(Symbol id) const {
        for (std::uint32_t i = 0; i < sc.groups.size(); ++i)
            if (sc.groups[i].id == id) return i;
        throw Error(Errc::internal, "group", fmt::format("unknown group \"{}\"", id.view()));
    }

    void collect_timed() {
        for (const auto& wf : engine.workflows()->all())
            for (const auto& tr : wf.transitions)
                if (tr.after)
                    for (const auto& st : wf.states)
                        if (tr.leaves(st.id)) timed.emplace_back(wf.kind, st.id, *tr.after);
    }
    void note_state(const Event& e) {
        const auto* text = std::get_if<std::string>(&e.new_value);
        if (!text || timed.empty()) return;
        Symbol state = Symbol::find(*text);
        Symbol kind;
        for (const auto& [k, st, after] : timed) {
            if (st != state) continue;
            if (kind.empty()) {
                auto it = work_of.find(e.ticket);
                kind = it != work_of.end()
                           ? Symbol(report_kinds[static_cast<int>(works[it->second].kind)])
                           : engine.get_shared(system, e.ticket)->kind;
            }
            if (k == kind) due.push(e.at + after);
        }
    }

    void build_agents() {
        group_agents.resize(sc.groups.size());
        for (const auto& a : sc.staff)
            for (int k = 1; k <= a.count; ++k) {
                AgentState st;
                st.id = internal::staff_id(a, k);
                st.shift = sc.calendars.at(a.calendar);
                st.skills.assign(sc.categories.size(), a.skills.empty());
                for (auto skill : a.skills)
                    for (std::size_t c = 0; c < sc.categories.size(); ++c)
                        if (sc.categories[c].id == skill) st.skills[c] = true;
                for (auto g : a.groups) {
                    st.groups.push_back(group_index(g));
                    group_agents[st.groups.back()].push_back(
                        static_cast<std::uint32_t>(agents.size()));
                }
                agents.push_back(std::move(st));
            }
    }

    void push(Instant at, EvType type, std::uint64_t a = 0, std::uint64_t b = 0) {
        events.push(Ev{at, seq++, type, a, b});
    }
    Instant now() const { return clock->now(); }
    Duration sample(const DurationDist& d) {
        double median = std::chrono::duration<double>(d.median).count();
        double p90 = std::chrono::duration<double>(d.p90).count();
        return std::max<Duration>(to_duration(rng.lognormal(median, p90)), 1min);
    }
    Duration handling_time(const Work& w) {
        const HandlingRule* rule =
            sc.handling_for(Symbol(report_kinds[static_cast<int>(w.kind)]),
                            sc.categories[w.category].id, w.priority, sc.groups[w.group].tier);
        if (!rule) rule = sc.handling_for({}, sc.categories[w.category].id, w.priority, 1);
        return rule ? sample(rule->time) : 1h;
    }
    Actor agent_actor(const Work& w) const { return Actor(agents[w.agent].id); }
    Actor some_agent(std::uint32_t group) const {
        const auto& members = group_agents[group];
        return members.empty() ? system : Actor(agents[members.front()].id);
    }

    // ---- The run --------------------------------------------------------------------------

    Report run() {
        if (ran) throw Error(Errc::invalid_argument, "run", "a simulation runs once");
        ran = true;
        for (std::uint32_t i = 0; i < agents.size(); ++i) {
            const Calendar& shift = *agents[i].shift;
            if (auto t = next_change([&] { return shift.next_opening(sc.start); }))
                push(*t, EvType::shift_start, i);
        }
        for (std::size_t i = 0; i < sc.arrivals.size(); ++i)
            for (Instant at : sc.arrivals[i].at)
                push(at, EvType::arrive, i);
        push(sc.start, EvType::hour);
        report.weeks.push_back(WeekStats{sc.start, {}, 0, 0});
        const Instant end = sc.end();
        while (!events.empty() && events.top().at < end) {
            Ev ev = events.top();
            events.pop();
            clock->set(ev.at);
            dispatch(ev);
        }
        clock->set(end);
        engine.advance(end);
        finish();
        return std::move(report);
    }

    void dispatch(const Ev& ev) {
        switch (ev.type) {
            case EvType::hour:
                return on_hour();
            case EvType::arrive:
                return arrive(ev.a);
            case EvType::shift_start:
                return shift_start(ev.a);
            case EvType::shift_end:
                return shift_end(ev.a);
            case EvType::work_done:
                return work_done(ev.a);
            case EvType::hold:
                return hold(ev.a);
            case EvType::caller_reply:
                return caller_reply(ev.a);
            case EvType::reopen:
                return reopen(ev.a);
            case EvType::approve:
                return approve(ev.a, ev.b);
            case EvType::planned_start:
                return planned_start(ev.a);
        }
    }

    // Each hour: the timed transitions that are due, this hour's arrivals, the weekly tallies.
    void on_hour() {
        Instant t = now();
        if (!due.empty() && due.top() <= t) {
            engine.advance(t);
            while (!due.empty() && due.top() <= t)
                due.pop();
        }
        auto since = t - sc.start;
        if (since > Duration::zero() && since % std::chrono::hours(24 * 7) == Duration::zero()) {
            report.weeks.back().backlog = open;
            report.weeks.push_back(WeekStats{t, {}, 0, 0});
        }
        if (options.progress && since % 24h == Duration::zero())
            options.progress(std::chrono::duration<double>(since) /
                             std::chrono::duration<double>(sc.end() - sc.start));
        auto local = std::chrono::floor<std::chrono::hours>(zone.to_local(t));
        auto day = std::chrono::floor<std::chrono::days>(local);
        unsigned weekday = std::chrono::weekday(day).iso_encoding() - 1;  // Monday 0
        auto hour = static_cast<std::size_t>((local - day).count());
        for (std::size_t i = 0; i < sc.arrivals.size(); ++i) {
            const auto& a = sc.arrivals[i];
            if (!a.at.empty()) continue;  // scripted
            const Profile& p = a.profile ? *a.profile : sc.profile;
            double wsum = 0, hsum = 0;
            for (double w : p.weekday)
                wsum += w;
            for (double h : p.hour)
                hsum += h;
            double lambda = a.rate_per_week * p.weekday[weekday] / wsum * p.hour[hour] / hsum;
            auto n = rng.poisson(lambda);
            for (std::uint64_t k = 0; k < n; ++k)
                push(t + to_duration(rng.uniform() * 3600.0), EvType::arrive, i);
        }
        push(t + 1h, EvType::hour);
    }

    Symbol pick_requester() {
        if (requesters.empty()) {  // once: the ids the directory holds, by site
            for (const auto& [site, users] : site_users) {
                site_weights.push_back(users);
                auto& ids = requesters.emplace_back();
                for (std::uint32_t n = 1; n <= users; ++n)
                    ids.emplace_back(internal::requester_id(site, n));
            }
        }
        const auto& ids = requesters[rng.pick(site_weights)];
        return ids[rng.below(ids.size())];
    }

    void arrive(std::uint64_t stream) {
        const Arrival& a = sc.arrivals[stream];
        Work w;
        static const Symbol incident("incident"), service_request("service_request"),
            normal("normal"), item("item");
        w.kind = a.kind == incident          ? Kind::incident
                 : a.kind == service_request ? Kind::service_request
                                             : Kind::change;
        for (std::uint32_t c = 0; c < sc.categories.size(); ++c)
            if (sc.categories[c].id == a.category) w.category = c;
        NewTicket in;
        in.kind = a.kind;
        in.category = a.category;
        in.segment = internal::segment;
        in.impact = 1 + static_cast<int>(rng.pick(sc.impact));
        in.urgency = 1 + static_cast<int>(rng.pick(sc.urgency));
        in.title = fmt::format("{}: {}", sc.categories[w.category].name,
                               w.kind == Kind::change ? "change" : "request for help");
        Actor creator = system;
        if (w.kind == Kind::change) {
            // Changes are raised by IT staff of the category's group.
            w.model = a.model.empty() ? normal : a.model;
            in.model = w.model;
            creator = some_agent(group_index(sc.categories[w.category].group));
        } else {
            w.requester = pick_requester();
            creator = Actor(w.requester);
            std::vector<double> weights;
            for (const auto& c : sc.channels)
                weights.push_back(c.second);
            in.channel = sc.channels[rng.pick(weights)].first;
            if (w.kind == Kind::service_request) in.model = item;
        }
        Ticket t = engine.create(creator, in);
        w.id = t.id;
        w.priority = t.priority;
        w.created = t.created;
        w.group = t.assignment_group.empty() ? group_index(sc.categories[w.category].group)
                                             : group_index(t.assignment_group);
        ++report.weeks.back().created[static_cast<int>(w.kind)];
        if (w.kind != Kind::change) ++open;
        std::uint64_t index = works.size();
        work_of.emplace(w.id, index);
        works.push_back(std::move(w));
        if (works[index].kind == Kind::change) works[index].stage = Stage::plan;
        works[index].remaining = handling_time(works[index]);
        if (works[index].kind == Kind::incident) note_incident(index);
        enqueue(index);
    }

    // ---- Agents and queues ----------------------------------------------------------------

    void enqueue(std::uint64_t w) {
        Work& work = works[w];
        work.agent = -1;
        queues[work.group].insert({work.priority, seq++, w});
        for (auto a : group_agents[work.group])
            if (agents[a].on_shift && !agents[a].busy) {
                if (pick(a)) return;
            }
    }

    // The agent takes the most urgent work it may do from its groups' queues.
    bool pick(std::uint32_t a) {
        while (auto index = take(a))
            if (start_work(a, *index)) return true;
        return false;
    }
    std::optional<std::uint64_t> take(std::uint32_t a) {
        AgentState& agent = agents[a];
        std::optional<QueueKey> best;
        std::uint32_t best_group = 0;
        for (auto g : agent.groups)
            for (const auto& key : queues[g]) {
                const Work& w = works[std::get<2>(key)];
                if (!agent.skills[w.category]) continue;
                if (w.preferred >= 0 && w.preferred != static_cast<int>(a)) continue;
                if (!best || key < *best) {
                    best = key;
                    best_group = g;
                }
                break;
            }
        if (!best) return std::nullopt;
        queues[best_group].erase(*best);
        return std::get<2>(*best);
    }

    // A 24x7 shift never closes (and a calendar without hours never opens): the calendar
    // says so by refusing to look that far.
    template <typename F>
    static std::optional<Instant> next_change(F&& f) {
        try {
            return f();
        } catch (const Error&) {
            return std::nullopt;
        }
    }
    void shift_start(std::uint64_t a) {
        agents[a].on_shift = true;
        const Calendar& shift = *agents[a].shift;
        if (auto t = next_change([&] { return shift.next_closing(now()); }))
            push(*t, EvType::shift_end, a);
        if (!agents[a].busy) pick(static_cast<std::uint32_t>(a));
    }
    void shift_end(std::uint64_t a) {
        agents[a].on_shift = false;
        const Calendar& shift = *agents[a].shift;
        if (auto t = next_change([&] { return shift.next_opening(now()); }))
            push(*t, EvType::shift_start, a);
    }
    void free_agent(int a) {
        agents[a].busy = false;
        if (agents[a].on_shift) pick(static_cast<std::uint32_t>(a));
    }

    // False when there is nothing left to do: a problem's fix resolved the incident while it
    // waited.
    bool start_work(std::uint32_t a, std::uint64_t index) {
        Work& w = works[index];
        if (w.kind == Kind::incident && w.resolved) return false;
        agents[a].busy = true;
        w.agent = static_cast<int>(a);
        w.preferred = -1;
        Actor me = agent_actor(w);
        Ticket t = *engine.get_shared(me, w.id);
        if (t.assignee != agents[a].id) {
            TicketPatch p;
            p.assignee = agents[a].id;
            engine.update(me, w.id, p);
            if (!w.first_assigned) w.first_assigned = now();
        }
        begin_stage(w, t.state);
        w.started = now();
        const Calendar& shift = *agents[a].shift;
        if (w.kind == Kind::incident && !w.hold_planned && rng.chance(sc.chances.hold)) {
            w.hold_planned = true;
            auto part = to_duration(std::chrono::duration<double>(w.remaining).count() *
                                    (0.2 + 0.5 * rng.uniform()));
            push(shift.add(now(), part), EvType::hold, index);
            return true;
        }
        push(shift.add(now(), w.remaining), EvType::work_done, index);
        return true;
    }

    // The transitions that begin a stretch of work, by kind and stage.
    void begin_stage(Work& w, Symbol state) {
        Actor me = agent_actor(w);
        switch (w.kind) {
            case Kind::incident:
                if (state == Symbol("new")) engine.transition(me, w.id, "start");
                break;
            case Kind::service_request:
                if (state == Symbol("new")) engine.transition(me, w.id, "start");
                break;
            case Kind::problem:
                if (state == Symbol("new")) {
                    engine.transition(me, w.id, "assess");
                    engine.transition(me, w.id, "analyze");
                }
                break;
            case Kind::change:
                if (w.stage == Stage::implement) engine.transition(me, w.id, "implement");
                break;
        }
    }

    // ---- Outcomes -------------------------------------------------------------------------

    void work_done(std::uint64_t index) {
        Work& w = works[index];
        int a = w.agent;
        switch (w.kind) {
            case Kind::incident:
                finish_incident(index);
                break;
            case Kind::service_request:
                finish_request(w);
                break;
            case Kind::problem:
                finish_problem(w);
                break;
            case Kind::change:
                finish_change(index);
                break;
        }
        free_agent(a);
    }

    void finish_incident(std::uint64_t index) {
        Work& w = works[index];
        if (w.resolved) return;  // resolved meanwhile by its problem's fix
        Actor me = agent_actor(w);
        const Group& g = sc.groups[w.group];
        if (!w.escalated && !g.escalates_to.empty() && rng.chance(sc.chances.escalation)) {
            w.escalated = true;
            ++report.totals.escalated;
            TicketPatch p;
            p.assignment_group = g.escalates_to;
            p.assignee = Symbol();
            engine.update(me, w.id, p);
            w.group = group_index(g.escalates_to);
            w.remaining = handling_time(w);
            enqueue(index);
            return;
        }
        resolve(w, "solved_permanently");
        if (!w.reopened && rng.chance(sc.chances.reopen)) {
            auto after = sample(sc.reopen_after);
            if (after < std::chrono::hours(24 * 5)) push(now() + after, EvType::reopen, index);
        }
    }

    void resolve(Work& w, const char* code) {
        TransitionInput in;
        in.fields = {{"resolution_code", std::string(code)},
                     {"resolution_notes", std::string("Fixed by the assigned agent.")}};
        engine.transition(agent_actor(w), w.id, "resolve", in);
        mark_resolved(w);
    }
    void mark_resolved(Work& w) {
        w.resolved = now();
        --open;
        ++report.weeks.back().resolved;
    }

    void finish_request(Work& w) {
        Actor me = agent_actor(w);
        auto t = engine.get_shared(me, w.id);
        for (const auto& l : t->links)
            if (l.type == LinkType::parent_of) engine.transition(me, l.other, "complete");
        mark_resolved(w);  // the roll-up closed the item with its last task
    }

    void finish_problem(Work& w) {
        Actor me = agent_actor(w);
        TicketPatch p;
        p.custom = {{"root_cause", std::string("Found by analysing the repeated incidents.")}};
        engine.update(me, w.id, p);
        engine.transition(me, w.id, "start_fix");
        TransitionInput in;
        in.fields = {{"resolution_notes", std::string("Permanent fix applied.")}};
        engine.transition(me, w.id, "resolve", in);
        engine.transition(me, w.id, "close");
        ++report.totals.problems_resolved;
        // The fix resolves the open incidents the problem causes (the preset's cascade).
        for (const auto& l : engine.get_shared(system, w.id)->links) {
            auto it = work_of.find(l.other);
            if (l.type != LinkType::causes || it == work_of.end()) continue;
            Work& inc = works[it->second];
            if (!inc.resolved &&
                engine.get_shared(system, inc.id)->resolution_code == Symbol("resolved_by_problem"))
                mark_resolved(inc);
        }
    }

    void finish_change(std::uint64_t index) {
        Work& w = works[index];
        Actor me = agent_actor(w);
        if (w.stage == Stage::plan) {
            w.preferred = w.agent;
            write_plans(w, me);
            if (w.model == Symbol("standard")) {
                schedule_change(index, me);
                return;
            }
            if (w.model == Symbol("normal")) engine.transition(me, w.id, "assess");
            engine.transition(me, w.id, "request_approval");
            schedule_approvals(index);
            return;
        }
        auto t = engine.get_shared(me, w.id);
        for (const auto& l : t->links)
            if (l.type == LinkType::parent_of) engine.transition(me, l.other, "complete");
        engine.transition(me, w.id, "review");
        double x = rng.uniform();
        const char* code = "successful";
        if (x < sc.chances.rollback) {
            code = "unsuccessful";
            ++report.totals.changes_unsuccessful;
        } else if (x < sc.chances.rollback + sc.chances.with_issues) {
            code = "successful_with_issues";
            ++report.totals.changes_with_issues;
        } else {
            ++report.totals.changes_successful;
        }
        TransitionInput in;
        in.fields = {{"close_code", std::string(code)}};
        engine.transition(me, w.id, "close", in);
    }

    // The change's plans, written while planning: the schedule transition's guards require
    // them. The planned start is the lead time away.
    void write_plans(Work& w, const Actor& owner) {
        w.planned = now() + sample(sc.changes.lead_time);
        TicketPatch p;
        p.custom = {{"implementation_plan", std::string("Apply in the maintenance window.")},
                    {"backout_plan", std::string("Restore the snapshot.")},
                    {"test_plan", std::string("Smoke tests.")},
                    {"planned_start", w.planned},
                    {"planned_end", w.planned + 4h}};
        engine.update(owner, w.id, p);
    }

    // Schedules the change and books its implementation at the planned start (moved to now
    // when the approvals took longer).
    void schedule_change(std::uint64_t index, const Actor& owner) {
        Work& w = works[index];
        if (w.planned < now()) {
            w.planned = now();
            TicketPatch p;
            p.custom = {{"planned_start", w.planned}, {"planned_end", w.planned + 4h}};
            engine.update(owner, w.id, p);
        }
        engine.transition(owner, w.id, "schedule");
        w.stage = Stage::implement;
        w.remaining = handling_time(w);
        push(w.planned, EvType::planned_start, index);
    }

    void schedule_approvals(std::uint64_t index) {
        auto t = engine.get_shared(system, works[index].id);
        for (const auto& ap : t->approvals)
            if (ap.decision == ApprovalDecision::pending) {
                bool known = false;
                for (const auto& slot : approver_slots)
                    known = known || (slot.first == index && slot.second == ap.approver);
                if (known) continue;
                approver_slots.emplace_back(index, ap.approver);
                push(now() + sample(sc.changes.approval), EvType::approve, index,
                     approver_slots.size() - 1);
            }
    }

    void approve(std::uint64_t index, std::uint64_t slot) {
        Work& w = works[index];
        Symbol who = approver_slots[slot].second;
        auto t = engine.get_shared(system, w.id);
        if (t->state != Symbol("authorize") || !t->is_pending_approver(who)) return;
        engine.approve(Actor(who), w.id, "Approved.");
        ++report.totals.approvals;
        t = engine.get_shared(system, w.id);
        bool pending = false;
        for (const auto& ap : t->approvals)
            pending = pending || ap.decision == ApprovalDecision::pending;
        Actor owner(agents[w.preferred].id);
        for (const auto& option : engine.available_transitions(owner, w.id))
            if (option.id == Symbol("schedule") && option.available) {
                schedule_change(index, owner);
                return;
            }
        if (pending) schedule_approvals(index);
    }

    void planned_start(std::uint64_t index) { enqueue(index); }

    // ---- Holds, reopening, problems -------------------------------------------------------

    void hold(std::uint64_t index) {
        Work& w = works[index];
        if (w.resolved) return free_agent(w.agent);
        const Calendar& shift = *agents[w.agent].shift;
        w.remaining -= std::min(w.remaining, shift.between(w.started, now()));
        TransitionInput in;
        in.fields = {{"hold_reason", std::string("awaiting_caller")}};
        in.comment = "Could you tell us more?";
        engine.transition(agent_actor(w), w.id, "hold", in);
        ++report.totals.held;
        int a = w.agent;
        w.preferred = a;
        push(now() + sample(sc.caller_reply), EvType::caller_reply, index);
        free_agent(a);
    }

    void caller_reply(std::uint64_t index) {
        Work& w = works[index];
        // The requester's reply resumes the incident (the preset's on_requester_update).
        if (w.resolved) return;
        engine.comment(Actor(w.requester), w.id, "Here are the details.");
        if (engine.get_shared(system, w.id)->state == Symbol("on_hold"))
            engine.transition(Actor(agents[w.preferred].id), w.id, "resume");
        if (!w.resolved) enqueue(index);
    }

    void reopen(std::uint64_t index) {
        Work& w = works[index];
        if (engine.get_shared(system, w.id)->state != Symbol("resolved")) return;
        int a = w.agent >= 0 ? w.agent : 0;
        engine.transition(Actor(agents[a].id), w.id, "reopen");
        ++report.totals.reopened;
        w.reopened = true;
        ++open;
        w.resolved.reset();
        w.preferred = a;
        w.remaining = handling_time(w);
        enqueue(index);
    }

    // Repeated incidents in a category within the window raise a problem, linked to them.
    void note_incident(std::uint64_t index) {
        if (sc.problems.threshold == 0) return;
        auto& list = recent[works[index].category];
        list.emplace_back(now(), index);
        while (!list.empty() && list.front().first + sc.problems.window < now())
            list.pop_front();
        if (static_cast<int>(list.size()) < sc.problems.threshold) return;
        const Work& inc = works[index];
        const Group& g = sc.groups[inc.group];
        std::uint32_t group = g.escalates_to.empty() ? inc.group : group_index(g.escalates_to);
        Actor owner = some_agent(group);
        NewTicket in;
        in.kind = "problem";
        in.category = sc.categories[inc.category].id;
        in.segment = internal::segment;
        in.impact = 2;
        in.urgency = 2;
        in.assignment_group = sc.groups[group].id;
        in.title = fmt::format("Repeated incidents: {}", sc.categories[inc.category].name);
        Ticket p = engine.create(owner, in);
        for (const auto& [at, i] : list)
            engine.link(owner, works[i].id, LinkType::caused_by, p.id);
        list.clear();
        Work w;
        w.id = p.id;
        w.kind = Kind::problem;
        w.category = inc.category;
        w.priority = p.priority;
        w.group = group;
        w.created = p.created;
        w.remaining = sample(sc.problems.handling);
        ++report.weeks.back().created[static_cast<int>(Kind::problem)];
        work_of.emplace(w.id, works.size());
        works.push_back(std::move(w));
        enqueue(works.size() - 1);
    }

    void finish();
    void sla_from_metrics();
    void mttr_by_category();
};

// ---- The report's figures ------------------------------------------------------------------

void Simulation::Impl::finish() {
    report.weeks.back().backlog = open;
    for (const auto& week : report.weeks)
        for (std::size_t k = 0; k < 4; ++k)
            report.totals.created[k] += week.created[k];
    for (const auto& w : works)
        if ((w.kind == Kind::incident || w.kind == Kind::service_request) && w.resolved)
            ++report.totals.resolved;
    report.totals.open_at_end = open;
    report.totals.events = events_seen;
    mttr_by_category();
    report.metrics = internal::metrics(engine, sc);
    sla_from_metrics();
}

// SLA compliance per priority: the engine's resolution clocks that stopped in the horizon,
// as Engine::metrics counts them from the `stopped` events.
void Simulation::Impl::sla_from_metrics() {
    const auto& by_metric = report.metrics.sla_by_metric_priority;
    auto it = by_metric.find("resolution");
    if (it == by_metric.end()) return;
    for (const auto& [priority, c] : it->second)
        if (c.met + c.breached > 0)
            report.sla.push_back({priority, static_cast<std::uint32_t>(c.met),
                                  static_cast<std::uint32_t>(c.breached)});
}

void Simulation::Impl::mttr_by_category() {
    for (std::uint32_t c = 0; c < sc.categories.size(); ++c) {
        std::vector<double> h;
        for (const auto& w : works)
            if (w.kind == Kind::incident && w.category == c && w.resolved)
                h.push_back(hours(*w.resolved - w.created));
        CategoryStats s;
        s.category = sc.categories[c].id;
        s.resolved = static_cast<std::uint32_t>(h.size());
        if (!h.empty()) {
            double sum = 0;
            for (double x : h)
                sum += x;
            s.mean_hours = sum / static_cast<double>(h.size());
            std::sort(h.begin(), h.end());
            std::size_t n = h.size();
            s.median_hours = n % 2 ? h[n / 2] : (h[n / 2 - 1] + h[n / 2]) / 2;
        }
        report.mttr.push_back(s);
    }
}

Simulation::Simulation(Scenario scenario, RunOptions options)
    : impl_(std::make_unique<Impl>(std::move(scenario), std::move(options))) {}
Simulation::~Simulation() = default;
Report Simulation::run() {
    return impl_->run();
}
Engine& Simulation::engine() {
    return impl_->engine;
}

}  // namespace sim
ITSM_END_NAMESPACE

// The due queue of timed transitions: which tickets have a transition with `after` that falls
// due, ordered by the instant it does, so that Engine::advance finds them without scanning
// the store. Built from the store on the first advance (and again when the workflows are
// replaced), then kept current by every commit this engine makes and by the commits other
// processes make on a shared store (on_foreign). An entry is a hint: advance checks the
// ticket again under the lock before it moves it.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "engine_impl.hpp"

ITSM_BEGIN_NAMESPACE

struct Engine::Impl::Timers {
    std::shared_ptr<const Workflows> built_for;
    // Per workflow (position in built_for->all()): the timed transitions (positions in its
    // transitions) that leave each state, in declaration order.
    std::vector<std::unordered_map<Symbol, std::vector<std::uint32_t>>> leaving;
    // The states some timed transition leaves, in any workflow: most writes are of tickets
    // in none of them, with no entry, and cost two lookups.
    std::vector<Symbol> timed_states;
    std::set<TimerEntry> queue;
    std::unordered_map<TicketId, std::vector<TimerEntry>> of_ticket;
    // Whether of_ticket may hold a ticket, by id: a bit per ticket spares the hash lookup
    // (a cache miss or two) for the many writes of tickets that wait on no timer. Ids from
    // dense_limit up are always looked up.
    static constexpr TicketId dense_limit = TicketId{1} << 26;
    std::vector<bool> waiting;
    bool may_wait(TicketId id) const {
        return id >= dense_limit || (id < waiting.size() && waiting[id]);
    }
    void set_waiting(TicketId id, bool on) {
        if (id >= dense_limit) return;
        if (id >= waiting.size()) {
            if (!on) return;
            waiting.resize(std::max<std::size_t>(id + 1, waiting.size() * 2));
        }
        waiting[id] = on;
    }
    // Tickets written inside a batch: the batch may be taken back, so they are read again
    // from the store before the queue is next used.
    std::vector<TicketId> dirty;
    // Built inside a batch, from writes that may yet be taken back: built again after it.
    bool provisional = false;

    explicit Timers(std::shared_ptr<const Workflows> wfs) : built_for(std::move(wfs)) {
        for (const auto& wf : built_for->all()) {
            auto& by_state = leaving.emplace_back();
            for (std::uint32_t i = 0; i < wf.transitions.size(); ++i) {
                const Transition& tr = wf.transitions[i];
                if (!tr.after) continue;
                for (const auto& s : wf.states)
                    if (tr.leaves(s.id)) {
                        by_state[s.id].push_back(i);
                        if (std::find(timed_states.begin(), timed_states.end(), s.id) ==
                            timed_states.end())
                            timed_states.push_back(s.id);
                    }
            }
        }
    }

    std::vector<TimerEntry> entries_of(const Ticket& t) const {
        std::vector<TimerEntry> out;
        if (std::find(timed_states.begin(), timed_states.end(), t.state) == timed_states.end())
            return out;
        const Workflow* wf = built_for->for_ticket(t);
        if (!wf) return out;
        auto wi = static_cast<std::uint32_t>(wf - built_for->all().data());
        auto st = leaving[wi].find(t.state);
        if (st == leaving[wi].end()) return out;
        for (auto ti : st->second)
            out.push_back({t.state_entered + *wf->transitions[ti].after, wi, ti, t.created, t.id});
        return out;
    }

    // The entries of ticket `id` as `t` has them (none when `t` is null: not in the store).
    void replace(TicketId id, const Ticket* t) {
        auto now = t ? entries_of(*t) : std::vector<TimerEntry>{};
        if (now.empty() && !may_wait(id)) return;
        auto it = of_ticket.find(id);
        if (it == of_ticket.end()) {
            if (now.empty()) return;
            it = of_ticket.emplace(id, std::vector<TimerEntry>{}).first;
            set_waiting(id, true);
        } else if (it->second == now) {
            return;  // a write that left the state alone (a field, a comment, an SLA alarm)
        }
        for (const auto& e : it->second)
            queue.erase(e);
        for (const auto& e : now)
            queue.insert(e);
        if (now.empty()) {
            of_ticket.erase(it);
            set_waiting(id, false);
        } else {
            it->second = std::move(now);
        }
    }
};

void Engine::Impl::timers_commit(const Commit& c) {
    auto& tm = *timers;
    for (const auto& w : c.tickets) {
        tm.replace(w.ticket->id, w.ticket.get());
        if (batch_events) tm.dirty.push_back(w.ticket->id);
    }
}

void Engine::Impl::refresh_timers(const std::vector<TicketId>& ids) {
    if (!timers) return;
    for (TicketId id : ids)
        timers->replace(id, store->get(id).get());
}

// Reads every ticket in a state that a timed transition leaves, one query per workflow.
void Engine::Impl::rebuild_timers() {
    auto tm = std::make_shared<Timers>(workflows);
    for (std::size_t wi = 0; wi < workflows->all().size(); ++wi) {
        if (tm->leaving[wi].empty()) continue;
        Query q;
        q.kinds = {workflows->all()[wi].kind};
        for (const auto& [state, list] : tm->leaving[wi])
            q.states.push_back(state);
        std::sort(q.states.begin(), q.states.end());  // the same query whatever the hash order
        q.limit = 1000;
        for (;;) {
            Page page = store->query(q);
            for (const auto& t : page.tickets)
                if (!tm->of_ticket.count(t->id)) tm->replace(t->id, t.get());
            if (page.next_cursor.empty()) break;
            q.cursor = page.next_cursor;
        }
    }
    tm->provisional = batch_events.has_value();
    timers = std::move(tm);
}

std::vector<Engine::Impl::TimerEntry> Engine::Impl::due_timers(
    Instant now, std::shared_ptr<const Workflows>& wfs) {
    if (!workflows) {
        timers.reset();
        return {};
    }
    if (!timers || timers->built_for != workflows || (timers->provisional && !batch_events)) {
        rebuild_timers();
    } else if (!timers->dirty.empty() && !batch_events) {
        auto ids = std::move(timers->dirty);
        timers->dirty.clear();
        refresh_timers(ids);
    }
    wfs = timers->built_for;
    std::vector<TimerEntry> due;
    for (const auto& e : timers->queue) {
        if (e.due > now) break;
        due.push_back(e);
    }
    // The order the scan had: by workflow, then transition, then the ticket's creation.
    std::sort(due.begin(), due.end(), [](const TimerEntry& a, const TimerEntry& b) {
        return std::tie(a.workflow, a.transition, a.created, a.ticket) <
               std::tie(b.workflow, b.transition, b.created, b.ticket);
    });
    return due;
}

ITSM_END_NAMESPACE

// Engine members for SLA clocks: configuration, the commit hook that moves every ticket's
// clocks with the change that moved them, the alarms of advance(), and the evaluated view.
// The rules are pure functions in sla.hpp; docs/sla.md describes the behaviour.
#include <fmt/format.h>

#include <algorithm>

#include "engine_impl.hpp"
#include "itsm/workflow.hpp"
#include "json_reader.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

// Policies without a calendar run on wall-clock time.
const Calendar& wall_clock() {
    static const CalendarPtr always = CalendarBuilder("wall_clock").always_open().build();
    return *always;
}

Symbol sla_actor() {
    static const Symbol s("system");
    return s;
}

Symbol field_of(const SlaClock& c) {
    return Symbol(fmt::format("sla.{}.{}", c.policy.view(), c.metric.view()));
}

std::int64_t seconds(Duration d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

const std::vector<SlaTrigger>& pause_triggers(const SlaPolicy& p, const MetricDef& m) {
    return m.pause_on ? *m.pause_on : p.pause_on;
}

bool contains_created(const std::vector<SlaTrigger>& list) {
    return std::any_of(list.begin(), list.end(),
                       [](const SlaTrigger& t) { return t.kind == SlaTrigger::Kind::created; });
}

}  // namespace

ClockInput clock_input(const SlaClock& c, const std::vector<int>& warnings) {
    ClockInput in;
    in.start = c.start;
    in.pauses = c.pauses;
    in.stopped = c.stopped;
    in.canceled = c.canceled;
    in.target = c.target;
    in.warnings = warnings;
    return in;
}

// One ticket's clocks through one commit: what the ticket was (`before`, null when new) and
// what it becomes (`t`, whose clocks are edited in place), at `now`.
class Engine::Impl::ClockStep {
  public:
    ClockStep(const Impl& impl, const Ticket* before, Ticket& t, bool public_reply, Instant now,
              std::vector<Event>& events)
        : impl_(impl),
          policies_(*impl.sla),
          before_(before),
          t_(t),
          public_reply_(public_reply),
          now_(now),
          events_(events),
          cls_(impl.class_of(t)),
          cls_before_(before ? impl.class_of(*before) : std::nullopt) {}

    void run() {
        SlaFacts facts = SlaFacts::of(t_);
        if (!t_.category.empty())
            for (auto a : impl_.category_ancestors(t_.category))
                facts.categories.push_back(a);
        matched_ = policies_.matching(facts);
        for (std::size_t i = 0; i < t_.sla.size(); ++i)
            if (t_.sla[i].live()) flush(i);
        for (std::size_t i = 0; i < t_.sla.size(); ++i)
            if (t_.sla[i].live()) rematch(i);
        reopen();
        start_new();
        for (std::size_t i = 0; i < t_.sla.size(); ++i)
            if (t_.sla[i].live()) stop_or_pause(i);
        for (std::size_t i = 0; i < t_.sla.size(); ++i)  // thresholds a new target crossed
            if (t_.sla[i].live()) flush(i);
    }

    // Emits every alarm of clock i crossed by now (advance() and every commit call this).
    void flush(std::size_t i) {
        while (due_alarm(t_.sla[i])) {
            emit_alarm(i);
        }
    }
    bool due_alarm(const SlaClock& c) const { return c.running() && c.alarm && *c.alarm <= now_; }

    // The next alarm of clock i, which must be due: a warning or the breach.
    void emit_alarm(std::size_t i) {
        SlaClock& c = t_.sla[i];
        const SlaPolicy* p = policies_.find(c.policy);
        Instant at = *c.alarm;
        if (!p) {  // its policy was removed: the clock no longer counts
            c.canceled = true;
            event(c, "canceled", now_);
        } else if (c.warnings_emitted < p->warnings.size()) {
            Event& e = event(c, "warning", at);
            e.new_value = std::int64_t{p->warnings[c.warnings_emitted]};
            ++c.warnings_emitted;
        } else {
            Event& e = event(c, "breached", *c.due);
            e.new_value = *c.due;
            c.breach_emitted = true;
        }
        refresh(c);
    }

    // Recomputes the cached due instant, next alarm and state of a clock.
    void refresh(SlaClock& c) const {
        const SlaPolicy* p = policies_.find(c.policy);
        if (c.canceled || !p) {
            c.alarm.reset();
            if (c.canceled) c.state = ClockState::canceled;
            return;
        }
        ClockView v = evaluate_clock(calendar_of(*p), clock_input(c, p->warnings), now_);
        c.alarm.reset();
        if (c.stopped) {
            c.due = v.due;
            c.state = v.state;
        } else if (c.paused()) {
            c.due.reset();
            c.state = c.breach_emitted ? ClockState::breached : ClockState::paused;
        } else {
            c.due = v.due;
            std::size_t k = c.warnings_emitted;
            if (k < v.warning_at.size())
                c.alarm = v.warning_at[k];
            else if (!c.breach_emitted)
                c.alarm = v.due + Duration{1};  // breached once now is after due
            c.state = c.breach_emitted && v.state == ClockState::breached ? ClockState::breached
                                                                          : ClockState::running;
        }
    }

  private:
    const Calendar& calendar_of(const SlaPolicy& p) const {
        if (p.calendar.empty() || !impl_.calendars) return wall_clock();
        CalendarPtr c = impl_.calendars->find(p.calendar);
        return c ? *c : wall_clock();
    }

    Event& event(const SlaClock& c, std::string_view what, Instant at) {
        Event e = make_event(t_.id, at, sla_actor(), EventType::sla);
        e.field = field_of(c);
        e.text = std::string(what);
        events_.push_back(std::move(e));
        return events_.back();
    }

    bool is_matched(const SlaPolicy* p) const {
        return std::find(matched_.begin(), matched_.end(), p) != matched_.end();
    }

    // Level conditions: does the trigger hold for this ticket now?
    static bool holds(const SlaTrigger& tr, const Ticket& t, std::optional<StateClass> cls) {
        switch (tr.kind) {
            case SlaTrigger::Kind::state_class:
                return cls && to_string(*cls) == tr.value.view();
            case SlaTrigger::Kind::on_hold:
                return t.hold_reason == tr.value;
            default:
                return false;
        }
    }
    // Edges: did the trigger happen in this commit?
    bool fired(const SlaTrigger& tr) const {
        switch (tr.kind) {
            case SlaTrigger::Kind::created:
                return !before_;
            case SlaTrigger::Kind::assigned:
                return !t_.assignee.empty() && (!before_ || before_->assignee != t_.assignee);
            case SlaTrigger::Kind::public_reply:
                return public_reply_;
            default:
                return holds(tr, t_, cls_) && !(before_ && holds(tr, *before_, cls_before_));
        }
    }
    bool any_fired(const std::vector<SlaTrigger>& list) const {
        return std::any_of(list.begin(), list.end(), [&](const auto& tr) { return fired(tr); });
    }
    // A stop condition that already holds: such a clock is not started late.
    bool already_stopped(const MetricDef& m) const {
        return std::any_of(m.stop_on.begin(), m.stop_on.end(), [&](const SlaTrigger& tr) {
            return holds(tr, t_, cls_) ||
                   (tr.kind == SlaTrigger::Kind::assigned && !t_.assignee.empty());
        });
    }

    // A clock whose policy no longer applies (or has no target for the priority) is
    // canceled; one whose target changed is retargeted from its original start.
    void rematch(std::size_t i) {
        SlaClock& c = t_.sla[i];
        const SlaPolicy* p = policies_.find(c.policy);
        const MetricDef* m = p ? p->metric(c.metric) : nullptr;
        auto target = m ? m->target_for(t_.priority) : std::nullopt;
        if (!p || !m || !target || !is_matched(p)) {
            if (c.paused()) c.pauses.back().to = now_;
            c.canceled = true;
            event(c, "canceled", now_);
            refresh(c);
        } else if (*target != c.target) {
            Event& e = event(c, "retargeted", now_);
            e.old_value = seconds(c.target);
            e.new_value = seconds(*target);
            c.target = *target;
            refresh(c);
        }
    }

    // The latest clock of a policy's metric, or none.
    SlaClock* latest(Symbol policy, Symbol metric) {
        SlaClock* out = nullptr;
        for (auto& c : t_.sla)
            if (c.policy == policy && c.metric == metric && (!out || c.cycle >= out->cycle))
                out = &c;
        return out;
    }

    // Leaving a state class that stopped a clock (a reopened ticket) resumes the clock, the
    // time in between counting as paused, or starts a new cycle (the policy's on_reopen).
    void reopen() {
        if (!before_ || !cls_ || !itsm::is_open(*cls_)) return;
        for (const SlaPolicy* p : matched_)
            for (const auto& m : p->metrics) {
                SlaClock* c = latest(p->id, m.id);
                if (!c || !c->stopped || c->canceled) continue;
                bool left = std::any_of(m.stop_on.begin(), m.stop_on.end(), [&](const auto& tr) {
                    return holds(tr, *before_, cls_before_) && !holds(tr, t_, cls_);
                });
                if (!left) continue;
                if (p->on_reopen == SlaPolicy::OnReopen::resume) {
                    c->pauses.push_back({*c->stopped, now_});
                    c->stopped.reset();
                    event(*c, "resumed", now_);
                    refresh(*c);
                } else {
                    SlaClock next = fresh(*p, m, now_, c->cycle + 1);
                    t_.sla.push_back(std::move(next));
                    event(t_.sla.back(), "new_cycle", now_).new_value =
                        std::int64_t{t_.sla.back().cycle};
                    refresh(t_.sla.back());
                }
            }
    }

    SlaClock fresh(const SlaPolicy& p, const MetricDef& m, Instant start, std::uint32_t cycle) {
        SlaClock c;
        c.policy = p.id;
        c.metric = m.id;
        c.cycle = cycle;
        c.start = start;
        c.target = *m.target_for(t_.priority);
        return c;
    }

    // Clocks that start now: at creation, on a start trigger, or from the ticket's creation
    // when a policy newly applies to an existing ticket.
    void start_new() {
        for (const SlaPolicy* p : matched_)
            for (const auto& m : p->metrics) {
                if (!m.target_for(t_.priority)) continue;
                SlaClock* last = latest(p->id, m.id);
                if (last && !last->canceled) continue;
                std::optional<Instant> start;
                if (any_fired(m.start_on))
                    start = now_;
                else if (before_ && contains_created(m.start_on) && !already_stopped(m) &&
                         !(cls_ && is_final(*cls_)))
                    start = t_.created;
                if (!start) continue;
                std::uint32_t cycle = last ? last->cycle + 1 : 1;
                t_.sla.push_back(fresh(*p, m, *start, cycle));
                event(t_.sla.back(), "started", now_).new_value = *start;
                refresh(t_.sla.back());
            }
    }

    void stop_or_pause(std::size_t i) {
        SlaClock& c = t_.sla[i];
        const SlaPolicy* p = policies_.find(c.policy);
        const MetricDef* m = p ? p->metric(c.metric) : nullptr;
        if (!m) return;
        if (any_fired(m->stop_on)) {
            flush(i);
            if (c.paused()) c.pauses.back().to = now_;
            c.stopped = now_;
            refresh(c);
            Event& e = event(c, "stopped", now_);
            e.old_value = *c.due;
            e.new_value = std::string(c.state == ClockState::met ? "met" : "breached");
            return;
        }
        const auto& pause_on = pause_triggers(*p, *m);
        bool pause = std::any_of(pause_on.begin(), pause_on.end(),
                                 [&](const auto& tr) { return holds(tr, t_, cls_); });
        if (pause && !c.paused()) {
            c.pauses.push_back({now_, std::nullopt});
            event(c, "paused", now_);
            refresh(c);
        } else if (!pause && c.paused()) {
            c.pauses.back().to = now_;
            event(c, "resumed", now_);
            refresh(c);
        }
    }

    const Impl& impl_;
    const SlaPolicies& policies_;
    const Ticket* before_;
    Ticket& t_;
    bool public_reply_;
    Instant now_;
    std::vector<Event>& events_;
    std::optional<StateClass> cls_, cls_before_;
    std::vector<const SlaPolicy*> matched_;
};

void Engine::Impl::sla_commit(Commit& c) {
    std::vector<Event> added;
    for (auto& w : c.tickets) {
        const Ticket& after = *w.ticket;
        TicketPtr before = w.expected_version ? store->get(after.id) : nullptr;
        bool reply = std::any_of(c.events.begin(), c.events.end(), [&](const Event& e) {
            return e.ticket == after.id && e.type == EventType::comment &&
                   e.actor != after.requester;
        });
        Ticket next = after;
        std::size_t mark = added.size();
        ClockStep(*this, before.get(), next, reply, after.updated, added).run();
        if (added.size() == mark && next.sla == after.sla) continue;
        w.ticket = std::make_shared<const Ticket>(std::move(next));
    }
    c.events.insert(c.events.end(), std::make_move_iterator(added.begin()),
                    std::make_move_iterator(added.end()));
}

// One alarm per commit, always the earliest one due, so the events come out in the order the
// thresholds were crossed across all tickets; a restart finds the flags in the store.
std::size_t Engine::Impl::advance_sla(Instant now) {
    std::size_t emitted = 0;
    for (bool more = true; more;) {
        {
            std::unique_lock lock(mutex);
            if (!sla) return emitted;
            for (int batch = 0; batch < 256; ++batch) {
                auto next = store->sla_alarms(now, 1);
                if (next.empty()) {
                    more = false;
                    break;
                }
                Ticket t = *next.front();
                auto alarm = next_alarm(t.sla);
                auto it = std::find_if(t.sla.begin(), t.sla.end(), [&](const SlaClock& c) {
                    return c.running() && c.alarm == alarm;
                });
                Commit c;
                ClockStep step(*this, nullptr, t, false, now, c.events);
                step.emit_alarm(static_cast<std::size_t>(it - t.sla.begin()));
                t.version = next.front()->version + 1;
                c.tickets.push_back(
                    {std::make_shared<const Ticket>(std::move(t)), next.front()->version});
                sla_internal = true;
                try {
                    commit(c);
                } catch (const Error& e) {
                    sla_internal = false;
                    // On a shared store another process emitted this alarm first: read again.
                    if (e.code() == Errc::conflict) continue;
                    throw;
                } catch (...) {
                    sla_internal = false;
                    throw;
                }
                sla_internal = false;
                ++emitted;
            }
        }
        deliver();
    }
    return emitted;
}

// ---- JSON view ----------------------------------------------------------------------------

std::string to_json(const std::vector<SlaStatus>& clocks) {
    using detail::json;
    auto instant = [](const std::optional<Instant>& i) {
        return i ? json(format_instant(*i)) : json(nullptr);
    };
    json out = json::array();
    for (const auto& s : clocks) {
        const SlaClock& c = s.clock;
        json pauses = json::array();
        for (const auto& p : c.pauses)
            pauses.push_back({{"from", format_instant(p.from)}, {"to", instant(p.to)}});
        bool live = c.live();
        out.push_back({{"policy", c.policy.str()},
                       {"metric", c.metric.str()},
                       {"cycle", c.cycle},
                       {"type", std::string(to_string(s.type))},
                       {"calendar", s.calendar.empty() ? json(nullptr) : json(s.calendar)},
                       {"state", std::string(to_string(s.view.state))},
                       {"start", format_instant(c.start)},
                       {"due", format_instant(s.view.due)},
                       {"stopped", instant(c.stopped)},
                       {"target", seconds(c.target)},
                       {"elapsed", seconds(s.view.elapsed)},
                       {"remaining", seconds(s.view.remaining)},
                       {"wall_elapsed", seconds(s.view.wall_elapsed)},
                       {"paused", seconds(s.view.paused)},
                       {"percentage", s.view.percentage},
                       {"paused_now", live && c.paused()},
                       {"pauses", pauses},
                       {"warnings_emitted", c.warnings_emitted},
                       {"breach_emitted", c.breach_emitted},
                       {"at", format_instant(s.at)}});
    }
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---- Engine members -----------------------------------------------------------------------

void Engine::set_calendars(const Actor& actor, CalendarSet calendars) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.calendars");
    if (impl_->sla)
        for (const auto& p : impl_->sla->all())
            if (!p.calendar.empty() && !calendars.find(p.calendar))
                throw Error(Errc::invalid_config, fmt::format("calendars.{}", p.calendar),
                            fmt::format("used by SLA policy \"{}\"", p.id.view()));
    impl_->calendars = std::make_shared<const CalendarSet>(std::move(calendars));
}

CalendarSet Engine::calendars() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->calendars ? *impl_->calendars : CalendarSet{};
}

void Engine::set_sla_policies(const Actor& actor, SlaPolicies policies) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.sla");
    CalendarSet none;
    const CalendarSet& known = impl_->calendars ? *impl_->calendars : none;
    for (const auto& p : policies.all())
        if (!p.calendar.empty() && !known.find(p.calendar))
            throw Error(Errc::invalid_config, fmt::format("sla_policies.{}.calendar", p.id.view()),
                        fmt::format("unknown calendar \"{}\"", p.calendar));
    if (policies.all().empty())
        impl_->sla.reset();
    else
        impl_->sla = std::make_shared<const SlaPolicies>(std::move(policies));
}

SlaPolicies Engine::sla_policies() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->sla ? *impl_->sla : SlaPolicies{};
}

std::vector<SlaStatus> Engine::sla(const Actor& actor, TicketId id) const {
    check_actor(actor.user);
    std::shared_lock lock(impl_->mutex);
    TicketPtr t = impl_->load_readable(actor, id);
    Instant now = impl_->clock->now();
    std::vector<SlaStatus> out;
    for (const auto& c : t->sla) {
        SlaStatus s;
        s.clock = c;
        s.at = now;
        const SlaPolicy* p = impl_->sla ? impl_->sla->find(c.policy) : nullptr;
        std::vector<int> warnings = p ? p->warnings : std::vector<int>{};
        const Calendar* cal = &wall_clock();
        if (p) {
            s.type = p->type;
            s.calendar = p->calendar;
            if (!p->calendar.empty() && impl_->calendars)
                if (auto found = impl_->calendars->find(p->calendar)) cal = found.get();
        }
        s.view = evaluate_clock(*cal, clock_input(c, warnings), now);
        out.push_back(std::move(s));
    }
    return out;
}

ITSM_END_NAMESPACE

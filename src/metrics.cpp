// Service metrics by replaying each ticket's events (docs/metrics.md defines every figure).
// For each ticket the values before its first change are recovered by undoing the recorded
// changes from the current record; a forward replay then sees the ticket at every instant.
#include "itsm/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "itsm/error.hpp"
#include "itsm/store.hpp"
#include "itsm/taxonomy.hpp"
#include "itsm/workflow.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

constexpr Duration day = std::chrono::hours(24);

// The fields the metrics read, as they stand at one instant.
struct Facts {
    Symbol state;
    int priority = 0;
    Symbol category;
    Symbol assignee;
    Symbol group;
    Symbol segment;
    std::string channel;
    bool resolved = false;  // the `resolved` stamp holds a value
    bool closed = false;
    Symbol close_code;
    bool knowledge = false;  // the knowledge field holds a value
};

std::string text_of(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return {};
}
bool has_value(const Value& v) {
    if (std::holds_alternative<std::monostate>(v)) return false;
    if (const auto* s = std::get_if<std::string>(&v)) return !s->empty();
    return true;
}

// Applies one recorded value (the new value forward, the old one when undoing).
void apply(Facts& f, const Event& e, const Value& v, Symbol knowledge_field) {
    if (e.type == EventType::state_changed) {
        f.state = Symbol(text_of(v));
        return;
    }
    if (e.type != EventType::field_changed) return;
    std::string_view name = e.field.view();
    if (name == "priority") {
        if (const auto* i = std::get_if<std::int64_t>(&v)) f.priority = static_cast<int>(*i);
    } else if (name == "category") {
        f.category = Symbol(text_of(v));
    } else if (name == "assignee") {
        f.assignee = Symbol(text_of(v));
    } else if (name == "assignment_group") {
        f.group = Symbol(text_of(v));
    } else if (name == "segment") {
        f.segment = Symbol(text_of(v));
    } else if (name == "channel") {
        f.channel = text_of(v);
    } else if (name == "resolved") {
        f.resolved = has_value(v);
    } else if (name == "closed") {
        f.closed = has_value(v);
    } else if (name == "close_code") {
        f.close_code = Symbol(text_of(v));
    } else if (name.size() > 7 && name.substr(0, 7) == "custom." &&
               name.substr(7) == knowledge_field.view()) {
        f.knowledge = has_value(v);
    }
}

Facts current_facts(const Ticket& t, Symbol knowledge_field) {
    Facts f;
    f.state = t.state;
    f.priority = t.priority;
    f.category = t.category;
    f.assignee = t.assignee;
    f.group = t.assignment_group;
    f.segment = t.segment;
    f.channel = std::string(to_string(t.channel));
    f.resolved = t.resolved.has_value();
    f.closed = t.closed.has_value();
    f.close_code = t.close_code;
    const Value* k = t.custom_value(knowledge_field);
    f.knowledge = k && has_value(*k);
    return f;
}

// How the metrics see a state: open work, resolved, closed or canceled.
enum class Phase : std::uint8_t { open, resolved, closed, canceled };

Phase phase_of(const Facts& f, const Workflow* wf) {
    if (wf)
        if (const StateDef* s = wf->state(f.state)) switch (s->cls) {
                case StateClass::resolved:
                    return Phase::resolved;
                case StateClass::closed:
                    return Phase::closed;
                case StateClass::canceled:
                    return Phase::canceled;
                default:
                    return Phase::open;
            }
    if (f.closed) return Phase::closed;
    return f.resolved ? Phase::resolved : Phase::open;
}
bool is_done(Phase p) {
    return p == Phase::resolved || p == Phase::closed;
}

bool contains(const std::vector<Symbol>& list, Symbol s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

void add_unique(std::vector<Symbol>& seen, Symbol s) {
    if (!s.empty() && !contains(seen, s)) seen.push_back(s);
}

// Monday 00:00 UTC of the week holding `t`.
Instant week_start(Instant t) {
    auto days = std::chrono::floor<std::chrono::days>(t);
    std::chrono::weekday wd{days};
    auto since_monday = (wd.c_encoding() + 6) % 7;
    return Instant{days - std::chrono::days(since_monday)};
}

// Durations of one breakdown cell; turned into DurationStats at the end.
struct Samples {
    std::vector<std::int64_t> wall, business;
};

std::optional<Duration> mean_of(const std::vector<std::int64_t>& v) {
    if (v.empty()) return std::nullopt;
    long double sum = 0;
    for (auto x : v)
        sum += static_cast<long double>(x);
    return Duration{static_cast<std::int64_t>(std::llround(sum / v.size()))};
}
// The middle value, or the mean of the two middle values (rounded down) for an even count.
std::optional<Duration> median_of(std::vector<std::int64_t> v) {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    if (n % 2 == 1) return Duration{v[n / 2]};
    return Duration{v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2};
}
DurationStats stats_of(const Samples& s) {
    DurationStats d;
    d.count = s.wall.size();
    d.mean_wall = mean_of(s.wall);
    d.median_wall = median_of(s.wall);
    d.mean_business = mean_of(s.business);
    d.median_business = median_of(s.business);
    return d;
}

// What one ticket's replay found.
struct Replay {
    Facts at_end;                     // the ticket at the end of the period
    std::optional<Instant> resolved;  // its last resolution in the period
    Facts at_resolution;
    std::size_t assignees = 0, groups = 0;  // distinct ones up to that resolution
    bool reopened = false;                  // a reopening before the end of the period
    std::optional<Instant> change_closed;   // its last closure in the period
    Symbol close_code;                      // the close code at that closure
    struct Stop {
        Instant at;
        std::string metric;
        int priority;
        bool met;
    };
    std::vector<Stop> sla;  // clocks stopped in the period
};

// "sla.<policy>.<metric>" -> metric (policy ids may hold dots: the metric is the last part).
std::string sla_metric(std::string_view field) {
    auto dot = field.rfind('.');
    return std::string(dot == std::string_view::npos ? field : field.substr(dot + 1));
}

}  // namespace

// ---- Query -------------------------------------------------------------------------------

void MetricsQuery::validate() const {
    if (to <= from)
        throw Error(
            Errc::invalid_argument, "to",
            fmt::format("{} is not after from ({})", format_instant(to), format_instant(from)));
    for (std::size_t i = 0; i < priorities.size(); ++i)
        if (priorities[i] < 1 || priorities[i] > 5)
            throw Error(Errc::invalid_argument, fmt::format("priorities[{}]", i),
                        fmt::format("{} is outside 1..5", priorities[i]));
}

std::size_t Backlog::bucket_of(Duration age) noexcept {
    if (age < day) return 0;
    if (age < 3 * day) return 1;
    if (age < 7 * day) return 2;
    if (age < 30 * day) return 3;
    return 4;
}

std::string iso_week(Instant t) {
    // The ISO year of a week is the year of its Thursday.
    auto thursday = std::chrono::floor<std::chrono::days>(week_start(t)) + std::chrono::days(3);
    std::chrono::year_month_day ymd{thursday};
    auto jan1 = std::chrono::sys_days{ymd.year() / std::chrono::January / 1};
    auto week = (thursday - jan1).count() / 7 + 1;
    return fmt::format("{:04}-W{:02}", static_cast<int>(ymd.year()), week);
}

// ---- Accumulator -------------------------------------------------------------------------

struct MetricsAccumulator::State {
    MetricsQuery q;
    MetricsContext ctx;
    Scorecard scorecard;
    MetricsReport r;
    Samples mttr;
    std::map<int, Samples> by_priority;
    std::map<std::string, Samples> by_category;
    std::map<std::int64_t, std::size_t> week_index;  // week start (micros) -> r.weekly index

    bool in_period(Instant t) const { return t >= q.from && t < q.to; }
    bool within_category(Symbol c) const {
        for (Symbol root : q.categories) {
            if (ctx.taxonomy && ctx.taxonomy->find(root) ? ctx.taxonomy->within(c, root)
                                                         : category_within(c, root))
                return true;
        }
        return false;
    }
    bool matches(const Ticket& t, const Facts& f) const {
        if (!q.kinds.empty() && !contains(q.kinds, t.kind)) return false;
        if (!q.segments.empty() && !contains(q.segments, f.segment)) return false;
        if (!q.groups.empty() && !contains(q.groups, f.group)) return false;
        if (!q.priorities.empty() &&
            std::find(q.priorities.begin(), q.priorities.end(), f.priority) == q.priorities.end())
            return false;
        return q.categories.empty() || within_category(f.category);
    }
    WeekCount& week(Instant t) {
        Instant start = week_start(t);
        return r.weekly[week_index.at(to_micros(start))];
    }

    Replay replay(const Ticket& t, std::span<const Event> events) const;
    void count(const Ticket& t, const Replay& rp);
};

MetricsAccumulator::MetricsAccumulator(MetricsQuery query, MetricsContext context)
    : state_(std::make_unique<State>()) {
    query.validate();
    auto& s = *state_;
    s.q = std::move(query);
    s.ctx = context;
    if (context.scorecard) s.scorecard = *context.scorecard;
    s.ctx.scorecard = &s.scorecard;
    s.r.from = s.q.from;
    s.r.to = s.q.to;
    for (Instant w = week_start(s.q.from); w < s.q.to; w += std::chrono::days(7)) {
        s.week_index[to_micros(w)] = s.r.weekly.size();
        s.r.weekly.push_back({iso_week(w), w, 0, 0});
    }
}
MetricsAccumulator::~MetricsAccumulator() = default;
MetricsAccumulator::MetricsAccumulator(MetricsAccumulator&&) noexcept = default;
MetricsAccumulator& MetricsAccumulator::operator=(MetricsAccumulator&&) noexcept = default;

Replay MetricsAccumulator::State::replay(const Ticket& t, std::span<const Event> events) const {
    const Workflow* wf = ctx.workflows ? ctx.workflows->for_ticket(t) : nullptr;
    Facts f = current_facts(t, q.knowledge_field);
    for (auto it = events.rbegin(); it != events.rend(); ++it)
        if (it->ticket == t.id) apply(f, *it, it->old_value, q.knowledge_field);

    Replay rp;
    std::vector<Symbol> assignees, groups;
    add_unique(assignees, f.assignee);
    add_unique(groups, f.group);
    Phase phase = phase_of(f, wf);
    for (const Event& e : events) {
        if (e.ticket != t.id || e.at >= q.to) continue;
        if (e.type == EventType::sla) {
            if (e.text == "stopped" && in_period(e.at))
                rp.sla.push_back(
                    {e.at, sla_metric(e.field.view()), f.priority, text_of(e.new_value) == "met"});
            continue;
        }
        apply(f, e, e.new_value, q.knowledge_field);
        add_unique(assignees, f.assignee);
        add_unique(groups, f.group);
        Phase next = phase_of(f, wf);
        if (next == phase) continue;
        if (is_done(phase) && next == Phase::open) rp.reopened = true;
        if (phase == Phase::open && is_done(next) && in_period(e.at)) {
            rp.resolved = e.at;
            rp.at_resolution = f;
            rp.assignees = assignees.size();
            rp.groups = groups.size();
        }
        if (next == Phase::closed && in_period(e.at)) {
            rp.change_closed = e.at;
            rp.close_code = f.close_code;
        }
        phase = next;
    }
    rp.at_end = f;
    return rp;
}

void MetricsAccumulator::add(const Ticket& t, std::span<const Event> events) {
    auto& s = *state_;
    if (t.created >= s.q.to) return;
    Replay rp = s.replay(t, events);
    if (!s.matches(t, rp.at_end)) return;
    s.count(t, rp);
}

void MetricsAccumulator::State::count(const Ticket& t, const Replay& rp) {
    ++r.tickets;
    if (in_period(t.created)) {
        ++r.created;
        ++week(t.created).created;
    }
    const Workflow* wf = ctx.workflows ? ctx.workflows->for_ticket(t) : nullptr;
    if (phase_of(rp.at_end, wf) == Phase::open) {
        ++r.backlog.total;
        ++r.backlog.buckets[Backlog::bucket_of(q.to - t.created)];
        ++r.backlog.by_priority[rp.at_end.priority];
    }
    for (const auto& stop : rp.sla) {
        auto add = [&](SlaCompliance& c) { ++(stop.met ? c.met : c.breached); };
        add(r.sla);
        add(r.sla_by_metric[stop.metric]);
        add(r.sla_by_metric_priority[stop.metric][stop.priority]);
    }
    if (contains(q.change_kinds, t.kind) && rp.change_closed) {
        std::string_view code = rp.close_code.view();
        if (code == "successful") ++r.changes.successful;
        if (code == "successful_with_issues") ++r.changes.successful_with_issues;
        if (code == "unsuccessful") ++r.changes.unsuccessful;
    }
    if (!rp.resolved) return;
    ++r.resolved;
    ++week(*rp.resolved).resolved;
    if (!contains(q.service_kinds, t.kind)) return;

    const Facts& f = rp.at_resolution;
    std::int64_t wall = (*rp.resolved - t.created).count();
    auto sample = [&](Samples& x) {
        x.wall.push_back(wall);
        if (q.calendar) x.business.push_back(q.calendar->between(t.created, *rp.resolved).count());
    };
    sample(mttr);
    sample(by_priority[f.priority]);
    sample(by_category[f.category.str()]);

    bool fcr = rp.assignees <= 1 && rp.groups <= 1 && !rp.reopened;
    r.first_contact_resolution.numerator += fcr;
    ++r.first_contact_resolution.denominator;
    r.reopen_rate.numerator += rp.reopened;
    ++r.reopen_rate.denominator;
    r.self_service.numerator += f.channel == "self_service" || f.knowledge;
    ++r.self_service.denominator;
}

MetricsReport MetricsAccumulator::finish() const {
    const auto& s = *state_;
    MetricsReport r = s.r;
    r.mttr = stats_of(s.mttr);
    for (const auto& [p, x] : s.by_priority)
        r.mttr_by_priority[p] = stats_of(x);
    for (const auto& [c, x] : s.by_category)
        r.mttr_by_category[c] = stats_of(x);
    r.scorecard = score(r, s.scorecard, s.q.calendar != nullptr);
    return r;
}

MetricsReport compute_metrics(const std::vector<TicketHistory>& tickets, const MetricsQuery& q,
                              const MetricsContext& context) {
    MetricsAccumulator acc(q, context);
    for (const auto& h : tickets)
        acc.add(h.ticket, h.events);
    return acc.finish();
}

// ---- Scorecard ---------------------------------------------------------------------------

namespace {

ScoreLine line(std::string metric, std::optional<double> value, std::string unit,
               const Scorecard::Range& range) {
    ScoreLine l{std::move(metric), value, std::move(unit), range.min, range.max, std::nullopt};
    if (value) l.met = (!range.min || *value >= *range.min) && (!range.max || *value <= *range.max);
    return l;
}

// The mean time to resolve, in hours, over the resolutions of the given priorities.
std::optional<double> tier_hours(const MetricsReport& r, const std::vector<int>& priorities,
                                 bool business) {
    long double sum = 0;
    std::size_t n = 0;
    for (int p : priorities) {
        auto it = r.mttr_by_priority.find(p);
        if (it == r.mttr_by_priority.end()) continue;
        const auto& mean = business ? it->second.mean_business : it->second.mean_wall;
        if (!mean) continue;
        sum += static_cast<long double>(mean->count()) * it->second.count;
        n += it->second.count;
    }
    if (n == 0) return std::nullopt;
    return static_cast<double>(sum / n / 3.6e9L);
}

}  // namespace

std::vector<ScoreLine> score(const MetricsReport& r, const Scorecard& s, bool business_time) {
    std::vector<ScoreLine> out;
    bool business = business_time && s.mttr_business_time;
    for (const auto& tier : s.mttr)
        out.push_back(line("mttr." + tier.id, tier_hours(r, tier.priorities, business),
                           business ? "business_hours" : "hours", {std::nullopt, tier.max_hours}));
    out.push_back(line("first_contact_resolution", r.first_contact_resolution.rate(), "ratio",
                       s.first_contact_resolution));
    out.push_back(line("reopen_rate", r.reopen_rate.rate(), "ratio", s.reopen_rate));
    out.push_back(line("sla_compliance", r.sla.rate(), "ratio", s.sla_compliance));
    out.push_back(line("change_success", r.changes.success_rate(), "ratio", s.change_success));
    out.push_back(line("self_service", r.self_service.rate(), "ratio", s.self_service));
    return out;
}

ITSM_END_NAMESPACE

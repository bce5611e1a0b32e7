// Service metrics: hand-computed figures on small scripted histories (the pure replay),
// then end to end through the Engine with the ITIL workflows, access control and the
// scorecard configuration.
#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "itsm/json.hpp"
#include "itsm/metrics.hpp"
#include "itsm/taxonomy.hpp"
#include "itsm/workflow.hpp"
#include "workflow_helpers.hpp"

using namespace itsm;
using itsm_test::error_of;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

Instant at(const char* text) {
    return parse_instant(text);
}

// One ticket's scripted history. Each step records its event and changes the current record
// the same way, so the record ends as the engine would have left it.
struct Script {
    TicketHistory h;

    Script(TicketId id, Symbol kind, const char* created, int priority) {
        h.ticket.id = id;
        h.ticket.kind = kind;
        h.ticket.state = "new";
        h.ticket.priority = static_cast<std::uint8_t>(priority);
        h.ticket.created = at(created);
        h.events.push_back(event(at(created), EventType::created));
    }
    Event event(Instant when, EventType type) const {
        Event e;
        e.ticket = h.ticket.id;
        e.at = when;
        e.type = type;
        return e;
    }
    Script& field(const char* when, Symbol name, Value next) {
        Ticket& t = h.ticket;
        Event e = event(at(when), EventType::field_changed);
        e.field = name;
        e.new_value = next;
        auto text = [&] { return Symbol(std::get<std::string>(next)); };
        std::string_view n = name.view();
        if (n == "assignee") {
            e.old_value = t.assignee.str();
            t.assignee = text();
        } else if (n == "assignment_group") {
            e.old_value = t.assignment_group.str();
            t.assignment_group = text();
        } else if (n == "category") {
            e.old_value = t.category.str();
            t.category = text();
        } else if (n == "close_code") {
            e.old_value = t.close_code.str();
            t.close_code = text();
        } else if (n == "channel") {
            e.old_value = std::string(to_string(t.channel));
            t.channel = *channel_from_string(std::get<std::string>(next));
        } else if (n == "priority") {
            e.old_value = std::int64_t{t.priority};
            t.priority = static_cast<std::uint8_t>(std::get<std::int64_t>(next));
        } else if (n == "resolved" || n == "closed") {
            auto& slot = n == "resolved" ? t.resolved : t.closed;
            e.old_value = slot ? Value{*slot} : Value{};
            slot = std::holds_alternative<Instant>(next) ? std::optional(std::get<Instant>(next))
                                                         : std::nullopt;
        } else if (n == "custom.knowledge_article") {
            e.old_value = Value{};
            t.custom.push_back({"knowledge_article", next});
        }
        h.events.push_back(e);
        return *this;
    }
    Script& assign(const char* when, const char* group, const char* user) {
        field(when, "assignment_group", std::string(group));
        return field(when, "assignee", std::string(user));
    }
    Script& state(const char* when, Symbol to) {
        Event e = event(at(when), EventType::state_changed);
        e.field = "state";
        e.old_value = h.ticket.state.str();
        e.new_value = to.str();
        h.ticket.state = to;
        h.events.push_back(e);
        return *this;
    }
    Script& resolve(const char* when) {
        state(when, "resolved");
        return field(when, "resolved", at(when));
    }
    Script& reopen(const char* when) {
        state(when, "in_progress");
        return field(when, "resolved", Value{});
    }
    Script& sla(const char* when, const char* clock, const char* what, Value value = {}) {
        Event e = event(at(when), EventType::sla);
        e.field = clock;
        e.text = what;
        e.new_value = std::move(value);
        h.events.push_back(e);
        return *this;
    }
    Script& change_closed(const char* when, const char* code) {
        field(when, "close_code", std::string(code));
        state(when, "closed");
        return field(when, "closed", at(when));
    }
};

// Two ISO weeks, 2026-W10 and 2026-W11, and the scripted desk of docs/metrics.md's example.
MetricsQuery two_weeks() {
    MetricsQuery q;
    q.from = at("2026-03-02T00:00:00Z");
    q.to = at("2026-03-16T00:00:00Z");
    return q;
}

std::vector<TicketHistory> scripted_desk() {
    std::vector<Script> s;
    // A: P2, resolved in 2 hours by its first assignee.
    s.emplace_back(1, "incident", "2026-03-02T09:00:00Z", 2);
    s.back()
        .field("2026-03-02T09:00:00Z", "category", std::string("hardware.printer"))
        .assign("2026-03-02T09:10:00Z", "desk", "bob")
        .state("2026-03-02T09:10:00Z", "in_progress")
        .resolve("2026-03-02T11:00:00Z")
        .sla("2026-03-02T11:00:00Z", "sla.gold.resolution", "stopped", std::string("met"));
    // B: P2, reassigned to carol, resolved in 6 hours; moved to another group after the
    // period (a past report must not see that).
    s.emplace_back(2, "incident", "2026-03-03T09:00:00Z", 2);
    s.back()
        .field("2026-03-03T09:00:00Z", "category", std::string("software"))
        .assign("2026-03-03T09:00:00Z", "desk", "bob")
        .sla("2026-03-03T09:00:00Z", "sla.gold.response", "stopped", std::string("met"))
        .field("2026-03-03T10:00:00Z", "assignee", std::string("carol"))
        .state("2026-03-03T10:00:00Z", "in_progress")
        .sla("2026-03-03T14:00:00Z", "sla.gold.resolution", "breached", at("2026-03-03T14:00:00Z"))
        .resolve("2026-03-03T15:00:00Z")
        .sla("2026-03-03T15:00:00Z", "sla.gold.resolution", "stopped", std::string("breached"))
        .field("2026-03-20T09:00:00Z", "assignment_group", std::string("field"));
    // C: P3 from the self-service portal, resolved after 1 hour, reopened the next day and
    // resolved again: 28 hours from creation.
    s.emplace_back(3, "incident", "2026-03-04T09:00:00Z", 3);
    s.back()
        .field("2026-03-04T09:00:00Z", "channel", std::string("self_service"))
        .assign("2026-03-04T09:00:00Z", "field", "bob")
        .state("2026-03-04T09:05:00Z", "in_progress")
        .resolve("2026-03-04T10:00:00Z")
        .reopen("2026-03-05T09:00:00Z")
        .resolve("2026-03-05T13:00:00Z");
    // D: raised from P4 to P3, resolved in 4 hours with a knowledge article, then closed.
    s.emplace_back(4, "incident", "2026-03-10T09:00:00Z", 4);
    s.back()
        .assign("2026-03-10T09:00:00Z", "field", "bob")
        .field("2026-03-10T10:00:00Z", "priority", std::int64_t{3})
        .field("2026-03-10T13:00:00Z", "custom.knowledge_article", std::string("KB12"))
        .resolve("2026-03-10T13:00:00Z")
        .state("2026-03-15T13:00:00Z", "closed")
        .field("2026-03-15T13:00:00Z", "closed", at("2026-03-15T13:00:00Z"));
    // E: P4 created before the period, open at its end; a running clock breached.
    s.emplace_back(5, "incident", "2026-03-01T09:00:00Z", 4);
    s.back()
        .assign("2026-03-01T09:00:00Z", "desk", "bob")
        .state("2026-03-01T10:00:00Z", "in_progress")
        .sla("2026-03-12T00:00:00Z", "sla.gold.resolution", "breached", at("2026-03-12T00:00:00Z"));
    // F: P4 created half a day before the end, still new.
    s.emplace_back(6, "incident", "2026-03-15T12:00:00Z", 4);
    // G: created after the period.
    s.emplace_back(7, "incident", "2026-03-20T09:00:00Z", 3);
    // H: resolved before the period (its clock too).
    s.emplace_back(8, "incident", "2026-02-20T09:00:00Z", 3);
    s.back()
        .resolve("2026-02-21T09:00:00Z")
        .sla("2026-02-21T09:00:00Z", "sla.gold.resolution", "stopped", std::string("met"));
    // Three changes closed in the period, one of each outcome.
    s.emplace_back(9, "change", "2026-03-02T10:00:00Z", 3);
    s.back().change_closed("2026-03-06T10:00:00Z", "successful");
    s.emplace_back(10, "change", "2026-03-09T10:00:00Z", 3);
    s.back().change_closed("2026-03-12T10:00:00Z", "unsuccessful");
    s.emplace_back(11, "change", "2026-03-09T11:00:00Z", 3);
    s.back().change_closed("2026-03-13T10:00:00Z", "successful_with_issues");
    std::vector<TicketHistory> out;
    for (auto& x : s)
        out.push_back(std::move(x.h));
    return out;
}

CalendarPtr office_hours() {
    CalendarBuilder b("office");
    for (auto d : {std::chrono::Monday, std::chrono::Tuesday, std::chrono::Wednesday,
                   std::chrono::Thursday, std::chrono::Friday})
        b.hours(d, "09:00", "17:00");
    return b.build();
}

Duration h(double n) {
    return Duration{static_cast<std::int64_t>(n * 3.6e9)};
}

const ScoreLine& line(const MetricsReport& r, std::string_view metric) {
    for (const auto& l : r.scorecard)
        if (l.metric == metric) return l;
    FAIL("no scorecard line ", metric);
    return r.scorecard.front();
}

}  // namespace

TEST_CASE("metrics: hand-computed figures of a scripted desk") {
    Workflows wf = Workflows::itil();
    MetricsQuery q = two_weeks();
    q.calendar = office_hours();
    MetricsReport r = compute_metrics(scripted_desk(), q, {&wf});

    CHECK(r.tickets == 10);  // all but G
    CHECK(r.created == 8);   // not E, G, H
    CHECK(r.resolved == 7);  // A, B, C, D and the three changes

    // A 2h, B 6h, C 28h, D 4h; in office hours A 2h, B 6h, C 8h + 4h, D 4h.
    CHECK(r.mttr.count == 4);
    CHECK(r.mttr.mean_wall == h(10));
    CHECK(r.mttr.median_wall == h(5));
    CHECK(r.mttr.mean_business == h(6));
    CHECK(r.mttr.median_business == h(5));
    REQUIRE(r.mttr_by_priority.size() == 2);  // D counts at its priority when resolved (3)
    CHECK(r.mttr_by_priority.at(2).mean_wall == h(4));
    CHECK(r.mttr_by_priority.at(3).count == 2);
    CHECK(r.mttr_by_priority.at(3).mean_wall == h(16));
    CHECK(r.mttr_by_priority.at(3).mean_business == h(8));
    CHECK(r.mttr_by_category.at("hardware.printer").mean_wall == h(2));
    CHECK(r.mttr_by_category.at("").count == 2);

    // FCR: A and D (B was reassigned, C reopened); reopen: C; self-service: C and D.
    CHECK(r.first_contact_resolution.numerator == 2);
    CHECK(r.first_contact_resolution.denominator == 4);
    CHECK(r.reopen_rate.numerator == 1);
    CHECK(r.reopen_rate.denominator == 4);
    CHECK(r.self_service.numerator == 2);

    // Stopped clocks only, in the period: A met, B response met, B resolution breached.
    CHECK(r.sla.met == 2);
    CHECK(r.sla.breached == 1);
    CHECK(r.sla_by_metric.at("resolution").met == 1);
    CHECK(r.sla_by_metric.at("resolution").breached == 1);
    CHECK(r.sla_by_metric.at("response").met == 1);
    CHECK(r.sla_by_metric_priority.at("resolution").at(2).breached == 1);

    CHECK(r.changes.successful == 1);
    CHECK(r.changes.successful_with_issues == 1);
    CHECK(r.changes.unsuccessful == 1);
    CHECK(*r.changes.success_rate() == doctest::Approx(2.0 / 3));

    // Open at the end: E (14 days 15 hours old) and F (12 hours old).
    CHECK(r.backlog.total == 2);
    CHECK(r.backlog.buckets == std::array<std::size_t, 5>{1, 0, 0, 1, 0});
    CHECK(r.backlog.by_priority.at(4) == 2);

    REQUIRE(r.weekly.size() == 2);
    CHECK(r.weekly[0].week == "2026-W10");
    CHECK(r.weekly[0].created == 4);   // A, B, C, change 9
    CHECK(r.weekly[0].resolved == 4);  // A, B, C (last resolution on the 5th), change 9
    CHECK(r.weekly[1].week == "2026-W11");
    CHECK(r.weekly[1].created == 4);   // D, F, changes 10 and 11
    CHECK(r.weekly[1].resolved == 3);  // D, changes 10 and 11

    // Business time: tier 1 (P1-2) 4h, tier 2 (P3-5) 8h.
    CHECK(*line(r, "mttr.tier_1").value == doctest::Approx(4));
    CHECK(line(r, "mttr.tier_1").unit == "business_hours");
    CHECK(line(r, "mttr.tier_1").met == true);
    CHECK(*line(r, "mttr.tier_2").value == doctest::Approx(8));
    CHECK(line(r, "first_contact_resolution").met == false);
    CHECK(line(r, "reopen_rate").met == false);
    CHECK(line(r, "sla_compliance").met == false);
    CHECK(line(r, "change_success").met == false);
    CHECK(line(r, "self_service").met == true);  // 0.5 is the top of 30-50%
}

TEST_CASE("metrics: without a calendar or workflows the stamps decide and no business time") {
    MetricsReport r = compute_metrics(scripted_desk(), two_weeks());
    CHECK(r.resolved == 7);
    CHECK(r.mttr.mean_wall == h(10));
    CHECK_FALSE(r.mttr.mean_business.has_value());
    CHECK(line(r, "mttr.tier_2").unit == "hours");
    CHECK(*line(r, "mttr.tier_2").value == doctest::Approx(16));
    CHECK(r.backlog.total == 2);
    CHECK(r.reopen_rate.numerator == 1);
}

TEST_CASE("metrics: filters look at each ticket as it stood at the end of the period") {
    Workflows wf = Workflows::itil();
    MetricsQuery q = two_weeks();
    q.groups = {"desk"};  // B moved to "field" after the period: still counted here
    MetricsReport r = compute_metrics(scripted_desk(), q, {&wf});
    CHECK(r.tickets == 3);  // A, B, E
    CHECK(r.mttr.count == 2);
    CHECK(r.mttr.mean_wall == h(4));

    q = two_weeks();
    q.to = at("2026-03-25T00:00:00Z");
    q.groups = {"desk"};  // at the end of this period B is in "field"
    CHECK(compute_metrics(scripted_desk(), q, {&wf}).tickets == 2);

    q = two_weeks();
    q.categories = {"hardware"};
    CHECK(compute_metrics(scripted_desk(), q, {&wf}).tickets == 1);
    q.categories = {"hardware.printer.laser"};
    CHECK(compute_metrics(scripted_desk(), q, {&wf}).tickets == 0);

    q = two_weeks();
    q.priorities = {4};  // D was P4 until it was raised: at the end it is P3
    MetricsReport p4 = compute_metrics(scripted_desk(), q, {&wf});
    CHECK(p4.tickets == 2);  // E and F
    CHECK(p4.mttr.count == 0);
    CHECK_FALSE(p4.mttr.mean_wall.has_value());
    CHECK_FALSE(p4.first_contact_resolution.rate().has_value());
    CHECK_FALSE(line(p4, "first_contact_resolution").met.has_value());

    q = two_weeks();
    q.kinds = {"change"};
    MetricsReport ch = compute_metrics(scripted_desk(), q, {&wf});
    CHECK(ch.tickets == 3);
    CHECK(ch.changes.total() == 3);
    CHECK(ch.mttr.count == 0);  // changes are not service kinds
}

TEST_CASE("metrics: a past period is reported as it was") {
    Workflows wf = Workflows::itil();
    MetricsQuery q;
    q.from = at("2026-03-02T00:00:00Z");
    q.to = at("2026-03-04T12:00:00Z");  // C is resolved but not yet reopened
    MetricsReport r = compute_metrics(scripted_desk(), q, {&wf});
    CHECK(r.mttr.count == 3);  // A 2h, B 6h, C 1h
    CHECK(r.mttr.mean_wall == h(3));
    CHECK(r.reopen_rate.numerator == 0);
    CHECK(r.first_contact_resolution.numerator == 2);  // A and C
    CHECK(r.backlog.total == 2);                       // E and change 9
    CHECK(r.weekly.size() == 1);
}

TEST_CASE("metrics: backlog buckets, ISO weeks and query checks") {
    using std::chrono::days;
    CHECK(Backlog::bucket_of(hours(23)) == 0);
    CHECK(Backlog::bucket_of(days(1)) == 1);
    CHECK(Backlog::bucket_of(days(3)) == 2);
    CHECK(Backlog::bucket_of(days(7)) == 3);
    CHECK(Backlog::bucket_of(days(30)) == 4);
    CHECK(iso_week(at("2026-01-01T00:00:00Z")) == "2026-W01");
    CHECK(iso_week(at("2025-12-29T00:00:00Z")) == "2026-W01");
    CHECK(iso_week(at("2027-01-01T00:00:00Z")) == "2026-W53");
    CHECK(iso_week(at("2026-03-08T23:59:59Z")) == "2026-W10");

    MetricsQuery q = two_weeks();
    q.to = q.from;
    CHECK(error_of([&] { q.validate(); }, Errc::invalid_argument).rfind("to:", 0) == 0);
    q = two_weeks();
    q.priorities = {1, 9};
    CHECK(error_of([&] { compute_metrics({}, q); }, Errc::invalid_argument) ==
          "priorities[1]: 9 is outside 1..5");
}

TEST_CASE("metrics: the query and the scorecard as JSON, refused with the path") {
    MetricsQuery q = metrics_query_from_json(
        R"({"from": "2026-03-02T00:00:00Z", "to": "2026-03-16T00:00:00Z", "kinds": ["incident"],
            "priorities": [1, 2], "groups": ["desk"], "knowledge_field": "kb",
            "calendar": {"id": "office", "time_zone": "UTC",
                         "weekly": {"mon": [["09:00", "17:00"]]}}})");
    CHECK(q.kinds == std::vector<Symbol>{"incident"});
    CHECK(q.priorities == std::vector<int>{1, 2});
    CHECK(q.knowledge_field == "kb");
    REQUIRE(q.calendar);
    CHECK(q.calendar->between(at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z")) == h(8));

    auto query_error = [](const char* text) {
        return error_of([&] { metrics_query_from_json(text); }, Errc::invalid_argument);
    };
    CHECK(query_error(R"({"to": "2026-03-16T00:00:00Z"})") == "from: missing");
    CHECK(query_error(R"({"from": "2026-03-02T00:00:00Z", "to": "2026-03-16T00:00:00Z",
                          "priorities": [1, "2"]})") == "priorities[1]: expected an integer");
    CHECK(query_error(R"({"from": "2026-03-02T00:00:00Z", "to": "2026-03-16T00:00:00Z",
                          "kind": ["incident"]})") == "kind: unknown member");
    CHECK(query_error(R"({"from": "yesterday", "to": "2026-03-16T00:00:00Z"})")
              .rfind("from: \"yesterday\" is not an instant", 0) == 0);
    CHECK(query_error(R"({"from": "2026-03-02T00:00:00Z", "to": "2026-03-16T00:00:00Z",
                          "calendar": {"weekly": {"mon": [["17:00", "09:00"]]}}})")
              .rfind("calendar.weekly.mon[0]", 0) == 0);

    Scorecard s = Scorecard::from_json(
        R"({"scorecard": {"mttr": [{"tier": "p1", "priorities": [1], "max_hours": 2}],
            "reopen_rate": {"max": 0.1}}})");
    REQUIRE(s.mttr.size() == 1);
    CHECK(s.mttr[0].max_hours == 2);
    CHECK(s.reopen_rate.max == 0.1);
    CHECK(s.first_contact_resolution.min == 0.65);  // left out: the default
    CHECK(Scorecard::from_json(to_json(s)).mttr[0].priorities == std::vector<int>{1});

    auto card_error = [](const char* text) {
        return error_of([&] { Scorecard::from_json(text); }, Errc::invalid_config);
    };
    CHECK(card_error(R"({"scorecard": {"reopen_rate": {"max": 5}}})") ==
          "scorecard.reopen_rate.max: expected a number between 0 and 1");
    CHECK(card_error(R"({"scorecard": {"mttr": [{"tier": "a", "priorities": [1], "max_hours": 4},
                                                 {"tier": "b", "priorities": [7], "max_hours": 8}]}})") ==
          "scorecard.mttr[1].priorities[0]: 7 is outside 1..5");
    CHECK(card_error(R"({"scorecard": {"mttr": [{"tier": "a", "priorities": [1]}]}})") ==
          "scorecard.mttr[0].max_hours: missing");
    CHECK(card_error(R"({"scorecard": {"self_service": {"min": 0.6, "max": 0.5}}})") ==
          "scorecard.self_service.min: 0.6 is above max (0.5)");
    CHECK(card_error(R"({"scorecard": {"fcr": {}}})") == "scorecard.fcr: unknown member");
}

TEST_CASE("metrics: the report as JSON") {
    Workflows wf = Workflows::itil();
    auto j = nlohmann::json::parse(to_json(compute_metrics(scripted_desk(), two_weeks(), {&wf})));
    CHECK(j["mttr"]["mean_wall_seconds"] == 36000.0);
    CHECK(j["mttr"]["mean_business_seconds"].is_null());
    CHECK(j["first_contact_resolution"]["rate"] == 0.5);
    CHECK(j["sla_by_metric_priority"]["resolution"]["2"]["breached"] == 1);
    CHECK(j["backlog"]["buckets"]["7d_30d"] == 1);
    CHECK(j["weekly"][1]["week"] == "2026-W11");
    CHECK(j["changes"]["unsuccessful"] == 1);
    CHECK(j["scorecard"][0]["metric"] == "mttr.tier_1");
    CHECK(j["scorecard"][0]["max"] == 4.0);
}

// ---- Through the engine -------------------------------------------------------------------

namespace {

struct MetricsDesk : itsm_test::ItilDesk {
    MetricsQuery week() const {
        MetricsQuery q;
        q.from = at("2026-03-02T00:00:00Z");
        q.to = at("2026-03-09T00:00:00Z");
        return q;
    }
    Ticket assigned(int impact, int urgency, const char* group = "network",
                    const char* user = "bob") {
        Ticket t = create("incident", {}, impact, urgency);
        TicketPatch p;
        p.assignment_group = Symbol(group);
        p.assignee = Symbol(user);
        return engine.update(alice, t.id, p);
    }
    void resolve(TicketId id) {
        go(id, "resolve",
           {{"resolution_code", std::string("solved_permanently")},
            {"resolution_notes", std::string("done")}});
    }
};

}  // namespace

TEST_CASE("metrics: end to end with the ITIL workflows on a manual clock") {
    MetricsDesk d;                // the clock starts on Monday 2026-03-02 09:00
    Ticket a = d.assigned(1, 2);  // P2
    d.go(a.id, "start");
    d.clock->advance(hours(3));
    d.resolve(a.id);  // 3 hours

    Ticket b = d.assigned(3, 3);  // P5
    d.go(b.id, "start");
    TicketPatch p;
    p.assignee = Symbol("sam");  // a reassignment
    d.engine.update(d.alice, b.id, p);
    d.clock->advance(hours(5));
    d.resolve(b.id);  // 5 hours
    d.clock->advance(hours(1));
    d.go(b.id, "reopen");
    d.clock->advance(hours(2));
    d.resolve(b.id);  // 8 hours after creation, reopened once

    d.assigned(3, 3);  // created Monday 20:00, open at the end of the week
    MetricsReport r = d.engine.metrics(d.alice, d.week());
    CHECK(r.tickets == 3);
    CHECK(r.created == 3);
    CHECK(r.resolved == 2);
    CHECK(r.mttr.count == 2);
    CHECK(r.mttr.mean_wall == h(5.5));
    CHECK(r.mttr_by_priority.at(2).mean_wall == h(3));
    CHECK(r.mttr_by_priority.at(5).mean_wall == h(8));
    CHECK(r.first_contact_resolution.numerator == 1);  // a; b was reassigned and reopened
    CHECK(r.first_contact_resolution.denominator == 2);
    CHECK(r.reopen_rate.numerator == 1);
    CHECK(r.backlog.total == 1);
    CHECK(r.backlog.buckets[2] == 1);  // 6 days 4 hours old
    REQUIRE(r.weekly.size() == 1);
    CHECK(r.weekly[0].resolved == 2);

    // The timed close of resolved incidents is no new resolution, and the week's report
    // stays as it was.
    d.clock->set(at("2026-03-10T00:00:00Z"));
    CHECK(d.engine.advance(d.clock->now()) == 2);
    MetricsReport again = d.engine.metrics(d.alice, d.week());
    CHECK(to_json(again) == to_json(r));
    MetricsQuery next = d.week();
    next.from = at("2026-03-09T00:00:00Z");
    next.to = at("2026-03-16T00:00:00Z");
    MetricsReport later = d.engine.metrics(d.alice, next);
    CHECK(later.resolved == 0);
    CHECK(later.tickets == 3);
    CHECK(later.backlog.total == 1);
}

TEST_CASE("metrics: needs metrics.read, and the scorecard needs manage.sla") {
    MetricsDesk d;
    d.assigned(3, 3);
    Actor frank{"frank"};  // in the directory, with no grant
    auto message = error_of([&] { d.engine.metrics(frank, d.week()); }, Errc::permission_denied);
    CHECK(message.find("metrics.read") != std::string::npos);
    MetricsQuery bad = d.week();
    bad.to = bad.from;
    error_of([&] { d.engine.metrics(d.alice, bad); }, Errc::invalid_argument);

    Scorecard strict;
    strict.mttr = {{"all", {1, 2, 3, 4, 5}, 0.5}};
    error_of([&] { d.engine.set_scorecard(frank, strict); }, Errc::permission_denied);
    CHECK(d.engine.scorecard().mttr.size() == 2);  // unchanged: the defaults
    Scorecard broken;
    broken.reopen_rate.max = 2;
    CHECK(error_of([&] { d.engine.set_scorecard(d.alice, broken); }, Errc::invalid_config) ==
          "scorecard.reopen_rate.max: expected a number between 0 and 1");
    CHECK(d.engine.scorecard().reopen_rate.max == 0.05);

    d.engine.set_scorecard(d.alice, strict);
    MetricsReport r = d.engine.metrics(d.alice, d.week());
    REQUIRE(r.scorecard.size() == 6);
    CHECK(r.scorecard[0].metric == "mttr.all");
    CHECK(r.scorecard[0].max == 0.5);
}

TEST_CASE("metrics: tickets the actor may not read are never counted") {
    auto store = std::make_shared<InMemoryStore>();
    auto clock = std::make_shared<ManualClock>(itsm_test::t0());
    Engine engine(store, clock);
    Actor sys = Actor::system(), boss{"boss"}, hera{"hera"}, sam{"sam"};
    Directory dir;
    for (const char* u : {"boss", "hera", "sam"})
        dir.add_user({u, u, true});
    engine.set_directory(sys, dir);
    // Both manage incidents everywhere; HR is sealed, so only hera, granted on it, reads it.
    engine.set_access(sys, AccessPolicy::from_json(R"({
        "segments": [{"id": "global"}, {"id": "it"}, {"id": "hr", "sealed": true}],
        "roles": [{"preset": "incident_manager"}, {"preset": "service_level_manager"}],
        "grants": [{"user": "boss", "role": "incident_manager", "segment": "*"},
                   {"user": "sam", "role": "service_level_manager", "segment": "*"},
                   {"user": "hera", "role": "incident_manager", "segment": "*"},
                   {"user": "hera", "role": "incident_manager", "segment": "hr"}]})"));
    engine.set_workflows(sys, Workflows::itil());
    auto make = [&](Symbol segment, int n) {
        for (int i = 0; i < n; ++i) {
            NewTicket in;
            in.kind = "incident";
            in.title = "case";
            in.segment = segment;
            in.assignee = "hera";
            Ticket t = engine.create(sys, in);
            clock->advance(hours(1));
            TransitionInput done;
            done.fields = {{"resolution_code", std::string("solved_permanently")},
                           {"resolution_notes", std::string("done")}};
            engine.transition(sys, t.id, "resolve", done);
        }
    };
    make("it", 3);
    make("hr", 2);
    MetricsQuery q;
    q.from = at("2026-03-02T00:00:00Z");
    q.to = at("2026-03-09T00:00:00Z");
    MetricsReport mine = engine.metrics(boss, q);
    MetricsReport all = engine.metrics(hera, q);
    CHECK(mine.tickets == 3);
    CHECK(mine.resolved == 3);
    CHECK(all.tickets == 5);
    CHECK(all.resolved == 5);
    CHECK(all.mttr.count == 5);
    // A service level manager may not read work notes: the report does not need them.
    CHECK(to_json(engine.metrics(sam, q)) == to_json(mine));
    q.segments = {"hr"};
    CHECK(engine.metrics(boss, q).tickets == 0);
    CHECK(engine.metrics(hera, q).tickets == 2);
}

TEST_CASE("metrics: category subtrees follow the taxonomy") {
    MetricsDesk d;
    d.engine.set_taxonomy(d.alice, Taxonomy::from_json(R"({"categories": [
        {"id": "hardware", "name": "Hardware"},
        {"id": "printer", "name": "Printer", "parent": "hardware"},
        {"id": "software", "name": "Software"}]})"));
    for (const char* c : {"printer", "hardware", "software"}) {
        NewTicket in;
        in.kind = "incident";
        in.title = "case";
        in.category = c;
        d.engine.create(d.alice, in);
    }
    MetricsQuery q = d.week();
    q.categories = {"hardware"};
    CHECK(d.engine.metrics(d.alice, q).tickets == 2);
    q.categories = {"printer", "software"};
    CHECK(d.engine.metrics(d.alice, q).tickets == 2);
}

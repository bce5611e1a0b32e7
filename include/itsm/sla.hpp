// SLA policies as pure rules: which tickets a policy applies to, its metrics and targets per
// priority, what pauses a clock, and the warning thresholds; plus the arithmetic of one
// clock (due instant, elapsed, remaining, percentage, state) over a business calendar.
// Nothing here stores, reads a clock or touches the engine. docs/sla.md has the rules.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/calendar.hpp"
#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"

ITSM_BEGIN_NAMESPACE

// The three kinds of agreement: with the customer (SLA), between internal teams (OLA), and
// with a supplier (underpinning contract). They differ in meaning, not in arithmetic.
enum class AgreementType : std::uint8_t { sla, ola, underpinning_contract };
std::string_view to_string(AgreementType t) noexcept;
std::optional<AgreementType> agreement_type_from_string(std::string_view s) noexcept;

// What applies-when conditions look at. `categories` holds the ticket's category and all its
// ancestors in the taxonomy, so a condition on a category matches its whole subtree.
struct SlaFacts {
    Symbol kind;
    int priority = 0;
    std::vector<Symbol> categories;
    Symbol segment;
    std::vector<CustomField> custom;
    // Facts of a ticket; its category's ancestors are the caller's to add.
    static SlaFacts of(const Ticket& t);
};

// Every non-empty list must contain the ticket's value (an empty list allows anything);
// each custom condition must find the field with one of the listed values.
struct AppliesWhen {
    std::vector<Symbol> kinds;
    std::vector<int> priorities;
    std::vector<Symbol> categories;  // roots of category subtrees
    std::vector<Symbol> segments;
    std::vector<std::pair<Symbol, std::vector<Value>>> custom;
    bool matches(const SlaFacts& facts) const;
};

// A moment that starts, pauses or stops a clock. Written as text in configuration:
// "created", "assigned" (the first assignment), "public_reply" (the first public comment by
// an agent), "state_class:<id>" (while the ticket's state is of that class, e.g. pending or
// resolved) and "on_hold:<reason>" (while on hold for that reason, e.g. awaiting_caller).
struct SlaTrigger {
    enum class Kind : std::uint8_t { created, assigned, public_reply, state_class, on_hold };
    Kind kind = Kind::created;
    Symbol value;  // the state class or the on-hold reason
    std::string to_string() const;
    static std::optional<SlaTrigger> parse(std::string_view text);
    friend bool operator==(const SlaTrigger&, const SlaTrigger&) = default;
};

struct MetricDef {
    Symbol id;  // "response", "resolution", or the id of a custom metric
    std::vector<SlaTrigger> start_on;
    std::vector<SlaTrigger> stop_on;
    std::optional<std::vector<SlaTrigger>> pause_on;  // none: the policy's pause conditions
    std::map<int, Duration> targets;                  // by priority; none: not measured
    std::optional<Duration> target_for(int priority) const;
    // The defaults: response starts at creation and stops at the first assignment or public
    // agent reply; resolution starts at creation and stops when the state class is resolved.
    static MetricDef response();
    static MetricDef resolution();
};

struct SlaPolicy {
    enum class OnReopen : std::uint8_t { resume, new_cycle };
    Symbol id;
    std::string name;
    AgreementType type = AgreementType::sla;
    AppliesWhen applies_when;
    std::string calendar;  // a calendar id; empty: wall-clock time (24x7 UTC)
    std::vector<MetricDef> metrics;
    std::vector<SlaTrigger> pause_on;
    std::vector<int> warnings{50, 75};  // percent of the target, ascending, each 1..99
    OnReopen on_reopen = OnReopen::resume;
    const MetricDef* metric(Symbol id) const noexcept;
};

// Policies by id, in the order they were added. add() checks a policy whole and throws
// Error(invalid_config) with where() inside the document ("sla_policies.<id>.warnings");
// a refused policy changes nothing.
class SlaPolicies {
  public:
    // {"sla_policies": {"<id>": {...}}} (docs/sla.md). When `calendars` is given, every
    // policy's calendar must be one of them.
    static SlaPolicies from_json(std::string_view text, const CalendarSet* calendars = nullptr);
    // The document from_json reads: from_json(to_json()) gives the same policies. Members come
    // out by id (a JSON object), so policies added in another order come back sorted by id;
    // targets are written in whole seconds and up ("PT4H", "PT1H30M15S").
    std::string to_json() const;

    SlaPolicies& add(SlaPolicy policy, const CalendarSet* calendars = nullptr);
    const std::vector<SlaPolicy>& all() const noexcept { return policies_; }
    const SlaPolicy* find(Symbol id) const noexcept;
    // The policies whose applies-when conditions match, in order.
    std::vector<const SlaPolicy*> matching(const SlaFacts& facts) const;

  private:
    std::vector<SlaPolicy> policies_;
};

// ---- One clock -----------------------------------------------------------------------------

// ClockState and PauseInterval live in sla_clock.hpp (with the stored clock).

struct ClockInput {
    Instant start;
    std::vector<PauseInterval> pauses;  // ascending, disjoint, from >= start; only the last open
    std::optional<Instant> stopped;     // when the metric's stop condition was met
    bool canceled = false;
    Duration target{};                  // > 0
    std::vector<int> warnings{50, 75};  // percent thresholds
};

struct ClockView {
    ClockState state = ClockState::running;
    Instant due;                      // when business time elapsed reaches the target
    Duration elapsed{};               // business time, pauses excluded
    Duration remaining{};             // target - elapsed; negative once overdue
    Duration wall_elapsed{};          // wall time, pauses excluded
    Duration paused{};                // wall time spent paused
    double percentage = 0;            // elapsed / target * 100
    std::vector<Instant> warning_at;  // when each warning threshold is reached
};

// The clock at `now`, measured in the calendar's working time. While paused, the due
// instant is projected as if the clock resumed at `now`. A stopped clock is met when it
// stopped at or before its due instant, else breached; a running or paused one is breached
// once `now` is after its due instant. Throws Error(invalid_argument) naming the field of
// a malformed input ("pauses[1]", "target").
ClockView evaluate_clock(const Calendar& calendar, const ClockInput& in, Instant now);

// A stored clock with its policy's settings, as a ClockInput.
ClockInput clock_input(const SlaClock& clock, const std::vector<int>& warnings);

// A stored clock evaluated at an instant (Engine::sla).
struct SlaStatus {
    SlaClock clock;
    AgreementType type = AgreementType::sla;
    std::string calendar;  // empty: wall-clock time
    ClockView view;
    Instant at{};  // the instant evaluated
};
// [{"policy", "metric", "cycle", "type", "calendar", "state", "start", "due", "stopped",
//   "elapsed", "remaining", "wall_elapsed", "paused", "percentage", "paused_now",
//   "pauses": [{"from", "to"}], "target", "warnings_emitted", "breach_emitted"}]:
// durations in seconds, instants ISO-8601 UTC (docs/sla.md).
std::string to_json(const std::vector<SlaStatus>& clocks);

ITSM_END_NAMESPACE

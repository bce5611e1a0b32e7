// An SLA clock as stored with its ticket: plain data, committed together with the events that
// moved it. The engine keeps it (docs/sla.md, "Clocks in the engine"); the arithmetic is
// evaluate_clock() in sla.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "itsm/compact_vector.hpp"
#include "itsm/symbol.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

enum class ClockState : std::uint8_t { running, paused, met, breached, canceled };
std::string_view to_string(ClockState s) noexcept;

struct PauseInterval {
    Instant from;
    std::optional<Instant> to;  // none: still paused
    friend bool operator==(const PauseInterval&, const PauseInterval&) = default;
};

// One metric of one policy on one ticket, for one cycle (a reopened ticket may start a new
// cycle). `due` and `alarm` are caches the engine refreshes whenever the clock changes, so
// stores can index them: `due` is set while the clock runs (none while paused, since the
// projection moves with time) and keeps the final due instant once stopped; `alarm` is the
// next warning or breach instant not yet emitted, set only while the clock runs.
struct SlaClock {
    Symbol policy;
    Symbol metric;
    std::uint32_t cycle = 1;
    Instant start{};
    std::vector<PauseInterval> pauses;  // ascending; only the last may be open
    std::optional<Instant> stopped;
    bool canceled = false;
    Duration target{};
    std::optional<Instant> due;
    std::optional<Instant> alarm;
    ClockState state = ClockState::running;
    std::uint8_t warnings_emitted = 0;  // how many warning thresholds have their event
    bool breach_emitted = false;        // the `breached` event was written

    bool live() const noexcept { return !stopped && !canceled; }
    bool paused() const noexcept { return !pauses.empty() && !pauses.back().to; }
    // Running: live and not paused; only such a clock has a fixed due instant.
    bool running() const noexcept { return live() && !paused(); }
    friend bool operator==(const SlaClock&, const SlaClock&) = default;
};

// Facts over a ticket's clocks that queries and indexes use.
inline std::optional<Instant> earliest_due(const CompactVector<SlaClock>& clocks) noexcept {
    std::optional<Instant> out;
    for (const auto& c : clocks)
        if (c.running() && c.due && (!out || *c.due < *out)) out = c.due;
    return out;
}
inline std::optional<Instant> next_alarm(const CompactVector<SlaClock>& clocks) noexcept {
    std::optional<Instant> out;
    for (const auto& c : clocks)
        if (c.running() && c.alarm && (!out || *c.alarm < *out)) out = c.alarm;
    return out;
}
inline bool any_breached(const CompactVector<SlaClock>& clocks) noexcept {
    for (const auto& c : clocks)
        if (c.state == ClockState::breached) return true;
    return false;
}

ITSM_END_NAMESPACE

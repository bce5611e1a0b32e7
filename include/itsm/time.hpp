// Instants, durations and clocks. Every instant is UTC; nothing but SystemClock reads the
// system clock, so tests and simulations on a ManualClock are deterministic.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

// Microsecond resolution: enough to order events, exact for second-based SLA arithmetic.
using Duration = std::chrono::microseconds;
using Instant = std::chrono::sys_time<Duration>;

constexpr Instant instant_from_micros(std::int64_t us) noexcept {
    return Instant{Duration{us}};
}
constexpr std::int64_t to_micros(Instant t) noexcept {
    return t.time_since_epoch().count();
}

// "2026-03-01T09:30:00Z", with ".ffffff" only when the instant has a fraction.
std::string format_instant(Instant t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|+HH:MM|-HH:MM)" (a space may replace the 'T').
// Throws Error(invalid_argument) that quotes the text when it is not such an instant.
Instant parse_instant(std::string_view text);

// ISO-8601 durations: "P1W", "P2D", "PT4H", "P1DT2H30M", "PT90S". Units in that order (W, D,
// then after 'T' H, M, S), each at most once, whole numbers; a week is 7 days and a day 24
// hours (no years or months: their length varies). None when the text is not such a duration
// or is longer than 100 years; callers say where the text came from in their error.
std::optional<Duration> parse_iso_duration(std::string_view text) noexcept;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual Instant now() const = 0;
};

class SystemClock final : public Clock {
  public:
    Instant now() const override {
        return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    }
};

// A clock that moves only when told to. Safe to read and move from several threads.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(Instant start = Instant{}) : now_(to_micros(start)) {}
    Instant now() const override { return instant_from_micros(now_.load()); }
    void set(Instant t) { now_.store(to_micros(t)); }
    void advance(Duration d) { now_.fetch_add(d.count()); }
    // Moves forward by `d` (not negative) unless that would pass `limit`; then returns false
    // and stays where it is. The check and the move are one atomic step: calls racing from
    // several threads never pass the limit together.
    bool advance_within(Duration d, Instant limit) {
        std::int64_t now = now_.load();
        do {
            // the room left, computed without overflow (and none when already past `limit`)
            if (d.count() < 0 || now > to_micros(limit) ||
                static_cast<std::uint64_t>(d.count()) >
                    static_cast<std::uint64_t>(to_micros(limit)) - static_cast<std::uint64_t>(now))
                return false;
        } while (!now_.compare_exchange_weak(now, now + d.count()));
        return true;
    }

  private:
    std::atomic<std::int64_t> now_;
};

ITSM_END_NAMESPACE

// ISO-8601 durations (include/itsm/time.hpp); instants are parsed in model.cpp.
#include "itsm/time.hpp"

ITSM_BEGIN_NAMESPACE

std::optional<Duration> parse_iso_duration(std::string_view s) noexcept {
    constexpr std::int64_t limit = std::int64_t{100} * 366 * 86400;  // seconds
    // The units in the order they must come, with their length in seconds; the date part
    // (W, D) before 'T', the time part (H, M, S) after it.
    struct Unit {
        char letter;
        bool time;
        std::int64_t seconds;
    };
    constexpr Unit units[] = {
        {'W', false, 7 * 86400}, {'D', false, 86400}, {'H', true, 3600},
        {'M', true, 60},         {'S', true, 1},
    };
    if (s.size() < 3 || s[0] != 'P') return std::nullopt;
    std::size_t next = 0;  // the first unit still allowed
    std::int64_t total = 0;
    bool time = false;
    std::size_t i = 1;
    while (i < s.size()) {
        if (s[i] == 'T') {
            if (time || i + 1 == s.size()) return std::nullopt;  // "PT" needs a time unit
            time = true;
            ++i;
            continue;
        }
        std::int64_t n = 0;
        std::size_t start = i;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
            n = n * 10 + (s[i] - '0');
            if (n > limit) return std::nullopt;
        }
        if (i == start || i == s.size()) return std::nullopt;  // a unit needs a number, and back
        std::size_t u = next;
        while (u < std::size(units) && units[u].letter != s[i])
            ++u;
        if (u == std::size(units) || units[u].time != time) return std::nullopt;
        total += n * units[u].seconds;
        if (total > limit) return std::nullopt;
        next = u + 1;
        ++i;
    }
    if (next == 0) return std::nullopt;  // "PT": no unit at all
    return std::chrono::seconds{total};
}

ITSM_END_NAMESPACE

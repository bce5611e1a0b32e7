// The synthetic service desk the benchmarks fill: deterministic tickets spread over kinds,
// departments, assignees, groups, categories and tags the way a mid-sized desk spreads them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "itsm/schema.hpp"
#include "itsm/symbol.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"

namespace bench {

// Monday 2025-01-06 08:00:00 UTC; every ticket is created 30 s after the previous one, so
// a million tickets span about a year.
inline constexpr std::int64_t start_micros = 1736150400LL * 1000000;
inline constexpr itsm::Duration ticket_spacing = std::chrono::seconds(30);

// The value sets tickets draw from. Every symbol is interned when the catalog is built.
struct Catalog {
    std::vector<itsm::Symbol> segments;    // 5 departments, uniform
    std::vector<itsm::Symbol> users;       // 200 agents who may be assignees
    std::vector<itsm::Symbol> groups;      // 20 assignment groups, uniform
    std::vector<itsm::Symbol> categories;  // 50 categories
    std::vector<itsm::Symbol> requesters;  // 5000 end users
    std::vector<std::string> tags;         // 30 tags, as a caller spells them
    itsm::Symbol actor;                    // the agent the benchmarks act as

    static const Catalog& get();
};

// A stateless 64-bit mixer (the splitmix64 finalizer): the n-th pseudo-random number.
std::uint64_t mix(std::uint64_t n) noexcept;

// The n-th ticket of the workload, as a caller hands it to Engine::create.
itsm::NewTicket make_input(std::uint64_t n);

// The first pool_size inputs, built once; fills cycle through them.
inline constexpr std::size_t pool_size = std::size_t{1} << 16;
const std::vector<itsm::NewTicket>& input_pool();
inline const itsm::NewTicket& input(std::uint64_t n) {
    return input_pool()[n % pool_size];
}

// The ticket Engine::create would store for the input, minus id, key, instants and
// version (the caller sets those). Used where the engine is not: the store-only memory
// measurement and the SQLite baseline.
itsm::Ticket to_ticket(const itsm::Schema& schema, const itsm::NewTicket& in, itsm::Symbol actor);

// Tags joined with ',' in stored order (the SQLite baseline keeps them in one column).
std::string join_tags(std::span<const itsm::Symbol> tags);

}  // namespace bench

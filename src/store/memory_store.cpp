// InMemoryStore over Boost.MultiIndex. Every secondary index ends in (updated, id), so a
// filtered page sorted by "updated" is a merge of a few already-sorted ranges, and the
// ranked indexes count any key prefix in logarithmic time to choose the cheapest ranges.
#include "itsm/memory_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/multi_index/composite_key.hpp>
#include <boost/multi_index/hashed_index.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/multi_index/ordered_index.hpp>
#include <boost/multi_index/ranked_index.hpp>
#include <boost/multi_index_container.hpp>
#include <unordered_map>

#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

namespace bmi = boost::multi_index;

template <typename T, T Ticket::*M>
using field = bmi::member<Ticket, const T, M>;
using id_of = field<TicketId, &Ticket::id>;
using updated_of = field<Instant, &Ticket::updated>;

struct by_id {};
struct by_key {};
struct by_segment_state {};
struct by_assignee {};
struct by_group {};
struct by_category {};
struct by_updated {};
struct by_created {};

struct KeyHash {
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};
struct KeyEqual {
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

// (prefix fields..., updated, id)
template <typename... Prefix>
using sorted_by_updated = bmi::composite_key<TicketPtr, Prefix..., updated_of, id_of>;

using TicketSet = bmi::multi_index_container<
    TicketPtr,
    bmi::indexed_by<
        bmi::hashed_unique<bmi::tag<by_id>, id_of>,
        bmi::hashed_unique<bmi::tag<by_key>, field<std::string, &Ticket::key>, KeyHash, KeyEqual>,
        bmi::ranked_non_unique<
            bmi::tag<by_segment_state>,
            sorted_by_updated<field<Symbol, &Ticket::segment>, field<Symbol, &Ticket::state>>>,
        bmi::ranked_non_unique<bmi::tag<by_assignee>,
                               sorted_by_updated<field<Symbol, &Ticket::assignee>>>,
        bmi::ranked_non_unique<bmi::tag<by_group>,
                               sorted_by_updated<field<Symbol, &Ticket::assignment_group>>>,
        bmi::ranked_non_unique<bmi::tag<by_category>,
                               sorted_by_updated<field<Symbol, &Ticket::category>>>,
        bmi::ordered_non_unique<bmi::tag<by_updated>, sorted_by_updated<>>,
        bmi::ordered_unique<
            bmi::tag<by_created>,
            bmi::composite_key<TicketPtr, field<Instant, &Ticket::created>, id_of>>>>;

using EventSet =
    bmi::multi_index_container<Event, bmi::indexed_by<bmi::ordered_unique<bmi::composite_key<
                                          Event, bmi::member<Event, const TicketId, &Event::ticket>,
                                          bmi::member<Event, const std::uint64_t, &Event::seq>>>>>;

// A set of key prefixes on one index whose ranges together hold every candidate.
enum class PathIndex { segment_state, segment, assignee, group, category, none };
struct Path {
    PathIndex index = PathIndex::none;
    std::vector<std::pair<Symbol, Symbol>> prefixes;  // second is unused for one-field paths
    std::size_t estimate = 0;
    bool exact = false;  // the ranges hold exactly the tickets the query matches
};

constexpr std::size_t max_prefixes = 64;

// Does the query filter on anything besides the fields a path covers?
bool only_filters(const Query& q, PathIndex idx) {
    bool other = !q.kinds.empty() || !q.requesters.empty() || !q.tags.empty() || q.priority_min ||
                 q.priority_max || q.created_from || q.created_before || q.updated_from ||
                 q.updated_before;
    if (other) return false;
    switch (idx) {
        case PathIndex::segment_state:
            return q.assignees.empty() && q.groups.empty() && q.categories.empty();
        case PathIndex::segment:
            return q.states.empty() && q.assignees.empty() && q.groups.empty() &&
                   q.categories.empty();
        case PathIndex::assignee:
            return q.segments.empty() && q.states.empty() && q.groups.empty() &&
                   q.categories.empty();
        case PathIndex::group:
            return q.segments.empty() && q.states.empty() && q.assignees.empty() &&
                   q.categories.empty();
        case PathIndex::category:
            return q.segments.empty() && q.states.empty() && q.assignees.empty() &&
                   q.groups.empty();
        case PathIndex::none:
            return q.segments.empty() && q.states.empty() && q.assignees.empty() &&
                   q.groups.empty() && q.categories.empty();
    }
    return false;
}

template <typename Index, typename Key>
std::size_t ranked_count(const Index& idx, const Key& key) {
    return idx.rank(idx.upper_bound(key)) - idx.rank(idx.lower_bound(key));
}

}  // namespace

struct InMemoryStore::Impl {
    TicketSet tickets;
    EventSet events;
    TicketId next_id = 1;
    std::uint64_t next_seq = 1;
    std::unordered_map<Symbol, std::uint64_t> next_number;

    Path best_path(const Query& q) const;
    Path by_states(Path p) const;
    template <typename F>
    void for_each_in_path(const Path& p, F&& f) const;
    Page ordered_scan(const Query& q, const Path& p) const;
    Page gather_and_sort(const Query& q, const Path& p) const;
    Page global_scan(const Query& q) const;
};

// A segment path as (segment, state) ranges, each sorted by (updated, id), so that a page
// sorted by "updated" merges them instead of walking the global order. The states present
// are found by skipping from one state's range to the next.
Path InMemoryStore::Impl::by_states(Path p) const {
    const auto& idx = tickets.get<by_segment_state>();
    std::vector<std::pair<Symbol, Symbol>> split;
    for (const auto& [seg, unused] : p.prefixes) {
        for (auto it = idx.lower_bound(boost::make_tuple(seg));
             it != idx.end() && (*it)->segment == seg;
             it = idx.upper_bound(boost::make_tuple(seg, (*it)->state))) {
            if (split.size() == max_prefixes) return p;
            split.emplace_back(seg, (*it)->state);
        }
    }
    if (split.empty()) return p;
    p.index = PathIndex::segment_state;
    p.prefixes = std::move(split);
    return p;
}

Path InMemoryStore::Impl::best_path(const Query& q) const {
    Path best;
    best.estimate = tickets.size();
    best.exact = only_filters(q, PathIndex::none) && !q.visibility;
    // Visibility made of segment clauses narrows the segments to plan with.
    const std::vector<Symbol> segments = planning_segments(q);
    auto consider = [&](Path p) {
        p.exact = only_filters(q, p.index) && !q.visibility;
        if (p.estimate < best.estimate || (p.estimate == best.estimate && p.exact && !best.exact))
            best = std::move(p);
    };
    if (!segments.empty() && !q.states.empty() &&
        segments.size() * q.states.size() <= max_prefixes) {
        Path p{PathIndex::segment_state, {}, 0, false};
        const auto& idx = tickets.get<by_segment_state>();
        for (auto seg : segments)
            for (auto st : q.states) {
                p.prefixes.emplace_back(seg, st);
                p.estimate += ranked_count(idx, boost::make_tuple(seg, st));
            }
        consider(std::move(p));
    } else if (!segments.empty() && segments.size() <= max_prefixes) {
        Path p{PathIndex::segment, {}, 0, false};
        const auto& idx = tickets.get<by_segment_state>();
        for (auto seg : segments) {
            p.prefixes.emplace_back(seg, Symbol{});
            p.estimate += ranked_count(idx, boost::make_tuple(seg));
        }
        consider(by_states(std::move(p)));
    }
    auto one_field = [&](PathIndex which, const std::vector<Symbol>& values, const auto& idx) {
        if (values.empty() || values.size() > max_prefixes) return;
        Path p{which, {}, 0, false};
        for (auto v : values) {
            p.prefixes.emplace_back(v, Symbol{});
            p.estimate += ranked_count(idx, boost::make_tuple(v));
        }
        consider(std::move(p));
    };
    one_field(PathIndex::assignee, q.assignees, tickets.get<by_assignee>());
    one_field(PathIndex::group, q.groups, tickets.get<by_group>());
    one_field(PathIndex::category, q.categories, tickets.get<by_category>());
    return best;
}

template <typename F>
void InMemoryStore::Impl::for_each_in_path(const Path& p, F&& f) const {
    auto each = [&](const auto& idx, auto key) {
        auto [first, last] = idx.equal_range(key);
        for (; first != last; ++first)
            f(*first);
    };
    for (const auto& [a, b] : p.prefixes) {
        switch (p.index) {
            case PathIndex::segment_state:
                each(tickets.get<by_segment_state>(), boost::make_tuple(a, b));
                break;
            case PathIndex::segment:
                each(tickets.get<by_segment_state>(), boost::make_tuple(a));
                break;
            case PathIndex::assignee:
                each(tickets.get<by_assignee>(), boost::make_tuple(a));
                break;
            case PathIndex::group:
                each(tickets.get<by_group>(), boost::make_tuple(a));
                break;
            case PathIndex::category:
                each(tickets.get<by_category>(), boost::make_tuple(a));
                break;
            case PathIndex::none:
                break;
        }
    }
}

namespace {

// Walks several ranges of one index, each sorted by (updated, id), as one sorted sequence
// in the query's direction, starting strictly after the cursor.
template <typename Index, typename MakeKey>
void merge_ranges(const Index& idx, const std::vector<std::pair<Symbol, Symbol>>& prefixes,
                  MakeKey make_key, bool descending, const std::optional<SortPosition>& after,
                  const std::function<bool(const TicketPtr&)>& visit) {
    using It = typename Index::const_iterator;
    struct Range {
        It next, end;  // ascending: [next, end); descending: walk back from next to end
    };
    std::vector<Range> ranges;
    for (const auto& [a, b] : prefixes) {
        auto [lo, hi] = idx.equal_range(make_key(a, b));
        if (after) {
            Instant upd = instant_from_micros(std::get<0>(*after));
            TicketId id = std::get<2>(*after);
            auto full = [&](auto... tail) { return make_key(a, b, tail...); };
            if (descending)
                hi = idx.lower_bound(full(upd, id));
            else
                lo = idx.upper_bound(full(upd, id));
        }
        if (lo != hi) ranges.push_back(descending ? Range{hi, lo} : Range{lo, hi});
    }
    auto position = [](const TicketPtr& t) { return std::make_pair(t->updated, t->id); };
    while (!ranges.empty()) {
        std::size_t pick = 0;
        for (std::size_t i = 1; i < ranges.size(); ++i) {
            auto ci = position(descending ? *std::prev(ranges[i].next) : *ranges[i].next);
            auto cp = position(descending ? *std::prev(ranges[pick].next) : *ranges[pick].next);
            if (descending ? ci > cp : ci < cp) pick = i;
        }
        auto& r = ranges[pick];
        const TicketPtr& t = descending ? *--r.next : *r.next++;
        if (!visit(t)) return;
        if (r.next == r.end) ranges.erase(ranges.begin() + static_cast<std::ptrdiff_t>(pick));
    }
}

bool after_cursor(const SortPosition& pos, const std::optional<SortPosition>& after,
                  bool descending) {
    if (!after) return true;
    return descending ? pos < *after : pos > *after;
}

}  // namespace

Page InMemoryStore::Impl::ordered_scan(const Query& q, const Path& p) const {
    Page page;
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    bool more = false;
    auto visit = [&](const TicketPtr& t) {
        if (!q.matches(*t)) return true;
        if (page.tickets.size() == q.limit) {
            more = true;
            return false;
        }
        page.tickets.push_back(t);
        return true;
    };
    std::vector<std::pair<Symbol, Symbol>> none = {{Symbol{}, Symbol{}}};
    switch (p.index) {
        case PathIndex::segment_state:
            merge_ranges(
                tickets.get<by_segment_state>(), p.prefixes,
                [](Symbol a, Symbol b, auto... tail) { return boost::make_tuple(a, b, tail...); },
                q.descending, after, visit);
            break;
        case PathIndex::assignee:
        case PathIndex::group:
        case PathIndex::category: {
            auto key = [](Symbol a, Symbol, auto... tail) { return boost::make_tuple(a, tail...); };
            if (p.index == PathIndex::assignee)
                merge_ranges(tickets.get<by_assignee>(), p.prefixes, key, q.descending, after,
                             visit);
            else if (p.index == PathIndex::group)
                merge_ranges(tickets.get<by_group>(), p.prefixes, key, q.descending, after, visit);
            else
                merge_ranges(tickets.get<by_category>(), p.prefixes, key, q.descending, after,
                             visit);
            break;
        }
        default: {
            const auto& idx = tickets.get<by_updated>();
            auto lo = idx.begin();
            auto hi = idx.end();
            if (after) {
                auto k = boost::make_tuple(instant_from_micros(std::get<0>(*after)),
                                           std::get<2>(*after));
                if (q.descending)
                    hi = idx.lower_bound(k);
                else
                    lo = idx.upper_bound(k);
            }
            if (q.descending) {
                while (hi != lo)
                    if (!visit(*--hi)) break;
            } else {
                for (; lo != hi; ++lo)
                    if (!visit(*lo)) break;
            }
        }
    }
    if (more)
        page.next_cursor =
            encode_cursor(q.sort, q.descending, sort_position(*page.tickets.back(), q.sort));
    return page;
}

Page InMemoryStore::Impl::gather_and_sort(const Query& q, const Path& p) const {
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    std::vector<std::pair<SortPosition, const TicketPtr*>> hits;
    auto take = [&](const TicketPtr& t) {
        if (!q.matches(*t)) return;
        auto pos = sort_position(*t, q.sort);
        if (after_cursor(pos, after, q.descending)) hits.emplace_back(pos, &t);
    };
    if (p.index == PathIndex::none) {
        for (const auto& t : tickets.get<by_id>())
            take(t);
    } else {
        for_each_in_path(p, take);
    }
    auto order = [&](const auto& a, const auto& b) {
        return q.descending ? a.first > b.first : a.first < b.first;
    };
    std::size_t keep = std::min(hits.size(), q.limit + 1);
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(keep), hits.end(),
                      order);
    Page page;
    for (std::size_t i = 0; i < std::min(keep, q.limit); ++i)
        page.tickets.push_back(*hits[i].second);
    if (keep > q.limit)
        page.next_cursor = encode_cursor(q.sort, q.descending, hits[q.limit - 1].first);
    return page;
}

Page InMemoryStore::Impl::global_scan(const Query& q) const {
    // Created order: walk the (created, id) index and filter.
    Page page;
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    const auto& idx = tickets.get<by_created>();
    auto lo = idx.begin();
    auto hi = idx.end();
    if (after) {
        auto k = boost::make_tuple(instant_from_micros(std::get<0>(*after)), std::get<2>(*after));
        if (q.descending)
            hi = idx.lower_bound(k);
        else
            lo = idx.upper_bound(k);
    }
    bool more = false;
    auto visit = [&](const TicketPtr& t) {
        if (!q.matches(*t)) return true;
        if (page.tickets.size() == q.limit) return !(more = true);
        page.tickets.push_back(t);
        return true;
    };
    if (q.descending) {
        while (hi != lo)
            if (!visit(*--hi)) break;
    } else {
        for (; lo != hi; ++lo)
            if (!visit(*lo)) break;
    }
    if (more)
        page.next_cursor =
            encode_cursor(q.sort, q.descending, sort_position(*page.tickets.back(), q.sort));
    return page;
}

InMemoryStore::InMemoryStore() : impl_(std::make_unique<Impl>()) {}
InMemoryStore::~InMemoryStore() = default;

TicketPtr InMemoryStore::get(TicketId id) const {
    const auto& idx = impl_->tickets.get<by_id>();
    auto it = idx.find(id);
    return it == idx.end() ? nullptr : *it;
}

TicketPtr InMemoryStore::get_by_key(std::string_view key) const {
    const auto& idx = impl_->tickets.get<by_key>();
    auto it = idx.find(key, KeyHash{}, KeyEqual{});
    return it == idx.end() ? nullptr : *it;
}

// Gathering a path's candidates and sorting them beats walking a global order index when
// the path is this small.
constexpr std::size_t gather_limit = 20000;

Page InMemoryStore::query(const Query& q) const {
    Path p = impl_->best_path(q);
    bool ordered_path = p.index != PathIndex::segment;
    if (q.sort == SortKey::updated && ordered_path) return impl_->ordered_scan(q, p);
    if (q.sort == SortKey::updated && p.estimate > gather_limit)
        return impl_->ordered_scan(q, Path{});
    if (q.sort == SortKey::created && p.estimate > gather_limit) return impl_->global_scan(q);
    return impl_->gather_and_sort(q, p);
}

std::size_t InMemoryStore::count(const Query& q) const {
    Path p = impl_->best_path(q);
    if (p.exact) return p.estimate;
    std::size_t n = 0;
    auto take = [&](const TicketPtr& t) { n += q.matches(*t) ? 1 : 0; };
    if (p.index == PathIndex::none)
        for (const auto& t : impl_->tickets.get<by_id>())
            take(t);
    else
        impl_->for_each_in_path(p, take);
    return n;
}

std::vector<Event> InMemoryStore::history(TicketId id) const {
    auto [lo, hi] = impl_->events.equal_range(boost::make_tuple(id));
    return std::vector<Event>(lo, hi);
}

std::size_t InMemoryStore::size() const {
    return impl_->tickets.size();
}

std::pair<TicketId, std::uint64_t> InMemoryStore::allocate(Symbol kind) {
    return {impl_->next_id++, ++impl_->next_number[kind]};
}

void InMemoryStore::commit(Commit& c) {
    auto& by_ids = impl_->tickets.get<by_id>();
    auto& by_keys = impl_->tickets.get<by_key>();
    // Check everything before touching anything.
    for (std::size_t i = 0; i < c.tickets.size(); ++i) {
        const auto& w = c.tickets[i];
        for (std::size_t j = 0; j < i; ++j)
            if (c.tickets[j].ticket->id == w.ticket->id)
                throw Error(Errc::internal,
                            fmt::format("ticket {} written twice in one commit", w.ticket->id));
        auto it = by_ids.find(w.ticket->id);
        std::uint64_t current = it == by_ids.end() ? 0 : (*it)->version;
        if (current != w.expected_version)
            throw Error(Errc::conflict, "version",
                        fmt::format("ticket {} is at version {}, the change was made on {}",
                                    w.ticket->id, current, w.expected_version));
        if (current == 0 && by_keys.find(w.ticket->key, KeyHash{}, KeyEqual{}) != by_keys.end())
            throw Error(Errc::conflict, "key",
                        fmt::format("key {} is already taken", w.ticket->key));
    }
    // Apply, undoing on failure (only allocation can fail here).
    std::vector<TicketPtr> previous;
    std::size_t applied = 0, appended = 0;
    try {
        for (auto& w : c.tickets) {
            auto it = by_ids.find(w.ticket->id);
            if (it == by_ids.end()) {
                previous.push_back(nullptr);
                by_ids.insert(w.ticket);
            } else {
                previous.push_back(*it);
                by_ids.replace(it, w.ticket);
            }
            ++applied;
        }
        for (auto& e : c.events) {
            e.seq = impl_->next_seq + appended;
            impl_->events.insert(e);
            ++appended;
        }
    } catch (...) {
        for (std::size_t i = 0; i < appended; ++i)
            impl_->events.erase(
                impl_->events.find(boost::make_tuple(c.events[i].ticket, c.events[i].seq)));
        for (std::size_t i = 0; i < applied; ++i) {
            auto it = by_ids.find(c.tickets[i].ticket->id);
            if (previous[i])
                by_ids.replace(it, previous[i]);
            else
                by_ids.erase(it);
        }
        throw;
    }
    impl_->next_seq += appended;
}

ITSM_END_NAMESPACE

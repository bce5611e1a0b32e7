// InMemoryStore over Boost.MultiIndex.
//
// Tickets are found by id in a dense vector (ids are allocated 1, 2, 3, ...) and by key in
// one vector per key prefix indexed by the key's number, so a read costs one or two memory
// accesses. The multi-index container holds a compact row per ticket that copies the
// indexed fields, so comparisons inside the trees never reach into the ticket itself.
// Every filtered index starts with the segment and ends in (updated, id): a queue view of
// one segment is one contiguous, already sorted range. Counters per key pair give the
// planner exact sizes in constant time.
#include "itsm/memory_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/multi_index/composite_key.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/multi_index/ordered_index.hpp>
#include <boost/multi_index_container.hpp>
#include <charconv>
#include <functional>
#include <set>
#include <unordered_map>

#include "event_log.hpp"
#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

namespace bmi = boost::multi_index;

// The indexed and most filtered fields of a ticket, copied out of it, so that index
// comparisons and most filters (visibility included) never open the ticket. The ticket is
// owned by the id vector.
struct Row {
    static constexpr int id_bits = 56;
    const Ticket* t;
    std::uint64_t id_priority;  // the id in the low 56 bits, the priority above
    Instant updated;
    Symbol segment, state, assignee, group, category, kind;

    explicit Row(const Ticket& ticket)
        : t(&ticket),
          id_priority(ticket.id | std::uint64_t{ticket.priority} << id_bits),
          updated(ticket.updated),
          segment(ticket.segment),
          state(ticket.state),
          assignee(ticket.assignee),
          group(ticket.assignment_group),
          category(ticket.category),
          kind(ticket.kind) {}
    TicketId id() const noexcept { return id_priority & ((std::uint64_t{1} << id_bits) - 1); }
    int priority() const noexcept { return static_cast<int>(id_priority >> id_bits); }
    RowFields fields() const noexcept { return {segment, kind, category, group, assignee}; }
};

template <typename T, T Row::*M>
using col = bmi::member<Row, T, M>;
struct id_col {
    using result_type = TicketId;
    TicketId operator()(const Row& r) const noexcept { return r.id(); }
};
using updated_col = col<Instant, &Row::updated>;
using segment_col = col<Symbol, &Row::segment>;
// Created order changes only at the end, where the tree's right edge is in cache, so it can
// afford to read the ticket.
struct created_col {
    using result_type = Instant;
    Instant operator()(const Row& r) const noexcept { return r.t->created; }
};

struct by_segment_state {};
struct by_assignee {};
struct by_group {};
struct by_category {};
struct by_updated {};
struct by_created {};

// (segment, field, updated, id)
template <typename Field>
using segment_then = bmi::composite_key<Row, segment_col, Field, updated_col, id_col>;

using RowSet = bmi::multi_index_container<
    Row,
    bmi::indexed_by<
        bmi::ordered_non_unique<bmi::tag<by_segment_state>, segment_then<col<Symbol, &Row::state>>>,
        bmi::ordered_non_unique<bmi::tag<by_assignee>, segment_then<col<Symbol, &Row::assignee>>>,
        bmi::ordered_non_unique<bmi::tag<by_group>, segment_then<col<Symbol, &Row::group>>>,
        bmi::ordered_non_unique<bmi::tag<by_category>, segment_then<col<Symbol, &Row::category>>>,
        bmi::ordered_unique<bmi::tag<by_updated>, bmi::composite_key<Row, updated_col, id_col>>,
        bmi::ordered_unique<bmi::tag<by_created>, bmi::composite_key<Row, created_col, id_col>>>>;

struct PairHash {
    std::size_t operator()(const std::pair<Symbol, Symbol>& p) const noexcept {
        std::hash<Symbol> h;
        return h(p.first) * 31 + h(p.second);
    }
};

// Exact number of rows per (segment, value) and per value, for one indexed field.
struct Counter {
    std::unordered_map<std::pair<Symbol, Symbol>, std::size_t, PairHash> pairs;
    std::unordered_map<Symbol, std::size_t> singles;

    void add(Symbol segment, Symbol value, std::ptrdiff_t delta) {
        auto bump = [&](auto& map, const auto& key) {
            auto& n = map[key];
            n = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(n) + delta);
            if (n == 0) map.erase(key);
        };
        bump(pairs, std::make_pair(segment, value));
        bump(singles, value);
    }
    std::size_t of(Symbol segment, Symbol value) const {
        auto it = pairs.find({segment, value});
        return it == pairs.end() ? 0 : it->second;
    }
    std::size_t of(Symbol value) const {
        auto it = singles.find(value);
        return it == singles.end() ? 0 : it->second;
    }
};

// A set of key prefixes on one index whose ranges together hold every candidate.
enum class PathIndex { segment_state, segment, assignee, group, category, none };
struct Path {
    PathIndex index = PathIndex::none;
    std::vector<std::pair<Symbol, Symbol>> prefixes;  // (segment, value); value unused for segment
    std::size_t estimate = 0;
    bool exact = false;  // the ranges hold exactly the tickets the query matches
};

constexpr std::size_t max_prefixes = 64;

// Does the query filter on anything besides the fields a path covers?
bool only_filters(const Query& q, PathIndex idx) {
    bool other = !q.kinds.empty() || !q.requesters.empty() || !q.tags.empty() || q.priority_min ||
                 q.priority_max || q.created_from || q.created_before || q.updated_from ||
                 q.updated_before || q.sla_breached || q.due_before;
    if (other) return false;
    bool states = q.states.empty(), assignees = q.assignees.empty(), groups = q.groups.empty(),
         categories = q.categories.empty();
    switch (idx) {
        case PathIndex::segment_state:
            return assignees && groups && categories;
        case PathIndex::segment:
            return states && assignees && groups && categories;
        case PathIndex::assignee:
            return states && groups && categories;
        case PathIndex::group:
            return states && assignees && categories;
        case PathIndex::category:
            return states && assignees && groups;
        case PathIndex::none:
            return q.segments.empty() && states && assignees && groups && categories;
    }
    return false;
}

bool listed(const std::vector<Symbol>& wanted, Symbol actual) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), actual) != wanted.end();
}

// The query's conditions on the fields a row carries, visibility included when the row
// can decide it; whether the ticket itself must still be checked is needs_ticket().
bool row_matches(const Query& q, const Row& r) {
    return listed(q.segments, r.segment) && listed(q.states, r.state) &&
           listed(q.assignees, r.assignee) && listed(q.groups, r.group) &&
           listed(q.categories, r.category) && listed(q.kinds, r.kind) &&
           (!q.priority_min || r.priority() >= *q.priority_min) &&
           (!q.priority_max || r.priority() <= *q.priority_max) &&
           (!q.updated_from || r.updated >= *q.updated_from) &&
           (!q.updated_before || r.updated < *q.updated_before) &&
           (!q.visibility || !q.visibility->decided_by_fields() ||
            q.visibility->allows(r.fields()));
}

bool needs_ticket(const Query& q) {
    return (q.visibility && !q.visibility->decided_by_fields()) || !q.requesters.empty() ||
           !q.tags.empty() || q.created_from || q.created_before || q.sla_breached || q.due_before;
}

struct KindKeys {
    std::string prefix;
    std::vector<TicketId> by_number;  // 0 where no ticket has the number
};

// "INC0000042" -> ("INC", 42), for keys in format_key's canonical form only: the number
// padded to seven digits and no further. Such a key is found from its text alone, without
// reading the ticket; any other key shape goes to a plain map.
bool split_key(std::string_view key, std::string_view& prefix, std::uint64_t& number) {
    std::size_t digits = key.size();
    while (digits > 0 && key[digits - 1] >= '0' && key[digits - 1] <= '9')
        --digits;
    std::size_t width = key.size() - digits;
    if (width < 7 || width > 12) return false;
    auto [ptr, ec] = std::from_chars(key.data() + digits, key.data() + key.size(), number);
    if (ec != std::errc() || ptr != key.data() + key.size()) return false;
    std::size_t natural = 1;
    for (auto n = number; n >= 10; n /= 10)
        ++natural;
    if (width != std::max<std::size_t>(7, natural)) return false;
    prefix = key.substr(0, digits);
    return true;
}

}  // namespace

struct InMemoryStore::Impl {
    RowSet rows;
    std::vector<TicketPtr> by_id;  // index id - 1
    std::vector<KindKeys> keys;
    std::unordered_map<std::string, TicketId> other_keys;    // keys that do not end in a number
    Counter states, assignees, groups, categories;           // each by segment and by value
    std::unordered_map<Symbol, std::size_t> segment_counts;  // tickets per segment
    detail::EventLog events;
    TicketId next_id = 1;
    std::unordered_map<Symbol, std::uint64_t> next_number;
    // SLA (store.hpp): tickets by next alarm and by earliest running due, and the breached.
    std::set<std::pair<Instant, TicketId>> sla_alarm, sla_due;
    std::set<TicketId> sla_breached;
    void sla_index(const Ticket* previous, const Ticket* next);
    bool sla_query(const Query& q, Page& page) const;
    std::vector<const Ticket*> sla_candidates(const Query& q) const;

    const TicketPtr* slot(TicketId id) const {
        return id >= 1 && id <= by_id.size() && by_id[id - 1] ? &by_id[id - 1] : nullptr;
    }
    TicketId find_key(std::string_view key) const;
    KindKeys* keys_for(const Ticket& t, std::uint64_t& number);
    void add_key(const Ticket& t);
    void remove_key(const Ticket& t);
    void count(const Ticket& t, std::ptrdiff_t delta);
    void put(const TicketPtr& next, const TicketPtr& previous);
    // Takes back the last `events` events and the writes `now` (each over `previous`, null
    // for a new ticket), newest first.
    void undo(const std::vector<TicketPtr>& now, const std::vector<TicketPtr>& previous,
              std::size_t events);

    std::unordered_map<std::string, std::string> meta;
    // An open batch: what each of its commits replaced, to take them back.
    struct Undo {
        std::vector<TicketPtr> now, previous;
        std::size_t events = 0;
    };
    std::optional<std::vector<Undo>> batch;

    std::vector<Symbol> segments_of(const Query& q) const;
    Path best_path(const Query& q) const;
    template <typename F>
    void for_each_in_path(const Path& p, F&& f) const;
    Page ordered_scan(const Query& q, const Path& p) const;
    Page gather_and_sort(const Query& q, const Path& p) const;
    Page global_scan(const Query& q) const;
};

TicketId InMemoryStore::Impl::find_key(std::string_view key) const {
    std::string_view prefix;
    std::uint64_t number = 0;
    if (split_key(key, prefix, number))
        for (const auto& k : keys)
            if (k.prefix == prefix && number < k.by_number.size() && k.by_number[number])
                return k.by_number[number];
    if (other_keys.empty()) return 0;
    auto it = other_keys.find(std::string(key));
    return it == other_keys.end() ? 0 : it->second;
}

// The vector of a prefix grows with its numbers, which the store allocates densely; a
// number far beyond them (a key made elsewhere) goes to the map instead.
KindKeys* InMemoryStore::Impl::keys_for(const Ticket& t, std::uint64_t& number) {
    std::string_view prefix;
    if (!split_key(t.key, prefix, number)) return nullptr;
    auto it = std::find_if(keys.begin(), keys.end(), [&](auto& k) { return k.prefix == prefix; });
    if (it == keys.end()) it = keys.insert(keys.end(), KindKeys{std::string(prefix), {}});
    if (number > it->by_number.size() + (1u << 20)) return nullptr;
    return &*it;
}

void InMemoryStore::Impl::add_key(const Ticket& t) {
    std::uint64_t number = 0;
    KindKeys* k = keys_for(t, number);
    if (!k) {
        other_keys.emplace(t.key, t.id);
        return;
    }
    if (number >= k->by_number.size()) k->by_number.resize(number + 1);
    k->by_number[number] = t.id;
}

void InMemoryStore::Impl::remove_key(const Ticket& t) {
    if (other_keys.erase(t.key)) return;
    std::uint64_t number = 0;
    if (KindKeys* k = keys_for(t, number); k && number < k->by_number.size())
        k->by_number[number] = 0;
}

void InMemoryStore::Impl::count(const Ticket& t, std::ptrdiff_t delta) {
    auto& n = segment_counts[t.segment];
    n = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(n) + delta);
    if (n == 0) segment_counts.erase(t.segment);
    states.add(t.segment, t.state, delta);
    assignees.add(t.segment, t.assignee, delta);
    groups.add(t.segment, t.assignment_group, delta);
    categories.add(t.segment, t.category, delta);
}

// Stores `next` in place of `previous` (nullptr for a new ticket). Only allocation can throw;
// it does so before anything changes, or after the row is in place and the rest is
// restored by the caller's undo.
void InMemoryStore::Impl::put(const TicketPtr& next, const TicketPtr& previous) {
    TicketId id = next->id;
    if (previous) {
        auto& idx = rows.get<by_updated>();
        auto it = idx.find(boost::make_tuple(previous->updated, id));
        idx.replace(it, Row(*next));
        count(*previous, -1);
    } else {
        if (by_id.size() < id) by_id.resize(id);
        add_key(*next);
        try {
            rows.insert(Row(*next));
        } catch (...) {
            remove_key(*next);
            throw;
        }
    }
    count(*next, +1);
    by_id[id - 1] = next;
    sla_index(previous.get(), next.get());
}

// Segments to enumerate for a path that starts with the segment: the query's, or every
// segment that has tickets.
std::vector<Symbol> InMemoryStore::Impl::segments_of(const Query& q) const {
    // Visibility made of segment clauses narrows the segments to plan with.
    if (auto planned = planning_segments(q); !planned.empty()) return planned;
    std::vector<Symbol> all;
    all.reserve(segment_counts.size());
    for (const auto& [segment, n] : segment_counts)
        all.push_back(segment);
    return all;
}

Path InMemoryStore::Impl::best_path(const Query& q) const {
    Path best;
    best.estimate = rows.size();
    best.exact = only_filters(q, PathIndex::none) && !q.visibility;
    auto consider = [&](Path p) {
        p.exact = only_filters(q, p.index) && !q.visibility;
        if (p.estimate < best.estimate || (p.estimate == best.estimate && p.exact && !best.exact))
            best = std::move(p);
    };
    auto segments = segments_of(q);
    if (!q.states.empty() && segments.size() * q.states.size() <= max_prefixes) {
        Path p{PathIndex::segment_state, {}, 0, false};
        for (auto seg : segments)
            for (auto st : q.states) {
                p.prefixes.emplace_back(seg, st);
                p.estimate += states.of(seg, st);
            }
        consider(std::move(p));
    }
    if (auto planned = planning_segments(q);
        q.states.empty() && !planned.empty() && planned.size() <= max_prefixes) {
        // Every (segment, state) range that has tickets: each is sorted by (updated, id), so
        // a page by "updated" merges them instead of walking the global order.
        Path p{PathIndex::segment_state, {}, 0, false};
        for (const auto& [key, n] : states.pairs)
            if (std::find(segments.begin(), segments.end(), key.first) != segments.end()) {
                p.prefixes.push_back(key);
                p.estimate += n;
            }
        if (p.prefixes.size() <= max_prefixes) {
            std::sort(p.prefixes.begin(), p.prefixes.end());
            consider(std::move(p));
        } else {
            p.index = PathIndex::segment;
            p.prefixes.clear();
            for (auto seg : segments)
                p.prefixes.emplace_back(seg, Symbol{});
            consider(std::move(p));
        }
    }
    auto by_field = [&](PathIndex which, const std::vector<Symbol>& values, const Counter& c) {
        if (values.empty() || values.size() * segments.size() > max_prefixes) return;
        Path p{which, {}, 0, false};
        for (auto seg : segments)
            for (auto v : values) {
                p.prefixes.emplace_back(seg, v);
                p.estimate += c.of(seg, v);
            }
        consider(std::move(p));
    };
    by_field(PathIndex::assignee, q.assignees, assignees);
    by_field(PathIndex::group, q.groups, groups);
    by_field(PathIndex::category, q.categories, categories);
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
                each(rows.get<by_segment_state>(), boost::make_tuple(a, b));
                break;
            case PathIndex::segment:
                each(rows.get<by_segment_state>(), boost::make_tuple(a));
                break;
            case PathIndex::assignee:
                each(rows.get<by_assignee>(), boost::make_tuple(a, b));
                break;
            case PathIndex::group:
                each(rows.get<by_group>(), boost::make_tuple(a, b));
                break;
            case PathIndex::category:
                each(rows.get<by_category>(), boost::make_tuple(a, b));
                break;
            case PathIndex::none:
                break;
        }
    }
}

namespace {

// Walks several ranges of one index, each sorted by (updated, id), as one sorted sequence
// in the query's direction, starting strictly after the cursor.
template <typename Index>
void merge_ranges(const Index& idx, const std::vector<std::pair<Symbol, Symbol>>& prefixes,
                  bool descending, const std::optional<SortPosition>& after,
                  const std::function<bool(const Row&)>& visit) {
    using It = typename Index::const_iterator;
    struct Range {
        It next, end;  // ascending: [next, end); descending: walk back from next to end
    };
    std::vector<Range> ranges;
    for (const auto& [a, b] : prefixes) {
        auto [lo, hi] = idx.equal_range(boost::make_tuple(a, b));
        if (after) {
            auto full = boost::make_tuple(a, b, instant_from_micros(std::get<0>(*after)),
                                          std::get<2>(*after));
            if (descending)
                hi = idx.lower_bound(full);
            else
                lo = idx.upper_bound(full);
        }
        if (lo != hi) ranges.push_back(descending ? Range{hi, lo} : Range{lo, hi});
    }
    auto position = [](const Row& r) { return std::make_pair(r.updated, r.id()); };
    while (!ranges.empty()) {
        std::size_t pick = 0;
        for (std::size_t i = 1; i < ranges.size(); ++i) {
            auto ci = position(descending ? *std::prev(ranges[i].next) : *ranges[i].next);
            auto cp = position(descending ? *std::prev(ranges[pick].next) : *ranges[pick].next);
            if (descending ? ci > cp : ci < cp) pick = i;
        }
        auto& r = ranges[pick];
        const Row& row = descending ? *--r.next : *r.next++;
        if (!visit(row)) return;
        if (r.next == r.end) ranges.erase(ranges.begin() + static_cast<std::ptrdiff_t>(pick));
    }
}

// Walks an index ordered by (instant, id) in the query's direction, after the cursor.
template <typename Index>
void walk_ordered(const Index& idx, const Query& q, const std::optional<SortPosition>& after,
                  const std::function<bool(const Row&)>& visit) {
    auto lo = idx.begin();
    auto hi = idx.end();
    if (after) {
        auto k = boost::make_tuple(instant_from_micros(std::get<0>(*after)), std::get<2>(*after));
        if (q.descending)
            hi = idx.lower_bound(k);
        else
            lo = idx.upper_bound(k);
    }
    if (q.descending) {
        while (hi != lo)
            if (!visit(*--hi)) return;
    } else {
        for (; lo != hi; ++lo)
            if (!visit(*lo)) return;
    }
}

bool after_cursor(const SortPosition& pos, const std::optional<SortPosition>& after,
                  bool descending) {
    if (!after) return true;
    return descending ? pos < *after : pos > *after;
}

}  // namespace

// Pages in (updated, id) or (created, id) order straight off an index, checking each row
// and reading the ticket only when the query filters on fields the row lacks.
Page InMemoryStore::Impl::ordered_scan(const Query& q, const Path& p) const {
    Page page;
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    bool more = false;
    bool deref = needs_ticket(q);
    auto visit = [&](const Row& r) {
        if (!row_matches(q, r) || (deref && !q.matches(*r.t))) return true;
        if (page.tickets.size() == q.limit) {
            more = true;
            return false;
        }
        page.tickets.push_back(by_id[r.id() - 1]);
        return true;
    };
    switch (p.index) {
        case PathIndex::segment_state:
            merge_ranges(rows.get<by_segment_state>(), p.prefixes, q.descending, after, visit);
            break;
        case PathIndex::assignee:
            merge_ranges(rows.get<by_assignee>(), p.prefixes, q.descending, after, visit);
            break;
        case PathIndex::group:
            merge_ranges(rows.get<by_group>(), p.prefixes, q.descending, after, visit);
            break;
        case PathIndex::category:
            merge_ranges(rows.get<by_category>(), p.prefixes, q.descending, after, visit);
            break;
        default:
            if (q.sort == SortKey::created)
                walk_ordered(rows.get<by_created>(), q, after, visit);
            else
                walk_ordered(rows.get<by_updated>(), q, after, visit);
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
    auto take = [&](const Row& r) {
        if (!row_matches(q, r) || !q.matches(*r.t)) return;
        auto pos = sort_position(*r.t, q.sort);
        if (after_cursor(pos, after, q.descending)) hits.emplace_back(pos, &by_id[r.id() - 1]);
    };
    if (p.index == PathIndex::none) {
        for (const auto& r : rows.get<by_updated>())
            take(r);
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

InMemoryStore::InMemoryStore() : impl_(std::make_unique<Impl>()) {}
InMemoryStore::~InMemoryStore() = default;

TicketPtr InMemoryStore::get(TicketId id) const {
    const TicketPtr* t = impl_->slot(id);
    return t ? *t : nullptr;
}

TicketPtr InMemoryStore::get_by_key(std::string_view key) const {
    TicketId id = impl_->find_key(key);
    return id ? impl_->by_id[id - 1] : nullptr;
}

// Gathering a path's candidates and sorting them beats walking a global order index when
// the path is this small.
constexpr std::size_t gather_limit = 20000;

Page InMemoryStore::query(const Query& q) const {
    if (Page page; impl_->sla_query(q, page)) return page;
    Path p = impl_->best_path(q);
    bool ordered_path = p.index != PathIndex::segment && p.index != PathIndex::none;
    if (q.sort == SortKey::updated && ordered_path) return impl_->ordered_scan(q, p);
    if (q.sort != SortKey::priority && (p.index == PathIndex::none || p.estimate > gather_limit))
        return impl_->ordered_scan(q, Path{});
    return impl_->gather_and_sort(q, p);
}

std::size_t InMemoryStore::count(const Query& q) const {
    if (q.due_before || q.sla_breached.value_or(false)) {
        std::size_t n = 0;
        for (const Ticket* t : impl_->sla_candidates(q))
            n += q.matches(*t);
        return n;
    }
    Path p = impl_->best_path(q);
    if (p.exact) return p.estimate;
    std::size_t n = 0;
    bool deref = needs_ticket(q);
    auto take = [&](const Row& r) { n += row_matches(q, r) && (!deref || q.matches(*r.t)); };
    if (p.index == PathIndex::none)
        for (const auto& r : impl_->rows.get<by_updated>())
            take(r);
    else
        impl_->for_each_in_path(p, take);
    return n;
}

std::vector<Event> InMemoryStore::history(TicketId id) const {
    return impl_->events.history(id);
}

std::size_t InMemoryStore::size() const {
    return impl_->rows.size();
}

std::pair<TicketId, std::uint64_t> InMemoryStore::allocate(Symbol kind) {
    return {impl_->next_id++, ++impl_->next_number[kind]};
}

void InMemoryStore::commit(Commit& c) {
    auto& m = *impl_;
    // Check everything before touching anything.
    for (std::size_t i = 0; i < c.tickets.size(); ++i) {
        const auto& w = c.tickets[i];
        TicketId id = w.ticket->id;
        for (std::size_t j = 0; j < i; ++j)
            if (c.tickets[j].ticket->id == id)
                throw Error(Errc::internal,
                            fmt::format("ticket {} written twice in one commit", id));
        // Ids index a dense vector: they come from allocate(), or close to its range.
        if (id == 0 || id > m.next_id + (1u << 20))
            throw Error(Errc::internal,
                        fmt::format("ticket id {} is far outside the allocated range", id));
        const TicketPtr* slot = m.slot(id);
        std::uint64_t current = slot ? (*slot)->version : 0;
        if (current != w.expected_version)
            throw Error(Errc::conflict, "version",
                        fmt::format("ticket {} is at version {}, the change was made on {}", id,
                                    current, w.expected_version));
        if (current == 0 && m.find_key(w.ticket->key))
            throw Error(Errc::conflict, "key",
                        fmt::format("key {} is already taken", w.ticket->key));
        if (current != 0 && (*slot)->key != w.ticket->key)
            throw Error(Errc::internal, fmt::format("ticket {} changed its key", id));
    }
    // Apply, undoing on failure (only allocation can fail here).
    std::vector<TicketPtr> previous;
    previous.reserve(c.tickets.size());
    std::size_t applied = 0, appended = 0;
    std::uint64_t first_seq = m.events.size() + 1;
    try {
        for (auto& w : c.tickets) {
            const TicketPtr* slot = m.slot(w.ticket->id);
            previous.push_back(slot ? *slot : nullptr);
            m.put(w.ticket, previous.back());
            ++applied;
        }
        for (auto& e : c.events) {
            e.seq = first_seq + appended;
            m.events.append(e);
            ++appended;
        }
        for (auto& w : c.tickets)
            m.next_id = std::max(m.next_id, w.ticket->id + 1);
    } catch (...) {
        std::vector<TicketPtr> now;
        for (std::size_t i = 0; i < applied; ++i)
            now.push_back(c.tickets[i].ticket);
        previous.resize(applied);
        m.undo(now, previous, appended);
        throw;
    }
    if (m.batch) {
        Impl::Undo u;
        for (auto& w : c.tickets)
            u.now.push_back(w.ticket);
        u.previous = std::move(previous);
        u.events = c.events.size();
        m.batch->push_back(std::move(u));
    }
}

void InMemoryStore::Impl::undo(const std::vector<TicketPtr>& now,
                               const std::vector<TicketPtr>& previous, std::size_t n_events) {
    for (; n_events > 0; --n_events)
        events.pop_back();
    for (std::size_t i = now.size(); i-- > 0;) {
        if (previous[i]) {
            put(previous[i], now[i]);
        } else {
            auto& idx = rows.get<by_updated>();
            idx.erase(idx.find(boost::make_tuple(now[i]->updated, now[i]->id)));
            count(*now[i], -1);
            sla_index(now[i].get(), nullptr);
            remove_key(*now[i]);
            by_id[now[i]->id - 1] = nullptr;
        }
    }
}

std::optional<std::string> InMemoryStore::meta(std::string_view key) const {
    auto it = impl_->meta.find(std::string(key));
    if (it == impl_->meta.end()) return std::nullopt;
    return it->second;
}

void InMemoryStore::set_meta(std::string_view key, std::string_view value) {
    impl_->meta[std::string(key)] = std::string(value);
}

void InMemoryStore::begin_batch() {
    if (impl_->batch) throw Error(Errc::internal, "a batch is already open");
    impl_->batch.emplace();
}

void InMemoryStore::end_batch(bool keep) {
    if (!impl_->batch) throw Error(Errc::internal, "no batch is open");
    auto undos = std::move(*impl_->batch);
    impl_->batch.reset();
    if (keep) return;
    for (auto u = undos.rbegin(); u != undos.rend(); ++u)
        impl_->undo(u->now, u->previous, u->events);
}

// ---- SLA indexes ----------------------------------------------------------------------------

void InMemoryStore::Impl::sla_index(const Ticket* previous, const Ticket* next) {
    if ((!previous || previous->sla.empty()) && (!next || next->sla.empty())) return;
    auto keys = [](const Ticket* t) {
        struct Keys {
            std::optional<Instant> alarm, due;
            bool breached = false;
        } k;
        if (t) k = {next_alarm(t->sla), earliest_due(t->sla), any_breached(t->sla)};
        return k;
    };
    auto before = keys(previous), after = keys(next);
    TicketId id = next ? next->id : previous->id;
    if (before.alarm) sla_alarm.erase({*before.alarm, id});
    if (before.due) sla_due.erase({*before.due, id});
    if (before.breached) sla_breached.erase(id);
    if (after.alarm) sla_alarm.insert({*after.alarm, id});
    if (after.due) sla_due.insert({*after.due, id});
    if (after.breached) sla_breached.insert(id);
}

// The tickets an SLA filter can match, straight off its index.
std::vector<const Ticket*> InMemoryStore::Impl::sla_candidates(const Query& q) const {
    std::vector<const Ticket*> out;
    if (q.due_before) {
        auto end = sla_due.lower_bound({*q.due_before, 0});
        for (auto it = sla_due.begin(); it != end; ++it)
            out.push_back(by_id[it->second - 1].get());
    } else if (q.sla_breached.value_or(false)) {
        for (TicketId id : sla_breached)
            out.push_back(by_id[id - 1].get());
    }
    return out;
}

// Queries that an SLA index serves: a due_before or breached filter (its candidates are
// gathered and sorted), and the ascending sort by due (walked in index order, then the
// tickets without a running clock). Returns false for every other query.
bool InMemoryStore::Impl::sla_query(const Query& q, Page& page) const {
    bool filtered = q.due_before || q.sla_breached.value_or(false);
    if (!filtered && q.sort != SortKey::due) return false;
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    if (!filtered && q.descending) {
        page = gather_and_sort(q, best_path(q));
        return true;
    }
    std::vector<std::pair<SortPosition, const TicketPtr*>> hits;
    auto finish = [&](bool more) {
        for (const auto& h : hits)
            page.tickets.push_back(*h.second);
        if (more) page.next_cursor = encode_cursor(q.sort, q.descending, hits.back().first);
    };
    if (filtered) {
        for (const Ticket* t : sla_candidates(q)) {
            if (!q.matches(*t)) continue;
            auto pos = sort_position(*t, q.sort);
            if (after_cursor(pos, after, q.descending)) hits.emplace_back(pos, &by_id[t->id - 1]);
        }
        auto order = [&](const auto& a, const auto& b) {
            return q.descending ? a.first > b.first : a.first < b.first;
        };
        std::size_t keep = std::min(hits.size(), q.limit + 1);
        std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(keep),
                          hits.end(), order);
        hits.resize(keep);
        bool more = hits.size() > q.limit;
        if (more) hits.pop_back();
        finish(more);
        return true;
    }
    // Ascending by due: the index first, then the tickets without a running clock by id.
    if (!after || std::get<0>(*after) == 0) {
        auto it = after ? sla_due.upper_bound(
                              {instant_from_micros(std::get<1>(*after)), std::get<2>(*after)})
                        : sla_due.begin();
        for (; it != sla_due.end(); ++it) {
            const TicketPtr& t = by_id[it->second - 1];
            if (!q.matches(*t)) continue;
            if (hits.size() == q.limit) return finish(true), true;
            hits.emplace_back(sort_position(*t, q.sort), &t);
        }
    }
    TicketId from = after && std::get<0>(*after) == 1 ? std::get<2>(*after) + 1 : 1;
    for (TicketId id = from; id <= by_id.size(); ++id) {
        const TicketPtr& t = by_id[id - 1];
        if (!t || earliest_due(t->sla) || !q.matches(*t)) continue;
        if (hits.size() == q.limit) return finish(true), true;
        hits.emplace_back(sort_position(*t, q.sort), &t);
    }
    finish(false);
    return true;
}

std::vector<TicketPtr> InMemoryStore::sla_alarms(Instant until, std::size_t limit) const {
    std::vector<TicketPtr> out;
    for (auto it = impl_->sla_alarm.begin();
         it != impl_->sla_alarm.end() && it->first <= until && out.size() < limit; ++it)
        out.push_back(impl_->by_id[it->second - 1]);
    return out;
}

ITSM_END_NAMESPACE

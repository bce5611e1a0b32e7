// InMemoryStore: dense rows by id, and sorted runs of (instant, id) keys per index value.
//
// Tickets are found by id in dense blocks of rows (ids are allocated 1, 2, 3, ...) and by
// key in one vector per key prefix indexed by the key's number, so a read costs one or two
// memory accesses. A row copies the fields that queries filter on most, so most filters
// (visibility included) never open the ticket.
//
// The indexes are not trees of rows: each (segment, value) pair of an indexed field (state,
// assignee, assignment group, category, kind) has its own sorted sequence of 16-byte
// (updated, id) keys, kept in chunks of adjacent keys; the assignee and the assignment group
// also have one sequence per value across segments (a query or visibility clause that names
// no segment walks one sequence, not one per segment); two more sequences hold every ticket
// in (updated, id) and (created, id) order. A new or updated ticket lands at the end of its
// sequences, whose last chunks stay in cache, and a page reads adjacent keys. Every
// sequence has the same key, so a query merges the sequences of several values, segments
// or even fields (a union of visibility clauses) into one ordered walk. Sequence sizes give
// the planner exact counts in constant time.
#include "itsm/memory_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <functional>
#include <set>
#include <unordered_map>

#include "event_log.hpp"
#include "itsm/error.hpp"
#include "symbol_pair_map.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

// A position in an (instant, id) order: (updated, id) or (created, id). The ticket's priority
// rides in the low byte below the id, which keeps the order and lets a walk apply a priority
// filter (the most common one on queues) without reading the row.
struct Key {
    static constexpr int id_shift = 8;
    static constexpr TicketId max_id = (TicketId{1} << (64 - id_shift)) - 1;
    std::int64_t at = 0;
    std::uint64_t id_priority = 0;
    friend auto operator<=>(const Key&, const Key&) = default;

    static Key of(std::int64_t at, TicketId id, int priority) noexcept {
        return {at, id << id_shift | static_cast<std::uint8_t>(priority)};
    }
    // The bound of a cursor (at, id): below every key of `id` when walking down, above them
    // when walking up; an id past every stored one bounds above all of them.
    static Key cursor(std::int64_t at, TicketId id, bool descending) noexcept {
        if (id > max_id) return {at, ~std::uint64_t{0}};
        return {at, id << id_shift | (descending ? 0u : 0xffu)};
    }
    TicketId id() const noexcept { return id_priority >> id_shift; }
    int priority() const noexcept { return static_cast<int>(id_priority & 0xff); }
};

// Keys in ascending order, in chunks of at most `cap` adjacent keys, with the last key of
// every chunk in one vector for the binary search: a lookup reads that vector and one chunk,
// an insertion at the end (the usual case: a ticket just created or updated) touches only
// the last chunk, and a walk reads keys that lie next to each other.
class KeySeq {
  public:
    static constexpr std::size_t cap = 128;
    struct Pos {
        std::size_t chunk = 0, i = 0;
        friend bool operator==(const Pos&, const Pos&) = default;
    };

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    Pos begin() const noexcept { return {0, 0}; }
    Pos end() const noexcept { return {chunks_.size(), 0}; }
    const Key& at(Pos p) const noexcept { return chunks_[p.chunk][p.i]; }
    void next(Pos& p) const noexcept {
        if (++p.i == chunks_[p.chunk].size()) p = {p.chunk + 1, 0};
    }
    void prev(Pos& p) const noexcept {
        if (p.i == 0)
            p = {p.chunk - 1, chunks_[p.chunk - 1].size() - 1};
        else
            --p.i;
    }
    Pos lower_bound(const Key& k) const noexcept {
        std::size_t c = static_cast<std::size_t>(std::lower_bound(lasts_.begin(), lasts_.end(), k) -
                                                 lasts_.begin());
        if (c == chunks_.size()) return end();
        const auto& ch = chunks_[c];
        return {c,
                static_cast<std::size_t>(std::lower_bound(ch.begin(), ch.end(), k) - ch.begin())};
    }
    Pos upper_bound(const Key& k) const noexcept {
        std::size_t c = static_cast<std::size_t>(std::upper_bound(lasts_.begin(), lasts_.end(), k) -
                                                 lasts_.begin());
        if (c == chunks_.size()) return end();
        const auto& ch = chunks_[c];
        return {c,
                static_cast<std::size_t>(std::upper_bound(ch.begin(), ch.end(), k) - ch.begin())};
    }
    template <typename F>
    void each(F&& f) const {
        for (const auto& ch : chunks_)
            for (const Key& k : ch)
                f(k);
    }

    // May throw (allocation) before anything changes. A key already present stays once.
    void insert(const Key& k) {
        if (chunks_.empty() || lasts_.back() < k) return append(k);
        std::size_t c = static_cast<std::size_t>(std::lower_bound(lasts_.begin(), lasts_.end(), k) -
                                                 lasts_.begin());
        {
            auto& ch = chunks_[c];
            auto at = std::lower_bound(ch.begin(), ch.end(), k);
            if (at != ch.end() && *at == k) return;
            if (ch.size() < cap) {
                ch.insert(at, k);  // may grow the chunk, before changing it
                ++size_;
                return;
            }
        }
        // Split the full chunk in halves (allocating before changing anything), then insert
        // into the half that covers the key.
        std::vector<Key> upper;
        upper.reserve(cap);
        chunks_.reserve(chunks_.size() + 1);
        lasts_.reserve(lasts_.size() + 1);
        auto& lower = chunks_[c];
        upper.assign(lower.begin() + cap / 2, lower.end());
        lower.resize(cap / 2);
        if (k < upper.front())
            lower.insert(std::lower_bound(lower.begin(), lower.end(), k), k);
        else
            upper.insert(std::lower_bound(upper.begin(), upper.end(), k), k);
        lasts_[c] = lower.back();
        lasts_.insert(lasts_.begin() + static_cast<std::ptrdiff_t>(c) + 1, upper.back());
        chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::move(upper));
        ++size_;
    }

    // Never throws; does nothing when the key is absent. A chunk that runs low is merged
    // into its neighbour when the neighbour has room without growing.
    void erase(const Key& k) noexcept {
        std::size_t c = static_cast<std::size_t>(std::lower_bound(lasts_.begin(), lasts_.end(), k) -
                                                 lasts_.begin());
        if (c == chunks_.size()) return;
        auto& ch = chunks_[c];
        auto at = std::lower_bound(ch.begin(), ch.end(), k);
        if (at == ch.end() || *at != k) return;
        ch.erase(at);
        --size_;
        if (ch.empty()) {
            chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(c));
            lasts_.erase(lasts_.begin() + static_cast<std::ptrdiff_t>(c));
            return;
        }
        lasts_[c] = ch.back();
        if (ch.size() >= cap / 4 || c + 1 == chunks_.size()) return;
        auto& after = chunks_[c + 1];
        if (ch.capacity() < ch.size() + after.size()) return;
        ch.insert(ch.end(), after.begin(), after.end());
        lasts_[c] = ch.back();
        chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1);
        lasts_.erase(lasts_.begin() + static_cast<std::ptrdiff_t>(c) + 1);
    }

  private:
    void append(const Key& k) {
        if (chunks_.empty() || chunks_.back().size() == cap) {
            std::vector<Key> fresh;
            fresh.reserve(chunks_.empty() ? 4 : cap);
            fresh.push_back(k);
            chunks_.reserve(chunks_.size() + 1);
            lasts_.push_back(k);
            chunks_.push_back(std::move(fresh));
        } else {
            chunks_.back().push_back(k);
            lasts_.back() = k;
        }
        ++size_;
    }

    std::vector<std::vector<Key>> chunks_;
    std::vector<Key> lasts_;  // the last key of each chunk
    std::size_t size_ = 0;
};

// The most filtered fields of a ticket, copied out of it into one cache line, so that most
// filters (visibility included) are checked without opening the ticket. The shared ticket
// itself sits in a parallel array, read only for the rows that pass.
struct alignas(64) Row {
    Instant updated{};
    Symbol segment, state, assignee, group, category, kind;
    int priority = 0;

    Row() = default;
    explicit Row(const Ticket& t)
        : updated(t.updated),
          segment(t.segment),
          state(t.state),
          assignee(t.assignee),
          group(t.assignment_group),
          category(t.category),
          kind(t.kind),
          priority(t.priority) {}
    RowFields fields() const noexcept { return {segment, kind, category, group, assignee}; }
};
static_assert(sizeof(Row) == 64);

Key updated_key(const Ticket& t) {
    return Key::of(to_micros(t.updated), t.id, t.priority);
}
Key created_key(const Ticket& t) {
    return Key::of(to_micros(t.created), t.id, t.priority);
}

// The indexed fields: each has one key sequence per (segment, value).
enum Field : std::size_t { f_state, f_assignee, f_group, f_category, f_kind, field_count };

Symbol field_of(const Ticket& t, Field f) {
    switch (f) {
        case f_state:
            return t.state;
        case f_assignee:
            return t.assignee;
        case f_group:
            return t.assignment_group;
        case f_category:
            return t.category;
        case f_kind:
            return t.kind;
        case field_count:
            break;
    }
    return {};
}

using SeqMap = detail::SymbolPairMap<KeySeq>;

// Which fields a path's sequences decide exactly (a bit per Field, and one for the segment).
constexpr unsigned covers_segment = 1u << field_count;
constexpr unsigned cover(Field f) {
    return 1u << f;
}

// Sequences whose keys together hold every candidate of a query: none at all means the
// global order (every ticket).
struct Path {
    std::vector<const KeySeq*> seqs;
    bool global = true;
    bool overlapping = false;  // a ticket may be in more than one of the sequences
    std::size_t estimate = 0;
    bool exact = false;    // the sequences hold exactly the tickets the query matches
    unsigned covered = 0;  // the query's filters that hold on every ticket of the sequences
    bool covers_visibility = false;  // every ticket of the sequences is visible
};

constexpr std::size_t max_prefixes = 256;

// Does the query filter on anything besides the fields a path covers?
bool only_filters(const Query& q, unsigned covered) {
    bool other = !q.requesters.empty() || !q.tags.empty() || q.priority_min || q.priority_max ||
                 q.created_from || q.created_before || q.updated_from || q.updated_before ||
                 q.sla_breached || q.due_before;
    if (other) return false;
    auto ok = [&](const std::vector<Symbol>& values, unsigned bit) {
        return values.empty() || (covered & bit);
    };
    return ok(q.segments, covers_segment) && ok(q.states, cover(f_state)) &&
           ok(q.assignees, cover(f_assignee)) && ok(q.groups, cover(f_group)) &&
           ok(q.categories, cover(f_category)) && ok(q.kinds, cover(f_kind));
}

bool listed(const std::vector<Symbol>& wanted, Symbol actual) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), actual) != wanted.end();
}

// The query's conditions on the fields a row carries, visibility included when the row
// can decide it; whether the ticket itself must still be checked is needs_ticket(). Built
// once per query, so that a row is tested only against the conditions the query has.
class RowFilter {
  public:
    explicit RowFilter(const Query& q) : RowFilter(q, Path{}, false) {}
    // Leaves out what holds on every ticket of `path`, and the priority when the caller
    // checks it on the keys: when nothing is left, needs_row() is false and a walk need not
    // read the rows at all.
    RowFilter(const Query& q, const Path& path, bool priority_on_keys)
        : q_(q),
          lists_(unmet(q.segments, path, covers_segment) || unmet(q.states, path, cover(f_state)) ||
                 unmet(q.assignees, path, cover(f_assignee)) ||
                 unmet(q.groups, path, cover(f_group)) ||
                 unmet(q.categories, path, cover(f_category)) ||
                 unmet(q.kinds, path, cover(f_kind))),
          ranges_((!priority_on_keys && (q.priority_min || q.priority_max)) || q.updated_from ||
                  q.updated_before),
          visibility_(q.visibility && q.visibility->decided_by_fields() && !path.covers_visibility
                          ? q.visibility.get()
                          : nullptr) {}
    bool needs_row() const noexcept { return lists_ || ranges_ || visibility_; }
    bool operator()(const Row& r) const noexcept {
        if (lists_ && !(listed(q_.segments, r.segment) && listed(q_.states, r.state) &&
                        listed(q_.assignees, r.assignee) && listed(q_.groups, r.group) &&
                        listed(q_.categories, r.category) && listed(q_.kinds, r.kind)))
            return false;
        if (ranges_ && !((!q_.priority_min || r.priority >= *q_.priority_min) &&
                         (!q_.priority_max || r.priority <= *q_.priority_max) &&
                         (!q_.updated_from || r.updated >= *q_.updated_from) &&
                         (!q_.updated_before || r.updated < *q_.updated_before)))
            return false;
        return !visibility_ || visibility_->allows(r.fields());
    }

  private:
    static bool unmet(const std::vector<Symbol>& wanted, const Path& path, unsigned bit) {
        return !wanted.empty() && !(path.covered & bit);
    }
    static bool listed(const std::vector<Symbol>& wanted, Symbol actual) noexcept {
        if (wanted.empty()) return true;
        for (Symbol w : wanted)
            if (w == actual) return true;
        return false;
    }
    const Query& q_;
    bool lists_, ranges_;
    const Visibility* visibility_;
};

bool needs_ticket(const Query& q) {
    return (q.visibility && !q.visibility->decided_by_fields()) || !q.requesters.empty() ||
           !q.tags.empty() || q.created_from || q.created_before || q.sla_breached || q.due_before;
}

constexpr auto every_key = [](const Key&) { return true; };

// Walks the keys of several sequences as one sequence in the given direction, strictly
// after `after`, leaving out those `keep` refuses; a key held by more than one sequence is
// visited once. visit(key) returns false to stop. `keep` sees each key of each sequence
// as the sequence moves (it reads the key alone, such as its priority), so the keys it
// refuses never enter the merge.
template <typename Keep, typename Visit>
void merge_walk(const std::vector<const KeySeq*>& seqs, bool descending,
                const std::optional<Key>& after, Keep&& keep, Visit&& visit) {
    struct Run {
        const KeySeq* s;
        KeySeq::Pos cur, stop;  // cur: the head; ascending stops at `stop`, descending after it
        Key head;
    };
    std::vector<Run> runs;
    runs.reserve(seqs.size());
    for (const KeySeq* s : seqs) {
        auto lo = s->begin(), hi = s->end();
        if (after) {
            if (descending)
                hi = s->lower_bound(*after);
            else
                lo = s->upper_bound(*after);
        }
        if (lo == hi) continue;
        Run r{s, lo, hi, {}};
        if (descending) {
            r.cur = hi;
            s->prev(r.cur);
            r.stop = lo;
        }
        r.head = s->at(r.cur);
        runs.push_back(r);
    }
    auto step = [&](Run& r) {  // to the next key; false past the last
        if (descending) {
            if (r.cur == r.stop) return false;
            r.s->prev(r.cur);
        } else {
            r.s->next(r.cur);
            if (r.cur == r.stop) return false;
        }
        r.head = r.s->at(r.cur);
        return true;
    };
    auto advance = [&](Run& r) {  // to the next key kept
        while (step(r))
            if (keep(r.head)) return true;
        return false;
    };
    std::erase_if(runs, [&](Run& r) { return !keep(r.head) && !advance(r); });
    if (runs.empty()) return;
    if (runs.size() == 1) {
        Run& r = runs.front();
        do {
            if (!visit(r.head)) return;
        } while (advance(r));
        return;
    }
    auto later = [&](const Run& a, const Run& b) {
        return descending ? a.head < b.head : b.head < a.head;
    };
    std::optional<Key> last;
    auto emit = [&](const Key& k) {
        if (last && k == *last) return true;  // the same ticket from another sequence
        last = k;
        return visit(k);
    };
    if (runs.size() <= 16) {
        // Few runs: pick the next head by a scan over the heads alone, which moves nothing.
        std::array<Key, 16> heads;
        std::size_t n = runs.size();
        for (std::size_t i = 0; i < n; ++i)
            heads[i] = runs[i].head;
        while (n > 0) {
            std::size_t pick = 0;
            for (std::size_t i = 1; i < n; ++i)
                if (descending ? heads[pick] < heads[i] : heads[i] < heads[pick]) pick = i;
            if (!emit(heads[pick])) return;
            if (advance(runs[pick])) {
                heads[pick] = runs[pick].head;
            } else {
                --n;
                runs[pick] = runs[n];
                heads[pick] = heads[n];
            }
        }
        return;
    }
    // Many runs: a heap whose top is the run with the next key in the walk's direction.
    std::make_heap(runs.begin(), runs.end(), later);
    while (!runs.empty()) {
        std::pop_heap(runs.begin(), runs.end(), later);
        Run& r = runs.back();
        if (!emit(r.head)) return;
        if (advance(r))
            std::push_heap(runs.begin(), runs.end(), later);
        else
            runs.pop_back();
    }
}

// Rows and their shared tickets in blocks of a fixed size, indexed by id - 1: growing never
// moves one. An id without a ticket has a null pointer.
class Rows {
  public:
    static constexpr std::size_t block = 1024;
    std::size_t capacity() const noexcept { return rows_.size() * block; }
    // Makes room up to `id`; may throw, and then only leaves more room.
    void reserve_id(TicketId id) {
        while (capacity() < id) {
            tickets_.reserve(rows_.size() + 1);
            rows_.push_back(std::make_unique<Row[]>(block));
            tickets_.push_back(std::make_unique<TicketPtr[]>(block));
        }
    }
    const TicketPtr* find(TicketId id) const noexcept {
        return id >= 1 && id <= capacity() ? &ticket(id) : nullptr;
    }
    const Row& row(TicketId id) const noexcept { return rows_[(id - 1) / block][(id - 1) % block]; }
    const TicketPtr& ticket(TicketId id) const noexcept {
        return tickets_[(id - 1) / block][(id - 1) % block];
    }
    void set(TicketId id, TicketPtr t) noexcept {
        if (t) rows_[(id - 1) / block][(id - 1) % block] = Row(*t);
        tickets_[(id - 1) / block][(id - 1) % block] = std::move(t);
    }

  private:
    std::vector<std::unique_ptr<Row[]>> rows_;
    std::vector<std::unique_ptr<TicketPtr[]>> tickets_;
};

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
    Rows rows;
    std::size_t live = 0;                      // tickets stored
    std::array<SeqMap, field_count> by_field;  // (segment, value) -> (updated, id) keys
    // The assignee's and the group's keys across segments, (value, empty) -> keys: the plan
    // of a query or visibility clause that does not narrow the segment ("my tickets", "my
    // groups' queues") walks one sequence per value instead of one per segment and value.
    std::array<SeqMap, 2> across;
    const SeqMap* across_of(Field f) const noexcept {
        return f == f_assignee ? &across[0] : f == f_group ? &across[1] : nullptr;
    }
    KeySeq by_updated, by_created;  // every ticket
    std::vector<KindKeys> keys;
    std::unordered_map<std::string, TicketId> other_keys;    // keys that do not end in a number
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
        const TicketPtr* t = rows.find(id);
        return t && *t ? t : nullptr;
    }
    const TicketPtr& ticket(TicketId id) const { return rows.ticket(id); }
    TicketId find_key(std::string_view key) const;
    KindKeys* keys_for(const Ticket& t, std::uint64_t& number);
    void add_key(const Ticket& t);
    void remove_key(const Ticket& t);

    // One key of a ticket in one sequence: a field's (segment, value) sequence, or a global one.
    struct Place {
        SeqMap* map = nullptr;
        KeySeq* global = nullptr;
        std::pair<Symbol, Symbol> prefix;
        Key key;
        friend bool operator==(const Place&, const Place&) = default;
    };
    static constexpr std::size_t place_count = field_count + 4;
    std::array<Place, place_count> places(const Ticket& t);
    void drop(const Place& p) noexcept;
    void index(const Ticket& next, const Ticket* previous);
    void put(const TicketPtr& next, const TicketPtr& previous);
    void remove(const TicketPtr& t);
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

    // The segments a plan walks; `every` says whether they are all of them (nothing narrows
    // the segment), so that the across-segment sequences can stand in for them.
    std::vector<Symbol> segments_of(const Query& q, bool* every = nullptr) const;
    void add_kind_path(const Query& q, const std::vector<Symbol>& segments, Path& p) const;
    void add_visibility_path(const Query& q, const std::vector<Symbol>& segments, bool every,
                             Path& p) const;
    // The sequences of `f` = `value` in each of `segments`, or its one sequence across
    // segments when `every` and the field has one.
    void add_value_seqs(Field f, Symbol value, const std::vector<Symbol>& segments, bool every,
                        Path& p) const;
    Path best_path(const Query& q) const;
    template <typename F>
    void for_each_in_path(const Path& p, F&& f) const;
    Page ordered_scan(const Query& q, const Path& p) const;
    Page gather_and_sort(const Query& q, const Path& p) const;
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

std::array<InMemoryStore::Impl::Place, InMemoryStore::Impl::place_count>
InMemoryStore::Impl::places(const Ticket& t) {
    std::array<Place, place_count> out;
    Key at = updated_key(t);
    for (std::size_t f = 0; f < field_count; ++f)
        out[f] = {&by_field[f], nullptr, {t.segment, field_of(t, static_cast<Field>(f))}, at};
    out[field_count] = {nullptr, &by_updated, {}, at};
    out[field_count + 1] = {nullptr, &by_created, {}, created_key(t)};
    out[field_count + 2] = {&across[0], nullptr, {t.assignee, Symbol{}}, at};
    out[field_count + 3] = {&across[1], nullptr, {t.assignment_group, Symbol{}}, at};
    return out;
}

void InMemoryStore::Impl::drop(const Place& p) noexcept {
    if (p.global) return p.global->erase(p.key);
    KeySeq* seq = p.map->find(p.prefix);
    if (!seq) return;
    seq->erase(p.key);
    if (seq->empty()) p.map->erase(p.prefix);
}

// Puts the keys of `next` into its sequences and takes those of `previous` (null for a new
// ticket) out of theirs; a key that stays where it is is not touched. Allocation can throw
// while the new keys go in: they are taken out again and nothing has changed.
void InMemoryStore::Impl::index(const Ticket& next, const Ticket* previous) {
    auto now = places(next);
    std::array<Place, place_count> before;
    if (previous) before = places(*previous);
    auto moves = [&](std::size_t i) { return !previous || now[i] != before[i]; };
    std::size_t done = 0;
    try {
        for (; done < place_count; ++done)
            if (moves(done))
                (now[done].global ? *now[done].global : (*now[done].map)[now[done].prefix])
                    .insert(now[done].key);
    } catch (...) {
        for (std::size_t i = 0; i <= done && i < place_count; ++i)
            if (moves(i)) drop(now[i]);
        throw;
    }
    if (previous)
        for (std::size_t i = 0; i < place_count; ++i)
            if (moves(i)) drop(before[i]);
}

// Stores `next` in place of `previous` (nullptr for a new ticket). Allocation can throw
// before anything changes, or in the SLA indexes after the row is in place, which the
// caller's undo restores.
void InMemoryStore::Impl::put(const TicketPtr& next, const TicketPtr& previous) {
    TicketId id = next->id;
    auto [count, fresh] = segment_counts.try_emplace(next->segment, 0);
    try {
        if (!previous) {
            rows.reserve_id(id);
            add_key(*next);
        }
        try {
            index(*next, previous.get());
        } catch (...) {
            if (!previous) remove_key(*next);
            throw;
        }
    } catch (...) {
        if (fresh) segment_counts.erase(count);
        throw;
    }
    ++count->second;
    if (previous) {
        auto before = segment_counts.find(previous->segment);
        if (--before->second == 0) segment_counts.erase(before);
    } else {
        ++live;
    }
    rows.set(id, next);
    sla_index(previous.get(), next.get());
}

// Takes a ticket out of the store (undoing its creation).
void InMemoryStore::Impl::remove(const TicketPtr& t) {
    for (const auto& p : places(*t))
        drop(p);
    auto n = segment_counts.find(t->segment);
    if (n != segment_counts.end() && --n->second == 0) segment_counts.erase(n);
    --live;
    sla_index(t.get(), nullptr);
    remove_key(*t);
    rows.set(t->id, nullptr);
}

// Segments to enumerate for a path that starts with the segment: the query's, or every
// segment that has tickets.
std::vector<Symbol> InMemoryStore::Impl::segments_of(const Query& q, bool* every) const {
    // Visibility made of segment clauses narrows the segments to plan with.
    auto planned = planning_segments(q);
    if (every) *every = planned.empty();
    if (!planned.empty()) return planned;
    std::vector<Symbol> all;
    all.reserve(segment_counts.size());
    for (const auto& [segment, n] : segment_counts)
        all.push_back(segment);
    return all;
}

namespace {

// The kinds a ticket of `segment` may have to pass the query's kind filter and its segment
// clauses (when visibility is made of them, or the query is their branch); empty when
// neither narrows the kind.
std::vector<Symbol> kinds_in(const Query& q, Symbol segment, bool& none) {
    std::vector<Symbol> out = q.kinds;
    none = false;
    const Visibility* v = q.visibility.get();
    if (!v || !(v->segments_only() || v->branch == 0)) return out;
    std::vector<Symbol> visible;
    bool any = false, some = false;
    for (const auto& s : v->segments) {
        if (s.segment != segment) continue;
        some = true;
        if (s.kinds.empty()) any = true;
        for (auto k : s.kinds)
            if (std::find(visible.begin(), visible.end(), k) == visible.end()) visible.push_back(k);
    }
    if (!some) {
        none = true;  // no clause admits the segment
        return {};
    }
    if (any) return out;
    if (out.empty()) return visible;
    std::vector<Symbol> both;
    for (auto k : out)
        if (listed(visible, k)) both.push_back(k);
    none = both.empty();
    return both;
}

void add_seq(Path& p, const KeySeq& seq) {
    if (std::find(p.seqs.begin(), p.seqs.end(), &seq) != p.seqs.end()) return;
    p.seqs.push_back(&seq);
    p.estimate += seq.size();
}

void add_seq(Path& p, const SeqMap& map, Symbol segment, Symbol value) {
    if (const KeySeq* seq = map.find({segment, value})) add_seq(p, *seq);
}

// Every sequence of `map` whose segment `in_segment(segment)` accepts.
template <typename F>
void add_segment_seqs(Path& p, const SeqMap& map, F&& in_segment) {
    map.each([&](const SeqMap::Key& key, const KeySeq& seq) {
        if (in_segment(key.first)) add_seq(p, seq);
    });
}

}  // namespace

// The (segment, kind) sequences that hold every candidate, when the query or its segment
// clauses narrow the kind; leaves `p` global otherwise.
void InMemoryStore::Impl::add_kind_path(const Query& q, const std::vector<Symbol>& segments,
                                        Path& p) const {
    std::vector<std::vector<Symbol>> kinds;
    std::vector<bool> none(segments.size());
    bool narrows = false;
    std::size_t n = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        bool nothing = false;
        kinds.push_back(kinds_in(q, segments[i], nothing));
        none[i] = nothing;
        narrows = narrows || nothing || !kinds.back().empty();
        n += kinds.back().empty() ? 8 : kinds.back().size();
    }
    if (!narrows || n > max_prefixes) return;
    p.global = false;
    const SeqMap& map = by_field[f_kind];
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (none[i]) continue;  // nothing in this segment can match
        if (!kinds[i].empty()) {
            for (auto k : kinds[i])
                add_seq(p, map, segments[i], k);
            continue;
        }
        add_segment_seqs(p, map, [&](Symbol s) { return s == segments[i]; });
    }
}

// The sequences of every ticket that the visibility's segment, group and assignee clauses
// admit (a union: a ticket may be in several), when no other clause can admit one; leaves
// `p` global otherwise. A segment clause with kinds takes the (segment, kind) sequences.
void InMemoryStore::Impl::add_value_seqs(Field f, Symbol value, const std::vector<Symbol>& segments,
                                         bool every, Path& p) const {
    if (const SeqMap* map = across_of(f); map && every) return add_seq(p, *map, value, Symbol{});
    for (auto seg : segments)
        add_seq(p, by_field[f], seg, value);
}

void InMemoryStore::Impl::add_visibility_path(const Query& q, const std::vector<Symbol>& segments,
                                              bool every, Path& p) const {
    const Visibility* v = q.visibility.get();
    if (!v || v->segments_only()) return;  // planned through planning_segments
    int b = v->branch;
    if (b == 3 || (b < 0 && (v->requester || v->watcher || v->approver))) return;
    auto in_segments = [&](Symbol s) {
        return std::find(segments.begin(), segments.end(), s) != segments.end();
    };
    Path out;
    out.global = false;
    out.overlapping = true;
    // The whole clause (no branch), whose segment clauses the sequences match exactly: no
    // category or open_only condition (kinds have sequences of their own).
    out.covers_visibility = b < 0;
    if (b < 0 || b == 0)
        for (const auto& clause : v->segments) {
            if (!in_segments(clause.segment)) continue;
            if (!clause.categories.empty() || clause.open_only) out.covers_visibility = false;
            if (clause.kinds.empty()) {
                add_segment_seqs(out, by_field[f_state],
                                 [&](Symbol s) { return s == clause.segment; });
                continue;
            }
            for (auto k : clause.kinds)
                if (listed(q.kinds, k)) add_seq(out, by_field[f_kind], clause.segment, k);
        }
    if (b < 0 || b == 1)
        for (auto g : v->groups)
            if (!g.empty() && listed(q.groups, g)) add_value_seqs(f_group, g, segments, every, out);
    if ((b < 0 || b == 2) && v->assignee && !v->user.empty() && listed(q.assignees, v->user))
        add_value_seqs(f_assignee, v->user, segments, every, out);
    if (out.seqs.size() <= 4 * max_prefixes) p = std::move(out);
}

Path InMemoryStore::Impl::best_path(const Query& q) const {
    Path best;
    best.estimate = live;
    best.exact = only_filters(q, 0) && !q.visibility;
    auto consider = [&](Path p, unsigned covered) {
        p.global = false;
        p.covered = covered;
        p.exact = !p.overlapping && only_filters(q, covered) && !q.visibility;
        if (p.estimate < best.estimate || (p.estimate == best.estimate && p.exact && !best.exact))
            best = std::move(p);
    };
    bool every = false;
    auto segments = segments_of(q, &every);
    auto by_values = [&](Field f, const std::vector<Symbol>& values) {
        bool across = every && across_of(f);
        if (values.empty() || values.size() * (across ? 1 : segments.size()) > max_prefixes) return;
        Path p;
        for (auto v : values)
            add_value_seqs(f, v, segments, every, p);
        // Across segments, the query's segment filter (if any) is left to the rows.
        consider(std::move(p), (across ? 0 : covers_segment) | cover(f));
    };
    by_values(f_state, q.states);
    if (auto planned = planning_segments(q); q.states.empty() && !planned.empty()) {
        // Every (segment, state) sequence of the segments: together, the segments in order.
        Path p;
        add_segment_seqs(p, by_field[f_state], [&](Symbol s) {
            return std::find(segments.begin(), segments.end(), s) != segments.end();
        });
        consider(std::move(p), covers_segment);
    }
    by_values(f_assignee, q.assignees);
    by_values(f_group, q.groups);
    by_values(f_category, q.categories);
    if (Path p; add_kind_path(q, segments, p), !p.global) {
        // Its sequences are the visible (segment, kind) pairs when segment clauses with
        // nothing but kinds make up the visibility.
        p.covers_visibility =
            q.visibility && q.visibility->segments_only() &&
            std::none_of(q.visibility->segments.begin(), q.visibility->segments.end(),
                         [](const auto& c) { return !c.categories.empty() || c.open_only; });
        consider(std::move(p), covers_segment | cover(f_kind));
    }
    if (Path p; add_visibility_path(q, segments, every, p), !p.global)
        consider(std::move(p), covers_segment);
    return best;
}

// Visits each candidate row of a path once, in no particular order.
template <typename F>
void InMemoryStore::Impl::for_each_in_path(const Path& p, F&& f) const {
    if (p.global) {
        by_updated.each([&](const Key& k) { f(k.id(), rows.row(k.id())); });
    } else if (p.overlapping) {
        merge_walk(p.seqs, false, std::nullopt, every_key, [&](const Key& k) {
            f(k.id(), rows.row(k.id()));
            return true;
        });
    } else {
        for (const KeySeq* s : p.seqs)
            s->each([&](const Key& k) { f(k.id(), rows.row(k.id())); });
    }
}

namespace {

// Copies the stored pointers into a page. Each copy counts a reference in the ticket's
// allocation, a cache miss when the tickets lie apart (a filtered page): the misses are
// started for all of them first, so they overlap instead of coming one after the other.
void share_all(const std::vector<const TicketPtr*>& found, std::vector<TicketPtr>& out) {
    for (const TicketPtr* t : found)
        __builtin_prefetch(reinterpret_cast<const char*>(t->get()) - 8, 1);  // the counts
    out.reserve(out.size() + found.size());
    for (const TicketPtr* t : found)
        out.push_back(*t);
}

bool after_cursor(const SortPosition& pos, const std::optional<SortPosition>& after,
                  bool descending) {
    if (!after) return true;
    return descending ? pos < *after : pos > *after;
}

}  // namespace

// Pages in (updated, id) or (created, id) order straight off the key sequences, checking each
// row and reading the ticket only when the query filters on fields the row lacks. A
// non-global path is walked only for the updated order (its sequences are in that order).
Page InMemoryStore::Impl::ordered_scan(const Query& q, const Path& p) const {
    Page page;
    std::optional<Key> after;
    if (!q.cursor.empty()) {
        auto pos = decode_cursor(q.cursor, q.sort, q.descending);
        after = Key::cursor(std::get<0>(pos), std::get<2>(pos), q.descending);
    }
    bool more = false;
    bool deref = needs_ticket(q);
    RowFilter row_matches(q, p, true);
    bool read_rows = row_matches.needs_row();
    std::vector<const TicketPtr*> found;
    found.reserve(std::min<std::size_t>(q.limit, 64));
    int low = q.priority_min.value_or(INT_MIN), high = q.priority_max.value_or(INT_MAX);
    auto in_priority = [&](const Key& k) { return k.priority() >= low && k.priority() <= high; };
    auto visit = [&](const Key& k) {
        if (read_rows && !row_matches(rows.row(k.id()))) return true;
        const TicketPtr& t = rows.ticket(k.id());
        if (deref && !q.matches(*t)) return true;
        if (found.size() == q.limit) {
            more = true;
            return false;
        }
        found.push_back(&t);
        return true;
    };
    if (!p.global)
        merge_walk(p.seqs, q.descending, after, in_priority, visit);
    else
        merge_walk({q.sort == SortKey::created ? &by_created : &by_updated}, q.descending, after,
                   in_priority, visit);
    share_all(found, page.tickets);
    if (more)
        page.next_cursor =
            encode_cursor(q.sort, q.descending, sort_position(*page.tickets.back(), q.sort));
    return page;
}

Page InMemoryStore::Impl::gather_and_sort(const Query& q, const Path& p) const {
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    std::vector<std::pair<SortPosition, const TicketPtr*>> hits;
    RowFilter row_matches(q);
    for_each_in_path(p, [&](TicketId id, const Row& r) {
        if (!row_matches(r)) return;
        const TicketPtr& t = rows.ticket(id);
        if (!q.matches(*t)) return;
        auto pos = sort_position(*t, q.sort);
        if (after_cursor(pos, after, q.descending)) hits.emplace_back(pos, &t);
    });
    auto order = [&](const auto& a, const auto& b) {
        return q.descending ? a.first > b.first : a.first < b.first;
    };
    std::size_t keep = std::min(hits.size(), q.limit + 1);
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(keep), hits.end(),
                      order);
    Page page;
    std::vector<const TicketPtr*> found;
    for (std::size_t i = 0; i < std::min(keep, q.limit); ++i)
        found.push_back(hits[i].second);
    share_all(found, page.tickets);
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
    return id ? impl_->ticket(id) : nullptr;
}

// Gathering a path's candidates and sorting them beats walking a global order when the
// path is this small.
constexpr std::size_t gather_limit = 20000;

Page InMemoryStore::query(const Query& q) const {
    if (Page page; impl_->sla_query(q, page)) return page;
    Path p = impl_->best_path(q);
    if (q.sort == SortKey::updated && !p.global) return impl_->ordered_scan(q, p);
    if (q.sort != SortKey::priority && (p.global || p.estimate > gather_limit))
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
    RowFilter row_matches(q);
    impl_->for_each_in_path(p, [&](TicketId id, const Row& r) {
        n += row_matches(r) && (!deref || q.matches(*impl_->ticket(id)));
    });
    return n;
}

std::vector<Event> InMemoryStore::history(TicketId id) const {
    return impl_->events.history(id);
}

std::size_t InMemoryStore::size() const {
    return impl_->live;
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
            remove(now[i]);
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
            out.push_back(ticket(it->second).get());
    } else if (q.sla_breached.value_or(false)) {
        for (TicketId id : sla_breached)
            out.push_back(ticket(id).get());
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
            if (after_cursor(pos, after, q.descending)) hits.emplace_back(pos, &ticket(t->id));
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
            const TicketPtr& t = ticket(it->second);
            if (!q.matches(*t)) continue;
            if (hits.size() == q.limit) return finish(true), true;
            hits.emplace_back(sort_position(*t, q.sort), &t);
        }
    }
    TicketId from = after && std::get<0>(*after) == 1 ? std::get<2>(*after) + 1 : 1;
    for (TicketId id = from; id <= rows.capacity(); ++id) {
        const TicketPtr& t = ticket(id);
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
        out.push_back(impl_->ticket(it->second));
    return out;
}

ITSM_END_NAMESPACE

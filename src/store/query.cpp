// Query semantics shared by every store: matching, sort positions and keyset cursors.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "itsm/error.hpp"
#include "itsm/store.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

bool any_of(const std::vector<Symbol>& wanted, Symbol actual) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), actual) != wanted.end();
}

}  // namespace

std::string_view to_string(SortKey k) noexcept {
    switch (k) {
        case SortKey::updated:
            return "updated";
        case SortKey::created:
            return "created";
        case SortKey::priority:
            return "priority";
        case SortKey::due:
            return "due";
    }
    return "updated";
}

std::optional<SortKey> sort_key_from_string(std::string_view s) noexcept {
    if (s == "updated") return SortKey::updated;
    if (s == "created") return SortKey::created;
    if (s == "priority") return SortKey::priority;
    if (s == "due") return SortKey::due;
    return std::nullopt;
}

SortPosition sort_position(const Ticket& t, SortKey key) noexcept {
    switch (key) {
        case SortKey::updated:
            return {to_micros(t.updated), 0, t.id};
        case SortKey::created:
            return {to_micros(t.created), 0, t.id};
        case SortKey::priority:
            return {t.priority, to_micros(t.created), t.id};
        case SortKey::due: {
            auto due = earliest_due(t.sla);
            return {due ? 0 : 1, due ? to_micros(*due) : 0, t.id};
        }
    }
    return {0, 0, t.id};
}

bool category_within(Symbol category, Symbol within) noexcept {
    if (category == within) return true;
    auto c = category.view(), w = within.view();
    return !w.empty() && c.size() > w.size() && c[w.size()] == '.' && c.substr(0, w.size()) == w;
}

namespace {

auto entry_key(Symbol kind, Symbol model, Symbol state) {
    return std::make_tuple(kind, model, state);
}
auto entry_key(const OpenStates::Entry& e) {
    return entry_key(e.kind, e.model, e.state);
}

}  // namespace

void OpenStates::add(Symbol kind, Symbol model, Symbol state, bool open) {
    auto key = entry_key(kind, model, state);
    auto it = std::lower_bound(entries.begin(), entries.end(), key,
                               [](const Entry& e, const auto& k) { return entry_key(e) < k; });
    if (it != entries.end() && entry_key(*it) == key)
        it->open = open;
    else
        entries.insert(it, Entry{kind, model, state, open});
}

bool OpenStates::is_open(const Ticket& t) const noexcept {
    auto key = entry_key(t.kind, t.model, t.state);
    auto it = std::lower_bound(entries.begin(), entries.end(), key,
                               [](const Entry& e, const auto& k) { return entry_key(e) < k; });
    if (it != entries.end() && entry_key(*it) == key) return it->open;
    return !t.resolved && !t.closed;
}

bool VisibleSegment::allows(const Ticket& t) const noexcept {
    if (t.segment != segment) return false;
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), t.kind) == kinds.end())
        return false;
    if (!categories.empty()) {
        bool in =
            categories_exact
                ? std::find(categories.begin(), categories.end(), t.category) != categories.end()
                : std::any_of(categories.begin(), categories.end(),
                              [&](Symbol c) { return category_within(t.category, c); });
        if (!in) return false;
    }
    if (!open_only) return true;
    return open_states ? open_states->is_open(t) : !t.resolved && !t.closed;
}

bool VisibleSegment::allows(const RowFields& f) const noexcept {
    if (f.segment != segment) return false;
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end())
        return false;
    if (categories.empty()) return true;
    return categories_exact
               ? std::find(categories.begin(), categories.end(), f.category) != categories.end()
               : std::any_of(categories.begin(), categories.end(),
                             [&](Symbol c) { return category_within(f.category, c); });
}

void Visibility::finish() noexcept {
    bool personal = requester || watcher || approver;
    by_fields = std::none_of(segments.begin(), segments.end(),
                             [](const VisibleSegment& s) { return s.open_only; }) &&
                (!personal || (branch >= 0 && branch <= 2));
}

bool Visibility::allows(const RowFields& f) const noexcept {
    int c = -1;
    if (std::any_of(segments.begin(), segments.end(),
                    [&](const VisibleSegment& s) { return s.allows(f); }))
        c = 0;
    else if (user.empty())
        c = -1;
    else if (!f.group.empty() && std::find(groups.begin(), groups.end(), f.group) != groups.end())
        c = 1;
    else if (assignee && f.assignee == user)
        c = 2;
    // clause 3 needs the ticket: decided_by_fields() is false when it could hold
    return c >= 0 && (branch < 0 || c == branch);
}

int Visibility::first_clause(const Ticket& t) const noexcept {
    for (const auto& s : segments)
        if (s.allows(t)) return 0;
    if (user.empty()) return -1;
    if (!t.assignment_group.empty() &&
        std::find(groups.begin(), groups.end(), t.assignment_group) != groups.end())
        return 1;
    if (assignee && t.assignee == user) return 2;
    if ((requester && t.requester == user) || (watcher && t.has_watcher(user)) ||
        (approver && t.is_pending_approver(user)))
        return 3;
    return -1;
}

// Segments a planner may use in place of the query's own: the query's, narrowed to the
// visible ones when visibility is made of segment clauses only.
std::vector<Symbol> planning_segments(const Query& q) {
    std::vector<Symbol> out;
    if (!q.visibility || !q.visibility->segments_only()) {
        // Each segment once: a repeated value must not make the planner walk a range twice.
        for (auto s : q.segments)
            if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
        return out;
    }
    for (const auto& s : q.visibility->segments)
        if (any_of(q.segments, s.segment) &&
            std::find(out.begin(), out.end(), s.segment) == out.end())
            out.push_back(s.segment);
    if (out.empty()) out.push_back(Symbol(""));  // nothing visible: an empty range
    return out;
}

bool Query::matches(const Ticket& t) const noexcept {
    if (visibility && !visibility->allows(t)) return false;
    if (!any_of(kinds, t.kind) || !any_of(states, t.state) || !any_of(segments, t.segment) ||
        !any_of(assignees, t.assignee) || !any_of(groups, t.assignment_group) ||
        !any_of(requesters, t.requester) || !any_of(categories, t.category))
        return false;
    if (!tags.empty() &&
        std::none_of(tags.begin(), tags.end(), [&](Symbol tag) { return t.has_tag(tag); }))
        return false;
    if (priority_min && t.priority < *priority_min) return false;
    if (priority_max && t.priority > *priority_max) return false;
    if (created_from && t.created < *created_from) return false;
    if (created_before && t.created >= *created_before) return false;
    if (updated_from && t.updated < *updated_from) return false;
    if (updated_before && t.updated >= *updated_before) return false;
    if (sla_breached && any_breached(t.sla) != *sla_breached) return false;
    if (due_before) {
        auto due = earliest_due(t.sla);
        if (!due || *due >= *due_before) return false;
    }
    return true;
}

// Cursor text: "<sort>.<a|d>.<p1>.<p2>.<id>"; opaque to callers, checked on the way in.
std::string encode_cursor(SortKey key, bool descending, const SortPosition& after) {
    return fmt::format("{}.{}.{}.{}.{}", to_string(key), descending ? 'd' : 'a', std::get<0>(after),
                       std::get<1>(after), std::get<2>(after));
}

SortPosition decode_cursor(std::string_view cursor, SortKey key, bool descending) {
    auto bad = [&](std::string_view why) -> Error {
        return Error(Errc::invalid_argument, "cursor", fmt::format("\"{}\" {}", cursor, why));
    };
    std::string prefix = fmt::format("{}.{}.", to_string(key), descending ? 'd' : 'a');
    if (cursor.substr(0, prefix.size()) != prefix) throw bad("was not issued for this sort order");
    std::string_view rest = cursor.substr(prefix.size());
    std::int64_t p1 = 0, p2 = 0;
    TicketId id = 0;
    auto read = [&](auto& out, bool last) {
        auto end = last ? rest.size() : rest.find('.');
        if (end == std::string_view::npos) throw bad("is not a cursor");
        auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + end, out);
        if (ec != std::errc() || ptr != rest.data() + end) throw bad("is not a cursor");
        rest.remove_prefix(last ? end : end + 1);
    };
    read(p1, false);
    read(p2, false);
    read(id, true);
    return {p1, p2, id};
}

void validate_query(const Query& q) {
    if (q.limit < 1 || q.limit > 1000)
        throw Error(Errc::invalid_argument, "limit", fmt::format("{} is outside 1..1000", q.limit));
    if (q.priority_min && q.priority_max && *q.priority_min > *q.priority_max)
        throw Error(Errc::invalid_argument, "priority_min", "is greater than priority_max");
    if (!q.cursor.empty()) decode_cursor(q.cursor, q.sort, q.descending);
}

std::vector<TicketPtr> Store::sla_alarms(Instant until, std::size_t limit) const {
    std::vector<std::pair<Instant, TicketPtr>> hits;
    Query q;
    q.sort = SortKey::created;
    q.descending = false;
    q.limit = 1000;
    for (;;) {
        Page page = query(q);
        for (auto& t : page.tickets)
            if (auto alarm = next_alarm(t->sla); alarm && *alarm <= until)
                hits.emplace_back(*alarm, std::move(t));
        if (page.next_cursor.empty()) break;
        q.cursor = std::move(page.next_cursor);
    }
    std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
        return std::make_pair(a.first, a.second->id) < std::make_pair(b.first, b.second->id);
    });
    std::vector<TicketPtr> out;
    for (std::size_t i = 0; i < hits.size() && i < limit; ++i)
        out.push_back(std::move(hits[i].second));
    return out;
}

ITSM_END_NAMESPACE

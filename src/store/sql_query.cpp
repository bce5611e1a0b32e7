// The query API compiled to SQL for the SQL stores.
#include "sql_query.hpp"

#include <fmt/format.h>

#include <algorithm>

ITSM_BEGIN_NAMESPACE
namespace detail::sql {

namespace {

struct Builder {
    Where w;
    void in(const char* column, const std::vector<Symbol>& values) {
        if (values.empty()) return;
        w.text += fmt::format(" AND {} IN (", column);
        for (std::size_t i = 0; i < values.size(); ++i) {
            w.params.emplace_back(values[i]);
            w.text += fmt::format("{}${}", i ? "," : "", w.params.size());
        }
        w.text += ')';
    }
    void compare(const char* column, const char* op, std::int64_t v) {
        w.params.emplace_back(v);
        w.text += fmt::format(" AND {} {} ${}", column, op, w.params.size());
    }
};

// The columns of a sort order the SQL can walk (its SortPosition without the unused middle
// part), or nullptr for an order it cannot.
const char* order_columns(SortKey key) {
    if (key == SortKey::updated) return "updated, id";
    if (key == SortKey::created) return "created, id";
    if (key == SortKey::priority) return "priority, created, id";
    return nullptr;
}

std::vector<std::string_view> split_columns(std::string_view list) {
    std::vector<std::string_view> out;
    while (!list.empty()) {
        auto comma = list.find(", ");
        out.push_back(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 2);
    }
    return out;
}

}  // namespace

bool walkable(const Query& q) noexcept {
    return order_columns(q.sort) != nullptr;
}

Where compile_where(const Query& q, bool sla) {
    Builder b;
    b.in("kind", q.kinds);
    b.in("state", q.states);
    b.in("segment", planning_segments(q));
    b.in("assignee", q.assignees);
    b.in("assignment_group", q.groups);
    b.in("requester", q.requesters);
    b.in("category", q.categories);
    if (q.priority_min) b.compare("priority", ">=", *q.priority_min);
    if (q.priority_max) b.compare("priority", "<=", *q.priority_max);
    if (q.created_from) b.compare("created", ">=", to_micros(*q.created_from));
    if (q.created_before) b.compare("created", "<", to_micros(*q.created_before));
    if (q.updated_from) b.compare("updated", ">=", to_micros(*q.updated_from));
    if (q.updated_before) b.compare("updated", "<", to_micros(*q.updated_before));
    if (sla) {
        // A literal, not a parameter: the planner can then use the partial index on breached.
        if (q.sla_breached)
            b.w.text += *q.sla_breached ? " AND sla_breached = 1" : " AND sla_breached = 0";
        if (q.due_before) b.compare("sla_due", "<", to_micros(*q.due_before));  // NULL never is
    }
    return std::move(b.w);
}

bool fully_compiled(const Query& q, bool sla) {
    Query rest = q;
    rest.kinds.clear();
    rest.states.clear();
    rest.segments.clear();
    rest.assignees.clear();
    rest.groups.clear();
    rest.requesters.clear();
    rest.categories.clear();
    rest.priority_min = rest.priority_max = std::nullopt;
    rest.created_from = rest.created_before = rest.updated_from = rest.updated_before =
        std::nullopt;
    if (sla) {
        rest.sla_breached = std::nullopt;
        rest.due_before = std::nullopt;
    }
    Query defaults;
    rest.sort = defaults.sort;
    rest.descending = defaults.descending;
    rest.limit = defaults.limit;
    rest.cursor.clear();
    return rest == defaults;
}

std::string page_select(const Query& q, const Where& w, const char* column) {
    const char* order = order_columns(q.sort);
    if (!order) return fmt::format("SELECT {} FROM tickets WHERE {}", column, w.text);
    const char* dir = q.descending ? "DESC" : "ASC";
    std::string after;
    if (!q.cursor.empty()) {
        auto [p1, p2, id] = decode_cursor(q.cursor, q.sort, q.descending);
        const char* op = q.descending ? "<" : ">";
        after = q.sort == SortKey::priority
                    ? fmt::format(" AND ({}) {} ({}, {}, {})", order, op, p1, p2, id)
                    : fmt::format(" AND ({}) {} ({}, {})", order, op, p1, id);
    }
    // ORDER BY the keyset's columns, each in the query's direction.
    std::string orders;
    for (std::string_view col : split_columns(order))
        orders += fmt::format("{}{} {}", orders.empty() ? "" : ", ", col, dir);
    return fmt::format("SELECT {} FROM tickets WHERE {}{} ORDER BY {}", column, w.text, after,
                       orders);
}

PageBuilder::PageBuilder(const Query& q) : q_(q), walked_(order_columns(q.sort) != nullptr) {
    if (!walked_ && !q.cursor.empty()) after_ = decode_cursor(q.cursor, q.sort, q.descending);
}

bool PageBuilder::add(TicketPtr t) {
    if (!q_.matches(*t)) return true;
    if (walked_) {
        if (page_.tickets.size() == q_.limit) {
            page_.next_cursor = encode_cursor(q_.sort, q_.descending,
                                              sort_position(*page_.tickets.back(), q_.sort));
            return false;
        }
        page_.tickets.push_back(std::move(t));
        return true;
    }
    auto pos = sort_position(*t, q_.sort);
    if (!after_ || (q_.descending ? pos < *after_ : pos > *after_))
        hits_.emplace_back(pos, std::move(t));
    return true;
}

Page PageBuilder::finish() {
    if (walked_) return std::move(page_);
    std::sort(hits_.begin(), hits_.end(), [&](const auto& a, const auto& b) {
        return q_.descending ? a.first > b.first : a.first < b.first;
    });
    Page page;
    for (std::size_t i = 0; i < hits_.size() && i < q_.limit; ++i)
        page.tickets.push_back(hits_[i].second);
    if (hits_.size() > q_.limit)
        page.next_cursor = encode_cursor(q_.sort, q_.descending, hits_[q_.limit - 1].first);
    return page;
}

}  // namespace detail::sql
ITSM_END_NAMESPACE

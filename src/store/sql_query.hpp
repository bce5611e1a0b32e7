// Internal: the query API compiled to SQL, shared by the SQL stores (SQLite, PostgreSQL).
//
// Both keep tickets in a table `tickets` with a `record` column (itsm/record.hpp) and the
// indexed columns below; the text here is valid in both dialects (parameters are written
// $1, $2, ... in order of appearance, which SQLite numbers the same way).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "itsm/store.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail::sql {

// The conditions of a query that SQL can express, with their parameters in order.
struct Where {
    std::string text = "TRUE";
    std::vector<std::variant<std::int64_t, Symbol>> params;
};
// `sla`: the table has the SLA columns (sla_breached, sla_due; SQLite schema 3), so the SLA
// members are compiled too; otherwise only matches() checks them.
Where compile_where(const Query& q, bool sla = false);

// True when compile_where() expresses the whole query: no member is left to matches().
bool fully_compiled(const Query& q, bool sla = false);

// True when SQL can walk the query's sort order off an index (page_select orders by it).
bool walkable(const Query& q) noexcept;

// The SELECT of `column` (e.g. "record") for one page of `q`: walked off an index in the
// sort order after the cursor when the order is one SQL can walk, else every match.
std::string page_select(const Query& q, const Where& w, const char* column);

// Builds a page from the records of page_select() in the order they come: re-checks each
// with matches() (members the SQL does not express still hold), stops at the limit when
// the SQL walked the order, else sorts them all by sort_position.
class PageBuilder {
  public:
    explicit PageBuilder(const Query& q);
    // False once the page is complete: stop reading rows.
    bool add(TicketPtr t);
    Page finish();

  private:
    const Query& q_;
    bool walked_;
    std::optional<SortPosition> after_;
    Page page_;
    std::vector<std::pair<SortPosition, TicketPtr>> hits_;
};

}  // namespace detail::sql
ITSM_END_NAMESPACE

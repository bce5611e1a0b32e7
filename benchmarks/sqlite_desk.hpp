// The SQLite baseline: the same tickets and "created"/"field_changed" events as the engine
// writes, in an in-memory SQLite database with indexes equivalent to InMemoryStore's and
// prepared statements, one transaction per mutation. It answers with the same itsm types
// the engine returns, so both sides do the same work from the caller's point of view.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "itsm/schema.hpp"
#include "itsm/store.hpp"
#include "itsm/ticket.hpp"
#include "itsm/time.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace bench {

class SqliteDesk {
  public:
    explicit SqliteDesk(std::shared_ptr<const itsm::Clock> clock,
                        itsm::Schema schema = itsm::Schema::itil());
    ~SqliteDesk();
    SqliteDesk(const SqliteDesk&) = delete;
    SqliteDesk& operator=(const SqliteDesk&) = delete;

    // BEGIN; insert the ticket and its "created" event; COMMIT. Returns the stored ticket.
    itsm::Ticket create(itsm::Symbol actor, const itsm::NewTicket& in);
    itsm::Ticket get(itsm::TicketId id);  // throws itsm::Error(not_found) when absent
    itsm::Ticket get_by_key(std::string_view key);
    // BEGIN; read the ticket; update assignee, updated and version (checking the version
    // read); insert a "field_changed" event; COMMIT. A no-op writes nothing, as in the engine.
    itsm::Ticket set_assignee(itsm::Symbol actor, itsm::TicketId id, itsm::Symbol assignee);
    // Equality filters on kind, state, segment, assignee, group and category (any number of
    // values each), sorted by updated or created with the engine's keyset cursors.
    itsm::Page query(const itsm::Query& q);
    std::size_t count(const itsm::Query& q);

    // Runs ANALYZE so that the planner knows how selective each index is.
    void analyze();
    // EXPLAIN QUERY PLAN of the statement query(q) runs, one line per step.
    std::string plan(const itsm::Query& q);

  private:
    class Statement;
    Statement& prepare(const std::string& sql);
    std::string where_clause(const itsm::Query& q, bool with_cursor) const;
    void bind_filters(Statement& s, const itsm::Query& q, int& index) const;
    void exec(const char* sql);
    void insert_event(itsm::TicketId ticket, itsm::Instant at, itsm::Symbol actor, int type,
                      std::string_view field, std::string_view old_value,
                      std::string_view new_value, std::string_view text);

    std::shared_ptr<const itsm::Clock> clock_;
    itsm::Schema schema_;
    sqlite3* db_ = nullptr;
    std::map<std::string, std::unique_ptr<Statement>> statements_;
    Statement* begin_ = nullptr;
    Statement* commit_ = nullptr;
    Statement* rollback_ = nullptr;
    Statement* insert_ticket_ = nullptr;
    Statement* insert_event_ = nullptr;
    Statement* by_id_ = nullptr;
    Statement* by_key_ = nullptr;
    Statement* set_assignee_ = nullptr;
    itsm::TicketId next_id_ = 1;
    std::unordered_map<itsm::Symbol, std::uint64_t> next_number_;
};

}  // namespace bench

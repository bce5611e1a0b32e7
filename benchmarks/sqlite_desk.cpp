#include "sqlite_desk.hpp"

#include <sqlite3.h>

#include <stdexcept>
#include <utility>

#include "itsm/error.hpp"
#include "workload.hpp"

namespace bench {

namespace {

constexpr const char* schema_sql = R"sql(
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    impact INTEGER NOT NULL,
    urgency INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    priority_overridden INTEGER NOT NULL,
    channel INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL,
    category TEXT NOT NULL,
    requester TEXT NOT NULL,
    assignee TEXT NOT NULL,
    assignment_group TEXT NOT NULL,
    segment TEXT NOT NULL,
    tags TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    resolved INTEGER,
    closed INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX tickets_segment_state ON tickets (segment, state, updated, id);
CREATE INDEX tickets_assignee ON tickets (assignee, updated, id);
CREATE INDEX tickets_group ON tickets (assignment_group, updated, id);
CREATE INDEX tickets_category ON tickets (category, updated, id);
CREATE INDEX tickets_updated ON tickets (updated, id);
CREATE INDEX tickets_created ON tickets (created, id);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    ticket INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    type INTEGER NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX events_ticket ON events (ticket, seq);
)sql";

constexpr const char* ticket_columns =
    "id, key, kind, state, title, description, impact, urgency, priority, priority_overridden, "
    "channel, reopen_count, category, requester, assignee, assignment_group, segment, tags, "
    "created, updated, resolved, closed, version";

constexpr int event_created = 0;        // itsm::EventType::created
constexpr int event_field_changed = 1;  // itsm::EventType::field_changed

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
    throw itsm::Error(itsm::Errc::storage, std::string(what) + ": " + sqlite3_errmsg(db));
}

// SQLite keeps its own allocation statistics behind a global mutex unless told not to; the
// baseline turns them off (and uses a connection without its own mutex) to give SQLite its
// fastest configuration. Must run before the library initializes.
void configure_sqlite_once() {
    static const bool done = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        sqlite3_initialize();
        return true;
    }();
    (void)done;
}

}  // namespace

class SqliteDesk::Statement {
  public:
    Statement(sqlite3* db, const std::string& sql) : db_(db) {
        if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
            fail(db, "prepare " + sql);
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
    void bind(int i, std::string_view v) {
        // The text outlives the statement's use: SQLite need not copy it.
        check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
    }
    void bind(int i, itsm::Symbol v) { bind(i, v.view()); }
    void bind_null(int i) { check(sqlite3_bind_null(stmt_, i)); }

    // True while there is a row; throws on error.
    bool step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, "step");
    }
    void run() {
        if (step()) throw itsm::Error(itsm::Errc::internal, "statement returned a row");
        reset();
    }
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::string_view text(int col) const {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        return {p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
    }
    itsm::Symbol symbol(int col) const { return itsm::Symbol(text(col)); }

    // Reads a row selected with ticket_columns.
    itsm::Ticket ticket() const {
        itsm::Ticket t;
        t.id = static_cast<itsm::TicketId>(integer(0));
        t.key = std::string(text(1));
        t.kind = symbol(2);
        t.state = symbol(3);
        t.title = std::string(text(4));
        t.description = std::string(text(5));
        t.impact = static_cast<std::uint8_t>(integer(6));
        t.urgency = static_cast<std::uint8_t>(integer(7));
        t.priority = static_cast<std::uint8_t>(integer(8));
        t.priority_overridden = integer(9) != 0;
        t.channel = static_cast<itsm::Channel>(integer(10));
        t.reopen_count = static_cast<std::uint32_t>(integer(11));
        t.category = symbol(12);
        t.requester = symbol(13);
        t.assignee = symbol(14);
        t.assignment_group = symbol(15);
        t.segment = symbol(16);
        std::string_view tags = text(17);
        while (!tags.empty()) {
            auto comma = tags.find(',');
            t.tags.emplace_back(tags.substr(0, comma));
            tags.remove_prefix(comma == std::string_view::npos ? tags.size() : comma + 1);
        }
        t.created = itsm::instant_from_micros(integer(18));
        t.updated = itsm::instant_from_micros(integer(19));
        if (!is_null(20)) t.resolved = itsm::instant_from_micros(integer(20));
        if (!is_null(21)) t.closed = itsm::instant_from_micros(integer(21));
        t.version = static_cast<std::uint64_t>(integer(22));
        return t;
    }

  private:
    void check(int rc) {
        if (rc != SQLITE_OK) fail(db_, "bind");
    }
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

namespace {

// Resets a statement when the scope ends, however it ends.
template <typename S>
struct Resetting {
    S& s;
    ~Resetting() { s.reset(); }
};

}  // namespace

SqliteDesk::SqliteDesk(std::shared_ptr<const itsm::Clock> clock, itsm::Schema schema)
    : clock_(std::move(clock)), schema_(std::move(schema)) {
    configure_sqlite_once();
    if (sqlite3_open_v2(":memory:", &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        fail(db_, "open");
    exec(schema_sql);
    begin_ = &prepare("BEGIN");
    commit_ = &prepare("COMMIT");
    rollback_ = &prepare("ROLLBACK");
    insert_ticket_ = &prepare(
        std::string("INSERT INTO tickets (") + ticket_columns +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19, ?20, ?21, ?22, ?23)");
    insert_event_ = &prepare(
        "INSERT INTO events (ticket, at, actor, type, field, old_value, new_value, text) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    by_id_ = &prepare(std::string("SELECT ") + ticket_columns + " FROM tickets WHERE id = ?1");
    by_key_ = &prepare(std::string("SELECT ") + ticket_columns + " FROM tickets WHERE key = ?1");
    set_assignee_ = &prepare(
        "UPDATE tickets SET assignee = ?1, updated = ?2, version = ?3 WHERE id = ?4 AND "
        "version = ?5");
}

SqliteDesk::~SqliteDesk() {
    statements_.clear();
    sqlite3_close(db_);
}

SqliteDesk::Statement& SqliteDesk::prepare(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end())
        it = statements_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
    return *it->second;
}

void SqliteDesk::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw itsm::Error(itsm::Errc::storage, text);
    }
}

void SqliteDesk::insert_event(itsm::TicketId ticket, itsm::Instant at, itsm::Symbol actor, int type,
                              std::string_view field, std::string_view old_value,
                              std::string_view new_value, std::string_view text) {
    Statement& s = *insert_event_;
    s.bind(1, static_cast<std::int64_t>(ticket));
    s.bind(2, itsm::to_micros(at));
    s.bind(3, actor);
    s.bind(4, std::int64_t{type});
    s.bind(5, field);
    s.bind(6, old_value);
    s.bind(7, new_value);
    s.bind(8, text);
    s.run();
}

itsm::Ticket SqliteDesk::create(itsm::Symbol actor, const itsm::NewTicket& in) {
    itsm::Ticket t = to_ticket(schema_, in, actor);
    std::string tags = join_tags(t.tags);
    begin_->run();
    try {
        t.id = next_id_++;
        t.key = itsm::format_key(schema_.kind(t.kind)->prefix, ++next_number_[t.kind]);
        t.created = t.updated = clock_->now();
        t.version = 1;
        {
            Statement& s = *insert_ticket_;
            Resetting<Statement> r{s};
            s.bind(1, static_cast<std::int64_t>(t.id));
            s.bind(2, std::string_view(t.key));
            s.bind(3, t.kind);
            s.bind(4, t.state);
            s.bind(5, std::string_view(t.title));
            s.bind(6, std::string_view(t.description));
            s.bind(7, std::int64_t{t.impact});
            s.bind(8, std::int64_t{t.urgency});
            s.bind(9, std::int64_t{t.priority});
            s.bind(10, std::int64_t{t.priority_overridden});
            s.bind(11, static_cast<std::int64_t>(t.channel));
            s.bind(12, std::int64_t{t.reopen_count});
            s.bind(13, t.category);
            s.bind(14, t.requester);
            s.bind(15, t.assignee);
            s.bind(16, t.assignment_group);
            s.bind(17, t.segment);
            s.bind(18, std::string_view(tags));
            s.bind(19, itsm::to_micros(t.created));
            s.bind(20, itsm::to_micros(t.updated));
            s.bind_null(21);
            s.bind_null(22);
            s.bind(23, static_cast<std::int64_t>(t.version));
            if (s.step()) throw itsm::Error(itsm::Errc::internal, "insert returned a row");
        }
        insert_event(t.id, t.created, actor, event_created, "", "", "", t.key);
        commit_->run();
    } catch (...) {
        rollback_->run();
        throw;
    }
    return t;
}

itsm::Ticket SqliteDesk::get(itsm::TicketId id) {
    Statement& s = *by_id_;
    Resetting<Statement> r{s};
    s.bind(1, static_cast<std::int64_t>(id));
    if (!s.step()) throw itsm::Error(itsm::Errc::not_found, "ticket", "no such ticket");
    return s.ticket();
}

itsm::Ticket SqliteDesk::get_by_key(std::string_view key) {
    Statement& s = *by_key_;
    Resetting<Statement> r{s};
    s.bind(1, key);
    if (!s.step()) throw itsm::Error(itsm::Errc::not_found, "key", "no such ticket");
    return s.ticket();
}

itsm::Ticket SqliteDesk::set_assignee(itsm::Symbol actor, itsm::TicketId id,
                                      itsm::Symbol assignee) {
    begin_->run();
    try {
        itsm::Ticket t = get(id);
        if (t.assignee == assignee) {
            commit_->run();
            return t;
        }
        itsm::Symbol old = t.assignee;
        std::uint64_t read_version = t.version;
        t.assignee = assignee;
        t.updated = clock_->now();
        t.version = read_version + 1;
        {
            Statement& s = *set_assignee_;
            Resetting<Statement> r{s};
            s.bind(1, assignee);
            s.bind(2, itsm::to_micros(t.updated));
            s.bind(3, static_cast<std::int64_t>(t.version));
            s.bind(4, static_cast<std::int64_t>(id));
            s.bind(5, static_cast<std::int64_t>(read_version));
            if (s.step()) throw itsm::Error(itsm::Errc::internal, "update returned a row");
        }
        if (sqlite3_changes(db_) != 1) throw itsm::Error(itsm::Errc::conflict, "stale version");
        insert_event(id, t.updated, actor, event_field_changed, "assignee", old.view(),
                     assignee.view(), "");
        commit_->run();
        return t;
    } catch (...) {
        rollback_->run();
        throw;
    }
}

std::string SqliteDesk::where_clause(const itsm::Query& q, bool with_cursor) const {
    std::string sql = " WHERE 1";
    auto in = [&](const char* column, std::size_t n) {
        if (n == 0) return;
        sql += " AND ";
        sql += column;
        if (n == 1) {
            sql += " = ?";
            return;
        }
        sql += " IN (?";
        for (std::size_t i = 1; i < n; ++i)
            sql += ", ?";
        sql += ")";
    };
    in("kind", q.kinds.size());
    in("state", q.states.size());
    in("segment", q.segments.size());
    in("assignee", q.assignees.size());
    in("assignment_group", q.groups.size());
    in("category", q.categories.size());
    if (with_cursor && !q.cursor.empty()) {
        const char* column = q.sort == itsm::SortKey::created ? "created" : "updated";
        sql += std::string(" AND (") + column + ", id) " + (q.descending ? "<" : ">") + " (?, ?)";
    }
    return sql;
}

void SqliteDesk::bind_filters(Statement& s, const itsm::Query& q, int& index) const {
    for (const auto* list :
         {&q.kinds, &q.states, &q.segments, &q.assignees, &q.groups, &q.categories})
        for (auto v : *list)
            s.bind(index++, v);
}

itsm::Page SqliteDesk::query(const itsm::Query& q) {
    if (q.sort == itsm::SortKey::priority || !q.requesters.empty() || !q.tags.empty() ||
        q.priority_min || q.priority_max || q.created_from || q.created_before || q.updated_from ||
        q.updated_before)
        throw itsm::Error(itsm::Errc::invalid_argument, "the baseline does not run this query");
    const char* column = q.sort == itsm::SortKey::created ? "created" : "updated";
    const char* dir = q.descending ? " DESC" : " ASC";
    std::string sql = std::string("SELECT ") + ticket_columns + " FROM tickets" +
                      where_clause(q, true) + " ORDER BY " + column + dir + ", id" + dir +
                      " LIMIT ?";
    Statement& s = prepare(sql);
    Resetting<Statement> r{s};
    int index = 1;
    bind_filters(s, q, index);
    if (!q.cursor.empty()) {
        auto after = itsm::decode_cursor(q.cursor, q.sort, q.descending);
        s.bind(index++, std::get<0>(after));
        s.bind(index++, static_cast<std::int64_t>(std::get<2>(after)));
    }
    s.bind(index++, static_cast<std::int64_t>(q.limit + 1));
    itsm::Page page;
    page.tickets.reserve(q.limit);
    while (s.step()) {
        if (page.tickets.size() == q.limit) {
            const itsm::Ticket& last = *page.tickets.back();
            page.next_cursor =
                itsm::encode_cursor(q.sort, q.descending, itsm::sort_position(last, q.sort));
            break;
        }
        page.tickets.push_back(std::make_shared<const itsm::Ticket>(s.ticket()));
    }
    return page;
}

std::size_t SqliteDesk::count(const itsm::Query& q) {
    Statement& s = prepare("SELECT count(*) FROM tickets" + where_clause(q, false));
    Resetting<Statement> r{s};
    int index = 1;
    bind_filters(s, q, index);
    s.step();
    return static_cast<std::size_t>(s.integer(0));
}

void SqliteDesk::analyze() {
    exec("ANALYZE");
}

std::string SqliteDesk::plan(const itsm::Query& q) {
    const char* column = q.sort == itsm::SortKey::created ? "created" : "updated";
    const char* dir = q.descending ? " DESC" : " ASC";
    std::string sql = std::string("EXPLAIN QUERY PLAN SELECT ") + ticket_columns + " FROM tickets" +
                      where_clause(q, true) + " ORDER BY " + column + dir + ", id" + dir +
                      " LIMIT ?";
    Statement s(db_, sql);
    int index = 1;
    bind_filters(s, q, index);
    std::string out;
    while (s.step()) {
        if (!out.empty()) out += "; ";
        out += s.text(3);
    }
    return out;
}

}  // namespace bench

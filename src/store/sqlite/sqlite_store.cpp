// SqliteStore: tickets as records with indexed columns, events as rows, one transaction
// per commit (or per batch), the schema migrated on open.
#include "itsm/sqlite_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>

#include "../sql_query.hpp"
#include "db.hpp"
#include "itsm/error.hpp"
#include "itsm/memory_store.hpp"
#include "itsm/postgres_store.hpp"
#include "itsm/record.hpp"
#include "schema.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using detail::sql::Database;
using detail::sql::Statement;

constexpr int latest_version = static_cast<int>(std::size(detail::sql::migrations));
static_assert(latest_version == SqliteStore::schema_version);
// The step that adds the SLA columns, which the store then fills in (backfill_sla).
constexpr int sla_columns_version = 3;
// The step that adds events.config_version.
constexpr int config_column_version = 4;

std::string path_of(std::string_view path_or_uri) {
    constexpr std::string_view scheme = "sqlite://";
    std::string_view p = path_or_uri;
    if (p.substr(0, scheme.size()) == scheme)
        p.remove_prefix(scheme.size());
    else if (p.find("://") != std::string_view::npos)
        throw Error(Errc::invalid_argument, "uri",
                    fmt::format("\"{}\" is neither a path nor a sqlite:// URI", path_or_uri));
    if (p.empty()) throw Error(Errc::invalid_argument, "uri", "names no file");
    return std::string(p);
}

const char* synchronous_pragma(Synchronous s) {
    switch (s) {
        case Synchronous::off:
            return "PRAGMA synchronous=OFF";
        case Synchronous::normal:
            return "PRAGMA synchronous=NORMAL";
        case Synchronous::full:
            return "PRAGMA synchronous=FULL";
    }
    return "PRAGMA synchronous=FULL";
}

// Values keep their type in a kind column: the variant's index.
void bind_value(Statement& s, int kind_col, const Value& v) {
    s.bind(kind_col, static_cast<std::int64_t>(v.index()));
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>)
                s.bind_null(kind_col + 1);
            else if constexpr (std::is_same_v<T, std::string>)
                s.bind(kind_col + 1, std::string_view(x));
            else if constexpr (std::is_same_v<T, std::int64_t>)
                s.bind(kind_col + 1, x);
            else if constexpr (std::is_same_v<T, bool>)
                s.bind(kind_col + 1, std::int64_t{x ? 1 : 0});
            else
                s.bind(kind_col + 1, to_micros(x));
        },
        v);
}

// The SLA columns (sla_alarm, sla_due, sla_breached) from position i: what the SLA indexes
// and the query filters read instead of the record.
void bind_sla(Statement& s, int i, const CompactVector<SlaClock>& clocks) {
    auto bind_instant = [&](int col, std::optional<Instant> v) {
        if (v)
            s.bind(col, to_micros(*v));
        else
            s.bind_null(col);
    };
    bind_instant(i, next_alarm(clocks));
    bind_instant(i + 1, earliest_due(clocks));
    s.bind(i + 2, std::int64_t{any_breached(clocks) ? 1 : 0});
}

Value read_value(const Statement& s, int kind_col) {
    switch (s.integer(kind_col)) {
        case 0:
            return std::monostate{};
        case 1:
            return std::string(s.text(kind_col + 1));
        case 2:
            return s.integer(kind_col + 1);
        case 3:
            return s.integer(kind_col + 1) != 0;
        case 4:
            return instant_from_micros(s.integer(kind_col + 1));
    }
    throw Error(Errc::storage, "events", "unknown value kind");
}

// Binds the parameters of a compiled query ($1, $2, ... in order).
void bind_where(Statement& s, const detail::sql::Where& w) {
    int i = 1;
    for (const auto& p : w.params) {
        if (auto* n = std::get_if<std::int64_t>(&p))
            s.bind(i++, *n);
        else
            s.bind(i++, std::get<Symbol>(p).view(), true);
    }
}

}  // namespace

// The statement writing a ticket row: an INSERT or a version-guarded UPDATE, with or without
// the SLA columns.
static const std::string& ticket_write_sql(bool insert, bool sla);

struct SqliteStore::Impl {
    std::string path;
    SqliteOptions options;
    mutable std::mutex mutex;
    mutable Database db;
    // The file has the SLA columns. A file kept at an older version (SqliteOptions::upgrade_to)
    // is written without them and its SLA queries fall back to reading every ticket.
    bool sla_columns = false;
    bool config_column = false;  // the same for events.config_version (schema version 4)
    // What the store keeps in memory about the file, put back when a transaction (or a
    // commit's savepoint) is taken back.
    struct Counts {
        std::uint64_t next_seq = 1;
        std::size_t tickets = 0;
        TicketId max_id = 0;  // the highest ticket id stored
        Symbol config;        // the configuration version of the latest event stored
    };
    Counts counts;
    // Last number handed out per counter ("ticket.id", "kind.<kind>"); the dirty ones are
    // written with the next commit, so allocating costs no transaction of its own.
    std::unordered_map<std::string, std::uint64_t> counters;
    std::vector<std::string> dirty;  // counters changed since they were last written, unique
    void mark_dirty(std::string_view name) {
        if (std::find(dirty.begin(), dirty.end(), name) == dirty.end()) dirty.emplace_back(name);
    }
    void all_dirty() {
        dirty.clear();
        for (const auto& [name, last] : counters)
            dirty.push_back(name);
    }
    // Takes back the in-memory side of a transaction that was rolled back.
    void restore(const Counts& before) {
        counts = before;
        all_dirty();  // numbers handed out meanwhile stay used
    }
    bool in_batch = false;
    Counts batch_start;

    // The statements every commit runs, prepared once (Database keeps them).
    struct Prepared {
        Statement *begin, *commit, *savepoint, *release, *insert_ticket, *update_ticket,
            *insert_event, *upsert_counter;
    };
    Prepared prepared{};
    void prepare();

    Impl(std::string p, SqliteOptions o) : path(std::move(p)), options(o), db(path) {}

    int read_version() {
        auto s = db.use("SELECT version FROM schema_version");
        return s->step() ? static_cast<int>(s->integer(0)) : 0;
    }
    void migrate();
    void backfill_sla();
    void load_state();
    void flush_counters();
    void write_ticket(const TicketWrite& w);
    [[noreturn]] void refuse(const Ticket& t, std::uint64_t expected);
    void write_event(const Event& e, Symbol config);
    TicketPtr read_ticket(Statement& s, int col) const {
        return std::make_shared<const Ticket>(ticket_from_record(s.text(col)));
    }
    template <typename F>
    void transaction(F&& body, bool savepoint = true);
    // Set when a statement of the running transaction body has changed the database.
    bool wrote = false;
    // Why the open batch was taken back, when a commit failed half-way (fail_batch).
    std::optional<std::string> batch_failure;
    void fail_batch(std::string_view why);
    void undo(const Counts& before, bool step, std::string_view why);
    bool fill(Statement& s, const Query& q, Page& page) const;
    Page due_scan(const Query& q) const;
};

void SqliteStore::Impl::migrate() {
    db.exec("BEGIN IMMEDIATE");
    try {
        db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        int version = read_version();
        if (version > latest_version)
            throw Error(Errc::storage, path,
                        fmt::format("the file has schema version {}, newer than the {} this "
                                    "version of libitsm knows; open it with a newer libitsm",
                                    version, latest_version));
        int target =
            options.upgrade_to > 0 ? std::min(options.upgrade_to, latest_version) : latest_version;
        for (int v = version; v < target; ++v) {
            db.exec(detail::sql::migrations[v]);
            if (v + 1 == sla_columns_version) backfill_sla();
        }
        if (target > version) {
            db.exec("DELETE FROM schema_version");
            auto s = db.use("INSERT INTO schema_version (version) VALUES (?)");
            s->bind(1, target);
            s->run();
        }
        db.exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

// Schema step 3 added the SLA columns empty: fill them in from the clocks in each record.
void SqliteStore::Impl::backfill_sla() {
    std::vector<std::pair<TicketId, CompactVector<SlaClock>>> rows;
    {
        auto s = db.use("SELECT id, record FROM tickets");
        while (s->step()) {
            auto t = ticket_from_record(s->text(1));
            if (!t.sla.empty()) rows.emplace_back(t.id, std::move(t.sla));
        }
    }
    auto s = db.use("UPDATE tickets SET sla_alarm = ?, sla_due = ?, sla_breached = ? WHERE id = ?");
    for (const auto& [id, clocks] : rows) {
        bind_sla(*s, 1, clocks);
        s->bind(4, id);
        s->run();
        s->reset();
    }
}

void SqliteStore::Impl::load_state() {
    {
        auto s = db.use("SELECT coalesce(max(seq), 0) FROM events");
        s->step();
        counts.next_seq = static_cast<std::uint64_t>(s->integer(0)) + 1;
    }
    {
        auto s = db.use("SELECT count(*), coalesce(max(id), 0) FROM tickets");
        s->step();
        counts.tickets = static_cast<std::size_t>(s->integer(0));
        counts.max_id = static_cast<TicketId>(s->integer(1));
        counters["ticket.id"] = counts.max_id;
    }
    if (config_column) {
        auto s = db.use("SELECT config_version FROM events ORDER BY seq DESC LIMIT 1");
        if (s->step() && !s->null(0)) counts.config = Symbol(s->text(0));
    }
    auto s = db.use("SELECT name, last FROM counters");
    while (s->step()) {
        auto& n = counters[std::string(s->text(0))];
        n = std::max(n, static_cast<std::uint64_t>(s->integer(1)));
    }
}

// Writes the counters changed since they were last written. The ticket id counter is
// skipped while no id above the stored tickets' was handed out: opening the file takes the
// larger of the counter and the highest stored id.
void SqliteStore::Impl::flush_counters() {
    if (dirty.empty()) return;
    detail::sql::Use s(*prepared.upsert_counter);
    for (const auto& name : dirty) {
        auto last = counters[name];
        if (name == "ticket.id" && last <= counts.max_id) continue;
        s->bind(1, std::string_view(name), true);
        s->bind(2, last);
        s->run();
        s->reset();
    }
    dirty.clear();
}

void SqliteStore::Impl::prepare() {
    auto& p = prepared;
    p.begin = &db.statement("BEGIN IMMEDIATE");
    p.commit = &db.statement("COMMIT");
    p.savepoint = &db.statement("SAVEPOINT step");
    p.release = &db.statement("RELEASE step");
    p.insert_ticket = &db.statement(ticket_write_sql(true, sla_columns));
    p.update_ticket = &db.statement(ticket_write_sql(false, sla_columns));
    p.insert_event = &db.statement(
        config_column ? "INSERT INTO events (seq, ticket, at, actor, type, field, old_kind, "
                        "old_value, new_kind, new_value, text, link_type, link_other, "
                        "config_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      : "INSERT INTO events (seq, ticket, at, actor, type, field, old_kind, "
                        "old_value, new_kind, new_value, text, link_type, link_other) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    p.upsert_counter = &db.statement(
        "INSERT INTO counters (name, last) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET last = max(last, excluded.last)");
}

const std::string& ticket_write_sql(bool insert, bool sla) {
    static const std::string texts[2][2] = {
        {"UPDATE tickets SET kind = ?, state = ?, segment = ?, assignee = ?, "
         "assignment_group = ?, category = ?, requester = ?, priority = ?, created = ?, "
         "updated = ?, version = ?, record = ? WHERE key = ? AND id = ? AND version = ?",
         "UPDATE tickets SET kind = ?, state = ?, segment = ?, assignee = ?, "
         "assignment_group = ?, category = ?, requester = ?, priority = ?, created = ?, "
         "updated = ?, sla_alarm = ?, sla_due = ?, sla_breached = ?, version = ?, record = ? "
         "WHERE key = ? AND id = ? AND version = ?"},
        {"INSERT INTO tickets (kind, state, segment, assignee, assignment_group, category, "
         "requester, priority, created, updated, version, record, key, id) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
         "INSERT INTO tickets (kind, state, segment, assignee, assignment_group, category, "
         "requester, priority, created, updated, sla_alarm, sla_due, sla_breached, version, "
         "record, key, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"}};
    return texts[insert][sla];
}

// Writes first and asks questions only when the write did not land: a new ticket is an
// INSERT that the id and key constraints guard, a change an UPDATE guarded by version.
void SqliteStore::Impl::write_ticket(const TicketWrite& w) {
    const Ticket& t = *w.ticket;
    std::string record = ticket_record(t);
    bool insert = w.expected_version == 0;
    detail::sql::Use s(insert ? *prepared.insert_ticket : *prepared.update_ticket);
    int i = 1;
    for (Symbol sym :
         {t.kind, t.state, t.segment, t.assignee, t.assignment_group, t.category, t.requester})
        s->bind(i++, sym.view(), true);
    s->bind(i++, static_cast<std::int64_t>(t.priority));
    s->bind(i++, to_micros(t.created));
    s->bind(i++, to_micros(t.updated));
    if (sla_columns) {
        bind_sla(*s, i, t.sla);
        i += 3;
    }
    s->bind(i++, t.version);
    s->bind(i++, std::string_view(record), true);
    s->bind(i++, std::string_view(t.key), true);
    s->bind(i++, t.id);
    if (!insert) s->bind(i++, w.expected_version);
    bool landed = s->run_unique() && (insert || db.changes() == 1);
    if (!landed) refuse(t, w.expected_version);
    wrote = true;
    if (insert) {
        ++counts.tickets;
        counts.max_id = std::max(counts.max_id, t.id);
        auto& last = counters["ticket.id"];
        last = std::max(last, t.id);
    }
}

// Why a ticket write did not land: the stored version differs, or the key is taken.
void SqliteStore::Impl::refuse(const Ticket& t, std::uint64_t expected) {
    std::uint64_t current = 0;
    std::string key;
    {
        auto s = db.use("SELECT version, key FROM tickets WHERE id = ?");
        s->bind(1, t.id);
        if (s->step()) {
            current = static_cast<std::uint64_t>(s->integer(0));
            key = s->text(1);
        }
    }
    if (current != expected)
        throw Error(Errc::conflict, "version",
                    fmt::format("ticket {} is at version {}, the change was made on {}", t.id,
                                current, expected));
    if (current == 0)
        throw Error(Errc::conflict, "key", fmt::format("key {} is already taken", t.key));
    throw Error(Errc::internal, fmt::format("ticket {} changed its key", t.id));
}

void SqliteStore::Impl::write_event(const Event& e, Symbol config) {
    detail::sql::Use s(*prepared.insert_event);
    wrote = true;  // from here on, a failure may leave a part of the commit behind
    s->bind(1, e.seq);
    s->bind(2, e.ticket);
    s->bind(3, to_micros(e.at));
    s->bind(4, e.actor.view(), true);
    s->bind(5, to_string(e.type), true);
    s->bind(6, e.field.view(), true);
    bind_value(*s, 7, e.old_value);
    bind_value(*s, 9, e.new_value);
    s->bind(11, std::string_view(e.text), true);
    if (e.link) {
        s->bind(12, to_string(e.link->type), true);
        s->bind(13, e.link->other);
    }
    if (config_column && !config.empty()) s->bind(14, config.view(), true);
    s->run();
}

// Runs `body` as one transaction. Inside the open batch it runs in the batch's transaction:
// as a savepoint when `savepoint`, else straight, which the caller may ask for only when the
// body's first statement is the only one that can be refused (SQLite takes back a refused
// statement by itself, so a refusal then leaves the batch as it was). On any failure the
// database and the in-memory counts are as before the body, except that a failure after a
// straight body wrote, or one after which SQLite itself ended the transaction, takes back
// the whole batch (fail_batch).
template <typename F>
void SqliteStore::Impl::transaction(F&& body, bool savepoint) {
    if (batch_failure) throw Error(Errc::storage, "batch", *batch_failure);
    auto before = counts;
    bool step = in_batch && savepoint;
    if (!in_batch || step) detail::sql::Use(step ? *prepared.savepoint : *prepared.begin)->run();
    wrote = false;
    try {
        body();
        if (!in_batch || step) detail::sql::Use(step ? *prepared.release : *prepared.commit)->run();
    } catch (const std::exception& e) {
        undo(before, step, e.what());
        throw;
    } catch (...) {
        undo(before, step, "unknown error");
        throw;
    }
}

// Takes back a transaction body that failed (see transaction()).
void SqliteStore::Impl::undo(const Counts& before, bool step, std::string_view why) {
    if (!in_batch) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        restore(before);
        return;
    }
    // Neither can fail on a transaction that is still open.
    if (step) {
        sqlite3_exec(db.handle(), "ROLLBACK TO step", nullptr, nullptr, nullptr);
        sqlite3_exec(db.handle(), "RELEASE step", nullptr, nullptr, nullptr);
    }
    if ((!step && wrote) || sqlite3_get_autocommit(db.handle()))
        fail_batch(why);
    else
        restore(before);
}

// A commit failed half-way inside a batch: the batch is taken back at once; its later
// commits and end_batch(true) fail, end_batch(false) ends it.
void SqliteStore::Impl::fail_batch(std::string_view why) {
    sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);  // may have ended already
    restore(batch_start);
    batch_failure = fmt::format("the batch was taken back after a commit failed: {}", why);
}

SqliteStore::SqliteStore(std::string_view path_or_uri, SqliteOptions options)
    : impl_(std::make_unique<Impl>(path_of(path_or_uri), options)) {
    auto& db = impl_->db;
    sqlite3_busy_timeout(db.handle(), options.busy_timeout_ms);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec(synchronous_pragma(options.synchronous));
    // Each commit inside a batch is a savepoint, whose undo journal then stays in memory
    // instead of a temporary file.
    db.exec("PRAGMA temp_store=MEMORY");
    impl_->migrate();
    impl_->sla_columns = impl_->read_version() >= sla_columns_version;
    impl_->config_column = impl_->read_version() >= config_column_version;
    impl_->prepare();
    impl_->load_state();
}

SqliteStore::~SqliteStore() {
    try {
        std::lock_guard lock(impl_->mutex);
        if (impl_->in_batch) {
            sqlite3_exec(impl_->db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            impl_->in_batch = false;
            impl_->batch_failure.reset();
        }
        impl_->transaction([&] { impl_->flush_counters(); });
    } catch (...) {
        // Unused numbers may then be handed out again after reopening: harmless, as no
        // stored ticket or event refers to them.
    }
}

TicketPtr SqliteStore::get(TicketId id) const {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->db.use("SELECT record FROM tickets WHERE id = ?");
    s->bind(1, id);
    return s->step() ? impl_->read_ticket(*s, 0) : nullptr;
}

TicketPtr SqliteStore::get_by_key(std::string_view key) const {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->db.use("SELECT record FROM tickets WHERE key = ?");
    s->bind(1, key, true);
    return s->step() ? impl_->read_ticket(*s, 0) : nullptr;
}

// Adds the rows of `s` that match to the page, in the order they come; true when the page is
// full and one more match showed that a next page exists (its cursor is then set).
bool SqliteStore::Impl::fill(Statement& s, const Query& q, Page& page) const {
    while (s.step()) {
        auto t = read_ticket(s, 0);
        if (!q.matches(*t)) continue;
        if (page.tickets.size() == q.limit) {
            page.next_cursor =
                encode_cursor(q.sort, q.descending, sort_position(*page.tickets.back(), q.sort));
            return true;
        }
        page.tickets.push_back(std::move(t));
    }
    return false;
}

// The due order (sort_position: no running due, earliest due, id) as two ranges of the index
// on (sla_due, id): the tickets with a due by (sla_due, id), those without by id. Ascending
// walks the first range then the second, descending the reverse; a cursor skips the ranges
// wholly before it and starts inside its own.
Page SqliteStore::Impl::due_scan(const Query& q) const {
    auto w = detail::sql::compile_where(q, sla_columns);
    std::optional<SortPosition> after;
    if (!q.cursor.empty()) after = decode_cursor(q.cursor, q.sort, q.descending);
    const char* dir = q.descending ? "DESC" : "ASC";
    const char* op = q.descending ? "<" : ">";
    Page page;
    for (std::int64_t range : q.descending ? std::array{1, 0} : std::array{0, 1}) {
        std::string from;
        if (after) {
            auto [p1, p2, id] = *after;
            if (q.descending ? range > p1 : range < p1) continue;  // wholly before the cursor
            if (range == p1)
                from = range == 0 ? fmt::format(" AND (sla_due, id) {} ({}, {})", op, p2, id)
                                  : fmt::format(" AND id {} {}", op, id);
        }
        std::string sql = range == 0
                              ? fmt::format(
                                    "SELECT record FROM tickets WHERE {} AND sla_due IS NOT NULL{} "
                                    "ORDER BY sla_due {}, id {}",
                                    w.text, from, dir, dir)
                              : fmt::format(
                                    "SELECT record FROM tickets WHERE {} AND sla_due IS NULL{} "
                                    "ORDER BY id {}",
                                    w.text, from, dir);
        Statement s(db.handle(), sql);
        bind_where(s, w);
        if (fill(s, q, page)) break;
    }
    return page;
}

// The SQL narrows the rows (walking an index in the sort order when it can); the page
// builder re-checks each ticket, so members the SQL does not express still hold.
Page SqliteStore::query(const Query& q) const {
    std::lock_guard lock(impl_->mutex);
    if (q.sort == SortKey::due && impl_->sla_columns) return impl_->due_scan(q);
    auto w = detail::sql::compile_where(q, impl_->sla_columns);
    Statement s(impl_->db.handle(), detail::sql::page_select(q, w, "record"));
    bind_where(s, w);
    detail::sql::PageBuilder page(q);
    while (s.step() && page.add(impl_->read_ticket(s, 0))) {
    }
    return page.finish();
}

std::size_t SqliteStore::count(const Query& q) const {
    std::lock_guard lock(impl_->mutex);
    auto w = detail::sql::compile_where(q, impl_->sla_columns);
    bool exact = detail::sql::fully_compiled(q, impl_->sla_columns);
    Statement s(impl_->db.handle(), fmt::format("SELECT {} FROM tickets WHERE {}",
                                                exact ? "count(*)" : "record", w.text));
    bind_where(s, w);
    if (exact) return s.step() ? static_cast<std::size_t>(s.integer(0)) : 0;
    std::size_t n = 0;
    while (s.step())
        n += q.matches(ticket_from_record(s.text(0)));
    return n;
}

std::vector<Event> SqliteStore::history(TicketId id) const {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->db.use(
        "SELECT seq, ticket, at, actor, type, field, old_kind, old_value, new_kind, new_value, "
        "text, link_type, link_other FROM events WHERE ticket = ? ORDER BY seq");
    s->bind(1, id);
    std::vector<Event> out;
    while (s->step()) {
        Event e;
        e.seq = static_cast<std::uint64_t>(s->integer(0));
        e.ticket = static_cast<TicketId>(s->integer(1));
        e.at = instant_from_micros(s->integer(2));
        e.actor = Symbol(s->text(3));
        auto type = event_type_from_string(s->text(4));
        if (!type)
            throw Error(Errc::storage, "events.type",
                        fmt::format("unknown event type \"{}\"", s->text(4)));
        e.type = *type;
        e.field = Symbol(s->text(5));
        e.old_value = read_value(*s, 6);
        e.new_value = read_value(*s, 8);
        e.text = s->text(10);
        if (!s->null(11)) {
            auto lt = link_type_from_string(s->text(11));
            if (!lt) throw Error(Errc::storage, "events.link_type", "unknown link type");
            e.link = Link{*lt, static_cast<TicketId>(s->integer(12))};
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::size_t SqliteStore::size() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->counts.tickets;
}

std::pair<TicketId, std::uint64_t> SqliteStore::allocate(Symbol kind) {
    std::lock_guard lock(impl_->mutex);
    auto& m = *impl_;
    auto id = ++m.counters["ticket.id"];
    std::string name = fmt::format("kind.{}", kind.view());
    auto number = ++m.counters[name];
    m.mark_dirty("ticket.id");
    m.mark_dirty(name);
    return {id, number};
}

void SqliteStore::commit(Commit& c) {
    std::lock_guard lock(impl_->mutex);
    auto& m = *impl_;
    for (std::size_t i = 0; i < c.tickets.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (c.tickets[j].ticket->id == c.tickets[i].ticket->id)
                throw Error(Errc::internal, fmt::format("ticket {} written twice in one commit",
                                                        c.tickets[i].ticket->id));
    // Inside a batch, a commit that writes one ticket needs no savepoint of its own: its
    // ticket write is its first statement and the only one that can be refused.
    m.transaction(
        [&] {
            for (const auto& w : c.tickets)
                m.write_ticket(w);
            for (auto& e : c.events) {
                e.seq = m.counts.next_seq++;
                m.write_event(e, c.config_version);
            }
            if (m.config_column && !c.events.empty()) m.counts.config = c.config_version;
            if (!m.in_batch) m.flush_counters();  // a batch writes them once, at its end
        },
        c.tickets.size() > 1);
}

std::vector<TicketPtr> SqliteStore::sla_alarms(Instant until, std::size_t limit) const {
    if (!impl_->sla_columns) return Store::sla_alarms(until, limit);  // an older file
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->db.use(
        "SELECT record FROM tickets WHERE sla_alarm <= ? ORDER BY sla_alarm, id LIMIT ?");
    s->bind(1, to_micros(until));
    s->bind(2, static_cast<std::int64_t>(
                   std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
    std::vector<TicketPtr> out;
    while (s->step())
        out.push_back(impl_->read_ticket(*s, 0));
    return out;
}

std::optional<std::string> SqliteStore::meta(std::string_view key) const {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->db.use("SELECT value FROM meta WHERE key = ?");
    s->bind(1, key, true);
    if (!s->step()) return std::nullopt;
    return std::string(s->text(0));
}

void SqliteStore::set_meta(std::string_view key, std::string_view value) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->in_batch) throw Error(Errc::internal, "set_meta inside a batch");
    impl_->transaction([&] {
        auto s = impl_->db.use("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
        s->bind(1, key, true);
        s->bind(2, value, true);
        s->run();
    });
}

std::string SqliteStore::config_version() const {
    std::lock_guard lock(impl_->mutex);
    return std::string(impl_->counts.config.view());
}

std::string SqliteStore::config_version_of(std::uint64_t seq) const {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->db.use(impl_->config_column ? "SELECT config_version FROM events WHERE seq = ?"
                                                : "SELECT NULL FROM events WHERE seq = ?");
    s->bind(1, seq);
    if (!s->step()) throw Error(Errc::not_found, "seq", fmt::format("no event {}", seq));
    return std::string(s->text(0));
}

void SqliteStore::begin_batch() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->in_batch) throw Error(Errc::internal, "a batch is already open");
    impl_->db.run("BEGIN IMMEDIATE");
    impl_->in_batch = true;
    impl_->batch_start = impl_->counts;
    impl_->batch_failure.reset();
}

void SqliteStore::end_batch(bool keep) {
    std::lock_guard lock(impl_->mutex);
    auto& m = *impl_;
    if (!m.in_batch) throw Error(Errc::internal, "no batch is open");
    m.in_batch = false;
    if (auto failure = std::exchange(m.batch_failure, std::nullopt)) {
        if (keep) throw Error(Errc::storage, "batch", *failure);
        return;  // already taken back
    }
    if (keep) {
        try {
            m.flush_counters();
            m.db.run("COMMIT");
            return;
        } catch (...) {
            // A failed COMMIT (disk full, I/O error) leaves nothing: take the batch back.
            sqlite3_exec(m.db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            m.restore(m.batch_start);
            throw;
        }
    }
    m.db.run("ROLLBACK");
    m.restore(m.batch_start);
}

void SqliteStore::batch(const std::function<void()>& fn) {
    begin_batch();
    try {
        fn();
    } catch (...) {
        end_batch(false);
        throw;
    }
    end_batch(true);
}

const std::string& SqliteStore::path() const noexcept {
    return impl_->path;
}

int SqliteStore::file_schema_version() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->read_version();
}

std::string SqliteStore::integrity_check() const {
    std::lock_guard lock(impl_->mutex);
    Statement s(impl_->db.handle(), "PRAGMA integrity_check");
    std::string out;
    while (s.step()) {
        if (!out.empty()) out += '\n';
        out += s.text(0);
    }
    return out;
}

void SqliteStore::backup_to(std::string_view path) const {
    std::lock_guard lock(impl_->mutex);
    Statement s(impl_->db.handle(), "VACUUM INTO ?");
    s.bind(1, path);
    s.run();
}

std::shared_ptr<Store> open_store(std::string_view uri, SqliteOptions options) {
    if (uri.empty() || uri == "memory:") return std::make_shared<InMemoryStore>();
    if (is_postgres_uri(uri)) return std::make_shared<PostgresStore>(uri);
    return std::make_shared<SqliteStore>(uri, options);
}

ITSM_END_NAMESPACE

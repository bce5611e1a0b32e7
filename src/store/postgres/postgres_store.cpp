// PostgresStore: tickets as records with indexed columns, events as rows, one transaction
// per commit (or per batch) with version-conditional ticket writes, the schema migrated on
// open under an advisory lock, and other stores' commits heard through LISTEN/NOTIFY.
#include "itsm/postgres_store.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <variant>

#include "../sql_query.hpp"
#include "itsm/error.hpp"
#include "itsm/record.hpp"
#include "pg.hpp"
#include "schema.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using detail::pg::Connection;
using detail::pg::Params;
using detail::pg::Result;

constexpr int latest_version = static_cast<int>(std::size(detail::pg::migrations));
static_assert(latest_version == PostgresStore::schema_version);

// Takes the `schema` parameter out of a URI (libpq refuses parameters it does not know).
std::string split_schema(std::string_view uri, std::string& schema) {
    auto q = uri.find('?');
    if (q == std::string_view::npos) return std::string(uri);
    std::string out(uri.substr(0, q)), rest;
    std::string_view params = uri.substr(q + 1);
    while (!params.empty()) {
        auto amp = params.find('&');
        auto p = params.substr(0, amp);
        params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
        if (p.substr(0, 7) == "schema=") {
            schema = std::string(p.substr(7));
            continue;
        }
        rest += rest.empty() ? "" : "&";
        rest += p;
    }
    return rest.empty() ? out : out + "?" + rest;
}

void check_schema_name(const std::string& s) {
    bool ok = !s.empty() && s.size() <= 48 && !(s[0] >= '0' && s[0] <= '9');
    for (char ch : s)
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
    if (!ok)
        throw Error(Errc::invalid_argument, "schema",
                    fmt::format("\"{}\" is not a schema name (lowercase letters, digits, _)", s));
}

// Values keep their type in a kind column (the variant's index) next to their text.
void add_value(Params& p, const Value& v) {
    p.add(static_cast<int>(v.index()));
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>)
                p.add_null();
            else if constexpr (std::is_same_v<T, std::string>)
                p.add(std::string_view(x));
            else if constexpr (std::is_same_v<T, std::int64_t>)
                p.add(x);
            else if constexpr (std::is_same_v<T, bool>)
                p.add(std::string_view(x ? "1" : "0"));
            else
                p.add(to_micros(x));
        },
        v);
}

Value read_value(const Result& r, int row, int kind_col) {
    switch (r.integer(row, kind_col)) {
        case 0:
            return std::monostate{};
        case 1:
            return std::string(r.text(row, kind_col + 1));
        case 2:
            return r.integer(row, kind_col + 1);
        case 3:
            return r.text(row, kind_col + 1) == "1";
        case 4:
            return instant_from_micros(r.integer(row, kind_col + 1));
    }
    throw Error(Errc::storage, "events", "unknown value kind");
}

constexpr const char* event_columns =
    "seq, ticket, at, actor, type, field, old_kind, old_value, new_kind, new_value, text, "
    "link_type, link_other";

std::vector<Event> read_events(const Result& r) {
    std::vector<Event> out;
    for (int i = 0; i < r.rows(); ++i) {
        Event e;
        e.seq = static_cast<std::uint64_t>(r.integer(i, 0));
        e.ticket = static_cast<TicketId>(r.integer(i, 1));
        e.at = instant_from_micros(r.integer(i, 2));
        e.actor = Symbol(r.text(i, 3));
        auto type = event_type_from_string(r.text(i, 4));
        if (!type)
            throw Error(Errc::storage, "events.type",
                        fmt::format("unknown event type \"{}\"", r.text(i, 4)));
        e.type = *type;
        e.field = Symbol(r.text(i, 5));
        e.old_value = read_value(r, i, 6);
        e.new_value = read_value(r, i, 8);
        e.text = r.text(i, 10);
        if (!r.null(i, 11)) {
            auto lt = link_type_from_string(r.text(i, 11));
            if (!lt) throw Error(Errc::storage, "events.link_type", "unknown link type");
            e.link = Link{*lt, static_cast<TicketId>(r.integer(i, 12))};
        }
        out.push_back(std::move(e));
    }
    return out;
}

Params where_params(const detail::sql::Where& w) {
    Params p;
    for (const auto& v : w.params) {
        if (auto* n = std::get_if<std::int64_t>(&v))
            p.add(*n);
        else
            p.add(std::get<Symbol>(v).view());
    }
    return p;
}

TicketPtr ticket_of(std::string_view record) {
    return std::make_shared<const Ticket>(ticket_from_record(record));
}

}  // namespace

bool is_postgres_uri(std::string_view uri) noexcept {
    return uri.substr(0, 13) == "postgresql://" || uri.substr(0, 11) == "postgres://";
}

struct PostgresStore::Impl {
    std::string conninfo, schema, channel;
    PostgresOptions options;
    mutable std::mutex mutex;  // the main connection: reads, commits, batches
    mutable std::unique_ptr<Connection> db;
    std::atomic<int> own_pid{
        0};  // the main connection's backend, named in this store's notifications
    bool in_batch = false;

    std::mutex side_mutex;  // the side connection: numbers, LISTEN, reading foreign events
    std::unique_ptr<Connection> side;
    bool listening = false;

    std::mutex sink_mutex;  // held while the sink runs
    ForeignSink sink;
    std::thread listener;
    std::atomic<bool> stop{false};

    std::unique_ptr<Connection> connect() const {
        auto c = std::make_unique<Connection>(conninfo);
        c->run(fmt::format("SET search_path TO \"{}\"", schema));
        return c;
    }
    // A connection the server dropped is opened again, unless a batch was under way on it
    // (its work is lost: the batch fails).
    Connection& main() const {
        if (db->broken() && !in_batch) {
            db->reset();
            db->run(fmt::format("SET search_path TO \"{}\"", schema));
            const_cast<Impl*>(this)->own_pid = db->backend_pid();
        }
        return *db;
    }
    Connection& side_conn() {
        if (side->broken()) {
            side->reset();
            side->run(fmt::format("SET search_path TO \"{}\"", schema));
            if (listening) side->run(fmt::format("LISTEN \"{}\"", channel));
        }
        return *side;
    }

    void migrate();
    void scan(const std::string& select, const Params& params,
              detail::sql::PageBuilder& page) const;
    int read_version(Connection& c) const {
        auto r = c.exec("SELECT version FROM schema_version");
        return r.rows() ? static_cast<int>(r.integer(0, 0)) : 0;
    }
    void write_ticket(const TicketWrite& w);
    void write_events(std::vector<Event>& events, Symbol config);
    template <typename F>
    void transaction(F&& body);
    std::size_t poll(std::chrono::milliseconds wait);
    void stop_listener();
};

void PostgresStore::Impl::migrate() {
    auto& c = *db;
    c.run("BEGIN");
    try {
        // One opener migrates at a time; the others wait here, then find the work done.
        Params lock;
        lock.add(schema);
        c.exec("SELECT pg_advisory_xact_lock(1769239405, hashtext($1))", lock);
        c.run(fmt::format("CREATE SCHEMA IF NOT EXISTS \"{}\"", schema));
        c.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        int version = read_version(c);
        if (version > latest_version)
            throw Error(Errc::storage, schema,
                        fmt::format("the database has schema version {}, newer than the {} this "
                                    "version of libitsm knows; open it with a newer libitsm",
                                    version, latest_version));
        for (int v = version; v < latest_version; ++v)
            c.run(detail::pg::migrations[v]);
        if (latest_version > version) {
            c.run("DELETE FROM schema_version");
            Params p;
            p.add(latest_version);
            c.exec("INSERT INTO schema_version (version) VALUES ($1)", p);
        }
        c.run("COMMIT");
    } catch (...) {
        c.run_quietly("ROLLBACK");
        throw;
    }
}

void PostgresStore::Impl::write_ticket(const TicketWrite& w) {
    const Ticket& t = *w.ticket;
    std::string record = ticket_record(t);
    Params p;
    p.add(t.id).add(std::string_view(t.key)).add(t.version);
    for (Symbol sym :
         {t.kind, t.state, t.segment, t.assignee, t.assignment_group, t.category, t.requester})
        p.add(sym.view());
    p.add(static_cast<int>(t.priority)).add(to_micros(t.created)).add(to_micros(t.updated));
    p.add(std::string_view(record));
    if (w.expected_version == 0) {
        // A taken id or key is a unique violation: Error(conflict) from the connection.
        db->exec(
            "INSERT INTO tickets (id, key, version, kind, state, segment, assignee, "
            "assignment_group, category, requester, priority, created, updated, record) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            p);
        return;
    }
    // The version check and the write are one statement: a concurrent writer of the same
    // ticket waits for our row lock, then finds the version moved and updates nothing.
    p.add(w.expected_version);
    auto r = db->exec(
        "UPDATE tickets SET version = $3, kind = $4, state = $5, segment = $6, assignee = $7, "
        "assignment_group = $8, category = $9, requester = $10, priority = $11, created = $12, "
        "updated = $13, record = $14 WHERE id = $1 AND key = $2 AND version = $15",
        p);
    if (r.affected() != 1)
        throw Error(Errc::conflict, "version",
                    fmt::format("ticket {} is no longer at version {} (changed or gone)", t.id,
                                w.expected_version));
}

namespace {

constexpr const char* insert_events =
    "INSERT INTO events (seq, commit_id, ticket, at, actor, type, field, old_kind, old_value, "
    "new_kind, new_value, text, link_type, link_other, config_version) ";

// An event's columns after seq and commit_id, 13 parameters.
void add_event(Params& p, const Event& e, Symbol config) {
    p.add(e.ticket).add(to_micros(e.at));
    p.add(e.actor.view()).add(to_string(e.type)).add(e.field.view());
    add_value(p, e.old_value);
    add_value(p, e.new_value);
    p.add(std::string_view(e.text));
    if (e.link)
        p.add(to_string(e.link->type)).add(e.link->other);
    else
        p.add_null().add_null();
    if (config.empty())
        p.add_null();
    else
        p.add(config.view());
}

}  // namespace

// Numbers the events from the shared sequence (ascending within the commit), inserts them
// and notifies the other stores, naming the commit by its first seq. The common commit of
// one event takes one round trip; more take one more, to reserve their numbers.
void PostgresStore::Impl::write_events(std::vector<Event>& events, Symbol config) {
    if (events.empty()) return;
    std::string pid = std::to_string(own_pid.load());
    if (events.size() == 1) {
        Params p;
        add_event(p, events[0], config);
        p.add(std::string_view(channel)).add(std::string_view(pid));
        auto r = db->exec(
            fmt::format(
                "WITH n AS (SELECT nextval('event_seqs') AS s), ins AS ({} SELECT n.s, n.s, "
                "$1::bigint, $2::bigint, $3, $4, $5, $6::smallint, $7, $8::smallint, $9, $10, $11, "
                "$12::bigint, $13 FROM n RETURNING seq) "
                "SELECT seq, pg_notify($14, $15 || ' ' || seq) FROM ins",
                insert_events),
            p);
        events[0].seq = static_cast<std::uint64_t>(r.integer(0, 0));
        return;
    }
    Params n;
    n.add(static_cast<std::int64_t>(events.size()));
    auto r = db->exec("SELECT nextval('event_seqs') FROM generate_series(1, $1)", n);
    std::vector<std::uint64_t> seqs;
    for (int i = 0; i < r.rows(); ++i)
        seqs.push_back(static_cast<std::uint64_t>(r.integer(i, 0)));
    std::sort(seqs.begin(), seqs.end());
    constexpr std::size_t chunk = 1000;  // 15 parameters a row, under the protocol's 65535
    for (std::size_t from = 0; from < events.size(); from += chunk) {
        std::size_t to = std::min(events.size(), from + chunk);
        std::string rows;
        Params p;
        for (std::size_t i = from; i < to; ++i) {
            events[i].seq = seqs[i];
            int b = p.size();
            rows += fmt::format("{}(${}", i == from ? "" : ",", b + 1);
            for (int k = 2; k <= 15; ++k)
                rows += fmt::format(",${}", b + k);
            rows += ')';
            p.add(seqs[i]).add(seqs.front());
            add_event(p, events[i], config);
        }
        if (to < events.size()) {
            db->exec(fmt::format("{} VALUES {}", insert_events, rows), p);
            continue;
        }
        // The last rows and the notification in one statement.
        int b = p.size();
        p.add(std::string_view(channel)).add(fmt::format("{} {}", pid, seqs.front()));
        db->exec(fmt::format("WITH ins AS ({} VALUES {} RETURNING 1) SELECT pg_notify(${}, ${})",
                             insert_events, rows, b + 1, b + 2),
                 p);
    }
}

// Runs `body` as one transaction, or inside the open batch as one savepoint; on any
// failure the database is as before.
template <typename F>
void PostgresStore::Impl::transaction(F&& body) {
    auto& c = main();
    c.run(in_batch ? "SAVEPOINT step" : "BEGIN");
    try {
        body();
        c.run(in_batch ? "RELEASE SAVEPOINT step" : "COMMIT");
    } catch (...) {
        if (in_batch) {
            c.run_quietly("ROLLBACK TO SAVEPOINT step");
            c.run_quietly("RELEASE SAVEPOINT step");
        } else {
            c.run_quietly("ROLLBACK");
        }
        throw;
    }
}

PostgresStore::PostgresStore(std::string_view uri, PostgresOptions options)
    : impl_(std::make_unique<Impl>()) {
    auto& m = *impl_;
    std::string from_uri;
    m.conninfo = split_schema(uri, from_uri);
    m.schema = !options.schema.empty() ? options.schema : !from_uri.empty() ? from_uri : "public";
    check_schema_name(m.schema);
    m.channel = "itsm." + m.schema;
    m.options = std::move(options);
    m.db = m.connect();
    m.own_pid = m.db->backend_pid();
    m.migrate();
    m.side = m.connect();
}

PostgresStore::~PostgresStore() {
    impl_->stop_listener();
    if (impl_->in_batch) impl_->db->run_quietly("ROLLBACK");
}

TicketPtr PostgresStore::get(TicketId id) const {
    std::lock_guard lock(impl_->mutex);
    Params p;
    p.add(id);
    auto r = impl_->main().exec("SELECT record FROM tickets WHERE id = $1", p);
    return r.rows() ? ticket_of(r.text(0, 0)) : nullptr;
}

TicketPtr PostgresStore::get_by_key(std::string_view key) const {
    std::lock_guard lock(impl_->mutex);
    Params p;
    p.add(key);
    auto r = impl_->main().exec("SELECT record FROM tickets WHERE key = $1", p);
    return r.rows() ? ticket_of(r.text(0, 0)) : nullptr;
}

// The SQL narrows the rows (walking an index in the sort order when it can); the page
// builder re-checks each ticket, so members the SQL does not express still hold.
Page PostgresStore::query(const Query& q) const {
    std::lock_guard lock(impl_->mutex);
    auto w = detail::sql::compile_where(q);
    detail::sql::PageBuilder page(q);
    std::string select = detail::sql::page_select(q, w, "record");
    if (detail::sql::walkable(q) && !detail::sql::fully_compiled(q)) {
        impl_->scan(select, where_params(w), page);
        return page.finish();
    }
    // Every row the SQL returns is on the page (or, unwalked, sorted by the builder).
    if (detail::sql::walkable(q)) select += fmt::format(" LIMIT {}", q.limit + 1);
    auto r = impl_->main().exec(select, where_params(w));
    for (int i = 0; i < r.rows() && page.add(ticket_of(r.text(i, 0))); ++i) {
    }
    return page.finish();
}

// Rows come in chunks through a cursor, so a page that matches() filters further stops
// reading once it is full.
void PostgresStore::Impl::scan(const std::string& select, const Params& params,
                               detail::sql::PageBuilder& page) const {
    auto& c = main();
    bool own = !in_batch;
    c.run(own ? "BEGIN" : "SAVEPOINT page");
    try {
        c.exec("DECLARE page_rows NO SCROLL CURSOR FOR " + select, params);
        for (bool more = true; more;) {
            auto r = c.exec("FETCH 200 FROM page_rows");
            more = r.rows() > 0;
            for (int i = 0; more && i < r.rows(); ++i)
                more = page.add(ticket_of(r.text(i, 0)));
        }
        c.run(own ? "COMMIT" : "CLOSE page_rows; RELEASE SAVEPOINT page");
    } catch (...) {
        c.run_quietly(own ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT page");
        if (!own) c.run_quietly("RELEASE SAVEPOINT page");
        throw;
    }
}

std::size_t PostgresStore::count(const Query& q) const {
    std::lock_guard lock(impl_->mutex);
    auto w = detail::sql::compile_where(q);
    bool exact = detail::sql::fully_compiled(q);
    auto r = impl_->main().exec(
        fmt::format("SELECT {} FROM tickets WHERE {}", exact ? "count(*)" : "record", w.text),
        where_params(w));
    if (exact) return static_cast<std::size_t>(r.integer(0, 0));
    std::size_t n = 0;
    for (int i = 0; i < r.rows(); ++i)
        n += q.matches(ticket_from_record(r.text(i, 0)));
    return n;
}

std::vector<Event> PostgresStore::history(TicketId id) const {
    std::lock_guard lock(impl_->mutex);
    Params p;
    p.add(id);
    return read_events(impl_->main().exec(
        fmt::format("SELECT {} FROM events WHERE ticket = $1 ORDER BY seq", event_columns), p));
}

std::size_t PostgresStore::size() const {
    std::lock_guard lock(impl_->mutex);
    return static_cast<std::size_t>(
        impl_->main().exec("SELECT count(*) FROM tickets").integer(0, 0));
}

// On the side connection, outside any transaction of this store: numbers handed out stay
// used whatever becomes of the batch that asked, and other processes wait for no batch.
std::pair<TicketId, std::uint64_t> PostgresStore::allocate(Symbol kind) {
    std::lock_guard lock(impl_->side_mutex);
    Params p;
    p.add(fmt::format("kind.{}", kind.view()));
    auto r = impl_->side_conn().exec(
        "WITH n AS (INSERT INTO counters (name, last) VALUES ($1, 1) ON CONFLICT (name) "
        "DO UPDATE SET last = counters.last + 1 RETURNING last) "
        "SELECT nextval('ticket_ids'), last FROM n",
        p);
    return {static_cast<TicketId>(r.integer(0, 0)), static_cast<std::uint64_t>(r.integer(0, 1))};
}

void PostgresStore::commit(Commit& c) {
    std::lock_guard lock(impl_->mutex);
    auto& m = *impl_;
    for (std::size_t i = 0; i < c.tickets.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (c.tickets[j].ticket->id == c.tickets[i].ticket->id)
                throw Error(Errc::internal, fmt::format("ticket {} written twice in one commit",
                                                        c.tickets[i].ticket->id));
    m.transaction([&] {
        for (const auto& w : c.tickets)
            m.write_ticket(w);
        m.write_events(c.events, c.config_version);
    });
}

std::optional<std::string> PostgresStore::meta(std::string_view key) const {
    std::lock_guard lock(impl_->mutex);
    Params p;
    p.add(key);
    auto r = impl_->main().exec("SELECT value FROM meta WHERE key = $1", p);
    if (!r.rows()) return std::nullopt;
    return std::string(r.text(0, 0));
}

std::string PostgresStore::config_version() const {
    std::lock_guard lock(impl_->mutex);
    auto r = impl_->main().exec(
        "SELECT coalesce(config_version, '') FROM events ORDER BY seq DESC LIMIT 1");
    return r.rows() ? std::string(r.text(0, 0)) : std::string();
}

std::string PostgresStore::config_version_of(std::uint64_t seq) const {
    std::lock_guard lock(impl_->mutex);
    Params p;
    p.add(seq);
    auto r =
        impl_->main().exec("SELECT coalesce(config_version, '') FROM events WHERE seq = $1", p);
    if (!r.rows()) throw Error(Errc::not_found, "seq", fmt::format("no event {}", seq));
    return std::string(r.text(0, 0));
}

void PostgresStore::set_meta(std::string_view key, std::string_view value) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->in_batch) throw Error(Errc::internal, "set_meta inside a batch");
    Params p;
    p.add(key).add(value);
    impl_->main().exec(
        "INSERT INTO meta (key, value) VALUES ($1, $2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        p);
}

void PostgresStore::begin_batch() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->in_batch) throw Error(Errc::internal, "a batch is already open");
    impl_->main().run("BEGIN");
    impl_->in_batch = true;
}

void PostgresStore::end_batch(bool keep) {
    std::lock_guard lock(impl_->mutex);
    auto& m = *impl_;
    if (!m.in_batch) throw Error(Errc::internal, "no batch is open");
    m.in_batch = false;
    if (!keep) {
        m.db->run("ROLLBACK");
        return;
    }
    try {
        m.db->run("COMMIT");  // a failed COMMIT takes the whole batch back
    } catch (...) {
        m.db->run_quietly("ROLLBACK");
        throw;
    }
}

void PostgresStore::batch(const std::function<void()>& fn) {
    begin_batch();
    try {
        fn();
    } catch (...) {
        end_batch(false);
        throw;
    }
    end_batch(true);
}

// Collects the commits other stores announced (skipping this store's own), waiting up to
// `wait`, then reads their events on the side connection and hands them to the sink.
std::size_t PostgresStore::Impl::poll(std::chrono::milliseconds wait) {
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + wait;
    std::vector<std::string> commits;
    for (;;) {
        int socket = -1;
        {
            std::lock_guard lock(side_mutex);
            auto& c = side_conn();
            PQconsumeInput(c.handle());
            while (PGnotify* n = PQnotifies(c.handle())) {
                std::string_view payload(n->extra);
                auto space = payload.find(' ');
                if (space != std::string_view::npos &&
                    payload.substr(0, space) != std::to_string(own_pid.load()))
                    commits.emplace_back(payload.substr(space + 1));
                PQfreemem(n);
            }
            socket = PQsocket(c.handle());
        }
        auto now = clock::now();
        if (!commits.empty() || now >= deadline || stop.load()) break;
        // Short slices: a notification that arrived during another call on the side
        // connection is already buffered and would not wake the socket.
        auto slice = std::min<std::chrono::milliseconds>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                std::chrono::milliseconds(1),
            std::chrono::milliseconds(50));
        pollfd fd{socket, POLLIN, 0};
        ::poll(&fd, 1, static_cast<int>(slice.count()));
    }
    if (commits.empty()) return 0;
    std::string array = "{";
    for (const auto& id : commits)
        array += (array.size() > 1 ? "," : "") + id;
    array += '}';
    std::vector<Event> events;
    {
        std::lock_guard lock(side_mutex);
        Params p;
        p.add(array);
        events = read_events(side_conn().exec(
            fmt::format("SELECT {} FROM events WHERE commit_id = ANY($1::bigint[]) "
                        "ORDER BY array_position($1::bigint[], commit_id), seq",
                        event_columns),
            p));
    }
    std::size_t n = events.size();
    std::lock_guard lock(sink_mutex);
    if (sink && n) sink(std::move(events));
    return n;
}

void PostgresStore::Impl::stop_listener() {
    if (!listener.joinable()) return;
    stop.store(true);
    listener.join();
    stop.store(false);
}

std::size_t PostgresStore::poll(std::chrono::milliseconds wait) {
    return impl_->poll(wait);
}

void PostgresStore::set_foreign_sink(ForeignSink sink) {
    auto& m = *impl_;
    m.stop_listener();
    {
        std::lock_guard lock(m.sink_mutex);
        m.sink = std::move(sink);
    }
    bool on = static_cast<bool>(m.sink);
    {
        std::lock_guard lock(m.side_mutex);
        if (on != m.listening) {
            m.side_conn().run(fmt::format("{} \"{}\"", on ? "LISTEN" : "UNLISTEN", m.channel));
            m.listening = on;
        }
    }
    if (on && m.options.listener_thread)
        m.listener = std::thread([&m] {
            while (!m.stop.load()) {
                try {
                    m.poll(std::chrono::milliseconds(200));
                } catch (...) {
                    // The server went away: try again after a pause (side_conn reconnects).
                    std::this_thread::sleep_for(std::chrono::milliseconds(200));
                }
            }
        });
}

const std::string& PostgresStore::schema() const noexcept {
    return impl_->schema;
}

int PostgresStore::database_schema_version() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->read_version(impl_->main());
}

ITSM_END_NAMESPACE

// PostgresStore: a Store in a PostgreSQL database, shared by many engines in many processes
// (docs/storage.md, "PostgreSQL").
//
// The same layout as the SQLite store: tickets as records (itsm/record.hpp) next to indexed
// columns, events as rows numbered by seq, numbered migrations. Each commit is one
// transaction whose ticket writes are conditional on the version the writer read, so a
// concurrent edit from another process is a conflict, never a lost update. Commits made by
// other stores on the same database reach this store's foreign-event sink through
// LISTEN/NOTIFY. libpq stays out of this header.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "itsm/store.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

struct PostgresOptions {
    // The PostgreSQL schema (namespace) holding the tables, created when absent. Empty: the
    // URI's `schema` parameter if it has one, else "public". Lowercase letters, digits, '_'.
    std::string schema;
    // Foreign events (commits by other stores) are delivered from a thread of the store.
    // false: nothing is delivered until the host calls poll().
    bool listener_thread = true;
};

class PostgresStore final : public Store {
  public:
    // The schema version this library writes.
    static constexpr int schema_version = 2;

    // Connects to a "postgresql://" (or "postgres://") URI, or any libpq connection string,
    // creates or migrates the tables under an advisory lock (so concurrent openers do not
    // race), and refuses a newer schema. Throws Error(storage) with the server's message.
    explicit PostgresStore(std::string_view uri, PostgresOptions options = {});
    ~PostgresStore() override;
    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

    TicketPtr get(TicketId id) const override;
    TicketPtr get_by_key(std::string_view key) const override;
    Page query(const Query& q) const override;
    std::size_t count(const Query& q) const override;
    std::vector<Event> history(TicketId id) const override;
    std::size_t size() const override;
    std::pair<TicketId, std::uint64_t> allocate(Symbol kind) override;
    void commit(Commit& c) override;
    std::optional<std::string> meta(std::string_view key) const override;
    void set_meta(std::string_view key, std::string_view value) override;
    void begin_batch() override;
    void end_batch(bool keep) override;
    void set_foreign_sink(ForeignSink sink) override;
    // The configuration version of the latest event in the database, whichever process
    // committed it (empty when its commit named none).
    std::string config_version() const override;
    // The configuration version the event `seq` was committed under (empty when its commit
    // named none); Error(not_found) when no event has that seq.
    std::string config_version_of(std::uint64_t seq) const;

    // Waits up to `wait` for commits by other stores and hands their events to the sink on
    // the calling thread. Returns how many events it delivered. With the listener thread on,
    // that thread does this already and poll() only adds a delivery in between.
    std::size_t poll(std::chrono::milliseconds wait = std::chrono::milliseconds(0));

    // Runs `fn`; every commit it makes lands in one transaction, kept when it returns and
    // taken back when it throws. For engine operations use Engine::batch.
    void batch(const std::function<void()>& fn);

    // The PostgreSQL schema holding the tables, and its libitsm schema version.
    const std::string& schema() const noexcept;
    int database_schema_version() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True for "postgresql://" and "postgres://" URIs.
bool is_postgres_uri(std::string_view uri) noexcept;

ITSM_END_NAMESPACE

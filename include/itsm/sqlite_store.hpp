// SqliteStore: a durable Store in one SQLite file (docs/storage.md).
//
// Tickets are kept whole as ticket records (itsm/record.hpp) next to indexed columns for the
// query API; events as rows numbered by seq. Each commit is one transaction (WAL journal),
// the schema is versioned and migrated on open, and ticket numbers survive a restart.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "itsm/store.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

enum class Synchronous : std::uint8_t {
    off,     // no fsync: fast, loses recent commits (and may corrupt) on power loss
    normal,  // WAL synced at checkpoints: a power loss may lose the last commits, never corrupts
    full,    // every commit is synced before commit() returns (the default)
};

struct SqliteOptions {
    Synchronous synchronous = Synchronous::full;
    int busy_timeout_ms = 5000;  // how long to wait for another process's lock
    // Stop migrating at this schema version (0: the latest). For tests and tools that need
    // a file at an older version; the store itself works with any version it can open.
    int upgrade_to = 0;
};

class SqliteStore final : public Store {
  public:
    // The schema version this library writes.
    static constexpr int schema_version = 4;

    // Opens (creating when absent) a file given as a path or as "sqlite:///abs/path.db"
    // ("sqlite://rel/path.db" for a relative one). Migrates an older schema; refuses a newer
    // one. Throws Error(storage) with SQLite's message.
    explicit SqliteStore(std::string_view path_or_uri, SqliteOptions options = {});
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    TicketPtr get(TicketId id) const override;
    TicketPtr get_by_key(std::string_view key) const override;
    Page query(const Query& q) const override;
    std::size_t count(const Query& q) const override;
    std::vector<Event> history(TicketId id) const override;
    std::size_t size() const override;
    std::pair<TicketId, std::uint64_t> allocate(Symbol kind) override;
    void commit(Commit& c) override;
    std::vector<TicketPtr> sla_alarms(Instant until, std::size_t limit) const override;
    std::optional<std::string> meta(std::string_view key) const override;
    void set_meta(std::string_view key, std::string_view value) override;
    void begin_batch() override;
    void end_batch(bool keep) override;
    std::string config_version() const override;

    // The configuration version the event `seq` was committed under: empty when its commit
    // named none (or the file is older than schema version 4). Error(not_found) when no
    // event has that seq.
    std::string config_version_of(std::uint64_t seq) const;

    // Runs `fn`; every commit it makes lands in one transaction, kept when it returns and
    // taken back when it throws (the exception goes on). For engine operations use
    // Engine::batch, which also keeps the engine's own state in step.
    void batch(const std::function<void()>& fn);

    const std::string& path() const noexcept;
    // The schema version of the open file.
    int file_schema_version() const;
    // "ok", or what PRAGMA integrity_check found.
    std::string integrity_check() const;
    // A consistent copy of the database in a new file, while the store stays usable.
    void backup_to(std::string_view path) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "memory:" (or an empty text) gives an InMemoryStore; a postgresql:// (or postgres://) URI
// a PostgresStore; a sqlite:// URI or a path a SqliteStore. Throws Error(invalid_argument) for any
// other scheme.
std::shared_ptr<Store> open_store(std::string_view uri, SqliteOptions options = {});

ITSM_END_NAMESPACE

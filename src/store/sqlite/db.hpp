// Internal: a thin RAII layer over the SQLite C API for the SQLite store. Every failure
// becomes Error(storage) carrying SQLite's own message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "itsm/error.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail::sql {

[[noreturn]] inline void fail(sqlite3* db, std::string_view what) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    throw Error(Errc::storage, std::string(what), msg);
}

// A prepared statement, reset (and so releasing its read lock) by Use when a use ends.
class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql) : db_(db) {
        if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
            fail(db, sql);
    }
    ~Statement() { sqlite3_finalize(s_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(s_, i, v)); }
    void bind(int i, std::uint64_t v) { bind(i, static_cast<std::int64_t>(v)); }
    void bind(int i, int v) { bind(i, static_cast<std::int64_t>(v)); }
    // The text is copied unless `stable` (interned symbols outlive the statement's use).
    void bind(int i, std::string_view v, bool stable = false) {
        check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()),
                                stable ? SQLITE_STATIC : SQLITE_TRANSIENT));
    }
    void bind_null(int i) { check(sqlite3_bind_null(s_, i)); }

    // True while there is a row; false when done.
    bool step() {
        int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, sqlite3_sql(s_));
    }
    void run() {
        while (step()) {
        }
    }
    // Runs a write; false when it broke a UNIQUE or PRIMARY KEY constraint.
    bool run_unique() {
        int rc = sqlite3_step(s_);
        if (rc == SQLITE_DONE) return true;
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return false;
        fail(db_, sqlite3_sql(s_));
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(s_, col); }
    std::string_view text(int col) const {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
                 : std::string_view();
    }
    bool null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
    void reset() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }

  private:
    void check(int rc) {
        if (rc != SQLITE_OK) fail(db_, "bind");
    }
    sqlite3* db_;
    sqlite3_stmt* s_ = nullptr;
};

// One use of a cached statement: reset when the use ends, whatever happens.
class Use {
  public:
    explicit Use(Statement& s) : s_(s) {}
    ~Use() { s_.reset(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    Statement* operator->() const { return &s_; }
    Statement& operator*() const { return s_; }

  private:
    Statement& s_;
};

class Database {
  public:
    explicit Database(const std::string& path) {
        int rc = sqlite3_open_v2(path.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
        if (rc != SQLITE_OK) {
            std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
            sqlite3_close(db_);
            throw Error(Errc::storage, path, msg);
        }
        sqlite3_extended_result_codes(db_, 1);
    }
    ~Database() {
        statements_.clear();
        sqlite3_close(db_);
    }
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    sqlite3* handle() const noexcept { return db_; }
    void exec(std::string_view sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : sqlite3_errmsg(db_);
            sqlite3_free(err);
            throw Error(Errc::storage, std::string(sql.substr(0, 60)), msg);
        }
    }
    // The statement for this text, prepared once and kept.
    Statement& statement(const std::string& sql) {
        auto it = statements_.find(sql);
        if (it == statements_.end())
            it = statements_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
        return *it->second;
    }
    Use use(const std::string& sql) { return Use(statement(sql)); }
    // A statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT), prepared once.
    void run(const std::string& sql) { use(sql)->run(); }
    std::int64_t changes() const noexcept { return sqlite3_changes64(db_); }

  private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace detail::sql
ITSM_END_NAMESPACE

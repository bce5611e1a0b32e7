// Internal: a thin RAII layer over libpq for the PostgreSQL store. Every failure becomes an
// itsm::Error carrying the server's message: Errc::conflict for a unique violation (a taken
// key or id), Errc::storage otherwise.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "itsm/error.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail::pg {

struct ResultFree {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};

class Result {
  public:
    explicit Result(PGresult* r) : r_(r) {}
    int rows() const { return PQntuples(r_.get()); }
    bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
    std::string_view text(int row, int col) const {
        return {PQgetvalue(r_.get(), row, col),
                static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    std::int64_t integer(int row, int col) const {
        return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
    }
    // Rows an UPDATE or INSERT touched.
    std::int64_t affected() const { return std::strtoll(PQcmdTuples(r_.get()), nullptr, 10); }

  private:
    std::unique_ptr<PGresult, ResultFree> r_;
};

// Parameters in text form; a disengaged one is SQL NULL.
class Params {
  public:
    Params& add(std::string_view v) {
        values_.emplace_back(v);
        null_.push_back(false);
        return *this;
    }
    Params& add(std::int64_t v) { return add(std::string_view(std::to_string(v))); }
    Params& add(std::uint64_t v) { return add(static_cast<std::int64_t>(v)); }
    Params& add(int v) { return add(static_cast<std::int64_t>(v)); }
    Params& add_null() {
        values_.emplace_back();
        null_.push_back(true);
        return *this;
    }
    int size() const { return static_cast<int>(values_.size()); }
    std::vector<const char*> pointers() const {
        std::vector<const char*> out;
        for (std::size_t i = 0; i < values_.size(); ++i)
            out.push_back(null_[i] ? nullptr : values_[i].c_str());
        return out;
    }

  private:
    std::vector<std::string> values_;
    std::vector<bool> null_;
};

class Connection {
  public:
    explicit Connection(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
        if (!c_ || PQstatus(c_) != CONNECTION_OK) {
            std::string msg = c_ ? PQerrorMessage(c_) : "out of memory";
            PQfinish(c_);
            throw Error(Errc::storage, "postgresql", trimmed(msg));
        }
        // Warnings (e.g. "there is no transaction in progress") are not errors here.
        PQsetNoticeProcessor(
            c_, [](void*, const char*) {}, nullptr);
    }
    ~Connection() { PQfinish(c_); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    PGconn* handle() const noexcept { return c_; }
    int backend_pid() const noexcept { return PQbackendPID(c_); }
    bool broken() const noexcept { return PQstatus(c_) != CONNECTION_OK; }
    // Reconnects a broken connection (its session settings are gone: the caller redoes them).
    void reset() {
        PQreset(c_);
        if (broken()) throw Error(Errc::storage, "postgresql", trimmed(PQerrorMessage(c_)));
    }

    Result exec(std::string_view sql, const Params& params = {}) {
        std::string text(sql);
        auto values = params.pointers();
        PGresult* r = PQexecParams(c_, text.c_str(), params.size(), nullptr, values.data(), nullptr,
                                   nullptr, 0);
        check(r, sql);
        return Result(r);
    }
    // Runs statements that take no parameters (several, separated by ';').
    void run(std::string_view sql) {
        PGresult* r = PQexec(c_, std::string(sql).c_str());
        check(r, sql);
        PQclear(r);
    }
    // Best effort, for cleanup paths that must not throw.
    void run_quietly(const char* sql) noexcept { PQclear(PQexec(c_, sql)); }

  private:
    static std::string trimmed(std::string s) {
        while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
            s.pop_back();
        return s;
    }
    void check(PGresult* r, std::string_view sql) {
        auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
        std::string msg = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
        // Copied before PQclear, which frees the text the field points into.
        const char* field = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        std::string state = field ? field : "";
        PQclear(r);
        if (state == "23505")  // unique_violation
            throw Error(Errc::conflict, "key", msg);
        throw Error(Errc::storage, std::string(sql.substr(0, 60)), msg);
    }
    PGconn* c_;
};

}  // namespace detail::pg
ITSM_END_NAMESPACE

// A small SQL interface over two backends: SQLite (one file, the default) and PostgreSQL (several
// instances sharing one dataset) — for the registry, the API-key store and the trust store. Statements are written once with
// numbered placeholders ?1, ?2, … (the PostgreSQL driver rewrites them to $1, $2, …); every
// value is bound, nothing is spliced into SQL. Rows come back as text (NULL as nullopt).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include "aip/base/status.h"

namespace aip::sql {

enum class Dialect { kSqlite, kPostgres };

using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;
  // Query runs one statement and returns its rows.
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
  // ExecScript runs several statements without parameters (the schema).
  virtual Status ExecScript(std::string_view sql) = 0;
  // Query and ExecScript report a lost connection as kUnavailable (the next call reconnects).
  // Begin starts a write transaction: SQLite takes the write lock at once (BEGIN IMMEDIATE);
  // PostgreSQL takes a transaction-scoped advisory lock, so writers across instances commit in
  // the order of the sequence numbers they take (a cursor reader never skips a late commit).
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
};

// OpenSqlite opens (creating, mode 0600) the SQLite file at `path` in WAL mode with full sync.
Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path);
// OpenPostgres connects with a libpq connection string or URI ("postgresql://user@host/db").
Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& conninfo);

// OpenDatabase picks the backend from a URL: "sqlite:PATH" or "postgresql://..." / "postgres://...".
Result<std::unique_ptr<SqlConnection>> OpenDatabase(std::string_view url);

// Transaction rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(SqlConnection& db) : db_(db) {}
  ~Transaction() {
    if (open_) db_.Rollback();
  }
  Status Begin() {
    AIP_RETURN_IF_ERROR(db_.Begin());
    open_ = true;
    return OkStatus();
  }
  Status Commit() {
    open_ = false;
    return db_.Commit();
  }

 private:
  SqlConnection& db_;
  bool open_ = false;
};

// Int reads an integer column (0 when NULL or not a number).
std::int64_t IntOf(const std::optional<std::string>& cell);

}  // namespace aip::sql

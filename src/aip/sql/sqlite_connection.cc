// The SQLite backend of the SQL interface, on the project's private-file opener.
#include <charconv>
#include <cstdio>

#include "aip/sql/sql.h"
#include "aip/sqlite/database.h"

namespace aip::sql {
namespace {

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    sqlite::Statement s(*db_, std::string(sql));
    if (!s.ok()) return db_->ErrorFor("prepare");
    for (std::size_t i = 0; i < params.size(); ++i) {
      int n = static_cast<int>(i) + 1;
      if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
        s.Bind(n, *v);
      } else if (const auto* t = std::get_if<std::string>(&params[i])) {
        s.Bind(n, std::string_view(*t));
      } else {
        s.BindNull(n);
      }
    }
    std::vector<SqlRow> rows;
    for (;;) {
      int rc = s.Step();
      if (rc == sqlite::kDone) break;
      if (rc != sqlite::kRow) {
        // A unique-key violation is an input conflict, not a backend failure.
        if (rc == 19 /* SQLITE_CONSTRAINT */) return AlreadyExistsError("constraint violated");
        return db_->ErrorFor("query");
      }
      SqlRow row;
      int cols = s.ColumnCount();
      row.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        if (s.IsNull(c)) {
          row.emplace_back(std::nullopt);
        } else if (s.IsReal(c)) {
          // Seventeen significant digits read back as the same double; SQLite's own text has 15.
          char buf[40];
          std::snprintf(buf, sizeof buf, "%.17g", s.Real(c));
          row.emplace_back(buf);
        } else {
          row.emplace_back(s.Text(c));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status ExecScript(std::string_view sql) override { return db_->Exec(std::string(sql).c_str()); }
  Status Begin() override { return db_->Exec("BEGIN IMMEDIATE"); }
  Status Commit() override { return db_->Exec("COMMIT"); }
  void Rollback() override { (void)db_->Exec("ROLLBACK"); }

 private:
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path) {
  AIP_ASSIGN_OR_RETURN(auto db, sqlite::Database::OpenPrivate(path, ""));
  return std::unique_ptr<SqlConnection>(new SqliteConnection(std::move(db)));
}

Result<std::unique_ptr<SqlConnection>> OpenDatabase(std::string_view url) {
  if (url.starts_with("sqlite:")) {
    std::string path(url.substr(7));
    if (path.empty()) return InvalidArgumentError("database URL: sqlite: needs a path");
    return OpenSqlite(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return OpenPostgres(std::string(url));
  return InvalidArgumentError("database URL must start with sqlite: or postgresql://");
}

std::int64_t IntOf(const std::optional<std::string>& cell) {
  if (!cell) return 0;
  std::int64_t v = 0;
  const char* end = cell->data() + cell->size();
  // PostgreSQL renders doubles and numerics as text too; an integer column has no fraction.
  if (std::from_chars(cell->data(), end, v).ec != std::errc()) return 0;
  return v;
}

}  // namespace aip::sql

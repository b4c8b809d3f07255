// Database: one SQLite file holding secrets or signed records, opened the way aip needs it —
// created mode 0600 (refused if others can read it), WAL so a server reads while the CLI writes,
// a busy writer waited for, full sync. Statement binds every value; nothing is spliced into SQL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aip/base/bytes.h"
#include "aip/base/clock.h"
#include "aip/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace aip::sqlite {

inline constexpr int kRow = 100;   // SQLITE_ROW
inline constexpr int kDone = 101;  // SQLITE_DONE

std::int64_t Seconds(TimePoint t);
// LibraryVersion is the linked SQLite's version ("3.40.1").
std::string LibraryVersion();
TimePoint FromSeconds(std::int64_t s);

class Database {
 public:
  // OpenPrivate opens (creating when missing, with a 0700 parent) `path` and runs `schema`.
  static Result<std::unique_ptr<Database>> OpenPrivate(const std::filesystem::path& path, std::string_view schema);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  Status Exec(const char* sql);
  // Changes: rows changed by the last statement.
  int Changes() const;
  // DataVersion changes whenever another connection committed a write.
  Result<std::int64_t> DataVersion();
  Error ErrorFor(std::string_view what) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  Database(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::filesystem::path path_;
};

// Statement owns one prepared statement.
class Statement {
 public:
  Statement(const Database& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& Bind(int i, std::string_view text);
  Statement& Bind(int i, ByteSpan blob);
  Statement& Bind(int i, std::int64_t v);
  Statement& Bind(int i, double v);
  Statement& BindNull(int i);
  Statement& Bind(int i, std::optional<TimePoint> t);
  // Step: kRow, kDone, or an SQLite error code.
  int Step();
  std::string Text(int col) const;
  Bytes Blob(int col) const;
  std::optional<TimePoint> Time(int col) const;
  std::int64_t Int(int col) const;
  double Real(int col) const;
  bool IsNull(int col) const;
  bool IsReal(int col) const;  // A floating-point value (Real reads it exactly; Text rounds to 15 digits).
  int ColumnCount() const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace aip::sqlite

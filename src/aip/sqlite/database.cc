#include "aip/sqlite/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aip/base/file_io.h"

namespace aip::sqlite {

static_assert(kRow == SQLITE_ROW && kDone == SQLITE_DONE);

std::int64_t Seconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }
std::string LibraryVersion() { return sqlite3_libversion(); }

TimePoint FromSeconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

Result<std::unique_ptr<Database>> Database::OpenPrivate(const std::filesystem::path& path, std::string_view schema) {
  if (path.has_parent_path()) {
    std::error_code ec;
    if (!std::filesystem::exists(path.parent_path(), ec)) AIP_RETURN_IF_ERROR(EnsurePrivateDirectory(path.parent_path()));
  }
  // Create the file ourselves with mode 0600; SQLite gives its journal files the same mode.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot open " + path.string());
  struct stat st {};
  bool exposed = ::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0;
  ::close(fd);
  if (exposed) return FailedPreconditionError(path.string() + " is readable by others; chmod 600 it");
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return UnavailableError("cannot open " + path.string() + ": " + msg);
  }
  std::unique_ptr<Database> out(new Database(db, path));
  sqlite3_busy_timeout(db, 5000);
  std::string schema_sql(schema);
  for (const char* sql : {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", schema_sql.c_str()}) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return out->ErrorFor(path.string());
  }
  return out;
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return ErrorFor(sql);
  return OkStatus();
}

int Database::Changes() const { return sqlite3_changes(db_); }

Result<std::int64_t> Database::DataVersion() {
  Statement s(*this, "PRAGMA data_version");
  if (!s.ok() || s.Step() != kRow) return ErrorFor("data_version");
  return s.Int(0);
}

Error Database::ErrorFor(std::string_view what) const { return InternalError(std::string(what) + ": " + sqlite3_errmsg(db_)); }

Statement::Statement(const Database& db, const std::string& sql) {
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
}
Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int i, ByteSpan blob) {
  sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Statement& Statement::Bind(int i, std::optional<TimePoint> t) {
  if (t) {
    sqlite3_bind_int64(stmt_, i, Seconds(*t));
  } else {
    sqlite3_bind_null(stmt_, i);
  }
  return *this;
}
int Statement::Step() { return sqlite3_step(stmt_); }
std::string Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
}
Bytes Statement::Blob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  return p == nullptr ? Bytes() : Bytes(p, p + sqlite3_column_bytes(stmt_, col));
}
std::optional<TimePoint> Statement::Time(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return FromSeconds(sqlite3_column_int64(stmt_, col));
}
std::int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::Real(int col) const { return sqlite3_column_double(stmt_, col); }

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
bool Statement::IsReal(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_FLOAT; }

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

}  // namespace aip::sqlite

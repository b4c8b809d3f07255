// The PostgreSQL backend of the SQL interface, on libpq. Parameters travel separately from the
// statement text (PQexecParams), as text. A connection the server dropped (a restart, a failover)
// is reset on the next call, so callers recover by themselves.
#include <libpq-fe.h>

#include <cctype>

#include "aip/sql/sql.h"

namespace aip::sql {
namespace {

// ToDollarPlaceholders rewrites ?N to $N outside string literals.
std::string ToDollarPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (!quoted && c == '?' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += '$';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }
  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
        texts[i] = std::to_string(*v);
        values[i] = texts[i].c_str();
      } else if (const auto* t = std::get_if<std::string>(&params[i])) {
        values[i] = t->c_str();
      }
    }
    AIP_RETURN_IF_ERROR(Reconnect());
    std::string text = ToDollarPlaceholders(sql);
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr, values.data(), nullptr, nullptr, 0);
    auto status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      bool unique = state != nullptr && std::string_view(state) == "23505";
      std::string message = PQresultErrorMessage(res);
      PQclear(res);
      if (unique) return AlreadyExistsError("constraint violated");
      return Failure(message);
    }
    std::vector<SqlRow> rows;
    int n = PQntuples(res);
    int cols = PQnfields(res);
    rows.reserve(n);
    for (int r = 0; r < n; ++r) {
      SqlRow row;
      row.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    PQclear(res);
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    AIP_RETURN_IF_ERROR(Reconnect());
    PGresult* res = PQexec(conn_, std::string(sql).c_str());
    auto status = PQresultStatus(res);
    std::string message = PQresultErrorMessage(res);
    PQclear(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Failure(message);
    return OkStatus();
  }

  // Every writer holds one advisory lock until its commit, so sequence numbers become visible in
  // order (see sql.h).
  Status Begin() override {
    AIP_RETURN_IF_ERROR(ExecScript("BEGIN; SELECT pg_advisory_xact_lock(4242001);"));
    in_transaction_ = true;
    return OkStatus();
  }
  Status Commit() override {
    Status s = ExecScript("COMMIT");
    in_transaction_ = false;
    return s;
  }
  void Rollback() override {
    (void)ExecScript("ROLLBACK");
    in_transaction_ = false;
  }

 private:
  // Reconnect resets a connection the server dropped; still down: kUnavailable.
  Status Reconnect() {
    if (PQstatus(conn_) == CONNECTION_OK) return OkStatus();
    // Never inside a transaction: its remaining statements would each commit on their own.
    if (in_transaction_) return UnavailableError("postgresql: the connection was lost during a transaction");
    PQreset(conn_);
    if (PQstatus(conn_) == CONNECTION_OK) return OkStatus();
    return UnavailableError("postgresql: " + Trimmed(PQerrorMessage(conn_)));
  }
  // Failure names a failed statement: kUnavailable when the connection is gone (retry later),
  // kInternal otherwise.
  Status Failure(const std::string& message) const {
    if (PQstatus(conn_) != CONNECTION_OK) return UnavailableError("postgresql: " + Trimmed(message));
    return InternalError("postgresql: " + Trimmed(message));
  }

  PGconn* conn_;
  bool in_transaction_ = false;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return UnavailableError("postgresql: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names the host and the reason; it never contains the password.
    std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return UnavailableError("postgresql: " + message);
  }
  // Notices (such as "relation already exists, skipping") are not errors; keep stderr quiet.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<SqlConnection>(new PostgresConnection(conn));
}

}  // namespace aip::sql

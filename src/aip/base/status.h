// Status and Result<T>: the only error vocabulary of libaip.
//
// Result<T> is a strict subset of C++23 std::expected<T, Error>. Nothing in the library throws across
// its API; errors are values, mapped to HTTP statuses, JSON-RPC codes or CLI exit codes once, at
// the edge. Messages are safe to log: they never carry secrets, tokens or key material.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace aip {

enum class ErrorCode : std::uint8_t {
  kInvalidArgument,     // Malformed input: bad JSON, bad encoding, wrong key length.
  kUnauthenticated,     // A signature or credential did not verify.
  kPermissionDenied,    // The caller is known; policy says no.
  kNotFound,            // Unknown DID, key, file or tool.
  kAlreadyExists,       // Refusing to overwrite (an identity without --force).
  kFailedPrecondition,  // Cannot decide yet; callers deny.
  kResourceExhausted,   // A size or rate limit was hit.
  kUnavailable,         // A dependency is unreachable; callers deny.
  kInternal,            // A broken invariant or backend failure: a bug, not an input.
};

std::string_view ErrorCodeName(ErrorCode code);

// Error is a code plus a human-readable, log-safe message.
struct Error {
  ErrorCode code;
  std::string message;
};

// Status is OK or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;                                            // OK.
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design.

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  ErrorCode code() const { return error_.code; }
  const std::string& message() const { return error_.message; }
  // error() is valid only when !ok().
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }
  std::string ToString() const;

 private:
  Error error_{ErrorCode::kInternal, {}};
  bool ok_ = true;
};

inline Status OkStatus() { return Status(); }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : rep_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Result(Error error) : rep_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  // A failed Status converts to a failed Result; converting an OK status is a bug.
  Result(Status status)  // NOLINT
      : rep_(std::in_place_index<1>, status.ok() ? Error{ErrorCode::kInternal, "OK status as Result"} : std::move(status).error()) {}

  bool has_value() const { return rep_.index() == 0; }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  const T& value() const& { return std::get<0>(rep_); }
  T& value() & { return std::get<0>(rep_); }
  T&& value() && { return std::get<0>(std::move(rep_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const& { return std::get<1>(rep_); }
  Error&& error() && { return std::get<1>(std::move(rep_)); }
  Status status() const { return has_value() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> rep_;
};

// Helpers that build errors with a code.
inline Error InvalidArgumentError(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Error UnauthenticatedError(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
inline Error PermissionDeniedError(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
inline Error NotFoundError(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Error AlreadyExistsError(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Error FailedPreconditionError(std::string m) { return {ErrorCode::kFailedPrecondition, std::move(m)}; }
inline Error ResourceExhaustedError(std::string m) { return {ErrorCode::kResourceExhausted, std::move(m)}; }
inline Error UnavailableError(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Error InternalError(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

// Prefix returns `status` with "context: " prepended to its message (OK stays OK).
Status Prefix(std::string_view context, Status status);

}  // namespace aip

#define AIP_CONCAT_INNER_(a, b) a##b
#define AIP_CONCAT_(a, b) AIP_CONCAT_INNER_(a, b)

// AIP_RETURN_IF_ERROR(expr): returns the error of a Status-returning expression.
#define AIP_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::aip::Status aip_status_ = (expr);        \
    if (!aip_status_.ok()) return aip_status_; \
  } while (false)

// AIP_ASSIGN_OR_RETURN(decl, expr): on error returns it; otherwise moves the value into decl.
#define AIP_ASSIGN_OR_RETURN(decl, expr) AIP_ASSIGN_OR_RETURN_IMPL_(AIP_CONCAT_(aip_result_, __LINE__), decl, expr)
#define AIP_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                                \
  if (!tmp) return std::move(tmp).error();          \
  decl = std::move(tmp).value()

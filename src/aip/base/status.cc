#include "aip/base/status.h"

namespace aip {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission denied";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kAlreadyExists:
      return "already exists";
    case ErrorCode::kFailedPrecondition:
      return "failed precondition";
    case ErrorCode::kResourceExhausted:
      return "resource exhausted";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok_) return "OK";
  return std::string(ErrorCodeName(error_.code)) + ": " + error_.message;
}

Status Prefix(std::string_view context, Status status) {
  if (status.ok()) return status;
  Error e = std::move(status).error();
  e.message = std::string(context) + ": " + e.message;
  return e;
}

}  // namespace aip

// AuditSink: where the pipeline records its decisions and outcomes. AuditLog (audit_log.h) is
// the hash-chained, signed file; tests record into memory behind the same interface.
#pragma once

#include <optional>

#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::gateway {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Append records one line; a failure means the call it describes must not go on.
  virtual Status Append(json::Object record) = 0;
  // RecordedArguments is what a decision line keeps of a call's arguments (redacted as
  // configured), or nullopt when arguments are not recorded.
  virtual std::optional<json::Value> RecordedArguments(const json::Object& arguments) const = 0;
};

}  // namespace aip::gateway

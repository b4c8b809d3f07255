// DenialError is the JSON-RPC error a caller gets when policy refuses its call: the message
// names the cause in words a model can act on, as far as `detail` reveals it; data carries the
// rule, the stable reason code, the failed field and `correlationId` (the audit line's
// request_id). The authorize stage adds `requiredScopes` when a scope would allow the call.
#pragma once

#include <string_view>

#include "aip/gateway/config.h"
#include "aip/mcp/server.h"  // The aip error codes.
#include "aip/policy/policy.h"

namespace aip::gateway {

mcp::RpcError DenialError(const policy::Decision& decision, DenialDetail detail, std::string_view target, std::string_view correlation_id);

}  // namespace aip::gateway

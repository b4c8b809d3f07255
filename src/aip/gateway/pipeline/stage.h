// Stage: one step of the gateway pipeline (stages.h lists them in order). A stage reads and
// extends the GatewayCall and either lets it go on (nullopt) or answers it — a result or a
// JSON-RPC error — which ends the pipeline for that call, like a filter that stops the chain.
#pragma once

#include <optional>
#include <string_view>

#include "aip/gateway/pipeline/call.h"

namespace aip::gateway {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  virtual std::optional<Outcome> Run(GatewayCall& call) = 0;
};

}  // namespace aip::gateway

// The gateway logs through the servers' shared JSON-lines log (aip/base/log.h).
#pragma once
#include "aip/base/log.h"

namespace aip::gateway {

using aip::LogEvent;

}  // namespace aip::gateway

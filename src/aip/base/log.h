// The servers' log: one JSON object per line on stderr ({"time", "level", "event", ...fields}),
// whole lines even from several threads. Callers pass names, DIDs, URLs and reasons; secrets and
// tokens are never given to it.
#pragma once
#include <string_view>

#include "aip/base/json.h"

namespace aip {

void LogEvent(std::string_view level, std::string_view event, json::Object fields = {});

}  // namespace aip

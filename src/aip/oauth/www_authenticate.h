// Reading a WWW-Authenticate header (RFC 9110 §11.6.1): a list of challenges, each a scheme with
// either auth-params (name=token or name="quoted string") or a token68. An OAuth client reads
// the Bearer challenge's resource_metadata (RFC 9728 §5.1), scope and error (RFC 6750 §3).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/status.h"

namespace aip::oauth {

struct Challenge {
  std::string scheme;                         // Lowercased ("bearer", "dpop").
  std::map<std::string, std::string> params;  // Names lowercased; values unquoted.
  std::string token68;
  std::optional<std::string_view> Param(std::string_view lower_name) const;
};

// ParseWwwAuthenticate refuses malformed headers, a parameter named twice in one challenge, and
// headers over 8 KiB.
Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header);

// FindChallenge returns the first challenge with this (lowercase) scheme.
const Challenge* FindChallenge(const std::vector<Challenge>& challenges, std::string_view lower_scheme);

}  // namespace aip::oauth

// application/x-www-form-urlencoded, as OAuth speaks it: token and registration requests are
// form bodies, and authorization responses come back as a redirect's query string. Parsing is
// strict because the values decide where codes and tokens go: a parameter may appear only once
// (RFC 6749 §3.1) and a malformed escape is an error, not a guess.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"

namespace aip::oauth {

// FormEncode percent-encodes a value (everything but ALPHA DIGIT - . _ ~).
std::string FormEncode(std::string_view value);

// ParseForm decodes "a=1&b=x+y" ('+' is a space). Repeated names, bad escapes, NUL bytes and
// more than 64 parameters are refused.
Result<std::map<std::string, std::string>> ParseForm(std::string_view text);

// BasicAuthorization is the "Basic ..." header value of client_secret_basic: id and secret are
// form-encoded before base64 (RFC 6749 §2.3.1).
std::string BasicAuthorization(std::string_view client_id, const crypto::SecretBytes& secret);

}  // namespace aip::oauth

// Forms as OAuth speaks them: token and registration requests are form bodies, authorization
// responses come back as a redirect's query string, and client_secret_basic form-encodes the
// credentials before base64.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/net/form.h"

namespace aip::oauth {

// The form codec lives in net (servers other than OAuth's parse query strings too).
using net::FormEncode;
using net::ParseForm;

// BasicAuthorization is the "Basic ..." header value of client_secret_basic: id and secret are
// form-encoded before base64 (RFC 6749 §2.3.1).
std::string BasicAuthorization(std::string_view client_id, const crypto::SecretBytes& secret);

}  // namespace aip::oauth

// Introspector: opaque access tokens checked by asking the authorization server (RFC 7662).
// The gateway authenticates itself to the introspection endpoint with its own client id and
// secret (client_secret_basic), posts the token, and accepts only an answer that says
// "active": true for our issuer and our resource (aud), with an expiry; jose::CheckClaims then
// applies the same rules as to a JWT.
#pragma once

#include <string>

#include "aip/crypto/secret_bytes.h"
#include "aip/jose/jwt.h"
#include "aip/net/http_client.h"

namespace aip::oauth {

struct IntrospectionOptions {
  std::string endpoint;  // https (or http to loopback).
  std::string client_id;
  crypto::SecretBytes client_secret;
  net::HttpClientOptions http;
};

class Introspector {
 public:
  explicit Introspector(IntrospectionOptions options) : options_(std::move(options)) {}
  // Introspect returns the token's claims when the server calls it active and the claims pass
  // `check`; kUnauthenticated otherwise, kUnavailable when the server cannot be asked.
  Result<json::Object> Introspect(std::string_view token, const jose::JwtCheck& check) const;

 private:
  IntrospectionOptions options_;
};

}  // namespace aip::oauth

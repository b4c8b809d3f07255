// The signature ways in: an aip call proof in _meta ([auth] aip_proof) and an RFC 9421
// HTTP message signature ([auth] http_signature), both on by default.
#pragma once

#include "aip/gateway/auth/feature.h"

namespace aip::gateway {

Result<std::unique_ptr<AuthFeature>> ProofFeatureFromConfig(const AuthFeatureContext& context);
Result<std::unique_ptr<AuthFeature>> HttpSignatureFeatureFromConfig(const AuthFeatureContext& context);

}  // namespace aip::gateway

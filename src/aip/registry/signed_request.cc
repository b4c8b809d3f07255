#include "aip/registry/signed_request.h"

#include "aip/httpsig/message_signature.h"
#include "aip/identity/did_key.h"
#include "aip/identity/resolver.h"

namespace aip::registry {

Status SignRegistryRequest(const identity::Identity& signer, std::string_view method, std::string_view target_uri, net::Headers& headers,
                           std::string_view body) {
  httpsig::SignOptions options;
  options.keyid = signer.verification_method();
  options.tag = std::string(kRequestTag);
  options.lifetime = std::chrono::seconds(120);
  return httpsig::SignRequest(
      std::string(method), std::string(target_uri), headers, body,
      [&signer](ByteSpan base) { return signer.SignStandard(identity::StandardInput::kHttpSignatureBase, base); }, options);
}

Result<std::string> RequestVerifier::Verify(const net::HttpRequest& request) const {
  if (public_url_.empty()) return UnavailableError("signed request: this registry has no public URL configured");
  httpsig::HttpMessage m{request.method, public_url_ + request.target, &request.headers};
  httpsig::VerifyOptions options;
  options.required_components = {"@method", "@target-uri"};
  options.tag = std::string(kRequestTag);
  options.clock = clock_;
  identity::DidKeyResolver resolver;
  std::string signer_did;
  options.key_for = [&](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
    if (!keyid.starts_with("did:key:")) return UnauthenticatedError("signed request: keyid must be a did:key URL");
    AIP_ASSIGN_OR_RETURN(auto vm, resolver.ResolveKey(keyid, identity::Purpose::kAuthentication));
    signer_did = vm.controller;
    return vm.key;
  };
  auto verified = httpsig::VerifyRequest(m, request.body, options);
  if (!verified) return UnauthenticatedError("signed request: " + verified.error().message);
  if (verified->nonce.size() < 16) return UnauthenticatedError("signed request: needs a nonce");
  // Remembered for longer than any signature can live (created + lifetime + skew).
  TimePoint until = verified->created + options.max_lifetime + 2 * options.max_skew;
  auto fresh = replay_->Remember(verified->keyid + " " + verified->nonce, until, clock_->Now());
  if (!fresh.ok()) {
    // Fail closed: a cache that cannot answer refuses the request (503), it never waves it on.
    if (fresh.error().code != ErrorCode::kUnauthenticated) return UnavailableError("replay cache unavailable");
    return UnauthenticatedError("signed request: replayed nonce");
  }
  return signer_did;
}

}  // namespace aip::registry

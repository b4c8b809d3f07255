#include "aip/mcpsig/authenticator.h"

#include "aip/httpsig/message_signature.h"
#include "aip/identity/did_key.h"
#include "aip/resolvers/did_web_resolver.h"

namespace aip::mcpsig {

std::variant<authn::Principal, authn::AuthFailure> ProofAuthenticator::Verify(const authn::Credential&, const json::Object& request,
                                                                              const authn::HttpInfo*) {
  std::shared_ptr<const VerifyOptions> options;
  {
    std::lock_guard lock(mu_);
    options = options_;
  }
  auto verified = VerifyRequest(request, *options);  // Copies: the server keeps its request.
  if (auto* err = std::get_if<ProofError>(&verified)) return authn::AuthFailure{err->reason, err->message};
  return std::get<authn::Principal>(std::move(verified));
}

std::variant<authn::Principal, authn::AuthFailure> HttpSignatureAuthenticator::Verify(const authn::Credential&, const json::Object&,
                                                                                      const authn::HttpInfo* http) {
  httpsig::VerifyOptions o;
  std::optional<identity::VerificationMethod> method;
  o.key_for = [&](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
    AIP_ASSIGN_OR_RETURN(identity::VerificationMethod m, resolver_->ResolveKey(keyid, identity::Purpose::kAuthentication));
    method = m;
    return m.key;
  };
  o.tag = "aip-mcp";
  httpsig::HttpMessage m{http->method, http->target_uri, http->headers};
  auto v = httpsig::VerifyRequest(m, http->body, o);
  if (!v) {
    const std::string& why = v.error().message;
    const char* reason = why.find("digest mismatch") != std::string::npos ? "digest_mismatch"
                         : why.find("ambiguous:") != std::string::npos    ? "ambiguous_credentials"
                                                                          : "bad_http_signature";
    return authn::AuthFailure{reason, why};
  }
  if (v->nonce.size() < 16 || v->nonce.size() > 128) {
    return authn::AuthFailure{"bad_http_signature", "the signature needs a nonce of 16 to 128 characters"};
  }
  if (replay_cache_) {
    Status s = replay_cache_->Remember(v->keyid + "|" + v->nonce, v->created, v->created + std::chrono::minutes(6), DefaultClock().Now());
    if (auto refused = authn::ReplayRefusal(s)) return authn::AuthFailure{refused->reason, refused->message};
  }
  authn::Principal p;
  p.kind = authn::Principal::Kind::kAgent;
  p.did = method->controller;
  p.id = p.did;
  p.verification_method = method->id;
  p.audience = http->target_uri;
  p.created = v->created;
  return p;
}

void ProofAuthenticator::AddAudience(std::string audience) {
  std::lock_guard lock(mu_);
  auto next = std::make_shared<VerifyOptions>(*options_);
  next->audiences.push_back(std::move(audience));
  options_ = std::move(next);
}

void ProofResultSigner::Sign(const json::Object& request, json::Object& result) {
  // A result that cannot be signed goes out unsigned; clients that require signatures refuse it.
  (void)SignResult(request, result, *signer_);
}

mcp::ClientOptions SignedClientOptions(const SignedClientConfig& config, mcp::ClientOptions options) {
  if (config.signer) {
    auto signer = config.signer;
    std::string audience = config.audience;
    options.before_send = [signer, audience](json::Object& request) {
      return SignRequest(request, *signer, SignOptions{audience, std::chrono::seconds(120), &DefaultClock()});
    };
  }
  auto resolver = DefaultResolver();
  bool require = config.require_signed_result || config.expected_server.has_value() || config.check_signer != nullptr;
  auto expected = config.expected_server;
  auto on_verified = config.on_verified_result;
  auto check_signer = config.check_signer;
  options.after_receive = [resolver, require, expected, on_verified, check_signer](const json::Object& request,
                                                                                   const json::Object& result) -> Status {
    const json::Value* meta = result.if_contains("_meta");
    bool signed_result = meta != nullptr && meta->is_object() && meta->get_object().contains(kProofKey);
    if (!signed_result) return require ? UnauthenticatedError("the server did not sign its result") : OkStatus();
    auto v = VerifyResult(request, result, *resolver, expected);
    if (!v) return v.status();
    if (check_signer) AIP_RETURN_IF_ERROR(check_signer(v->signer));
    if (on_verified) on_verified(v->signer);
    return OkStatus();
  };
  return options;
}

mcp::HttpRequestSigner HttpSigner(std::shared_ptr<const identity::Identity> signer) {
  return [signer](std::string_view method, std::string_view url, net::Headers& headers, std::string_view body) {
    httpsig::SignOptions o;
    o.keyid = signer->verification_method();
    return httpsig::SignRequest(
        std::string(method), std::string(url), headers, body,
        [&signer](ByteSpan base) { return signer->SignStandard(identity::StandardInput::kHttpSignatureBase, base); }, o);
  };
}

std::shared_ptr<const identity::DidResolver> DefaultResolver() {
  auto r = std::make_shared<identity::CompositeResolver>();
  r->Register(std::string(identity::kDidKeyPrefix), std::make_shared<identity::DidKeyResolver>());
  // did:web documents are fetched over verified HTTPS from public addresses, cached 5 minutes
  // (failures 30 s), one fetch per DID at a time and at most 8 at once (resolvers/did_web_resolver.h).
  r->Register("did:web:", std::make_shared<resolvers::CachingResolver>(std::make_shared<resolvers::DidWebResolver>()));
  return r;
}

}  // namespace aip::mcpsig

#include "aip/mcpsig/legacy_headers.h"

#include "aip/base/encoding.h"
#include "aip/crypto/sha.h"
#include "aip/identity/did_aip.h"

namespace aip::mcpsig {
namespace {

constexpr std::chrono::seconds kMaxAge{300};  // The Python middleware's window.
constexpr std::chrono::seconds kMaxFutureSkew{60};

authn::AuthFailure Refuse(std::string message) { return authn::AuthFailure{"bad_legacy_signature", std::move(message)}; }

}  // namespace

std::variant<authn::Principal, authn::AuthFailure> LegacyAipHeaderAuthenticator::Verify(const authn::Credential&, const json::Object&,
                                                                                        const authn::HttpInfo* http) {
  const net::Headers& h = *http->headers;
  auto did = h.Get("x-aip-did");
  auto sig = h.Get("x-aip-signature");
  auto ts = h.Get("x-aip-timestamp");
  auto nonce = h.Get("x-aip-nonce");
  if (!did || !ts || !nonce) return Refuse("X-AIP-DID, X-AIP-Timestamp and X-AIP-Nonce are required");
  for (const char* name : {"x-aip-did", "x-aip-signature", "x-aip-timestamp", "x-aip-nonce"}) {
    if (h.Count(name) != 1) return Refuse("each X-AIP header must appear once");
  }
  if (nonce->size() != 16 || nonce->find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return Refuse("X-AIP-Nonce must be 16 lowercase hex characters");
  }
  auto when = ParseTime(*ts);
  if (!when) return Refuse("X-AIP-Timestamp is not an ISO 8601 time");
  TimePoint now = clock_->Now();
  if (*when > now + kMaxFutureSkew) return Refuse("X-AIP-Timestamp is in the future");
  if (*when + kMaxAge < now) return authn::AuthFailure{"expired", "X-AIP-Timestamp is too old"};
  auto signature = Base64Decode(*sig);
  if (!signature) return Refuse("X-AIP-Signature is not base64");

  // The DID's key: did:key from the identifier, did:aip from a keyring or registry.
  std::string vm = std::string(*did) + "#key";
  // Its first key for authentication; did:key and keyring DIDs answer without building a document.
  Result<crypto::Ed25519PublicKey> found = resolver_->KeyOf(*did, identity::Purpose::kAuthentication);
  if (!found) {
    return authn::AuthFailure{"unresolvable_did", found.error().code == ErrorCode::kNotFound
                                                      ? "the signer's DID does not resolve"
                                                      : "the signer's DID: " + found.error().message};
  }
  const crypto::Ed25519PublicKey& key = *found;
  if ((did->starts_with("did:aip:") || did->starts_with("did:key:")) && !identity::DidMatchesKey(*did, key)) {
    return authn::AuthFailure{"unresolvable_did", "the DID does not match its key"};
  }

  auto parsed = net::ParseUrl(http->target_uri);
  std::string path = parsed ? parsed->target.substr(0, parsed->target.find('?')) : "/";
  std::string payload =
      http->method + ":" + path + ":" + std::string(*ts) + ":" + std::string(*nonce) + ":" + HexEncode(crypto::Sha256(AsBytes(http->body)));
  if (!crypto::Verify(key, AsBytes(payload), *signature).ok()) return Refuse("the X-AIP signature does not verify");
  if (replay_cache_) {
    Status s = replay_cache_->Remember("x-aip|" + std::string(*did) + "|" + std::string(*nonce), *when, *when + kMaxAge, now);
    if (auto refused = authn::ReplayRefusal(s)) return authn::AuthFailure{refused->reason, refused->message};
  }
  authn::Principal p;
  p.kind = authn::Principal::Kind::kAgent;
  p.did = std::string(*did);
  p.id = p.did;
  p.verification_method = vm;
  p.created = *when;
  p.attributes["credential"] = "python-aip-headers";
  return p;
}

}  // namespace aip::mcpsig

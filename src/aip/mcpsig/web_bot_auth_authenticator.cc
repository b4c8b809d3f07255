#include "aip/mcpsig/web_bot_auth_authenticator.h"

#include <optional>

#include "aip/httpsig/web_bot_auth.h"
#include "aip/identity/did_key.h"

namespace aip::mcpsig {
namespace {

// Reason codes a client and the audit log can rely on: what was wrong, not the wording.
std::string_view ReasonFor(const Error& e) {
  if (e.code == ErrorCode::kUnavailable) return "bot_directory_unavailable";
  if (e.code == ErrorCode::kPermissionDenied) return "bot_origin_not_accepted";
  if (e.message.find("not in the key directory") != std::string::npos) return "bot_unknown_key";
  if (e.message.find("key directory of") != std::string::npos) return "bot_directory_invalid";
  return "bad_web_bot_auth";
}

}  // namespace

std::variant<authn::Principal, authn::AuthFailure> WebBotAuthAuthenticator::Verify(const authn::Credential&, const json::Object&,
                                                                                   const authn::HttpInfo* http) {
  if (http == nullptr || http->headers == nullptr) return authn::AuthFailure{"bad_web_bot_auth", "Web Bot Auth needs an HTTP request"};
  std::optional<crypto::Ed25519PublicKey> key;
  httpsig::WebBotAuthVerifyOptions o;
  o.key_for = [&](std::string_view keyid, std::string_view agent) -> Result<crypto::Ed25519PublicKey> {
    AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey k, options_.directories->Key(keyid, agent));
    key = k;
    return k;
  };
  // The directory is found through Signature-Agent: without it there is nowhere to look.
  o.require_signature_agent = true;
  o.require_nonce = options_.require_nonce;
  o.max_lifetime = options_.max_lifetime;
  o.max_skew = options_.max_skew;
  o.clock = options_.clock;
  httpsig::HttpMessage m{http->method, http->target_uri, http->headers};
  auto bot = httpsig::VerifyWebBotAuth(m, http->body, o);
  if (!bot) return authn::AuthFailure{std::string(ReasonFor(bot.error())), "Web Bot Auth: " + bot.error().message};
  if (!bot->nonce.empty()) {
    if (bot->nonce.size() < 16 || bot->nonce.size() > 128) {
      return authn::AuthFailure{"bad_web_bot_auth", "Web Bot Auth: the nonce must be 16 to 128 characters"};
    }
    if (options_.replay_cache) {
      // Kept as long as any signature created then could still be accepted.
      TimePoint until = bot->created + options_.max_lifetime + options_.max_skew;
      Status s = options_.replay_cache->Remember("wba|" + bot->keyid + "|" + bot->nonce, bot->created, until, options_.clock->Now());
      if (auto refused = authn::ReplayRefusal(s)) return authn::AuthFailure{refused->reason, "Web Bot Auth: " + refused->message};
    }
  }
  // The directory was found, so the origin is well formed; it is named canonically here.
  auto authority = resolvers::DirectoryAuthority(bot->agent);
  if (!authority) return authn::AuthFailure{"bad_web_bot_auth", "Web Bot Auth: " + authority.error().message};
  std::string origin = "https://" + *authority;
  authn::Principal p;
  p.kind = authn::Principal::Kind::kBot;
  p.id = origin + "#" + bot->keyid;
  p.did = identity::DidKeyFromPublicKey(*key);
  p.verification_method = identity::DidKeyVerificationMethod(*key);
  p.audience = http->target_uri;
  p.created = bot->created;
  p.attributes["origin"] = origin;
  p.attributes["keyid"] = bot->keyid;
  if (std::string operator_did = resolvers::OperatorDid(*authority); !operator_did.empty()) {
    p.attributes[std::string(authn::kOperatorDidAttribute)] = operator_did;
  }
  return p;
}

}  // namespace aip::mcpsig

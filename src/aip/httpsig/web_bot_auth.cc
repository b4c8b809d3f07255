#include "aip/httpsig/web_bot_auth.h"

#include <algorithm>

#include "aip/base/encoding.h"
#include "aip/base/json.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"

namespace aip::httpsig {
namespace {

constexpr std::size_t kMaxDirectoryKeys = 64;

// AgentOf is the origin a signature's `signature-agent` component names: the member it covers
// (`;key="agent1"`), or the whole field when it is a single string (the drafts' earlier form).
Result<std::string> AgentOf(const HttpMessage& m, const InnerList& params) {
  for (std::size_t i = 0; i < params.strings.size(); ++i) {
    if (params.strings[i] != "signature-agent") continue;
    AIP_ASSIGN_OR_RETURN(std::string value, ComponentValue(m, "signature-agent", params.ItemParams(i)));
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
      return InvalidArgumentError("Signature-Agent must name the operator's origin as a string");
    }
    return value.substr(1, value.size() - 2);
  }
  return std::string();
}

}  // namespace

std::string Ed25519Thumbprint(const crypto::Ed25519PublicKey& key) {
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  std::string canonical = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + Base64UrlEncode(key.bytes()) + "\"}";
  crypto::Sha256Digest digest = crypto::Sha256(AsBytes(canonical));
  return Base64UrlEncode(ByteSpan(digest.data(), digest.size()));
}

Result<std::map<std::string, crypto::Ed25519PublicKey>> DirectoryKeys(std::string_view jwks) {
  json::ParseLimits limits;
  limits.max_bytes = 64 * 1024;
  AIP_ASSIGN_OR_RETURN(json::Object doc, json::ParseJsonObject(jwks, limits));
  const json::Value* keys = doc.if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return InvalidArgumentError("key directory: \"keys\" must be an array");
  if (keys->get_array().size() > kMaxDirectoryKeys) return InvalidArgumentError("key directory: more than 64 keys");
  std::map<std::string, crypto::Ed25519PublicKey> out;
  for (const json::Value& k : keys->get_array()) {
    if (!k.is_object()) return InvalidArgumentError("key directory: each key must be an object");
    const json::Object& jwk = k.get_object();
    auto text = [&](std::string_view member) {
      const json::Value* v = jwk.if_contains(member);
      return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    if (text("kty") != "OKP" || text("crv") != "Ed25519") continue;
    AIP_ASSIGN_OR_RETURN(Bytes x, Base64UrlDecode(text("x")));
    AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, crypto::Ed25519PublicKey::FromBytes(x));
    out.emplace(Ed25519Thumbprint(key), key);
  }
  return out;
}

Result<SignedDirectory> MakeDirectory(std::string_view authority, const crypto::Ed25519PublicKey& key, const SignBase& sign,
                                      std::int64_t created, std::chrono::seconds lifetime) {
  bool bad_char = std::any_of(authority.begin(), authority.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f ||
           std::string_view("/?#@\"\\").find(c) != std::string_view::npos;
  });
  if (authority.empty() || authority.size() > 255 || bad_char) {
    return InvalidArgumentError("the directory's authority is a host[:port], such as bot.example");
  }
  std::string thumbprint = Ed25519Thumbprint(key);
  SignedDirectory d;
  // Members in the order the drafts' example shows; the digest covers these exact bytes.
  d.body = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"" + thumbprint + "\",\"x\":\"" + Base64UrlEncode(key.bytes()) +
           "\",\"use\":\"sig\"}]}";
  d.headers.Set("content-type", "application/http-message-signatures-directory+json");
  d.headers.Set("content-digest", ContentDigest(d.body));
  net::Headers request_headers;
  HttpMessage request{"GET", "https://" + std::string(authority) + std::string(kDirectoryPath), &request_headers};
  InnerList params;
  params.strings = {"@authority", "content-digest"};
  params.item_params = {Parameters{{{"req", BareItem(true)}}}, Parameters{}};
  params.params.items = {{"created", BareItem(created)},
                         {"keyid", BareItem(thumbprint)},
                         {"alg", BareItem(std::string("ed25519"))},
                         {"expires", BareItem(created + lifetime.count())},
                         {"tag", BareItem(std::string(kDirectoryTag))}};
  AIP_RETURN_IF_ERROR(AddSignature(HttpMessage{"", "", &d.headers, &request}, params, sign, "binding0", d.headers));
  return d;
}

Result<VerifiedDirectory> VerifyDirectory(std::string_view authority, const net::Headers& response_headers, std::string_view body,
                                          const DirectoryVerifyOptions& o) {
  AIP_ASSIGN_OR_RETURN(auto keys, DirectoryKeys(body));
  if (keys.empty()) return UnauthenticatedError("key directory: no Ed25519 key");
  net::Headers request_headers;
  HttpMessage request{"GET", "https://" + std::string(authority) + std::string(kDirectoryPath), &request_headers};
  HttpMessage response{"", "", &response_headers, &request};
  VerifyOptions v;
  // "@authority";req is checked by name here and by value in the signature base, which takes
  // it from the request we made: a directory signed for another origin does not verify.
  v.required_components = {"@authority", "content-digest"};
  v.require_expires = true;
  v.require_digest_for_body = true;
  v.require_mcp_version_covered = false;
  v.max_lifetime = o.max_lifetime;
  v.max_skew = o.max_skew;
  v.clock = o.clock;
  v.tag = std::string(kDirectoryTag);
  v.key_for = [&keys](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
    auto it = keys.find(std::string(keyid));
    if (it == keys.end()) return UnauthenticatedError("key directory: signed by a key it does not list");
    return it->second;
  };
  auto verified = VerifyRequest(response, body, v);
  if (!verified) return Error{verified.error().code, "key directory of " + std::string(authority) + ": " + verified.error().message};
  return VerifiedDirectory{std::move(keys), verified->expires.value_or(o.clock->Now())};  // require_expires: always set.
}

Status SignWebBotAuth(const std::string& target_uri, net::Headers& headers, const crypto::Ed25519PublicKey& key, const SignBase& sign,
                      const WebBotAuthSignOptions& o) {
  InnerList params;
  params.strings = {"@authority"};
  params.item_params = {Parameters{}};
  if (!o.signature_agent.empty()) {
    if (o.signature_agent.find('"') != std::string::npos || o.signature_agent.find('\\') != std::string::npos) {
      return InvalidArgumentError("Signature-Agent: the origin must not contain quotes or backslashes");
    }
    headers.Set("signature-agent", o.agent_member + "=\"" + o.signature_agent + "\"");
    params.strings.push_back("signature-agent");
    params.item_params.push_back(Parameters{{{"key", BareItem(o.agent_member)}}});
  }
  std::int64_t created = o.created.value_or(std::chrono::duration_cast<std::chrono::seconds>(o.clock->Now().time_since_epoch()).count());
  params.params.items = {{"created", BareItem(created)},
                         {"keyid", BareItem(Ed25519Thumbprint(key))},
                         {"alg", BareItem(std::string("ed25519"))},
                         {"expires", BareItem(o.expires.value_or(created + o.lifetime.count()))},
                         {"nonce", BareItem(o.nonce.value_or(Base64Encode(crypto::RandomBytes(64))))},
                         {"tag", BareItem(std::string(kWebBotAuthTag))}};
  return AddSignature(HttpMessage{"", target_uri, &headers}, params, sign, o.label, headers);
}

Result<VerifiedBot> VerifyWebBotAuth(const HttpMessage& m, std::string_view body, const WebBotAuthVerifyOptions& o) {
  if (m.headers == nullptr) return InvalidArgumentError("no headers");
  bool sent_agent = m.headers->Get("signature-agent").has_value();
  std::optional<std::string> agent;  // What every label names (one agent per request).
  VerifyOptions v;
  v.check_label = [&](const InnerList& params) -> Status {
    AIP_ASSIGN_OR_RETURN(std::string named, AgentOf(m, params));
    if (sent_agent && named.empty()) return UnauthenticatedError("Signature-Agent is sent but not covered by the signature");
    if (o.require_signature_agent && named.empty()) return UnauthenticatedError("no Signature-Agent");
    if (agent && *agent != named) return UnauthenticatedError("signature labels name different agents");
    agent = std::move(named);
    const BareItem* nonce = params.params.Find("nonce");
    bool has_nonce = nonce != nullptr && std::holds_alternative<std::string>(*nonce) && !std::get<std::string>(*nonce).empty();
    if (o.require_nonce && !has_nonce) return UnauthenticatedError("a nonce is required");
    return OkStatus();
  };
  v.key_for = [&](std::string_view keyid) { return o.key_for(keyid, agent.value_or("")); };
  v.required_components = {"@authority"};
  v.require_expires = true;
  v.require_digest_for_body = false;  // The drafts do not cover the body (see the header).
  v.require_mcp_version_covered = false;
  v.max_lifetime = o.max_lifetime;
  v.max_skew = o.max_skew;
  v.clock = o.clock;
  v.tag = std::string(kWebBotAuthTag);
  AIP_ASSIGN_OR_RETURN(VerifiedSignature sig, VerifyRequest(m, body, v));
  return VerifiedBot{sig.keyid, agent.value_or(""), sig.label, sig.created, sig.nonce};
}

}  // namespace aip::httpsig

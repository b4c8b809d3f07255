#include "aip/authn/credentials.h"

#include "aip/base/ascii.h"
#include "aip/httpsig/structured_fields.h"

namespace aip::authn {
namespace {

AuthFailure Ambiguous(std::string message) { return AuthFailure{"ambiguous_credentials", std::move(message)}; }

bool HasProof(const json::Object& request) {
  const json::Value* params = request.if_contains("params");
  if (params == nullptr || !params->is_object()) return false;
  const json::Value* meta = params->get_object().if_contains("_meta");
  return meta != nullptr && meta->is_object() && meta->get_object().contains(kProofMetaKey);
}

constexpr std::string_view kWebBotAuthTag = "web-bot-auth";  // As httpsig::kWebBotAuthTag.

// SignatureType says whose signatures a Signature-Input holds: Web Bot Auth's when every one is
// tagged so, an HTTP signature of ours when none is, and ambiguous (nullopt) when both are.
std::optional<CredentialType> SignatureType(std::string_view signature_input) {
  auto dict = httpsig::ParseDictionary(signature_input);
  if (!dict || dict->empty()) return CredentialType::kHttpSignature;
  std::size_t tagged = 0;
  for (const auto& [label, member] : *dict) {
    const auto* list = std::get_if<httpsig::InnerList>(&member);
    const httpsig::BareItem* tag = list == nullptr ? nullptr : list->params.Find("tag");
    const auto* text = tag == nullptr ? nullptr : std::get_if<std::string>(tag);
    if (text != nullptr && *text == kWebBotAuthTag) ++tagged;
  }
  if (tagged == 0) return CredentialType::kHttpSignature;
  if (tagged == dict->size()) return CredentialType::kWebBotAuth;
  return std::nullopt;
}

}  // namespace

std::string_view CredentialTypeName(CredentialType type) {
  switch (type) {
    case CredentialType::kProof:
      return "aip-proof";
    case CredentialType::kHttpSignature:
      return "http-signature";
    case CredentialType::kWebBotAuth:
      return "web-bot-auth";
    case CredentialType::kLegacyAipHeaders:
      return "x-aip-headers";
    case CredentialType::kApiKey:
      return "api-key";
    case CredentialType::kAccessToken:
      return "access-token";
  }
  return "unknown";
}

std::variant<std::vector<Credential>, AuthFailure> FindCredentials(const json::Object& request, const HttpInfo* http) {
  std::vector<Credential> found;
  if (HasProof(request)) found.push_back({CredentialType::kProof, {}, {}});
  if (http == nullptr || http->headers == nullptr) return found;
  const net::Headers& h = *http->headers;
  if (h.Count("signature-input") > 1) return Ambiguous("more than one Signature-Input header");
  if (auto input = h.Get("signature-input")) {
    auto type = SignatureType(*input);
    if (!type) return Ambiguous("Web Bot Auth and other signatures in one Signature-Input");
    found.push_back({*type, {}, {}});
  }
  if (h.Get("x-aip-signature")) found.push_back({CredentialType::kLegacyAipHeaders, {}, {}});

  std::optional<Credential> api_key, token;
  std::size_t x_api_keys = h.Count("x-api-key");
  if (x_api_keys > 1) return Ambiguous("more than one X-Api-Key header");
  if (x_api_keys == 1) api_key = Credential{CredentialType::kApiKey, {}, *h.Get("x-api-key")};
  if (h.Count("authorization") > 1) return Ambiguous("more than one Authorization header");
  if (auto auth = h.Get("authorization")) {
    std::string_view v = *auth;
    std::size_t space = v.find(' ');
    std::string_view scheme = space == std::string_view::npos ? v : v.substr(0, space);
    std::string_view value = space == std::string_view::npos ? std::string_view() : v.substr(space + 1);
    // Schemes are case-insensitive (RFC 9110 §11.1); only ours are credentials here.
    bool bearer = AsciiLower(scheme) == "bearer", dpop = AsciiLower(scheme) == "dpop";
    if (bearer && value.starts_with(kApiKeyPrefix)) {
      if (api_key) return Ambiguous("an API key in both Authorization and X-Api-Key");
      api_key = Credential{CredentialType::kApiKey, "bearer", value};
    } else if (bearer || dpop) {
      token = Credential{CredentialType::kAccessToken, bearer ? "bearer" : "dpop", value};
    }
  }
  if (api_key) found.push_back(*api_key);
  if (token) found.push_back(*token);
  return found;
}

std::variant<std::optional<Credential>, AuthFailure> FindCredential(CredentialType type, const json::Object& request,
                                                                    const HttpInfo* http) {
  auto all = FindCredentials(request, http);
  if (auto* failure = std::get_if<AuthFailure>(&all)) return std::move(*failure);
  for (const Credential& c : std::get<std::vector<Credential>>(all)) {
    if (c.type == type) return std::optional<Credential>(c);
  }
  return std::optional<Credential>();
}

}  // namespace aip::authn

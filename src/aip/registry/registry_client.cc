#include "aip/registry/registry_client.h"

#include "aip/base/field_reader.h"

#include "aip/base/encoding.h"
#include "aip/httpsig/web_bot_auth.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"
#include "aip/net/form.h"
#include "aip/registry/agent_message.h"
#include "aip/registry/signed_request.h"

namespace aip::registry {
namespace {

ErrorCode CodeForStatus(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kAlreadyExists;
    case 413:
    case 429:
    case 507:
      return ErrorCode::kResourceExhausted;
    default:
      return ErrorCode::kUnavailable;
  }
}

}  // namespace

std::string EncodeComponent(std::string_view text) { return net::FormEncode(text); }

Result<RegistryClient> RegistryClient::Connect(std::string_view base_url, net::HttpClientOptions options) {
  AIP_ASSIGN_OR_RETURN(auto url, net::ParseUrl(base_url));
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string prefix = url.target;
  auto q = prefix.find('?');
  if (q != std::string::npos) return InvalidArgumentError("registry URL must not have a query");
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (options.timeout > std::chrono::milliseconds(30000)) options.timeout = std::chrono::milliseconds(30000);
  return RegistryClient(base, prefix, std::make_unique<net::HttpClient>(url, options));
}

Result<json::Object> RegistryClient::Call(std::string_view method, const std::string& path, const std::string& body,
                                          const identity::Identity* signer) {
  net::Headers headers;
  headers.Set("accept", "application/json");
  if (!body.empty()) headers.Set("content-type", "application/json");
  std::string target = prefix_ + path;
  if (signer != nullptr) {
    std::string origin = base_url_.substr(0, base_url_.size() - prefix_.size());
    AIP_RETURN_IF_ERROR(SignRegistryRequest(*signer, method, origin + target, headers, body));
  }
  AIP_ASSIGN_OR_RETURN(auto res, http_->Send(method, target, headers, body));
  if (res.status == 204) return json::Object{};
  json::ParseLimits limits;
  limits.max_bytes = 16 * 1024 * 1024;
  auto parsed = json::ParseJsonObject(res.body, limits);
  if (res.status < 200 || res.status >= 300) {
    std::string message = "registry answered HTTP " + std::to_string(res.status);
    if (parsed) {
      if (auto e = json::OptionalString(*parsed, "error")) message += ": " + std::string(*e);
    }
    return Error{CodeForStatus(res.status), message};
  }
  if (!parsed) return UnavailableError("registry sent a malformed answer: " + parsed.error().message);
  return *parsed;
}

Result<json::Object> RegistryClient::Register(const identity::Identity& agent, const Profile& profile) {
  AIP_ASSIGN_OR_RETURN(auto record, CreateRegistration(agent, profile, DefaultClock().Now()));
  return Call("POST", "/v1/agents", json::Serialize(record.document), &agent);
}

Result<json::Object> RegistryClient::Directory(std::string_view query, std::string_view after, int limit) {
  std::string path = "/v1/agents?limit=" + std::to_string(limit);
  if (!query.empty()) path += "&q=" + EncodeComponent(query);
  if (!after.empty()) path += "&after=" + EncodeComponent(after);
  return Call("GET", path, "", nullptr);
}

Result<json::Object> RegistryClient::Agent(std::string_view did) { return Call("GET", "/v1/agents/" + EncodeComponent(did), "", nullptr); }

Result<identity::Resolution> CheckResolution(std::string_view did, const json::Value& document) {
  AIP_ASSIGN_OR_RETURN(auto parsed, identity::DidDocument::FromJson(document));
  if (parsed.id() != did) return UnauthenticatedError("the registry returned the document of another DID");
  if (parsed.methods().empty()) return UnauthenticatedError("the resolved document has no Ed25519 key");
  for (const auto& m : parsed.methods()) {
    if (!identity::DidMatchesKey(did, m.key)) {
      return UnauthenticatedError("the resolved document carries a key that " + std::string(did) + " does not name");
    }
  }
  if (!document.is_object()) return InvalidArgumentError("DID document must be an object");
  return identity::Resolution{document.get_object(), std::move(parsed)};
}

Result<identity::Resolution> RegistryClient::Resolve(std::string_view did) {
  AIP_ASSIGN_OR_RETURN(auto result, Call("GET", "/v1/dids/" + EncodeComponent(did), "", nullptr));
  const json::Value* doc = result.if_contains("didDocument");
  if (doc == nullptr || !doc->is_object()) return NotFoundError(std::string(did) + " did not resolve");
  AIP_ASSIGN_OR_RETURN(identity::Resolution resolution, CheckResolution(did, *doc));
  // A key the registry says was rotated or deactivated no longer speaks for the identity; the
  // claim is believed only with the signed records behind it.
  const json::Value* metadata = result.if_contains("didDocumentMetadata");
  if (metadata != nullptr && metadata->is_object() &&
      (metadata->get_object().contains("deactivated") || metadata->get_object().contains("aipCurrentKey"))) {
    std::string key = identity::DidKeyFromPublicKey(resolution.parsed.methods()[0].key);
    AIP_ASSIGN_OR_RETURN(VerifiedIdentity history, History(key));
    if (history.deactivation) return FailedPreconditionError(std::string(did) + " was deactivated");
    if (history.current != key) return FailedPreconditionError(std::string(did) + " was rotated to " + history.current);
  }
  return resolution;
}

Result<json::Object> RegistryClient::Publish(const identity::Identity& signer, std::string_view route, const json::Object& document) {
  return Call("POST", std::string(route), json::Serialize(document), &signer);
}

Result<json::Object> RegistryClient::Vouches(std::string_view param, std::string_view did) {
  return Call("GET", "/v1/vouches?" + std::string(param) + "=" + EncodeComponent(did) + "&limit=1000", "", nullptr);
}

Result<VerifiedIdentity> RegistryClient::History(std::string_view did) {
  AIP_ASSIGN_OR_RETURN(json::Object answer, Call("GET", "/v1/identities/" + EncodeComponent(did), "", nullptr));
  return VerifyIdentityAnswer(did, answer);
}

Result<VerifiedIdentity> VerifyIdentityAnswer(std::string_view did, const json::Object& answer) {
  const json::Value* rotations = answer.if_contains("rotations");
  if (rotations == nullptr || !rotations->is_array()) return InvalidArgumentError("identity: no rotations list");
  if (rotations->get_array().size() > static_cast<std::size_t>(RegistryStore::kMaxChain)) {
    return InvalidArgumentError("identity: rotation chain too long");
  }
  VerifiedIdentity out;
  bool on_chain = false;
  for (const auto& item : rotations->get_array()) {
    AIP_ASSIGN_OR_RETURN(auto r, identity::KeyRotation::FromJson(item));
    AIP_RETURN_IF_ERROR(r.Verify());
    if (!out.rotations.empty() && out.rotations.back().next_did != r.previous_did) {
      return UnauthenticatedError("identity: rotation chain is broken at " + r.previous_did);
    }
    on_chain = on_chain || r.previous_did == did || r.next_did == did;
    out.rotations.push_back(std::move(r));
  }
  out.current = out.rotations.empty() ? std::string(did) : out.rotations.back().next_did;
  if (!out.rotations.empty() && !on_chain)
    return UnauthenticatedError("identity: the chain served does not pass through " + std::string(did));
  if (const json::Value* d = answer.if_contains("deactivation"); d != nullptr && !d->is_null()) {
    AIP_ASSIGN_OR_RETURN(auto deactivation, identity::Deactivation::FromJson(*d));
    AIP_RETURN_IF_ERROR(deactivation.Verify());
    if (deactivation.did != out.current) return UnauthenticatedError("identity: deactivation by a key that is not the chain's last");
    out.deactivation = std::move(deactivation);
  }
  return out;
}

Result<json::Object> RegistryClient::Trust(const std::vector<std::string>& anchors, std::string_view subject, std::string_view scope) {
  std::string joined;
  for (const auto& a : anchors) joined += (joined.empty() ? "" : ",") + a;
  std::string path = "/v1/trust?subject=" + EncodeComponent(subject) + "&anchors=" + EncodeComponent(joined);
  if (!scope.empty()) path += "&scope=" + EncodeComponent(scope);
  return Call("GET", path, "", nullptr);
}

Result<json::Object> RegistryClient::Stats() { return Call("GET", "/v1/stats", "", nullptr); }

Result<json::Object> RegistryClient::Health() { return Call("GET", "/v1/health", "", nullptr); }

Result<std::string> RegistryClient::SendMessage(const identity::Identity& sender, std::string_view recipient, std::string_view text) {
  AIP_ASSIGN_OR_RETURN(auto sealed, SealMessage(sender, recipient, text, DefaultClock().Now()));
  json::Object body{{"to", recipient}, {"sealed", Base64Encode(sealed)}};
  AIP_ASSIGN_OR_RETURN(auto answer, Call("POST", "/v1/messages", json::Serialize(body), &sender));
  std::string id;
  if (Status s = json::FieldReader(answer).String("id", id, json::Need::kRequired, 128); !s.ok()) {
    return UnavailableError("registry answer: " + s.message());
  }
  return id;
}

Result<std::vector<InboxMessage>> RegistryClient::Inbox(const identity::Identity& reader) {
  AIP_ASSIGN_OR_RETURN(auto answer, Call("GET", "/v1/messages", "", &reader));
  auto items = json::FieldReader(answer).Items("messages", json::Need::kRequired, 10000);
  if (!items) return UnavailableError("registry sent a malformed inbox: " + items.error().message);
  std::vector<InboxMessage> out;
  for (const auto& m : *items) {
    InboxMessage im;
    std::string received;
    Status read = m.String("id", im.id, json::Need::kRequired, 128);
    if (read.ok()) read = m.String("sealed", im.sealed, json::Need::kRequired, 64 * 1024);
    if (read.ok()) read = m.String("received", received, json::Need::kOptional, 64);
    if (!read.ok()) return UnavailableError("registry sent a malformed inbox: " + read.message());
    if (auto t = ParseTime(received)) im.received = *t;
    out.push_back(std::move(im));
  }
  return out;
}

Status RegistryClient::DeleteMessage(const identity::Identity& reader, std::string_view id) {
  return Call("DELETE", "/v1/messages/" + EncodeComponent(id), "", &reader).status();
}

Result<std::string> RegistryClient::BotDomain() {
  AIP_ASSIGN_OR_RETURN(auto answer, Call("GET", "/v1/bot-directories", "", nullptr));
  std::string domain;
  if (Status s = json::FieldReader(answer).String("domain", domain, json::Need::kRequired, 253); !s.ok() || domain.empty()) {
    return UnavailableError("registry sent no bot domain" + (s.ok() ? std::string() : ": " + s.message()));
  }
  return domain;
}

Result<json::Object> RegistryClient::HostDirectory(const identity::Identity& agent, std::string_view name, std::chrono::seconds lifetime) {
  AIP_ASSIGN_OR_RETURN(std::string domain, BotDomain());
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(DefaultClock().Now().time_since_epoch()).count();
  AIP_ASSIGN_OR_RETURN(
      auto directory,
      httpsig::MakeDirectory(
          std::string(name) + "." + domain, agent.public_key(),
          [&agent](ByteSpan base) { return agent.SignStandard(identity::StandardInput::kHttpSignatureBase, base); }, now, lifetime));
  json::Object headers;
  for (const auto& [field, value] : directory.headers.fields()) headers[field] = value;
  headers.erase("content-type");  // The registry serves its own.
  json::Object upload{{"body", directory.body}, {"headers", std::move(headers)}};
  return Call("PUT", "/v1/bot-directories/" + EncodeComponent(name), json::Serialize(upload), &agent);
}

Status RegistryClient::UnhostDirectory(const identity::Identity& agent, std::string_view name) {
  return Call("DELETE", "/v1/bot-directories/" + EncodeComponent(name), "", &agent).status();
}

Result<identity::Resolution> RegistryResolver::Resolve(std::string_view did) const {
  AIP_ASSIGN_OR_RETURN(auto client, RegistryClient::Connect(base_url_));
  return client.Resolve(did);
}

}  // namespace aip::registry

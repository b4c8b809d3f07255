// RegistryClient: the CLI's and the SDK's side of the registry API. It signs writes with the
// local identity and checks what it reads where it can — a resolved DID document must carry the
// key its DID names (did:key: the key itself; did:aip: the key's hash), trust answers come with
// signed vouches — so a lying registry is caught rather than believed.
#pragma once
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/json.h"
#include "aip/identity/identity.h"
#include "aip/identity/resolver.h"
#include "aip/net/http_client.h"
#include "aip/registry/agent_record.h"
#include "aip/registry/registry_store.h"

namespace aip::registry {

// VerifiedIdentity: an identity's rotation chain as a registry served it, every record checked.
struct VerifiedIdentity {
  std::vector<identity::KeyRotation> rotations;  // First key first.
  std::optional<identity::Deactivation> deactivation;
  std::string current;  // The chain's last key.
};

// VerifyIdentityAnswer checks an answer to GET /v1/identities/{did}: each rotation signed by both
// its keys, the links contiguous and at most RegistryStore::kMaxChain, `did` on the chain, and a
// deactivation signed by the chain's last key. A registry can withhold records, never forge one.
Result<VerifiedIdentity> VerifyIdentityAnswer(std::string_view did, const json::Object& answer);

class RegistryClient {
 public:
  static Result<RegistryClient> Connect(std::string_view base_url, net::HttpClientOptions options = {});

  Result<json::Object> Register(const identity::Identity& agent, const Profile& profile);
  Result<json::Object> Directory(std::string_view query, std::string_view after, int limit);
  Result<json::Object> Agent(std::string_view did);
  // Resolve returns the W3C resolution result, after checking the document belongs to `did`.
  Result<identity::Resolution> Resolve(std::string_view did);
  Result<json::Object> Publish(const identity::Identity& signer, std::string_view route, const json::Object& document);
  Result<json::Object> Vouches(std::string_view param, std::string_view did);
  // History fetches and verifies the rotation chain through a did:key.
  Result<VerifiedIdentity> History(std::string_view did);
  Result<json::Object> Trust(const std::vector<std::string>& anchors, std::string_view subject, std::string_view scope);
  Result<json::Object> Stats();
  Result<json::Object> Health();  // {"status", "time"}: reachability and the registry's clock.
  Result<std::string> SendMessage(const identity::Identity& sender, std::string_view recipient, std::string_view text);
  Result<std::vector<InboxMessage>> Inbox(const identity::Identity& reader);
  Status DeleteMessage(const identity::Identity& reader, std::string_view id);
  // BotDomain is the domain under which the registry hosts agents' key directories (kNotFound: it
  // hosts none). HostDirectory signs `agent`'s Web Bot Auth key directory for <name>.<domain>,
  // valid for `lifetime`, and has the registry serve it: {name, origin, url, expires}.
  Result<std::string> BotDomain();
  Result<json::Object> HostDirectory(const identity::Identity& agent, std::string_view name, std::chrono::seconds lifetime);
  Status UnhostDirectory(const identity::Identity& agent, std::string_view name);

  const std::string& base_url() const { return base_url_; }

 private:
  RegistryClient(std::string base_url, std::string prefix, std::unique_ptr<net::HttpClient> http)
      : base_url_(std::move(base_url)), prefix_(std::move(prefix)), http_(std::move(http)) {}
  // Call sends one request (signed when `signer` is set) and returns the JSON body of a 2xx
  // answer; other answers become errors carrying the registry's message.
  Result<json::Object> Call(std::string_view method, const std::string& path, const std::string& body, const identity::Identity* signer);

  std::string base_url_;  // Without a trailing slash.
  std::string prefix_;    // The URL's path, "" at the root.
  std::unique_ptr<net::HttpClient> http_;
};

// CheckResolution verifies that `document` is a DID document for `did` whose key `did` names.
Result<identity::Resolution> CheckResolution(std::string_view did, const json::Value& document);

// RegistryResolver resolves did:aip (and did:key) through a registry, checking each answer.
class RegistryResolver final : public identity::DidResolver {
 public:
  explicit RegistryResolver(std::string base_url) : base_url_(std::move(base_url)) {}
  Result<identity::Resolution> Resolve(std::string_view did) const override;

 private:
  std::string base_url_;
};

// EncodeComponent percent-encodes a path segment or query value.
std::string EncodeComponent(std::string_view text);

}  // namespace aip::registry

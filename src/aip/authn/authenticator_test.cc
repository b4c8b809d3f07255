// The credential seam: which credentials a request presents, and the chain handing each to the
// one authenticator of its type.
#include "aip/authn/authenticator.h"

#include <gtest/gtest.h>

namespace aip::authn {
namespace {

// Answers every credential of its type the same way, and records what it was handed.
class Fake final : public CredentialAuthenticator {
 public:
  Fake(CredentialType type, std::variant<Principal, AuthFailure> answer) : type_(type), answer_(std::move(answer)) {}
  CredentialType credential_type() const override { return type_; }
  std::variant<Principal, AuthFailure> Verify(const Credential& c, const json::Object&, const HttpInfo*) override {
    handed.push_back(std::string(c.scheme) + ":" + std::string(c.value));
    return answer_;
  }
  std::vector<std::string> handed;

 private:
  CredentialType type_;
  std::variant<Principal, AuthFailure> answer_;
};

Principal Agent(std::string did) {
  Principal p;
  p.kind = Principal::Kind::kAgent;
  p.id = p.did = std::move(did);
  return p;
}

Principal User(std::string sub, std::string client) {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.id = p.subject = std::move(sub);
  p.client_id = std::move(client);
  return p;
}

Principal Bot(std::string did) {
  Principal p;
  p.kind = Principal::Kind::kBot;
  p.id = "https://bot.example#thumb";
  p.did = std::move(did);
  p.attributes["origin"] = "https://bot.example";
  return p;
}

Principal Key() {
  Principal p;
  p.kind = Principal::Kind::kApiKey;
  p.id = "apikey:1";
  return p;
}

// A request presenting one credential of each type listed (the content is the fakes' business).
struct Presented {
  json::Object request{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}};
  net::Headers headers;
  HttpInfo http{"POST", "https://gw.example/mcp", &headers, "", "127.0.0.1"};
  explicit Presented(const std::vector<CredentialType>& types) {
    for (CredentialType t : types) {
      switch (t) {
        case CredentialType::kProof:
          request["params"] = json::Object{{"_meta", json::Object{{std::string(kProofMetaKey), json::Object{}}}}};
          break;
        case CredentialType::kHttpSignature:
          headers.Add("Signature-Input", "sig1=()");
          break;
        case CredentialType::kWebBotAuth:
          headers.Add("Signature-Input", "sig1=(\"@authority\");tag=\"web-bot-auth\"");
          break;
        case CredentialType::kLegacyAipHeaders:
          headers.Add("X-AIP-Signature", "c2ln");
          break;
        case CredentialType::kApiKey:
          headers.Add("X-Api-Key", "aip_k");
          break;
        case CredentialType::kAccessToken:
          headers.Add("Authorization", "Bearer tok");
          break;
      }
    }
  }
};

std::string Outcome(std::vector<std::pair<CredentialType, Principal>> answers) {
  std::vector<CredentialType> types;
  AuthenticatorChain chain;
  for (auto& [type, p] : answers) {
    types.push_back(type);
    EXPECT_TRUE(chain.Add(std::make_shared<Fake>(type, p)).ok());
  }
  Presented r(types);
  auto out = chain.Authenticate(r.request, &r.http);
  if (auto* f = std::get_if<AuthFailure>(&out)) return f->reason;
  const auto& p = std::get<std::optional<Principal>>(out);
  if (!p) return "none";
  std::string credentials;
  for (const auto& c : p->credentials) credentials += (credentials.empty() ? "" : "+") + c;
  return p->id + "/" + p->did + " by " + credentials;
}

std::vector<std::string> Found(const std::vector<std::pair<std::string, std::string>>& fields, bool proof = false) {
  Presented r(proof ? std::vector{CredentialType::kProof} : std::vector<CredentialType>{});
  for (const auto& [n, v] : fields) r.headers.Add(n, v);
  auto found = FindCredentials(r.request, &r.http);
  if (auto* f = std::get_if<AuthFailure>(&found)) return {f->reason};
  std::vector<std::string> out;
  for (const Credential& c : std::get<std::vector<Credential>>(found)) {
    out.push_back(std::string(CredentialTypeName(c.type)) +
                  (c.value.empty() ? "" : "=" + std::string(c.scheme) + ":" + std::string(c.value)));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(FindCredentialsTest, TellsEachCredentialByItsWireForm) {
  EXPECT_EQ(Found({}), V{});
  EXPECT_EQ(Found({}, true), V{"aip-proof"});
  EXPECT_EQ(Found({{"signature-input", "sig1=()"}, {"signature", "sig1=:AA==:"}}), V{"http-signature"});
  EXPECT_EQ(Found({{"x-aip-signature", "c2ln"}}), V{"x-aip-headers"});
  EXPECT_EQ(Found({{"x-api-key", "anything"}}), V{"api-key=:anything"});  // Its authenticator judges it.
  // A bearer value with the API-key prefix is an API key, never an access token; the scheme is
  // case-insensitive.
  EXPECT_EQ(Found({{"authorization", "Bearer aip_x"}}), V{"api-key=bearer:aip_x"});
  EXPECT_EQ(Found({{"authorization", "BEARER eyJ.x.y"}}), V{"access-token=bearer:eyJ.x.y"});
  EXPECT_EQ(Found({{"authorization", "DPoP aip_x"}}), V{"access-token=dpop:aip_x"});
  EXPECT_EQ(Found({{"authorization", "Basic dTpw"}}), V{});  // Not a credential of ours.
  EXPECT_EQ(Found({{"x-api-key", "aip_a"}, {"authorization", "Bearer eyJ"}}, true),
            (V{"aip-proof", "api-key=:aip_a", "access-token=bearer:eyJ"}));
}

TEST(FindCredentialsTest, TellsWebBotAuthFromOtherSignaturesByTag) {
  EXPECT_EQ(Found({{"signature-input", R"(sig1=("@authority");tag="web-bot-auth")"}}), V{"web-bot-auth"});
  EXPECT_EQ(Found({{"signature-input", R"(a=("@authority");tag="web-bot-auth", b=("@authority");tag="web-bot-auth")"}}), V{"web-bot-auth"});
  EXPECT_EQ(Found({{"signature-input", R"(sig1=("@method");tag="aip")"}}), V{"http-signature"});
  EXPECT_EQ(Found({{"signature-input", R"(sig1=("@method");xtag="web-bot-auth")"}}), V{"http-signature"});
  EXPECT_EQ(Found({{"signature-input", "not a dictionary ("}}), V{"http-signature"});  // Its verifier refuses it.
  EXPECT_EQ(Found({{"signature-input", R"(a=("@authority");tag="web-bot-auth", b=("@method"))"}}), V{"ambiguous_credentials"});
  EXPECT_EQ(Found({{"signature-input", R"(a=("@authority");tag="web-bot-auth")"}, {"signature-input", R"(b=("@method"))"}}),
            V{"ambiguous_credentials"});
}

TEST(FindCredentialsTest, RefusesCredentialHeadersThatAreAmbiguousInThemselves) {
  EXPECT_EQ(Found({{"x-api-key", "aip_a"}, {"x-api-key", "aip_a"}}), V{"ambiguous_credentials"});
  EXPECT_EQ(Found({{"authorization", "Bearer a"}, {"authorization", "Bearer b"}}), V{"ambiguous_credentials"});
  EXPECT_EQ(Found({{"x-api-key", "aip_a"}, {"authorization", "Bearer aip_a"}}), V{"ambiguous_credentials"});
}

TEST(AuthenticatorChainTest, HandsEachCredentialOnlyToItsOwner) {
  auto keys = std::make_shared<Fake>(CredentialType::kApiKey, Key());
  auto tokens = std::make_shared<Fake>(CredentialType::kAccessToken, User("alice", "x"));
  AuthenticatorChain chain;
  ASSERT_TRUE(chain.Add(keys).ok());
  ASSERT_TRUE(chain.Add(tokens).ok());
  EXPECT_FALSE(chain.Add(std::make_shared<Fake>(CredentialType::kApiKey, Key())).ok());  // One owner per type.
  Presented key_in_bearer({});
  key_in_bearer.headers.Add("Authorization", "Bearer aip_k");
  auto out = chain.Authenticate(key_in_bearer.request, &key_in_bearer.http);
  ASSERT_TRUE(std::holds_alternative<std::optional<Principal>>(out));
  EXPECT_EQ(std::get<std::optional<Principal>>(out)->id, "apikey:1");
  EXPECT_EQ(keys->handed, V{"bearer:aip_k"});
  EXPECT_EQ(tokens->handed, V{});  // The token authenticator never saw the key.
  // A credential no authenticator takes is not looked at.
  Presented proof({CredentialType::kProof});
  out = chain.Authenticate(proof.request, &proof.http);
  EXPECT_FALSE(std::get<std::optional<Principal>>(out).has_value());
}

TEST(AuthenticatorChainTest, AnyRefusalRefuses) {
  AuthenticatorChain chain;
  ASSERT_TRUE(chain.Add(std::make_shared<Fake>(CredentialType::kProof, Agent("did:key:a"))).ok());
  ASSERT_TRUE(chain.Add(std::make_shared<Fake>(CredentialType::kHttpSignature, AuthFailure{"bad_http_signature", "no"})).ok());
  Presented r({CredentialType::kProof, CredentialType::kHttpSignature});
  auto out = chain.Authenticate(r.request, &r.http);
  ASSERT_TRUE(std::holds_alternative<AuthFailure>(out));
  EXPECT_EQ(std::get<AuthFailure>(out).reason, "bad_http_signature");
}

TEST(AuthenticatorChainTest, CombinesAUsersTokenWithItsAgentsSignature) {
  using T = CredentialType;
  EXPECT_EQ(Outcome({}), "none");
  EXPECT_EQ(Outcome({{T::kProof, Agent("did:key:a")}}), "did:key:a/did:key:a by aip-proof");
  EXPECT_EQ(Outcome({{T::kProof, Agent("did:key:a")}, {T::kHttpSignature, Agent("did:key:a")}}),
            "did:key:a/did:key:a by aip-proof+http-signature");
  EXPECT_EQ(Outcome({{T::kProof, Agent("did:key:a")}, {T::kHttpSignature, Agent("did:key:b")}}), "ambiguous_credentials");
  EXPECT_EQ(Outcome({{T::kProof, Agent("did:key:a")}, {T::kAccessToken, User("alice", "did:key:a")}}),
            "alice/did:key:a by access-token+aip-proof");
  EXPECT_EQ(Outcome({{T::kProof, Agent("did:key:b")}, {T::kAccessToken, User("alice", "did:key:a")}}), "agent_mismatch");
  Principal via_act = User("alice", "portal");
  via_act.actor_chain = {"did:key:a"};
  EXPECT_EQ(Outcome({{T::kHttpSignature, Agent("did:key:a")}, {T::kAccessToken, via_act}}),
            "alice/did:key:a by access-token+http-signature");
  EXPECT_EQ(Outcome({{T::kProof, Agent("did:key:a")}, {T::kApiKey, Key()}}), "ambiguous_credentials");
  EXPECT_EQ(Outcome({{T::kApiKey, Key()}, {T::kAccessToken, User("alice", "x")}}), "ambiguous_credentials");
  EXPECT_EQ(Outcome({{T::kAccessToken, User("alice", "x")}}), "alice/ by access-token");
}

TEST(AuthenticatorChainTest, AWebBotAuthSignatureJoinsTheSameKeysProof) {
  using T = CredentialType;
  EXPECT_EQ(Outcome({{T::kWebBotAuth, Bot("did:key:a")}}), "https://bot.example#thumb/did:key:a by web-bot-auth");
  // With aip's proof by the same key: the agent, its call proven, and both credentials named.
  EXPECT_EQ(Outcome({{T::kProof, Agent("did:key:a")}, {T::kWebBotAuth, Bot("did:key:a")}}),
            "did:key:a/did:key:a by aip-proof+web-bot-auth");
  EXPECT_EQ(Outcome({{T::kProof, Agent("did:key:b")}, {T::kWebBotAuth, Bot("did:key:a")}}), "agent_mismatch");
  EXPECT_EQ(Outcome({{T::kWebBotAuth, Bot("did:key:a")}, {T::kApiKey, Key()}}), "ambiguous_credentials");
}

}  // namespace
}  // namespace aip::authn

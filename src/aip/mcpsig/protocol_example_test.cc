// Checks the worked example in docs/protocol.md byte for byte: every fenced block tagged
// <!-- example:NAME --> must equal what this implementation computes for the example's fixed
// key, request, time and nonce.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/crypto/sha.h"
#include "aip/identity/data_integrity.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/definition_proof.h"
#include "aip/pins/definition_pin.h"
#include "aip/mcpsig/request_proof.h"
#include "aip/testing/testing.h"

namespace aip::mcpsig {
namespace {

using ::aip::testing::IsOk;

// Blocks reads every "<!-- example:NAME -->" marker and the fenced block that follows it.
std::map<std::string, std::string> Blocks(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, std::string> out;
  std::string line, name, body;
  bool in_block = false;
  while (std::getline(in, line)) {
    if (!in_block && line.starts_with("<!-- example:")) {
      name = line.substr(13, line.find(" -->") - 13);
    } else if (!name.empty() && !in_block && line.starts_with("```")) {
      in_block = true;
      body.clear();
    } else if (in_block && line.starts_with("```")) {
      if (!body.empty()) body.pop_back();  // The newline before the closing fence.
      out[name] = body;
      name.clear();
      in_block = false;
    } else if (in_block) {
      body += line + "\n";
    }
  }
  return out;
}

class FixedClock final : public Clock {
 public:
  TimePoint Now() const override { return *ParseTime("2026-11-22T10:00:30Z"); }
};

// ExampleIdentity: the seed 00 01 02 ... 1f (also "A" in the Python AIP compatibility vectors).
identity::Identity ExampleIdentity() {
  Bytes seed(32);
  for (int i = 0; i < 32; ++i) seed[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  return identity::Identity(*crypto::Ed25519PrivateKey::FromSeed(seed), "example", "", *ParseTime("2026-11-22T10:00:00Z"));
}

class SigningClock final : public Clock {
 public:
  TimePoint Now() const override { return *ParseTime("2026-11-22T10:00:00Z"); }
};

TEST(ProtocolExampleTest, DocsMatchTheImplementation) {
  auto blocks = Blocks("docs/protocol.md");
  identity::Identity agent = ExampleIdentity();
  std::map<std::string, std::string> computed;
  computed["did"] = agent.did();

  auto request = json::ParseJsonObject(blocks["request"]);
  ASSERT_THAT(request, IsOk()) << "docs/protocol.md has no valid example:request block";
  auto doc = SecuredRequestDocument(*request);
  ASSERT_THAT(doc, IsOk());
  computed["secured-document"] = *json::Canonicalize(json::Value(*doc));

  identity::ProofOptions o;
  o.verification_method = agent.verification_method();
  o.purpose = identity::Purpose::kAuthentication;
  o.created = *ParseTime("2026-11-22T10:00:00Z");
  o.expires = *ParseTime("2026-11-22T10:02:00Z");
  o.domain = "https://tasks.example.com/mcp";
  o.challenge = "3q2-7wAAAAAAAAAAAAAAAA";
  auto proof = identity::CreateProof(*doc, agent, o);
  ASSERT_THAT(proof, IsOk());
  json::Object config = *proof;
  config.erase("proofValue");
  auto in = identity::ComputeHashInput(*doc, config);
  ASSERT_THAT(in, IsOk());
  computed["proof-config"] = in->canonical_proof_config;
  computed["hash-data"] = HexEncode(in->hash_data);
  computed["proof-value"] = std::string(proof->at("proofValue").as_string());
  json::Object signed_request = *request;
  signed_request["params"].as_object()["_meta"].as_object()[kProofKey] = *proof;
  computed["signed-request"] = json::Serialize(signed_request);

  std::size_t checked = 0;
  for (const auto& [name, value] : computed) {
    EXPECT_EQ(blocks[name], value) << "docs/protocol.md block example:" << name << " should be:\n" << value;
    ++checked;
  }
  // And the example verifies (at 10:00:30, for its audience).
  FixedClock clock;
  VerifyOptions v{{"https://tasks.example.com/mcp"}, DefaultResolver(), nullptr, std::chrono::seconds(60), &clock};
  auto verified = VerifyRequest(*json::ParseJsonObject(blocks["signed-request"]), v);
  EXPECT_TRUE(std::holds_alternative<authn::Principal>(verified));
  ::aip::testing::ReportVectors("docs/protocol.md worked example blocks", checked);
}

// The signed-definitions example in docs/protocol.md: a tools/list result, signed by the example
// key at 10:00:00 — each block is what this implementation computes.
TEST(ProtocolExampleTest, SignedDefinitionsExampleMatches) {
  auto blocks = Blocks("docs/protocol.md");
  auto listed = json::ParseJsonObject(blocks["definitions-result"]);
  ASSERT_THAT(listed, IsOk()) << "docs/protocol.md has no valid example:definitions-result block";
  std::map<std::string, std::string> computed;
  const json::Object& tool = listed->at("tools").as_array()[0].as_object();
  computed["definition-hash"] = *pins::DefinitionHash(tool);
  computed["list-proof-document"] = *json::Canonicalize(json::Value(*ListProofDocument("tools", listed->at("tools").as_array())));
  SigningClock clock;
  ProofDefinitionSigner signer(std::make_shared<identity::Identity>(ExampleIdentity()), &clock);
  json::Object result = *listed;
  json::Object meta;
  ASSERT_THAT(signer.Sign("tools", result["tools"].as_array(), meta), IsOk());
  result["_meta"] = meta;
  computed["signed-definitions"] = json::Serialize(result);
  for (const auto& [name, value] : computed) {
    EXPECT_EQ(blocks[name], value) << "docs/protocol.md block example:" << name << " should be:\n" << value;
  }
  // It verifies, and the signed definition pins to the same hash as the unsigned one.
  auto signed_result = json::ParseJsonObject(blocks["signed-definitions"]);
  ASSERT_THAT(signed_result, IsOk());
  const json::Array& items = signed_result->at("tools").as_array();
  EXPECT_EQ(*VerifyDefinitionProof(items[0].as_object()), ExampleIdentity().did());
  EXPECT_EQ(*VerifyListProof("tools", items, *signed_result), ExampleIdentity().did());
  EXPECT_EQ(*pins::DefinitionHash(items[0].as_object()), computed["definition-hash"]);
  ::aip::testing::ReportVectors("docs/protocol.md signed-definitions blocks", computed.size());
}

}  // namespace
}  // namespace aip::mcpsig

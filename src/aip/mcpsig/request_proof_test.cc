#include "aip/mcpsig/request_proof.h"

#include <gtest/gtest.h>

#include "aip/identity/data_integrity.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/result_proof.h"
#include "aip/testing/testing.h"

namespace aip::mcpsig {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint t) : t_(t) {}
  TimePoint Now() const override { return t_; }
  TimePoint t_;
};

constexpr const char* kAudience = "https://tasks.example.com/mcp";

class RequestProofTest : public ::testing::Test {
 protected:
  json::Object Call(std::string tool, json::Object args) {
    return json::Object{{"jsonrpc", "2.0"},
                        {"id", 7},
                        {"method", "tools/call"},
                        {"params", json::Object{{"name", std::move(tool)}, {"arguments", std::move(args)}}}};
  }
  json::Object Signed(json::Object request, std::chrono::seconds lifetime = std::chrono::seconds(120)) {
    EXPECT_THAT(SignRequest(request, agent_, SignOptions{kAudience, lifetime, &clock_}), IsOk());
    return request;
  }
  std::string Reason(const json::Object& request) {
    auto r = VerifyRequest(request, options_);
    return std::holds_alternative<ProofError>(r) ? std::get<ProofError>(r).reason : "ok";
  }
  json::Object& ProofOf(json::Object& request) { return request["params"].as_object()["_meta"].as_object()[kProofKey].as_object(); }

  FixedClock clock_{*ParseTime("2026-11-22T10:00:00Z")};
  identity::Identity agent_ = identity::Identity::Generate("agent", "", clock_.Now());
  VerifyOptions options_{{kAudience}, DefaultResolver(), std::make_shared<authn::InMemoryReplayCache>(), std::chrono::seconds(60), &clock_};
};

TEST_F(RequestProofTest, AcceptsASignedCallAndNamesTheAgent) {
  auto r = VerifyRequest(Signed(Call("list_tasks", {{"project", "a"}})), options_);
  ASSERT_TRUE(std::holds_alternative<authn::Principal>(r)) << std::get<ProofError>(r).message;
  const auto& p = std::get<authn::Principal>(r);
  EXPECT_EQ(p.did, agent_.did());
  EXPECT_EQ(p.audience, kAudience);
  EXPECT_EQ(p.verification_method, agent_.verification_method());
}

TEST_F(RequestProofTest, IdRewritesDoNotBreakTheProof) {
  json::Object r = Signed(Call("list_tasks", {{"project", "a"}}));
  r["id"] = "gateway-42";
  EXPECT_EQ(Reason(r), "ok");
}

TEST_F(RequestProofTest, RefusesEachTamperingWithItsReason) {
  json::Object base = Signed(Call("list_tasks", {{"project", "a"}}));
  json::Object r = base;
  r["params"].as_object()["arguments"].as_object()["project"] = "b";
  EXPECT_EQ(Reason(r), "bad_signature");
  r = base;
  r["params"].as_object()["name"] = "create_task";
  EXPECT_EQ(Reason(r), "bad_signature");
  r = base;
  r["method"] = "prompts/get";  // Proof moved to another method.
  EXPECT_EQ(Reason(r), "bad_signature");
  r = base;
  r["params"].as_object()["_meta"].as_object()["progressToken"] = 1;  // Other _meta is covered too.
  EXPECT_EQ(Reason(r), "bad_signature");
  r = base;
  identity::Identity other = identity::Identity::Generate("other", "", clock_.Now());
  ProofOf(r)["verificationMethod"] = other.verification_method();  // DID swapped.
  EXPECT_EQ(Reason(r), "bad_signature");
  r = base;
  r["extra"] = 1;
  EXPECT_EQ(Reason(r), "malformed_proof");
  r = base;
  r["params"].as_object()["_meta"].as_object().erase(kProofKey);
  EXPECT_EQ(Reason(r), "missing_proof");
  r = base;
  ProofOf(r)["proofValue"] = "z3";
  EXPECT_EQ(Reason(r), "malformed_proof");
  r = base;
  ProofOf(r)["cryptosuite"] = "ecdsa-rdfc-2019";
  EXPECT_EQ(Reason(r), "unsupported_proof");
  r = base;
  ProofOf(r)["verificationMethod"] =
      "did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F#z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F";
  EXPECT_EQ(Reason(r), "unsupported_key_type");
  r = base;
  ProofOf(r)["verificationMethod"] = "did:example:123#key-1";  // No resolver for this method.
  EXPECT_EQ(Reason(r), "unresolvable_did");
}

TEST_F(RequestProofTest, EnforcesAudienceTimeAndLifetime) {
  json::Object r = Call("list_tasks", {{"project", "a"}});
  ASSERT_THAT(SignRequest(r, agent_, SignOptions{"https://other.example/mcp", std::chrono::seconds(60), &clock_}), IsOk());
  EXPECT_EQ(Reason(r), "wrong_audience");
  json::Object good = Signed(Call("list_tasks", {{"project", "a"}}));
  clock_.t_ += std::chrono::minutes(10);
  EXPECT_EQ(Reason(good), "expired");
  clock_.t_ -= std::chrono::minutes(20);
  EXPECT_EQ(Reason(good), "not_yet_valid");  // Created 10 min in our future: skew beyond the bound.
  clock_.t_ += std::chrono::minutes(10);
  EXPECT_THAT(SignRequest(r, agent_, SignOptions{kAudience, std::chrono::seconds(600), &clock_}), StatusIs(ErrorCode::kInvalidArgument));
  // A hand-made proof with a long window is refused even though it is correctly signed.
  json::Object long_lived = Call("list_tasks", {{"project", "a"}});
  long_lived["params"].as_object()["_meta"] = json::Object{};
  auto doc = SecuredRequestDocument(long_lived);
  identity::ProofOptions o;
  o.verification_method = agent_.verification_method();
  o.purpose = identity::Purpose::kAuthentication;
  o.created = clock_.Now();
  o.expires = clock_.Now() + std::chrono::hours(1);
  o.domain = kAudience;
  o.challenge = "0123456789abcdef";
  long_lived["params"].as_object()["_meta"].as_object()[kProofKey] = *identity::CreateProof(*doc, agent_, o);
  EXPECT_EQ(Reason(long_lived), "lifetime_too_long");
}

TEST_F(RequestProofTest, ANonceIsSpentOnce) {
  json::Object r = Signed(Call("list_tasks", {{"project", "a"}}));
  EXPECT_EQ(Reason(r), "ok");
  EXPECT_EQ(Reason(r), "replayed_nonce");
  // A forged copy (bad signature) cannot burn someone's nonce before they use it.
  json::Object fresh = Signed(Call("list_tasks", {{"project", "a"}}));
  json::Object forged = fresh;
  forged["params"].as_object()["arguments"].as_object()["project"] = "b";
  EXPECT_EQ(Reason(forged), "bad_signature");
  EXPECT_EQ(Reason(fresh), "ok");
}

TEST(ReplayCacheTest, IsBoundedAndFailsClosed) {
  authn::InMemoryReplayCache cache(4, 1);
  TimePoint now = *ParseTime("2026-01-01T00:00:00Z");
  for (int i = 0; i < 4; ++i) ASSERT_THAT(cache.Remember("k" + std::to_string(i), now + std::chrono::minutes(1), now), IsOk());
  EXPECT_THAT(cache.Remember("k9", now + std::chrono::minutes(1), now), StatusIs(ErrorCode::kResourceExhausted));
  EXPECT_THAT(cache.Remember("k1", now + std::chrono::minutes(1), now), StatusIs(ErrorCode::kUnauthenticated));
  // Entries leave when their proofs could no longer verify.
  EXPECT_THAT(cache.Remember("k9", now + std::chrono::minutes(5), now + std::chrono::minutes(2)), IsOk());
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(RequestProofTest, ResultsAreBoundToTheirRequest) {
  identity::Identity server = identity::Identity::Generate("server", "", clock_.Now());
  json::Object request = Signed(Call("list_tasks", {{"project", "a"}}));
  json::Object result{{"content", json::Array{json::Object{{"type", "text"}, {"text", "ok"}}}}};
  ASSERT_THAT(SignResult(request, result, server), IsOk());
  auto resolver = DefaultResolver();
  auto v = VerifyResult(request, result, *resolver, server.did());
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->signer, server.did());
  EXPECT_THAT(VerifyResult(request, result, *resolver, agent_.did()), StatusIs(ErrorCode::kUnauthenticated));
  json::Object other = Signed(Call("list_tasks", {{"project", "b"}}));
  EXPECT_THAT(VerifyResult(other, result, *resolver, std::nullopt), StatusIs(ErrorCode::kUnauthenticated));
  json::Object altered = result;
  altered["content"].as_array()[0].as_object()["text"] = "changed";
  EXPECT_THAT(VerifyResult(request, altered, *resolver, std::nullopt), StatusIs(ErrorCode::kUnauthenticated));
  json::Object unsigned_result{{"content", json::Array{}}};
  EXPECT_THAT(VerifyResult(request, unsigned_result, *resolver, std::nullopt), StatusIs(ErrorCode::kUnauthenticated, "not signed"));
}

}  // namespace
}  // namespace aip::mcpsig

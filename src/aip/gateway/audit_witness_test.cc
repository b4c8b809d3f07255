#include "aip/gateway/audit_witness.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "aip/base/file_io.h"
#include "aip/gateway/audit_log.h"
#include "aip/testing/testing.h"

namespace aip::gateway {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

std::shared_ptr<const identity::Identity> NewIdentity(const char* name) {
  return std::make_shared<const identity::Identity>(identity::Identity::Generate(name, "test", DefaultClock().Now()));
}

class AuditWitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/witness-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  // Checkpoint lines a real audit log writes, in order.
  std::vector<std::string> Checkpoints(int n) {
    AuditConfig config;
    config.path = dir_ + "/audit.jsonl";
    config.checkpoint_every = 2;
    std::vector<std::string> out;
    auto log = AuditLog::Open(config, gateway_);
    EXPECT_THAT(log, IsOk());
    (*log)->OnCheckpoint([&](std::string line) { out.push_back(std::move(line)); });
    for (int i = 0; i < 2 * n; ++i) EXPECT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"n", i}}), IsOk());
    return out;
  }
  std::string dir_;
  std::shared_ptr<const identity::Identity> gateway_ = NewIdentity("gateway");
  std::shared_ptr<const identity::Identity> witness_key_ = NewIdentity("witness");
};

TEST_F(AuditWitnessTest, CountersignsCheckpointsAndKeepsTheLatest) {
  auto cps = Checkpoints(3);
  ASSERT_EQ(cps.size(), 3u);
  auto witness = AuditWitness::Open(dir_ + "/state.json", witness_key_, {gateway_->did()});
  ASSERT_THAT(witness, IsOk());
  auto r1 = (*witness)->Witness(cps[0]);
  ASSERT_THAT(r1, IsOk());
  auto receipt = VerifyAuditReceipt(*r1, witness_key_->did());
  ASSERT_THAT(receipt, IsOk());
  EXPECT_EQ(receipt->signer, gateway_->did());
  EXPECT_EQ(receipt->line_sha256, AuditLineHash(cps[0]));
  EXPECT_THAT((*witness)->Witness(cps[0]), IsOk());  // Sent again: the same receipt.
  ASSERT_THAT((*witness)->Witness(cps[2]), IsOk());
  // Going back, or another checkpoint at a seq already witnessed, is refused.
  EXPECT_THAT((*witness)->Witness(cps[1]), StatusIs(ErrorCode::kAlreadyExists, "goes back to or contradicts"));
  // The latest survives a restart, and the state file is checked when read.
  witness->reset();
  auto again = AuditWitness::Open(dir_ + "/state.json", witness_key_, {gateway_->did()});
  ASSERT_THAT(again, IsOk());
  auto latest = (*again)->Latest(gateway_->did());
  ASSERT_THAT(latest, IsOk());
  EXPECT_EQ(VerifyAuditReceipt(*latest)->seq, VerifyAuditReceipt(*(*again)->Witness(cps[2]))->seq);
  EXPECT_THAT((*again)->Latest(NewIdentity("other")->did()), StatusIs(ErrorCode::kNotFound));
  std::string state = *ReadFile(dir_ + "/state.json");
  state.replace(state.find("\"seq\":"), 7, "\"seq\":1");
  { std::ofstream(dir_ + "/state.json") << state; }
  EXPECT_FALSE(AuditWitness::Open(dir_ + "/state.json", witness_key_, {gateway_->did()}).ok());
}

TEST_F(AuditWitnessTest, RefusesWhatIsNotASignedCheckpoint) {
  auto cps = Checkpoints(1);
  auto witness = AuditWitness::Open(dir_ + "/state.json", witness_key_, {gateway_->did()});
  ASSERT_THAT(witness, IsOk());
  EXPECT_THAT((*witness)->Witness("{\"type\":\"decision\"}"), StatusIs(ErrorCode::kInvalidArgument));
  std::string forged = cps[0];
  forged.replace(forged.find("\"lines\":"), 8, "\"lines\":9");
  EXPECT_THAT((*witness)->Witness(forged), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT((*witness)->Witness("not json"), StatusIs(ErrorCode::kInvalidArgument));
  // A checkpoint signed by a key it does not serve: refused, nothing kept.
  auto stranger = AuditWitness::Open(dir_ + "/other-state.json", witness_key_, {"did:key:z6MkSomeOtherGateway"});
  ASSERT_THAT(stranger, IsOk());
  EXPECT_THAT((*stranger)->Witness(cps[0]), StatusIs(ErrorCode::kPermissionDenied, "not a gateway this witness serves"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/other-state.json"));
  EXPECT_THAT(AuditWitness::Open(dir_ + "/x.json", witness_key_, {}), StatusIs(ErrorCode::kInvalidArgument));
  // A receipt is the witness's: another key's receipt is refused by a verifier naming it.
  auto receipt = (*witness)->Witness(cps[0]);
  ASSERT_THAT(receipt, IsOk());
  EXPECT_THAT(VerifyAuditReceipt(*receipt, NewIdentity("impostor")->did()), StatusIs(ErrorCode::kUnauthenticated, "not did:key"));
}

}  // namespace
}  // namespace aip::gateway

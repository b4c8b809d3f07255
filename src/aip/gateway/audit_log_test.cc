#include "aip/gateway/audit_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "aip/base/file_io.h"
#include "aip/testing/testing.h"

namespace aip::gateway {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

std::shared_ptr<const identity::Identity> NewIdentity() {
  return std::make_shared<const identity::Identity>(identity::Identity::Generate("gw", "test", DefaultClock().Now()));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/audit-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config_.path = dir_ + "/audit.jsonl";
    config_.checkpoint_every = 3;
  }
  std::string WriteSome(int n) {
    auto log = AuditLog::Open(config_, signer_);
    EXPECT_THAT(log, IsOk());
    for (int i = 0; i < n; ++i) EXPECT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"n", i}}), IsOk());
    log->reset();  // Final checkpoint.
    return *ReadFile(config_.path);
  }
  std::string dir_;
  AuditConfig config_;
  std::shared_ptr<const identity::Identity> signer_ = NewIdentity();
};

TEST_F(AuditLogTest, ChainsLinesAndSignsCheckpoints) {
  std::string text = WriteSome(7);
  auto report = VerifyAuditLog(text, signer_->did());
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->lines, 10u);  // 7 records + checkpoints after 3, 6 and at close.
  EXPECT_EQ(report->checkpoints, 3u);
  EXPECT_EQ(report->signer, signer_->did());
  EXPECT_EQ(report->unsealed_tail, 0u);
  EXPECT_EQ(std::filesystem::status(config_.path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// Handler threads append at once, each syncing its own line outside the log's lock: the lines
// still form one chain, with every record and checkpoint in it.
TEST_F(AuditLogTest, ConcurrentAppendsFormOneChain) {
  config_.fsync = AuditConfig::Fsync::kEveryLine;
  constexpr int kThreads = 8, kEach = 40;
  {
    auto log = AuditLog::Open(config_, signer_);
    ASSERT_THAT(log, IsOk());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < kEach; ++i) EXPECT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"t", t}, {"n", i}}), IsOk());
      });
    }
    for (auto& th : threads) th.join();
  }
  auto report = VerifyAuditLog(*ReadFile(config_.path), signer_->did());
  ASSERT_THAT(report, IsOk());
  constexpr int kRecords = kThreads * kEach;
  EXPECT_EQ(report->lines, static_cast<std::uint64_t>(kRecords + kRecords / 3 + (kRecords % 3 != 0)));
  EXPECT_EQ(report->unsealed_tail, 0u);
}

TEST_F(AuditLogTest, DetectsEditedDeletedInsertedAndReorderedLines) {
  auto lines = Lines(WriteSome(7));
  auto edited = lines;
  edited[1].replace(edited[1].find("\"n\":1"), 5, "\"n\":9");
  EXPECT_THAT(VerifyAuditLog(Join(edited)), StatusIs(ErrorCode::kInvalidArgument, "line 3: does not follow line 2"));
  auto deleted = lines;
  deleted.erase(deleted.begin() + 4);
  EXPECT_THAT(VerifyAuditLog(Join(deleted)), StatusIs(ErrorCode::kInvalidArgument, "line 5"));
  auto inserted = lines;
  inserted.insert(inserted.begin() + 2, lines[1]);
  EXPECT_FALSE(VerifyAuditLog(Join(inserted)).ok());
  auto reordered = lines;
  std::swap(reordered[4], reordered[5]);
  EXPECT_FALSE(VerifyAuditLog(Join(reordered)).ok());
  // The last checkpoint seals the end: cutting it off is visible as an unsealed tail or a
  // shorter log, and editing it breaks its signature.
  auto last = lines;
  last.back().replace(last.back().find("\"lines\":"), 8, "\"lines\":1");
  EXPECT_THAT(VerifyAuditLog(Join(last)), StatusIs(ErrorCode::kInvalidArgument, "signature does not verify"));
}

TEST_F(AuditLogTest, CheckpointsMustComeFromTheExpectedKey) {
  std::string text = WriteSome(2);
  auto other = NewIdentity();
  EXPECT_THAT(VerifyAuditLog(text, other->did()), StatusIs(ErrorCode::kInvalidArgument, "not " + other->did()));
  // A forger who rewrites the whole log signs with another key: pinning the signer catches it.
  config_.path = dir_ + "/forged.jsonl";
  signer_ = other;
  std::string forged = WriteSome(2);
  EXPECT_THAT(VerifyAuditLog(forged), IsOk());
  EXPECT_FALSE(VerifyAuditLog(forged, NewIdentity()->did()).ok());
}

TEST_F(AuditLogTest, ContinuesTheChainAcrossRestartsAndRecoversATornLine) {
  WriteSome(2);
  { std::ofstream(config_.path, std::ios::app) << "{\"seq\":99,\"half"; }  // A crash mid-write.
  std::string text = WriteSome(2);
  auto report = VerifyAuditLog(text, signer_->did());
  ASSERT_THAT(report, IsOk());
  EXPECT_NE(text.find("\"type\":\"recovered\",\"dropped_bytes\":15"), std::string::npos);
  EXPECT_EQ(text.find("half"), std::string::npos);
}

TEST_F(AuditLogTest, RefusesToAppendToSomethingElse) {
  { std::ofstream(config_.path) << "not an audit log\n"; }
  EXPECT_THAT(AuditLog::Open(config_, signer_), StatusIs(ErrorCode::kFailedPrecondition, "refusing to append"));
}

TEST_F(AuditLogTest, RedactsPointersAndKeys) {
  config_.redact_pointers = {"/card/number"};
  config_.redact_keys = {"Password"};
  auto log = AuditLog::Open(config_, signer_);
  ASSERT_THAT(log, IsOk());
  auto args = json::ParseJsonObject(R"({"card":{"number":"4111","name":"A"},"nested":[{"password":"x"}],"PASSWORD":"y"})");
  json::Value r = (*log)->Redact(*args);
  EXPECT_EQ(json::Serialize(r),
            R"({"card":{"number":"[redacted]","name":"A"},"nested":[{"password":"[redacted]"}],"PASSWORD":"[redacted]"})");
}

TEST_F(AuditLogTest, LargeArgumentsAreRecordedByDigest) {
  auto log = AuditLog::Open(config_, signer_);
  ASSERT_THAT(log, IsOk());
  json::Object big{{"blob", std::string(100 * 1024, 'x')}};
  json::Value r = (*log)->Redact(big);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r.at("omitted"), "too large to record");
  EXPECT_GT(r.at("bytes").as_int64(), 100 * 1024);
  EXPECT_EQ(r.at("sha256").as_string().size(), 64u);
  EXPECT_LT(json::Serialize(r).size(), 200u);
  json::Object small{{"blob", "x"}};
  EXPECT_EQ((*log)->Redact(small), json::Value(small));
}

TEST(AuditVerifyTest, RefusesGarbageWithTheLine) {
  EXPECT_THAT(VerifyAuditLog("{\"seq\":0}"), StatusIs(ErrorCode::kInvalidArgument, "line 1: torn"));
  EXPECT_THAT(VerifyAuditLog("nope\n"), StatusIs(ErrorCode::kInvalidArgument, "line 1: not a JSON object"));
  EXPECT_THAT(VerifyAuditLog("{\"seq\":0,\"prev\":\"00\"}\n"), StatusIs(ErrorCode::kInvalidArgument, "line 1: does not follow"));
  std::string genesis(64, '0');
  EXPECT_THAT(VerifyAuditLog("{\"seq\":0,\"prev\":\"" + genesis + "\",\"type\":\"checkpoint\"}\n"),
              StatusIs(ErrorCode::kInvalidArgument, "not signed"));
}

}  // namespace
}  // namespace aip::gateway

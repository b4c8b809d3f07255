#include "aip/gateway/audit_log.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <thread>

#include "aip/base/file_io.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
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
    dir_ = ::testing::TempDir() + "/audit-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
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

// On an event loop the lines that the calls of one loop turn reach share a write(2); every call's
// two lines are in the one chain, each written before its call went on.
TEST_F(AuditLogTest, CallsOnAnEventLoopShareWritesAndFormOneChain) {
  config_.fsync = AuditConfig::Fsync::kNever;
  config_.checkpoint_every = 1000;
  auto log = AuditLog::Open(config_, signer_);
  ASSERT_THAT(log, IsOk());
  net::HttpServerOptions options;
  options.threads = 1;
  options.loop_handlers = true;
  auto server = net::HttpServer::Start(options, [&log](const net::HttpRequest& r, net::Exchange& e) {
    net::HttpResponse answer;
    answer.status = (*log)->Append(json::Object{{"type", "decision"}, {"call", r.target}}).ok() &&
                            (*log)->Append(json::Object{{"type", "outcome"}, {"call", r.target}}).ok()
                        ? 200
                        : 500;
    e.Respond(std::move(answer));
  });
  ASSERT_TRUE(server.ok());
  constexpr int kClients = 16, kEach = 20;
  std::string url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/";
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      net::HttpClient client(net::ParseUrl(url).value());
      for (int i = 0; i < kEach; ++i) {
        auto r = client.Send("GET", "/c" + std::to_string(c) + "-" + std::to_string(i), net::Headers{}, "");
        if (r.ok() && r->status == 200) ++answered;
      }
    });
  }
  for (auto& t : clients) t.join();
  (*server)->Stop(std::chrono::milliseconds(1000));
  constexpr int kLines = 2 * kClients * kEach;
  EXPECT_EQ(answered, kClients * kEach);
  EXPECT_LT((*log)->writes(), static_cast<std::uint64_t>(kLines));
  log->reset();
  std::string text = *ReadFile(config_.path);
  auto report = VerifyAuditLog(text, signer_->did());
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->lines, static_cast<std::uint64_t>(kLines + 1));  // And the checkpoint at close.
  std::map<std::string, int> per_call;
  for (const auto& line : Lines(text)) {
    auto v = json::ParseJson(line);
    if (v.ok() && v->is_object() && v->as_object().contains("call")) ++per_call[std::string(v->as_object().at("call").as_string())];
  }
  EXPECT_EQ(per_call.size(), static_cast<std::size_t>(kClients * kEach));
  for (const auto& [call, n] : per_call) EXPECT_EQ(n, 2) << call;
}

// A write that fails with nothing written takes its line back: that call fails, and the chain
// goes on from the last line in the file.
TEST_F(AuditLogTest, AWriteThatFailsTakesItsLineBackAndTheChainGoesOn) {
  config_.fsync = AuditConfig::Fsync::kNever;
  config_.checkpoint_every = 1000;
  auto log = AuditLog::Open(config_, signer_);
  ASSERT_THAT(log, IsOk());
  ASSERT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"n", 1}}), IsOk());
  // The file may not grow past its size now: the next write fails with EFBIG, writing nothing.
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
  rlimit at_size = before;
  at_size.rlim_cur = std::filesystem::file_size(config_.path);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &at_size), 0);
  Status failed = (*log)->Append(json::Object{{"type", "decision"}, {"n", 2}});
  ::setrlimit(RLIMIT_FSIZE, &before);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_THAT(failed, StatusIs(ErrorCode::kUnavailable, "audit log write"));
  EXPECT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"n", 3}}), IsOk());
  log->reset();
  std::string text = *ReadFile(config_.path);
  auto report = VerifyAuditLog(text, signer_->did());
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->lines, 3u);  // n = 1, n = 3, the checkpoint at close.
  EXPECT_EQ(text.find("\"n\":2"), std::string::npos);
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
  EXPECT_THAT(AuditLog::Open(config_, signer_), StatusIs(ErrorCode::kFailedPrecondition, "refusing to continue it"));
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

// What a forger appends to a stopped gateway's log chains correctly, but carries no MAC of the
// gateway's: the gateway refuses to continue (and so to sign over) it.
TEST_F(AuditLogTest, RefusesToSealLinesItDidNotWrite) {
  auto lines = Lines(WriteSome(2));
  std::string forged = "{\"seq\":" + std::to_string(lines.size()) + ",\"time\":\"2026-01-01T00:00:00Z\",\"prev\":\"" +
                       AuditLineHash(lines.back()) + "\",\"type\":\"decision\",\"decision\":\"allow\"}";
  { std::ofstream(config_.path, std::ios::app) << forged << "\n"; }
  ASSERT_THAT(VerifyAuditLog(*ReadFile(config_.path), signer_->did()), IsOk());  // The chain alone cannot tell.
  EXPECT_THAT(AuditLog::Open(config_, signer_),
              StatusIs(ErrorCode::kFailedPrecondition, "1 of the 1 lines after the last checkpoint were not written by this gateway"));
  // A MAC made up, or made with another key, is no better.
  auto other = AuditLineKey(*NewIdentity());
  { std::ofstream(config_.path) << Join(lines) << WithLineMac(*other, forged) << "\n"; }
  EXPECT_THAT(AuditLog::Open(config_, signer_), StatusIs(ErrorCode::kFailedPrecondition, "not written by this gateway"));
}

TEST_F(AuditLogTest, RefusesToContinueAnEditedLogOrAnotherKeysLog) {
  auto lines = Lines(WriteSome(7));
  auto edited = lines;
  edited[1].replace(edited[1].find("\"n\":1"), 5, "\"n\":9");
  { std::ofstream(config_.path) << Join(edited); }
  EXPECT_THAT(AuditLog::Open(config_, signer_), StatusIs(ErrorCode::kFailedPrecondition, "line 3: does not follow line 2"));
  { std::ofstream(config_.path) << Join(lines); }
  EXPECT_THAT(AuditLog::Open(config_, NewIdentity()), StatusIs(ErrorCode::kFailedPrecondition, "checkpoint signed by"));
  EXPECT_THAT(AuditLog::Open(config_, signer_), IsOk());
}

TEST_F(AuditLogTest, NewFileSetsABrokenLogAsideAndSaysWhy) {
  auto lines = Lines(WriteSome(4));
  lines.erase(lines.begin() + 2);
  { std::ofstream(config_.path) << Join(lines); }
  config_.on_broken_chain = AuditConfig::OnBrokenChain::kNewFile;
  std::string text = WriteSome(1);
  auto report = VerifyAuditLog(text, signer_->did());
  ASSERT_THAT(report, IsOk());
  EXPECT_NE(text.find("\"type\":\"chain_refused\",\"set_aside\":\"audit.jsonl.broken-"), std::string::npos) << text;
  EXPECT_NE(text.find("line 3: does not follow line 2"), std::string::npos);
  int aside = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) aside += e.path().filename().string().starts_with("audit.jsonl.broken-");
  EXPECT_EQ(aside, 1);
}

TEST_F(AuditLogTest, OneWriterAtATime) {
  auto first = AuditLog::Open(config_, signer_);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(AuditLog::Open(config_, signer_), StatusIs(ErrorCode::kFailedPrecondition, "in use by another process"));
  first->reset();
  EXPECT_THAT(AuditLog::Open(config_, signer_), IsOk());
}

// A crash leaves the gateway's own lines after the last checkpoint: they carry its MAC, so it
// takes them up, says so, and its next checkpoint seals them.
TEST_F(AuditLogTest, TakesUpItsOwnUnsealedLinesAfterACrash) {
  config_.checkpoint_every = 100;
  std::string crashed;
  {
    auto log = AuditLog::Open(config_, signer_);
    ASSERT_THAT(log, IsOk());
    for (int i = 0; i < 5; ++i) ASSERT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"n", i}}), IsOk());
    crashed = *ReadFile(config_.path);
  }
  { std::ofstream(config_.path) << crashed; }
  std::string text = WriteSome(1);
  ASSERT_THAT(VerifyAuditLog(text, signer_->did()), IsOk());
  EXPECT_NE(text.find("\"type\":\"recovered\",\"dropped_bytes\":0,\"unsealed_lines\":5"), std::string::npos) << text;
}

AuditVerifyOptions SignedBy(const std::string& did) {
  AuditVerifyOptions o;
  o.expected_signer = did;
  return o;
}
AuditVerifyOptions Partial() {
  AuditVerifyOptions o;
  o.partial = true;
  return o;
}

std::vector<std::string> Series(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.starts_with("audit.jsonl") && !name.ends_with(".lock")) out.push_back(e.path().string());
  }
  std::sort(out.rbegin(), out.rend());  // Deliberately not chain order.
  return out;
}

TEST_F(AuditLogTest, RotatesBySizeAndTheSeriesVerifiesAsOneChain) {
  config_.rotate_bytes = 4000;
  config_.checkpoint_every = 10;
  {
    auto log = AuditLog::Open(config_, signer_);
    ASSERT_THAT(log, IsOk());
    for (int i = 0; i < 120; ++i) ASSERT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"n", i}}), IsOk());
  }
  // A restart takes up the current file, which begins mid-chain with its "rotated" line.
  std::string current = WriteSome(3);
  EXPECT_NE(current.find("\"type\":\"rotated\",\"previous\":\"audit.jsonl.0000000"), std::string::npos);
  auto files = Series(dir_);
  ASSERT_GE(files.size(), 4u);
  auto report = VerifyAuditFiles(files, SignedBy(signer_->did()));
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->files.front(), RotatedAuditPath(config_.path, 0));
  EXPECT_EQ(report->files.back(), config_.path);
  EXPECT_EQ(report->unsealed_tail, 0u);
  for (const auto& f : files) EXPECT_LE(std::filesystem::file_size(f), 4000u + 2000u) << f;

  // A missing middle file, or the cut-off end of a rotated one, breaks the chain at the next file.
  auto without_middle = files;
  without_middle.erase(std::find(without_middle.begin(), without_middle.end(), report->files[1]));
  EXPECT_THAT(VerifyAuditFiles(without_middle, {}), StatusIs(ErrorCode::kInvalidArgument, report->files[2] + ": line 1: does not follow"));
  // Without its oldest file the series starts mid-chain: refused unless asked for.
  auto without_oldest = files;
  without_oldest.erase(std::find(without_oldest.begin(), without_oldest.end(), report->files[0]));
  EXPECT_THAT(VerifyAuditFiles(without_oldest, {}), StatusIs(ErrorCode::kInvalidArgument, "does not start a chain"));
  auto partial = VerifyAuditFiles(without_oldest, Partial());
  ASSERT_THAT(partial, IsOk());
  EXPECT_GT(partial->first_seq, 0u);
  auto text = *ReadFile(report->files[1]);
  auto lines = Lines(text);
  lines.pop_back();
  { std::ofstream(report->files[1]) << Join(lines); }
  EXPECT_THAT(VerifyAuditFiles(files, {}), StatusIs(ErrorCode::kInvalidArgument, report->files[2] + ": line 1: does not follow"));
}

// Deleting the current file after a rotation loses what was written since: not a new log.
TEST_F(AuditLogTest, RefusesToStartOverWhenTheCurrentFileIsGoneButRotatedOnesRemain) {
  config_.rotate_bytes = 1500;
  {
    auto log = AuditLog::Open(config_, signer_);
    ASSERT_THAT(log, IsOk());
    for (int i = 0; i < 12; ++i) ASSERT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"n", i}}), IsOk());
  }
  std::filesystem::remove(config_.path);
  EXPECT_THAT(AuditLog::Open(config_, signer_), StatusIs(ErrorCode::kFailedPrecondition, "the current file is missing"));
  config_.on_broken_chain = AuditConfig::OnBrokenChain::kNewFile;
  std::string text = WriteSome(1);
  EXPECT_NE(text.find("\"type\":\"chain_refused\",\"set_aside\":\"(missing)\""), std::string::npos) << text;
}

// Rotation renames two files; a crash between the renames leaves PATH.next holding the new
// file's first line and no PATH. Open finishes the rotation.
TEST_F(AuditLogTest, FinishesARotationACrashInterrupted) {
  config_.rotate_bytes = 1500;
  {
    auto log = AuditLog::Open(config_, signer_);
    ASSERT_THAT(log, IsOk());
    for (int i = 0; i < 12; ++i) ASSERT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"n", i}}), IsOk());
  }
  std::filesystem::rename(config_.path, config_.path + ".next");
  WriteSome(2);
  EXPECT_FALSE(std::filesystem::exists(config_.path + ".next"));
  EXPECT_THAT(VerifyAuditFiles(Series(dir_), SignedBy(signer_->did())), IsOk());
}

TEST(AuditVerifyTest, ReadsFilesInPiecesWhateverTheirSize) {
  std::string path = ::testing::TempDir() + "/audit-pieces-" + std::to_string(::getpid()) + ".jsonl";
  auto signer = NewIdentity();
  AuditConfig config;
  config.path = path;
  config.fsync = AuditConfig::Fsync::kNever;
  config.checkpoint_every = 5000;
  {
    auto log = AuditLog::Open(config, signer);
    ASSERT_THAT(log, IsOk());
    // About 3 MiB: three read pieces, with lines split across their edges.
    for (int i = 0; i < 12000; ++i) ASSERT_THAT((*log)->Append(json::Object{{"type", "decision"}, {"pad", std::string(200, 'x')}}), IsOk());
  }
  auto report = VerifyAuditFiles({path}, SignedBy(signer->did()));
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->lines, 12000u + 3u);
  EXPECT_EQ(report->bytes, std::filesystem::file_size(path));
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".lock");
}

TEST(AuditVerifyTest, RefusesGarbageWithTheLine) {
  EXPECT_THAT(VerifyAuditLog("{\"seq\":0}"), StatusIs(ErrorCode::kInvalidArgument, "line 1: torn"));
  EXPECT_THAT(VerifyAuditLog("nope\n"), StatusIs(ErrorCode::kInvalidArgument, "line 1: not a JSON object"));
  EXPECT_THAT(VerifyAuditLog("{\"seq\":0,\"prev\":\"00\"}\n"), StatusIs(ErrorCode::kInvalidArgument, "line 1: no prev hash"));
  EXPECT_THAT(VerifyAuditLog("{\"seq\":0,\"prev\":\"" + std::string(64, 'a') + "\"}\n"),
              StatusIs(ErrorCode::kInvalidArgument, "line 1: does not start a chain"));
  std::string genesis(64, '0');
  EXPECT_THAT(VerifyAuditLog("{\"seq\":0,\"prev\":\"" + genesis + "\",\"type\":\"checkpoint\"}\n"),
              StatusIs(ErrorCode::kInvalidArgument, "not signed"));
}

}  // namespace
}  // namespace aip::gateway

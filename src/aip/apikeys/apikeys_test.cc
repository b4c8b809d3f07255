#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aip/apikeys/api_key.h"
#include "aip/apikeys/authenticator.h"
#include "aip/apikeys/key_store.h"
#include "aip/base/encoding.h"
#include "aip/sql/sql.h"
#include "aip/testing/testing.h"

namespace aip::apikeys {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;
using namespace std::chrono_literals;

using ::aip::testing::ManualClock;

// The same tests run on SQLite and, given AIP_TEST_POSTGRES_URL (tests/registry/postgres_suite.py),
// on PostgreSQL.
std::string PostgresUrl() {
  const char* pg = std::getenv("AIP_TEST_POSTGRES_URL");
  return pg != nullptr ? std::string(pg) : std::string();
}

class ApiKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aip-apikeys-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    db_ = root_ / "home" / "gateway.db";
    if (!PostgresUrl().empty()) {
      auto conn = sql::OpenPostgres(PostgresUrl());
      ASSERT_THAT(conn, IsOk());
      ASSERT_THAT((*conn)->ExecScript("DROP TABLE IF EXISTS api_keys, api_keys_version"), IsOk());
    }
    store_ = std::shared_ptr<ApiKeyStore>(std::move(ApiKeyStore::Open(Location()).value()));
  }
  StoreLocation Location() const {
    if (PostgresUrl().empty()) return StoreLocation{db_.string(), {}, true};
    return StoreLocation{PostgresUrl(), root_ / "apikeys.hashkey", true};
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::shared_ptr<ApiKeyAuthenticator> Auth(std::chrono::milliseconds refresh = 0ms) {
    return ApiKeyAuthenticator::Create(store_, {refresh, &clock_}).value();
  }
  static std::string Reason(const std::variant<authn::Principal, authn::AuthFailure>& v) {
    const auto* f = std::get_if<authn::AuthFailure>(&v);
    return f == nullptr ? "accepted" : f->reason;
  }

  std::filesystem::path root_, db_;
  std::shared_ptr<ApiKeyStore> store_;
  ManualClock clock_;
};

TEST(ApiKeyFormat, RoundTripsAndCarries256BitsOfSecret) {
  ParsedKey k = NewKey();
  std::string text = FormatKey(k);
  EXPECT_THAT(text, ::testing::StartsWith("aip_"));
  auto parsed = ParseKey(text);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->id, k.id);
  EXPECT_EQ(parsed->secret, k.secret);
  EXPECT_EQ(k.id.size(), 16u);
  EXPECT_NE(NewKey().secret, k.secret);
}

TEST(ApiKeyFormat, RefusesEverythingElse) {
  std::string good = FormatKey(NewKey());
  // (A secret of the right shape but not the issued one, say good + "1" when the secret has 43
  // characters, parses: it is refused by the hash check, ChecksTheSecretAndNamesTheOutcome.)
  for (const std::string& bad :
       std::vector<std::string>{"", "aip_", "aip__x", good + "_", good + "11", "AIP" + good.substr(3),
                                good.substr(0, 10) + "G" + good.substr(11), std::string("aip_0123456789abcdef_0"),
                                "aip_0123456789abcde_" + good.substr(21), good.substr(0, 21) + "0" + good.substr(22), "Bearer " + good}) {
    EXPECT_FALSE(ParseKey(bad).ok()) << bad;
  }
}

TEST_F(ApiKeysTest, StoresOnlyAKeyedHashInPrivateFiles) {
  auto created = store_->Create({"ci", {"tasks:read"}, {"tasks.list_*"}, 30 * 24h}, clock_.now);
  ASSERT_THAT(created, IsOk());
  std::string secret = ParseKey(created->key)->secret;
  struct stat st {};
  if (PostgresUrl().empty()) {
    ASSERT_EQ(::stat(db_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat((db_.string() + ".hashkey").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(testing::ReadText(db_).find(secret), std::string::npos);
  } else {
    ASSERT_EQ(::stat(Location().hash_key_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto conn = sql::OpenPostgres(PostgresUrl()).value();
    auto rows = conn->Query("SELECT id, name, hash, scopes, tools FROM api_keys").value();
    ASSERT_EQ(rows.size(), 1u);
    for (const auto& cell : rows[0]) EXPECT_EQ(cell.value_or("").find(secret), std::string::npos);
  }
  auto listed = store_->List();
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  json::Object shown = (*listed)[0].ToJson();
  EXPECT_EQ(shown.at("name"), "ci");
  EXPECT_FALSE(shown.contains("hash"));
  EXPECT_EQ(json::Serialize(shown).find(secret), std::string::npos);
  EXPECT_EQ(shown.at("expires"), json::Value(FormatTime(clock_.now + 30 * 24h)));
}

TEST_F(ApiKeysTest, ChecksTheSecretAndNamesTheOutcome) {
  auto created = store_->Create({"ci", {"tasks:read"}, {"tasks.*"}, std::nullopt}, clock_.now).value();
  auto auth = Auth();
  auto ok = auth->Check(created.key, "127.0.0.1");
  ASSERT_EQ(Reason(ok), "accepted");
  const auto& p = std::get<authn::Principal>(ok);
  EXPECT_EQ(p.kind, authn::Principal::Kind::kApiKey);
  EXPECT_EQ(p.id, "apikey:" + created.record.id);
  EXPECT_EQ(p.scopes, std::vector<std::string>{"tasks:read"});
  EXPECT_EQ(p.tools, std::vector<std::string>{"tasks.*"});

  ParsedKey wrong = ParseKey(created.key).value();
  wrong.secret = NewKey().secret;
  EXPECT_EQ(Reason(auth->Check(FormatKey(wrong), "")), "invalid_api_key");
  EXPECT_EQ(Reason(auth->Check(FormatKey(NewKey()), "")), "invalid_api_key");
  EXPECT_EQ(Reason(auth->Check("aip_nonsense", "")), "malformed_api_key");
}

TEST_F(ApiKeysTest, RevocationAndExpiryTakeEffect) {
  auto a = store_->Create({"a", {}, {}, 1h}, clock_.now).value();
  auto b = store_->Create({"b", {}, {}, std::nullopt}, clock_.now).value();
  auto auth = Auth();
  EXPECT_EQ(Reason(auth->Check(a.key, "")), "accepted");
  clock_.now += 2h;
  EXPECT_EQ(Reason(auth->Check(a.key, "")), "expired_api_key");
  // Another connection (the CLI) revokes: the authenticator re-reads the store.
  auto cli = ApiKeyStore::Open(Location()).value();
  ASSERT_THAT(cli->Revoke(b.record.id, clock_.now), IsOk());
  EXPECT_EQ(Reason(auth->Check(b.key, "")), "revoked_api_key");
  EXPECT_THAT(cli->Revoke(b.record.id, clock_.now), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(cli->Revoke("0000000000000000", clock_.now), StatusIs(ErrorCode::kNotFound));
}

TEST_F(ApiKeysTest, RotationKeepsTheOldKeyForTheOverlapOnly) {
  auto old = store_->Create({"svc", {"s"}, {"t.*"}, std::nullopt}, clock_.now).value();
  auto rotated = store_->Rotate(old.record.id, 1h, clock_.now);
  ASSERT_THAT(rotated, IsOk());
  EXPECT_EQ(rotated->record.name, "svc");
  EXPECT_EQ(rotated->record.rotated_from, old.record.id);
  EXPECT_EQ(rotated->record.tools, old.record.tools);
  auto auth = Auth();
  EXPECT_EQ(Reason(auth->Check(old.key, "")), "accepted");
  EXPECT_EQ(Reason(auth->Check(rotated->key, "")), "accepted");
  clock_.now += 1h + 1s;
  EXPECT_EQ(Reason(auth->Check(old.key, "")), "expired_api_key");
  EXPECT_EQ(Reason(auth->Check(rotated->key, "")), "accepted");
  ASSERT_THAT(store_->Revoke(rotated->record.id, clock_.now), IsOk());
  EXPECT_THAT(store_->Rotate(rotated->record.id, 1h, clock_.now), StatusIs(ErrorCode::kFailedPrecondition));
}

TEST_F(ApiKeysTest, LastUseIsWrittenBackByFlush) {
  auto k = store_->Create({"svc", {}, {}, std::nullopt}, clock_.now).value();
  auto auth = Auth();
  ASSERT_EQ(Reason(auth->Check(k.key, "10.1.2.3")), "accepted");
  EXPECT_FALSE(store_->Get(k.record.id)->last_used.has_value());
  ASSERT_THAT(auth->FlushUsage(), IsOk());
  auto r = store_->Get(k.record.id).value();
  ASSERT_TRUE(r.last_used.has_value());
  EXPECT_EQ(*r.last_used, std::chrono::time_point_cast<std::chrono::seconds>(clock_.now));
  EXPECT_EQ(r.last_used_address, "10.1.2.3");
}

TEST_F(ApiKeysTest, ReadsTheKeyFromEitherHeaderButNeverBoth) {
  auto k = store_->Create({"svc", {}, {}, std::nullopt}, clock_.now).value();
  auto auth = Auth();
  auto run = [&](std::vector<std::pair<std::string, std::string>> fields) -> std::string {
    net::Headers h;
    for (auto& [n, v] : fields) h.Add(n, v);
    authn::HttpInfo info{"POST", "http://127.0.0.1/mcp", &h, "", "127.0.0.1"};
    auto out = auth->Authenticate(json::Object{}, &info);
    if (auto* f = std::get_if<authn::AuthFailure>(&out)) return f->reason;
    const auto& p = std::get<std::optional<authn::Principal>>(out);
    return p ? p->id : "none";
  };
  std::string id = "apikey:" + k.record.id;
  EXPECT_EQ(run({{"authorization", "Bearer " + k.key}}), id);
  EXPECT_EQ(run({{"x-api-key", k.key}}), id);
  EXPECT_EQ(run({{"authorization", "Bearer eyJhbGciOi.x.y"}}), "none");  // Someone else's token.
  EXPECT_EQ(run({}), "none");
  EXPECT_EQ(run({{"x-api-key", "not-ours"}}), "malformed_api_key");
  EXPECT_EQ(run({{"x-api-key", k.key}, {"x-api-key", k.key}}), "ambiguous_credentials");
  EXPECT_EQ(run({{"x-api-key", k.key}, {"authorization", "Bearer " + k.key}}), "ambiguous_credentials");
}

// A gateway's own thread re-reads the store: a revocation by another process is seen within
// `refresh`, and no request does the reading.
TEST_F(ApiKeysTest, InTheBackgroundARevocationElsewhereIsSeenWithinRefresh) {
  auto k = store_->Create({"svc", {}, {}, std::nullopt}, DefaultClock().Now()).value();
  ApiKeyAuthenticatorOptions options;
  options.refresh = 50ms;
  options.background = true;
  auto auth = ApiKeyAuthenticator::Create(std::shared_ptr<ApiKeyStore>(ApiKeyStore::Open(Location()).value()), options).value();
  ASSERT_EQ(Reason(auth->Check(k.key, "")), "accepted");
  auto revoked_at = std::chrono::steady_clock::now();
  ASSERT_THAT(store_->Revoke(k.record.id, DefaultClock().Now()), IsOk());
  while (Reason(auth->Check(k.key, "")) == "accepted" && std::chrono::steady_clock::now() - revoked_at < 5s) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(Reason(auth->Check(k.key, "")), "revoked_api_key");
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, 1s);
  EXPECT_TRUE(auth->store_up());
}

TEST_F(ApiKeysTest, PostgreSQLNeedsAHashKeyFileAndAGatewayNeverMakesOne) {
  EXPECT_THAT(ApiKeyStore::Open(StoreLocation{"postgresql://aip@127.0.0.1:1/x", {}, true}).status(),
              StatusIs(ErrorCode::kInvalidArgument, "hash key file"));
  StoreLocation where = Location();
  where.hash_key_file = root_ / "missing.hashkey";
  where.create_hash_key = false;
  EXPECT_THAT(ApiKeyStore::Open(where).status(), StatusIs(ErrorCode::kFailedPrecondition, "same on every host"));
}

// Stores written before hashes were kept as hex hold the 32 raw bytes: those keys still work.
TEST_F(ApiKeysTest, RawHashesFromEarlierStoresStillMatch) {
  if (!PostgresUrl().empty()) GTEST_SKIP() << "earlier stores were SQLite only";
  auto k = store_->Create({"old", {}, {}, std::nullopt}, clock_.now).value();
  auto conn = sql::OpenSqlite(db_.string()).value();
  ASSERT_THAT(conn->ExecScript("UPDATE api_keys SET hash = X'" + HexEncode(k.record.hash) + "'"), IsOk());
  auto rows = conn->Query("SELECT length(hash), typeof(hash) FROM api_keys").value();
  ASSERT_EQ(rows[0][1].value_or(""), "blob");
  EXPECT_EQ(Reason(Auth()->Check(k.key, "")), "accepted");
}

}  // namespace
}  // namespace aip::apikeys

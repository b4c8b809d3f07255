#include "aip/gateway/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "aip/testing/testing.h"

namespace aip::gateway {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

Result<GatewayConfig> Parse(std::string_view text) { return ParseConfig(text, "gw.toml", "/etc/aip"); }

TEST(GatewayConfigTest, ReadsAFullConfiguration) {
  ::setenv("AIP_TEST_WEATHER_KEY", "k-123", 1);
  auto cfg = Parse(R"(
[gateway]
listen = "127.0.0.1:9000"
threads = 4
io_threads = 2
busy_poll_us = 300
[auth]
audiences = ["https://gw.example.com/mcp"]
[audit]
path = "audit.jsonl"
fsync = "checkpoint"
checkpoint_interval = "30s"
redact_keys = ["password"]
[[upstream]]
name = "weather"
url = "https://weather.example.com/mcp"
timeout = "500ms"
credential = { type = "bearer", from_env = "AIP_TEST_WEATHER_KEY" }
[[upstream]]
name = "tasks"
command = ["bin/tasks", "--stdio"]
[[rule]]
id = "r"
effect = "allow"
[[limit]]
id = "l"
rate = 5
)");
  ASSERT_THAT(cfg, IsOk());
  EXPECT_EQ(cfg->listen, "127.0.0.1:9000");
  EXPECT_EQ(cfg->threads, 4);
  EXPECT_EQ(cfg->io_threads, 2);
  EXPECT_EQ(Parse("")->io_threads, 0);  // One loop per core.
  EXPECT_TRUE(Parse("")->event_loop);
  EXPECT_FALSE(Parse("[gateway]\nevent_loop = false\n")->event_loop);
  EXPECT_EQ(cfg->busy_poll_us, 300);
  EXPECT_EQ(Parse("")->busy_poll_us, 100);
  EXPECT_EQ(cfg->audit.path, "/etc/aip/audit.jsonl");
  EXPECT_EQ(cfg->audit.fsync, AuditConfig::Fsync::kCheckpoint);
  EXPECT_EQ(cfg->audit.checkpoint_interval, std::chrono::seconds(30));
  ASSERT_EQ(cfg->upstreams.size(), 2u);
  EXPECT_EQ(cfg->upstreams[0].timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(cfg->upstreams[0].credential->header, "Authorization");
  EXPECT_EQ(cfg->upstreams[0].credential->prefix, "Bearer ");
  EXPECT_EQ(cfg->upstreams[0].credential->source, "env AIP_TEST_WEATHER_KEY");
  EXPECT_EQ(cfg->upstreams[1].command[0], "/etc/aip/bin/tasks");
  EXPECT_EQ(cfg->upstreams[0].pool, 16);  // HTTP connections.
  EXPECT_EQ(cfg->upstreams[1].pool, 1);   // One copy of a spawned server unless asked.
  EXPECT_EQ(cfg->upstreams[0].refresh, std::chrono::seconds(60));
  EXPECT_EQ(cfg->policy->size(), 1u);
  EXPECT_EQ(cfg->limits->size(), 1u);
}

TEST(GatewayConfigTest, ErrorsNameFileLineAndField) {
  EXPECT_THAT(Parse("[gateway]\nlisten = 8080\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: gateway.listen: must be a string"));
  EXPECT_THAT(Parse("[gateway]\ncolour = 1\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: gateway.colour: unknown field"));
  // A near miss names the field meant.
  EXPECT_THAT(Parse("[trust]\nanchor = [\"did:key:z6Mk\"]\n"),
              StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: trust.anchor: unknown field (did you mean \"anchors\"?)"));
  EXPECT_THAT(Parse("[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\npool = 0\n"),
              StatusIs(ErrorCode::kInvalidArgument, "gw.toml:4: upstream[0].pool: must be an integer in [1, 256]"));
  EXPECT_THAT(Parse("upstream = 3\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:1: upstream: must be an array"));
  EXPECT_THAT(Parse("[[upstream]]\nname = \"a.b\"\nurl = \"http://x/mcp\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: upstream[0].name:"));
  EXPECT_THAT(Parse("[[upstream]]\nname = \"a\"\n"), StatusIs(ErrorCode::kInvalidArgument, "needs exactly one of url or command"));
  EXPECT_THAT(Parse("[[upstream]]\nname = \"a\"\nurl = \"ftp://x\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "gw.toml:3: upstream[0].url"));
  EXPECT_THAT(Parse("[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\n[[upstream]]\nname = \"a\"\nurl = \"http://y/mcp\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "duplicate upstream name"));
  EXPECT_THAT(Parse("[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ntimeout = \"soon\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "gw.toml:4: upstream[0].timeout: must be a duration"));
  EXPECT_THAT(Parse("[audit]\nfsync = \"sometimes\"\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: audit.fsync"));
  EXPECT_THAT(Parse("[[rule]]\nid = \"x\"\neffect = \"maybe\"\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:3: rule \"x\""));
  EXPECT_THAT(Parse("[gateway]\nio_threads = 17\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: gateway.io_threads"));
  EXPECT_EQ(Parse("[gateway]\nio_threads = 0\n")->io_threads, 0);  // 0: one loop per core.
  EXPECT_EQ(Parse("")->max_in_flight, 4096);
  EXPECT_EQ(Parse("[gateway]\nmax_in_flight = 100\n")->max_in_flight, 100);
  EXPECT_THAT(Parse("[gateway]\nmax_in_flight = 40000\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: gateway.max_in_flight"));
  EXPECT_THAT(Parse("[gateway]\nbusy_poll_us = 20000\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: gateway.busy_poll_us"));
  EXPECT_THAT(Parse("[gateway]\nbusy_poll_us = -1\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:2: gateway.busy_poll_us"));
  EXPECT_THAT(Parse("[gateway\n"), StatusIs(ErrorCode::kInvalidArgument, "gw.toml:1:"));
}

TEST(GatewayConfigTest, CredentialsAreCheckedAndNeverQuoted) {
  ::setenv("AIP_TEST_SECRET", "s3cr3t-value", 1);
  ::setenv("AIP_TEST_CRLF", "x\r\nInjected: 1", 1);
  ::unsetenv("AIP_TEST_MISSING");
  auto missing = Parse(
      "[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ncredential = { header = \"X-Api-Key\", from_env = \"AIP_TEST_MISSING\" }\n");
  EXPECT_THAT(missing, StatusIs(ErrorCode::kInvalidArgument,
                                "gw.toml:4: upstream[0].credential.from_env: environment variable AIP_TEST_MISSING is not set"));
  EXPECT_THAT(
      Parse("[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ncredential = { header = \"X-Api-Key\", from_env = \"AIP_TEST_CRLF\" }\n"),
      StatusIs(ErrorCode::kInvalidArgument, "control characters"));
  EXPECT_THAT(
      Parse(
          "[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ncredential = { header = \"Bad Header\", from_env = \"AIP_TEST_SECRET\" }\n"),
      StatusIs(ErrorCode::kInvalidArgument, "header name"));
  EXPECT_THAT(
      Parse("[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ncredential = { header = \"Host\", from_env = \"AIP_TEST_SECRET\" }\n"),
      StatusIs(ErrorCode::kInvalidArgument, "cannot carry a credential"));
  EXPECT_THAT(Parse("[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ncredential = { type = \"env\", env_var = \"K\", from_env = "
                    "\"AIP_TEST_SECRET\" }\n"),
              StatusIs(ErrorCode::kInvalidArgument, "only for spawned"));
  EXPECT_THAT(Parse("[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ncredential = { header = \"X-Api-Key\", from_env = "
                    "\"AIP_TEST_SECRET\", from_file = \"k\" }\n"),
              StatusIs(ErrorCode::kInvalidArgument, "exactly one of from_env or from_file"));
  // A bad configuration holding a secret never repeats the secret.
  auto bad = Parse(
      "[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ncredential = { header = \"X-Api-Key\", from_env = \"AIP_TEST_SECRET\" }\ncolour "
      "= 1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.find("s3cr3t"), std::string::npos);
}

TEST(GatewayConfigTest, SharedApiKeyStoreIsReadStrictly) {
  const std::string on = "[auth]\napi_keys = true\n";
  auto pg = Parse(on + "[apikeys]\ndb = \"postgresql://aip@db.internal/aip\"\nhash_key_file = \"keys/hash\"\nrefresh = \"2s\"\n");
  ASSERT_THAT(pg, IsOk());
  EXPECT_EQ(pg->apikeys.db, "postgresql://aip@db.internal/aip");
  EXPECT_EQ(pg->apikeys.hash_key_file, "/etc/aip/keys/hash");
  EXPECT_EQ(pg->apikeys.refresh, std::chrono::seconds(2));
  EXPECT_EQ(pg->apikeys.stale_after, std::chrono::seconds(30));
  auto sqlite = Parse(on + "[apikeys]\ndb = \"keys.db\"\n");
  ASSERT_THAT(sqlite, IsOk());
  EXPECT_EQ(sqlite->apikeys.db, "/etc/aip/keys.db");
  EXPECT_THAT(Parse(on + "[apikeys]\ndb = \"postgresql://aip:hunter2@db/aip\"\nhash_key_file = \"h\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "no password in the URL"));
  EXPECT_THAT(Parse(on + "[apikeys]\ndb = \"postgresql://aip@db/aip\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "apikeys.hash_key_file: is required with PostgreSQL"));
  EXPECT_THAT(Parse("[apikeys]\ndb = \"keys.db\"\n"), StatusIs(ErrorCode::kInvalidArgument, "[auth] api_keys is not true"));
  EXPECT_THAT(Parse(on + "api_key_db = \"a.db\"\n[apikeys]\ndb = \"b.db\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "name the store in one place"));
  EXPECT_THAT(Parse(on + "[apikeys]\ndb = \"k.db\"\nrefresh = \"10ms\"\n"), StatusIs(ErrorCode::kInvalidArgument, "apikeys.refresh"));
  EXPECT_THAT(Parse(on + "[apikeys]\ndb = \"k.db\"\nrefresh = \"5s\"\nstale_after = \"6s\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "at least twice refresh"));
}

TEST(GatewayConfigTest, SessionSecretsAreSharedKeys) {
  ::setenv("AIP_TEST_SESSION_SECRET", "0123456789abcdef0123456789abcdef", 1);
  ::setenv("AIP_TEST_SHORT_SECRET", "too-short", 1);
  auto ok = Parse("[gateway]\nsession_secret_env = \"AIP_TEST_SESSION_SECRET\"\nsession_max_age = \"2h\"\n");
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->session_secret.size(), 32u);
  EXPECT_EQ(ok->session_max_age, std::chrono::hours(2));
  EXPECT_TRUE(Parse("[gateway]\n")->session_secret.empty());
  auto short_secret = Parse("[gateway]\nsession_secret_env = \"AIP_TEST_SHORT_SECRET\"\n");
  EXPECT_THAT(short_secret, StatusIs(ErrorCode::kInvalidArgument, "gateway.session_secret_env: needs at least 32 bytes"));
  EXPECT_EQ(short_secret.error().message.find("too-short"), std::string::npos);
  EXPECT_THAT(Parse("[gateway]\nsession_secret_env = \"AIP_TEST_SESSION_SECRET\"\nsession_secret_file = \"s\"\n"),
              StatusIs(ErrorCode::kInvalidArgument, "exactly one of session_secret_env or session_secret_file"));
  EXPECT_THAT(Parse("[gateway]\nsession_max_age = \"30s\"\n"), StatusIs(ErrorCode::kInvalidArgument, "gateway.session_max_age"));
}

TEST(GatewayConfigTest, CredentialFilesMustBePrivate) {
  std::string dir = ::testing::TempDir() + "/gwcfg";
  std::filesystem::create_directories(dir);
  std::string file = dir + "/key";
  { std::ofstream(file) << "file-secret\n"; }
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
  std::string text = "[[upstream]]\nname = \"a\"\nurl = \"http://x/mcp\"\ncredential = { header = \"X-Api-Key\", from_file = \"key\" }\n";
  EXPECT_THAT(ParseConfig(text, "gw.toml", dir), StatusIs(ErrorCode::kInvalidArgument, "readable by others"));
  std::filesystem::permissions(file, std::filesystem::perms::owner_read);
  auto ok = ParseConfig(text, "gw.toml", dir);
  ASSERT_THAT(ok, IsOk());
  auto secret = ok->upstreams[0].credential->secret->RevealSecret();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(secret.data()), secret.size()), "file-secret");
}

TEST(GatewayConfigTest, TrustConditionsAreReadStrictly) {
  auto rule = [](std::string_view require) {
    return Parse("[trust]\nanchors = []\n[[rule]]\nid = \"t\"\neffect = \"allow\"\nrequire = { trust = " + std::string(require) + " }\n");
  };
  EXPECT_THAT(rule("{ min = 0.5, scope = \"CODE_SIGNING\" }"), IsOk());
  EXPECT_THAT(rule("{ min = 2 }"), StatusIs(ErrorCode::kInvalidArgument, "/require/trust/min: must be a number in [0, 1]"));
  EXPECT_THAT(rule("{ scope = \"CODE_SIGNING\" }"), StatusIs(ErrorCode::kInvalidArgument, "/require/trust/min: is required"));
  EXPECT_THAT(rule("{ min = 0.5, colour = 1 }"), StatusIs(ErrorCode::kInvalidArgument, "/require/trust/colour: unknown field"));
  EXPECT_THAT(rule("{ min = 0.5, scope = \"\" }"), StatusIs(ErrorCode::kInvalidArgument, "/require/trust/scope: must be"));
}

}  // namespace
}  // namespace aip::gateway

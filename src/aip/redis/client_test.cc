#include "aip/redis/client.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "aip/redis/test_server.h"
#include "aip/testing/testing.h"

namespace aip::redis {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(ParseRedisUrlTest, ReadsHostPortAndDatabase) {
  auto o = ParseRedisUrl("redis://10.0.0.5:6380/2");
  ASSERT_THAT(o.status(), IsOk());
  EXPECT_EQ(o->host, "10.0.0.5");
  EXPECT_EQ(o->port, 6380);
  EXPECT_EQ(o->db, 2);
  o = ParseRedisUrl("redis://[::1]");
  ASSERT_THAT(o.status(), IsOk());
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->port, 6379);
}

TEST(ParseRedisUrlTest, ReadsTlsAndRefusesPasswordsAndNonsense) {
  EXPECT_THAT(ParseRedisUrl("redis://:secret@host:6379").status(), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(ParseRedisUrl("redis://:secret@host:6379").status().message().find("password_env"), std::string::npos);
  auto tls = ParseRedisUrl("rediss://redis.internal:6380/1");
  ASSERT_THAT(tls.status(), IsOk());
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->host, "redis.internal");
  EXPECT_FALSE(ParseRedisUrl("redis://host")->tls);
  EXPECT_THAT(ParseRedisUrl("rediss://:secret@host").status(), StatusIs(ErrorCode::kInvalidArgument));
  for (const char* bad : {"http://host", "redis://", "redis://host:0", "redis://host:70000", "redis://host/x", "redis://host:6379x"}) {
    EXPECT_FALSE(ParseRedisUrl(bad).ok()) << bad;
  }
}

TEST(RedisClientTest, RunsCommandsFromManyThreadsOnABoundedPool) {
  TestRedisServer server;
  RedisOptions o = server.Options();
  o.pool = 2;
  auto client = RedisClient::Connect(o);
  ASSERT_THAT(client.status(), IsOk());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto r = (*client)->Command({"INCR", "counter"});
        if (r && r->type == Reply::Type::kInteger) ++ok;
      }
      (void)t;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 400);
  auto r = (*client)->Command({"GET", "counter"});
  ASSERT_THAT(r.status(), IsOk());
  EXPECT_EQ(r->text, "400");
  auto err = (*client)->Command({"NOSUCHCOMMAND"});
  ASSERT_THAT(err.status(), IsOk());
  EXPECT_EQ(err->type, Reply::Type::kError);
}

TEST(RedisClientTest, AWrongPasswordIsRefusedWithoutEchoingIt) {
  TestRedisServer server({"--requirepass", "right-password"});
  RedisOptions o = server.Options();
  o.password = crypto::SecretBytes(AsBytes(std::string_view("wrong-password")));
  auto refused = RedisClient::Connect(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().find("wrong-password"), std::string::npos) << refused.status().message();
  o.password = crypto::SecretBytes(AsBytes(std::string_view("right-password")));
  EXPECT_THAT(RedisClient::Connect(o).status(), IsOk());
}

TEST(RedisClientTest, AStoreThatIsGoneIsUnavailableWithinTheTimeout) {
  TestRedisServer server;
  auto client = RedisClient::Connect(server.Options());
  ASSERT_THAT(client.status(), IsOk());
  server.Stop();
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT((*client)->Command({"PING"}).status(), StatusIs(ErrorCode::kUnavailable));
  EXPECT_THAT((*client)->Command({"PING"}).status(), StatusIs(ErrorCode::kUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

// A CA and a server certificate for 127.0.0.1 and localhost, made by the openssl command.
struct TestPki {
  std::string dir, ca, cert, key, other_ca;
  bool ok = false;
  TestPki() {
    dir = ::testing::TempDir() + "/redis-tls-" + std::to_string(::getpid());
    ca = dir + "/ca.crt";
    cert = dir + "/server.crt";
    key = dir + "/server.key";
    other_ca = dir + "/other-ca.crt";
    std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    std::string cmd = "mkdir -p " + dir + " && cd " + dir + " && openssl req -x509" + ec +
                      " -keyout ca.key -out ca.crt -subj /CN=test-ca -days 1"
                      " && openssl req -x509" +
                      ec +
                      " -keyout other.key -out other-ca.crt -subj /CN=other-ca -days 1"
                      " && openssl req" +
                      ec +
                      " -keyout server.key -out server.csr -subj /CN=localhost"
                      " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > ext"
                      " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1"
                      " -extfile ext) > /dev/null 2>&1";
    cmd.insert(0, "(");
    ok = std::system(cmd.c_str()) == 0;
  }
};

// rediss://: the server's certificate is checked against the anchors and the host's name or
// address; a server that presents anything else is never spoken to.
TEST(RedisClientTest, SpeaksTlsToATrustedServerOnly) {
  TestPki pki;
  ASSERT_TRUE(pki.ok) << "openssl failed";
  TestRedisServer server({"--tls-cert-file", pki.cert, "--tls-key-file", pki.key, "--tls-ca-cert-file", pki.ca, "--tls-auth-clients", "no"},
                         /*tls=*/true);
  RedisOptions o = server.Options();
  o.tls = true;
  o.tls_ca_file = pki.ca;
  auto client = RedisClient::Connect(o);
  ASSERT_THAT(client.status(), IsOk());
  auto set = (*client)->Command({"SET", "k", "v"});
  ASSERT_THAT(set.status(), IsOk());
  EXPECT_EQ((*client)->Command({"GET", "k"})->text, "v");
  o.host = "localhost";  // The certificate names both.
  EXPECT_THAT(RedisClient::Connect(o).status(), IsOk());
  o.tls_ca_file = pki.other_ca;  // Signed by a CA we do not trust.
  auto untrusted = RedisClient::Connect(o);
  EXPECT_THAT(untrusted.status(), StatusIs(ErrorCode::kUnavailable, "not trusted"));
  o.tls_ca_file = pki.ca;
  o.tls = false;  // Plain text to a TLS port: no answer that could pass for one.
  EXPECT_THAT(RedisClient::Connect(o).status(), StatusIs(ErrorCode::kUnavailable));
  TestRedisServer plain;
  RedisOptions plain_to_tls = plain.Options();
  plain_to_tls.tls = true;
  plain_to_tls.tls_ca_file = pki.ca;
  EXPECT_THAT(RedisClient::Connect(plain_to_tls).status(), StatusIs(ErrorCode::kUnavailable, "TLS"));
}

}  // namespace
}  // namespace aip::redis

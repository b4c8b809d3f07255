// Web Bot Auth key directories fetched from a real HTTPS server on loopback (our HttpServer, a
// certificate made for the test): what is accepted, what is refused and why, and what the cache
// saves a stranger from making us fetch.
#include "aip/resolvers/bot_directories.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "aip/net/http_server.h"
#include "aip/resolvers/did_web_resolver.h"
#include "aip/testing/testing.h"

namespace aip::resolvers {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

httpsig::SignBase SignWith(const crypto::Ed25519PrivateKey& key) {
  return [&key](ByteSpan base) -> Result<crypto::Ed25519Signature> { return key.Sign(base); };
}

TEST(DirectoryAuthorityTest, NamesTheOperatorAsADidWeb) {
  EXPECT_EQ(OperatorDid("bot.example"), "did:web:bot.example");
  EXPECT_EQ(OperatorDid("bot.example:8443"), "did:web:bot.example%3A8443");
  EXPECT_EQ(OperatorDid("[::1]:8443"), "");
  EXPECT_EQ(*DidWebUrl(OperatorDid("bot.example:8443")), "https://bot.example:8443/.well-known/did.json");  // The same origin.
}

TEST(DirectoryAuthorityTest, TakesAnHttpsOriginAndNothingMore) {
  EXPECT_EQ(*DirectoryAuthority("https://Bot.Example"), "bot.example");
  EXPECT_EQ(*DirectoryAuthority("https://bot.example:8443/"), "bot.example:8443");
  EXPECT_EQ(*DirectoryAuthority("https://bot.example:443"), "bot.example");  // One name per origin.
  EXPECT_THAT(DirectoryAuthority("http://bot.example"), StatusIs(ErrorCode::kInvalidArgument, "https://host[:port]"));
  EXPECT_THAT(DirectoryAuthority("https://bot.example/keys"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DirectoryAuthority("https://user@bot.example"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DirectoryAuthority("https://bot.example?x"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DirectoryAuthority("https://"), StatusIs(ErrorCode::kInvalidArgument));
}

class BotDirectoriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = testing::MakeLocalhostCertificate();
    dir_ = tls.dir;
    net::HttpServerOptions o;
    o.tls_cert_file = tls.cert;
    o.tls_key_file = tls.key;
    auto s = net::HttpServer::Start(o, [this](const net::HttpRequest& r, net::Exchange& e) {
      ++fetches_;
      net::HttpResponse res;
      std::lock_guard lock(mu_);
      if (r.Path() != httpsig::kDirectoryPath || status_.load() != 200) {
        res.status = r.Path() != httpsig::kDirectoryPath ? 404 : status_.load();
        e.Respond(std::move(res));
        return;
      }
      res.headers = served_.headers;
      if (!cache_control_.empty()) res.headers.Set("cache-control", cache_control_);
      res.body = served_.body;
      e.Respond(std::move(res));
    });
    ASSERT_THAT(s, IsOk());
    server_ = std::move(*s);
    authority_ = "localhost:" + std::to_string(server_->port());
    origin_ = "https://" + authority_;
    Serve(key_, authority_);
  }
  void TearDown() override {
    server_->Stop(std::chrono::seconds(1));
    std::filesystem::remove_all(dir_);
  }
  // Serve makes the origin publish `key`'s directory, signed for `authority`, valid for an hour.
  void Serve(const crypto::Ed25519PrivateKey& key, const std::string& authority) {
    auto made = httpsig::MakeDirectory(authority, key.public_key(), SignWith(key), SecondsNow(), std::chrono::hours(1));
    ASSERT_THAT(made, IsOk());
    std::lock_guard lock(mu_);
    served_ = std::move(*made);
  }
  void SetCacheControl(std::string value) {
    std::lock_guard lock(mu_);
    cache_control_ = std::move(value);
  }
  std::int64_t SecondsNow() const { return std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count(); }
  BotDirectoryOptions Options() {
    BotDirectoryOptions o;
    o.fetch.allow_private = true;
    o.fetch.ca_file = dir_ + "/cert.pem";
    o.clock = &clock_;
    return o;
  }
  std::string Thumb(const crypto::Ed25519PrivateKey& k) const { return httpsig::Ed25519Thumbprint(k.public_key()); }

  std::string dir_, authority_, origin_, cache_control_;
  std::atomic<int> status_{200};
  std::mutex mu_;
  httpsig::SignedDirectory served_;
  testing::ManualClock clock_;
  crypto::Ed25519PrivateKey key_ = crypto::Ed25519PrivateKey::Generate();
  std::unique_ptr<net::HttpServer> server_;
  std::atomic<int> fetches_{0};
};

TEST_F(BotDirectoriesTest, FindsTheKeyOverVerifiedHttpsAndKeepsTheDirectory) {
  BotDirectories d(Options());
  auto key = d.Key(Thumb(key_), origin_);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(*key, key_.public_key());
  ASSERT_THAT(d.Key(Thumb(key_), origin_ + "/"), IsOk());  // The same origin, the same entry.
  EXPECT_EQ(fetches_.load(), 1);
  EXPECT_EQ(d.fetches(), 1);
}

TEST_F(BotDirectoriesTest, AnUnknownKeyidRefetchesAtABoundedRate) {
  BotDirectories d(Options());
  ASSERT_THAT(d.Key(Thumb(key_), origin_), IsOk());
  auto rotated = crypto::Ed25519PrivateKey::Generate();
  Serve(rotated, authority_);
  // Made-up or new keyids within refresh_interval of the last fetch: refused from the cache.
  for (int i = 0; i < 20; ++i) {
    EXPECT_THAT(d.Key(Thumb(rotated), origin_), StatusIs(ErrorCode::kUnauthenticated, "is not in the key directory of " + origin_));
  }
  EXPECT_EQ(fetches_.load(), 1);
  clock_.now += std::chrono::seconds(61);
  ASSERT_THAT(d.Key(Thumb(rotated), origin_), IsOk());  // The operator rotated: found on the refetch.
  EXPECT_EQ(fetches_.load(), 2);
  EXPECT_THAT(d.Key(Thumb(key_), origin_), StatusIs(ErrorCode::kUnauthenticated));  // The old key is gone.
}

TEST_F(BotDirectoriesTest, KeepsADirectoryAsItsCacheHeadersSayWithinBounds) {
  SetCacheControl("public, max-age=120");
  BotDirectories d(Options());
  ASSERT_THAT(d.Key(Thumb(key_), origin_), IsOk());
  clock_.now += std::chrono::seconds(100);
  ASSERT_THAT(d.Key(Thumb(key_), origin_), IsOk());
  EXPECT_EQ(fetches_.load(), 1);
  clock_.now += std::chrono::seconds(30);
  ASSERT_THAT(d.Key(Thumb(key_), origin_), IsOk());
  EXPECT_EQ(fetches_.load(), 2);
  // max-age=0 is kept for min_ttl (60 s), not refetched on every request.
  SetCacheControl("max-age=0");
  clock_.now += std::chrono::seconds(200);
  ASSERT_THAT(d.Key(Thumb(key_), origin_), IsOk());
  ASSERT_THAT(d.Key(Thumb(key_), origin_), IsOk());
  EXPECT_EQ(fetches_.load(), 3);
}

TEST_F(BotDirectoriesTest, NeverKeepsADirectoryPastItsSignature) {
  SetCacheControl("max-age=86400");
  BotDirectories d(Options());
  ASSERT_THAT(d.Key(Thumb(key_), origin_), IsOk());
  clock_.now += std::chrono::minutes(62);  // The directory was signed for an hour (and 60 s of skew).
  EXPECT_THAT(d.Key(Thumb(key_), origin_), StatusIs(ErrorCode::kUnauthenticated, "expired"));
  EXPECT_EQ(fetches_.load(), 2);
}

TEST_F(BotDirectoriesTest, RefusesADirectorySignedForAnotherOrigin) {
  Serve(key_, "bot.example");
  BotDirectories d(Options());
  EXPECT_THAT(d.Key(Thumb(key_), origin_), StatusIs(ErrorCode::kUnauthenticated, "key directory of " + authority_));
}

TEST_F(BotDirectoriesTest, RefusesADirectoryWhoseBodyChanged) {
  {
    std::lock_guard lock(mu_);
    served_.body.insert(served_.body.size() - 1, " ");
  }
  BotDirectories d(Options());
  EXPECT_THAT(d.Key(Thumb(key_), origin_), StatusIs(ErrorCode::kUnauthenticated, "digest"));
}

TEST_F(BotDirectoriesTest, RefusesPrivateAddressesUnlessAllowed) {
  BotDirectoryOptions o = Options();
  o.fetch.allow_private = false;
  BotDirectories d(o);
  EXPECT_THAT(d.Key(Thumb(key_), origin_), StatusIs(ErrorCode::kUnavailable, "key directory of " + origin_));
  EXPECT_EQ(fetches_.load(), 0);  // Never connected.
}

TEST_F(BotDirectoriesTest, RefusesOriginsOutsideTheAllowList) {
  BotDirectoryOptions o = Options();
  o.origins = {"https://*.example.com"};
  BotDirectories d(o);
  EXPECT_THAT(d.Key(Thumb(key_), origin_), StatusIs(ErrorCode::kPermissionDenied, "not an accepted operator origin"));
  o.origins = {"https://localhost:*"};
  BotDirectories allowed(o);
  EXPECT_THAT(allowed.Key(Thumb(key_), origin_), IsOk());
  EXPECT_THAT(allowed.Key(Thumb(key_), "http://" + authority_), StatusIs(ErrorCode::kInvalidArgument));
}

TEST_F(BotDirectoriesTest, RemembersAFailureBriefly) {
  status_ = 500;
  BotDirectories d(Options());
  for (int i = 0; i < 5; ++i) EXPECT_THAT(d.Key(Thumb(key_), origin_), StatusIs(ErrorCode::kUnavailable, "HTTP 500"));
  EXPECT_EQ(fetches_.load(), 1);
  status_ = 200;
  clock_.now += std::chrono::seconds(31);
  EXPECT_THAT(d.Key(Thumb(key_), origin_), IsOk());
  EXPECT_EQ(fetches_.load(), 2);
}

}  // namespace
}  // namespace aip::resolvers

// did:web against a real HTTPS server on loopback (our HttpServer with a certificate made for
// the test), the SSRF guard, the cache, and URL mapping.
#include "aip/resolvers/did_web_resolver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "aip/identity/did_key.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "aip/testing/testing.h"

namespace aip::resolvers {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(DidWebUrlTest, MapsIdentifiersToUrls) {
  EXPECT_EQ(*DidWebUrl("did:web:example.com"), "https://example.com/.well-known/did.json");
  EXPECT_EQ(*DidWebUrl("did:web:example.com:users:alice"), "https://example.com/users/alice/did.json");
  EXPECT_EQ(*DidWebUrl("did:web:localhost%3A8443"), "https://localhost:8443/.well-known/did.json");
  EXPECT_THAT(DidWebUrl("did:web:example.com:.."), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DidWebUrl("did:web:exa/mple.com"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DidWebUrl("did:web:"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DidWebUrl("did:key:z6Mk"), StatusIs(ErrorCode::kNotFound));
}

class DidWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = testing::MakeLocalhostCertificate();
    dir_ = tls.dir;
    net::HttpServerOptions o;
    o.tls_cert_file = tls.cert;
    o.tls_key_file = tls.key;
    auto s = net::HttpServer::Start(o, [this](const net::HttpRequest& r, net::Exchange& e) {
      ++fetches_;
      if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
      net::HttpResponse res;
      if (r.Path() != "/.well-known/did.json") {
        res.status = 404;
        e.Respond(std::move(res));
        return;
      }
      res.headers.Set("content-type", "application/did+json");
      res.body = document_;
      e.Respond(std::move(res));
    });
    ASSERT_THAT(s, IsOk());
    server_ = std::move(*s);
    did_ = "did:web:localhost%3A" + std::to_string(server_->port());
    std::string mk = identity::Ed25519Multikey(key_.public_key());
    document_ = R"({"@context":["https://www.w3.org/ns/did/v1"],"id":")" + did_ +
                R"(","verificationMethod":[{"id":"#key-1","type":"Multikey","controller":")" + did_ + R"(","publicKeyMultibase":")" + mk +
                R"("}],"authentication":["#key-1"]})";
  }
  void TearDown() override {
    server_->Stop(std::chrono::seconds(1));
    std::filesystem::remove_all(dir_);
  }
  std::string dir_, did_, document_;
  crypto::Ed25519PrivateKey key_ = crypto::Ed25519PrivateKey::Generate();
  std::unique_ptr<net::HttpServer> server_;
  std::atomic<int> fetches_{0};
  std::atomic<int> delay_ms_{0};
};

TEST_F(DidWebTest, ResolvesOverVerifiedHttps) {
  DidWebResolver resolver({/*allow_private=*/true, dir_ + "/cert.pem"});
  auto r = resolver.Resolve(did_);
  ASSERT_THAT(r, IsOk());
  auto k = r->parsed.KeyFor(did_ + "#key-1", identity::Purpose::kAuthentication);
  ASSERT_THAT(k, IsOk());
  EXPECT_EQ(k->key, key_.public_key());
}

TEST_F(DidWebTest, RefusesLoopbackByDefaultAndUntrustedCertificates) {
  DidWebResolver guarded({false, dir_ + "/cert.pem"});
  // The DID does not resolve from here (kUnavailable), which says why: not "key not authorized".
  EXPECT_THAT(guarded.Resolve(did_), StatusIs(ErrorCode::kUnavailable, "resolves only to addresses that are not allowed"));
  DidWebResolver untrusted({true, ""});  // The test certificate is not in the system store.
  EXPECT_THAT(untrusted.Resolve(did_), StatusIs(ErrorCode::kUnavailable, "TLS handshake"));
  EXPECT_EQ(fetches_, 0);
}

TEST_F(DidWebTest, RefusesADocumentForAnotherDid) {
  document_.replace(document_.find(did_), did_.size(), "did:web:evil.example");
  DidWebResolver resolver({true, dir_ + "/cert.pem"});
  EXPECT_THAT(resolver.Resolve(did_), StatusIs(ErrorCode::kInvalidArgument, "is for did:web:evil.example"));
}

TEST_F(DidWebTest, CachesResolutions) {
  auto inner = std::make_shared<DidWebResolver>(DidWebOptions{true, dir_ + "/cert.pem"});
  CachingResolver cache(inner);
  ASSERT_THAT(cache.ResolveKey(did_ + "#key-1", identity::Purpose::kAuthentication), IsOk());
  ASSERT_THAT(cache.ResolveKey(did_ + "#key-1", identity::Purpose::kAuthentication), IsOk());
  EXPECT_EQ(fetches_, 1);
  // A failure is kept too (briefly): a DID that does not resolve costs one fetch, however often named.
  EXPECT_THAT(cache.Resolve(did_ + ":missing"), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(cache.Resolve(did_ + ":missing"), StatusIs(ErrorCode::kNotFound));
  EXPECT_EQ(fetches_, 2);
}

// A slow host: callers naming one DID share one fetch; past max_fetches lookups at once, more
// are refused at once instead of tying up threads.
TEST_F(DidWebTest, BoundsLookupsOfSlowHosts) {
  delay_ms_ = 400;
  auto inner = std::make_shared<DidWebResolver>(DidWebOptions{true, dir_ + "/cert.pem"});
  CachingOptions options;
  options.max_fetches = 4;
  CachingResolver cache(inner, options);
  std::vector<std::thread> same;
  std::atomic<int> ok{0};
  for (int i = 0; i < 10; ++i) same.emplace_back([&] { ok += cache.Resolve(did_).ok(); });
  for (auto& t : same) t.join();
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(fetches_, 1);
  std::vector<std::thread> distinct;
  std::atomic<int> refused{0};
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) {
    distinct.emplace_back([&, i] {
      auto r = cache.Resolve(did_ + ":slow" + std::to_string(i));
      if (!r && r.error().message.find("too many DID lookups") != std::string::npos) {
        ++refused;
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));  // At once.
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // The first four are in flight first.
  }
  for (auto& t : distinct) t.join();
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(cache.fetches_in_progress(), 0);
}

}  // namespace
}  // namespace aip::resolvers

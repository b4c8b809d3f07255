// Hosted Web Bot Auth key directories: uploaded through the registry's HTTP API by the agent that
// signed them, checked on the way in, and served per Host only while valid (hosted_directories.h).
#include "aip/registry/hosted_directories.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "aip/httpsig/web_bot_auth.h"
#include "aip/identity/deactivation.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "aip/registry/registry_client.h"
#include "aip/registry/registry_service.h"
#include "aip/registry/signed_request.h"
#include "aip/testing/testing.h"

namespace aip::registry {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;
using std::chrono::hours;
using std::chrono::seconds;

identity::Identity Agent(const std::string& name) { return identity::Identity::Generate(name, "test", DefaultClock().Now()); }

std::int64_t NowSeconds() { return std::chrono::duration_cast<seconds>(DefaultClock().Now().time_since_epoch()).count(); }

httpsig::SignedDirectory DirectoryOf(const identity::Identity& who, const std::string& authority, seconds lifetime = hours(24)) {
  auto d = httpsig::MakeDirectory(
      authority, who.public_key(), [&who](ByteSpan base) { return who.SignStandard(identity::StandardInput::kHttpSignatureBase, base); },
      NowSeconds(), lifetime);
  EXPECT_THAT(d, IsOk());
  return d ? *d : httpsig::SignedDirectory{};
}

std::string Upload(const httpsig::SignedDirectory& d) {
  json::Object headers;
  for (const auto& [name, value] : d.headers.fields()) headers[name] = value;
  return json::Serialize(json::Object{{"body", d.body}, {"headers", std::move(headers)}});
}

class HostedDirectoriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("aip-hosted-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::shared_ptr<RegistryStore>(RegistryStore::Open(sql::OpenSqlite((dir_ / "registry.db").string()).value()).value());
    auto slot = std::make_shared<std::shared_ptr<RegistryService>>();
    server_ = net::HttpServer::Start({}, [slot](const net::HttpRequest& q, net::Exchange& e) { (*slot)->Handle(q, e); }).value();
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
    RegistryOptions options;
    options.public_url = url_;
    options.bot_domain = "bots.test";
    *slot = service_ = std::make_shared<RegistryService>(store_, options);
    client_ = std::make_unique<RegistryClient>(RegistryClient::Connect(url_).value());
  }
  void TearDown() override {
    server_->Stop();
    std::filesystem::remove_all(dir_);
  }
  // Put sends `upload` for `name`, signed by `who`, and returns the HTTP status.
  int Put(const identity::Identity& who, const std::string& name, const std::string& upload) {
    net::Headers h;
    h.Set("content-type", "application/json");
    EXPECT_THAT(SignRegistryRequest(who, "PUT", url_ + "/v1/bot-directories/" + name, h, upload), IsOk());
    auto res = net::HttpClient(net::ParseUrl(url_).value()).Send("PUT", "/v1/bot-directories/" + name, h, upload);
    EXPECT_THAT(res, IsOk());
    return res ? res->status : 0;
  }
  std::optional<Result<net::HttpResponse>> Serve(std::string_view host, const Clock* clock = &DefaultClock()) {
    return HostedDirectories(store_, "bots.test", clock).Serve(host);
  }

  std::filesystem::path dir_;
  std::shared_ptr<RegistryStore> store_;
  std::shared_ptr<RegistryService> service_;
  std::unique_ptr<net::HttpServer> server_;
  std::string url_;
  std::unique_ptr<RegistryClient> client_;
};

TEST_F(HostedDirectoriesTest, ARegisteredAgentsDirectoryIsServedAtItsOwnOrigin) {
  auto domain = client_->BotDomain();
  ASSERT_THAT(domain, IsOk());
  EXPECT_EQ(*domain, "bots.test");
  auto alice = Agent("alice");
  EXPECT_THAT(client_->HostDirectory(alice, "alice", hours(24)), StatusIs(ErrorCode::kPermissionDenied, "register first"));
  ASSERT_THAT(client_->Register(alice, {"alice", "test", "", ""}), IsOk());
  auto hosted = client_->HostDirectory(alice, "alice", hours(24));
  ASSERT_THAT(hosted, IsOk());
  EXPECT_EQ(hosted->at("origin").as_string(), "https://alice.bots.test");
  EXPECT_EQ(hosted->at("url").as_string(), "https://alice.bots.test/.well-known/http-message-signatures-directory");

  // Served for its Host (any case, the default port written or not), and it verifies as fetched.
  for (std::string_view host : {"alice.bots.test", "ALICE.Bots.Test:443"}) {
    auto served = Serve(host);
    ASSERT_TRUE(served.has_value()) << host;
    ASSERT_THAT(*served, IsOk());
    const net::HttpResponse& r = **served;
    EXPECT_EQ(r.headers.Get("content-type").value_or(""), "application/http-message-signatures-directory+json");
    EXPECT_EQ(r.headers.Get("cache-control").value_or(""), "max-age=3600");
    auto verified = httpsig::VerifyDirectory("alice.bots.test", r.headers, r.body, {});
    ASSERT_THAT(verified, IsOk());
    EXPECT_TRUE(verified->keys.contains(httpsig::Ed25519Thumbprint(alice.public_key())));
  }
  // Publishing again replaces it; the same agent cannot take a second name.
  auto again = client_->HostDirectory(alice, "alice", hours(48));
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT(client_->HostDirectory(alice, "alice2", hours(24)), StatusIs(ErrorCode::kAlreadyExists, "hosted as \"alice\""));
}

TEST_F(HostedDirectoriesTest, NamesAreFirstComeAndPlain) {
  auto alice = Agent("alice"), bob = Agent("bob");
  ASSERT_THAT(client_->Register(alice, {"alice", "test", "", ""}), IsOk());
  ASSERT_THAT(client_->Register(bob, {"bob", "test", "", ""}), IsOk());
  ASSERT_THAT(client_->HostDirectory(alice, "alice", hours(24)), IsOk());
  EXPECT_THAT(client_->HostDirectory(bob, "alice", hours(24)), StatusIs(ErrorCode::kAlreadyExists, "another agent's"));
  for (const std::string& name : std::vector<std::string>{"Alice", "-bob", "bob-", "xn--80ak6aa92e", std::string(64, 'b')}) {
    EXPECT_THAT(client_->HostDirectory(bob, name, hours(24)), StatusIs(ErrorCode::kInvalidArgument, "one DNS label")) << name;
  }
  EXPECT_EQ(Put(bob, "b.ob", Upload(DirectoryOf(bob, "b.ob.bots.test"))), 400);
  // Only its holder removes a name.
  EXPECT_THAT(client_->UnhostDirectory(bob, "alice"), StatusIs(ErrorCode::kNotFound));
  ASSERT_THAT(client_->UnhostDirectory(alice, "alice"), IsOk());
  EXPECT_THAT(*Serve("alice.bots.test"), StatusIs(ErrorCode::kNotFound));
  ASSERT_THAT(client_->HostDirectory(bob, "alice", hours(24)), IsOk());
}

TEST_F(HostedDirectoriesTest, OnlyADirectoryOfTheAgentsOwnKeyForItsOwnNameIsKept) {
  auto alice = Agent("alice"), bob = Agent("bob");
  ASSERT_THAT(client_->Register(alice, {"alice", "test", "", ""}), IsOk());
  ASSERT_THAT(client_->Register(bob, {"bob", "test", "", ""}), IsOk());
  EXPECT_EQ(Put(alice, "alice", Upload(DirectoryOf(alice, "bob.bots.test"))), 400);                    // Signed for another origin.
  EXPECT_EQ(Put(alice, "alice", Upload(DirectoryOf(bob, "alice.bots.test"))), 403);                    // Bob's key, sent by Alice.
  EXPECT_EQ(Put(alice, "alice", Upload(DirectoryOf(alice, "alice.bots.test", hours(24 * 91)))), 400);  // Too long-lived.
  auto tampered = DirectoryOf(alice, "alice.bots.test");
  tampered.body.insert(tampered.body.find('{') + 1, "\"x\":1,");
  EXPECT_EQ(Put(alice, "alice", Upload(tampered)), 400);
  EXPECT_EQ(Put(alice, "alice", R"({"body":"{}","headers":{"content-digest":"x","signature-input":"x","signature":"x","server":"x"}})"),
            400);
  EXPECT_EQ(Put(alice, "alice", Upload(DirectoryOf(alice, "alice.bots.test"))), 201);
}

TEST_F(HostedDirectoriesTest, NothingIsServedPastItsSignatureOrItsAgent) {
  auto alice = Agent("alice");
  ASSERT_THAT(client_->Register(alice, {"alice", "test", "", ""}), IsOk());
  ASSERT_THAT(client_->HostDirectory(alice, "alice", hours(2)), IsOk());
  // Hosts that are not under the bot domain are not hosted origins at all.
  EXPECT_FALSE(Serve("bots.test").has_value());
  EXPECT_FALSE(Serve("registry.example").has_value());
  EXPECT_FALSE(Serve("alice.bots.test.evil.example").has_value());
  EXPECT_THAT(*Serve("nobody.bots.test"), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(*Serve("a.alice.bots.test"), StatusIs(ErrorCode::kNotFound));
  // Cached no longer than its signature holds, and not served once it has expired.
  auto soon = Serve("alice.bots.test");
  ASSERT_THAT(*soon, IsOk());
  EXPECT_EQ((**soon).headers.Get("cache-control").value_or(""), "max-age=3600");
  testing::ManualClock later;
  later.now = DefaultClock().Now() + std::chrono::minutes(90);
  auto late = Serve("alice.bots.test", &later);
  ASSERT_THAT(*late, IsOk());
  std::string age((**late).headers.Get("cache-control").value_or(""));
  EXPECT_LE(std::stoi(age.substr(age.find('=') + 1)), 30 * 60 + 5);
  later.now = DefaultClock().Now() + hours(3);
  EXPECT_THAT(*Serve("alice.bots.test", &later), StatusIs(ErrorCode::kNotFound, "expired"));
  // An identity that ended takes its origin with it.
  ASSERT_THAT(client_->Publish(alice, "/v1/deactivations", identity::Deactivation::Create(alice, DefaultClock().Now()).ToJson()), IsOk());
  EXPECT_THAT(*Serve("alice.bots.test"), StatusIs(ErrorCode::kNotFound, "rotated or ended"));
  EXPECT_THAT(client_->HostDirectory(alice, "alice", hours(2)), StatusIs(ErrorCode::kPermissionDenied));
}

TEST(BotDomainTest, MustBeANameTheRegistryItselfIsNotUnder) {
  EXPECT_THAT(CheckBotDomain("", "https://registry.example"), IsOk());
  EXPECT_THAT(CheckBotDomain("bots.registry.example", "https://registry.example"), IsOk());
  EXPECT_THAT(CheckBotDomain("bots.test:8443", "https://127.0.0.1:8700"), IsOk());
  EXPECT_THAT(CheckBotDomain("example", "https://registry.example"), StatusIs(ErrorCode::kInvalidArgument, "with a dot"));
  EXPECT_THAT(CheckBotDomain("bots.example/x", "https://registry.example"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CheckBotDomain("example.com", "https://registry.example.com/v"), StatusIs(ErrorCode::kInvalidArgument, "must not be under"));
  EXPECT_THAT(CheckBotDomain("example.com:443", "https://example.com"), StatusIs(ErrorCode::kInvalidArgument, "must not be under"));
  EXPECT_THAT(CheckBotDomain("bots.test:8443", "https://bots.test:8700"), StatusIs(ErrorCode::kInvalidArgument, "must not be under"));
  EXPECT_THAT(CheckBotDomain("127.0.0.1", "https://localhost"), StatusIs(ErrorCode::kInvalidArgument, "DNS name"));
}

}  // namespace
}  // namespace aip::registry

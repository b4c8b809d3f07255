// The ways in, built from their sections as the gateway builds them.
#include <gtest/gtest.h>

#include <filesystem>

#include "aip/gateway/auth/feature.h"
#include "aip/testing/testing.h"

namespace aip::gateway {
namespace {

struct Built {
  std::vector<std::unique_ptr<AuthFeature>> features;
  std::vector<std::string> types;       // Credential types, in registration order.
  std::vector<std::string> challenges;  // What the 401 advertises once listening.
  std::string metadata_url, metadata;
};

Result<Built> Build(std::string_view toml) {
  AIP_ASSIGN_OR_RETURN(GatewayConfig config, ParseConfig(toml, "gw.toml", "/etc/aip"));
  AuthFeatureContext context{config, std::make_shared<authn::InMemoryReplayCache>(), std::make_shared<Metrics>()};
  Built b;
  authn::AuthenticatorChain chain;
  for (AuthFeatureFactory factory : AuthFeatureFactories()) {
    AIP_ASSIGN_OR_RETURN(std::unique_ptr<AuthFeature> f, factory(context));
    if (!f) continue;
    AIP_RETURN_IF_ERROR(chain.Add(f->authenticator()));
    b.types.emplace_back(authn::CredentialTypeName(f->authenticator()->credential_type()));
    b.features.push_back(std::move(f));
  }
  Listening where{
      "http://127.0.0.1:9/mcp",     "http://localhost:9/mcp", "https://gw.example/mcp", &b.challenges, &b.metadata_url, &b.metadata,
      "DataIntegrity realm=\"mcp\""};
  for (const auto& f : b.features) f->OnListening(where);
  return b;
}

const char* kUpstream = "[[upstream]]\nname = \"u\"\nurl = \"http://127.0.0.1:1/mcp\"\n";

TEST(AuthFeaturesTest, SignaturesAreOnByDefaultAndAdvertisedOnce) {
  auto b = Build(kUpstream);
  ASSERT_THAT(b.status(), testing::IsOk());
  EXPECT_EQ(b->types, (std::vector<std::string>{"aip-proof", "http-signature"}));
  EXPECT_EQ(b->challenges, std::vector<std::string>{"DataIntegrity realm=\"mcp\""});
  EXPECT_TRUE(b->metadata_url.empty());
}

TEST(AuthFeaturesTest, EachSectionSwitchesItsWayIn) {
  auto dir = std::filesystem::temp_directory_path() / ("aip-features-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string toml =
      std::string("[auth]\naip_proof = false\napi_keys = true\napi_key_db = \"") + (dir / "keys.db").string() + "\"\n" + kUpstream;
  auto b = Build(toml);
  ASSERT_THAT(b.status(), testing::IsOk());
  EXPECT_EQ(b->types, (std::vector<std::string>{"http-signature", "api-key"}));
  EXPECT_EQ(b->challenges, (std::vector<std::string>{"DataIntegrity realm=\"mcp\"", "Bearer realm=\"mcp\""}));
  std::filesystem::remove_all(dir);
}

TEST(AuthFeaturesTest, OAuthPublishesItsResourceMetadata) {
  ::setenv("AIP_TEST_HS256", "a-shared-secret-of-32-bytes-or-more!", 1);
  auto b = Build(std::string("[oauth]\nissuer = \"https://issuer.example\"\nalgorithms = [\"HS256\"]\n"
                             "hs256_secret_env = \"AIP_TEST_HS256\"\n") +
                 kUpstream);
  ASSERT_THAT(b.status(), testing::IsOk());
  EXPECT_EQ(b->types, (std::vector<std::string>{"aip-proof", "http-signature", "access-token"}));
  EXPECT_EQ(b->metadata_url, "https://gw.example/.well-known/oauth-protected-resource/mcp");
  EXPECT_NE(b->metadata.find("\"authorization_servers\":[\"https://issuer.example\"]"), std::string::npos);
  ASSERT_EQ(b->challenges.size(), 3u);
  EXPECT_EQ(b->challenges[1], "Bearer realm=\"mcp\", resource_metadata=\"" + b->metadata_url + "\"");
}

TEST(AuthFeaturesTest, WebBotAuthIsOnlyOnWhenConfigured) {
  auto b = Build(std::string("[web_bot_auth]\norigins = [\"https://*.bots.example\"]\nmax_lifetime = \"60s\"\n") + kUpstream);
  ASSERT_THAT(b.status(), testing::IsOk());
  EXPECT_EQ(b->types, (std::vector<std::string>{"aip-proof", "http-signature", "web-bot-auth"}));
  b = Build(std::string("[web_bot_auth]\nenabled = false\n") + kUpstream);
  ASSERT_THAT(b.status(), testing::IsOk());
  EXPECT_EQ(b->types, (std::vector<std::string>{"aip-proof", "http-signature"}));
  b = Build(std::string("[web_bot_auth]\norigins = [\"http://bots.example\"]\n") + kUpstream);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("web_bot_auth.origins"), std::string::npos) << b.status().message();
  b = Build(std::string("[web_bot_auth]\nmax_lifetme = \"60s\"\n") + kUpstream);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("max_lifetime"), std::string::npos) << b.status().message();  // The suggestion.
}

TEST(AuthFeaturesTest, AWrongSectionNamesItsSetting) {
  auto b = Build(std::string("[oauth]\nissuer = \"http://issuer.example\"\n") + kUpstream);
  EXPECT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("oauth.issuer"), std::string::npos) << b.status().message();
}

}  // namespace
}  // namespace aip::gateway

// The client side of OAuth: form and challenge parsing, PKCE, resource matching and the loopback
// redirect listener. The whole login is tested against the conformance suite's authorization
// servers (tests/conformance/client_auth.sh) and oauth2-mock-server (tests/gateway/oauth_test.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "aip/net/http_client.h"
#include "aip/oauth/form.h"
#include "aip/oauth/metadata.h"
#include "aip/oauth/pkce.h"
#include "aip/oauth/redirect_listener.h"
#include "aip/oauth/www_authenticate.h"
#include "aip/testing/testing.h"

namespace aip::oauth {
namespace {

using ::aip::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;
using namespace std::chrono_literals;

TEST(ParseForm, DecodesEscapesAndPlus) {
  auto f = ParseForm("code=a%2Fb+c&state=xyz&empty=&flag");
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(*f, ElementsAre(Pair("code", "a/b c"), Pair("empty", ""), Pair("flag", ""), Pair("state", "xyz")));
  EXPECT_EQ(FormEncode("a/b c~"), "a%2Fb%20c~");
  EXPECT_EQ(ParseForm(FormEncode("name") + "=" + FormEncode("välue & more"))->at("name"), "välue & more");
}

TEST(ParseForm, RefusesWhatCouldBeReadTwoWays) {
  EXPECT_THAT(ParseForm("code=1&code=2"), StatusIs(ErrorCode::kInvalidArgument));  // RFC 6749 §3.1
  EXPECT_THAT(ParseForm("code=%2"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseForm("code=%zz"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseForm("code=a%00b"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseForm("=value"), StatusIs(ErrorCode::kInvalidArgument));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "p" + std::to_string(i) + "=1&";
  EXPECT_THAT(ParseForm(many), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(ParseWwwAuthenticate, ReadsBearerChallengesWithQuotedParameters) {
  auto c = ParseWwwAuthenticate(
      R"(Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp")");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].Param("error"), "insufficient_scope");
  EXPECT_EQ((*c)[0].Param("scope"), "files:read files:write");
  EXPECT_EQ((*c)[0].Param("resource_metadata"), "https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
}

TEST(ParseWwwAuthenticate, SplitsSeveralChallengesAndToken68) {
  auto c = ParseWwwAuthenticate(R"(Basic YWxhZGRpbjpvcGVuc2VzYW1l==, DPoP algs="ES256 EdDSA", BEARER realm=mcp , scope="a\"b")");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[0].scheme, "basic");
  EXPECT_EQ((*c)[0].token68, "YWxhZGRpbjpvcGVuc2VzYW1l==");
  EXPECT_EQ((*c)[1].Param("algs"), "ES256 EdDSA");
  const Challenge* bearer = FindChallenge(*c, "bearer");
  ASSERT_NE(bearer, nullptr);
  EXPECT_EQ(bearer->Param("realm"), "mcp");
  EXPECT_EQ(bearer->Param("scope"), "a\"b");
  EXPECT_EQ(FindChallenge(*c, "negotiate"), nullptr);
  EXPECT_TRUE(ParseWwwAuthenticate("Bearer").ok());
}

TEST(ParseWwwAuthenticate, RefusesMalformedHeaders) {
  EXPECT_THAT(ParseWwwAuthenticate(R"(Bearer scope="a", scope="b")"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseWwwAuthenticate(R"(Bearer scope="unterminated)"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseWwwAuthenticate(""), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseWwwAuthenticate("=x"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseWwwAuthenticate("Bearer scope=\"a\nb\""), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseWwwAuthenticate("Bearer " + std::string(9000, 'a')), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(Pkce, MatchesRfc7636AppendixB) {
  EXPECT_EQ(S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  Pkce a = NewPkce(), b = NewPkce();
  EXPECT_EQ(a.verifier.size(), 43u);  // 32 random bytes; RFC 7636 asks for 43..128 characters.
  EXPECT_NE(a.verifier, b.verifier);
  EXPECT_EQ(a.challenge, S256Challenge(a.verifier));
  EXPECT_NE(RandomState(), RandomState());
}

TEST(ResourceCovers, AcceptsTheServerOrAWholeSegmentPrefixOfIt) {
  EXPECT_TRUE(ResourceCovers("https://mcp.example.com/mcp", "https://mcp.example.com/mcp"));
  EXPECT_TRUE(ResourceCovers("https://mcp.example.com", "https://mcp.example.com/mcp"));
  EXPECT_TRUE(ResourceCovers("https://MCP.example.com/", "https://mcp.example.com/mcp"));
  EXPECT_TRUE(ResourceCovers("https://mcp.example.com/tenant", "https://mcp.example.com/tenant/mcp"));
  EXPECT_FALSE(ResourceCovers("https://mcp.example.com/mc", "https://mcp.example.com/mcp"));
  EXPECT_FALSE(ResourceCovers("https://evil.example.com/mcp", "https://mcp.example.com/mcp"));
  EXPECT_FALSE(ResourceCovers("http://mcp.example.com/mcp", "https://mcp.example.com/mcp"));
  EXPECT_FALSE(ResourceCovers("https://mcp.example.com:8443/mcp", "https://mcp.example.com/mcp"));
  EXPECT_FALSE(ResourceCovers("https://mcp.example.com/mcp/more", "https://mcp.example.com/mcp"));
  EXPECT_FALSE(ResourceCovers("https://mcp.example.com/mcp#x", "https://mcp.example.com/mcp"));
  EXPECT_FALSE(ResourceCovers("https://mcp.example.com/mcp?x=1", "https://mcp.example.com/mcp"));
  EXPECT_FALSE(ResourceCovers("", "https://mcp.example.com/mcp"));
}

int Get(const std::string& uri_and_query) {
  auto url = net::ParseUrl(uri_and_query).value();
  net::HttpClient client(url);
  auto res = client.Send("GET", url.target, net::Headers(), "");
  return res.ok() ? res->status : -1;
}

TEST(RedirectListener, TakesOnlyTheResponseCarryingItsState) {
  auto listener = RedirectListener::Start().value();
  std::string uri = listener->redirect_uri();
  ASSERT_THAT(uri, ::testing::StartsWith("http://127.0.0.1:"));
  std::thread browser([&] {
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(Get(uri + "?code=stolen&state=guess"), 400);     // A forged response does not end the wait.
    EXPECT_EQ(Get(uri + "?code=1&code=2&state=s3cret"), 400);  // Nor an ambiguous one.
    EXPECT_EQ(Get(uri.substr(0, uri.size() - 9) + "/favicon.ico"), 404);
    EXPECT_EQ(Get(uri + "?code=good&state=s3cret&iss=https%3A%2F%2Fas.example.com"), 200);
  });
  auto response = listener->Wait("s3cret", 10s);
  browser.join();
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->at("code"), "good");
  EXPECT_EQ(response->at("iss"), "https://as.example.com");
  EXPECT_EQ(Get(uri + "?code=late&state=s3cret"), 400);  // Nothing is waiting any more.
  EXPECT_THAT(listener->Wait("other", 100ms), StatusIs(ErrorCode::kUnavailable));
}

}  // namespace
}  // namespace aip::oauth

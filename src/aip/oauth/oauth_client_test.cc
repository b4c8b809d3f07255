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

json::Object Doc(std::string_view text) { return json::ParseJson(text)->as_object(); }

TEST(ReadAuthorizationServer, ReadsTheMembersAipUsesAndIgnoresTheRest) {
  auto as = ReadAuthorizationServer(Doc(R"({"issuer":"https://as.example","token_endpoint":"https://as.example/token",
      "authorization_endpoint":"https://as.example/authorize","code_challenge_methods_supported":["S256"],
      "token_endpoint_auth_methods_supported":["none","client_secret_basic"],"authorization_response_iss_parameter_supported":true,
      "response_types_supported":["code"],"x-vendor":{"anything":[1,2]}})"));
  ASSERT_TRUE(as.ok()) << as.error().message;
  EXPECT_EQ(as->issuer, "https://as.example");
  EXPECT_EQ(as->token_endpoint, "https://as.example/token");
  EXPECT_THAT(as->code_challenge_methods_supported, ElementsAre("S256"));
  EXPECT_THAT(as->token_endpoint_auth_methods_supported, ElementsAre("none", "client_secret_basic"));
  EXPECT_TRUE(as->authorization_response_iss_parameter_supported);
  EXPECT_FALSE(as->client_id_metadata_document_supported);
  EXPECT_TRUE(as->registration_endpoint.empty());
}

TEST(ReadAuthorizationServer, RefusesAMemberItUsesWithTheWrongShapeByItsPointer) {
  // Read loosely, a token_endpoint of the wrong type would read as "none offered" and an
  // array with one number as "S256 not promised": both would hide a broken or hostile server.
  EXPECT_THAT(ReadAuthorizationServer(Doc(R"({"issuer":"https://as.example","token_endpoint":7})")),
              StatusIs(ErrorCode::kInvalidArgument, "/token_endpoint: must be a string"));
  EXPECT_THAT(ReadAuthorizationServer(Doc(R"({"issuer":"https://as.example","code_challenge_methods_supported":["S256",1]})")),
              StatusIs(ErrorCode::kInvalidArgument, "/code_challenge_methods_supported/1: must be a string"));
  EXPECT_THAT(ReadAuthorizationServer(Doc(R"({"token_endpoint":"https://as.example/token"})")),
              StatusIs(ErrorCode::kInvalidArgument, "/issuer: is required"));
  EXPECT_THAT(ReadAuthorizationServer(Doc(R"({"issuer":"https://as.example","authorization_response_iss_parameter_supported":"yes"})")),
              StatusIs(ErrorCode::kInvalidArgument, "/authorization_response_iss_parameter_supported"));
  std::string long_url(2049, 'a');
  EXPECT_THAT(ReadAuthorizationServer(Doc(R"({"issuer":"https://as.example","jwks_uri":")" + long_url + "\"}")),
              StatusIs(ErrorCode::kInvalidArgument, "/jwks_uri: is longer than 2048 bytes"));
  std::string many = R"({"issuer":"i","scopes_supported":[)";
  for (int i = 0; i < 257; ++i) many += std::string(i ? "," : "") + "\"s" + std::to_string(i) + "\"";
  EXPECT_THAT(ReadAuthorizationServer(Doc(many + "]}")), StatusIs(ErrorCode::kInvalidArgument, "more than 256"));
}

TEST(ReadProtectedResource, ReadsResourceServersAndScopes) {
  auto pr = ReadProtectedResource(
      Doc(R"({"resource":"https://mcp.example/mcp","authorization_servers":["https://as.example"],"scopes_supported":["files:read"]})"));
  ASSERT_TRUE(pr.ok()) << pr.error().message;
  EXPECT_EQ(pr->resource, "https://mcp.example/mcp");
  EXPECT_THAT(pr->authorization_servers, ElementsAre("https://as.example"));
  EXPECT_THAT(pr->scopes_supported, ElementsAre("files:read"));
  EXPECT_THAT(ReadProtectedResource(Doc(R"({"authorization_servers":["https://as.example"]})")),
              StatusIs(ErrorCode::kInvalidArgument, "/resource: is required"));
  EXPECT_THAT(ReadProtectedResource(Doc(R"({"resource":"https://mcp.example/mcp","authorization_servers":"https://as.example"})")),
              StatusIs(ErrorCode::kInvalidArgument, "/authorization_servers: must be an array of strings"));
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

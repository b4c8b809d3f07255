#include <cstdlib>

#include <gtest/gtest.h>

#include "aip/aip.h"
#include "aip/identity/key_store.h"
#include "aip/testing/testing.h"

namespace aip {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(AgentTest, SignsAndVerifiesLikeThePythonApi) {
  char tmpl[] = "/tmp/aip-facade-XXXXXX";
  std::filesystem::path home = std::filesystem::path(::mkdtemp(tmpl)) / "home";
  ::unsetenv("AIP_PRIVATE_KEY");
  auto agent = Agent::LoadOrCreate("facade-agent", home);
  ASSERT_THAT(agent, IsOk());
  auto again = Agent::LoadOrCreate("ignored", home);  // Loads, never replaces.
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->did(), agent->did());

  std::string sig = agent->SignMessage("hello");
  EXPECT_THAT(VerifySignature(agent->did(), "hello", sig, home), IsOk());
  EXPECT_THAT(VerifySignature(agent->did(), "hellO", sig, home), StatusIs(ErrorCode::kUnauthenticated));
  // did:aip resolves only through the keyring.
  EXPECT_THAT(VerifySignature(agent->did_aip(), "hello", sig, home), StatusIs(ErrorCode::kNotFound));
  ASSERT_THAT(identity::KeyStore(home).AddToKeyring(agent->identity().public_key(), "me"), IsOk());
  EXPECT_THAT(VerifySignature(agent->did_aip(), "hello", sig, home), IsOk());
  std::filesystem::remove_all(home.parent_path());
}

}  // namespace
}  // namespace aip

#include "aip/mcp/session_seal.h"

#include <gtest/gtest.h>

#include <set>

#include "aip/base/encoding.h"
#include "aip/testing/testing.h"

namespace aip::mcp {
namespace {

using ::aip::testing::ManualClock;

const std::string kSecret(32, 's');

Session Opened() {
  Session s;
  s.protocol_version = "2025-11-25";
  s.client_capabilities = json::Object{{"roots", json::Object{{"listChanged", true}}}};
  s.owner = "agent did:key:z6MkExample";
  return s;
}

std::shared_ptr<const SessionSealer> Sealer(const ManualClock& clock, std::string_view secret = kSecret) {
  return *SessionSealer::Create(AsBytes(secret), std::chrono::hours(1), &clock);
}

TEST(SessionSealerTest, AnotherInstanceWithTheSameSecretOpensTheSession) {
  ManualClock clock;
  std::string id = Sealer(clock)->Seal(Opened());
  auto back = Sealer(clock)->Open(id);  // A second sealer: another instance, the same secret.
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->id, id);
  EXPECT_EQ(back->protocol_version, "2025-11-25");
  EXPECT_EQ(back->owner, "agent did:key:z6MkExample");
  EXPECT_EQ(json::Serialize(back->client_capabilities), R"({"roots":{"listChanged":true}})");
  EXPECT_TRUE(back->initialized);
  // Visible ASCII only (MCP's rule for session ids), and never the same twice.
  for (char c : id) EXPECT_TRUE(c >= 0x21 && c <= 0x7e);
  EXPECT_NE(id, Sealer(clock)->Seal(Opened()));
}

TEST(SessionSealerTest, ForgedAlteredOrForeignIdsAreNotSessions) {
  ManualClock clock;
  auto sealer = Sealer(clock);
  std::string id = sealer->Seal(Opened());
  EXPECT_FALSE(Sealer(clock, std::string(32, 't'))->Open(id).has_value()) << "another secret";
  for (std::size_t i = 3; i < id.size(); i += 7) {
    std::string altered = id;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(sealer->Open(altered).has_value()) << "byte " << i;
  }
  EXPECT_FALSE(sealer->Open(id.substr(0, id.size() - 1)).has_value());
  EXPECT_FALSE(sealer->Open("s2." + id.substr(3)).has_value());
  EXPECT_FALSE(sealer->Open("").has_value());
  EXPECT_FALSE(sealer->Open("s1.").has_value());
  EXPECT_FALSE(sealer->Open("s1.!!!!").has_value());
  EXPECT_FALSE(sealer->Open("s1." + std::string(20000, 'A')).has_value());
  EXPECT_FALSE(sealer->Open("0123456789abcdef0123456789abcdef").has_value()) << "an unsealed, random id";
}

TEST(SessionSealerTest, AnIdLastsMaxAgeFromInitialize) {
  ManualClock clock;
  auto sealer = Sealer(clock);
  std::string id = sealer->Seal(Opened());
  clock.now += std::chrono::minutes(59);
  EXPECT_TRUE(sealer->Open(id).has_value());
  clock.now += std::chrono::minutes(2);
  EXPECT_FALSE(sealer->Open(id).has_value());
  // An issuer whose clock runs ahead: a minute is tolerated, more is not.
  ManualClock ahead;
  ahead.now = clock.now + std::chrono::seconds(30);
  EXPECT_TRUE(sealer->Open(Sealer(ahead)->Seal(Opened())).has_value());
  ahead.now = clock.now + std::chrono::minutes(5);
  EXPECT_FALSE(sealer->Open(Sealer(ahead)->Seal(Opened())).has_value());
}

TEST(SessionSealerTest, SecretsAndAgesAreChecked) {
  ManualClock clock;
  EXPECT_FALSE(SessionSealer::Create(AsBytes(std::string(31, 's')), std::chrono::hours(1), &clock).ok());
  EXPECT_FALSE(SessionSealer::Create(AsBytes(kSecret), std::chrono::seconds(0), &clock).ok());
}

}  // namespace
}  // namespace aip::mcp

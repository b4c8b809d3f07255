// The Python AIP middleware vector from aip-compat/vectors.txt verifies when the deployment opts
// in; replays, stale times and changed bodies do not.
#include "aip/mcpsig/legacy_headers.h"

#include <gtest/gtest.h>

#include "aip/identity/did_aip.h"
#include "aip/testing/testing.h"

namespace aip::mcpsig {
namespace {

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint t) : t_(t) {}
  TimePoint Now() const override { return t_; }
  TimePoint t_;
};

TEST(LegacyAipHeaderTest, VerifiesThePythonMiddlewareVector) {
  auto a = crypto::Ed25519PrivateKey::FromSeed(::aip::testing::Hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  auto keyring = std::make_shared<identity::StaticKeyResolver>();
  ASSERT_TRUE(keyring->Add("did:aip:56475aa75463474c0285df5dbf2bcab7", a->public_key()).ok());
  FixedClock clock(*ParseTime("2026-03-01T12:01:00+00:00"));
  LegacyAipHeaderAuthenticator auth(keyring, std::make_shared<authn::InMemoryReplayCache>(), &clock);
  net::Headers h;
  h.Set("x-aip-did", "did:aip:56475aa75463474c0285df5dbf2bcab7");
  h.Set("x-aip-timestamp", "2026-03-01T12:00:00+00:00");
  h.Set("x-aip-nonce", "0123456789abcdef");
  h.Set("x-aip-signature", "Pxa88HIHvRWDqrIR+8kqD7HsPRxJqVjmQONK5FGsb9/WhyCIQ1Hfnd7PkFxsSEzY119Q3SMQGYWaaXFrWcQLDQ==");
  authn::HttpInfo http{"POST", "https://service.example/api/submit", &h, R"({"key": "value"})", ""};
  auto ok = auth.Authenticate({}, &http);
  ASSERT_TRUE(std::holds_alternative<std::optional<authn::Principal>>(ok));
  ASSERT_TRUE(std::get<std::optional<authn::Principal>>(ok).has_value());
  auto replay = auth.Authenticate({}, &http);
  ASSERT_TRUE(std::holds_alternative<authn::AuthFailure>(replay));
  EXPECT_EQ(std::get<authn::AuthFailure>(replay).reason, "replayed_nonce");

  LegacyAipHeaderAuthenticator fresh(keyring, nullptr, &clock);
  authn::HttpInfo changed{"POST", "https://service.example/api/submit", &h, R"({"key": "VALUE"})", ""};
  EXPECT_TRUE(std::holds_alternative<authn::AuthFailure>(fresh.Authenticate({}, &changed)));
  clock.t_ += std::chrono::minutes(10);
  auto stale = fresh.Authenticate({}, &http);
  ASSERT_TRUE(std::holds_alternative<authn::AuthFailure>(stale));
  EXPECT_EQ(std::get<authn::AuthFailure>(stale).reason, "expired");
  net::Headers none;
  authn::HttpInfo plain{"POST", "https://service.example/api/submit", &none, "", ""};
  EXPECT_FALSE(std::get<std::optional<authn::Principal>>(fresh.Authenticate({}, &plain)).has_value());
  ::aip::testing::ReportVectors("aip-compat/vectors.txt middleware X-AIP headers", 1);
}

}  // namespace
}  // namespace aip::mcpsig

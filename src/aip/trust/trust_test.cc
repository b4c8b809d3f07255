#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>

#include "aip/base/encoding.h"
#include "aip/sql/sql.h"
#include "aip/testing/testing.h"
#include "aip/trust/identity_links.h"
#include "aip/trust/legacy_vouch.h"
#include "aip/trust/trust_engine.h"
#include "aip/trust/trust_store.h"
#include "aip/trust/trust_view.h"
#include "aip/trust/vouch.h"

namespace aip::trust {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;
using namespace std::chrono_literals;

const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

identity::Identity Agent(const char* name) { return identity::Identity::Generate(name, "test", kNow); }

Vouch Make(const identity::Identity& from, const std::string& to, std::string scope = "GENERAL", double weight = 1.0,
           std::optional<TimePoint> until = std::nullopt, TimePoint valid_from = kNow - 1h) {
  VouchOptions o{to, std::move(scope), weight, "", valid_from, until};
  return CreateVouch(from, o).value();
}

TEST(Vouch, SignsAndVerifiesAsAVerifiableCredential) {
  auto alice = Agent("alice"), bob = Agent("bob");
  Vouch v = Make(alice, bob.did(), "tools:tasks.*", 0.8, kNow + 24h);
  EXPECT_EQ(v.document.at("type").as_array()[1], json::Value("AipVouch"));
  EXPECT_EQ(v.document.at("proof").as_object().at("cryptosuite"), json::Value("eddsa-jcs-2022"));
  auto again = VerifyVouch(v.document);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->id, v.id);
  EXPECT_THAT(v.id, ::testing::StartsWith("sha256:"));
  EXPECT_EQ(again->weight, 0.8);
  EXPECT_EQ(again->subject, bob.did());
}

TEST(Vouch, RefusesTamperingAndNonsense) {
  auto alice = Agent("alice"), bob = Agent("bob"), mallory = Agent("mallory");
  Vouch v = Make(alice, bob.did());
  json::Object tampered = v.document;
  tampered["credentialSubject"].as_object()["weight"] = 0.5;
  EXPECT_THAT(VerifyVouch(tampered), StatusIs(ErrorCode::kUnauthenticated));
  // Signed by Mallory's key but naming Alice as the issuer.
  json::Object forged = Make(mallory, bob.did()).document;
  forged["issuer"] = alice.did();
  EXPECT_FALSE(VerifyVouch(forged).ok());
  json::Object extra = v.document;
  extra["evidence"] = "x";
  EXPECT_THAT(VerifyVouch(extra), StatusIs(ErrorCode::kInvalidArgument, "unknown field"));
  EXPECT_THAT(CreateVouch(alice, {alice.did(), "GENERAL", 1, "", kNow, {}}), StatusIs(ErrorCode::kInvalidArgument, "itself"));
  EXPECT_THAT(CreateVouch(alice, {alice.did_aip(), "GENERAL", 1, "", kNow, {}}), StatusIs(ErrorCode::kInvalidArgument, "itself"));
  EXPECT_THAT(CreateVouch(alice, {bob.did(), "EVERYTHING", 1, "", kNow, {}}), StatusIs(ErrorCode::kInvalidArgument, "scope"));
  EXPECT_THAT(CreateVouch(alice, {bob.did(), "GENERAL", 0, "", kNow, {}}), StatusIs(ErrorCode::kInvalidArgument, "weight"));
  EXPECT_THAT(CreateVouch(alice, {bob.did(), "GENERAL", 1.5, "", kNow, {}}), StatusIs(ErrorCode::kInvalidArgument, "weight"));
  EXPECT_THAT(CreateVouch(alice, {bob.did(), "GENERAL", 1, "", kNow, kNow - 1s}), StatusIs(ErrorCode::kInvalidArgument, "validUntil"));
  EXPECT_THAT(CreateRevocation(mallory, v, kNow), StatusIs(ErrorCode::kPermissionDenied));
}

TEST(Scope, CoversItselfAndWhatItsGlobMatches) {
  EXPECT_TRUE(ScopeCovers("CODE_SIGNING", "CODE_SIGNING"));
  EXPECT_FALSE(ScopeCovers("GENERAL", "FINANCIAL"));
  EXPECT_TRUE(ScopeCovers("tools:tasks.*", "tools:tasks.list_tasks"));
  EXPECT_TRUE(ScopeCovers("tools:*", "tools:tasks.*"));
  EXPECT_FALSE(ScopeCovers("tools:weather.*", "tools:tasks.list_tasks"));
  EXPECT_TRUE(ValidScope("resources:task://*"));
  EXPECT_FALSE(ValidScope("tools:"));
  EXPECT_FALSE(ValidScope("tools:a b"));
}

// A graph from (issuer, subject, weight[, scope]) rows, with DIDs as plain names.
struct Row {
  Row(std::string f, std::string t, double w = 1, std::string s = "GENERAL", std::optional<TimePoint> u = {}, TimePoint vf = kNow)
      : from(std::move(f)), to(std::move(t)), weight(w), scope(std::move(s)), until(u), valid_from(vf) {}
  std::string from, to;
  double weight;
  std::string scope;
  std::optional<TimePoint> until;
  TimePoint valid_from;
};
TrustGraph GraphOf(const std::vector<Row>& rows) {
  std::vector<EdgeInput> edges;
  int n = 0;
  for (const auto& r : rows)
    edges.push_back({"did:x:" + r.from, "did:x:" + r.to, r.scope, r.weight, r.valid_from, r.until, "v" + std::to_string(n++)});
  TrustGraph g;
  g.Build(edges);
  return g;
}
double ScoreOf(const TrustGraph& g, const std::string& who, std::string scope = "", TrustParams p = {}, TimePoint now = kNow) {
  return TrustEngine(p).Score(g, {"did:x:me"}, "did:x:" + who, scope, now).score;
}

TEST(TrustEngine, SmallGraphsScoreAsComputedByHand) {
  // me → a (1) → b (0.5): a = 0.8; b = 0.8 · 0.8 · 0.5 (a passes on all it has, w < 1 is not split).
  auto chain = GraphOf({{"me", "a"}, {"a", "b", 0.5}});
  EXPECT_NEAR(ScoreOf(chain, "a"), 0.8, 1e-9);
  EXPECT_NEAR(ScoreOf(chain, "b"), 0.32, 1e-9);
  EXPECT_EQ(ScoreOf(chain, "me"), 1.0);
  EXPECT_EQ(ScoreOf(chain, "nobody"), 0.0);
  // Two paths add up: me → a (0.5) → t, me → c (0.5) → t: 2 × 0.8·0.5·0.8 = 0.64.
  auto two = GraphOf({{"me", "a", 0.5}, {"me", "c", 0.5}, {"a", "t"}, {"c", "t"}});
  auto r = TrustEngine().Score(two, {"did:x:me"}, "did:x:t", "", kNow);
  EXPECT_NEAR(r.score, 0.64, 1e-9);
  ASSERT_EQ(r.paths.size(), 2u);
  EXPECT_NEAR(r.paths[0].contribution, 0.32, 1e-9);
  EXPECT_EQ(r.paths[0].dids.front(), "did:x:me");
  EXPECT_EQ(r.paths[0].dids.back(), "did:x:t");
  EXPECT_NEAR(r.unexplained, 0, 1e-9);
  // An agent that vouches for three splits what it passes on: each gets 0.8 · 0.8 / 3.
  auto split = GraphOf({{"me", "a"}, {"a", "x"}, {"a", "y"}, {"a", "z"}});
  EXPECT_NEAR(ScoreOf(split, "x"), 0.64 / 3, 1e-9);
  // The depth cap: six hops away is out of reach with max_depth 5.
  auto longchain = GraphOf({{"me", "1"}, {"1", "2"}, {"2", "3"}, {"3", "4"}, {"4", "5"}, {"5", "6"}});
  EXPECT_NEAR(ScoreOf(longchain, "5"), std::pow(0.8, 5), 1e-9);
  EXPECT_EQ(ScoreOf(longchain, "6"), 0.0);
  // α = 0.2 on a single chain is the Python AIP formula 0.8^hops.
  EXPECT_NEAR(ScoreOf(longchain, "3"), std::pow(0.8, 3), 1e-9);
}

TEST(TrustEngine, ExpiryAndAgeAreHonoured) {
  auto g = GraphOf({{"me", "gone", 1, "GENERAL", kNow - 1s, kNow - 1h},
                    {"me", "later", 1, "GENERAL", std::nullopt, kNow + 1h},
                    {"me", "old", 1, "GENERAL", std::nullopt, kNow - std::chrono::hours(24 * 365)}});
  EXPECT_EQ(ScoreOf(g, "gone"), 0.0);
  EXPECT_EQ(ScoreOf(g, "later"), 0.0);
  EXPECT_NEAR(ScoreOf(g, "old"), 0.4, 1e-6);  // One half-life old: half the weight.
}

TEST(TrustEngine, ScopesDoNotLeak) {
  auto g = GraphOf({{"me", "a", 1, "CODE_SIGNING"}, {"me", "t", 1, "tools:tasks.*"}});
  EXPECT_NEAR(ScoreOf(g, "a", "CODE_SIGNING"), 0.8, 1e-9);
  EXPECT_EQ(ScoreOf(g, "a", "FINANCIAL"), 0.0);
  EXPECT_NEAR(ScoreOf(g, "t", "tools:tasks.list_tasks"), 0.8, 1e-9);
  EXPECT_EQ(ScoreOf(g, "t", "tools:weather.get"), 0.0);
  EXPECT_NEAR(ScoreOf(g, "a"), 0.8, 1e-9);  // No scope asked: every vouch counts.
}

TEST(TrustEngine, ARevokedEdgeCarriesNothing) {
  auto g = GraphOf({{"me", "a"}, {"a", "b"}});
  EXPECT_GT(ScoreOf(g, "b"), 0.0);
  EXPECT_TRUE(g.Remove("did:x:a", "v1"));
  EXPECT_EQ(ScoreOf(g, "b"), 0.0);
  g.Compact();
  EXPECT_EQ(g.edge_count(), 1u);
  EXPECT_EQ(ScoreOf(g, "b"), 0.0);
  g.Add({"did:x:a", "did:x:b", "GENERAL", 1, kNow, std::nullopt, "v9"});
  EXPECT_NEAR(ScoreOf(g, "b"), 0.64, 1e-9);
}

// A ring of fake agents reached by one vouch from an honest agent: whatever its size and inner
// vouches, its PageRank mass α·Σ score stays under the mass crossing that one vouch.
TEST(TrustEngine, ASybilRingGainsNoMoreThanItsAttackEdgeCarries) {
  for (int ring : {1000, 100000}) {
    std::vector<Row> rows = {{"me", "h1"}, {"me", "h2"}, {"h1", "h2"}, {"h1", "h3"}, {"h2", "h3"}, {"h3", "x0", 0.5}};
    std::mt19937 rng(7);
    for (int i = 0; i < ring; ++i) {
      rows.push_back({"x" + std::to_string(i), "x" + std::to_string((i + 1) % ring)});
      rows.push_back({"x" + std::to_string(i), "x" + std::to_string(rng() % ring)});
      rows.push_back({"x" + std::to_string(i), "h1"});  // Fakes vouching back changes nothing for them.
    }
    TrustGraph g = GraphOf(rows);
    TrustParams p;
    p.epsilon = 1e-9;
    TrustEngine engine(p);
    auto visits = engine.Spread(g, {"did:x:me"}, "", kNow);
    double ring_mass = 0;
    for (const auto& [node, v] : visits) {
      if (g.Did(node).starts_with("did:x:x")) ring_mass += p.alpha * v;
    }
    // h3 has one out-vouch (weight 0.5 < 1: norm 1): the crossing is (1 − α) · visits(h3) · 0.5.
    double crossing = (1 - p.alpha) * visits.at(*g.Find("did:x:h3")) * 0.5;
    EXPECT_GT(ring_mass, 0);
    EXPECT_LE(ring_mass, crossing + 1e-12) << ring;
    EXPECT_LE(engine.Score(g, {"did:x:me"}, "did:x:x0", "", kNow).score, crossing / p.alpha + 1e-12);
  }
}

// The store's tests run on SQLite and, given AIP_TEST_POSTGRES_URL (tests/registry/postgres_suite.py),
// on PostgreSQL.
struct Fixture : ::testing::Test {
  void SetUp() override {
    char tmpl[] = "/tmp/aip-trust-XXXXXX";
    dir = ::mkdtemp(tmpl);
    std::string where = (dir / "trust.db").string();
    if (const char* pg = std::getenv("AIP_TEST_POSTGRES_URL"); pg != nullptr) {
      where = pg;
      auto conn = sql::OpenPostgres(where);
      ASSERT_THAT(conn, IsOk());
      ASSERT_THAT((*conn)->ExecScript("DROP TABLE IF EXISTS anchors, vouches, revocations, rotations, deactivations"), IsOk());
    }
    store = std::shared_ptr<TrustStore>(TrustStore::Open(where).value());
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
  std::shared_ptr<TrustStore> store;
};

TEST_F(Fixture, ARevokedVouchStaysRevokedWhenPostedAgain) {
  auto me = Agent("me"), a = Agent("a"), mallory = Agent("mallory");
  ASSERT_THAT(store->AddAnchor(me.did(), kNow), IsOk());
  TrustView view(store);
  Vouch v = Make(me, a.did());
  ASSERT_TRUE(store->AddVouch(v, "issued", kNow).value());
  EXPECT_FALSE(store->AddVouch(v, "issued", kNow).value());  // Already there.
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_NEAR(view.Score(a.did(), "", kNow).score, 0.8, 1e-3);  // An hour of age costs 8e-5.
  // A "revocation" signed by someone else does not count.
  auto mallory_rev = CreateRevocation(mallory, Make(mallory, a.did()), kNow).value();
  json::Object forged = mallory_rev.document;
  forged["credentialSubject"] = json::Object{{"revokes", v.id}};
  EXPECT_FALSE(VerifyRevocation(forged).ok());  // The proof no longer matches.
  Revocation r = CreateRevocation(me, v, kNow).value();
  ASSERT_TRUE(store->AddRevocation(r).value());
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_EQ(view.Score(a.did(), "", kNow).score, 0.0);
  EXPECT_THAT(store->AddVouch(v, "received", kNow), StatusIs(ErrorCode::kFailedPrecondition, "revoked"));
  EXPECT_TRUE(store->FindVouch(v.id.substr(0, 20)).value().revoked);
}

TEST_F(Fixture, StoresEveryFieldAndFindsByPrefix) {
  auto me = Agent("me"), a = Agent("a");
  Vouch v = Make(me, a.did());
  v.weight = 0.1 + 0.2;  // Not a short decimal: it must come back exactly.
  ASSERT_TRUE(store->AddVouch(v, "imported", kNow).value());
  auto found = store->FindVouch(v.id.substr(0, 16));
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->vouch.weight, v.weight);
  EXPECT_EQ(found->vouch.issuer, me.did());
  EXPECT_EQ(found->vouch.valid_from, v.valid_from);
  EXPECT_EQ(found->vouch.valid_until, v.valid_until);
  EXPECT_EQ(found->origin, "imported");
  EXPECT_EQ(json::Serialize(found->vouch.document), json::Serialize(v.document));
  EXPECT_FALSE(found->revoked);
  EXPECT_THAT(store->FindVouch("short"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(store->FindVouch("zzzzzzzzzzzzzzzz"), StatusIs(ErrorCode::kNotFound));
  ASSERT_THAT(store->AddAnchor(me.did(), kNow), IsOk());
  ASSERT_THAT(store->AddAnchor(me.did(), kNow), IsOk());  // Twice: still one.
  EXPECT_EQ(store->Anchors().value(), std::vector<std::string>{me.did()});
  EXPECT_THAT(store->RemoveAnchor(a.did()), StatusIs(ErrorCode::kNotFound));
  ASSERT_THAT(store->RemoveAnchor(me.did()), IsOk());
  EXPECT_TRUE(store->Anchors().value().empty());
  auto changes = store->ChangesSince(0, 0);
  ASSERT_THAT(changes, IsOk());
  EXPECT_EQ(changes->added.size(), 1u);
  EXPECT_GT(changes->vouch_seq, 0);
}

TEST_F(Fixture, TheViewPicksUpNewVouchesAndAnchors) {
  auto me = Agent("me"), a = Agent("a"), b = Agent("b");
  TrustView view(store, {}, {me.did()});
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_EQ(view.Score(b.did(), "", kNow).score, 0.0);
  ASSERT_THAT(store->AddVouch(Make(me, a.did()), "issued", kNow), IsOk());
  ASSERT_THAT(store->AddVouch(Make(a, b.did()), "received", kNow), IsOk());
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_NEAR(view.Score(b.did(), "", kNow).score, 0.64, 1e-3);
  ASSERT_THAT(store->AddAnchor(a.did(), kNow), IsOk());
  ASSERT_THAT(view.Refresh(), IsOk());
  auto r = view.Score(b.did(), "", kNow);
  EXPECT_EQ(r.score, 1.0);  // 0.8 + 0.64, capped at 1.
}

// Rotate returns the identity's next key (the same name), and the verified rotation record.
std::pair<identity::Identity, identity::KeyRotation> Rotate(identity::Identity id, TimePoint at) {
  EXPECT_THAT(id.Rotate(crypto::Ed25519PrivateKey::Generate(), at), IsOk());
  identity::KeyRotation r = id.rotations().back();
  EXPECT_THAT(r.Verify(), IsOk());
  return {std::move(id), r};
}

TEST_F(Fixture, ARotatedIdentityKeepsWhatWasVouchedForItsOldKey) {
  auto me = Agent("me"), a0 = Agent("a"), b = Agent("b"), c = Agent("c");
  ASSERT_THAT(store->AddAnchor(me.did(), kNow), IsOk());
  ASSERT_THAT(store->AddVouch(Make(me, a0.did()), "issued", kNow), IsOk());
  ASSERT_THAT(store->AddVouch(Make(a0, b.did()), "received", kNow), IsOk());
  TrustView view(store);
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_NEAR(view.Score(b.did(), "", kNow).score, 0.64, 1e-3);

  std::string old_did = a0.did();
  auto [a1, rotation] = Rotate(a0, kNow);
  ASSERT_TRUE(store->AddRotation(rotation).value());
  EXPECT_FALSE(store->AddRotation(rotation).value());  // Known already.
  ASSERT_THAT(view.Refresh(), IsOk());
  // The anchor's vouch for the old key counts for the new one; the old key scores nothing, and
  // says why; what the old key signed counts no more until the new key signs it again.
  EXPECT_NEAR(view.Score(a1.did(), "", kNow).score, 0.8, 1e-3);
  TrustResult old = view.Score(old_did, "", kNow);
  EXPECT_EQ(old.score, 0.0);
  EXPECT_THAT(old.note, ::testing::HasSubstr("rotated to " + a1.did()));
  EXPECT_EQ(view.Score(b.did(), "", kNow).score, 0.0);
  ASSERT_THAT(store->AddVouch(Make(a1, b.did()), "received", kNow), IsOk());
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_NEAR(view.Score(b.did(), "", kNow).score, 0.64, 1e-3);
  EXPECT_EQ(JsonOf(old).at("note").as_string(), old.note);

  // A vouch arriving later for the old key is counted for the identity too (incrementally).
  ASSERT_THAT(store->AddVouch(Make(c, old_did), "received", kNow), IsOk());
  ASSERT_THAT(store->AddVouch(Make(me, c.did()), "issued", kNow), IsOk());
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_GT(view.Score(a1.did(), "", kNow).score, 0.9);  // 0.8 + 0.64, capped at 1.

  // Deactivation ends it: no score, and its vouches stop counting.
  ASSERT_TRUE(store->AddDeactivation(identity::Deactivation::Create(a1, kNow)).value());
  ASSERT_THAT(view.Refresh(), IsOk());
  TrustResult ended = view.Score(a1.did(), "", kNow);
  EXPECT_EQ(ended.score, 0.0);
  EXPECT_EQ(ended.note, "identity deactivated");
  EXPECT_EQ(view.Score(b.did(), "", kNow).score, 0.0);
  EXPECT_EQ(view.Score(old_did, "", kNow).note, "identity deactivated");
}

TEST_F(Fixture, AKeyRotatedTwiceCountsForNothing) {
  auto me = Agent("me"), a0 = Agent("a");
  ASSERT_THAT(store->AddAnchor(me.did(), kNow), IsOk());
  ASSERT_THAT(store->AddVouch(Make(me, a0.did()), "issued", kNow), IsOk());
  // The owner rotates; a thief holding the old key rotates it to a key of their own.
  auto [owner, r1] = Rotate(a0, kNow);
  auto [thief, r2] = Rotate(a0, kNow + 1s);
  ASSERT_TRUE(store->AddRotation(r1).value());
  TrustView view(store);
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_NEAR(view.Score(owner.did(), "", kNow).score, 0.8, 1e-3);
  ASSERT_TRUE(store->AddRotation(r2).value());
  ASSERT_THAT(view.Refresh(), IsOk());
  for (const auto& did : {owner.did(), thief.did(), a0.did()}) {
    TrustResult r = view.Score(did, "", kNow);
    EXPECT_EQ(r.score, 0.0) << did;
    EXPECT_THAT(r.note, ::testing::HasSubstr("forked")) << did;
  }
}

TEST(IdentityLinks, FollowChainsAndRefuseMergesAndCycles) {
  IdentityLinks links;
  links.AddRotation("did:x:a0", "did:x:a1", kNow);
  links.AddRotation("did:x:a1", "did:x:a2", kNow);
  EXPECT_EQ(links.Of("did:x:a0").current, "did:x:a2");
  EXPECT_EQ(links.Of("did:x:a0").kind, Standing::kRotated);
  EXPECT_EQ(links.Of("did:x:a2").kind, Standing::kActive);
  EXPECT_EQ(links.Of("did:x:other").kind, Standing::kActive);
  EdgeInput e{"did:x:z", "did:x:a0", "GENERAL", 1.0, kNow, std::nullopt, "v"};
  ASSERT_TRUE(links.Map(e));
  EXPECT_EQ(e.subject, "did:x:a2");
  EdgeInput self{"did:x:a0", "did:x:a2", "GENERAL", 1.0, kNow, std::nullopt, "w"};
  EXPECT_FALSE(links.Map(self));  // A retired key, and a vouch within one identity.
  EXPECT_EQ(links.Current({"did:x:a1", "did:x:q"}), (std::vector<std::string>{"did:x:a2", "did:x:q"}));

  // A key claiming two histories (a merge) and a cycle end the chains they touch.
  links.AddRotation("did:x:b0", "did:x:a2", kNow);
  EXPECT_EQ(links.Of("did:x:a0").kind, Standing::kForked);
  IdentityLinks cycle;
  cycle.AddRotation("did:x:c0", "did:x:c1", kNow);
  cycle.AddRotation("did:x:c1", "did:x:c0", kNow);
  EXPECT_EQ(cycle.Of("did:x:c0").kind, Standing::kForked);
}

// The Python AIP project's vouch vectors.
std::map<std::string, std::string> Vectors() {
  std::ifstream in(aip::testing::SharedTestdata("aip-compat/vectors.txt"));
  std::map<std::string, std::string> out;
  std::string section, line;
  while (std::getline(in, line)) {
    if (line.starts_with("[")) {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
    while (!value.empty() && (value.back() == ' ')) value.pop_back();
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') value = value.substr(1, value.size() - 2);
    out[(section.empty() ? "" : section + ".") + key] = value;
  }
  return out;
}

TEST(LegacyVouch, ThePythonProjectsVectorsVerify) {
  auto v = Vectors();
  auto split = [](const std::string& payload) {
    std::vector<std::string> parts;
    std::size_t start = 0, bar;
    while ((bar = payload.find('|', start)) != std::string::npos) {
      parts.push_back(payload.substr(start, bar - start));
      start = bar + 1;
    }
    parts.push_back(payload.substr(start));
    return parts;
  };
  for (const char* section : {"service vouch", "service vouch, no statement"}) {
    auto parts = split(v[std::string(section) + ".payload"]);
    ASSERT_EQ(parts.size(), 4u);
    json::Object legacy{{"voucher_did", parts[0]},
                        {"target_did", parts[1]},
                        {"scope", parts[2]},
                        {"statement", parts[3]},
                        {"signature", v[std::string(section) + ".sig_b64"]},
                        {"voucher_public_key", v["A.public_key_b64"]}};
    auto imported = ImportLegacyVouch(legacy, kNow);
    ASSERT_THAT(imported, IsOk()) << section;
    EXPECT_EQ(imported->issuer, v["A.did_key"]);
    EXPECT_EQ(imported->subject, v["B.did_aip"]);
    EXPECT_EQ(imported->valid_until, kNow + std::chrono::hours(24 * 365));
    // The same vouch with another agent's key: the key is not the voucher's.
    legacy["voucher_public_key"] = v["B.public_key_b64"];
    EXPECT_THAT(ImportLegacyVouch(legacy, kNow), StatusIs(ErrorCode::kUnauthenticated)) << section;
    legacy["voucher_public_key"] = v["A.public_key_b64"];
    legacy["statement"] = "something else";
    EXPECT_THAT(ImportLegacyVouch(legacy, kNow), StatusIs(ErrorCode::kUnauthenticated)) << section;
  }
  auto local = json::ParseJsonObject(v["local Vouch.to_signable.payload"]).value();
  local["signature"] = v["local Vouch.to_signable.sig_b64"];
  local["voucher_pubkey"] = v["A.public_key_b64"];
  auto imported = ImportLegacyVouch(local, kNow);
  ASSERT_THAT(imported, IsOk());
  EXPECT_EQ(imported->issuer, v["A.did_key"]);
  EXPECT_EQ(imported->subject, v["B.did_key"]);  // The signed target key names its did:key.
  EXPECT_NEAR(imported->weight, 0.8, 1e-9);      // Level 4 of 5.
  local["level"] = 5;
  EXPECT_THAT(ImportLegacyVouch(local, kNow), StatusIs(ErrorCode::kUnauthenticated));
}

}  // namespace
}  // namespace aip::trust

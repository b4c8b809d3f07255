// The registry API through its HTTP server, on SQLite — and on PostgreSQL when
// AIP_TEST_POSTGRES_URL names a database (tests/registry/postgres_suite.sh starts one): the same
// tests on both backends.
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "aip/base/encoding.h"
#include "aip/crypto/x25519.h"
#include "aip/identity/data_integrity.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "aip/registry/agent_message.h"
#include "aip/registry/federation.h"
#include "aip/registry/feeds.h"
#include "aip/registry/registry_client.h"
#include "aip/registry/registry_service.h"
#include "aip/registry/signed_request.h"
#include "aip/registry/trust_sync.h"
#include "aip/trust/trust_view.h"
#include "aip/identity/deactivation.h"
#include "aip/testing/testing.h"
#include "aip/trust/vouch.h"

namespace aip::registry {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

std::string Backend() {
  const char* pg = std::getenv("AIP_TEST_POSTGRES_URL");
  return pg != nullptr ? std::string(pg) : std::string();
}

// A fresh database: a new SQLite file, or a PostgreSQL schema emptied for this test.
std::unique_ptr<sql::SqlConnection> FreshDatabase(const std::filesystem::path& dir, bool sqlite_only = false) {
  std::string pg = sqlite_only ? std::string() : Backend();
  if (pg.empty()) {
    auto db = sql::OpenSqlite((dir / "registry.db").string());
    EXPECT_THAT(db, IsOk());
    return std::move(db).value();
  }
  auto db = sql::OpenPostgres(pg);
  EXPECT_THAT(db, IsOk());
  EXPECT_THAT((*db)->ExecScript(
                  "DROP TABLE IF EXISTS agents, vouches, revocations, rotations, deactivations, messages, peers, records, bot_directories"),
              IsOk());
  return std::move(db).value();
}

struct RunningRegistry {
  std::shared_ptr<RegistryStore> store;
  std::shared_ptr<RegistryService> service;
  std::unique_ptr<net::HttpServer> server;
  std::string url;
};

// Start serves a registry on a free port; its public URL is that address unless `options` names one.
RunningRegistry Start(std::unique_ptr<sql::SqlConnection> db, RegistryOptions options = {}) {
  RunningRegistry r;
  auto store = RegistryStore::Open(std::move(db));
  EXPECT_THAT(store, IsOk());
  r.store = std::shared_ptr<RegistryStore>(std::move(store).value());
  auto slot = std::make_shared<std::shared_ptr<RegistryService>>();
  auto server = net::HttpServer::Start({}, [slot](const net::HttpRequest& q, net::Exchange& e) { (*slot)->Handle(q, e); });
  EXPECT_THAT(server, IsOk());
  r.server = std::move(server).value();
  r.url = "http://127.0.0.1:" + std::to_string(r.server->port());
  if (options.public_url.empty()) options.public_url = r.url;
  options.peers.allow_private = true;
  options.peers.interval = std::chrono::seconds(0);
  r.service = std::make_shared<RegistryService>(r.store, options);
  *slot = r.service;  // Before any request: the test sends none until Start returns.
  return r;
}

identity::Identity Agent(const std::string& name) { return identity::Identity::Generate(name, "test", DefaultClock().Now()); }

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("aip-registry-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
    reg_ = Start(FreshDatabase(dir_));
    client_ = std::make_unique<RegistryClient>(RegistryClient::Connect(reg_.url).value());
  }
  void TearDown() override {
    reg_.server->Stop();
    std::filesystem::remove_all(dir_);
  }
  // Raw sends a request with the given headers (for replays and tampering).
  net::HttpResponse Raw(const std::string& method, const std::string& target, const net::Headers& headers, const std::string& body) {
    net::HttpClient http(net::ParseUrl(reg_.url).value());
    auto res = http.Send(method, target, headers, body);
    EXPECT_THAT(res, IsOk());
    return res ? *res : net::HttpResponse{};
  }
  net::Headers Signed(const identity::Identity& who, const std::string& method, const std::string& target, const std::string& body,
                      const std::string& base = "") {
    net::Headers h;
    h.Set("content-type", "application/json");
    EXPECT_THAT(SignRegistryRequest(who, method, (base.empty() ? reg_.url : base) + target, h, body), IsOk());
    return h;
  }

  std::filesystem::path dir_;
  RunningRegistry reg_;
  std::unique_ptr<RegistryClient> client_;
};

TEST_F(RegistryTest, RegistersListsSearchesAndShowsAnAgent) {
  auto alice = Agent("alice");
  auto answer = client_->Register(alice, {"alice-bot", "langchain", "books flights", "https://alice.example"});
  ASSERT_THAT(answer, IsOk());
  EXPECT_EQ(json::OptionalString(*answer, "outcome").value_or(""), "created");
  ASSERT_THAT(client_->Register(Agent("bob"), {"Bob Weather", "crewai", "", ""}), IsOk());

  auto all = client_->Directory("", "", 50);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->at("agents").as_array().size(), 2u);
  auto found = client_->Directory("WEATHER", "", 50);
  ASSERT_THAT(found, IsOk());
  ASSERT_EQ(found->at("agents").as_array().size(), 1u);
  EXPECT_EQ(found->at("agents").as_array()[0].at("name").as_string(), "Bob Weather");
  // LIKE wildcards in a query are literal characters.
  EXPECT_EQ(client_->Directory("%", "", 50)->at("agents").as_array().size(), 0u);

  auto page1 = client_->Directory("", "", 1);
  ASSERT_THAT(page1, IsOk());
  ASSERT_TRUE(page1->at("next").is_string());
  auto page2 = client_->Directory("", page1->at("next").as_string(), 1);
  ASSERT_THAT(page2, IsOk());
  EXPECT_NE(page2->at("agents").as_array()[0].at("did"), page1->at("agents").as_array()[0].at("did"));

  auto shown = client_->Agent(alice.did_aip());  // By its did:aip alias too.
  ASSERT_THAT(shown, IsOk());
  EXPECT_EQ(shown->at("did").as_string(), alice.did());
  EXPECT_EQ(shown->at("url").as_string(), "https://alice.example");
  // The stored document is the signed one: anyone can verify it without trusting the registry.
  EXPECT_THAT(VerifyRegistration(shown->at("document").as_object(), DefaultClock().Now()), IsOk());

  auto again = client_->Register(alice, {"alice-bot", "langchain", "books flights and hotels", ""});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(json::OptionalString(*again, "outcome").value_or(""), "updated");
  EXPECT_THAT(client_->Agent("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"), StatusIs(ErrorCode::kNotFound));
}

TEST_F(RegistryTest, WritesMustBeSignedFreshAndByTheAgent) {
  auto alice = Agent("alice");
  auto mallory = Agent("mallory");
  auto record = CreateRegistration(alice, {"alice", "", "", ""}, DefaultClock().Now()).value();
  std::string body = json::Serialize(record.document);

  net::Headers unsigned_headers;
  unsigned_headers.Set("content-type", "application/json");
  auto r = Raw("POST", "/v1/agents", unsigned_headers, body);
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(r.headers.Get("www-authenticate").has_value());

  // Mallory cannot register Alice's (genuine, signed) record: the writer must be the agent.
  EXPECT_EQ(Raw("POST", "/v1/agents", Signed(mallory, "POST", "/v1/agents", body), body).status, 403);

  auto headers = Signed(alice, "POST", "/v1/agents", body);
  EXPECT_EQ(Raw("POST", "/v1/agents", headers, body).status, 201);
  // The same signed request again is a replay.
  auto replay = Raw("POST", "/v1/agents", headers, body);
  EXPECT_EQ(replay.status, 401);
  EXPECT_NE(replay.body.find("replayed"), std::string::npos);

  // A body changed after signing fails the digest.
  auto fresh = Signed(alice, "POST", "/v1/agents", body);
  std::string tampered = body;
  tampered[tampered.find("alice")] = 'A';
  EXPECT_EQ(Raw("POST", "/v1/agents", fresh, tampered).status, 401);
  // A request signed for another registry is refused here, whatever Host header it carries.
  auto elsewhere = Signed(alice, "POST", "/v1/agents", body, "http://registry.example");
  EXPECT_EQ(Raw("POST", "/v1/agents", elsewhere, body).status, 401);
  net::Headers forged_host = Signed(alice, "POST", "/v1/agents", body, "http://registry.example");
  forged_host.Set("host", "registry.example");
  EXPECT_EQ(Raw("POST", "/v1/agents", forged_host, body).status, 401);

  // A forged registration (a field changed after the agent signed it) fails its proof.
  json::Object forged = record.document;
  forged["name"] = "evil";
  std::string forged_body = json::Serialize(forged);
  EXPECT_EQ(Raw("POST", "/v1/agents", Signed(alice, "POST", "/v1/agents", forged_body), forged_body).status, 401);
  // Unknown members and oversize fields are refused before anything is stored.
  json::Object extra = record.document;
  extra["private_key"] = "oops";
  std::string extra_body = json::Serialize(extra);
  EXPECT_EQ(Raw("POST", "/v1/agents", Signed(alice, "POST", "/v1/agents", extra_body), extra_body).status, 400);
  EXPECT_THAT(client_->Register(alice, {std::string(65, 'x'), "", "", ""}), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(client_->Register(alice, {"a\x01", "", "", ""}), StatusIs(ErrorCode::kInvalidArgument));
}

TEST_F(RegistryTest, InstancesSharingPostgresRefuseARequestReplayedToTheOther) {
  if (Backend().empty()) GTEST_SKIP() << "PostgreSQL only: a lone SQLite registry keeps its nonces in memory";
  // A second instance on the same database, behind the same public URL (as behind a balancer).
  RegistryOptions same_url;
  same_url.public_url = reg_.url;
  auto second_db = sql::OpenPostgres(Backend());
  ASSERT_THAT(second_db, IsOk());
  auto second = Start(std::move(*second_db), same_url);
  auto alice = Agent("alice");
  auto record = CreateRegistration(alice, {"alice", "", "", ""}, DefaultClock().Now()).value();
  std::string body = json::Serialize(record.document);
  auto headers = Signed(alice, "POST", "/v1/agents", body);
  EXPECT_EQ(Raw("POST", "/v1/agents", headers, body).status, 201);
  net::HttpClient http(net::ParseUrl(second.url).value());
  auto replay = http.Send("POST", "/v1/agents", headers, body);
  ASSERT_THAT(replay, IsOk());
  EXPECT_EQ(replay->status, 401);
  EXPECT_NE(replay->body.find("replayed"), std::string::npos);
  second.server->Stop();
}

TEST_F(RegistryTest, OlderOrConflictingRegistrationsAreRefused) {
  auto alice = Agent("alice");
  TimePoint t0 = DefaultClock().Now() - std::chrono::hours(1);
  auto v1 = CreateRegistration(alice, {"alice-v1", "", "", ""}, t0).value();
  auto v2 = CreateRegistration(alice, {"alice-v2", "", "", ""}, t0 + std::chrono::minutes(10)).value();
  auto v2b = CreateRegistration(alice, {"alice-v2-other", "", "", ""}, t0 + std::chrono::minutes(10)).value();
  EXPECT_THAT(reg_.store->PutAgent(v2, DefaultClock().Now()), IsOk());
  EXPECT_THAT(reg_.store->PutAgent(v1, DefaultClock().Now()), StatusIs(ErrorCode::kFailedPrecondition, "stale"));
  EXPECT_THAT(reg_.store->PutAgent(v2b, DefaultClock().Now()), StatusIs(ErrorCode::kAlreadyExists, "conflict"));
  EXPECT_EQ(*reg_.store->PutAgent(v2, DefaultClock().Now()), PutOutcome::kUnchanged);
  std::string body = json::Serialize(v1.document);
  EXPECT_EQ(Raw("POST", "/v1/agents", Signed(alice, "POST", "/v1/agents", body), body).status, 409);
  EXPECT_EQ(client_->Agent(alice.did())->at("name").as_string(), "alice-v2");
  // A registration dated in the future is refused.
  auto future = CreateRegistration(alice, {"x", "", "", ""}, DefaultClock().Now() + std::chrono::hours(1));
  ASSERT_THAT(future, IsOk());
  EXPECT_THAT(VerifyRegistration(future->document, DefaultClock().Now()), StatusIs(ErrorCode::kInvalidArgument, "future"));
  // Names and descriptions a reader cannot see as they are: refused when made and when posted.
  EXPECT_THAT(CreateRegistration(alice, {"alice\u202Egnp.exe", "", "", ""}, DefaultClock().Now()),
              StatusIs(ErrorCode::kInvalidArgument, "\"name\" contains U+202E, a bidirectional control"));
  EXPECT_THAT(CreateRegistration(alice, {"alice", "", "hi\u200Bthere", ""}, DefaultClock().Now()),
              StatusIs(ErrorCode::kInvalidArgument, "\"description\" contains U+200B, an invisible character"));
  json::Object hidden = v2.document;
  hidden["name"] = "ali\u0085ce";
  EXPECT_THAT(VerifyRegistration(hidden, DefaultClock().Now()), StatusIs(ErrorCode::kInvalidArgument, "U+0085, a control character"));
}

TEST_F(RegistryTest, ResolvesDidKeyAndDidAipWithDocumentsThatMatchTheirDids) {
  auto alice = Agent("alice");
  ASSERT_THAT(client_->Register(alice, {"alice", "", "", ""}), IsOk());
  auto by_key = client_->Resolve(alice.did());
  ASSERT_THAT(by_key, IsOk());
  EXPECT_EQ(by_key->parsed.methods()[0].key, alice.public_key());
  auto by_aip = client_->Resolve(alice.did_aip());
  ASSERT_THAT(by_aip, IsOk());
  EXPECT_EQ(by_aip->parsed.id(), alice.did_aip());
  // An unregistered did:aip is not found; a did:key resolves offline even if unregistered.
  EXPECT_THAT(client_->Resolve(Agent("x").did_aip()), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(client_->Resolve(Agent("y").did()), IsOk());
  EXPECT_THAT(client_->Resolve("did:aip:nothex"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(client_->Resolve("did:example:123"), StatusIs(ErrorCode::kUnavailable));
  // A lying registry is caught: a document for alice's did:aip carrying mallory's key.
  auto mallory = Agent("mallory");
  auto lie = identity::BuildDidDocument(alice.did_aip(), mallory.public_key());
  ASSERT_THAT(lie, IsOk());
  EXPECT_THAT(CheckResolution(alice.did_aip(), *lie), StatusIs(ErrorCode::kUnauthenticated));
}

TEST_F(RegistryTest, VouchesRevocationsAndTrustAnswersCarryTheSignedVouches) {
  auto anchor = Agent("anchor"), mid = Agent("mid"), leaf = Agent("leaf");
  TimePoint now = DefaultClock().Now();
  auto v1 = trust::CreateVouch(anchor, {mid.did(), "CODE_SIGNING", 0.9, "reviewed", now - std::chrono::hours(1), std::nullopt});
  auto v2 = trust::CreateVouch(mid, {leaf.did(), "CODE_SIGNING", 0.8, "", now - std::chrono::hours(1), std::nullopt});
  ASSERT_THAT(v1, IsOk());
  ASSERT_THAT(v2, IsOk());
  // Anyone can sign a "revocation" naming someone else's vouch — even before it is published: it
  // must neither block the vouch nor take the place of the issuer's own revocation.
  auto mallory = Agent("mallory");
  auto mallory_v = trust::CreateVouch(mallory, {leaf.did(), "CODE_SIGNING", 0.5, "", now - std::chrono::hours(1), std::nullopt});
  ASSERT_THAT(mallory_v, IsOk());
  auto squat = trust::CreateRevocation(mallory, *mallory_v, now).value();
  squat.document["credentialSubject"].as_object()["revokes"] = v2->id;
  json::Object squat_doc = squat.document;
  squat_doc.erase("proof");
  identity::ProofOptions po;
  po.verification_method = mallory.verification_method();
  po.created = now;
  auto resigned = identity::AddProof(squat_doc, mallory, po);
  ASSERT_THAT(resigned, IsOk());
  ASSERT_THAT(client_->Publish(mallory, "/v1/revocations", *resigned), IsOk());
  // Anyone may publish a vouch (it is self-authenticating), but the request must be signed.
  ASSERT_THAT(client_->Publish(leaf, "/v1/vouches", v1->document), IsOk());
  ASSERT_THAT(client_->Publish(mid, "/v1/vouches", v2->document), IsOk());
  auto same = client_->Publish(mid, "/v1/vouches", v2->document);
  ASSERT_THAT(same, IsOk());
  EXPECT_EQ(json::OptionalString(*same, "outcome").value_or(""), "unchanged");
  json::Object forged = v2->document;
  forged["credentialSubject"].as_object()["weight"] = 1.0;
  EXPECT_THAT(client_->Publish(mid, "/v1/vouches", forged), StatusIs(ErrorCode::kUnauthenticated));

  reg_.service->Tick();
  auto answer = client_->Trust({anchor.did()}, leaf.did(), "CODE_SIGNING");
  ASSERT_THAT(answer, IsOk());
  double score = answer->at("score").to_number<double>();
  EXPECT_NEAR(score, 0.8 * 0.9 * 0.8 * 0.8, 0.02);
  const auto& paths = answer->at("paths").as_array();
  ASSERT_FALSE(paths.empty());
  const auto& vouches = paths[0].at("vouches").as_array();
  ASSERT_EQ(vouches.size(), 2u);
  for (const auto& v : vouches) EXPECT_THAT(trust::VerifyVouch(v.as_object()), IsOk());  // The client can check each hop.
  // From another anchor set, nothing.
  EXPECT_EQ(client_->Trust({leaf.did()}, anchor.did(), "")->at("score").to_number<double>(), 0.0);
  EXPECT_THAT(client_->Trust({}, leaf.did(), ""), StatusIs(ErrorCode::kInvalidArgument));

  EXPECT_FALSE(client_->Vouches("issuer", mid.did())->at("vouches").as_array()[0].at("revoked").as_bool());

  auto revocation = trust::CreateRevocation(mid, *v2, now);
  ASSERT_THAT(revocation, IsOk());
  ASSERT_THAT(client_->Publish(mid, "/v1/revocations", revocation->document), IsOk());
  // A revoked vouch cannot be published again.
  EXPECT_THAT(client_->Publish(mid, "/v1/vouches", v2->document), StatusIs(ErrorCode::kAlreadyExists));
  reg_.service->Tick();
  EXPECT_EQ(client_->Trust({anchor.did()}, leaf.did(), "CODE_SIGNING")->at("score").to_number<double>(), 0.0);
  auto by_mid = client_->Vouches("issuer", mid.did());
  ASSERT_THAT(by_mid, IsOk());
  EXPECT_TRUE(by_mid->at("vouches").as_array()[0].at("revoked").as_bool());
  EXPECT_EQ(by_mid->at("revocations").as_array().size(), 1u);
}

TEST_F(RegistryTest, ARotationMovesTheIdentityAndADeactivationEndsIt) {
  auto anchor = Agent("anchor"), a0 = Agent("alice"), dave = Agent("dave");
  TimePoint now = DefaultClock().Now();
  ASSERT_THAT(client_->Register(a0, {"alice", "test", "", ""}), IsOk());
  auto v = trust::CreateVouch(anchor, {a0.did(), "GENERAL", 1.0, "", now - std::chrono::hours(1), std::nullopt}).value();
  ASSERT_THAT(client_->Publish(anchor, "/v1/vouches", v.document), IsOk());
  std::string old_did = a0.did();
  identity::Identity a1 = a0;
  ASSERT_THAT(a1.Rotate(crypto::Ed25519PrivateKey::Generate(), now), IsOk());
  identity::KeyRotation rotation = a1.rotations().back();

  // The old key alone cannot make a rotation: the new key must countersign.
  identity::KeyRotation half = rotation;
  half.next_signature = half.previous_signature;
  EXPECT_THAT(client_->Publish(a1, "/v1/rotations", half.ToJson()), StatusIs(ErrorCode::kUnauthenticated));
  auto posted = client_->Publish(a1, "/v1/rotations", rotation.ToJson());
  ASSERT_THAT(posted, IsOk());
  EXPECT_EQ(posted->at("outcome").as_string(), "created");
  EXPECT_EQ(client_->Publish(a1, "/v1/rotations", rotation.ToJson())->at("outcome").as_string(), "unchanged");
  // A thief holding the old key rotates it to a key of their own: the first rotation stays.
  identity::Identity thief = a0;
  ASSERT_THAT(thief.Rotate(crypto::Ed25519PrivateKey::Generate(), now), IsOk());
  EXPECT_THAT(client_->Publish(thief, "/v1/rotations", thief.rotations().back().ToJson()), StatusIs(ErrorCode::kAlreadyExists));
  // The old key can do nothing more here.
  EXPECT_THAT(client_->Register(a0, {"alice", "test", "", ""}), StatusIs(ErrorCode::kPermissionDenied, "rotated to"));
  auto late = trust::CreateVouch(a0, {dave.did(), "GENERAL", 1.0, "", now, std::nullopt}).value();
  EXPECT_THAT(client_->Publish(a0, "/v1/vouches", late.document), StatusIs(ErrorCode::kPermissionDenied));
  EXPECT_THAT(client_->Publish(dave, "/v1/vouches", late.document), StatusIs(ErrorCode::kAlreadyExists, "rotated to"));

  // The registration moves to the new key; the old record names its successor.
  ASSERT_THAT(client_->Register(a1, {"alice", "test", "", ""}), IsOk());
  auto listed = client_->Directory("alice", "", 10).value().at("agents").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("did").as_string(), a1.did());
  EXPECT_EQ(client_->Agent(old_did)->at("identity").at("current").as_string(), a1.did());
  auto history = client_->History(old_did);
  ASSERT_THAT(history, IsOk());
  EXPECT_EQ(history->current, a1.did());
  ASSERT_EQ(history->rotations.size(), 1u);
  EXPECT_FALSE(history->deactivation);
  // Resolving the old key's did:aip says it was replaced (checked against the signed records).
  EXPECT_THAT(client_->Resolve(a0.did_aip()), StatusIs(ErrorCode::kFailedPrecondition, "rotated to " + a1.did()));
  EXPECT_THAT(client_->Resolve(a1.did_aip()), IsOk());

  // A verifier whose anchor vouched for the old key follows the identity to the new one.
  auto verifier = trust::TrustStore::Open((dir_ / "verifier.db").string()).value();
  auto synced = SyncTrust(*client_, *verifier, {anchor.did()}, {}, now);
  ASSERT_THAT(synced, IsOk());
  EXPECT_EQ(synced->identity_records, 1);
  std::shared_ptr<trust::TrustStore> shared(std::move(verifier));
  trust::TrustView view(shared, {}, {anchor.did()});
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_NEAR(view.Score(a1.did(), "", now).score, 0.8, 1e-3);
  EXPECT_EQ(view.Score(old_did, "", now).score, 0.0);
  // The registry's own trust answers follow the identity too, citing the vouch for the old key.
  reg_.service->Tick();
  auto moved = client_->Trust({anchor.did()}, a1.did(), "");
  ASSERT_THAT(moved, IsOk());
  EXPECT_NEAR(moved->at("score").to_number<double>(), 0.8, 1e-3);
  const auto& cited = moved->at("paths").as_array().at(0).at("vouches").as_array();
  ASSERT_EQ(cited.size(), 1u);
  EXPECT_EQ(trust::VerifyVouch(cited[0].as_object())->subject, old_did);
  auto retired = client_->Trust({anchor.did()}, old_did, "");
  ASSERT_THAT(retired, IsOk());
  EXPECT_EQ(retired->at("score").to_number<double>(), 0.0);
  EXPECT_NE(retired->at("note").as_string().find("rotated to"), std::string::npos);

  // Only the current key ends the identity; then the registry refuses every write for it.
  EXPECT_THAT(client_->Publish(a1, "/v1/deactivations", identity::Deactivation::Create(a0, now).ToJson()),
              StatusIs(ErrorCode::kAlreadyExists, "current key"));
  ASSERT_THAT(client_->Publish(a1, "/v1/deactivations", identity::Deactivation::Create(a1, now).ToJson()), IsOk());
  EXPECT_THAT(client_->Register(a1, {"alice", "test", "", ""}), StatusIs(ErrorCode::kPermissionDenied, "deactivated"));
  auto after = trust::CreateVouch(anchor, {a1.did(), "GENERAL", 1.0, "", now, std::nullopt}).value();
  EXPECT_THAT(client_->Publish(anchor, "/v1/vouches", after.document), StatusIs(ErrorCode::kAlreadyExists, "deactivated"));
  EXPECT_TRUE(client_->Directory("alice", "", 10).value().at("agents").as_array().empty());
  EXPECT_TRUE(client_->History(old_did)->deactivation);
  ASSERT_THAT(SyncTrust(*client_, *shared, {anchor.did()}, {}, now), IsOk());
  ASSERT_THAT(view.Refresh(), IsOk());
  EXPECT_EQ(view.Score(a1.did(), "", now).note, "identity deactivated");
  reg_.service->Tick();
  EXPECT_EQ(client_->Trust({anchor.did()}, a1.did(), "")->at("note").as_string(), "identity deactivated");

  // A federating peer takes both records through the same checks.
  std::filesystem::create_directories(dir_ / "peer");
  auto peer = Start(FreshDatabase(dir_ / "peer", /*sqlite_only=*/true));
  ASSERT_THAT(peer.store->AddPeer(reg_.url), IsOk());
  peer.service->Tick();
  auto peer_history = RegistryClient::Connect(peer.url).value().History(old_did);
  ASSERT_THAT(peer_history, IsOk());
  EXPECT_EQ(peer_history->current, a1.did());
  EXPECT_TRUE(peer_history->deactivation);
  peer.server->Stop();
}

TEST_F(RegistryTest, MessagesAreSealedSignedAndOnlyTheirRecipientReadsThem) {
  auto alice = Agent("alice"), bob = Agent("bob"), carol = Agent("carol");
  for (auto* a : {&alice, &bob, &carol}) ASSERT_THAT(client_->Register(*a, {a->name(), "", "", ""}), IsOk());
  auto id = client_->SendMessage(alice, bob.did(), "meet at 10?");
  ASSERT_THAT(id, IsOk());
  EXPECT_THAT(client_->Inbox(carol), IsOk());
  EXPECT_TRUE(client_->Inbox(carol)->empty());
  auto inbox = client_->Inbox(bob);
  ASSERT_THAT(inbox, IsOk());
  ASSERT_EQ(inbox->size(), 1u);
  Bytes sealed = Base64Decode((*inbox)[0].sealed).value();
  auto opened = OpenMessage(bob, sealed);
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->text, "meet at 10?");
  EXPECT_EQ(opened->from, alice.did());

  // A relay that flips one byte is detected.
  Bytes tampered = sealed;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_THAT(OpenMessage(bob, tampered), StatusIs(ErrorCode::kUnauthenticated));
  // A message for bob delivered to carol does not open for her.
  EXPECT_THAT(OpenMessage(carol, sealed), StatusIs(ErrorCode::kUnauthenticated));
  // Bob re-seals alice's signed message to carol (re-addressing): carol sees it was not for her.
  Bytes inner = bob.OpenSealed(sealed).value();
  auto carol_x = crypto::X25519PublicFromEd25519(carol.public_key()).value();
  Bytes resealed = crypto::SealTo(carol_x, inner).value();
  EXPECT_THAT(OpenMessage(carol, resealed), StatusIs(ErrorCode::kUnauthenticated, "re-addressed"));
  // The decrypted document is read member by member: an unknown or mistyped member is named.
  std::string doc(reinterpret_cast<const char*>(inner.data()), inner.size());
  auto with = [&](std::string_view from, std::string_view to) {
    std::string d = doc;
    d.replace(d.find(from), from.size(), to);
    return CheckMessageDocument(d, bob.did());
  };
  EXPECT_THAT(with("\"text\":", "\"extra\":1,\"text\":"), StatusIs(ErrorCode::kUnauthenticated, "/extra: unknown field"));
  EXPECT_THAT(with("\"text\":\"meet at 10?\"", "\"text\":10"), StatusIs(ErrorCode::kUnauthenticated, "/text: must be a string"));
  // A replayed delivery is reported by the recipient's seen-list.
  auto seen = SeenMessages::Open((dir_ / "seen.db").string());
  ASSERT_THAT(seen, IsOk());
  EXPECT_TRUE(*(*seen)->Remember(*opened, DefaultClock().Now()));
  EXPECT_FALSE(*(*seen)->Remember(*opened, DefaultClock().Now()));
  OpenedMessage same_id_other_sender = *opened;
  same_id_other_sender.from = carol.did();
  EXPECT_TRUE(*(*seen)->Remember(same_id_other_sender, DefaultClock().Now()));

  // Reading needs a signed request; deleting is the owner's only.
  EXPECT_EQ(Raw("GET", "/v1/messages", net::Headers(), "").status, 401);
  EXPECT_THAT(client_->DeleteMessage(carol, (*inbox)[0].id), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(client_->DeleteMessage(bob, "msg_' OR 1=1 --"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(client_->DeleteMessage(bob, (*inbox)[0].id), IsOk());
  EXPECT_TRUE(client_->Inbox(bob)->empty());
  // Messages only to registered agents.
  EXPECT_THAT(client_->SendMessage(alice, Agent("nobody").did(), "hi"), StatusIs(ErrorCode::kNotFound));
}

// A flood from freshly made DIDs fills at most the strangers' half of an inbox; each sender has
// a quota of its own; the owner's contacts (agents it vouches for) still get through.
TEST_F(RegistryTest, InboxQuotasKeepAFloodFromContacts) {
  auto bob = Agent("bob"), friend_of_bob = Agent("friend");
  TimePoint now = DefaultClock().Now();
  RegistryStore& store = *reg_.store;
  for (std::size_t i = 0; i < kMaxMessagesPerSender; ++i) ASSERT_THAT(store.PutMessage(bob.did(), "did:key:spammer", "x", now), IsOk());
  EXPECT_THAT(store.PutMessage(bob.did(), "did:key:spammer", "x", now), StatusIs(ErrorCode::kResourceExhausted, "the most one sender may"));
  for (std::size_t i = kMaxMessagesPerSender; i < kMaxStrangerMessages; ++i) {
    ASSERT_THAT(store.PutMessage(bob.did(), "did:key:fresh" + std::to_string(i), "x", now), IsOk());
  }
  EXPECT_THAT(store.PutMessage(bob.did(), "did:key:one-more", "x", now),
              StatusIs(ErrorCode::kResourceExhausted, "full for senders it has not vouched for"));
  auto vouch = trust::CreateVouch(bob, {friend_of_bob.did(), "GENERAL", 0.9, "", now - std::chrono::hours(1), std::nullopt});
  ASSERT_THAT(vouch, IsOk());
  ASSERT_THAT(store.PutVouch(*vouch, now), IsOk());
  EXPECT_THAT(store.PutMessage(bob.did(), friend_of_bob.did(), "x", now), IsOk());
  // Through the API the sender is the request's signer: a stranger gets 507 with the reason.
  ASSERT_THAT(client_->Register(bob, {"bob", "", "", ""}), IsOk());
  EXPECT_THAT(client_->SendMessage(Agent("stranger"), bob.did(), "hi"), StatusIs(ErrorCode::kResourceExhausted, "not vouched for"));
  EXPECT_THAT(client_->SendMessage(friend_of_bob, bob.did(), "hi again"), IsOk());
}

// A registry database made before message quotas gains their columns, messages kept.
TEST(RegistryStoreTest, AddsTheQuotaColumnsToAnOlderDatabase) {
  auto path = std::filesystem::path(::testing::TempDir()) / ("old-registry-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto db = sql::OpenSqlite(path.string());
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT((*db)->ExecScript("CREATE TABLE messages (id TEXT PRIMARY KEY, recipient TEXT NOT NULL, sealed TEXT NOT NULL, "
                                  "received BIGINT NOT NULL); INSERT INTO messages VALUES ('msg_old', 'did:key:bob', 'x', 1);"),
                IsOk());
  }
  auto store = RegistryStore::Open(sql::OpenSqlite(path.string()).value());
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->PutMessage("did:key:bob", "did:key:alice", "y", DefaultClock().Now()), IsOk());
  EXPECT_EQ((*store)->Inbox("did:key:bob", 10)->size(), 2u);
  std::filesystem::remove(path);
}

TEST_F(RegistryTest, FeedsBadgesAndStats) {
  auto alice = Agent("alice");
  ASSERT_THAT(client_->Register(alice, {"alice", "", "", ""}), IsOk());
  auto events = Raw("GET", "/v1/events", net::Headers(), "");
  EXPECT_EQ(events.status, 200);
  EXPECT_NE(events.body.find(alice.did()), std::string::npos);
  auto atom = Raw("GET", "/v1/events.atom", net::Headers(), "");
  EXPECT_EQ(atom.status, 200);
  EXPECT_NE(atom.body.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), std::string::npos);
  auto badge = Raw("GET", "/v1/badges/" + alice.did() + ".svg", net::Headers(), "");
  EXPECT_EQ(badge.status, 200);
  EXPECT_EQ(badge.headers.Get("content-type").value_or(""), "image/svg+xml");
  EXPECT_NE(badge.body.find("registered"), std::string::npos);
  EXPECT_EQ(Raw("GET", "/v1/badges/did:key:zunknown.svg", net::Headers(), "").status, 404);
  auto stats = client_->Stats();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->at("agents").as_int64(), 1);
  auto page = Raw("GET", "/", net::Headers(), "");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.headers.Get("content-security-policy").value_or("").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(Raw("GET", "/cytoscape.min.js", net::Headers(), "").status, 200);
  EXPECT_EQ(EscapeXml("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

TEST_F(RegistryTest, LimitsAreEnforced) {
  auto alice = Agent("alice");
  std::string big(70 * 1024, 'x');
  EXPECT_EQ(Raw("POST", "/v1/agents", net::Headers(), big).status, 413);
  EXPECT_EQ(Raw("GET", "/v1/agents?q=a&q=b", net::Headers(), "").status, 400);  // Repeated parameter.
  EXPECT_EQ(Raw("GET", "/v1/trust?subject=x&anchors=y", net::Headers(), "").status, 400);

  // Writes per DID: a burst, then 429 with Retry-After.
  reg_.server->Stop();
  RegistryOptions tight;
  tight.writes_per_second_per_did = 0.01;
  tight.write_burst_per_did = 2;
  reg_ = Start(FreshDatabase(dir_ / "tight"), tight);
  client_ = std::make_unique<RegistryClient>(RegistryClient::Connect(reg_.url).value());
  ASSERT_THAT(client_->Register(alice, {"a1", "", "", ""}), IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // `updated` has milliseconds.
  ASSERT_THAT(client_->Register(alice, {"a2", "", "", ""}), IsOk());
  auto record = CreateRegistration(alice, {"a3", "", "", ""}, DefaultClock().Now()).value();
  std::string body = json::Serialize(record.document);
  auto limited = Raw("POST", "/v1/agents", Signed(alice, "POST", "/v1/agents", body), body);
  EXPECT_EQ(limited.status, 429);
  EXPECT_TRUE(limited.headers.Get("retry-after").has_value());
}

// A peer that serves whatever the test puts in `records`.
struct FakePeer {
  json::Array records;
  std::unique_ptr<net::HttpServer> server;
  std::string url;
  void Start() {
    server = net::HttpServer::Start({}, [this](const net::HttpRequest& r, net::Exchange& e) {
               net::HttpResponse res;
               res.headers.Set("content-type", "application/json");
               bool first = r.target.find("after=0&") != std::string::npos;
               res.body = json::Serialize(json::Object{{"records", first ? records : json::Array{}}});
               e.Respond(std::move(res));
             }).value();
    url = "http://127.0.0.1:" + std::to_string(server->port());
  }
};

TEST_F(RegistryTest, FederationPullsVerifiesAndCountsForgedAndConflictingRecords) {
  // An honest second registry with two agents and a vouch.
  // The peer keeps its own database (on SQLite), whichever backend this registry uses.
  std::filesystem::create_directories(dir_ / "other");
  auto other = Start(FreshDatabase(dir_ / "other", /*sqlite_only=*/true));
  auto other_client = RegistryClient::Connect(other.url).value();
  auto alice = Agent("alice"), bob = Agent("bob");
  TimePoint now = DefaultClock().Now();
  ASSERT_THAT(other_client.Register(alice, {"alice", "", "", ""}), IsOk());
  ASSERT_THAT(other_client.Register(bob, {"bob", "", "", ""}), IsOk());
  auto vouch = trust::CreateVouch(alice, {bob.did(), "GENERAL", 0.7, "", now - std::chrono::hours(1), std::nullopt}).value();
  ASSERT_THAT(other_client.Publish(alice, "/v1/vouches", vouch.document), IsOk());

  ASSERT_THAT(reg_.store->AddPeer(other.url), IsOk());
  reg_.service->Tick();
  EXPECT_THAT(client_->Agent(alice.did()), IsOk());
  EXPECT_THAT(client_->Agent(bob.did()), IsOk());
  EXPECT_EQ(client_->Vouches("issuer", alice.did())->at("vouches").as_array().size(), 1u);
  auto peers = reg_.store->Peers().value();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].accepted, 3);
  EXPECT_EQ(peers[0].rejected, 0);
  // Incremental: a new record on the peer arrives on the next pull, from the cursor.
  auto carol = Agent("carol");
  ASSERT_THAT(other_client.Register(carol, {"carol", "", "", ""}), IsOk());
  reg_.service->Tick();
  EXPECT_THAT(client_->Agent(carol.did()), IsOk());
  EXPECT_EQ(reg_.store->Peers().value()[0].accepted, 4);

  // A malicious peer: a forged registration, a vouch with a broken signature, an old version of
  // alice's registration replayed, a replay of a record we hold, and one genuine new agent.
  FakePeer evil;
  auto forged = CreateRegistration(Agent("dave"), {"dave", "", "", ""}, now).value().document;
  forged["name"] = "dave-the-admin";
  json::Object bad_vouch = vouch.document;
  bad_vouch["credentialSubject"].as_object()["weight"] = 1.0;
  auto stale = CreateRegistration(alice, {"alice-old", "", "", ""}, now - std::chrono::hours(48)).value().document;
  auto held = client_->Agent(bob.did()).value().at("document").as_object();
  auto erin = Agent("erin");
  auto genuine = CreateRegistration(erin, {"erin", "", "", ""}, now).value().document;
  std::int64_t seq = 1;
  for (auto [kind, doc] : std::vector<std::pair<std::string, json::Object>>{
           {"agent", forged}, {"vouch", bad_vouch}, {"agent", stale}, {"agent", held}, {"agent", genuine}}) {
    evil.records.push_back(json::Object{{"seq", seq++}, {"kind", kind}, {"key", "x"}, {"document", doc}});
  }
  evil.Start();
  ASSERT_THAT(reg_.store->AddPeer(evil.url), IsOk());
  Federation federation(reg_.store, PeerPullOptions{std::chrono::seconds(0), 500, 20, std::chrono::milliseconds(5000), true});
  Peer evil_peer;
  auto all_peers = reg_.store->Peers().value();
  for (const auto& p : all_peers) {
    if (p.url == evil.url) evil_peer = p;
  }
  auto report = federation.Pull(evil_peer);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->rejected, 2);   // Forged registration, forged vouch.
  EXPECT_EQ(report->conflicts, 1);  // The stale registration.
  EXPECT_EQ(report->unchanged, 1);  // The replay of a record we hold.
  EXPECT_EQ(report->accepted, 1);   // Erin.
  EXPECT_THAT(client_->Agent(erin.did()), IsOk());
  EXPECT_EQ(client_->Agent(alice.did())->at("name").as_string(), "alice");
  EXPECT_THAT(client_->Agent(json::OptionalString(forged, "id").value_or("")), StatusIs(ErrorCode::kNotFound));

  // A peer whose sequence numbers go backwards is stopped without moving the cursor past it.
  FakePeer loop;
  loop.records.push_back(json::Object{{"seq", 0}, {"kind", "agent"}, {"key", "x"}, {"document", genuine}});
  loop.Start();
  Peer loop_peer;
  loop_peer.url = loop.url;
  ASSERT_THAT(reg_.store->AddPeer(loop.url), IsOk());
  EXPECT_THAT(federation.Pull(loop_peer), StatusIs(ErrorCode::kInvalidArgument));
  other.server->Stop();
  evil.server->Stop();
  loop.server->Stop();
}

}  // namespace
}  // namespace aip::registry

#include "aip/policy/policy.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::policy {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

constexpr std::string_view kPolicy = R"(
[[rule]]
id = "tasks-project-a"
effect = "allow"
kinds = ["agent"]
upstreams = ["tasks"]
actions = ["tools/call"]
targets = ["list_tasks", "create_task"]
when = [ { pointer = "/project", op = "eq", value = "project-a" } ]

[[rule]]
id = "no-big-transfers"
effect = "deny"
actions = ["tools/call"]
targets = ["transfer"]
when = [ { pointer = "/amount", op = "gt", value = 1000 } ]
reason = "transfers above 1000 need a human"

[[rule]]
id = "transfers"
effect = "allow"
principals = ["did:key:z6MkAlice*"]
targets = ["transfer"]
when = [ { pointer = "/to", op = "regex", value = "[a-z]+" }, { pointer = "/memo", op = "exists", value = false } ]
)";

struct Fixture : ::testing::Test {
  Decision Eval(std::string upstream, std::string target, std::string_view args, const authn::Principal* p) {
    auto a = json::ParseJsonObject(args);
    EXPECT_THAT(a, IsOk());
    args_ = *a;
    return policy_->Evaluate(Request{p, std::move(upstream), "tools/call", std::move(target), &args_});
  }
  std::optional<Policy> policy_ = *Policy::FromToml(kPolicy, "policy.toml");
  json::Object args_;
  authn::Principal alice_ = [] {
    authn::Principal p;
    p.kind = authn::Principal::Kind::kAgent;
    p.id = p.did = "did:key:z6MkAlice1";
    return p;
  }();
};

TEST_F(Fixture, AllowsByArgumentAndDeniesByDefault) {
  EXPECT_TRUE(Eval("tasks", "list_tasks", R"({"project":"project-a"})", &alice_).allow);
  Decision b = Eval("tasks", "list_tasks", R"({"project":"project-b"})", &alice_);
  EXPECT_FALSE(b.allow);
  EXPECT_EQ(b.rule_id, "");
  EXPECT_EQ(b.reason, "no rule allows this request");
  EXPECT_FALSE(Eval("tasks", "export_tasks", R"({"project":"project-a"})", &alice_).allow);
  EXPECT_FALSE(Eval("tasks", "list_tasks", R"({"project":"project-a"})", nullptr).allow);  // Anonymous.
}

TEST_F(Fixture, DenialsSayWhichRequirementFailed) {
  Decision b = Eval("tasks", "list_tasks", R"({"project":"project-b"})", &alice_);
  EXPECT_EQ(b.code, denial::kArgument);
  EXPECT_EQ(b.closest_rule, "tasks-project-a");
  EXPECT_EQ(b.field, "/project");
  EXPECT_EQ(b.detail, "/project must be \"project-a\"");
  // No rule names this target for this caller: nothing to be close to, so nothing revealed.
  Decision none = Eval("tasks", "export_tasks", R"({"project":"project-a"})", &alice_);
  EXPECT_EQ(none.code, denial::kNoRule);
  EXPECT_EQ(none.closest_rule, "");
  EXPECT_EQ(none.detail, "");
  // Anonymous callers are not close to a rule for agents.
  EXPECT_EQ(Eval("tasks", "list_tasks", R"({"project":"project-b"})", nullptr).closest_rule, "");
  Decision deny = Eval("bank", "transfer", R"({"amount":5000,"to":"bob"})", &alice_);
  EXPECT_EQ(deny.code, denial::kDenyRule);
  EXPECT_EQ(deny.rule_id, "no-big-transfers");
  Decision memo = Eval("bank", "transfer", R"({"amount":5,"to":"bob","memo":"x"})", &alice_);
  EXPECT_EQ(memo.detail, "/memo must be absent");
  EXPECT_EQ(Eval("tasks", "list_tasks", R"({"project":"project-a"})", &alice_).code, denial::kAllowed);
}

TEST(PredicateTest, DescribesEachOperator) {
  auto d = [](std::string_view spec) {
    auto p = Predicate::Parse(*json::ParseJsonObject(spec));
    EXPECT_THAT(p, IsOk());
    return p ? p->Describe() : "";
  };
  EXPECT_EQ(d(R"({"pointer":"/p","op":"in","value":["a","b"]})"), R"(/p must be one of ["a","b"])");
  EXPECT_EQ(d(R"({"pointer":"/n","op":"le","value":10})"), "/n must be at most 10");
  EXPECT_EQ(d(R"({"pointer":"/s","op":"prefix","value":"x/"})"), R"(/s must start with "x/")");
  EXPECT_EQ(d(R"({"pointer":"/e","op":"exists","value":true})"), "/e must be present");
}

TEST_F(Fixture, ArgumentRulesResistTypeAndCaseTricks) {
  EXPECT_FALSE(Eval("tasks", "list_tasks", R"({"project":"Project-A"})", &alice_).allow);
  EXPECT_FALSE(Eval("tasks", "LIST_TASKS", R"({"project":"project-a"})", &alice_).allow);
  EXPECT_FALSE(Eval("tasks", "list_tasks", R"({"project":["project-a"]})", &alice_).allow);
  EXPECT_FALSE(Eval("tasks", "list_tasks", R"({})", &alice_).allow);
  // Unicode escapes are decoded by the parser before the rule sees the value: same string.
  EXPECT_TRUE(Eval("tasks", "list_tasks", R"({"project":"project\u002da"})", &alice_).allow);
}

TEST_F(Fixture, DenyOverridesAllow) {
  Decision d = Eval("bank", "transfer", R"({"to":"bob","amount":5000})", &alice_);
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.rule_id, "no-big-transfers");
  EXPECT_EQ(d.reason, "transfers above 1000 need a human");
  EXPECT_TRUE(Eval("bank", "transfer", R"({"to":"bob","amount":5})", &alice_).allow);
  // The same amount as a double, or quoted as a string an upstream would coerce: still denied.
  EXPECT_EQ(Eval("bank", "transfer", R"({"to":"bob","amount":5000.0})", &alice_).rule_id, "no-big-transfers");
  EXPECT_EQ(Eval("bank", "transfer", R"({"to":"bob","amount":"5000"})", &alice_).rule_id, "no-big-transfers");
  EXPECT_EQ(Eval("bank", "transfer", R"({"to":"bob","amount":" 5e3 "})", &alice_).rule_id, "no-big-transfers");
  EXPECT_FALSE(Eval("bank", "transfer", R"({"to":"Bob!","amount":5})", &alice_).allow);  // Regex is a full match.
  EXPECT_FALSE(Eval("bank", "transfer", R"({"to":"bob","amount":5,"memo":"x"})", &alice_).allow);
}

TEST_F(Fixture, DenyRulesFailClosedOnValuesTheyCannotRead) {
  // Spellings an upstream in Python or JavaScript may read as a number above 1000; this policy
  // cannot read them as numbers, so the deny rule matches (and no allow rule would).
  for (const char* amount : {R"("0x1000")", R"("1_000_000")", R"("Infinity")", R"("1e400")", R"("５０００")", R"(["5000"])",
                             R"({"$numberLong":"5000"})", "true", "null", R"("")"}) {
    std::string args = std::string(R"({"to":"bob","amount":)") + amount + "}";
    Decision d = Eval("bank", "transfer", args, &alice_);
    EXPECT_FALSE(d.allow) << amount;
    EXPECT_EQ(d.rule_id, "no-big-transfers") << amount;
  }
  // Readable small amounts are still allowed, and a missing one satisfies no comparison.
  EXPECT_TRUE(Eval("bank", "transfer", R"({"to":"bob","amount":"999"})", &alice_).allow);
  EXPECT_TRUE(Eval("bank", "transfer", R"({"to":"bob"})", &alice_).allow);
  // An allow rule's string predicate does not match a non-string (regex over an array).
  EXPECT_FALSE(Eval("bank", "transfer", R"({"to":["bob"],"amount":5})", &alice_).allow);
}

TEST(PredicateTest, SaysUnknownWhenTheValueIsNotOfItsType) {
  Predicate p{"/a", Op::kGt, json::Value(1000), nullptr};
  json::Object hex{{"a", "0x10"}}, big{{"a", 2000}}, small{{"a", "5"}};
  EXPECT_EQ(p.Evaluate(&hex), Predicate::Truth::kUnknown);
  EXPECT_EQ(p.Evaluate(&big), Predicate::Truth::kTrue);
  EXPECT_EQ(p.Evaluate(&small), Predicate::Truth::kFalse);
  Predicate prefix{"/a", Op::kPrefix, json::Value("/etc"), nullptr};
  json::Object arr{{"a", json::Array{"/etc/passwd"}}};
  EXPECT_EQ(prefix.Evaluate(&arr), Predicate::Truth::kUnknown);
}

TEST_F(Fixture, AnonymousCallersNeedARuleThatNamesThem) {
  auto p = Policy::FromToml(R"([[rule]]
id = "anyone"
effect = "allow"
targets = ["echo"]
[[rule]]
id = "public"
effect = "allow"
kinds = ["anonymous"]
targets = ["time"]
)",
                            "p.toml");
  ASSERT_THAT(p, IsOk());
  json::Object none;
  EXPECT_FALSE(p->Evaluate(Request{nullptr, "u", "tools/call", "echo", &none}).allow);
  EXPECT_TRUE(p->Evaluate(Request{&alice_, "u", "tools/call", "echo", &none}).allow);
  EXPECT_TRUE(p->Evaluate(Request{nullptr, "u", "tools/call", "time", &none}).allow);
  EXPECT_FALSE(p->Evaluate(Request{&alice_, "u", "tools/call", "time", &none}).allow);
  EXPECT_TRUE(p->AdmitsAnonymous());
  EXPECT_FALSE(Policy::FromToml("[[rule]]\nid = \"anyone\"\neffect = \"allow\"\n", "p.toml")->AdmitsAnonymous());
  EXPECT_FALSE(Policy::FromToml("[[rule]]\nid = \"x\"\neffect = \"deny\"\nkinds = [\"anonymous\"]\n", "p.toml")->AdmitsAnonymous());
}

TEST_F(Fixture, DenyRulesApplyToAnonymousCallersToo) {
  auto p = Policy::FromToml(R"([[rule]]
id = "public"
effect = "allow"
kinds = ["anonymous"]
[[rule]]
id = "no-big"
effect = "deny"
when = [ { pointer = "/a", op = "gt", value = 100 } ]
)",
                            "p.toml");
  ASSERT_THAT(p, IsOk());
  auto big = json::ParseJsonObject(R"({"a":"1000"})");
  Decision d = p->Evaluate(Request{nullptr, "u", "tools/call", "sum", &*big});
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.rule_id, "no-big");
}

TEST_F(Fixture, ListsShowWhatSomeArgumentsWouldAllow) {
  EXPECT_TRUE(policy_->MayList(Request{&alice_, "tasks", "tools/call", "list_tasks", nullptr}));
  EXPECT_FALSE(policy_->MayList(Request{&alice_, "tasks", "tools/call", "export_tasks", nullptr}));
  EXPECT_FALSE(policy_->MayList(Request{nullptr, "tasks", "tools/call", "list_tasks", nullptr}));
  auto p = Policy::FromToml(R"([[rule]]
id = "all"
effect = "allow"
[[rule]]
id = "never-delete"
effect = "deny"
targets = ["delete_*"]
)",
                            "p.toml");
  EXPECT_TRUE(p->MayList(Request{&alice_, "x", "tools/call", "read", nullptr}));
  EXPECT_FALSE(p->MayList(Request{&alice_, "x", "tools/call", "delete_all", nullptr}));
}

class OnlyUpstream final : public Condition {
 public:
  explicit OnlyUpstream(std::string u) : u_(std::move(u)) {}
  bool Holds(const Request& r) const override { return r.upstream == u_; }
  std::string Describe() const override { return "upstream is " + u_; }
  std::string Name() const override { return "upstream_is"; }

 private:
  std::string u_;
};

TEST_F(Fixture, ConditionsPlugInByName) {
  PolicyOptions options;
  options.conditions["upstream_is"] = [](const json::Value& spec) -> Result<std::shared_ptr<const Condition>> {
    if (!spec.is_string()) return InvalidArgumentError("upstream_is needs a string");
    return std::shared_ptr<const Condition>(std::make_shared<OnlyUpstream>(std::string(spec.get_string())));
  };
  auto p = Policy::FromToml("[[rule]]\nid = \"c\"\neffect = \"allow\"\nrequire = { upstream_is = \"tasks\" }\n", "p.toml", options);
  ASSERT_THAT(p, IsOk());
  json::Object none;
  EXPECT_TRUE(p->Evaluate(Request{&alice_, "tasks", "tools/call", "x", &none}).allow);
  Decision d = p->Evaluate(Request{&alice_, "bank", "tools/call", "x", &none});
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.code, denial::kCondition);
  EXPECT_EQ(d.closest_rule, "c");
  EXPECT_EQ(d.field, "upstream_is");
  EXPECT_EQ(d.detail, "requires upstream is tasks");
  EXPECT_THAT(Policy::FromToml("[[rule]]\nid = \"c\"\neffect = \"allow\"\nrequire = { upstream_is = 1 }\n", "p.toml", options),
              StatusIs(ErrorCode::kInvalidArgument, "p.toml:4: rule \"c\": require.upstream_is: upstream_is needs a string"));
  EXPECT_THAT(Policy::FromToml("[[rule]]\nid = \"c\"\neffect = \"allow\"\nrequire = { trust = 1 }\n", "p.toml"),
              StatusIs(ErrorCode::kInvalidArgument, "unknown condition \"trust\""));
}

TEST(ResolvePointerTest, FollowsRfc6901) {
  auto o = json::ParseJsonObject(R"({"a":{"b/c":[1,{"~d":2}]}})");
  EXPECT_EQ(*ResolvePointer(*o, "/a/b~1c/1/~0d"), json::Value(2));
  EXPECT_EQ(ResolvePointer(*o, "/a/b~1c/01"), nullptr);
  EXPECT_EQ(ResolvePointer(*o, "/a/b~1c/2"), nullptr);
  EXPECT_EQ(ResolvePointer(*o, "a"), nullptr);
}

TEST(PolicyTomlTest, ErrorsNameLineAndField) {
  EXPECT_THAT(Policy::FromToml("[[rule]]\nid = \"x\"\neffect = \"maybe\"\n", "p.toml"),
              StatusIs(ErrorCode::kInvalidArgument, "p.toml:3: rule \"x\": effect: must be \"allow\" or \"deny\""));
  EXPECT_THAT(Policy::FromToml("[[rule]]\nid = \"x\"\neffect = \"allow\"\ncolour = 1\n", "p.toml"),
              StatusIs(ErrorCode::kInvalidArgument, "p.toml:4: rule \"x\": colour: unknown field"));
  EXPECT_THAT(Policy::FromToml("[[rule]]\nid = \"x\"\neffect = \"allow\"\nwhen = [{pointer=\"/a\", op=\"equals\", value=1}]\n", "p.toml"),
              StatusIs(ErrorCode::kInvalidArgument, "unknown op \"equals\""));
  EXPECT_THAT(
      Policy::FromToml("[[rule]]\nid = \"x\"\neffect = \"allow\"\nwhen = [{pointer=\"/a\", op=\"regex\", value=\"(\"}]\n", "p.toml"),
      StatusIs(ErrorCode::kInvalidArgument, "bad \"value\""));
  EXPECT_THAT(Policy::FromToml("[[rule]\n", "p.toml"), StatusIs(ErrorCode::kInvalidArgument, "p.toml:1"));
  EXPECT_THAT(Policy::FromToml("[[rule]]\nid=\"a\"\neffect=\"deny\"\n[[rule]]\nid=\"a\"\neffect=\"deny\"\n", "p.toml"),
              StatusIs(ErrorCode::kInvalidArgument, "duplicate rule id"));
  auto empty = Policy::FromToml("", "p.toml");
  ASSERT_THAT(empty, IsOk());
  EXPECT_FALSE(empty->Evaluate(Request{}).allow);
}

// CallAllowed: may `who` call `tool` of `upstream` with no arguments?
bool CallAllowed(const Policy& policy, const authn::Principal& who, std::string upstream, std::string tool) {
  static const json::Object kNoArguments;
  return policy.Evaluate({&who, std::move(upstream), "tools/call", std::move(tool), &kNoArguments}).allow;
}

// UserOf makes a user principal acting through `client`.
authn::Principal UserOf(std::string subject, std::string client) {
  authn::Principal p;
  p.kind = authn::Principal::Kind::kUser;
  p.id = p.subject = std::move(subject);
  p.client_id = std::move(client);
  return p;
}

TEST(ToolAllowlist, DeniesToolsOutsideTheKeysListWhateverTheRules) {
  auto policy = Policy::FromToml(R"([[rule]]
id = "keys"
effect = "allow"
kinds = ["api_key"]
)",
                                 "test.toml");
  ASSERT_THAT(policy, IsOk());
  authn::Principal p;
  p.kind = authn::Principal::Kind::kApiKey;
  p.id = "apikey:0123456789abcdef";
  p.tools = {"tasks.list_*"};
  json::Object args;
  EXPECT_TRUE(CallAllowed(*policy, p, "tasks", "list_tasks"));
  auto d = policy->Evaluate({&p, "tasks", "tools/call", "create_task", &args});
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.rule_id, kToolAllowlistRule);
  EXPECT_FALSE(policy->MayList({&p, "tasks", "tools/call", "create_task", nullptr}));
  EXPECT_FALSE(CallAllowed(*policy, p, "other", "list_tasks"));
  p.tools.clear();
  EXPECT_TRUE(CallAllowed(*policy, p, "tasks", "create_task"));
}

TEST(DelegationRules, NeedBothTheUserAndTheAgent) {
  auto policy = Policy::FromToml(R"([[rule]]
id = "agent-7-for-alice"
effect = "allow"
subjects = ["alice"]
clients = ["agent-7"]
)",
                                 "test.toml");
  ASSERT_THAT(policy, IsOk());
  authn::Principal p = UserOf("alice", "agent-7");
  EXPECT_TRUE(CallAllowed(*policy, p, "tasks", "list_tasks"));
  p.client_id = "agent-8";
  EXPECT_FALSE(CallAllowed(*policy, p, "tasks", "list_tasks"));
  p.actor_chain = {"agent-7"};  // Acting through a token exchange (RFC 8693 "act").
  EXPECT_TRUE(CallAllowed(*policy, p, "tasks", "list_tasks"));
  p.id = p.subject = "bob";
  EXPECT_FALSE(CallAllowed(*policy, p, "tasks", "list_tasks"));
}

TEST(DelegationRules, AgentsNeedAProvenDid) {
  auto policy = Policy::FromToml(R"([[rule]]
id = "signed-agent-for-alice"
effect = "allow"
subjects = ["alice"]
agents = ["did:key:z6MkAgent*"]
)",
                                 "test.toml");
  ASSERT_THAT(policy, IsOk());
  authn::Principal p = UserOf("alice", "did:key:z6MkAgent1");  // Named by the token only: not proven.
  EXPECT_FALSE(CallAllowed(*policy, p, "tasks", "list_tasks"));
  p.did = "did:key:z6MkAgent1";  // Proven by a signed call from that agent.
  EXPECT_TRUE(CallAllowed(*policy, p, "tasks", "list_tasks"));
}

TEST(CredentialCondition, RequiresHowTheCallerProvedItself) {
  auto policy = Policy::FromToml(R"([[rule]]
id = "bots-read"
effect = "allow"
kinds = ["bot", "agent"]
targets = ["read_*"]

[[rule]]
id = "writes-need-a-proof"
effect = "allow"
kinds = ["bot", "agent"]
targets = ["write_*"]
require = { credential = ["aip-proof", "http-signature"] }
)",
                                 "test.toml");
  ASSERT_THAT(policy, IsOk());
  authn::Principal bot;
  bot.kind = authn::Principal::Kind::kBot;
  bot.id = "https://bot.example#k1";
  bot.credentials = {"web-bot-auth"};
  json::Object none;
  EXPECT_TRUE(policy->Evaluate(Request{&bot, "tasks", "tools/call", "read_x", &none}).allow);
  Decision d = policy->Evaluate(Request{&bot, "tasks", "tools/call", "write_x", &none});
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.code, denial::kCondition);
  EXPECT_EQ(d.field, "credential");
  EXPECT_EQ(d.detail, "requires a credential: aip-proof or http-signature (the call came with: web-bot-auth)");
  bot.credentials.push_back("aip-proof");  // The same key also signed the call itself.
  EXPECT_TRUE(policy->Evaluate(Request{&bot, "tasks", "tools/call", "write_x", &none}).allow);
  EXPECT_THAT(Policy::FromToml("[[rule]]\nid = \"c\"\neffect = \"allow\"\nrequire = { credential = \"password\" }\n", "p.toml"),
              StatusIs(ErrorCode::kInvalidArgument, "unknown \"password\""));
  EXPECT_THAT(Policy::FromToml("[[rule]]\nid = \"c\"\neffect = \"allow\"\nrequire = { credential = [] }\n", "p.toml"),
              StatusIs(ErrorCode::kInvalidArgument));
}

TEST(StepUp, NamesTheScopesThatWouldAllow) {
  auto policy = Policy::FromToml(R"([[rule]]
id = "readers"
effect = "allow"
kinds = ["user"]
scopes = ["tasks:read"]
targets = ["list_tasks"]
[[rule]]
id = "no-bob"
effect = "deny"
principals = ["bob"]
)",
                                 "test.toml");
  ASSERT_THAT(policy, IsOk());
  json::Object args;
  authn::Principal p;
  p.kind = authn::Principal::Kind::kUser;
  p.id = p.subject = "alice";
  p.scopes = {"profile"};
  EXPECT_EQ(policy->ScopesToAllow({&p, "tasks", "tools/call", "list_tasks", &args}), (std::vector<std::string>{"profile", "tasks:read"}));
  EXPECT_TRUE(policy->ScopesToAllow({&p, "tasks", "tools/call", "delete_all", &args}).empty());  // No rule for it.
  p.id = "bob";
  EXPECT_TRUE(policy->ScopesToAllow({&p, "tasks", "tools/call", "list_tasks", &args}).empty());  // Denied anyway.
  p.id = "alice";
  p.scopes = {"tasks:read"};
  EXPECT_TRUE(policy->ScopesToAllow({&p, "tasks", "tools/call", "list_tasks", &args}).empty());  // Already allowed.
}

}  // namespace
}  // namespace aip::policy

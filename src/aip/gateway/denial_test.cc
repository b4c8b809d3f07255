// What a denied caller is told at each `denial_detail` level: the values a rule allows only at
// "full", the failed field at "reason", nothing of the policy at "none" — and always the stable
// code and the audit line's id.
#include <gtest/gtest.h>

#include "aip/gateway/pipeline/denial.h"

namespace aip::gateway {
namespace {

policy::Decision ArgumentDenial() {
  policy::Decision d;
  d.reason = "no rule allows this request";
  d.code = policy::denial::kArgument;
  d.field = "/project";
  d.detail = "/project must be one of [\"project-a\"]";
  d.closest_rule = "tasks-project-a";
  return d;
}

TEST(DenialErrorTest, FullNamesTheRuleAndTheAllowedValues) {
  mcp::RpcError e = DenialError(ArgumentDenial(), DenialDetail::kFull, "tasks.list_tasks", "0123abcd");
  EXPECT_EQ(e.code, mcp::kForbiddenCode);
  EXPECT_EQ(e.message, "denied by rule `tasks-project-a`: /project must be one of [\"project-a\"]");
  const json::Object& data = e.data->as_object();
  EXPECT_EQ(data.at("rule"), "tasks-project-a");
  EXPECT_EQ(data.at("reason"), "argument_condition");
  EXPECT_EQ(data.at("field"), "/project");
  EXPECT_EQ(data.at("correlationId"), "0123abcd");
}

TEST(DenialErrorTest, ReasonNamesTheFieldButNotTheValues) {
  mcp::RpcError e = DenialError(ArgumentDenial(), DenialDetail::kReason, "tasks.list_tasks", "0123abcd");
  EXPECT_EQ(e.message, "denied by rule `tasks-project-a`: argument /project is not allowed");
  EXPECT_EQ(e.message.find("project-a\""), std::string::npos);
  EXPECT_FALSE(e.data->as_object().contains("detail"));
  EXPECT_EQ(e.data->as_object().at("reason"), "argument_condition");
}

TEST(DenialErrorTest, NoneRevealsNothingOfThePolicy) {
  mcp::RpcError e = DenialError(ArgumentDenial(), DenialDetail::kNone, "tasks.list_tasks", "0123abcd");
  EXPECT_EQ(e.message, "Denied by policy");
  EXPECT_FALSE(e.data->as_object().contains("rule"));
  EXPECT_FALSE(e.data->as_object().contains("field"));
  EXPECT_EQ(e.data->as_object().at("correlationId"), "0123abcd");
}

TEST(DenialErrorTest, TrustConditionsAndMissingRules) {
  policy::Decision trust;
  trust.code = policy::denial::kCondition;
  trust.field = "trust";
  trust.detail = "trust 0.12 < 0.50 for scope CODE_SIGNING";
  trust.closest_rule = "deploy";
  EXPECT_EQ(DenialError(trust, DenialDetail::kFull, "ci.deploy", "x").message,
            "denied by rule `deploy`: trust 0.12 < 0.50 for scope CODE_SIGNING");
  EXPECT_EQ(DenialError(trust, DenialDetail::kReason, "ci.deploy", "x").message, "denied by rule `deploy`: the trust condition is not met");
  policy::Decision none;
  EXPECT_EQ(DenialError(none, DenialDetail::kReason, "ci.deploy", "x").message, "no rule allows this caller to use ci.deploy");
  EXPECT_EQ(DenialError(none, DenialDetail::kReason, "ci.deploy", "x").data->as_object().at("reason"), "no_rule");
}

}  // namespace
}  // namespace aip::gateway

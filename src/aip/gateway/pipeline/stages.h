// The gateway's stages, in the order a catalog request meets them (pipeline.h assembles them):
//
//   authenticate → list (list methods end here) → resolve → authorize → rate-limit → audit →
//   forward
//
// A refusal decided by authorize or rate-limit is not answered at once: it is recorded by the
// audit stage first, so no decision takes effect unrecorded (and a call that cannot be recorded
// does not happen).
#pragma once

#include <memory>

#include "aip/authn/authenticator.h"
#include "aip/gateway/audit_sink.h"
#include "aip/gateway/pipeline/stage.h"

namespace aip::gateway {

// AuthenticateStage asks the authenticator chain who calls; a bad credential is refused
// (-31001, the failure's reason in data) and recorded.
class AuthenticateStage final : public Stage {
 public:
  AuthenticateStage(std::shared_ptr<authn::RequestAuthenticator> authenticator, std::shared_ptr<AuditSink> audit)
      : authenticator_(std::move(authenticator)), audit_(std::move(audit)) {}
  std::string_view name() const override { return "authenticate"; }
  std::optional<Outcome> Run(GatewayCall& call) override;

 private:
  std::shared_ptr<authn::RequestAuthenticator> authenticator_;
  std::shared_ptr<AuditSink> audit_;
};

// ListStage answers tools/list, prompts/list, resources/list and resources/templates/list: every
// upstream's items, namespaced, filtered to what the caller may call.
class ListStage final : public Stage {
 public:
  std::string_view name() const override { return "list"; }
  std::optional<Outcome> Run(GatewayCall& call) override;
};

// ResolveStage finds the upstream and target of a call and builds the request the upstream gets.
class ResolveStage final : public Stage {
 public:
  std::string_view name() const override { return "resolve"; }
  std::optional<Outcome> Run(GatewayCall& call) override;
};

// AuthorizeStage evaluates the policy (default deny) and prepares the refusal of a denied call.
class AuthorizeStage final : public Stage {
 public:
  std::string_view name() const override { return "authorize"; }
  std::optional<Outcome> Run(GatewayCall& call) override;
};

// RateLimitStage takes a token for an allowed call, or prepares the 429-style refusal.
class RateLimitStage final : public Stage {
 public:
  std::string_view name() const override { return "rate-limit"; }
  std::optional<Outcome> Run(GatewayCall& call) override;
};

// AuditStage records the decision (failing closed) and then answers a refused call.
class AuditStage final : public Stage {
 public:
  explicit AuditStage(std::shared_ptr<AuditSink> audit) : audit_(std::move(audit)) {}
  std::string_view name() const override { return "audit"; }
  std::optional<Outcome> Run(GatewayCall& call) override;

 private:
  std::shared_ptr<AuditSink> audit_;
};

// ForwardStage sends the call to its upstream with that upstream's credential only, relays
// notifications, maps the answer and records the outcome.
class ForwardStage final : public Stage {
 public:
  explicit ForwardStage(std::shared_ptr<AuditSink> audit) : audit_(std::move(audit)) {}
  std::string_view name() const override { return "forward"; }
  std::optional<Outcome> Run(GatewayCall& call) override;

 private:
  std::shared_ptr<AuditSink> audit_;
};

}  // namespace aip::gateway

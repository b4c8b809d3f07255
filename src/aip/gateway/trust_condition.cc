#include "aip/gateway/trust_condition.h"

#include <cstdio>

#include "aip/trust/vouch.h"

namespace aip::gateway {
namespace {

class TrustCondition final : public policy::Condition {
 public:
  TrustCondition(std::shared_ptr<TrustScores> scores, double min, std::string scope)
      : scores_(std::move(scores)), min_(min), scope_(std::move(scope)) {}

  bool Holds(const policy::Request& request) const override {
    if (request.principal == nullptr || request.principal->did.empty()) return false;
    auto r = scores_->Score(request.principal->did, scope_);
    return r && r->score >= min_;
  }
  std::string Describe() const override { return "trust >= " + Number(min_) + ScopeText(); }
  std::string Name() const override { return "trust"; }
  std::string Explain(const policy::Request& request) const override {
    if (request.principal == nullptr || request.principal->did.empty()) {
      return "trust needs a caller with a DID (a signed call)" + ScopeText();
    }
    auto r = scores_->Score(request.principal->did, scope_);
    if (!r) return "no trust view is loaded, so no score reaches " + Number(min_) + ScopeText();
    return "trust " + Number(r->score) + " < " + Number(min_) + ScopeText();
  }

 private:
  static std::string Number(double d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", d);
    return text;
  }
  std::string ScopeText() const { return scope_.empty() ? "" : " for scope " + scope_; }

  std::shared_ptr<TrustScores> scores_;
  double min_;
  std::string scope_;
};

}  // namespace

std::optional<trust::TrustResult> TrustScores::Score(std::string_view did, std::string_view scope) const {
  auto v = view();
  if (!v) return std::nullopt;
  return v->Score(did, scope, DefaultClock().Now());
}

policy::ConditionFactory TrustConditionFactory(std::shared_ptr<TrustScores> scores) {
  return [scores](const json::Value& spec) -> Result<std::shared_ptr<const policy::Condition>> {
    if (!spec.is_object()) return InvalidArgumentError("trust: expected { min = 0.5, scope = \"...\" }");
    const json::Object& o = spec.get_object();
    for (const auto& kv : o) {
      if (kv.key() != "min" && kv.key() != "scope") return InvalidArgumentError("trust: unknown field \"" + std::string(kv.key()) + "\"");
    }
    const json::Value* min = o.if_contains("min");
    if (min == nullptr || !min->is_number()) return InvalidArgumentError("trust: min must be a number in [0, 1]");
    double m = min->is_double() ? min->get_double() : static_cast<double>(min->is_int64() ? min->get_int64() : 2);
    if (!(m >= 0 && m <= 1)) return InvalidArgumentError("trust: min must be a number in [0, 1]");
    std::string scope;
    if (const json::Value* s = o.if_contains("scope")) {
      if (!s->is_string() || !trust::ValidScope(s->get_string())) {
        return InvalidArgumentError("trust: scope must be GENERAL, CODE_SIGNING, ..., or tools:<glob>");
      }
      scope = std::string(s->get_string());
    }
    scores->set_used();
    return std::shared_ptr<const policy::Condition>(std::make_shared<TrustCondition>(scores, m, std::move(scope)));
  };
}

}  // namespace aip::gateway

#include "aip/gateway/trust_condition.h"

#include <cstdio>

#include "aip/base/field_reader.h"
#include "aip/trust/vouch.h"

namespace aip::gateway {
namespace {

// TrustSubjects are the DIDs a caller's trust may come from: its proven DID and, for a bot, its
// operator's origin as a did:web (every key the operator's verified directory lists is bound to it).
std::vector<std::string> TrustSubjects(const authn::Principal& p) {
  std::vector<std::string> out;
  if (!p.did.empty()) out.push_back(p.did);
  if (auto op = p.attributes.find(std::string(authn::kOperatorDidAttribute));
      p.kind == authn::Principal::Kind::kBot && op != p.attributes.end()) {
    out.push_back(op->second);
  }
  return out;
}

class TrustCondition final : public policy::Condition {
 public:
  TrustCondition(std::shared_ptr<TrustScores> scores, double min, std::string scope)
      : scores_(std::move(scores)), min_(min), scope_(std::move(scope)) {}

  bool Holds(const policy::Request& request) const override {
    if (request.principal == nullptr) return false;
    auto r = Best(*request.principal);
    return r && r->score >= min_;
  }
  std::string Describe() const override { return "trust >= " + Number(min_) + ScopeText(); }
  std::string Name() const override { return "trust"; }
  std::string Explain(const policy::Request& request) const override {
    if (request.principal == nullptr || request.principal->did.empty()) {
      return "trust needs a caller with a DID (a signed call)" + ScopeText();
    }
    auto r = Best(*request.principal);
    if (!r) return "no trust view is loaded, so no score reaches " + Number(min_) + ScopeText();
    if (!r->note.empty()) return "trust 0.00 < " + Number(min_) + ScopeText() + ": " + r->note;
    return "trust " + Number(r->score) + " < " + Number(min_) + ScopeText();
  }

 private:
  static std::string Number(double d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", d);
    return text;
  }
  std::string ScopeText() const { return scope_.empty() ? "" : " for scope " + scope_; }
  // Best is the highest score among the caller's trust subjects (nullopt: no trust view loaded).
  std::optional<trust::TrustResult> Best(const authn::Principal& p) const {
    std::optional<trust::TrustResult> best;
    for (const std::string& did : TrustSubjects(p)) {
      auto r = scores_->Score(did, scope_);
      if (r && (!best || r->score > best->score)) best = std::move(r);
    }
    return best;
  }

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
    json::FieldReader r(spec.get_object(), "/require/trust");
    AIP_RETURN_IF_ERROR(r.OnlyFields({"min", "scope"}));
    double m = 0;
    AIP_RETURN_IF_ERROR(r.Number("min", m, 0, 1, json::Need::kRequired));
    std::string scope;
    AIP_RETURN_IF_ERROR(r.String("scope", scope, json::Need::kOptional, 256));
    if (spec.get_object().contains("scope") && !trust::ValidScope(scope)) {
      return r.Fail("scope", "must be GENERAL, CODE_SIGNING, ..., or tools:<glob>");
    }
    scores->set_used();
    return std::shared_ptr<const policy::Condition>(std::make_shared<TrustCondition>(scores, m, std::move(scope)));
  };
}

}  // namespace aip::gateway

#include "aip/policy/rate_limits.h"

#include <algorithm>
#include <cmath>

namespace aip::policy {

struct RateLimits::Spec {
  std::string id;
  Per per = Per::kPrincipal;
  double rate = 0;
  double burst = 0;
  std::vector<std::string> kinds, principals, upstreams, targets;

  // BucketKey names the bucket this request counts against.
  std::string BucketKey(const Request& q) const;
  bool Matches(const Request& q) const {
    auto any = [](const std::vector<std::string>& globs, std::string_view s) {
      return globs.empty() || std::any_of(globs.begin(), globs.end(), [&](const std::string& g) { return Glob(g, s); });
    };
    std::string_view kind = KindName(q.principal ? q.principal->kind : authn::Principal::Kind::kAnonymous);
    std::string_view who = q.principal ? std::string_view(q.principal->id) : std::string_view();
    return any(kinds, kind) && any(principals, who) && any(upstreams, q.upstream) && any(targets, q.target);
  }
};

namespace {
// At this many buckets, full ones (indistinguishable from fresh) are dropped, so that a stream
// of new principals cannot grow memory without bound.
constexpr std::size_t kMaxBuckets = 100000;
}  // namespace

RateLimits::RateLimits() : mu_(std::make_unique<std::mutex>()) {}
RateLimits::RateLimits(RateLimits&&) noexcept = default;
RateLimits& RateLimits::operator=(RateLimits&&) noexcept = default;
RateLimits::~RateLimits() = default;

Result<RateLimits> RateLimits::FromDocument(const toml::Document& doc) {
  RateLimits out;
  AIP_ASSIGN_OR_RETURN(std::vector<json::FieldReader> limits, toml::Reader(doc).Items("limit", json::Need::kOptional, 10000));
  for (const json::FieldReader& r : limits) {
    auto spec = std::make_shared<Spec>();
    AIP_RETURN_IF_ERROR(r.OnlyFields({"id", "per", "rate", "burst", "kinds", "principals", "upstreams", "targets"}));
    AIP_RETURN_IF_ERROR(r.String("id", spec->id, json::Need::kRequired, 256));
    if (spec->id.empty()) return r.Fail("id", "must not be empty");
    std::string per = "principal";
    AIP_RETURN_IF_ERROR(r.String("per", per));
    if (per != "principal" && per != "principal_tool" && per != "global") {
      return r.Fail("per", "must be \"principal\", \"principal_tool\" or \"global\"");
    }
    spec->per = per == "global" ? Per::kGlobal : per == "principal_tool" ? Per::kPrincipalTool : Per::kPrincipal;
    AIP_RETURN_IF_ERROR(r.Number("rate", spec->rate, 0, 1e9, json::Need::kRequired));
    if (!(spec->rate > 0)) return r.Fail("rate", "must be > 0 (tokens per second)");
    spec->burst = std::max(1.0, spec->rate);
    AIP_RETURN_IF_ERROR(r.Number("burst", spec->burst, 1, 1e9));
    AIP_RETURN_IF_ERROR(r.Strings("kinds", spec->kinds));
    AIP_RETURN_IF_ERROR(r.Strings("principals", spec->principals));
    AIP_RETURN_IF_ERROR(r.Strings("upstreams", spec->upstreams));
    AIP_RETURN_IF_ERROR(r.Strings("targets", spec->targets));
    for (const auto& other : out.specs_) {
      if (other->id == spec->id) return r.Fail("id", "duplicate limit id \"" + spec->id + "\"");
    }
    out.specs_.push_back(std::move(spec));
  }
  return out;
}

std::string RateLimits::Spec::BucketKey(const Request& q) const {
  std::string key = id;
  if (per != Per::kGlobal) key += '\n' + (q.principal ? q.principal->id : std::string("(anonymous)"));
  if (per == Per::kPrincipalTool) key += '\n' + q.upstream + '\n' + q.target;
  return key;
}

std::optional<Limited> RateLimits::TakeShared(const Request& q, Clock::time_point now) {
  std::vector<BucketTake> takes;
  for (const auto& spec : specs_) {
    if (spec->Matches(q)) takes.push_back({spec->id, spec->BucketKey(q), spec->rate, spec->burst});
  }
  if (takes.empty()) return std::nullopt;
  auto taken = store_->TakeAll(takes);
  if (taken) return *taken;
  if (!local_fallbacks_) return Limited{takes.front().limit_id, std::chrono::seconds(1), true};
  // The operator chose to stay up: this instance's own buckets meanwhile (each instance then
  // grants a whole limit of its own).
  local_fallbacks_->fetch_add(1, std::memory_order_relaxed);
  return TakeLocal(q, now);
}

std::optional<Limited> RateLimits::Take(const Request& q, Clock::time_point now) {
  if (specs_.empty()) return std::nullopt;
  if (store_) return TakeShared(q, now);
  return TakeLocal(q, now);
}

std::optional<Limited> RateLimits::TakeLocal(const Request& q, Clock::time_point now) {
  std::vector<std::pair<const Spec*, Bucket*>> hits;
  std::lock_guard<std::mutex> lock(*mu_);
  if (buckets_.size() >= kMaxBuckets) {
    for (auto it = buckets_.begin(); it != buckets_.end();) it = now >= it->second.full_at ? buckets_.erase(it) : std::next(it);
  }
  std::optional<Limited> limited;
  for (const auto& spec : specs_) {
    if (!spec->Matches(q)) continue;
    std::string key = spec->BucketKey(q);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
      // Full of callers that are all still draining their buckets: refuse newcomers rather than
      // forget anyone's debt (identities are free to make, so this must fail closed).
      if (buckets_.size() >= kMaxBuckets) return Limited{spec->id, std::chrono::seconds(1)};
      it = buckets_.emplace(std::move(key), Bucket{spec->burst, now, now}).first;
    }
    Bucket& b = it->second;
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(spec->burst, b.tokens + std::max(0.0, elapsed) * spec->rate);
    b.last = now;
    if (b.tokens < 1) {
      auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil((1 - b.tokens) / spec->rate * 1000)));
      if (!limited || wait > limited->retry_after) limited = Limited{spec->id, wait};
    }
    hits.emplace_back(spec.get(), &b);
  }
  if (limited) return limited;
  for (auto& [spec, bucket] : hits) {
    bucket->tokens -= 1;
    bucket->full_at =
        now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>((spec->burst - bucket->tokens) / spec->rate));
  }
  return std::nullopt;
}

std::size_t RateLimits::bucket_count() {
  std::lock_guard<std::mutex> lock(*mu_);
  return buckets_.size();
}

std::vector<std::string> RateLimits::LimitIds() const {
  std::vector<std::string> ids;
  ids.reserve(specs_.size());
  for (const auto& s : specs_) ids.push_back(s->id);
  return ids;
}

}  // namespace aip::policy

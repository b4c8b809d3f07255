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
  const json::Value* limits = doc.root.if_contains("limit");
  if (limits == nullptr) return out;
  if (!limits->is_array()) return InvalidArgumentError(doc.Where("/limit") + ": \"limit\" must be an array of tables ([[limit]])");
  for (std::size_t i = 0; i < limits->get_array().size(); ++i) {
    std::string ptr = "/limit/" + std::to_string(i);
    auto fail = [&](std::string_view field, const std::string& message) {
      return InvalidArgumentError(doc.Where(ptr + (field.empty() ? "" : "/" + std::string(field))) + ": limit: " + message);
    };
    const json::Value& node = limits->get_array()[i];
    if (!node.is_object()) return fail("", "must be a table");
    const json::Object& t = node.get_object();
    auto spec = std::make_shared<Spec>();
    for (const auto& [k, v] : t) {
      static const char* kFields[] = {"id", "per", "rate", "burst", "kinds", "principals", "upstreams", "targets"};
      if (std::find(std::begin(kFields), std::end(kFields), std::string_view(k)) == std::end(kFields)) {
        return fail(k, "unknown field \"" + std::string(k) + "\"");
      }
      if (k == "id" || k == "per") {
        if (!v.is_string()) return fail(k, "\"" + std::string(k) + "\" must be a string");
      } else if (k == "rate" || k == "burst") {
        if (!v.is_number()) return fail(k, "\"" + std::string(k) + "\" must be a number");
      } else {
        if (!v.is_array()) return fail(k, "\"" + std::string(k) + "\" must be an array of strings");
        auto& list = k == "kinds" ? spec->kinds : k == "principals" ? spec->principals : k == "upstreams" ? spec->upstreams : spec->targets;
        for (const auto& e : v.get_array()) {
          if (!e.is_string()) return fail(k, "\"" + std::string(k) + "\" must be an array of strings");
          list.emplace_back(e.get_string());
        }
      }
    }
    if (!t.contains("id") || t.at("id").get_string().empty()) return fail("", "needs an \"id\"");
    spec->id = std::string(t.at("id").get_string());
    std::string per = t.contains("per") ? std::string(t.at("per").get_string()) : "principal";
    if (per != "principal" && per != "principal_tool" && per != "global") {
      return fail("per", "\"per\" must be \"principal\", \"principal_tool\" or \"global\"");
    }
    spec->per = per == "global" ? Per::kGlobal : per == "principal_tool" ? Per::kPrincipalTool : Per::kPrincipal;
    if (!t.contains("rate")) return fail("", "needs a \"rate\" (tokens per second)");
    spec->rate = t.at("rate").to_number<double>();
    spec->burst = t.contains("burst") ? t.at("burst").to_number<double>() : std::max(1.0, spec->rate);
    if (!(spec->rate > 0) || !(spec->burst >= 1) || spec->rate > 1e9 || spec->burst > 1e9) {
      return fail("rate", "\"rate\" must be > 0 and \"burst\" >= 1");
    }
    for (const auto& other : out.specs_) {
      if (other->id == spec->id) return fail("id", "duplicate limit id \"" + spec->id + "\"");
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

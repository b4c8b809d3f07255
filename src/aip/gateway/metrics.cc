#include "aip/gateway/metrics.h"

#include <algorithm>
#include <cstdio>

namespace aip::gateway {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string WithLabel(const std::string& rendered, std::string_view extra) {
  if (rendered.empty()) return "{" + std::string(extra) + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + std::string(extra) + "}";
}

}  // namespace

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += "\"";
  }
  return out + "}";
}

void Metrics::Describe(std::string name, Type type, std::string help) {
  std::lock_guard lock(mu_);
  Family& f = families_[std::move(name)];
  f.type = type;
  f.help = std::move(help);
}

void Counter::Add(double value) const {
  if (cell_ == nullptr) return;
  cell_->value.fetch_add(value, std::memory_order_relaxed);
  cell_->used.store(true, std::memory_order_relaxed);
}

void Counter::Set(double value) const {
  if (cell_ == nullptr) return;
  cell_->value.store(value, std::memory_order_relaxed);
  cell_->used.store(true, std::memory_order_relaxed);
}

void Histogram::Observe(double seconds) const {
  if (cell_ == nullptr) return;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) cell_->buckets[i].fetch_add(1, std::memory_order_relaxed);
  }
  cell_->sum.fetch_add(seconds, std::memory_order_relaxed);
  cell_->count.fetch_add(1, std::memory_order_relaxed);
}

Counter Metrics::CounterFor(std::string_view name, const Labels& labels) {
  std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return Counter();
  auto& cell = it->second.values[key];
  if (!cell) cell = std::make_unique<metrics_detail::CounterCell>();
  return Counter(cell.get());
}

Histogram Metrics::HistogramFor(std::string_view name, const Labels& labels) {
  std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return Histogram();
  auto& cell = it->second.histograms[key];
  if (!cell) cell = std::make_unique<metrics_detail::HistogramCell>();
  return Histogram(cell.get());
}

void Metrics::SetCallback(std::string_view name, std::function<std::vector<std::pair<Labels, double>>()> fn) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.callback = std::move(fn);
}

std::string Metrics::Render() const {
  std::map<std::string, std::vector<std::pair<Labels, double>>> computed;
  {
    // Callbacks run outside the lock: they may take locks of their own.
    std::vector<std::pair<std::string, std::function<std::vector<std::pair<Labels, double>>()>>> fns;
    {
      std::lock_guard lock(mu_);
      for (const auto& [name, f] : families_) {
        if (f.callback) fns.emplace_back(name, f.callback);
      }
    }
    for (auto& [name, fn] : fns) computed[name] = fn();
  }
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + (f.type == Type::kCounter ? "counter" : f.type == Type::kGauge ? "gauge" : "histogram") + "\n";
    for (const auto& [labels, cell] : f.values) {
      if (cell->used.load(std::memory_order_relaxed)) out += name + labels + " " + Number(cell->value.load()) + "\n";
    }
    if (auto it = computed.find(name); it != computed.end()) {
      for (const auto& [labels, v] : it->second) out += name + RenderLabels(labels) + " " + Number(v) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      // Read without a lock while calls record: buckets are read first and count last (it is
      // incremented last), and +Inf is never below a bucket, so the scrape stays cumulative.
      std::uint64_t bucket = 0;
      std::string lines;
      for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        bucket = std::max(bucket, h->buckets[i].load());
        lines += name + "_bucket" + WithLabel(labels, "le=\"" + Number(kLatencyBuckets[i]) + "\"") + " " + std::to_string(bucket) + "\n";
      }
      std::uint64_t count = std::max(bucket, h->count.load());
      if (count == 0) continue;
      out += lines;
      out += name + "_bucket" + WithLabel(labels, "le=\"+Inf\"") + " " + std::to_string(count) + "\n";
      out += name + "_sum" + labels + " " + Number(h->sum.load()) + "\n";
      out += name + "_count" + labels + " " + std::to_string(count) + "\n";
    }
  }
  return out;
}

}  // namespace aip::gateway

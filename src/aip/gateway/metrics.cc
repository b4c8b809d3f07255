#include "aip/gateway/metrics.h"

#include <cstdio>

namespace aip::gateway {
namespace {

constexpr double kBuckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

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

void Metrics::Add(std::string_view name, const Labels& labels, double value) {
  std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.values[key] += value;
}

void Metrics::Set(std::string_view name, const Labels& labels, double value) {
  std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.values[key] = value;
}

void Metrics::Observe(std::string_view name, const Labels& labels, double seconds) {
  std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  Histogram& h = it->second.histograms[key];
  if (h.buckets.empty()) h.buckets.assign(std::size(kBuckets), 0);
  for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  h.sum += seconds;
  ++h.count;
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
    for (const auto& [labels, v] : f.values) out += name + labels + " " + Number(v) + "\n";
    if (auto it = computed.find(name); it != computed.end()) {
      for (const auto& [labels, v] : it->second) out += name + RenderLabels(labels) + " " + Number(v) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
        out += name + "_bucket" + WithLabel(labels, "le=\"" + Number(kBuckets[i]) + "\"") + " " + std::to_string(h.buckets[i]) + "\n";
      }
      out += name + "_bucket" + WithLabel(labels, "le=\"+Inf\"") + " " + std::to_string(h.count) + "\n";
      out += name + "_sum" + labels + " " + Number(h.sum) + "\n";
      out += name + "_count" + labels + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace aip::gateway

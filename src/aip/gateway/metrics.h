// Metrics in the Prometheus text exposition format (version 0.0.4): counters, gauges and
// latency histograms with labels. Label values are escaped; names are fixed by the code.
//
// A series is found once and kept as a handle (Counter, Histogram): the calls on the request
// path add to an atomic without a lock or a string; only the first use of a label set and the
// scrape take the registry's lock. A series appears in the output once something was recorded.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aip::gateway {

using Labels = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::array<double, 16> kLatencyBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                           0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

namespace metrics_detail {
struct CounterCell {
  std::atomic<double> value{0};
  std::atomic<bool> used{false};
};
struct HistogramCell {
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size()> buckets{};
  std::atomic<double> sum{0};
  std::atomic<std::uint64_t> count{0};
};
}  // namespace metrics_detail

// Counter is a handle on one series of a counter or gauge; default-constructed, it records nothing.
class Counter {
 public:
  Counter() = default;
  void Add(double value = 1) const;
  void Set(double value) const;
  double value() const { return cell_ != nullptr ? cell_->value.load() : 0; }

 private:
  friend class Metrics;
  explicit Counter(metrics_detail::CounterCell* cell) : cell_(cell) {}
  metrics_detail::CounterCell* cell_ = nullptr;
};

// Histogram is a handle on one latency series (seconds).
class Histogram {
 public:
  Histogram() = default;
  void Observe(double seconds) const;

 private:
  friend class Metrics;
  explicit Histogram(metrics_detail::HistogramCell* cell) : cell_(cell) {}
  metrics_detail::HistogramCell* cell_ = nullptr;
};

class Metrics {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  // Describe declares a metric family (HELP and TYPE lines); call once per name.
  void Describe(std::string name, Type type, std::string help);
  // CounterFor and HistogramFor find (or create) a series of a described family; a handle of an
  // undescribed family records nothing. Handles stay valid for the Metrics' lifetime.
  Counter CounterFor(std::string_view name, const Labels& labels);
  Histogram HistogramFor(std::string_view name, const Labels& labels);
  // One-off updates by name (rare events: reloads, restarts).
  void Add(std::string_view name, const Labels& labels, double value = 1) { CounterFor(name, labels).Add(value); }
  void Set(std::string_view name, const Labels& labels, double value) { CounterFor(name, labels).Set(value); }
  void Observe(std::string_view name, const Labels& labels, double seconds) { HistogramFor(name, labels).Observe(seconds); }
  // A gauge computed when scraped (replay-cache size, upstream health).
  void SetCallback(std::string_view name, std::function<std::vector<std::pair<Labels, double>>()> fn);
  std::string Render() const;

 private:
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::map<std::string, std::unique_ptr<metrics_detail::CounterCell>> values;  // Rendered label set → cell.
    std::map<std::string, std::unique_ptr<metrics_detail::HistogramCell>> histograms;
    std::function<std::vector<std::pair<Labels, double>>()> callback;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// RenderLabels formats {a="x",b="y"} with Prometheus escaping (backslash, quote, newline).
std::string RenderLabels(const Labels& labels);

}  // namespace aip::gateway

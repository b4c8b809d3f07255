// Metrics in the Prometheus text exposition format (version 0.0.4): counters, gauges and
// latency histograms with labels. Label values are escaped; names are fixed by the code.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aip::gateway {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  // Describe declares a metric family (HELP and TYPE lines); call once per name.
  void Describe(std::string name, Type type, std::string help);
  void Add(std::string_view name, const Labels& labels, double value = 1);
  void Set(std::string_view name, const Labels& labels, double value);
  void Observe(std::string_view name, const Labels& labels, double seconds);
  // A gauge computed when scraped (replay-cache size, upstream health).
  void SetCallback(std::string_view name, std::function<std::vector<std::pair<Labels, double>>()> fn);
  std::string Render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::map<std::string, double> values;  // Rendered label set → value.
    std::map<std::string, Histogram> histograms;
    std::function<std::vector<std::pair<Labels, double>>()> callback;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// RenderLabels formats {a="x",b="y"} with Prometheus escaping (backslash, quote, newline).
std::string RenderLabels(const Labels& labels);

}  // namespace aip::gateway

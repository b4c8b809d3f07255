// A paced load of signed tools/call requests for soak runs: each request is signed when it is
// sent (a fresh nonce every time, so a run of any length needs no pre-signed file), each answer is
// checked (HTTP 200 and a JSON-RPC result), and a line of figures is printed every interval.
//
// Usage: soak_client URL SECONDS RATE THREADS [INTERVAL_SECONDS]
//   RATE 0: as fast as the threads go (to measure the maximum first).
// Prints "interval calls ok errors p50_ms p99_ms" lines, then a "total" line; exit 1 on any error.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aip/base/json.h"
#include "aip/mcpsig/request_proof.h"
#include "aip/net/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Window {
  std::mutex mu;
  std::vector<double> latencies_ms;
  long errors = 0;
  std::string first_error;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: soak_client URL SECONDS RATE THREADS [INTERVAL_SECONDS]\n");
    return 2;
  }
  auto url = aip::net::ParseUrl(argv[1]);
  if (!url) {
    std::fprintf(stderr, "soak_client: %s\n", url.error().message.c_str());
    return 2;
  }
  const std::string audience = argv[1];
  const double seconds = std::atof(argv[2]);
  const double rate = std::atof(argv[3]);
  const int threads = std::max(1, std::atoi(argv[4]));
  const double interval = argc > 5 ? std::atof(argv[5]) : 10.0;
  auto agent = std::make_shared<aip::identity::Identity>(aip::identity::Identity::Generate("soak", "", aip::DefaultClock().Now()));

  Window window;
  std::atomic<long> total_ok{0}, total_errors{0};
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      aip::net::HttpClient client(*url);
      aip::net::Headers headers;
      headers.Add("content-type", "application/json");
      headers.Add("accept", "application/json, text/event-stream");
      headers.Add("mcp-protocol-version", "2026-07-28");
      headers.Add("mcp-method", "tools/call");
      headers.Add("mcp-name", "list_tasks");
      headers.Add("mcp-param-project", "project-a");
      // Each thread paces itself at rate/threads, starting at an offset so the threads interleave.
      auto gap =
          rate > 0 ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(threads / rate)) : Clock::duration::zero();
      auto next = start + gap * t / threads;
      long n = 0;
      while (!stop.load() && Clock::now() < end) {
        if (rate > 0) {
          std::this_thread::sleep_until(next);
          next += gap;
        }
        auto request = aip::json::ParseJsonObject(
            R"({"jsonrpc":"2.0","method":"tools/call","params":{"name":"list_tasks","arguments":{"project":"project-a"},)"
            R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})");
        (*request)["id"] = static_cast<std::int64_t>(t) * 1000000000 + (++n);
        if (!aip::mcpsig::SignRequest(*request, *agent, {audience, std::chrono::seconds(300), &aip::DefaultClock()}).ok()) {
          std::fprintf(stderr, "soak_client: signing failed\n");
          std::exit(3);
        }
        std::string body = aip::json::Serialize(*request);
        auto sent = Clock::now();
        auto res = client.Send("POST", url->target, headers, body);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        std::string error;
        if (!res) {
          error = res.error().message;
          client.Close();
        } else if (res->status != 200) {
          error = "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200);
        } else {
          auto answer = aip::json::ParseJsonObject(res->body);
          if (!answer || !answer->contains("result") || answer->contains("error")) error = "not a result: " + res->body.substr(0, 200);
        }
        std::lock_guard lock(window.mu);
        if (error.empty()) {
          window.latencies_ms.push_back(ms);
          ++total_ok;
        } else {
          ++window.errors;
          ++total_errors;
          if (window.first_error.empty()) window.first_error = error;
        }
      }
    });
  }
  std::printf("%8s %8s %8s %8s %8s %8s\n", "seconds", "calls/s", "ok", "errors", "p50_ms", "p99_ms");
  std::fflush(stdout);
  auto last = start;
  std::vector<double> all;
  while (Clock::now() < end) {
    std::this_thread::sleep_until(
        std::min(end, last + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval))));
    auto now = Clock::now();
    std::vector<double> lat;
    long errors = 0;
    std::string first_error;
    {
      std::lock_guard lock(window.mu);
      lat.swap(window.latencies_ms);
      errors = window.errors;
      window.errors = 0;
      first_error.swap(window.first_error);
    }
    double span = std::chrono::duration<double>(now - last).count();
    all.insert(all.end(), lat.begin(), lat.end());
    std::printf("%8.0f %8.0f %8zu %8ld %8.2f %8.2f\n", std::chrono::duration<double>(now - start).count(),
                static_cast<double>(lat.size() + static_cast<std::size_t>(errors)) / span, lat.size(), errors, Percentile(lat, 0.5),
                Percentile(lat, 0.99));
    if (!first_error.empty()) std::printf("  first error: %s\n", first_error.c_str());
    std::fflush(stdout);
    last = now;
  }
  stop = true;
  for (auto& w : workers) w.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("total %.0f s: %ld ok, %ld errors, %.0f calls/s, p50 %.2f ms, p99 %.2f ms\n", elapsed, total_ok.load(), total_errors.load(),
              static_cast<double>(total_ok.load()) / elapsed, Percentile(all, 0.5), Percentile(all, 0.99));
  return total_errors.load() == 0 ? 0 : 1;
}

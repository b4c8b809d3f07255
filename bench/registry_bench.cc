// registry_bench DB_URL REGISTRATIONS VOUCHES NETWORK_AGENTS QUERIES
//
// The registry through its HTTP API, in one process on loopback (server: 2 I/O threads; 4 client
// threads with keep-alive connections), on the backend DB_URL names (it must be empty):
//   - registrations/s: signed registration requests, prepared (signed) before the clock starts;
//     each one's HTTP signature and registration proof verified, then committed;
//   - vouch publications/s: the same for signed vouches;
//   - trust-query latency: GET /v1/trust on a seeded network of NETWORK_AGENTS agents with three
//     vouches each (bulk-loaded), from three anchors, for random agents: p50 and p99.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "aip/base/json.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "aip/registry/registry_client.h"
#include "aip/registry/registry_service.h"
#include "aip/registry/signed_request.h"
#include "aip/trust/vouch.h"

namespace {

using namespace aip;
using Steady = std::chrono::steady_clock;

struct Prepared {
  std::string target;
  net::Headers headers;
  std::string body;
};

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

// Fire sends every prepared request from `clients` threads; returns requests per second, and
// fails loudly if any answer is not `expect`.
double Fire(const std::string& url, const std::vector<Prepared>& requests, int clients, int expect) {
  std::atomic<std::size_t> next{0};
  std::atomic<int> bad{0};
  auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      net::HttpClient http(net::ParseUrl(url).value());
      for (std::size_t i = next++; i < requests.size(); i = next++) {
        auto res = http.Send("POST", requests[i].target, requests[i].headers, requests[i].body);
        if (!res || res->status != expect) {
          if (bad++ < 3) std::fprintf(stderr, "unexpected answer: %s\n", res ? res->body.c_str() : res.error().message.c_str());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double rate = static_cast<double>(requests.size()) / Seconds(Steady::now() - start);
  if (bad > 0) {
    std::fprintf(stderr, "%d requests failed\n", bad.load());
    std::exit(1);
  }
  return rate;
}

Prepared Sign(const identity::Identity& who, const std::string& url, const std::string& target, std::string body) {
  Prepared p{target, {}, std::move(body)};
  p.headers.Set("content-type", "application/json");
  if (!registry::SignRegistryRequest(who, "POST", url + target, p.headers, p.body).ok()) std::exit(1);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: registry_bench DB_URL REGISTRATIONS VOUCHES NETWORK_AGENTS QUERIES\n");
    return 2;
  }
  std::string db_url = argv[1];
  int registrations = std::atoi(argv[2]), vouches = std::atoi(argv[3]), network = std::atoi(argv[4]), queries = std::atoi(argv[5]);
  auto conn = sql::OpenDatabase(db_url);
  if (!conn) {
    std::fprintf(stderr, "%s\n", conn.error().message.c_str());
    return 1;
  }
  auto store = std::shared_ptr<registry::RegistryStore>(registry::RegistryStore::Open(std::move(*conn)).value());
  registry::RegistryOptions options;
  options.requests_per_second_per_address = 1e9;
  options.burst_per_address = 1e9;
  options.writes_per_second_per_did = 1e9;
  options.write_burst_per_did = 1e9;
  // The service is made once the port (its public URL) is known; no request comes before.
  auto slot = std::make_shared<std::shared_ptr<registry::RegistryService>>();
  net::HttpServerOptions http;
  http.threads = 2;
  auto server = net::HttpServer::Start(http, [slot](const net::HttpRequest& r, net::Exchange& e) { (*slot)->Handle(r, e); }).value();
  std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  options.public_url = url;
  auto service = std::make_shared<registry::RegistryService>(store, options);
  *slot = service;
  const char* backend = db_url.starts_with("sqlite:") ? "SQLite" : "PostgreSQL";
  TimePoint now = DefaultClock().Now();

  std::vector<identity::Identity> agents;
  std::vector<Prepared> regs;
  for (int i = 0; i < registrations; ++i) {
    agents.push_back(identity::Identity::Generate("bench-" + std::to_string(i), "bench", now));
    auto record = registry::CreateRegistration(agents.back(), {"bench agent " + std::to_string(i), "bench", "", ""}, now).value();
    regs.push_back(Sign(agents.back(), url, "/v1/agents", json::Serialize(record.document)));
  }
  double reg_rate = Fire(url, regs, 4, 201);

  std::mt19937_64 rng(42);
  std::vector<Prepared> pubs;
  for (int i = 0; i < vouches; ++i) {
    const auto& issuer = agents[rng() % agents.size()];
    const auto& subject = agents[(rng() % (agents.size() - 1) + 1 + (&issuer - agents.data())) % agents.size()];
    trust::VouchOptions o{subject.did(),
                          "GENERAL",
                          0.5 + 0.5 * static_cast<double>(rng() % 1000) / 1000,
                          "bench " + std::to_string(i),
                          now - std::chrono::hours(1),
                          std::nullopt};
    auto v = trust::CreateVouch(issuer, o).value();
    pubs.push_back(Sign(issuer, url, "/v1/vouches", json::Serialize(v.document)));
  }
  double vouch_rate = Fire(url, pubs, 4, 201);
  std::printf("%-10s registrations: %8.0f /s   vouch publications: %8.0f /s   (%d and %d, signed, verified, committed)\n", backend,
              reg_rate, vouch_rate, registrations, vouches);

  // The seeded network: NETWORK_AGENTS agents, each vouching for two others at random, and three
  // anchors that vouch for 100 agents each (networks have hubs). Signed on two threads, bulk-loaded.
  std::vector<identity::Identity> net_agents(network, identity::Identity::Generate("n", "bench", now));
  std::vector<std::vector<int>> out(network);
  for (int i = 0; i < network; ++i) {
    int fanout = i < 3 ? 100 : 2;
    for (int k = 0; k < fanout; ++k) {
      int j = static_cast<int>(rng() % network);
      if (j != i) out[i].push_back(j);
    }
  }
  auto seed_start = Steady::now();
  std::vector<std::vector<trust::Vouch>> signed_by(2);
  std::vector<std::thread> signers;
  for (int t = 0; t < 2; ++t) {
    signers.emplace_back([&, t] {
      for (int i = t; i < network; i += 2) net_agents[i] = identity::Identity::Generate("n", "bench", now);
    });
  }
  for (auto& th : signers) th.join();
  signers.clear();
  for (int t = 0; t < 2; ++t) {
    signers.emplace_back([&, t] {
      std::mt19937_64 wr(7 + t);
      for (int i = t; i < network; i += 2) {
        for (int j : out[i]) {
          trust::VouchOptions o{net_agents[j].did(),          "GENERAL",   0.3 + 0.7 * static_cast<double>(wr() % 1000) / 1000, "",
                                now - std::chrono::hours(24), std::nullopt};
          signed_by[t].push_back(trust::CreateVouch(net_agents[i], o).value());
        }
      }
    });
  }
  for (auto& th : signers) th.join();
  double sign_s = Seconds(Steady::now() - seed_start);
  std::size_t edge_total = 0;
  auto load_start = Steady::now();
  for (auto& part : signed_by) {
    for (std::size_t from = 0; from < part.size(); from += 20000) {
      std::vector<trust::Vouch> batch(part.begin() + from, part.begin() + std::min(part.size(), from + 20000));
      auto added = store->PutVouches(batch, now);
      if (!added) return 1;
      edge_total += *added;
    }
  }
  double load_s = Seconds(Steady::now() - load_start);
  auto index_start = Steady::now();
  if (!service->index().CatchUp().ok()) return 1;
  double index_s = Seconds(Steady::now() - index_start);
  // Agents the anchors reach within the engine's depth: the queries that do real work.
  std::vector<int> depth(network, -1), reached_set;
  std::vector<int> frontier = {0, 1, 2};
  for (int a : frontier) depth[a] = 0;
  for (int d = 1; d <= 5; ++d) {
    std::vector<int> next;
    for (int u : frontier) {
      for (int v : out[u]) {
        if (depth[v] < 0) {
          depth[v] = d;
          next.push_back(v);
          reached_set.push_back(v);
        }
      }
    }
    frontier = std::move(next);
  }
  std::string anchors = net_agents[0].did() + "," + net_agents[1].did() + "," + net_agents[2].did();
  net::HttpClient client(net::ParseUrl(url).value());
  auto measure = [&](bool reachable) {
    std::vector<double> lat;
    for (int q = 0; q < queries; ++q) {
      int k = reachable ? reached_set[rng() % reached_set.size()] : static_cast<int>(rng() % network);
      std::string target =
          "/v1/trust?subject=" + registry::EncodeComponent(net_agents[k].did()) + "&anchors=" + registry::EncodeComponent(anchors);
      auto t0 = Steady::now();
      auto res = client.Send("GET", target, net::Headers(), "");
      lat.push_back(Seconds(Steady::now() - t0) * 1e3);
      if (!res || res->status != 200) std::exit(1);
    }
    std::sort(lat.begin(), lat.end());
    return std::pair<double, double>(lat[lat.size() / 2], lat[lat.size() * 99 / 100]);
  };
  std::vector<double> base_lat;
  for (int q = 0; q < queries; ++q) {
    auto t0 = Steady::now();
    auto res = client.Send("GET", "/v1/health", net::Headers(), "");
    base_lat.push_back(Seconds(Steady::now() - t0) * 1e3);
    if (!res || res->status != 200) return 1;
  }
  std::sort(base_lat.begin(), base_lat.end());
  auto [r50, r99] = measure(true);
  auto [a50, a99] = measure(false);
  std::printf(
      "%-10s network: %d agents, %zu vouches (signed in %.1f s, loaded in %.1f s, indexed in %.1f s); %zu agents within 5 hops of 3 "
      "anchors\n",
      backend, network, edge_total, sign_s, load_s, index_s, reached_set.size());
  std::printf(
      "%-10s trust query over HTTP (answer with paths and their signed vouches): reached agents p50 %.2f ms, p99 %.2f ms;"
      " any agent p50 %.2f ms, p99 %.2f ms (an HTTP round trip alone, GET /v1/health: p50 %.2f ms)\n",
      backend, r50, r99, a50, a99, base_lat[base_lat.size() / 2]);
  server->Stop();
  return 0;
}

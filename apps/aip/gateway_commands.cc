// aip gateway (run, check-config), aip policy check.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>

#include "aip/base/file_io.h"
#include "aip/gateway/audit_log.h"
#include "aip/gateway/config.h"
#include "aip/gateway/gateway_service.h"
#include "aip/gateway/log.h"
#include "aip/gateway/pipeline/name_resolution.h"
#include "aip/mcp/jsonrpc.h"
#include "aip/net/http_server.h"
#include "cli.h"

namespace aip::cli {
namespace {

gateway::GatewayConfig LoadConfigOrFail(const std::string& path) {
  auto cfg = gateway::LoadConfig(path);
  if (!cfg) Fail(kVerificationFailed, cfg.error().message);
  return std::move(*cfg);
}

int RunGateway(const Context& ctx, const std::string& path) {
  gateway::GatewayConfig cfg = LoadConfigOrFail(path);
  Context gateway_ctx = ctx;
  if (!cfg.identity_home.empty()) gateway_ctx.store = identity::KeyStore(cfg.identity_home);
  auto identity = std::make_shared<const identity::Identity>(LoadIdentity(gateway_ctx).identity);
  // Signals are taken by this thread only (sigtimedwait), so no I/O thread is interrupted.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  net::RaiseFileLimit();
  auto service = Check(gateway::GatewayService::Start(std::move(cfg), path, identity));
  gateway::LogEvent("info", "listening", json::Object{{"url", service->url()}, {"did", identity->did()}});
  while (true) {
    timespec one_second{1, 0};
    int sig = sigtimedwait(&set, nullptr, &one_second);
    if (sig < 0) {
      service->Tick();
      continue;
    }
    if (sig == SIGHUP) {
      Status s = service->Reload();
      if (s.ok()) {
        gateway::LogEvent("info", "config_reloaded", json::Object{{"file", path}});
      } else {
        gateway::LogEvent("error", "config_refused",
                          json::Object{{"file", path}, {"error", s.message()}, {"message", "the previous configuration stays"}});
      }
      continue;
    }
    break;
  }
  gateway::LogEvent("info", "stopping");
  service->Stop();
  return kOk;
}

void AddGateway(CLI::App& app, Context& ctx) {
  auto* gw = app.add_subcommand("gateway", "Run the MCP gateway: aip gateway --config gateway.toml");
  gw->require_subcommand(0, 1);
  static std::string config_path;
  gw->add_option("--config", config_path, "Gateway configuration (TOML)");
  auto* check = gw->add_subcommand("check-config", "Check a gateway configuration; errors name file, line and field");
  static std::string check_path;
  check->add_option("file", check_path, "Configuration file")->required();
  check->callback([&ctx] {
    gateway::GatewayConfig cfg = LoadConfigOrFail(check_path);
    auto count = [](std::size_t n) { return static_cast<std::int64_t>(n); };
    Report(ctx,
           json::Object{{"file", check_path},
                        {"ok", true},
                        {"upstreams", count(cfg.upstreams.size())},
                        {"rules", count(cfg.policy->size())},
                        {"limits", count(cfg.limits->size())},
                        {"unsafe_allow_all", cfg.unsafe_allow_all}},
           check_path + ": ok (" + std::to_string(cfg.upstreams.size()) + " upstreams, " + std::to_string(cfg.policy->size()) + " rules, " +
               std::to_string(cfg.limits->size()) + " limits" + (cfg.unsafe_allow_all ? ", UNSAFE allow-all mode" : "") + ")");
  });
  gw->callback([gw, &ctx] {
    if (!gw->get_subcommands().empty()) return;
    if (config_path.empty()) Fail(kUsage, "gateway: --config FILE is required");
    int code = RunGateway(ctx, config_path);
    if (code != kOk) Fail(code, "gateway stopped");
  });
}

void AddPolicyCheck(CLI::App& app) {  // Prints JSON always; --json is accepted for symmetry.
  auto* policy = app.add_subcommand("policy", "Authorization policy tools");
  policy->require_subcommand(1);
  auto* check = policy->add_subcommand("check", "Explain the decision for one request, offline");
  static std::string config_path, request_path, principal, kind = "agent";
  static std::vector<std::string> scopes, roles, credentials;
  static std::string subject, client, resource_upstream;
  check->add_option("--config", config_path, "Gateway configuration (TOML) holding the rules")->required();
  check->add_option("--principal", principal, "Caller id (a DID), or \"anonymous\"")->required();
  check->add_option("--kind", kind, "agent | api_key | user | bot")->check(CLI::IsMember({"agent", "api_key", "user", "bot"}));
  check->add_option("--credential", credentials,
                    "A credential the caller presented, for rules that require one (repeatable; default: the kind's usual one — "
                    "agent: aip-proof, bot: web-bot-auth, api_key: api-key, user: access-token)");
  check->add_option("--scope", scopes, "A scope the caller holds (repeatable)");
  check->add_option("--role", roles, "A role the caller holds (repeatable)");
  check->add_option("--subject", subject, "The user the caller acts for");
  check->add_option("--client", client, "The client acting for that user (a token's client_id)");
  check->add_option("--upstream", resource_upstream, "For resources/read: the upstream serving the URI");
  check->add_option("--request", request_path, "JSON-RPC request file (tools/call, resources/read, prompts/get); - for stdin")->required();
  check->callback([] {
    gateway::GatewayConfig cfg = LoadConfigOrFail(config_path);
    auto text = Check(ReadFile(request_path, 4 * 1024 * 1024), kUsage);
    auto request = Check(json::ParseJsonObject(text), kUsage);
    const json::Value* method = request.if_contains("method");
    const json::Value* params = request.if_contains("params");
    if (method == nullptr || !method->is_string()) Fail(kUsage, "the request needs a \"method\"");
    if (params != nullptr && !params->is_object()) Fail(kUsage, "\"params\" must be an object");
    std::string_view m = method->get_string();
    if (m == "tools/list" || m == "prompts/list" || m == "resources/list" || m == "resources/templates/list") {
      // Lists are filtered, not decided: each caller sees the items its rules let it use.
      PrintJson(json::Object{{"decision", "filtered"},
                             {"action", m},
                             {"reason",
                              "a list is not refused: the gateway shows each caller only the items its rules allow; "
                              "check a tools/call, prompts/get or resources/read for an item"}});
      return;
    }
    if (m != "tools/call" && m != "prompts/get" && m != "resources/read") {
      Fail(kUsage, "policy check decides tools/call, prompts/get and resources/read (and explains lists), not " + std::string(m));
    }
    json::Object no_params;
    const json::Object& p = params != nullptr ? params->get_object() : no_params;
    std::string target, upstream;
    json::Object arguments;
    if (method->get_string() == "resources/read") {
      if (!p.contains("uri") || !p.at("uri").is_string()) Fail(kUsage, "resources/read needs params.uri");
      target = std::string(p.at("uri").get_string());
      if (resource_upstream.empty()) Fail(kUsage, "resources/read: name the upstream with --upstream");
      upstream = resource_upstream;
    } else {
      if (!p.contains("name") || !p.at("name").is_string()) Fail(kUsage, "the request needs params.name");
      auto split = gateway::SplitName(p.at("name").get_string());
      if (!split) Fail(kUsage, "params.name must be namespaced: <upstream>.<name>");
      upstream = split->first;
      target = split->second;
      if (const json::Value* a = p.if_contains("arguments"); a != nullptr && a->is_object()) arguments = a->get_object();
    }
    authn::Principal who;
    bool anonymous = principal == "anonymous";
    if (!anonymous) {
      who.kind = authn::KindFromName(kind).value_or(authn::Principal::Kind::kAgent);  // --kind is checked above.
      who.id = principal;
      if (principal.starts_with("did:")) who.did = principal;
      who.scopes = scopes;
      who.roles = roles;
      who.subject = subject;
      who.client_id = client;
      who.credentials = credentials;
      if (who.credentials.empty()) {
        static const std::map<std::string, std::string> usual{
            {"agent", "aip-proof"}, {"bot", "web-bot-auth"}, {"api_key", "api-key"}, {"user", "access-token"}};
        who.credentials.push_back(usual.at(kind));
      }
    }
    policy::Request q{anonymous ? nullptr : &who, upstream, std::string(method->get_string()), target, &arguments};
    policy::Decision d =
        cfg.unsafe_allow_all
            ? policy::Decision{true, "unsafe_allow_all", "development mode: everything allowed", policy::denial::kAllowed, {}, {}, {}}
            : cfg.policy->Evaluate(q);
    json::Object out{{"decision", d.allow ? "allow" : "deny"},
                     {"rule", d.rule_id.empty() ? json::Value(nullptr) : json::Value(d.rule_id)},
                     {"reason", d.reason},
                     {"code", d.code},
                     {"principal", anonymous ? "anonymous" : principal},
                     {"upstream", upstream},
                     {"action", method->get_string()},
                     {"target", target}};
    if (!d.field.empty()) out["field"] = d.field;
    if (!d.detail.empty()) out["detail"] = d.detail;
    if (!d.closest_rule.empty()) out["closest_rule"] = d.closest_rule;
    PrintJson(out);
    if (!d.allow) Fail(kVerificationFailed, "denied: " + d.reason);
  });
}

}  // namespace

void AddGatewayCommands(CLI::App& app, Context& ctx) {
  AddGateway(app, ctx);
  AddPolicyCheck(app);
}

}  // namespace aip::cli

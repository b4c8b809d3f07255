// aip audit verify (a log or a rotated series, optionally against a witness) and aip audit
// witness (a witness server that countersigns gateways' checkpoints).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>

#include "aip/gateway/audit_chain.h"
#include "aip/gateway/audit_witness.h"
#include "aip/gateway/log.h"
#include "aip/mcp/http_transport.h"
#include "aip/net/form.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "cli.h"

namespace aip::cli {
namespace {

// FetchReceipt asks the witness for the latest receipt it signed for `signer`.
gateway::AuditReceipt FetchReceipt(const std::string& witness, const std::string& witness_did, const std::string& signer) {
  auto url =
      Check(net::ParseUrl(witness + (witness.find('?') == std::string::npos ? "?" : "&") + "signer=" + net::FormEncode(signer)), kUsage);
  net::HttpClient client(url);
  auto res = Check(client.Send("GET", url.target, net::Headers(), ""), kError);
  if (res.status == 404) Fail(kVerificationFailed, "the witness has no checkpoint of " + signer);
  if (res.status != 200) Fail(kError, "the witness answered HTTP " + std::to_string(res.status));
  auto doc = Check(json::ParseJsonObject(res.body), kError);
  auto receipt = gateway::VerifyAuditReceipt(doc, witness_did);
  if (!receipt) Fail(kVerificationFailed, "witness receipt: " + receipt.error().message);
  if (receipt->signer != signer) Fail(kVerificationFailed, "the witness's receipt is for " + receipt->signer);
  return *receipt;
}

void AddAuditVerify(CLI::App& audit, Context& ctx) {
  auto* verify = audit.add_subcommand("verify", "Verify an audit log's hash chain and signed checkpoints");
  static std::vector<std::string> files;
  static std::string signer, witness, witness_did;
  static bool partial = false;
  verify->add_option("files", files, "Audit log, or every file of a rotated series (any order: e.g. audit.jsonl*)")->required();
  verify->add_option("--signer", signer, "The gateway DID that must have signed the checkpoints");
  verify->add_flag("--partial", partial, "Accept a series whose oldest files were deleted (it starts mid-chain)");
  verify->add_option("--witness", witness, "Also check the log holds the latest checkpoint this witness countersigned (needs --signer)");
  verify->add_option("--witness-did", witness_did, "The witness's DID that must have signed its receipt");
  verify->callback([&ctx] {
    gateway::AuditVerifyOptions options;
    options.expected_signer = signer;
    options.partial = partial;
    std::optional<gateway::AuditReceipt> receipt;
    if (!witness.empty()) {
      if (signer.empty()) Fail(kUsage, "--witness needs --signer (the gateway whose receipt to ask for)");
      receipt = FetchReceipt(witness, witness_did, signer);
      options.find_seq = receipt->seq;
    }
    auto started = std::chrono::steady_clock::now();
    auto report = gateway::VerifyAuditFiles(files, options);
    if (!report) Fail(kVerificationFailed, report.error().message);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (receipt) {
      // Cut back past a witnessed checkpoint, or rewritten up to it: either way not the log the
      // witness saw.
      if (report->next_seq <= receipt->seq) {
        Fail(kVerificationFailed, "truncated: the witness countersigned checkpoint " + std::to_string(receipt->seq) +
                                      " but the log ends before it (last seq " + std::to_string(report->next_seq - 1) + ")");
      }
      if (report->found_hash != receipt->line_sha256) {
        Fail(kVerificationFailed, "line seq " + std::to_string(receipt->seq) + " is not the checkpoint the witness countersigned");
      }
    }
    double mb = static_cast<double>(report->bytes) / 1e6;
    if (ctx.json) {
      json::Array names;
      for (const auto& f : report->files) names.emplace_back(f);
      json::Object out{{"ok", true},
                       {"files", std::move(names)},
                       {"lines", static_cast<std::int64_t>(report->lines)},
                       {"checkpoints", static_cast<std::int64_t>(report->checkpoints)},
                       {"signer", report->signer.empty() ? json::Value(nullptr) : json::Value(report->signer)},
                       {"signer_checked", !signer.empty()},
                       {"first_seq", static_cast<std::int64_t>(report->first_seq)},
                       {"unsealed_tail", static_cast<std::int64_t>(report->unsealed_tail)},
                       {"bytes", static_cast<std::int64_t>(report->bytes)},
                       {"seconds", seconds}};
      if (receipt) out["witnessed"] = json::Object{{"seq", static_cast<std::int64_t>(receipt->seq)}, {"witness", receipt->witness}};
      PrintJson(out);
      return;
    }
    std::string what = report->files.size() == 1 ? report->files[0] : std::to_string(report->files.size()) + " files";
    std::cout << what << ": ok: " << report->lines << " lines, " << report->checkpoints << " signed checkpoints";
    if (!report->signer.empty()) std::cout << " by " << report->signer;
    char speed[96];
    std::snprintf(speed, sizeof speed, " (%.1f MB in %.2f s, %.0f MB/s)\n", mb, seconds, seconds > 0 ? mb / seconds : 0.0);
    std::cout << speed;
    if (receipt) {
      std::cout << "witnessed: checkpoint seq " << receipt->seq << " countersigned by " << receipt->witness << " is in the log\n";
    }
    if (report->first_seq > 0)
      std::cout << "note: the series starts at line seq " << report->first_seq << "; earlier files were not checked\n";
    if (report->unsealed_tail > 0) {
      std::cout << "note: the last " << report->unsealed_tail
                << " lines follow the last checkpoint; deleting them would not be detected until the next checkpoint\n";
    }
    if (signer.empty() && report->checkpoints > 0) {
      std::cout << "note: pass --signer DID to check that this is your gateway's key\n";
    }
  });
}

void AddAuditWitness(CLI::App& audit, Context& ctx) {
  auto* cmd = audit.add_subcommand("witness", "Countersign gateways' audit checkpoints (a witness server)");
  static std::string listen = "127.0.0.1:8710", state;
  static std::vector<std::string> gateways;
  cmd->add_option("--listen", listen, "HOST:PORT (default 127.0.0.1:8710)");
  cmd->add_option("--gateway", gateways, "DID of a gateway whose checkpoints it countersigns (repeatable)")->required();
  cmd->add_option("--state", state, "File keeping the latest receipt per gateway (default $AIP_HOME/witness.json)");
  cmd->callback([&ctx] {
    auto key = std::make_shared<const identity::Identity>(LoadIdentity(ctx).identity);
    if (state.empty()) state = (ctx.store.home() / "witness.json").string();
    auto witness = std::shared_ptr<gateway::AuditWitness>(
        Check(gateway::AuditWitness::Open(state, key, std::set<std::string>(gateways.begin(), gateways.end())), kUsage));
    auto where = Check(net::ParseHostPort(listen), kUsage);
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM}) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    net::HttpServerOptions options;
    options.address = where.host;
    options.port = where.port;
    options.max_body_bytes = 64 * 1024;
    auto server = Check(net::HttpServer::Start(options, [witness](const net::HttpRequest& req, net::Exchange& ex) {
      auto problem = [](int status, const std::string& why) { return mcp::JsonHttpResponse(status, json::Object{{"error", why}}); };
      if (req.method == "POST") {
        auto receipt = witness->Witness(req.body);
        if (receipt) return ex.Respond(mcp::JsonHttpResponse(200, *receipt));
        int status = receipt.error().code == ErrorCode::kAlreadyExists      ? 409
                     : receipt.error().code == ErrorCode::kPermissionDenied ? 403
                     : receipt.error().code == ErrorCode::kUnauthenticated  ? 401
                     : receipt.error().code == ErrorCode::kInvalidArgument  ? 400
                                                                            : 500;
        gateway::LogEvent(status == 409 ? "error" : "warning", "checkpoint_refused",
                          json::Object{{"status", status}, {"reason", receipt.error().message}});
        return ex.Respond(problem(status, receipt.error().message));
      }
      if (req.method == "GET") {
        std::string_view target = req.target;
        std::size_t q = target.find('?');
        auto query = net::ParseForm(q == std::string_view::npos ? "" : target.substr(q + 1));
        if (!query || !query->count("signer")) return ex.Respond(problem(400, "GET ?signer=DID"));
        auto latest = witness->Latest(query->at("signer"));
        return ex.Respond(latest ? mcp::JsonHttpResponse(200, *latest) : problem(404, latest.error().message));
      }
      ex.Respond(problem(405, "POST a checkpoint line, or GET ?signer=DID"));
    }));
    gateway::LogEvent("info", "listening",
                      json::Object{{"url", "http://" + where.host + ":" + std::to_string(server->port()) + "/"}, {"did", key->did()}});
    int sig = 0;
    sigwait(&set, &sig);
    server->Stop(std::chrono::seconds(2));
  });
}

}  // namespace

void AddAuditCommands(CLI::App& app, Context& ctx) {
  auto* audit = app.add_subcommand("audit", "Audit log tools");
  audit->require_subcommand(1);
  AddAuditVerify(*audit, ctx);
  AddAuditWitness(*audit, ctx);
}

}  // namespace aip::cli

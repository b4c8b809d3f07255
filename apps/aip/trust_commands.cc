// aip vouch | revoke | trust ...: vouching for other agents, and this agent's own trust scores
// (docs/trust.md). Everything lives in the local trust store, $AIP_HOME/trust.db.
#include <fstream>
#include <iostream>

#include "aip/base/file_io.h"
#include "aip/registry/registry_client.h"
#include "aip/trust/legacy_vouch.h"
#include "aip/trust/trust_store.h"
#include "aip/trust/trust_view.h"
#include "cli.h"

namespace aip::cli {
namespace {

struct TrustFlags {
  std::string db;
  std::string did;
  std::string scope;
  double weight = 1.0;
  std::string statement;
  std::string expires;
  std::string out;
  std::string file;
  bool explain = false;
  bool json = false;
  bool publish = false;
  std::string registry;
  std::vector<std::string> anchors;
};

TrustFlags f;  // CLI11 writes the parsed flags here; one command runs per process.

std::shared_ptr<trust::TrustStore> OpenStore(const TrustFlags& flags) {
  return Check(trust::TrustStore::Open(flags.db.empty() ? trust::DefaultTrustDatabasePath().string() : flags.db));
}

void Emit(const json::Object& doc, const std::string& out) {
  std::string text = json::Serialize(doc) + "\n";
  if (out.empty()) {
    std::cout << text;
  } else {
    Check(WriteFileAtomic(out, text, 0644));
  }
}

// Import adds one document — a vouch, a revocation, or a Python AIP vouch — after verifying it.
std::string Import(trust::TrustStore& store, const json::Object& doc, const std::optional<std::string>& me) {
  TimePoint now = DefaultClock().Now();
  const json::Value* types = doc.if_contains("type");
  bool vc = types != nullptr && types->is_array() && types->get_array().size() == 2;
  if (vc && types->get_array()[1] == json::Value("AipVouchRevocation")) {
    auto r = Check(trust::VerifyRevocation(doc), kVerificationFailed);
    return Check(store.AddRevocation(r)) ? "revocation of " + r.vouch_id : "known revocation of " + r.vouch_id;
  }
  trust::Vouch v =
      vc ? Check(trust::VerifyVouch(doc), kVerificationFailed) : Check(trust::ImportLegacyVouch(doc, now), kVerificationFailed);
  std::string origin = !vc ? "legacy" : me && v.issuer == *me ? "issued" : me && v.subject == *me ? "received" : "imported";
  bool added = Check(store.AddVouch(v, origin, now), kVerificationFailed);
  return (added ? "vouch " : "known vouch ") + v.id + " (" + v.issuer + " -> " + v.subject + ", " + v.scope + ")";
}

void PrintResult(const trust::TrustResult& r, const std::string& did, const std::string& scope, bool explain, bool as_json) {
  if (as_json) {
    json::Object o = trust::JsonOf(r);
    o["did"] = did;
    o["scope"] = scope;
    PrintJson(o);
    return;
  }
  std::printf("%.4f\n", r.score);
  if (!r.note.empty()) std::cerr << "aip: " << did << ": " << r.note << "\n";
  if (!explain) return;
  if (r.anchor) std::cout << "  " << did << " is an anchor\n";
  for (const auto& p : r.paths) {
    std::printf("  %.4f (%3.0f%%)  ", p.contribution, r.score > 0 ? 100 * std::min(1.0, p.contribution / r.score) : 0.0);
    for (std::size_t i = 0; i < p.dids.size(); ++i) {
      if (i > 0) {
        // Rounded, not cut: a weight-1 vouch a minute old counts 0.99999…, which is "1.00".
        char weight[16];
        std::snprintf(weight, sizeof weight, "%.2f", p.weights[i - 1]);
        std::cout << " -(" << weight << ")-> ";
      }
      std::cout << p.dids[i];
    }
    std::cout << "\n";
  }
  if (r.paths.empty() && !r.anchor) std::cout << "  no path from an anchor\n";
  if (!r.paths.empty()) std::cout << "  (weights as counted: a vouch's weight halves with each year of its age, docs/trust.md)\n";
  std::printf("  unexplained %.4f (longer walks, paths past the top %zu)\n", r.unexplained, r.paths.size());
}

// Publish sends a signed document to the registry (the request is signed by this agent).
void Publish(const identity::Identity& me, std::string_view route, const json::Object& doc) {
  auto client = Check(registry::RegistryClient::Connect(RegistryUrl(f.registry)), kUsage);
  auto answer = Check(client.Publish(me, route, doc), kError);
  std::cerr << "aip: published to " << client.base_url() << " (" << json::OptionalString(answer, "outcome").value_or("") << ")\n";
}

}  // namespace

void AddTrustCommands(CLI::App& app, Context& ctx) {
  auto db_option = [](CLI::App* c) {
    c->add_option("--db", f.db, "Trust store: a SQLite path (default $AIP_HOME/trust.db) or a postgresql:// URL");
  };

  auto* vouch = app.add_subcommand("vouch", "Vouch for another agent: sign a scoped, weighted, expiring statement");
  db_option(vouch);
  vouch->add_option("DID", f.did, "The agent vouched for")->required();
  vouch->add_option("--scope", f.scope, "GENERAL (default), CODE_SIGNING, FINANCIAL, INFORMATION, IDENTITY, or tools:<glob> ...");
  vouch->add_option("--weight", f.weight, "How much, in (0, 1] (default 1)");
  vouch->add_option("--statement", f.statement, "Why, in words");
  vouch->add_option("--expires", f.expires, "Lifetime: 365d, 12h ... (default: none; age still lowers its weight)");
  vouch->add_option("--out", f.out, "Write the vouch here (default: stdout)");
  vouch->add_flag("--publish", f.publish, "Also publish it to a registry (--registry URL or $AIP_REGISTRY)");
  vouch->add_option("--registry", f.registry, "Registry base URL for --publish");
  vouch->callback([&ctx] {
    auto me = LoadIdentity(ctx).identity;
    TimePoint now = DefaultClock().Now();
    trust::VouchOptions o{f.did, f.scope.empty() ? "GENERAL" : f.scope, f.weight, f.statement, now, std::nullopt};
    if (!f.expires.empty()) o.valid_until = now + Check(ParseDuration(f.expires), kUsage);
    auto v = Check(trust::CreateVouch(me, o), kUsage);
    Check(OpenStore(f)->AddVouch(v, "issued", now));
    Emit(v.document, f.out);
    std::cerr << "aip: vouched for " << v.subject << " in " << v.scope << " (weight " << v.weight << "): " << v.id << "\n";
    if (f.publish) Publish(me, "/v1/vouches", v.document);
  });

  auto* revoke = app.add_subcommand("revoke", "Revoke a vouch this agent issued");
  db_option(revoke);
  revoke->add_option("VOUCH", f.did, "The vouch id (sha256:...) or at least 12 characters of it")->required();
  revoke->add_option("--out", f.out, "Write the revocation here (default: stdout), to hand to whoever holds the vouch");
  revoke->add_flag("--publish", f.publish, "Also publish it to a registry (--registry URL or $AIP_REGISTRY)");
  revoke->add_option("--registry", f.registry, "Registry base URL for --publish");
  revoke->callback([&ctx] {
    auto store = OpenStore(f);
    auto found = Check(store->FindVouch(f.did), kUsage);
    auto me = LoadIdentity(ctx).identity;
    auto r = Check(trust::CreateRevocation(me, found.vouch, DefaultClock().Now()), kVerificationFailed);
    Check(store->AddRevocation(r));
    Emit(r.document, f.out);
    std::cerr << "aip: revoked " << r.vouch_id << "\n";
    if (f.publish) Publish(me, "/v1/revocations", r.document);
  });

  auto* group = app.add_subcommand("trust", "This agent's trust store: anchors, scores and their paths, import and export");
  group->require_subcommand(1);
  auto* anchors = group->add_subcommand("anchors", "The agents trusted fully, from which scores start (this agent always is one)");
  anchors->require_subcommand(1);
  auto* add = anchors->add_subcommand("add", "Add an anchor");
  db_option(add);
  add->add_option("DID", f.did, "The agent to trust fully")->required();
  add->callback([&ctx] {
    Check(OpenStore(f)->AddAnchor(f.did, DefaultClock().Now()), kUsage);
    Report(ctx, json::Object{{"anchor_added", f.did}}, "anchor added: " + f.did);
  });
  auto* remove = anchors->add_subcommand("remove", "Remove an anchor");
  db_option(remove);
  remove->add_option("DID", f.did, "The anchor to remove")->required();
  remove->callback([&ctx] {
    Check(OpenStore(f)->RemoveAnchor(f.did), kUsage);
    Report(ctx, json::Object{{"anchor_removed", f.did}}, "anchor removed: " + f.did);
  });
  auto* list = anchors->add_subcommand("list", "List the anchors");
  db_option(list);
  list->callback([&ctx] {
    auto me = OwnDid(ctx);
    auto stored = Check(OpenStore(f)->Anchors());
    if (ctx.json) {
      json::Array out;
      if (me) out.emplace_back(json::Object{{"did", *me}, {"self", true}});
      for (const auto& a : stored) out.emplace_back(json::Object{{"did", a}, {"self", false}});
      PrintJson(out);
      return;
    }
    if (me) std::cout << *me << " (this agent)\n";
    for (const auto& a : stored) std::cout << a << "\n";
  });

  auto score_command = [&ctx, db_option](CLI::App* c, bool paths_only) {
    db_option(c);
    c->add_option("DID", f.did, "The agent to score")->required();
    c->add_option("--scope", f.scope, "Count only vouches covering this scope (default: all)");
    c->add_flag("--json", f.json, "Print JSON");
    c->add_option("--anchor", f.anchors, "Also start from this DID (repeatable; as a gateway configured with it would)");
    if (!paths_only) c->add_flag("--explain", f.explain, "Show the strongest paths from the anchors");
    c->callback([&ctx, paths_only] {
      std::vector<std::string> extra = f.anchors;
      if (auto me = OwnDid(ctx)) extra.push_back(*me);
      trust::TrustView view(OpenStore(f), {}, extra);
      Check(view.Refresh());
      PrintResult(view.Score(f.did, f.scope, DefaultClock().Now()), f.did, f.scope, f.explain || paths_only, f.json);
    });
  };
  score_command(group->add_subcommand("score", "This agent's trust score for another, in [0, 1]"), false);
  score_command(group->add_subcommand("paths", "The strongest vouch paths from the anchors to an agent"), true);

  auto* import = group->add_subcommand("import", "Import vouches and revocations (ours, or Python AIP vouches), each verified");
  db_option(import);
  import->add_option("FILE", f.file, "A JSON document, an array of them, or an export (- for stdin)")->required();
  import->callback([&ctx] {
    auto doc = Check(json::ParseJson(Check(ReadFile(f.file, 256 << 20))), kUsage);
  std::vector<json::Object> docs;
  if (doc.is_array()) {
    for (auto& d : doc.as_array()) {
      if (d.is_object()) docs.push_back(d.as_object());
    }
  } else if (doc.is_object() && doc.as_object().contains("vouches")) {
    for (const char* key : {"vouches", "revocations"}) {
      const json::Value* items = doc.as_object().if_contains(key);
      if (items == nullptr || !items->is_array()) continue;
      for (auto& d : items->get_array()) {
        if (d.is_object()) docs.push_back(d.get_object());
      }
    }
  } else if (doc.is_object()) {
    docs.push_back(doc.as_object());
  }
  auto store = OpenStore(f);
  auto me = OwnDid(ctx);
  json::Array results;
  for (const auto& d : docs) {
    std::string result = Import(*store, d, me);
    if (ctx.json) {
      results.emplace_back(result);
    } else {
      std::cout << result << "\n";
    }
  }
  if (ctx.json) PrintJson(json::Object{{"imported", std::move(results)}});
});

auto* exp = group->add_subcommand("export", "Export every vouch and revocation in the store");
db_option(exp);
exp->add_option("FILE", f.out, "Where to write (default: stdout)");
exp->callback([] {
  auto store = OpenStore(f);
  json::Array vouches, revocations;
  for (const auto& v : Check(store->Vouches())) vouches.emplace_back(v.vouch.document);
  for (const auto& r : Check(store->Revocations())) revocations.emplace_back(r.document);
  Emit(json::Object{{"vouches", std::move(vouches)}, {"revocations", std::move(revocations)}}, f.out);
});
}  // namespace aip::cli

}  // namespace aip::cli

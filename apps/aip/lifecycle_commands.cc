// aip key rotate | key publish | deactivate: an identity's key changing, and its end — in the
// identity file, in this agent's trust store, and (with --publish) at a registry
// (docs/registry.md, "Rotation and deactivation").
#include <iostream>

#include "aip/base/file_io.h"
#include "aip/identity/deactivation.h"
#include "aip/registry/registry_client.h"
#include "aip/trust/trust_store.h"
#include "cli.h"

namespace aip::cli {
namespace {

struct LifecycleFlags {
  bool publish = false, json = false, yes = false;
  std::string registry, db;
};
LifecycleFlags f;  // CLI11 writes the parsed flags here; one command runs per process.

std::shared_ptr<trust::TrustStore> Store() {
  return Check(trust::TrustStore::Open(f.db.empty() ? trust::DefaultTrustDatabasePath().string() : f.db));
}

void AddCommonOptions(CLI::App* c, bool publish) {
  if (publish) c->add_flag("--publish", f.publish, "Also publish to a registry (--registry URL or $AIP_REGISTRY)");
  c->add_option("--registry", f.registry, "Registry base URL (default: $AIP_REGISTRY)");
  c->add_option("--db", f.db, "Trust database (default: $AIP_HOME/trust.db)");
  c->add_flag("--json", f.json, "Print JSON");
}

// ResignVouches re-issues, under the new key, each vouch in force the old key issued: once its
// rotation is known a retired key's signatures count for nothing (a stolen one could backdate
// them), so the identity's word must be given again by its current key.
std::vector<trust::Vouch> ResignVouches(trust::TrustStore& store, const identity::Identity& me, std::string_view old_did, TimePoint now) {
  std::vector<trust::Vouch> out;
  for (const auto& held : Check(store.Vouches())) {
    const trust::Vouch& v = held.vouch;
    if (held.origin != "issued" || held.revoked || v.issuer != old_did || v.subject == me.did()) continue;
    if (v.valid_until && *v.valid_until <= now) continue;
    trust::VouchOptions o{v.subject, v.scope, v.weight, v.statement, now, v.valid_until};
    auto renewed = Check(trust::CreateVouch(me, o));
    Check(store.AddVouch(renewed, "issued", now));
    out.push_back(std::move(renewed));
  }
  return out;
}

// PublishIdentity sends this identity's rotation history, its registration under the current key
// (the profile carried over from the newest registered earlier key) and the vouches its current
// key issued. Each is idempotent: what the registry holds already comes back "unchanged". A
// refusal is reported with `hint` (what already happened here).
json::Object PublishIdentity(const identity::Identity& me, trust::TrustStore& store, std::string_view hint = "") {
  auto client = Check(registry::RegistryClient::Connect(RegistryUrl(f.registry)), kUsage);
  auto sent = [&](Result<json::Object> answer) {
    if (!answer) Fail(kError, answer.error().message + std::string(hint));
  };
  json::Object report{{"registry", client.base_url()}};
  int rotations = 0, vouches = 0;
  for (const auto& r : me.rotations()) {
    sent(client.Publish(me, "/v1/rotations", r.ToJson()));
    ++rotations;
  }
  report["rotations"] = rotations;
  // The registration moves to the new key when an earlier key was registered.
  std::optional<json::Object> profile;
  for (auto it = me.rotations().rbegin(); it != me.rotations().rend() && !profile; ++it) {
    if (auto agent = client.Agent(it->previous_did)) profile = std::move(*agent);
  }
  if (profile && !client.Agent(me.did())) {
    auto field = [&](const char* name) { return std::string(json::OptionalString(*profile, name).value_or("")); };
    sent(client.Register(me, registry::Profile{field("name"), field("platform"), field("description"), field("url")}));
    report["registered"] = me.did();
  }
  for (const auto& held : Check(store.Vouches())) {
    if (held.origin != "issued" || held.revoked || held.vouch.issuer != me.did()) continue;
    sent(client.Publish(me, "/v1/vouches", held.vouch.document));
    ++vouches;
  }
  report["vouches"] = vouches;
  return report;
}

std::filesystem::path DeactivationPath(const Context& ctx) { return ctx.store.home() / "deactivation.json"; }

}  // namespace

std::optional<identity::Deactivation> LocalDeactivation(const Context& ctx) {
  auto text = ReadFile(DeactivationPath(ctx), 64 * 1024);
  if (!text) return std::nullopt;
  auto doc = json::ParseJson(*text);
  if (!doc) return std::nullopt;
  auto d = identity::Deactivation::FromJson(*doc);
  if (!d || !d->Verify().ok()) return std::nullopt;
  return *d;
}

void AddLifecycleCommands(CLI::App& app, Context& ctx) {
  CLI::App* key = app.get_subcommand("key");
  auto* rotate = key->add_subcommand("rotate", "Replace the key; the old key signs the new one, which countersigns");
  AddCommonOptions(rotate, true);
  rotate->callback([&ctx] {
    LoadedIdentity li = LoadIdentity(ctx);
    if (li.from_environment) Fail(kUsage, "cannot rotate a key given in AIP_PRIVATE_KEY");
    std::string old_did = li.identity.did();
    TimePoint now = DefaultClock().Now();
    Check(li.identity.Rotate(crypto::Ed25519PrivateKey::Generate(), now));
    Check(ctx.store.Save(li.identity, li.passphrase, /*overwrite=*/true));
    auto store = Store();
    Check(store->AddRotation(li.identity.rotations().back()));
    std::vector<trust::Vouch> renewed = ResignVouches(*store, li.identity, old_did, now);
    json::Object out{{"previous", old_did},
                     {"current", li.identity.did()},
                     {"did_aip", li.identity.did_aip()},
                     {"rotation", li.identity.rotations().back().ToJson()},
                     {"vouches_resigned", renewed.size()}};
    if (f.publish) {
      out["published"] = PublishIdentity(li.identity, *store,
                                         " (the key was rotated here, to " + li.identity.did() + "; `aip key publish` sends it again)");
    }
    if (f.json) {
      PrintJson(out);
      return;
    }
    std::cout << "Rotated key.\n  previous: " << old_did << "\n  current:  " << li.identity.did()
              << "\n  did:aip:  " << li.identity.did_aip() << "\n";
    if (!renewed.empty()) std::cout << "  re-signed " << renewed.size() << " vouch(es) this identity issued, under the new key\n";
    if (f.publish) {
      const json::Object& p = out["published"].as_object();
      std::cout << "  published to " << p.at("registry").as_string() << ": " << p.at("rotations").as_int64() << " rotation(s), "
                << p.at("vouches").as_int64() << " vouch(es)" << (p.contains("registered") ? ", registration moved to the new key" : "")
                << "\n";
    } else {
      std::cout << "  publish it with `aip key publish` so registries and verifiers follow the identity to the new key\n";
    }
  });

  auto* publish = key->add_subcommand("publish", "Publish this identity's rotation history, registration and vouches to a registry");
  AddCommonOptions(publish, false);
  publish->callback([&ctx] {
    LoadedIdentity li = LoadIdentity(ctx);
    json::Object out = PublishIdentity(li.identity, *Store());
    if (f.json) {
      PrintJson(out);
      return;
    }
    std::cout << "Published to " << out["registry"].as_string() << ": " << out["rotations"].as_int64() << " rotation(s), "
              << out["vouches"].as_int64() << " vouch(es)" << (out.contains("registered") ? ", registration moved to the current key" : "")
              << "\n";
  });

  auto* deactivate = app.add_subcommand("deactivate", "End this identity for good: it signs nothing more, registries refuse its writes");
  AddCommonOptions(deactivate, true);
  deactivate->add_flag("--yes", f.yes, "Confirm: a deactivation cannot be undone");
  deactivate->callback([&ctx] {
    LoadedIdentity li = LoadIdentity(ctx, /*allow_deactivated=*/true);
    std::optional<identity::Deactivation> d = LocalDeactivation(ctx);
    if (d && d->did != li.identity.did()) d.reset();
    if (!d) {
      if (!f.yes) Fail(kUsage, "deactivating " + li.identity.did() + " cannot be undone; pass --yes to confirm");
      d = identity::Deactivation::Create(li.identity, DefaultClock().Now());
      Check(WriteFileAtomic(DeactivationPath(ctx), json::Serialize(d->ToJson()) + "\n", 0644));
    }
    Check(Store()->AddDeactivation(*d));
    json::Object out{{"deactivated", d->did}, {"created", FormatTime(d->created)}, {"record", d->ToJson()}};
    if (f.publish) {
      auto client = Check(registry::RegistryClient::Connect(RegistryUrl(f.registry)), kUsage);
      // Once the registry holds it, it refuses this key's requests: look before sending again.
      auto held = Check(client.History(d->did), kError);
      std::string outcome = "unchanged";
      if (!held.deactivation) {
        auto answer = Check(client.Publish(li.identity, "/v1/deactivations", d->ToJson()), kError);
        outcome = std::string(json::OptionalString(answer, "outcome").value_or(""));
      }
      out["published"] = json::Object{{"registry", client.base_url()}, {"outcome", outcome}};
    }
    if (f.json) {
      PrintJson(out);
      return;
    }
    std::cout << "Deactivated " << d->did << " (" << FormatTime(d->created) << "); it signs nothing more.\n";
    if (f.publish) {
      std::cout << "  published to " << out["published"].as_object().at("registry").as_string() << " ("
                << out["published"].as_object().at("outcome").as_string() << ")\n";
    } else {
      std::cout << "  publish it with `aip deactivate --publish` so registries refuse its writes and verifiers drop it\n";
    }
  });
}

}  // namespace aip::cli

// aip init | whoami | did show | did document | did resolve
#include <cstdlib>
#include <iostream>

#include "aip/base/file_io.h"

#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"
#include "aip/identity/resolver.h"
#include "cli.h"

namespace aip::cli {
namespace {

void PrintIdentitySummary(const identity::Identity& id) {
  std::cout << "DID:      " << id.did() << "\n"
            << "did:aip:  " << id.did_aip() << "\n";
  if (!id.name().empty()) std::cout << "Name:     " << id.name() << "\n";
  if (!id.platform().empty()) std::cout << "Platform: " << id.platform() << "\n";
}

// SealedPublicPart is the public part of an encrypted identity file, read without opening the key,
// when no passphrase was given: showing who one is needs no secret.
std::optional<json::Object> SealedPublicPart(const Context& ctx) {
  if (std::getenv("AIP_PRIVATE_KEY") != nullptr || std::getenv("AIP_PASSPHRASE") != nullptr || !ctx.store.HasIdentity()) {
    return std::nullopt;
  }
  auto text = ReadFile(ctx.store.identity_path(), 1 << 20);
  if (!text) return std::nullopt;
  auto doc = json::ParseJsonObject(*text);
  if (!doc) return std::nullopt;
  const json::Value* key = doc->if_contains("private_key");
  if (key == nullptr || !key->is_object() || !key->get_object().contains("encryption")) return std::nullopt;
  doc->erase("private_key");
  doc->erase("format");
  for (const char* field : {"did", "did_aip"}) {
    if (!doc->contains(field) || !doc->at(field).is_string()) return std::nullopt;
  }
  return std::move(*doc);
}

identity::CompositeResolver LocalResolver(const Context& ctx) {
  identity::CompositeResolver r;
  r.Register(std::string(identity::kDidKeyPrefix), std::make_shared<identity::DidKeyResolver>());
  auto keyring = ctx.store.Keyring();
  if (!keyring) return r;
  // This agent's own did:aip resolves too: its key is in its own did:key.
  if (auto own = OwnDid(ctx)) {
    if (auto key = identity::PublicKeyFromDidKey(*own)) (void)keyring->Add(identity::DidAipFromPublicKey(*key), *key);
  }
  r.Register("did:", std::make_shared<identity::StaticKeyResolver>(std::move(*keyring)));
  return r;
}

}  // namespace

void AddIdentityCommands(CLI::App& app, Context& ctx) {
  // aip init
  auto* init = app.add_subcommand("init", "Create this agent's identity (Ed25519 key, did:key, did:aip)");
  struct InitOptions {
    std::string name, platform;
    bool force = false, encrypt = false, json = false;
  };
  auto o = std::make_shared<InitOptions>();
  init->add_option("--name", o->name, "A name for this agent");
  init->add_option("--platform", o->platform, "Where the agent lives, e.g. github/myrepo");
  init->add_flag("--force", o->force, "Replace an existing identity");
  init->add_flag("--encrypt", o->encrypt, "Encrypt the private key with a passphrase (AIP_PASSPHRASE or prompt)");
  init->add_flag("--json", o->json, "Print JSON");
  init->callback([&ctx, o] {
    if (std::getenv("AIP_PRIVATE_KEY") != nullptr) {
      Fail(kUsage, "AIP_PRIVATE_KEY is set: the identity comes from the environment, not from a file");
    }
    if (!o->force && ctx.store.HasIdentity()) {
      Fail(kError, "an identity already exists at " + ctx.store.identity_path().string() + " (use --force to replace it)");
    }
    std::optional<crypto::SecretBytes> passphrase;
    if (o->encrypt) passphrase = Check(PassphraseFromUser(true));
    identity::Identity id = identity::Identity::Generate(o->name, o->platform, DefaultClock().Now());
    Check(ctx.store.Save(id, passphrase, o->force));
    if (o->json) {
      json::Object out = id.PublicJson();
      out["path"] = ctx.store.identity_path().string();
      out["encrypted"] = passphrase.has_value();
      PrintJson(out);
      return;
    }
    std::cout << "Created a new identity.\n";
    PrintIdentitySummary(id);
    std::cout << "Key file: " << ctx.store.identity_path().string() << " (mode 0600" << (passphrase ? ", encrypted" : "") << ")\n";
  });

  // aip whoami
  auto* whoami = app.add_subcommand("whoami", "Show this agent's identity");
  auto whoami_json = std::make_shared<bool>(false);
  whoami->add_flag("--json", *whoami_json, "Print JSON");
  whoami->callback([&ctx, whoami_json] {
    if (auto sealed = SealedPublicPart(ctx)) {
      std::string path = ctx.store.identity_path().string();
      if (*whoami_json) {
        (*sealed)["source"] = path;
        (*sealed)["encrypted"] = true;
        PrintJson(*sealed);
        return;
      }
      std::cout << "DID:      " << std::string_view(sealed->at("did").get_string()) << "\n"
                << "did:aip:  " << std::string_view(sealed->at("did_aip").get_string()) << "\n";
      if (auto name = json::OptionalString(*sealed, "name"); name && !name->empty()) std::cout << "Name:     " << *name << "\n";
      std::cout << "Key:      " << path << " (encrypted, not opened: no passphrase was needed to show this)\n";
      return;
    }
    LoadedIdentity li = LoadIdentity(ctx);
    std::string source = li.from_environment ? "AIP_PRIVATE_KEY" : ctx.store.identity_path().string();
    if (*whoami_json) {
      json::Object out = li.identity.PublicJson();
      out["source"] = source;
      out["encrypted"] = li.passphrase.has_value();
      PrintJson(out);
      return;
    }
    PrintIdentitySummary(li.identity);
    std::cout << "Key:      " << source << (li.passphrase ? " (encrypted)" : "") << "\n"
              << "Rotated:  " << li.identity.rotations().size() << " time(s)\n";
  });

  // aip did show | document | resolve
  auto* did = app.add_subcommand("did", "DIDs and DID documents");
  did->require_subcommand(1);
  auto* show = did->add_subcommand("show", "Print this agent's DIDs");
  auto show_json = std::make_shared<bool>(false);
  show->add_flag("--json", *show_json, "Print JSON");
  show->callback([&ctx, show_json] {
    LoadedIdentity li = LoadIdentity(ctx);
    if (*show_json) {
      PrintJson(json::Object{{"did", li.identity.did()}, {"did_aip", li.identity.did_aip()}});
      return;
    }
    std::cout << li.identity.did() << "\n" << li.identity.did_aip() << "\n";
  });
  auto* document = did->add_subcommand("document", "Print this agent's DID document (JSON)");
  auto format = std::make_shared<std::string>("multikey");
  document->add_option("--format", *format, "Key format: multikey or ed25519-2020")->check(CLI::IsMember({"multikey", "ed25519-2020"}));
  document->callback([&ctx, format] {
    LoadedIdentity li = LoadIdentity(ctx);
    auto f = *format == "multikey" ? identity::KeyFormat::kMultikey : identity::KeyFormat::kEd25519VerificationKey2020;
    PrintJson(Check(li.identity.Document(f)));
  });
  auto* resolve = did->add_subcommand("resolve", "Resolve a DID (did:key offline; did:aip via the keyring)");
  auto target = std::make_shared<std::string>();
  resolve->add_option("DID", *target, "The DID to resolve")->required();
  resolve->callback([&ctx, target] {
    identity::CompositeResolver r = LocalResolver(ctx);
    auto res = r.Resolve(*target);
    if (!res) {
      int code = res.error().code == ErrorCode::kInvalidArgument ? kUsage : kError;
      Fail(code, "cannot resolve " + *target + ": " + res.error().message);
    }
    PrintJson(identity::ResolutionResult(*res));
  });
}

}  // namespace aip::cli

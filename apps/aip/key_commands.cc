// aip key export | import (rotate and publish: lifecycle_commands.cc)
#include <iostream>

#include "aip/base/field_reader.h"
#include "aip/base/file_io.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"
#include "cli.h"

namespace aip::cli {
namespace {

constexpr std::size_t kMaxImportBytes = 1024 * 1024;

// ImportPublic stores another agent's public identity in the keyring after checking that every
// identifier in the file belongs to its key.
void ImportPublic(const Context& ctx, const json::Object& o) {
  json::FieldReader r(o);
  std::string mk, name;
  if (Status st = r.String("public_key", mk, json::Need::kRequired, 256); !st.ok()) Fail(kError, "import: " + st.message());
  auto key = identity::ParseEd25519Multikey(mk);
  if (!key) Fail(kError, "import: public_key: " + key.error().message);
  for (const char* field : {"did", "did_aip"}) {
    std::string d;
    if (Status st = r.String(field, d, json::Need::kOptional, 512); !st.ok()) Fail(kError, "import: " + st.message());
    if (r.Has(field) && !identity::DidMatchesKey(d, *key)) Fail(kError, std::string("import: ") + field + " does not match the public key");
  }
  if (Status st = r.String("name", name, json::Need::kOptional, 256); !st.ok()) Fail(kError, "import: " + st.message());
  Check(ctx.store.AddToKeyring(*key, name));
  std::string did = identity::DidKeyFromPublicKey(*key), did_aip = identity::DidAipFromPublicKey(*key);
  Report(ctx, json::Object{{"imported", "public"}, {"did", did}, {"did_aip", did_aip}}, "Added to keyring: " + did + " (" + did_aip + ")");
}

}  // namespace

void AddKeyCommands(CLI::App& app, Context& ctx) {
  auto* key = app.add_subcommand("key", "Manage this agent's key");
  key->require_subcommand(1);
  struct ExportOptions {
    bool include_private = false;
    std::string out;
  };
  auto eo = std::make_shared<ExportOptions>();
  auto* exp = app.add_subcommand("export", "Print this identity (public by default) as JSON");
  exp->add_flag("--include-private", eo->include_private, "Include the private key (handle with care)");
  exp->add_option("--out", eo->out, "Write to a file (mode 0600) instead of standard output");
  exp->callback([&ctx, eo] {
    LoadedIdentity li = LoadIdentity(ctx);
    std::string text;
    if (eo->include_private) {
      text = Check(identity::SerializeIdentity(li.identity, std::nullopt));
      std::cerr << "aip: warning: the output contains your private key\n";
    } else {
      json::Object o = li.identity.PublicJson();
      o["format"] = "aip-public-identity/v1";
      text = json::Serialize(o) + "\n";
    }
    if (eo->out.empty()) {
      std::cout << text;
    } else {
      Check(WriteFileAtomic(eo->out, text, eo->include_private ? 0600 : 0644));
      Report(ctx, json::Object{{"wrote", eo->out}}, "Wrote " + eo->out);
    }
  });

  struct ImportOptions {
    std::string file;
    bool force = false;
  };
  auto io = std::make_shared<ImportOptions>();
  auto* imp = app.add_subcommand("import",
                                 "Import an identity (with private key: becomes this agent's identity; "
                                 "public only: added to the keyring)");
  imp->add_option("FILE", io->file, "Exported identity, or a Python AIP credentials.json")->required();
  imp->add_flag("--force", io->force, "Replace an existing identity");
  imp->callback([&ctx, io] {
    std::string text = Check(ReadFile(io->file, kMaxImportBytes));
    auto parsed = json::ParseJsonObject(text);
    if (!parsed) Fail(kError, "import: " + parsed.error().message);
    if (!parsed->contains("private_key")) {
      ImportPublic(ctx, *parsed);
      return;
    }
    if (!io->force && ctx.store.HasIdentity()) {
      Fail(kError, "an identity already exists at " + ctx.store.identity_path().string() + " (use --force to replace it)");
    }
    std::optional<crypto::SecretBytes> passphrase;
    identity::PassphraseProvider provider = [&passphrase]() -> Result<crypto::SecretBytes> {
      AIP_ASSIGN_OR_RETURN(crypto::SecretBytes p, PassphraseFromUser(false));
      passphrase = p;
      return p;
    };
    auto id = identity::ParseIdentity(text, provider);
    if (!id) Fail(kError, "import: " + id.error().message);
    Check(ctx.store.Save(*id, passphrase, io->force));
    Report(ctx, json::Object{{"imported", "identity"}, {"did", id->did()}, {"did_aip", id->did_aip()}},
           "Imported identity " + id->did() + " (" + id->did_aip() + ")");
  });
}

}  // namespace aip::cli

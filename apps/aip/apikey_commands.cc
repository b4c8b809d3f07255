// aip apikey create | list | revoke | rotate: API keys for callers of the gateway.
#include <iostream>

#include "aip/apikeys/key_store.h"
#include "cli.h"

namespace aip::cli {
namespace {

struct ApiKeyFlags {
  std::string db;
  std::string hash_key_file;
  std::string name;
  std::vector<std::string> scopes, tools;
  std::string expires;
  std::string id;
  std::string overlap = "24h";
};

std::unique_ptr<apikeys::ApiKeyStore> OpenStore(const ApiKeyFlags& f) {
  apikeys::StoreLocation where{f.db.empty() ? apikeys::DefaultDatabasePath().string() : f.db, f.hash_key_file, true};
  return Check(apikeys::ApiKeyStore::Open(where));
}

// PrintNewKey writes the key alone on stdout (so `KEY=$(aip apikey create ...)` works) and
// what it is on stderr; with --json, one object holding both on stdout.
void PrintNewKey(const Context& ctx, const apikeys::CreatedKey& k, std::string_view verb) {
  if (ctx.json) {
    json::Object out = k.record.ToJson();
    out["key"] = k.key;
    PrintJson(out);
    std::cerr << "aip: this is the only time the key is shown: store it now.\n";
    return;
  }
  std::cout << k.key << "\n";
  std::cerr << "aip: " << verb << " API key " << k.record.id << " (" << k.record.name << ")"
            << (k.record.expires ? ", expires " + FormatTime(*k.record.expires) : std::string(", no expiry"))
            << ". This is the only time the key is shown: store it now.\n";
}

// KeyId is the id a command was given; a whole key (id and secret) is refused without being
// repeated, so the secret never reaches a terminal's scrollback or a log.
std::string KeyId(const std::string& given) {
  if (given.size() > 4 && given.starts_with("aip_")) {
    Fail(kUsage, "give the key's id (the part between \"aip_\" and the next \"_\", as `aip apikey list` shows), not the key itself");
  }
  if (given.size() > 64 || given.find_first_not_of("0123456789abcdef") != std::string::npos) {
    Fail(kUsage, "a key id is lowercase hex, as `aip apikey list` shows");
  }
  return given;
}

}  // namespace

void AddApiKeyCommands(CLI::App& app, Context& ctx) {
  static ApiKeyFlags f;
  auto* group = app.add_subcommand("apikey", "API keys for callers of the gateway (stored hashed in SQLite or PostgreSQL)");
  group->require_subcommand(1);
  auto db_option = [](CLI::App* c) {
    c->add_option("--db", f.db, "Key store: a SQLite path (default $AIP_HOME/gateway.db) or a postgresql:// URL");
    c->add_option("--hash-key-file", f.hash_key_file,
                  "The store's hash key (default <db>.hashkey; required with PostgreSQL, made when missing)");
  };

  auto* create = group->add_subcommand("create", "Create a key; prints it once");
  db_option(create);
  create->add_option("--name", f.name, "What the key is for")->required();
  create->add_option("--scopes", f.scopes, "Scopes the key carries (policy reads them)")->delimiter(',');
  create->add_option("--tools", f.tools, "Tool globs (\"<upstream>.<tool>\") the key is limited to")->delimiter(',');
  create->add_option("--expires", f.expires, "Lifetime: 30d, 12h, 15m or 45s (default: no expiry)");
  create->callback([&ctx] {
    apikeys::NewKeyOptions o{f.name, f.scopes, f.tools, std::nullopt};
    if (!f.expires.empty()) o.lifetime = Check(ParseDuration(f.expires), kUsage);
    auto store = OpenStore(f);
    PrintNewKey(ctx, Check(store->Create(o, DefaultClock().Now()), kUsage), "created");
  });

  auto* list = group->add_subcommand("list", "List keys (never their secrets)");
  db_option(list);
  list->callback([] {  // Prints JSON always; --json is accepted for symmetry.
    auto store = OpenStore(f);
    json::Array out;
    for (const auto& k : Check(store->List())) out.emplace_back(k.ToJson());
    PrintJson(out);
  });

  auto* revoke = group->add_subcommand("revoke", "Revoke a key now");
  db_option(revoke);
  revoke->add_option("id", f.id, "Key id (the part after aip_)")->required();
  revoke->callback([&ctx] {
    std::string id = KeyId(f.id);
    auto store = OpenStore(f);
    Check(store->Revoke(id, DefaultClock().Now()), kVerificationFailed);
    Report(ctx, json::Object{{"revoked", id}}, "revoked " + id);
  });

  auto* rotate = group->add_subcommand("rotate", "Replace a key; the old one lives on for the overlap");
  db_option(rotate);
  rotate->add_option("id", f.id, "Key id")->required();
  rotate->add_option("--overlap", f.overlap, "How long the old key keeps working (default 24h)");
  rotate->callback([&ctx] {
    std::string id = KeyId(f.id);
    auto overlap = Check(ParseDuration(f.overlap), kUsage);
    auto store = OpenStore(f);
    PrintNewKey(ctx, Check(store->Rotate(id, overlap, DefaultClock().Now()), kVerificationFailed), "rotated " + id + " into");
  });
}

}  // namespace aip::cli

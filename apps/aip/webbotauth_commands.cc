// aip webbotauth directory | publish | unpublish: the key directory a Web Bot Auth operator serves
// for this identity, or has a registry serve for it (docs/web-bot-auth.md).
#include <iostream>

#include "aip/httpsig/web_bot_auth.h"
#include "aip/registry/registry_client.h"
#include "cli.h"

namespace aip::cli {

void AddWebBotAuthCommands(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("webbotauth", "Web Bot Auth: sign as an agent the web recognises (docs/web-bot-auth.md)");
  group->require_subcommand(1);
  struct Options {
    std::string authority;
    std::string lifetime = "30d";
    std::string registry, name;
  };
  auto o = std::make_shared<Options>();
  auto* directory = group->add_subcommand("directory", "Print the signed key directory to serve at the operator's origin");
  directory->add_option("--authority", o->authority, "The origin's host[:port] that serves it, e.g. bot.example")->required();
  directory->add_option("--lifetime", o->lifetime, "How long its signature is valid (default 30d; re-sign before then)");
  directory->callback([&ctx, o] {
    auto lifetime = Check(ParseDuration(o->lifetime), kUsage);
    LoadedIdentity li = LoadIdentity(ctx);
    const identity::Identity& me = li.identity;
    std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(DefaultClock().Now().time_since_epoch()).count();
    auto d = Check(httpsig::MakeDirectory(
                       o->authority, me.public_key(),
                       [&me](ByteSpan base) { return me.SignStandard(identity::StandardInput::kHttpSignatureBase, base); }, now, lifetime),
                   kUsage);
    std::string url = "https://" + o->authority + std::string(httpsig::kDirectoryPath);
    if (ctx.json) {
      json::Object headers;
      for (const auto& [name, value] : d.headers.fields()) headers[name] = value;
      PrintJson(json::Object{
          {"url", url}, {"keyid", httpsig::Ed25519Thumbprint(me.public_key())}, {"headers", std::move(headers)}, {"body", d.body}});
      return;
    }
    std::cout << "Serve at " << url << " with these response headers:\n";
    for (const auto& [name, value] : d.headers.fields()) std::cout << "  " << name << ": " << value << "\n";
    std::cout << "and exactly this body:\n" << d.body << "\n";
  });

  auto* publish = group->add_subcommand("publish", "Have a registry host this identity's signed key directory at NAME.<its bot domain>");
  publish->add_option("--registry", o->registry, "Registry base URL (default: $AIP_REGISTRY)");
  publish->add_option("--name", o->name, "The name to hold under the registry's bot domain (one DNS label, e.g. alice)")->required();
  publish->add_option("--lifetime", o->lifetime, "How long its signature is valid (default 30d; publish again before then)");
  publish->callback([&ctx, o] {
    auto lifetime = Check(ParseDuration(o->lifetime), kUsage);
    LoadedIdentity li = LoadIdentity(ctx);
    auto client = Check(registry::RegistryClient::Connect(RegistryUrl(o->registry)), kUsage);
    auto hosted = Check(client.HostDirectory(li.identity, o->name, std::chrono::duration_cast<std::chrono::seconds>(lifetime)));
    if (ctx.json) {
      PrintJson(hosted);
      return;
    }
    auto text = [&](std::string_view key) { return std::string(json::OptionalString(hosted, key).value_or("")); };
    std::cout << "Hosted at " << text("url") << " until " << text("expires") << "\n"
              << "Sign as this agent with: aip call --web-bot-auth --signature-agent " << text("origin") << " URL TOOL\n";
  });

  auto* unpublish = group->add_subcommand("unpublish", "Stop a registry hosting this identity's key directory");
  unpublish->add_option("--registry", o->registry, "Registry base URL (default: $AIP_REGISTRY)");
  unpublish->add_option("--name", o->name, "The name it is hosted under")->required();
  unpublish->callback([&ctx, o] {
    LoadedIdentity li = LoadIdentity(ctx);
    auto client = Check(registry::RegistryClient::Connect(RegistryUrl(o->registry)), kUsage);
    Check(client.UnhostDirectory(li.identity, o->name));
    if (ctx.json) {
      PrintJson(json::Object{{"name", o->name}, {"outcome", "deleted"}});
      return;
    }
    std::cout << "No longer hosted: " << o->name << "\n";
  });
}

}  // namespace aip::cli

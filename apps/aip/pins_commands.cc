// aip pins list | diff | approve | reset: the tool and prompt definitions a gateway (or aip proxy)
// serves only as approved (docs/tool-integrity.md). Each reads the pin file a gateway
// configuration names (--config), one given directly (--file), or else this user's client pins.
#include <iostream>

#include "aip/base/json_pointer.h"
#include "aip/gateway/config.h"
#include "aip/pins/pin_store.h"
#include "cli.h"

namespace aip::cli {
namespace {

struct PinsFlags {
  std::string config, file;
  std::string server;
  std::vector<std::string> names;
  bool all = false;
};

std::filesystem::path PinFile(const Context& ctx, const PinsFlags& f) {
  if (!f.file.empty() && !f.config.empty()) Fail(kUsage, "give --config or --file, not both");
  if (!f.file.empty()) return f.file;
  if (f.config.empty()) return ClientPinsFile(ctx);  // What aip proxy pinned.
  auto cfg = gateway::LoadConfig(f.config);
  if (!cfg) Fail(kUsage, cfg.error().message);
  return gateway::PinsFileOf(*cfg);
}

const json::Object& ObjectAt(const json::Object& o, std::string_view key) {
  static const json::Object kEmpty;
  const json::Value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->get_object() : kEmpty;
}

// Servers returns the file's servers, or only `only` (failing when it is not there).
json::Object Servers(const pins::PinStore& store, const std::string& only) {
  json::Object doc = Check(store.Read());
  json::Object servers = ObjectAt(doc, "servers");
  if (only.empty()) return servers;
  if (!servers.contains(only)) Fail(kError, "no server named \"" + only + "\" in " + store.file().string());
  return json::Object{{only, servers.at(only)}};
}

std::string Short(const json::Value& v) {
  std::string text = v.is_string() ? std::string(v.get_string()) : json::Serialize(v);
  return text.size() > 100 ? text.substr(0, 97) + "..." : text;
}

}  // namespace

void AddPinsCommands(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("pins", "Tool integrity: the definitions a gateway serves only as approved (docs/tool-integrity.md)");
  group->require_subcommand(1);
  auto f = std::make_shared<PinsFlags>();
  auto source = [f](CLI::App* c) {
    c->add_option("--config", f->config, "A gateway configuration: its [pins] file (default <identity home>/pins/gateway.json)");
    c->add_option("--file", f->file, "A pin file, named directly (default: $AIP_HOME/pins/client.json, what aip proxy pins)");
  };

  auto* list = group->add_subcommand("list", "Each pinned server: approved definitions, and what waits for approval");
  source(list);
  list->add_option("SERVER", f->server, "Only this server (an upstream's name)");
  list->callback([&ctx, f] {
    pins::PinStore store(PinFile(ctx, *f));
    json::Object servers = Servers(store, f->server);
    if (ctx.json) {
      PrintJson(servers);
      return;
    }
    if (servers.empty()) std::cout << "No pinned servers in " << store.file().string() << "\n";
    for (const auto& kv : servers) {
      const json::Object& s = kv.value().as_object();
      std::cout << kv.key() << " (first listed " << Short(s.contains("first_listed") ? s.at("first_listed") : json::Value("never"))
                << ")\n";
      for (const auto& a : ObjectAt(s, "approved")) std::cout << "  approved  " << a.key() << "  " << Short(a.value().at("hash")) << "\n";
      for (const auto& p : ObjectAt(s, "pending")) {
        std::cout << "  PENDING   " << p.key() << "  " << Short(p.value().at("change")) << " (seen " << Short(p.value().at("seen"))
                  << ")\n";
      }
    }
  });

  auto* diff = group->add_subcommand("diff", "What each withheld definition changed, field by field, against the approved one");
  source(diff);
  diff->add_option("SERVER", f->server, "Only this server");
  diff->callback([&ctx, f] {
    pins::PinStore store(PinFile(ctx, *f));
    json::Object servers = Servers(store, f->server);
    json::Array out;
    for (const auto& kv : servers) {
      const json::Object& s = kv.value().as_object();
      const json::Object& approved = ObjectAt(s, "approved");
      for (const auto& p : ObjectAt(s, "pending")) {
        const json::Object& record = p.value().as_object();
        const json::Value* before = approved.contains(p.key()) ? approved.at(p.key()).as_object().if_contains("definition") : nullptr;
        const json::Value* after = record.if_contains("definition");
        json::Array fields;
        if (before != nullptr && after != nullptr) {
          for (const auto& change : pins::Diff(*before, *after)) {
            const json::Value* was = json::AtPointer(*before, change.pointer);
            const json::Value* is = json::AtPointer(*after, change.pointer);
            fields.push_back(json::Object{{"pointer", change.pointer},
                                          {"change", change.change},
                                          {"approved", was != nullptr ? *was : json::Value(nullptr)},
                                          {"listed", is != nullptr ? *is : json::Value(nullptr)}});
          }
        }
        out.push_back(json::Object{{"server", kv.key()},
                                   {"item", p.key()},
                                   {"change", record.at("change")},
                                   {"fields", std::move(fields)},
                                   {"definition", after != nullptr ? *after : json::Value(nullptr)}});
      }
    }
    if (ctx.json) {
      PrintJson(out);
      return;
    }
    if (out.empty()) std::cout << "Nothing waits for approval.\n";
    for (const auto& v : out) {
      const json::Object& d = v.as_object();
      std::cout << Short(d.at("server")) << " " << Short(d.at("item")) << ": " << Short(d.at("change")) << "\n";
      for (const auto& fv : d.at("fields").as_array()) {
        const json::Object& fo = fv.as_object();
        std::cout << "  " << Short(fo.at("pointer")) << " (" << Short(fo.at("change")) << ")\n"
                  << "    approved: " << Short(fo.at("approved")) << "\n"
                  << "    listed:   " << Short(fo.at("listed")) << "\n";
      }
      if (d.at("fields").as_array().empty() && !d.at("definition").is_null()) std::cout << "  " << Short(d.at("definition")) << "\n";
    }
  });

  auto* approve = group->add_subcommand("approve", "Accept what a server now lists (the gateway serves it from its next listing)");
  source(approve);
  approve->add_option("SERVER", f->server, "The server (an upstream's name, or the URL aip proxy reached)")->required();
  approve->add_option("NAME", f->names, "Items to approve: tool/NAME or prompt/NAME (a bare NAME is a tool)");
  approve->add_flag("--all", f->all, "Approve everything the server has pending");
  approve->callback([&ctx, f] {
    if (f->names.empty() != f->all) Fail(kUsage, "name the items to approve, or pass --all");
    std::vector<std::string> keys;
    for (const auto& n : f->names) keys.push_back(n.find('/') == std::string::npos ? "tool/" + n : n);
    pins::PinStore store(PinFile(ctx, *f));
    auto done = Check(store.Approve(f->server, keys));
    json::Array approved(done.begin(), done.end());
    Report(ctx, json::Object{{"server", f->server}, {"approved", approved}},
           "Approved for " + f->server + ": " + json::Serialize(json::Value(approved)));
  });

  auto* reset = group->add_subcommand("reset", "Forget a server's pins (with tofu, its next listing is trusted as new)");
  source(reset);
  reset->add_option("SERVER", f->server, "The server (an upstream's name, or the URL aip proxy reached)")->required();
  reset->callback([&ctx, f] {
    pins::PinStore store(PinFile(ctx, *f));
    Check(store.Reset(f->server));
    Report(ctx, json::Object{{"server", f->server}, {"reset", true}}, "Pins of " + f->server + " forgotten");
  });
}

}  // namespace aip::cli

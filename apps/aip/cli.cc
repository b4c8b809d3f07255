#include "cli.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>

#include "aip/base/file_io.h"

namespace aip::cli {
namespace {

void PrettyPrint(std::ostream& os, const json::Value& v, int indent) {
  std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) {
      os << "{}";
      return;
    }
    os << "{\n";
    bool first = true;
    for (const auto& kv : o) {
      if (!first) os << ",\n";
      first = false;
      os << inner << json::Serialize(json::Value(kv.key())) << ": ";
      PrettyPrint(os, kv.value(), indent + 1);
    }
    os << "\n" << pad << "}";
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) {
      os << "[]";
      return;
    }
    os << "[\n";
    bool first = true;
    for (const auto& e : a) {
      if (!first) os << ",\n";
      first = false;
      os << inner;
      PrettyPrint(os, e, indent + 1);
    }
    os << "\n" << pad << "]";
  } else {
    os << json::Serialize(v);
  }
}

// ReadHidden reads one line from the terminal with echo off, straight into wiped memory.
Result<crypto::SecretBytes> ReadHidden(const char* prompt) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) return FailedPreconditionError("no terminal");
  int fd = fileno(tty);
  termios old{};
  ::tcgetattr(fd, &old);
  termios quiet = old;
  quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
  ::tcsetattr(fd, TCSAFLUSH, &quiet);
  std::fputs(prompt, tty);
  std::fflush(tty);
  // A fixed buffer, so no reallocation leaves copies of the passphrase behind.
  constexpr std::size_t kMaxPassphrase = 1024;
  crypto::SecretBytes buffer(kMaxPassphrase);
  std::size_t n = 0;
  int c;
  bool too_long = false;
  while ((c = std::fgetc(tty)) != EOF && c != '\n') {
    if (n < kMaxPassphrase) {
      buffer.MutableSecret()[n++] = static_cast<std::uint8_t>(c);
    } else {
      too_long = true;
    }
  }
  ::tcsetattr(fd, TCSAFLUSH, &old);
  std::fputs("\n", tty);
  std::fclose(tty);
  if (too_long) return InvalidArgumentError("passphrase longer than 1024 bytes");
  return crypto::SecretBytes(buffer.RevealSecret().first(n));
}

}  // namespace

void Fail(int code, const std::string& message) { throw CommandError{code, message}; }

void Check(const Status& s, int code) {
  if (!s.ok()) Fail(code, s.message());
}

void Report(const Context& ctx, const json::Object& data, const std::string& human) {
  if (ctx.json) {
    PrintJson(data);
  } else {
    std::cout << human << "\n";
  }
}

namespace {

void AddJsonFlagsUnder(CLI::App& app, const std::string& path, Context& ctx) {
  // Commands that run a server or a relay, or print a document as it is, print no data of their
  // own; every other leaf does. Named by their whole path, so a new `… serve` is not skipped by chance.
  static const std::set<std::string> kNoData = {"gateway", "proxy", "registry serve", "logout", "canonicalize", "audit witness"};
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    std::string name = path.empty() ? sub->get_name() : path + " " + sub->get_name();
    bool group = !sub->get_subcommands([](CLI::App*) { return true; }).empty();
    if (group) AddJsonFlagsUnder(*sub, name, ctx);
    if ((group && name != "gateway") || kNoData.contains(name) || sub->get_option_no_throw("--json") != nullptr) continue;
    sub->add_flag("--json", ctx.json, "Print JSON");
  }
}

}  // namespace

void AddJsonFlags(CLI::App& app, Context& ctx) { AddJsonFlagsUnder(app, "", ctx); }

void PrintJson(const json::Value& v) {
  PrettyPrint(std::cout, v, 0);
  std::cout << "\n";
}

Result<crypto::SecretBytes> PassphraseFromUser(bool confirm) {
  if (const char* p = std::getenv("AIP_PASSPHRASE"); p != nullptr) {
    if (*p == '\0') return InvalidArgumentError("AIP_PASSPHRASE is empty");
    return crypto::SecretBytes(AsBytes(std::string_view(p)));
  }
  if (!::isatty(STDIN_FILENO)) {
    return FailedPreconditionError("a passphrase is needed: set AIP_PASSPHRASE or run on a terminal");
  }
  AIP_ASSIGN_OR_RETURN(crypto::SecretBytes first, ReadHidden("Passphrase: "));
  if (first.empty()) return InvalidArgumentError("empty passphrase");
  if (confirm) {
    AIP_ASSIGN_OR_RETURN(crypto::SecretBytes second, ReadHidden("Repeat passphrase: "));
    if (!second.Equals(first)) return InvalidArgumentError("passphrases do not match");
  }
  return first;
}

LoadedIdentity LoadIdentity(const Context& ctx, bool allow_deactivated) {
  auto env = Check(identity::IdentityFromEnvironment());
  if (env) return LoadedIdentity{std::move(*env), std::nullopt, true};
  if (auto d = LocalDeactivation(ctx); d && !allow_deactivated && OwnDid(ctx) == d->did) {
    Fail(kError, "this identity (" + d->did + ") was deactivated at " + FormatTime(d->created) +
                     " and signs nothing more; start a new one with `aip init --force`");
  }
  std::optional<crypto::SecretBytes> used;
  identity::PassphraseProvider provider = [&used]() -> Result<crypto::SecretBytes> {
    AIP_ASSIGN_OR_RETURN(crypto::SecretBytes p, PassphraseFromUser(false));
    used = p;
    return p;
  };
  auto id = ctx.store.Load(provider);
  if (!id) Fail(kError, id.error().message);
  return LoadedIdentity{std::move(*id), used, false};
}

std::optional<std::string> OwnDid(const Context& ctx) {
  if (std::getenv("AIP_PRIVATE_KEY") != nullptr) return LoadIdentity(ctx).identity.did();
  if (!ctx.store.HasIdentity()) return std::nullopt;
  auto text = ReadFile(ctx.store.identity_path(), 1 << 20);
  auto doc = text ? json::ParseJsonObject(*text) : Result<json::Object>(text.error());
  if (!doc || !doc->contains("did") || !doc->at("did").is_string()) return std::nullopt;
  return std::string(doc->at("did").get_string());
}

}  // namespace aip::cli

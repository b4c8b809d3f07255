#include "aip/registry/hosted_directories.h"

#include <algorithm>

#include "aip/base/ascii.h"
#include "aip/base/field_reader.h"
#include "aip/httpsig/web_bot_auth.h"
#include "aip/identity/did_key.h"

namespace aip::registry {
namespace {

// The signature headers a directory is served with; nothing else an uploader sends is kept.
constexpr std::string_view kSignatureHeaders[] = {"content-digest", "signature-input", "signature"};
constexpr std::size_t kMaxDirectoryBytes = 16 * 1024;
constexpr std::int64_t kMaxServedAgeSeconds = 3600;

// One spelling per authority: lowercase, the default port not written (as @authority is derived).
std::string Authority(std::string_view host) {
  std::string out = AsciiLower(host);
  if (out.ends_with(":443")) out.resize(out.size() - 4);
  return out;
}

std::int64_t SecondsOf(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

}  // namespace

bool IsHostedName(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  // Punycode labels can spell look-alikes of other names; a hosted name is what it shows.
  if (name.starts_with("xn--")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

Status CheckBotDomain(std::string_view domain, std::string_view public_url) {
  if (domain.empty()) return OkStatus();
  std::string d = Authority(domain);
  std::string host = d.substr(0, d.find(':'));
  bool chars = std::all_of(d.begin(), d.end(),
                           [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':'; });
  // A name, not an address: its last label has a letter.
  std::string_view last = std::string_view(host).substr(host.rfind('.') + 1);
  bool named = std::any_of(last.begin(), last.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  if (!chars || !named || host.find('.') == std::string::npos || host.front() == '.' || d.size() > 190) {
    return InvalidArgumentError("--bot-domain must be a DNS name with a dot, optionally :port (such as bots.registry.example)");
  }
  std::string_view own = public_url.substr(public_url.find("://") == std::string_view::npos ? 0 : public_url.find("://") + 3);
  own = own.substr(0, own.find('/'));
  std::string own_host = Authority(own.substr(0, own.find(':')));
  if (own_host == host || own_host.ends_with("." + host)) {
    return InvalidArgumentError(
        "the registry's own URL must not be under its --bot-domain: that name would be taken for an agent's origin");
  }
  return OkStatus();
}

HostedDirectories::HostedDirectories(std::shared_ptr<RegistryStore> store, std::string domain, const Clock* clock)
    : store_(std::move(store)), domain_(Authority(domain)), clock_(clock) {}

Result<HostedDirectory> HostedDirectories::Put(std::string_view signer, std::string_view name, std::string_view upload) {
  if (!enabled()) return NotFoundError("this registry hosts no key directories (it runs without --bot-domain)");
  if (!IsHostedName(name)) {
    return InvalidArgumentError("a hosted name is one DNS label: 1-63 lowercase letters, digits and inner hyphens, not xn--");
  }
  AIP_ASSIGN_OR_RETURN(auto agent, store_->GetAgent(signer));
  if (!agent) return PermissionDeniedError("only a registered agent can have its directory hosted: register first");
  if (Status active = store_->CheckActive(signer, "directory"); !active.ok()) return PermissionDeniedError(active.error().message);

  AIP_ASSIGN_OR_RETURN(json::Object doc, json::ParseJsonObject(upload));
  json::FieldReader r(doc);
  AIP_RETURN_IF_ERROR(r.OnlyFields({"body", "headers", "url", "keyid"}));  // `--json` output as printed is accepted whole.
  std::string body;
  AIP_RETURN_IF_ERROR(r.String("body", body, json::Need::kRequired, kMaxDirectoryBytes));
  AIP_ASSIGN_OR_RETURN(std::optional<json::FieldReader> sent, r.Nested("headers", json::Need::kRequired));
  AIP_RETURN_IF_ERROR(sent->OnlyFields({"content-type", "content-digest", "signature-input", "signature"}));
  net::Headers headers;
  json::Object stored;
  for (std::string_view name_of : kSignatureHeaders) {
    std::string value;
    AIP_RETURN_IF_ERROR(sent->String(name_of, value, json::Need::kRequired, 1024));
    headers.Set(name_of, value);
    stored[name_of] = value;
  }

  std::string authority = std::string(name) + "." + domain_;
  httpsig::DirectoryVerifyOptions verify;
  verify.clock = clock_;
  auto verified = httpsig::VerifyDirectory(authority, headers, body, verify);
  if (!verified) return InvalidArgumentError("the directory does not verify for " + authority + ": " + verified.error().message);
  AIP_ASSIGN_OR_RETURN(auto key, identity::PublicKeyFromDidKey(signer));
  if (verified->keys.size() != 1 || !verified->keys.contains(httpsig::Ed25519Thumbprint(key))) {
    return PermissionDeniedError("a hosted directory lists exactly its agent's own key, and no other");
  }

  StoredBotDirectory record{std::string(name), std::string(signer), body, json::Serialize(stored), verified->expires};
  AIP_ASSIGN_OR_RETURN(PutOutcome outcome, store_->PutBotDirectory(record, clock_->Now()));
  return HostedDirectory{record.name, "https://" + authority, record.expires, outcome == PutOutcome::kInserted};
}

Status HostedDirectories::Delete(std::string_view signer, std::string_view name) {
  if (!enabled()) return NotFoundError("this registry hosts no key directories");
  if (!IsHostedName(name)) return InvalidArgumentError("not a hosted name");
  AIP_ASSIGN_OR_RETURN(bool deleted, store_->DeleteBotDirectory(name, signer));
  if (!deleted) return NotFoundError("no directory of yours is hosted under that name");
  return OkStatus();
}

std::optional<Result<net::HttpResponse>> HostedDirectories::Serve(std::string_view host) {
  if (!enabled()) return std::nullopt;
  std::string authority = Authority(host);
  std::string suffix = "." + domain_;
  if (authority.size() <= suffix.size() || !authority.ends_with(suffix)) return std::nullopt;
  std::string name = authority.substr(0, authority.size() - suffix.size());
  if (!IsHostedName(name)) return Result<net::HttpResponse>(NotFoundError("no such hosted directory"));

  auto held = store_->GetBotDirectory(name);
  if (!held) return Result<net::HttpResponse>(held.error());
  if (!*held) return Result<net::HttpResponse>(NotFoundError("no such hosted directory"));
  const StoredBotDirectory& d = **held;
  std::int64_t left = SecondsOf(d.expires) - SecondsOf(clock_->Now());
  if (left <= 0) return Result<net::HttpResponse>(NotFoundError("this directory's signature has expired; its agent must publish it again"));
  if (!store_->CheckActive(d.did, "directory").ok()) {
    return Result<net::HttpResponse>(NotFoundError("this directory's agent rotated or ended its key"));
  }
  auto stored = json::ParseJsonObject(d.headers);
  if (!stored) return Result<net::HttpResponse>(InternalError("hosted directory: stored headers unreadable"));

  net::HttpResponse r;
  r.headers.Set("content-type", "application/http-message-signatures-directory+json");
  r.headers.Set("x-content-type-options", "nosniff");
  // Never cached past its signature, and re-read at least hourly so a deletion takes effect.
  r.headers.Set("cache-control", "max-age=" + std::to_string(std::min(left, kMaxServedAgeSeconds)));
  for (std::string_view name_of : kSignatureHeaders) {
    if (auto v = json::OptionalString(*stored, name_of)) r.headers.Set(name_of, *v);
  }
  r.body = d.body;
  return Result<net::HttpResponse>(std::move(r));
}

}  // namespace aip::registry

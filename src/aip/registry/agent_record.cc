#include "aip/registry/agent_record.h"

#include "aip/base/display_text.h"
#include "aip/base/jcs.h"
#include "aip/identity/data_integrity.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"

namespace aip::registry {
namespace {

constexpr std::string_view kType = "AipAgentRegistration";

Error Bad(std::string why) { return InvalidArgumentError("registration: " + std::move(why)); }

// Text fields: fit to show (base/display_text.h) — no control, bidirectional or invisible
// characters, so one agent's name cannot pass for another's (the UI escapes anyway; this keeps
// logs and terminals honest too).
Status CheckText(const json::Object& doc, std::string_view key, std::size_t max, bool required, std::string& out) {
  const json::Value* v = doc.if_contains(key);
  if (v == nullptr) {
    if (required) return Bad("missing \"" + std::string(key) + "\"");
    return OkStatus();
  }
  if (!v->is_string()) return Bad("\"" + std::string(key) + "\" must be a string");
  std::string_view s = v->get_string();
  if (s.size() > max) return Bad("\"" + std::string(key) + "\" is longer than " + std::to_string(max) + " bytes");
  if (required && s.empty()) return Bad("\"" + std::string(key) + "\" is empty");
  if (auto unsafe = UnsafeDisplayCharacter(s)) return Bad("\"" + std::string(key) + "\" contains " + *unsafe);
  out = std::string(s);
  return OkStatus();
}

Status CheckUrl(const std::string& url) {
  if (url.empty()) return OkStatus();
  if (!url.starts_with("https://") && !url.starts_with("http://")) return Bad("url must be http(s)");
  for (char c : url) {
    if (c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\') return Bad("url contains a forbidden character");
  }
  return OkStatus();
}

}  // namespace

Result<AgentRecord> CreateRegistration(const identity::Identity& agent, const Profile& profile, TimePoint now) {
  json::Object doc{{"type", kType}, {"id", agent.did()}, {"name", profile.name}, {"updated", FormatTimeMillis(now)}};
  if (!profile.platform.empty()) doc["platform"] = profile.platform;
  if (!profile.description.empty()) doc["description"] = profile.description;
  if (!profile.url.empty()) doc["url"] = profile.url;
  identity::ProofOptions po;
  po.verification_method = agent.verification_method();
  po.purpose = identity::Purpose::kAssertionMethod;
  po.created = now;
  AIP_ASSIGN_OR_RETURN(auto secured, identity::AddProof(std::move(doc), agent, po));
  return VerifyRegistration(secured, now);
}

Result<AgentRecord> VerifyRegistration(const json::Object& doc, TimePoint now) {
  for (const auto& kv : doc) {
    static constexpr std::string_view kAllowed[] = {"type", "id", "name", "platform", "description", "url", "updated", "proof"};
    bool known = false;
    for (auto a : kAllowed) known |= kv.key() == a;
    if (!known) return Bad("unknown member \"" + std::string(kv.key()) + "\"");
  }
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(doc));
  if (canonical.size() > kMaxRecordBytes) return ResourceExhaustedError("registration: larger than 8 KiB");
  const json::Value* type = doc.if_contains("type");
  if (type == nullptr || *type != json::Value(kType)) return Bad("type must be \"" + std::string(kType) + "\"");
  AgentRecord r;
  AIP_RETURN_IF_ERROR(CheckText(doc, "id", 128, true, r.did));
  auto key = identity::PublicKeyFromDidKey(r.did);
  if (!key) return Bad("id must be an Ed25519 did:key");
  r.alias = identity::DidAipFromPublicKey(*key);
  AIP_RETURN_IF_ERROR(CheckText(doc, "name", kMaxNameBytes, true, r.profile.name));
  AIP_RETURN_IF_ERROR(CheckText(doc, "platform", kMaxPlatformBytes, false, r.profile.platform));
  AIP_RETURN_IF_ERROR(CheckText(doc, "description", kMaxDescriptionBytes, false, r.profile.description));
  AIP_RETURN_IF_ERROR(CheckText(doc, "url", kMaxUrlBytes, false, r.profile.url));
  AIP_RETURN_IF_ERROR(CheckUrl(r.profile.url));
  std::string updated;
  AIP_RETURN_IF_ERROR(CheckText(doc, "updated", 64, true, updated));
  auto when = ParseTime(updated);
  if (!when) return Bad("updated: " + when.error().message);
  if (*when > now + std::chrono::minutes(5)) return Bad("updated is in the future");
  r.updated = *when;
  identity::ProofExpectations expect;
  expect.purpose = identity::Purpose::kAssertionMethod;
  expect.check_time = false;  // Registrations are replicated long after they were signed.
  identity::DidKeyResolver resolver;
  auto proof = identity::VerifyProof(doc, resolver, expect);
  if (!proof) return Error{proof.error().code, "registration: " + proof.error().message};
  if (proof->method.controller != r.did) return UnauthenticatedError("registration: not signed by its own key");
  r.document = doc;
  return r;
}

}  // namespace aip::registry

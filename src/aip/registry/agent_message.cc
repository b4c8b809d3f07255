#include "aip/registry/agent_message.h"

#include "aip/base/field_reader.h"

#include "aip/base/jcs.h"
#include "aip/crypto/random.h"
#include "aip/crypto/x25519.h"
#include "aip/identity/data_integrity.h"
#include "aip/identity/did_key.h"
#include "aip/sqlite/database.h"

namespace aip::registry {
namespace {

constexpr std::string_view kType = "AipMessage";

Error Bad(std::string why) { return UnauthenticatedError("message: " + std::move(why)); }

}  // namespace

Result<Bytes> SealMessage(const identity::Identity& sender, std::string_view recipient_did, std::string_view text, TimePoint now) {
  if (text.size() > kMaxMessageText) return InvalidArgumentError("message: longer than 8 KiB");
  AIP_ASSIGN_OR_RETURN(auto recipient_key, identity::PublicKeyFromDidKey(recipient_did));
  AIP_ASSIGN_OR_RETURN(auto recipient_x, crypto::X25519PublicFromEd25519(recipient_key));
  json::Object doc{{"type", kType},       {"id", crypto::RandomId(16)}, {"from", sender.did()},
                   {"to", recipient_did}, {"created", FormatTime(now)}, {"text", text}};
  identity::ProofOptions po;
  po.verification_method = sender.verification_method();
  po.purpose = identity::Purpose::kAuthentication;
  po.created = now;
  AIP_ASSIGN_OR_RETURN(auto signed_doc, identity::AddProof(std::move(doc), sender, po));
  AIP_ASSIGN_OR_RETURN(std::string plain, json::Canonicalize(signed_doc));
  return crypto::SealTo(recipient_x, AsBytes(plain));
}

Result<OpenedMessage> OpenMessage(const identity::Identity& recipient, ByteSpan sealed) {
  if (sealed.size() > kMaxSealedBytes) return InvalidArgumentError("message: larger than 16 KiB");
  auto plain = recipient.OpenSealed(sealed);
  if (!plain) return Bad("does not open with this agent's key (altered in transit, or not for us)");
  return CheckMessageDocument(std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size()), recipient.did());
}

Result<OpenedMessage> CheckMessageDocument(std::string_view text, std::string_view recipient_did) {
  json::ParseLimits limits;
  limits.max_bytes = kMaxSealedBytes;
  auto doc = json::ParseJsonObject(text, limits);
  if (!doc) return Bad("not a message document");
  json::FieldReader r(*doc);
  if (Status s = r.OnlyFields({"type", "id", "from", "to", "created", "text", "proof"}); !s.ok()) return Bad(s.message());
  std::string type, created_text;
  OpenedMessage m;
  Status read = r.String("type", type, json::Need::kRequired, 64);
  if (read.ok() && type != kType) return Bad("wrong type");
  if (read.ok()) read = r.String("id", m.id, json::Need::kRequired, 64);
  if (read.ok()) read = r.String("from", m.from, json::Need::kRequired, 128);
  if (read.ok()) read = r.String("to", m.to, json::Need::kRequired, 128);
  if (read.ok()) read = r.String("text", m.text, json::Need::kOptional, kMaxSealedBytes);
  if (read.ok()) read = r.String("created", created_text, json::Need::kRequired, 64);
  if (!read.ok()) return Bad(read.message());
  auto created = ParseTime(created_text);
  if (m.id.empty() || !m.from.starts_with("did:key:") || !created) return Bad("missing id, from or created");
  m.created = *created;
  identity::ProofExpectations expect;
  expect.purpose = identity::Purpose::kAuthentication;
  expect.check_time = false;  // Messages wait in inboxes; the time is shown, not enforced.
  identity::DidKeyResolver resolver;
  auto proof = identity::VerifyProof(*doc, resolver, expect);
  if (!proof) return Bad("bad signature: " + proof.error().message);
  if (proof->method.controller != m.from) return Bad("signed by " + proof->method.controller + ", not by its sender");
  if (m.to != recipient_did) return Bad("addressed to " + m.to + ", not to us (re-addressed)");
  return m;
}

Result<std::unique_ptr<SeenMessages>> SeenMessages::Open(const std::string& path) {
  AIP_ASSIGN_OR_RETURN(auto db, sql::OpenSqlite(path));
  AIP_RETURN_IF_ERROR(db->ExecScript("CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at BIGINT NOT NULL);"));
  return std::unique_ptr<SeenMessages>(new SeenMessages(std::move(db)));
}

Result<bool> SeenMessages::Remember(const OpenedMessage& message, TimePoint now) {
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query("INSERT INTO seen(id, at) VALUES (?1, ?2) ON CONFLICT DO NOTHING RETURNING id",
                                             {message.from + " " + message.id, sqlite::Seconds(now)}));
  return !rows.empty();
}

}  // namespace aip::registry

// Encrypted agent messages, sealed end to end: the registry only relays ciphertext.
//
// The sender signs the message — {"type": "AipMessage", "id", "from", "to", "created", "text"} with
// an eddsa-jcs-2022 proof by the sender's did:key — and then seals the signed document to the
// recipient's X25519 key (derived from its did:key). The signature is *inside* the ciphertext,
// so the relay sees neither who wrote it nor what it says, and the recipient checks:
//   - the box opens (a relay that changes one byte is detected),
//   - the proof is the `from` agent's (nobody can write as someone else),
//   - `to` is the recipient (a message re-sealed to a third party — re-addressed — is detected),
//   - the `id` was not seen before (a replayed delivery is detected; see SeenMessages).
#pragma once
#include <memory>
#include <string>

#include "aip/base/bytes.h"
#include "aip/base/clock.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"
#include "aip/sql/sql.h"

namespace aip::registry {

inline constexpr std::size_t kMaxMessageText = 8 * 1024;
inline constexpr std::size_t kMaxSealedBytes = 16 * 1024;

// SealMessage signs `text` from `sender` to `recipient_did` (a did:key) and seals it.
Result<Bytes> SealMessage(const identity::Identity& sender, std::string_view recipient_did, std::string_view text, TimePoint now);

struct OpenedMessage {
  std::string id;
  std::string from;
  std::string to;
  TimePoint created;
  std::string text;
};

// CheckMessageDocument checks a decrypted message (JSON text) for `recipient_did`: shape, the
// sender's proof, and the address. OpenMessage calls it after decrypting.
Result<OpenedMessage> CheckMessageDocument(std::string_view text, std::string_view recipient_did);

// OpenMessage opens and checks a sealed message addressed to `recipient` (all but replay).
Result<OpenedMessage> OpenMessage(const identity::Identity& recipient, ByteSpan sealed);

// SeenMessages remembers the ids of messages already read ($AIP_HOME/messages.db), so a replayed
// delivery is reported instead of shown as new.
class SeenMessages {
 public:
  static Result<std::unique_ptr<SeenMessages>> Open(const std::string& path);
  // Remember is true the first time a message (its sender and id) is seen, false for a replay.
  // Keyed by sender too: one sender's ids cannot mask another's messages.
  Result<bool> Remember(const OpenedMessage& message, TimePoint now);

 private:
  explicit SeenMessages(std::unique_ptr<sql::SqlConnection> db) : db_(std::move(db)) {}
  std::unique_ptr<sql::SqlConnection> db_;
};

}  // namespace aip::registry

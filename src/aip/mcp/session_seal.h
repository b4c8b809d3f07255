// SessionSealer makes legacy (2025-era) sessions continue on any instance of a server: the
// Mcp-Session-Id itself carries what the session is — its protocol version, the client's
// capabilities, the principal it belongs to, when it began — sealed (XChaCha20-Poly1305) under a
// key every instance derives from one shared secret. Any instance opens an id another issued;
// nothing is shared at run time. An id is accepted until max_age after `initialize`, whatever
// its use (docs/scaling.md, "Legacy sessions on any instance").
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aip/base/bytes.h"
#include "aip/base/clock.h"
#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/mcp/server.h"

namespace aip::mcp {

class SessionSealer {
 public:
  // Create derives the sealing key from `secret` (at least 32 bytes) under a label of its own.
  static Result<std::shared_ptr<const SessionSealer>> Create(ByteSpan secret, std::chrono::seconds max_age,
                                                             const Clock* clock = &DefaultClock());
  // Seal returns the session's id: "s1." + base64url(nonce || sealed state).
  std::string Seal(const Session& session) const;
  // Open returns the session an id describes — initialized, as it was when sealed — or nullopt
  // for an id this key did not seal, one altered in any way, or one older than max_age.
  std::optional<Session> Open(std::string_view id) const;

  std::chrono::seconds max_age() const { return max_age_; }

 private:
  SessionSealer(crypto::SecretBytes key, std::chrono::seconds max_age, const Clock* clock)
      : key_(std::move(key)), max_age_(max_age), clock_(clock) {}

  crypto::SecretBytes key_;
  std::chrono::seconds max_age_;
  const Clock* clock_;
};

}  // namespace aip::mcp

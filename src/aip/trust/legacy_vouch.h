// Vouches made by the Python AIP project, imported and verified (never emitted). Two forms:
//  - a service vouch: {"voucher_did", "target_did", "scope", "statement", "signature" (base64),
//    "voucher_public_key" (base64), optional "created_at"/"expires_at"}; the signature covers
//    "voucher|target|scope|statement" and nothing else — no time, so it could be replayed
//    forever: aip dates it at import and lets it live at most a year (sooner if expires_at says so);
//  - a local vouch (trust.Vouch): {"voucher_did", "target_did", "target_pubkey", "scope", "level",
//    "statement", "created_at", "expires_at", "signature", "voucher_pubkey"}; the signature covers
//    the compact sorted JSON of the first seven (and created_at), expiry included.
// Either way the voucher's did:aip must be the hash of the given key (the Python local graph
// never checked this), and the vouch is recorded under the key's did:key.
#pragma once

#include "aip/base/json.h"
#include "aip/trust/vouch.h"

namespace aip::trust {

Result<Vouch> ImportLegacyVouch(const json::Object& legacy, TimePoint now);

}  // namespace aip::trust

#include "aip/identity/did_key.h"

#include "aip/base/encoding.h"

namespace aip::identity {
namespace {

// Multicodec codes as unsigned varints: ed25519-pub = 0xed, x25519-pub = 0xec.
constexpr std::uint8_t kEd25519Codec[] = {0xed, 0x01};
constexpr std::uint8_t kX25519Codec[] = {0xec, 0x01};

}  // namespace

std::string Ed25519Multikey(const crypto::Ed25519PublicKey& key) { return MultibaseEncode(Concat({kEd25519Codec, key.bytes()})); }

std::string X25519Multikey(const crypto::X25519PublicKey& key) { return MultibaseEncode(Concat({kX25519Codec, key})); }

Result<crypto::Ed25519PublicKey> ParseEd25519Multikey(std::string_view multibase) {
  if (multibase.empty() || multibase[0] != 'z') {
    return InvalidArgumentError("Ed25519 multikey must be base58btc ('z')");
  }
  if (multibase.size() > 64) return InvalidArgumentError("Ed25519 multikey too long");
  AIP_ASSIGN_OR_RETURN(Bytes raw, MultibaseDecode(multibase));
  if (raw.size() != 34 || raw[0] != kEd25519Codec[0] || raw[1] != kEd25519Codec[1]) {
    return InvalidArgumentError("not an Ed25519 multikey (multicodec 0xed01 + 32 bytes)");
  }
  return crypto::Ed25519PublicKey::FromBytes(ByteSpan(raw).subspan(2));
}

std::string DidKeyFromPublicKey(const crypto::Ed25519PublicKey& key) { return std::string(kDidKeyPrefix) + Ed25519Multikey(key); }

Result<crypto::Ed25519PublicKey> PublicKeyFromDidKey(std::string_view did) {
  if (!did.starts_with(kDidKeyPrefix)) return InvalidArgumentError("not a did:key");
  std::string_view id = did.substr(kDidKeyPrefix.size());
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, ParseEd25519Multikey(id));
  // Base58 has one spelling per value, but re-encoding makes the rule explicit and cheap.
  if (Ed25519Multikey(key) != id) return InvalidArgumentError("did:key is not canonically encoded");
  return key;
}

std::string DidKeyVerificationMethod(const crypto::Ed25519PublicKey& key) {
  std::string mk = Ed25519Multikey(key);
  return std::string(kDidKeyPrefix) + mk + "#" + mk;
}

}  // namespace aip::identity

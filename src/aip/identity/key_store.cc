#include "aip/identity/key_store.h"

#include <cstdlib>

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/file_io.h"
#include "aip/crypto/aead.h"
#include "aip/crypto/random.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"

namespace aip::identity {
namespace {

constexpr std::string_view kFormat = "aip-identity/v1";
constexpr std::string_view kPublicFormat = "aip-public-identity/v1";
constexpr std::string_view kEncryption = "argon2id-xchacha20poly1305";
constexpr std::size_t kMaxIdentityFileBytes = 1024 * 1024;

// DecodeSeed accepts the encodings users paste: base64, base64url or hex of the 32-byte seed
// (or of Python AIP's 64-byte seed || public key).
Result<Bytes> DecodeSeed(std::string_view text) {
  Result<Bytes> raw = InvalidArgumentError("");
  if (text.size() == 64 || text.size() == 128) raw = HexDecode(text);
  if (!raw) raw = Base64Decode(text);
  if (!raw) raw = Base64UrlDecode(text);
  if (!raw) return InvalidArgumentError("private key is not base64, base64url or hex");
  if (raw->size() == 64) raw->resize(32);
  if (raw->size() != 32) {
    crypto::SecureWipe(*raw);
    return InvalidArgumentError("private key must be a 32-byte Ed25519 seed");
  }
  return raw;
}

Result<crypto::Ed25519PrivateKey> KeyFromSeedText(std::string_view text) {
  AIP_ASSIGN_OR_RETURN(Bytes seed, DecodeSeed(text));
  auto key = crypto::Ed25519PrivateKey::FromSeed(seed);
  crypto::SecureWipe(seed);
  return key;
}

Result<crypto::SecretBytes> DecryptSeed(const json::Object& enc, std::string_view did, const PassphraseProvider& passphrase) {
  json::FieldReader r(enc, "/private_key");
  std::string scheme, salt, nonce, ct;
  std::int64_t ops = 0, mem = 0;
  AIP_RETURN_IF_ERROR(r.String("encryption", scheme, json::Need::kRequired, 64));
  if (scheme != kEncryption) return InvalidArgumentError("unsupported key encryption \"" + scheme + "\"");
  AIP_RETURN_IF_ERROR(r.Int("ops_limit", ops, 1, crypto::kMaxArgon2Ops, json::Need::kRequired));
  AIP_RETURN_IF_ERROR(r.Int("mem_limit", mem, 1, crypto::kMaxArgon2MemBytes, json::Need::kRequired));
  AIP_RETURN_IF_ERROR(r.String("salt", salt, json::Need::kRequired, 64));
  AIP_RETURN_IF_ERROR(r.String("nonce", nonce, json::Need::kRequired, 64));
  AIP_RETURN_IF_ERROR(r.String("ciphertext", ct, json::Need::kRequired, 256));
  AIP_ASSIGN_OR_RETURN(Bytes salt_b, Base64UrlDecode(salt));
  AIP_ASSIGN_OR_RETURN(Bytes nonce_b, Base64UrlDecode(nonce));
  AIP_ASSIGN_OR_RETURN(Bytes ct_b, Base64UrlDecode(ct));
  if (!passphrase) return FailedPreconditionError("identity is encrypted: a passphrase is required");
  AIP_ASSIGN_OR_RETURN(crypto::SecretBytes pass, passphrase());
  crypto::Argon2idParams params{static_cast<std::uint64_t>(ops), static_cast<std::uint64_t>(mem)};
  auto key = crypto::DeriveKey(pass, salt_b, params);
  if (!key) return key.status();
  auto seed = crypto::XChaChaOpen(*key, nonce_b, ct_b, AsBytes(did));
  if (!seed) return UnauthenticatedError("wrong passphrase, or the identity file was modified");
  return seed;
}

}  // namespace

PassphraseProvider PassphraseFromEnvironment() {
  return []() -> Result<crypto::SecretBytes> {
    const char* p = std::getenv("AIP_PASSPHRASE");
    if (p == nullptr || *p == '\0') return FailedPreconditionError("identity is encrypted: set AIP_PASSPHRASE");
    return crypto::SecretBytes(AsBytes(std::string_view(p)));
  };
}

Result<std::string> SerializeIdentity(const Identity& id, const std::optional<crypto::SecretBytes>& passphrase,
                                      const crypto::Argon2idParams& kdf) {
  json::Object o = id.PublicJson();
  o["format"] = kFormat;
  const crypto::SecretBytes& seed = id.key_.seed();
  if (passphrase) {
    if (passphrase->empty()) return InvalidArgumentError("passphrase must not be empty");
    Bytes salt = crypto::RandomBytes(crypto::kArgon2SaltSize);
    Bytes nonce = crypto::RandomBytes(crypto::kXChaChaNonceSize);
    AIP_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::DeriveKey(*passphrase, salt, kdf));
    AIP_ASSIGN_OR_RETURN(Bytes ct, crypto::XChaChaSeal(key, nonce, seed.RevealSecret(), AsBytes(id.did())));
    o["private_key"] =
        json::Object{{"encryption", kEncryption},     {"ops_limit", kdf.ops_limit},      {"mem_limit", kdf.mem_limit_bytes},
                     {"salt", Base64UrlEncode(salt)}, {"nonce", Base64UrlEncode(nonce)}, {"ciphertext", Base64UrlEncode(ct)}};
  } else {
    o["private_key"] = json::Object{{"seed", Base64UrlEncode(seed.RevealSecret())}};
  }
  return json::Serialize(o) + "\n";
}

bool IsEncryptedIdentity(std::string_view text) {
  auto o = json::ParseJsonObject(text);
  if (!o) return false;
  const json::Value* pk = o->if_contains("private_key");
  return pk != nullptr && pk->is_object() && pk->get_object().contains("encryption");
}

Result<Identity> ParseIdentity(std::string_view text, const PassphraseProvider& passphrase) {
  json::ParseLimits limits;
  limits.max_bytes = kMaxIdentityFileBytes;
  AIP_ASSIGN_OR_RETURN(json::Object o, json::ParseJsonObject(text, limits));
  json::FieldReader r(o);
  std::string did;
  AIP_RETURN_IF_ERROR(r.String("did", did, json::Need::kRequired, 512));
  const json::Value* pk = o.if_contains("private_key");
  if (pk == nullptr) return InvalidArgumentError("file has no private key (a public identity?)");

  std::optional<crypto::Ed25519PrivateKey> key;
  if (pk->is_string()) {  // Python AIP credentials.json: base64 seed, did:aip.
    AIP_ASSIGN_OR_RETURN(key, KeyFromSeedText(pk->get_string()));
  } else if (pk->is_object()) {
    const json::Object& p = pk->get_object();
    if (p.contains("encryption")) {
      AIP_ASSIGN_OR_RETURN(crypto::SecretBytes seed, DecryptSeed(p, did, passphrase));
      AIP_ASSIGN_OR_RETURN(key, crypto::Ed25519PrivateKey::FromSeed(seed.RevealSecret()));
    } else {
      std::string seed;
      AIP_RETURN_IF_ERROR(json::FieldReader(p, "/private_key").String("seed", seed, json::Need::kRequired, 256));
      auto from_seed = KeyFromSeedText(seed);
      crypto::SecureWipe(std::span(reinterpret_cast<std::uint8_t*>(seed.data()), seed.size()));
      AIP_ASSIGN_OR_RETURN(key, std::move(from_seed));
    }
  } else {
    return InvalidArgumentError("private_key has an unknown form");
  }
  // Every identifier in the file must belong to the key: a file naming someone else's DID is
  // corrupt or forged, never silently accepted.
  if (!DidMatchesKey(did, key->public_key())) return InvalidArgumentError("did does not match the private key");
  std::string alias, pub, name, platform, created_text;
  AIP_RETURN_IF_ERROR(r.String("did_aip", alias, json::Need::kOptional, 512));
  if (r.Has("did_aip") && alias != DidAipFromPublicKey(key->public_key()))
    return InvalidArgumentError("did_aip does not match the private key");
  AIP_RETURN_IF_ERROR(r.String("public_key", pub, json::Need::kOptional, 256));
  if (r.Has("public_key") && pub != Ed25519Multikey(key->public_key()) && pub != Base64Encode(key->public_key().bytes())) {
    return InvalidArgumentError("public_key does not match the private key");
  }
  AIP_RETURN_IF_ERROR(r.String("username", name, json::Need::kOptional, 256));  // Python AIP's name for it.
  AIP_RETURN_IF_ERROR(r.String("name", name, json::Need::kOptional, 256));
  AIP_RETURN_IF_ERROR(r.String("platform", platform, json::Need::kOptional, 256));
  AIP_RETURN_IF_ERROR(r.String("created", created_text, json::Need::kOptional, 64));
  TimePoint created = DefaultClock().Now();
  if (r.Has("created")) {
    AIP_ASSIGN_OR_RETURN(created, ParseTime(created_text));
  }
  Identity id(std::move(*key), std::move(name), std::move(platform), created);
  if (const json::Value* rot = o.if_contains("rotations")) {
    if (!rot->is_array()) return InvalidArgumentError("rotations must be an array");
    std::vector<KeyRotation> rotations;
    for (const json::Value& record : rot->get_array()) {
      AIP_ASSIGN_OR_RETURN(KeyRotation kr, KeyRotation::FromJson(record));
      rotations.push_back(std::move(kr));
    }
    if (!rotations.empty()) {
      AIP_RETURN_IF_ERROR(Prefix("identity history", VerifyRotationChain(rotations, rotations.front().previous_did, id.did())));
    }
    id.set_rotations(std::move(rotations));
  }
  return id;
}

Result<std::optional<Identity>> IdentityFromEnvironment() {
  const char* pk = std::getenv("AIP_PRIVATE_KEY");
  if (pk == nullptr || *pk == '\0') return std::optional<Identity>();
  auto key = KeyFromSeedText(pk);
  if (!key) return Prefix("AIP_PRIVATE_KEY", key.status());
  const char* did = std::getenv("AIP_DID");
  if (did != nullptr && *did != '\0' && !DidMatchesKey(did, key->public_key())) {
    return InvalidArgumentError("AIP_DID does not match AIP_PRIVATE_KEY");
  }
  const char* name = std::getenv("AIP_NAME");
  return std::optional<Identity>(Identity(std::move(*key), name ? name : "", "", DefaultClock().Now()));
}

std::filesystem::path KeyStore::DefaultHome() {
  if (const char* h = std::getenv("AIP_HOME"); h != nullptr && *h != '\0') return h;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".aip";
  }
  return ".aip";
}

bool KeyStore::HasIdentity() const {
  std::error_code ec;
  return std::filesystem::exists(identity_path(), ec);
}

Status KeyStore::Save(const Identity& id, const std::optional<crypto::SecretBytes>& passphrase, bool overwrite,
                      const crypto::Argon2idParams& kdf) const {
  AIP_RETURN_IF_ERROR(EnsurePrivateDirectory(home_));
  if (!overwrite && HasIdentity()) {
    return AlreadyExistsError(identity_path().string() + " exists (use --force to replace it)");
  }
  AIP_ASSIGN_OR_RETURN(std::string text, SerializeIdentity(id, passphrase, kdf));
  Status s = WriteFileAtomic(identity_path(), text, 0600);
  crypto::SecureWipe({reinterpret_cast<std::uint8_t*>(text.data()), text.size()});
  return s;
}

Result<Identity> KeyStore::Load(const PassphraseProvider& passphrase) const {
  if (!HasIdentity()) {
    return NotFoundError("no identity at " + identity_path().string() + " (run 'aip init')");
  }
  AIP_ASSIGN_OR_RETURN(std::string text, ReadFile(identity_path(), kMaxIdentityFileBytes));
  auto id = ParseIdentity(text, passphrase);
  crypto::SecureWipe({reinterpret_cast<std::uint8_t*>(text.data()), text.size()});
  if (!id && id.error().code == ErrorCode::kInvalidArgument) {
    return InvalidArgumentError("identity file " + identity_path().string() + " is corrupted: " + id.error().message);
  }
  return id;
}

bool KeyStore::IdentityIsEncrypted() const {
  auto text = ReadFile(identity_path(), kMaxIdentityFileBytes);
  return text && IsEncryptedIdentity(*text);
}

Status KeyStore::AddToKeyring(const crypto::Ed25519PublicKey& key, std::string_view name) const {
  AIP_RETURN_IF_ERROR(EnsurePrivateDirectory(home_));
  AIP_RETURN_IF_ERROR(EnsurePrivateDirectory(keyring_dir()));
  std::string did_aip = DidAipFromPublicKey(key);
  json::Object o{{"format", kPublicFormat},
                 {"did", DidKeyFromPublicKey(key)},
                 {"did_aip", did_aip},
                 {"public_key", Ed25519Multikey(key)},
                 {"name", name}};
  return WriteFileAtomic(keyring_dir() / (did_aip.substr(kDidAipPrefix.size()) + ".json"), json::Serialize(o) + "\n", 0600);
}

Result<StaticKeyResolver> KeyStore::Keyring() const {
  StaticKeyResolver resolver;
  std::error_code ec;
  if (!std::filesystem::is_directory(keyring_dir(), ec)) return resolver;
  for (const auto& entry : std::filesystem::directory_iterator(keyring_dir(), ec)) {
    if (entry.path().extension() != ".json") continue;
    AIP_ASSIGN_OR_RETURN(std::string text, ReadFile(entry.path(), kMaxIdentityFileBytes));
    auto o = json::ParseJsonObject(text);
    if (!o) return Prefix("keyring " + entry.path().string(), o.status());
    std::string mk;
    if (Status s = json::FieldReader(*o).String("public_key", mk, json::Need::kRequired, 256); !s.ok()) {
      return Prefix("keyring " + entry.path().string(), s);
    }
    AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, ParseEd25519Multikey(mk));
    AIP_RETURN_IF_ERROR(resolver.Add(DidKeyFromPublicKey(key), key));
    AIP_RETURN_IF_ERROR(resolver.Add(DidAipFromPublicKey(key), key));
  }
  return resolver;
}

}  // namespace aip::identity

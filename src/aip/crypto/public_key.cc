#include "aip/crypto/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace aip::crypto {

struct PublicKey::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

// HasRocaFingerprint: moduli made by the Infineon library of CVE-2017-15361 (ROCA) are, modulo
// each small prime below, a power of 65537 — a structure that lets anyone factor them. Random
// moduli pass this test with negligible probability.
bool HasRocaFingerprint(const BIGNUM* n) {
  static constexpr unsigned kPrimes[] = {3,  5,  7,  11, 13, 17,  19,  23,  29,  31,  37,  41,  43,  47,  53,  59,  61,  67,  71,
                                         73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};
  for (unsigned p : kPrimes) {
    BN_ULONG r = BN_mod_word(n, p);
    if (r == static_cast<BN_ULONG>(-1)) return false;
    // Is r a power of 65537 mod p? Walk the subgroup it generates (at most p steps).
    unsigned g = 65537 % p, x = 1;
    bool member = false;
    for (unsigned i = 0; i < p && !member; ++i, x = (x * g) % p) member = x == r;
    if (!member) return false;
  }
  return true;
}

Error BadKey(std::string why) { return InvalidArgumentError("public key: " + std::move(why)); }
Error BadSignature() { return UnauthenticatedError("signature does not verify"); }

// FromParams builds a key of `type` ("RSA", "EC") from OpenSSL parameters.
Result<std::shared_ptr<PublicKey::Key>> FromParams(const char* type, OSSL_PARAM* params) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  auto key = std::make_shared<PublicKey::Key>();
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 || EVP_PKEY_fromdata(ctx.get(), &key->pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return BadKey(std::string("not a valid ") + type + " key");
  }
  return key;
}

}  // namespace

Result<PublicKey> PublicKey::Checked(std::shared_ptr<Key> key) {
  int id = EVP_PKEY_get_base_id(key->pkey);
  if (id == EVP_PKEY_RSA) {
    int bits = EVP_PKEY_get_bits(key->pkey);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) return BadKey("RSA keys must have 2048 to 8192 bits");
    BIGNUM* e = nullptr;
    if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) return BadKey("RSA exponent unreadable");
    BnPtr exponent(e);
    if (!BN_is_odd(exponent.get()) || BN_is_one(exponent.get())) return BadKey("RSA exponent must be odd and greater than 1");
    BIGNUM* n = nullptr;
    if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1) return BadKey("RSA modulus unreadable");
    BnPtr modulus(n);
    if (HasRocaFingerprint(modulus.get())) return BadKey("RSA modulus has the ROCA weakness (CVE-2017-15361)");
    return PublicKey(std::move(key), Type::kRsa);
  }
  if (id == EVP_PKEY_EC) {
    char group[64] = {0};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key->pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1 ||
        std::string_view(group, len) != "prime256v1") {
      return BadKey("only P-256 EC keys are accepted");
    }
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key->pkey, nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) return BadKey("the point is not on P-256");
    return PublicKey(std::move(key), Type::kP256);
  }
  return BadKey("only RSA and P-256 keys are accepted");
}

Result<PublicKey> PublicKey::RsaFromComponents(ByteSpan modulus, ByteSpan exponent) {
  if (modulus.empty() || exponent.empty() || exponent.size() > 8) return BadKey("RSA modulus or exponent missing or too long");
  BnPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  BnPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!n || !e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return BadKey("cannot build the RSA key");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return BadKey("cannot build the RSA key");
  AIP_ASSIGN_OR_RETURN(auto key, FromParams("RSA", params.get()));
  return Checked(std::move(key));
}

Result<PublicKey> PublicKey::P256FromCoordinates(ByteSpan x, ByteSpan y) {
  if (x.size() != 32 || y.size() != 32) return BadKey("P-256 coordinates must be 32 bytes each");
  Bytes point = Concat({Bytes{0x04}, x, y});
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  AIP_ASSIGN_OR_RETURN(auto key, FromParams("EC", params));
  return Checked(std::move(key));
}

Result<PublicKey> PublicKey::FromSpkiDer(ByteSpan der) {
  const unsigned char* p = der.data();
  auto key = std::make_shared<Key>();
  key->pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (key->pkey == nullptr || p != der.data() + der.size()) return BadKey("not a DER SubjectPublicKeyInfo");
  return Checked(std::move(key));
}

int PublicKey::bits() const { return EVP_PKEY_get_bits(key_->pkey); }

Status PublicKey::Verify(ByteSpan message, ByteSpan signature, bool pss) const {
  MdCtxPtr md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // Owned by `md`.
  if (!md || EVP_DigestVerifyInit(md.get(), &pctx, EVP_sha256(), nullptr, key_->pkey) != 1) {
    return InternalError("cannot start a verification");
  }
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1)) {
    return InternalError("cannot set up RSA-PSS");
  }
  if (EVP_DigestVerify(md.get(), signature.data(), signature.size(), message.data(), message.size()) != 1) {
    return BadSignature();
  }
  return OkStatus();
}

Status PublicKey::VerifyRsaPkcs1Sha256(ByteSpan message, ByteSpan signature) const {
  if (type_ != Type::kRsa) return InvalidArgumentError("RS256 needs an RSA key");
  return Verify(message, signature, false);
}

Status PublicKey::VerifyRsaPssSha256(ByteSpan message, ByteSpan signature) const {
  if (type_ != Type::kRsa) return InvalidArgumentError("PS256 needs an RSA key");
  return Verify(message, signature, true);
}

Status PublicKey::VerifyEcdsaSha256Der(ByteSpan message, ByteSpan signature) const {
  if (type_ != Type::kP256) return InvalidArgumentError("ES256 needs a P-256 key");
  // Strict DER only: decode, re-encode, and require the same bytes (no BER, no trailing data).
  const unsigned char* p = signature.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size())));
  if (!sig || p != signature.data() + signature.size()) return BadSignature();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  bool canonical = len == static_cast<int>(signature.size()) && std::equal(signature.begin(), signature.end(), der);
  OPENSSL_free(der);
  if (!canonical) return BadSignature();
  return Verify(message, signature, false);
}

Status PublicKey::VerifyEcdsaSha256P1363(ByteSpan message, ByteSpan signature) const {
  if (type_ != Type::kP256) return InvalidArgumentError("ES256 needs a P-256 key");
  if (signature.size() != 64) return BadSignature();
  BnPtr r(BN_bin2bn(signature.data(), 32, nullptr));
  BnPtr s(BN_bin2bn(signature.data() + 32, 32, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return InternalError("cannot build the signature");
  (void)r.release();  // Owned by `sig` now.
  (void)s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return BadSignature();
  Status st = Verify(message, ByteSpan(der, static_cast<std::size_t>(len)), false);
  OPENSSL_free(der);
  return st;
}

}  // namespace aip::crypto

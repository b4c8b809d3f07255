// Ed25519 through aip::crypto against raw libsodium on the same 1 KiB message, and SHA-256.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "aip/crypto/ed25519.h"
#include "aip/crypto/sha.h"

namespace {

const aip::Bytes& Message() {
  static const aip::Bytes m(1024, 0x5a);
  return m;
}

void BM_AipEd25519Sign(benchmark::State& state) {
  auto key = aip::crypto::Ed25519PrivateKey::Generate();
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign(Message()));
}
BENCHMARK(BM_AipEd25519Sign);

void BM_AipEd25519Verify(benchmark::State& state) {
  auto key = aip::crypto::Ed25519PrivateKey::Generate();
  auto sig = key.Sign(Message());
  for (auto _ : state) {
    if (!aip::crypto::Verify(key.public_key(), Message(), sig).ok()) state.SkipWithError("verify failed");
  }
}
BENCHMARK(BM_AipEd25519Verify);

void BM_RawSodiumEd25519Verify(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init");
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
  crypto_sign_keypair(pk, sk);
  crypto_sign_detached(sig, nullptr, Message().data(), Message().size(), sk);
  for (auto _ : state) {
    if (crypto_sign_verify_detached(sig, Message().data(), Message().size(), pk) != 0) {
      state.SkipWithError("verify failed");
    }
  }
}
BENCHMARK(BM_RawSodiumEd25519Verify);

void BM_Sha256_1KiB(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(aip::crypto::Sha256(Message()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Message().size()));
}
BENCHMARK(BM_Sha256_1KiB);

}  // namespace

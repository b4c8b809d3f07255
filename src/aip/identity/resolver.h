// DID resolution. did:key resolves offline; other methods plug in behind the same interface
// (did:aip through a local keyring or a registry, did:web over HTTPS in later modules).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/did_document.h"

namespace aip::identity {

struct Resolution {
  json::Object document;  // As resolved; the raw document for display.
  DidDocument parsed;     // The validated view used for verification.
};

class DidResolver {
 public:
  virtual ~DidResolver() = default;
  // Resolve returns the document of `did`; kNotFound if the method is not handled or the DID is
  // unknown, kInvalidArgument if it is malformed.
  virtual Result<Resolution> Resolve(std::string_view did) const = 0;
  // ResolveKey returns verification method `vm_id` if authorized for `purpose`. The default
  // resolves the whole document; methods whose keys are in the identifier answer directly.
  virtual Result<VerificationMethod> ResolveKey(std::string_view vm_id, Purpose purpose) const;
  // KeyOf returns the first key `did`'s document authorizes for `purpose`, for credentials that
  // name a DID but no verification method (Python AIP's X-AIP-DID). The default resolves the
  // whole document; resolvers that know the key answer without building one.
  virtual Result<crypto::Ed25519PublicKey> KeyOf(std::string_view did, Purpose purpose) const;
};

// DidKeyResolver derives did:key documents from the identifier itself.
class DidKeyResolver final : public DidResolver {
 public:
  Result<Resolution> Resolve(std::string_view did) const override;
  // A did:key document authorizes its one Ed25519 key for every purpose: no document needed.
  Result<VerificationMethod> ResolveKey(std::string_view vm_id, Purpose purpose) const override;
  Result<crypto::Ed25519PublicKey> KeyOf(std::string_view did, Purpose purpose) const override;
};

// StaticKeyResolver knows a fixed set of (did:aip or other) DIDs and their Ed25519 keys, such as
// the public identities imported into the local keyring.
class StaticKeyResolver final : public DidResolver {
 public:
  // Add registers `did` for `key`; fails if a did:aip or did:key does not match the key.
  Status Add(std::string_view did, const crypto::Ed25519PublicKey& key);
  Result<Resolution> Resolve(std::string_view did) const override;
  // Its documents authorize the one key for every purpose.
  Result<crypto::Ed25519PublicKey> KeyOf(std::string_view did, Purpose purpose) const override;

 private:
  std::map<std::string, crypto::Ed25519PublicKey, std::less<>> keys_;
};

// CompositeResolver asks each resolver in turn, by DID method prefix ("did:key:").
class CompositeResolver final : public DidResolver {
 public:
  void Register(std::string method_prefix, std::shared_ptr<const DidResolver> resolver);
  Result<Resolution> Resolve(std::string_view did) const override;
  Result<VerificationMethod> ResolveKey(std::string_view vm_id, Purpose purpose) const override;
  Result<crypto::Ed25519PublicKey> KeyOf(std::string_view did, Purpose purpose) const override;

 private:
  // Each resolver whose prefix `did` starts with is asked in turn until one knows it.
  template <typename T, typename F>
  Result<T> FirstKnowing(std::string_view did, F ask) const;
  std::vector<std::pair<std::string, std::shared_ptr<const DidResolver>>> resolvers_;
};

// ResolveVerificationKey resolves the DID of DID URL `vm_id` ("did:...#fragment") and returns
// the key if the document authorizes it for `purpose`.
Result<VerificationMethod> ResolveVerificationKey(const DidResolver& resolver, std::string_view vm_id, Purpose purpose);

// ResolutionResult wraps a resolution in the W3C DID Resolution result shape.
json::Object ResolutionResult(const Resolution& r);

}  // namespace aip::identity

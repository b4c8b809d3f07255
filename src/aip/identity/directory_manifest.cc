#include "aip/identity/directory_manifest.h"

#include "aip/base/field_reader.h"

#include <fnmatch.h>

#include <fstream>

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/crypto/sha.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"

namespace aip::identity {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kType = "aip-directory-manifest";
constexpr std::size_t kMaxManifestBytes = 32 * 1024 * 1024;

// The Python project's ignore set, used when checking its manifests.
const std::vector<std::string>& LegacyIgnorePatterns() {
  static const std::vector<std::string> p = {".git",  "__pycache__", ".aip-signature.json", ".DS_Store", "node_modules", ".env",
                                             "*.pyc", "*.pyo"};
  return p;
}

bool Ignored(const std::string& rel, const std::vector<std::string>& ignore) {
  for (const std::string& pattern : ignore) {
    if (::fnmatch(pattern.c_str(), rel.c_str(), FNM_PATHNAME) == 0) return true;
    std::size_t start = 0;
    while (start <= rel.size()) {
      std::size_t end = rel.find('/', start);
      std::string part = rel.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (::fnmatch(pattern.c_str(), part.c_str(), 0) == 0) return true;
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return false;
}

Result<std::string> HashFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError(path.string() + ": cannot read");
  crypto::Sha256Hasher h;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    h.Update({reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(in.gcount())});
  }
  return HexEncode(h.Finish());
}

Result<std::map<std::string, std::string>> ParseFiles(const json::Object& doc) {
  json::FieldReader r(doc);
  AIP_ASSIGN_OR_RETURN(auto files, r.Nested("files", json::Need::kRequired));
  if (files->object().size() > kMaxManifestFiles) return files->FailHere("lists too many files");
  std::map<std::string, std::string> out;
  for (const auto& kv : files->object()) {
    std::string hash;
    AIP_RETURN_IF_ERROR(files->String(kv.key(), hash, json::Need::kRequired, 128));
    out.emplace(std::string(kv.key()), std::move(hash));
  }
  return out;
}

Result<std::vector<std::string>> ParseIgnore(const json::Object& doc) {
  std::vector<std::string> out;
  AIP_RETURN_IF_ERROR(json::FieldReader(doc).Strings("ignore", out, json::Need::kOptional, 1024, 4096));
  return out;
}

struct CheckedManifest {
  ManifestReport report;
  std::map<std::string, std::string> files;
  std::vector<std::string> ignore;
};

Result<CheckedManifest> CheckOurs(json::Object doc, const std::optional<std::string>& expected_signer) {
  json::FieldReader r(doc);
  std::string algorithm, signer, created, sig_text;
  std::int64_t version = 0;
  AIP_RETURN_IF_ERROR(r.Int("version", version, 1, 1, json::Need::kRequired));
  AIP_RETURN_IF_ERROR(r.String("algorithm", algorithm, json::Need::kRequired, 32));
  if (algorithm != "Ed25519") return InvalidArgumentError("unsupported manifest algorithm");
  AIP_RETURN_IF_ERROR(r.String("signer", signer, json::Need::kRequired, 128));
  AIP_RETURN_IF_ERROR(r.String("created", created, json::Need::kRequired, 64));
  AIP_RETURN_IF_ERROR(r.String("signature", sig_text, json::Need::kRequired, 128));
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, PublicKeyFromDidKey(signer));
  AIP_ASSIGN_OR_RETURN(Bytes sig, Base64UrlDecode(sig_text));
  CheckedManifest m;
  m.report.format = "aip";
  m.report.signer = signer;
  AIP_ASSIGN_OR_RETURN(m.report.created, ParseTime(created));
  AIP_ASSIGN_OR_RETURN(m.files, ParseFiles(doc));
  AIP_ASSIGN_OR_RETURN(m.ignore, ParseIgnore(doc));
  doc.erase("signature");
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(doc));
  AIP_RETURN_IF_ERROR(crypto::Verify(key, DomainSeparated(SigningDomain::kDirectoryManifest, AsBytes(canonical)), sig));
  if (expected_signer && !DidMatchesKey(*expected_signer, key)) {
    return UnauthenticatedError("manifest signed by " + m.report.signer + ", not by " + *expected_signer);
  }
  m.report.files = m.files.size();
  return m;
}

// The Python AIP manifest: the signature (hex) covers json.dumps(manifest minus signature,
// sort_keys=True, separators=(",", ":")); the key is base64 in "public_key". Unlike that project,
// we also require "did" to be the did:aip (or did:key) of that key.
Result<CheckedManifest> CheckLegacy(json::Object doc, const std::optional<std::string>& expected_signer) {
  json::FieldReader r(doc);
  std::string did, pub_text, sig_text;
  std::int64_t timestamp = 0;
  AIP_RETURN_IF_ERROR(r.String("did", did, json::Need::kRequired, 512));
  AIP_RETURN_IF_ERROR(r.String("public_key", pub_text, json::Need::kRequired, 128));
  AIP_RETURN_IF_ERROR(r.String("signature", sig_text, json::Need::kRequired, 256));
  AIP_RETURN_IF_ERROR(r.Int("timestamp", timestamp, 0, std::int64_t{1} << 40, json::Need::kRequired));
  AIP_ASSIGN_OR_RETURN(Bytes pub_raw, Base64Decode(pub_text));
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, crypto::Ed25519PublicKey::FromBytes(pub_raw));
  AIP_ASSIGN_OR_RETURN(Bytes sig, HexDecode(sig_text));
  if (!DidMatchesKey(did, key)) return UnauthenticatedError("manifest did does not match its public key");
  CheckedManifest m;
  m.report.format = "python-aip";
  m.report.signer = did;
  m.report.created = TimePoint(std::chrono::seconds(timestamp));
  AIP_ASSIGN_OR_RETURN(m.files, ParseFiles(doc));
  m.ignore = LegacyIgnorePatterns();
  doc.erase("signature");
  AIP_ASSIGN_OR_RETURN(std::string payload, json::SerializePythonSorted(json::Value(doc)));
  AIP_RETURN_IF_ERROR(crypto::Verify(key, AsBytes(payload), sig));
  if (expected_signer && !DidMatchesKey(*expected_signer, key)) {
    return UnauthenticatedError("manifest signed by " + m.report.signer + ", not by " + *expected_signer);
  }
  m.report.files = m.files.size();
  return m;
}

Result<CheckedManifest> CheckManifest(std::string_view manifest_json, const std::optional<std::string>& expected) {
  json::ParseLimits limits;
  limits.max_bytes = kMaxManifestBytes;
  auto parsed = json::ParseJsonObject(manifest_json, limits);
  if (!parsed) return InvalidArgumentError("manifest is malformed or truncated: " + parsed.error().message);
  if (json::OptionalString(*parsed, "type") == kType) return CheckOurs(std::move(*parsed), expected);
  if (parsed->contains("public_key") && parsed->contains("did")) return CheckLegacy(std::move(*parsed), expected);
  return InvalidArgumentError("not a directory manifest");
}

}  // namespace

std::vector<std::string> DefaultIgnorePatterns() { return {".git", std::string(kManifestFileName), std::string(kLegacyManifestFileName)}; }

Result<std::map<std::string, std::string>> HashDirectory(const fs::path& root_in, const std::vector<std::string>& ignore) {
  std::error_code ec;
  fs::path root = fs::canonical(root_in, ec);
  if (ec) return NotFoundError(root_in.string() + ": " + ec.message());
  if (!fs::is_directory(root)) return InvalidArgumentError(root_in.string() + ": not a directory");
  std::map<std::string, std::string> out;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return UnavailableError(root_in.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return UnavailableError(root_in.string() + ": " + ec.message());
    const fs::path& p = it->path();
    std::string rel = p.lexically_relative(root).generic_string();
    if (Ignored(rel, ignore)) {
      if (it->is_directory() && !it->is_symlink()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink()) {
      fs::path target = fs::canonical(p, ec);
      if (ec) return InvalidArgumentError(rel + ": dangling symlink");
      auto [r, t] = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
      if (r != root.end()) return PermissionDeniedError(rel + ": symlink escapes the directory");
      if (fs::is_directory(target)) return InvalidArgumentError(rel + ": symlinked directories are not supported");
    } else if (it->is_directory()) {
      continue;
    }
    if (!fs::is_regular_file(p)) return InvalidArgumentError(rel + ": not a regular file");
    if (out.size() >= kMaxManifestFiles) return ResourceExhaustedError("directory has too many files");
    AIP_ASSIGN_OR_RETURN(std::string digest, HashFile(p));
    out.emplace(std::move(rel), std::move(digest));
  }
  return out;
}

Result<json::Object> SignDirectory(const Identity& signer, const fs::path& root, const std::vector<std::string>& extra_ignore,
                                   TimePoint now) {
  std::vector<std::string> ignore = DefaultIgnorePatterns();
  ignore.insert(ignore.end(), extra_ignore.begin(), extra_ignore.end());
  AIP_ASSIGN_OR_RETURN(auto files, HashDirectory(root, ignore));
  json::Object file_obj;
  for (const auto& [path, digest] : files) file_obj[path] = digest;
  json::Array ignore_arr;
  for (const auto& p : ignore) ignore_arr.emplace_back(p);
  json::Object doc{{"type", kType},
                   {"version", 1},
                   {"signer", signer.did()},
                   {"algorithm", "Ed25519"},
                   {"created", FormatTime(now)},
                   {"ignore", std::move(ignore_arr)},
                   {"files", std::move(file_obj)}};
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(doc));
  doc["signature"] = Base64UrlEncode(signer.Sign(SigningDomain::kDirectoryManifest, AsBytes(canonical)));
  return doc;
}

Result<ManifestReport> VerifyManifestSignature(std::string_view manifest_json, const std::optional<std::string>& expected_signer) {
  AIP_ASSIGN_OR_RETURN(CheckedManifest m, CheckManifest(manifest_json, expected_signer));
  return m.report;
}

Result<ManifestReport> VerifyDirectory(const fs::path& root, std::string_view manifest_json,
                                       const std::optional<std::string>& expected_signer) {
  AIP_ASSIGN_OR_RETURN(CheckedManifest m, CheckManifest(manifest_json, expected_signer));
  AIP_ASSIGN_OR_RETURN(auto actual, HashDirectory(root, m.ignore));
  for (const auto& [path, digest] : m.files) {
    auto it = actual.find(path);
    if (it == actual.end()) {
      m.report.problems.push_back("missing: " + path);
    } else if (it->second != digest) {
      m.report.problems.push_back("changed: " + path);
    }
  }
  for (const auto& [path, digest] : actual) {
    if (!m.files.contains(path)) m.report.problems.push_back("unexpected: " + path);
  }
  return m.report;
}

}  // namespace aip::identity

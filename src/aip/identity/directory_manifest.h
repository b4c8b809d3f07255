// Signed directory manifests (`aip sign-dir` / `aip verify-dir`): SHA-256 of every file under a
// directory by '/'-separated relative path, an ignore list, the signer and time, signed in the
// directory-manifest domain. Verification also accepts the Python AIP `.aip-signature.json`.
//
// Walking is hostile-input safe: a symlink that resolves outside the directory, a symlinked
// directory, or a special file stops signing and verification with an error naming the path.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"

namespace aip::identity {

inline constexpr std::string_view kManifestFileName = ".aip-manifest.json";
inline constexpr std::string_view kLegacyManifestFileName = ".aip-signature.json";
inline constexpr std::size_t kMaxManifestFiles = 100000;

// HashDirectory returns relative path → SHA-256 hex for every file not matched by `ignore`
// (fnmatch patterns tested against each path component and against the whole relative path).
Result<std::map<std::string, std::string>> HashDirectory(const std::filesystem::path& root, const std::vector<std::string>& ignore);

std::vector<std::string> DefaultIgnorePatterns();

// SignDirectory returns the manifest document for `root`.
Result<json::Object> SignDirectory(const Identity& signer, const std::filesystem::path& root, const std::vector<std::string>& extra_ignore,
                                   TimePoint now);

struct ManifestReport {
  std::string format;  // "aip" or "python-aip".
  std::string signer;  // DID as written in the manifest.
  TimePoint created;
  std::size_t files = 0;
  std::vector<std::string> problems;  // "changed: a.txt", "missing: b", "unexpected: c".
  bool ok() const { return problems.empty(); }
};

// VerifyManifestSignature checks the manifest's own signature (either format) without looking
// at any files; returns the report with no file checks.
Result<ManifestReport> VerifyManifestSignature(std::string_view manifest_json, const std::optional<std::string>& expected_signer);

// VerifyDirectory verifies the manifest signature, then compares every file under `root`.
// The returned report lists each difference; an error means the manifest itself is bad.
Result<ManifestReport> VerifyDirectory(const std::filesystem::path& root, std::string_view manifest_json,
                                       const std::optional<std::string>& expected_signer);

}  // namespace aip::identity

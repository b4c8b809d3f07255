// File primitives with the permissions a key store needs: bounded reads, and atomic writes that
// create the file with its final mode (a key file is never readable by others, not even briefly).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "aip/base/status.h"

namespace aip {

inline constexpr std::size_t kDefaultMaxFileBytes = 64 * 1024 * 1024;

// ReadFile returns the contents of `path` ("-" reads standard input), failing with
// kResourceExhausted beyond `max_bytes` and kNotFound when the file is missing.
Result<std::string> ReadFile(const std::filesystem::path& path, std::size_t max_bytes = kDefaultMaxFileBytes);

// WriteFileAtomic writes `data` to a new temporary file created with `mode`, syncs it, then
// renames it over `path` and syncs the directory: readers see the old or the new file, whole.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data, unsigned mode);

// EnsurePrivateDirectory creates `dir` (and parents) with mode 0700 if missing, and fails if it
// exists with access for group or others.
Status EnsurePrivateDirectory(const std::filesystem::path& dir);

}  // namespace aip

// The Trust Observatory's files (web/registry/ and the graph library from npm), compiled into
// the binary and served with a strict Content-Security-Policy: scripts and styles only from the
// registry itself, no inline code, no third-party origins, no framing.
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "aip/net/http.h"

namespace aip::registry {

struct EmbeddedAsset {
  std::string_view path;  // "/", "/app.js", …
  std::string_view content_type;
  std::string_view body;
};

// EmbeddedAssets is generated at build time (cmake/EmbedFiles.cmake).
const std::vector<EmbeddedAsset>& EmbeddedAssets();

// WebAsset answers GET `path` from the embedded files, or nullopt.
std::optional<net::HttpResponse> WebAsset(std::string_view path);

}  // namespace aip::registry

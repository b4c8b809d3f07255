#include "aip/testing/testing.h"

#include <cstdio>
#include <cstdlib>

#include <stdlib.h>

#include <gtest/gtest.h>

#include "aip/base/encoding.h"
#include "aip/base/file_io.h"

namespace aip::testing {

std::filesystem::path SharedTestdata(std::string_view relative) {
  const char* env = std::getenv("AIP_SHARED_TESTDATA");
  std::filesystem::path root = env != nullptr ? env : "../shared/testdata";
  return root / relative;
}

std::filesystem::path ProjectTestdata(std::string_view relative) { return std::filesystem::path("tests/testdata") / relative; }

std::string ReadText(const std::filesystem::path& path) {
  auto text = ReadFile(path, 512 * 1024 * 1024);
  if (!text) {
    ADD_FAILURE() << "cannot read " << path << ": " << text.status().ToString();
    return {};
  }
  return *std::move(text);
}

json::Value ReadJson(const std::filesystem::path& path) {
  json::ParseLimits limits;
  limits.max_bytes = 512 * 1024 * 1024;
  limits.max_depth = 1000;
  auto v = json::ParseJson(ReadText(path), limits);
  if (!v) {
    ADD_FAILURE() << "cannot parse " << path << ": " << v.status().ToString();
    return {};
  }
  return *std::move(v);
}

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  if (!b) {
    ADD_FAILURE() << "bad hex in test data: " << b.status().ToString();
    return {};
  }
  return *std::move(b);
}

LocalhostCertificate MakeLocalhostCertificate() {
  char tmpl[] = "/tmp/aip-tls-XXXXXX";
  const char* made = ::mkdtemp(tmpl);
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  LocalhostCertificate c{made, std::string(made) + "/cert.pem", std::string(made) + "/key.pem"};
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost "
      "-addext subjectAltName=DNS:localhost -keyout " +
      c.key + " -out " + c.cert + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "openssl could not make a certificate";
  return c;
}

void ReportVectors(std::string_view file, std::size_t count) {
  std::printf("[vectors] %.*s: %zu run\n", static_cast<int>(file.size()), file.data(), count);
  std::fflush(stdout);
}

}  // namespace aip::testing

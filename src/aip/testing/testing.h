// Test helpers: gMock matchers for Status/Result and access to the shared test vectors.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <gmock/gmock.h>

#include "aip/base/bytes.h"
#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
Status GetStatus(const Result<T>& r) {
  return r.status();
}

MATCHER(IsOk, "is OK") {
  Status s = ::aip::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "error: " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has error code " + std::string(::aip::ErrorCodeName(code))) {
  Status s = ::aip::testing::GetStatus(arg);
  if (s.ok()) {
    *result_listener << "is OK";
    return false;
  }
  *result_listener << "is " << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, substring, "has error code and message containing " + std::string(substring)) {
  Status s = ::aip::testing::GetStatus(arg);
  if (s.ok()) {
    *result_listener << "is OK";
    return false;
  }
  *result_listener << "is " << s.ToString();
  return s.code() == code && s.message().find(substring) != std::string::npos;
}

// SharedTestdata returns the path of a file under ../shared/testdata (or $AIP_SHARED_TESTDATA).
// ManualClock is a clock a test sets by hand (`now`), so nothing sleeps.
class ManualClock final : public Clock {
 public:
  TimePoint Now() const override { return now; }
  TimePoint now = TimePoint(std::chrono::seconds(1'800'000'000));
};

std::filesystem::path SharedTestdata(std::string_view relative);
// ProjectTestdata returns a path under tests/testdata.
std::filesystem::path ProjectTestdata(std::string_view relative);

// ReadText and ReadJson fail the current test (and return empty) when a file is unreadable.
std::string ReadText(const std::filesystem::path& path);
json::Value ReadJson(const std::filesystem::path& path);

// Hex decodes test-vector hex, failing the test on bad input.
Bytes Hex(std::string_view hex);

// LocalhostCertificate makes a temporary folder holding a self-signed certificate for
// "localhost" (cert.pem, also the CA to trust) and its key (key.pem), with openssl; the test
// removes `dir` when done. Fails the current test when openssl does.
struct LocalhostCertificate {
  std::string dir, cert, key;
};
LocalhostCertificate MakeLocalhostCertificate();

// ReportVectors prints "[vectors] <file>: <n> run" so `make test` shows what each file covered.
void ReportVectors(std::string_view file, std::size_t count);

}  // namespace aip::testing

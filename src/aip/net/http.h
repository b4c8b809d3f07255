// HTTP message types shared by aip's server and client. Plain structs: no Boost.Beast or Asio in
// public headers (they stay inside net/*.cc to keep builds fast).
#pragma once

#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aip/base/cancellation.h"
#include "aip/base/status.h"

namespace aip::net {

// Headers keeps field names lowercased; lookups are by lowercase name.
class Headers {
 public:
  void Add(std::string_view name, std::string_view value);
  void Set(std::string_view name, std::string_view value);
  std::optional<std::string_view> Get(std::string_view lower_name) const;
  // Count returns how many fields have this name (a repeated security header is suspicious).
  std::size_t Count(std::string_view lower_name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct HttpRequest {
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
  std::string remote_address;
  // Set by the server when the client closes its connection while the handler runs.
  std::shared_ptr<Cancellation> cancellation;
  // Path is the target without its query string.
  std::string_view Path() const;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
};

// Url is an absolute http(s) URL split for a client.
struct Url {
  std::string scheme;  // "http" or "https".
  std::string host;
  std::uint16_t port = 0;
  std::string target;  // Path and query, at least "/".
  std::string Origin() const;
};
Result<Url> ParseUrl(std::string_view text);

// HostPort is a listen address: "127.0.0.1:8700", "[::1]:8700" (brackets removed), ":8700" (all
// interfaces is never implied: an empty host is refused).
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
Result<HostPort> ParseHostPort(std::string_view text);

std::string_view StatusReason(int status);

// IsHttpTokenChar: a tchar of RFC 9110 §5.6.2 (what field names and methods are made of).
bool IsHttpTokenChar(char c);
// IsHttpToken: a non-empty run of tchars.
bool IsHttpToken(std::string_view s);

// RenderResponse writes a whole HTTP/1.x response — status line, fields, content-length, body —
// into one buffer, so it leaves in one write. The framing fields (content-length,
// transfer-encoding, connection) are ours, not the handler's; a field whose name or value could
// split the response (CR, LF, NUL, or a name that is not a token) is dropped.
std::string RenderResponse(const HttpResponse& response, unsigned version, bool keep_alive);

// RenderChunkedHead writes the status line and fields of a response whose body follows in
// chunks (an event stream), under the same rules for fields.
std::string RenderChunkedHead(int status, const Headers& headers, unsigned version);

// RenderRequest writes a whole HTTP/1.1 keep-alive request with a content-length, under the same
// rules for fields; `host` unless the headers name one; a method, target or host that could split
// the request is an error.
Result<std::string> RenderRequest(std::string_view method, std::string_view target, std::string_view host, const Headers& headers,
                                  std::string_view body);

}  // namespace aip::net

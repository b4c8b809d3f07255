#include "aip/net/http.h"

#include "aip/base/ascii.h"

#include <algorithm>
#include <charconv>

namespace aip::net {
namespace {

bool IsSafeField(std::string_view name, std::string_view value) {
  return IsHttpToken(name) && value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// AppendFields writes the fields that may go out as they are (see RenderResponse).
void AppendFields(std::string& out, const Headers& headers) {
  for (const auto& [n, v] : headers.fields()) {
    if (n == "content-length" || n == "transfer-encoding" || n == "connection" || n == "host" || !IsSafeField(n, v)) continue;
    out += n;
    out += ": ";
    out += v;
    out += "\r\n";
  }
}

// AppendHead writes the status line and the fields that may go out as they are.
void AppendHead(std::string& out, unsigned version, int status, const Headers& headers) {
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += StatusReason(status);
  out += "\r\n";
  AppendFields(out, headers);
}

}  // namespace

bool IsHttpTokenChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsHttpToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsHttpTokenChar); }

void Headers::Add(std::string_view name, std::string_view value) { fields_.emplace_back(AsciiLower(name), value); }

void Headers::Set(std::string_view name, std::string_view value) {
  std::string n = AsciiLower(name);
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(), [&](const auto& f) { return f.first == n; }), fields_.end());
  fields_.emplace_back(std::move(n), value);
}

std::optional<std::string_view> Headers::Get(std::string_view lower_name) const {
  for (const auto& [n, v] : fields_) {
    if (n == lower_name) return std::string_view(v);
  }
  return std::nullopt;
}

std::size_t Headers::Count(std::string_view lower_name) const {
  return static_cast<std::size_t>(std::count_if(fields_.begin(), fields_.end(), [&](const auto& f) { return f.first == lower_name; }));
}

std::string_view HttpRequest::Path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string Url::Origin() const {
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return scheme + "://" + host + (default_port ? "" : ":" + std::to_string(port));
}

Result<Url> ParseUrl(std::string_view text) {
  Url u;
  std::size_t sep = text.find("://");
  if (sep == std::string_view::npos) return InvalidArgumentError("URL must start with http:// or https://");
  u.scheme = AsciiLower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return InvalidArgumentError("URL scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (u.target.empty() || u.target[0] == '?') u.target = "/" + u.target;
  if (authority.find('@') != std::string_view::npos) return InvalidArgumentError("URL must not contain credentials");
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("URL has a bad IPv6 host");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return InvalidArgumentError("URL has a bad port");
      port = authority.substr(close + 2);
    }
  } else if (std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return InvalidArgumentError("URL has no host");
  u.host = AsciiLower(host);
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p == 0 || p > 65535) {
      return InvalidArgumentError("URL has a bad port");
    }
    u.port = static_cast<std::uint16_t>(p);
  }
  return u;
}

std::string_view StatusReason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

Result<HostPort> ParseHostPort(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return InvalidArgumentError("expected HOST:PORT, got \"" + std::string(text) + "\"");
  HostPort out;
  out.host = std::string(text.substr(0, colon));
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  if (port.empty() || port.size() > 5) return InvalidArgumentError("bad port in \"" + std::string(text) + "\"");
  for (char c : port) {
    if (c < '0' || c > '9') return InvalidArgumentError("bad port in \"" + std::string(text) + "\"");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return InvalidArgumentError("bad port in \"" + std::string(text) + "\"");
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

std::string RenderResponse(const HttpResponse& r, unsigned version, bool keep_alive) {
  std::string out;
  out.reserve(128 + r.body.size() + 64 * r.headers.fields().size());
  AppendHead(out, version, r.status, r.headers);
  // RFC 9110 §8.6: 1xx, 204 and 304 responses carry no content and no content-length.
  bool no_content = (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
  if (!no_content) {
    out += "content-length: ";
    out += std::to_string(r.body.size());
    out += "\r\n";
  }
  // HTTP/1.1 stays open unless told otherwise; HTTP/1.0 closes unless told otherwise.
  if (version == 10 && keep_alive) out += "connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "connection: close\r\n";
  out += "\r\n";
  if (!no_content) out += r.body;
  return out;
}

std::string RenderChunkedHead(int status, const Headers& headers, unsigned version) {
  std::string out;
  AppendHead(out, version, status, headers);
  out += "transfer-encoding: chunked\r\n\r\n";
  return out;
}

Result<std::string> RenderRequest(std::string_view method, std::string_view target, std::string_view host, const Headers& headers,
                                  std::string_view body) {
  bool method_ok = IsHttpToken(method);
  bool target_ok = !target.empty() && std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (auto given = headers.Get("host")) host = *given;  // A caller may name another virtual host.
  if (!method_ok || !target_ok || !IsSafeField("host", host)) return InvalidArgumentError("HTTP request line or host is not valid");
  std::string out;
  out.reserve(128 + body.size() + 64 * headers.fields().size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nhost: ").append(host).append("\r\n");
  AppendFields(out, headers);
  out += "content-length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
  return out;
}

}  // namespace aip::net

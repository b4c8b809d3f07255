// What a Web Bot Auth request and an operator's key directory bring, as a stranger sends them:
// the Signature-Agent origin, Cache-Control, the request's signature fields and a directory
// response. Nothing crashes; an accepted origin is a bare https authority; a max-age is never
// negative; a directory or a request signed by nobody is never accepted.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aip/httpsig/web_bot_auth.h"
#include "aip/resolvers/bot_directories.h"

namespace {

std::vector<std::string_view> Lines(std::string_view text, std::size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  out.push_back(text);
  out.resize(n);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aip;
  // origin \n cache-control \n signature-input \n signature \n directory body
  auto f = Lines(std::string_view(reinterpret_cast<const char*>(data), size), 5);
  if (auto authority = resolvers::DirectoryAuthority(f[0])) {
    if (authority->empty() || authority->find_first_of("/@?#\"\\ ") != std::string::npos) __builtin_trap();
    (void)resolvers::OperatorDid(*authority);
  }
  net::Headers cache;
  cache.Add("cache-control", f[1]);
  if (auto age = resolvers::CacheMaxAge(cache); age && age->count() < 0) __builtin_trap();

  net::Headers response;
  response.Add("signature-input", f[2]);
  response.Add("signature", f[3]);
  response.Add("content-digest", httpsig::ContentDigest(f[4]));
  httpsig::DirectoryVerifyOptions d;
  d.max_lifetime = std::chrono::hours(24 * 365 * 200);
  (void)httpsig::DirectoryKeys(f[4]);
  (void)httpsig::VerifyDirectory("bot.example", response, f[4], d);

  net::Headers request;
  request.Add("signature-agent", f[0]);
  request.Add("signature-input", f[2]);
  request.Add("signature", f[3]);
  httpsig::WebBotAuthVerifyOptions v;
  static const auto key = crypto::Ed25519PrivateKey::Generate();
  v.key_for = [](std::string_view, std::string_view) -> Result<crypto::Ed25519PublicKey> { return key.public_key(); };
  v.max_lifetime = std::chrono::hours(24 * 365 * 200);
  v.require_nonce = false;
  // Nobody holding `key` signed anything here: acceptance would be a forgery.
  if (httpsig::VerifyWebBotAuth(httpsig::HttpMessage{"GET", "https://bot.example/", &request}, "", v)) __builtin_trap();
  return 0;
}

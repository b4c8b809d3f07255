// wba_verify URL JWKS_FILE: checks a Web Bot Auth signature with aip's verifier, for the interop
// test against npm's web-bot-auth signer. Reads the request's headers as a JSON object on stdin;
// the key is looked up by thumbprint in the JWKS (the operator's directory). Prints
// {"ok": true, "keyid", "agent"} and exits 0, or {"ok": false, "error"} and exits 1.
#include <iostream>
#include <iterator>

#include "aip/base/file_io.h"
#include "aip/base/json.h"
#include "aip/httpsig/web_bot_auth.h"

int main(int argc, char** argv) {
  using namespace aip;
  if (argc != 3) {
    std::cerr << "usage: wba_verify URL JWKS_FILE < headers.json\n";
    return 2;
  }
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  auto headers_json = json::ParseJsonObject(input);
  auto jwks = ReadFile(argv[2], 64 * 1024);
  if (!headers_json || !jwks) {
    std::cerr << "wba_verify: bad input\n";
    return 2;
  }
  net::Headers headers;
  for (const auto& kv : *headers_json) {
    if (kv.value().is_string()) headers.Set(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  auto keys = httpsig::DirectoryKeys(*jwks);
  httpsig::WebBotAuthVerifyOptions o;
  o.key_for = [&](std::string_view keyid, std::string_view) -> Result<crypto::Ed25519PublicKey> {
    if (!keys) return keys.error();
    auto it = keys->find(std::string(keyid));
    if (it == keys->end()) return UnauthenticatedError("keyid " + std::string(keyid) + " is not in the directory");
    return it->second;
  };
  httpsig::HttpMessage m{"GET", argv[1], &headers};
  auto bot = httpsig::VerifyWebBotAuth(m, "", o);
  json::Object out = bot ? json::Object{{"ok", true}, {"keyid", bot->keyid}, {"agent", bot->agent}}
                         : json::Object{{"ok", false}, {"error", bot.error().message}};
  std::cout << json::Serialize(out) << "\n";
  return bot ? 0 : 1;
}

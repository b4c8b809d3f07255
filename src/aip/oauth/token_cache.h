// TokenCache keeps a user's sign-in to one MCP server on disk, so a new process (another
// `aip call`, a restarted `aip proxy`) goes on without a new browser login: the access token, its
// refresh token, the granted scopes, the authorization server and the client used there. One
// file per server URL in a 0700 directory ($AIP_HOME/tokens/), written atomically with mode 0600;
// `aip logout URL` removes it. A file that does not parse, or names another server, is ignored.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "aip/base/status.h"
#include "aip/oauth/token_endpoint.h"

namespace aip::oauth {

struct CachedLogin {
  std::string server_url;
  std::string issuer;
  AccessToken token;
  std::set<std::string> granted;
  OAuthClient client;
};

class TokenCache {
 public:
  explicit TokenCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::optional<CachedLogin> Load(const std::string& server_url) const;
  Status Save(const CachedLogin& login) const;
  // Forget removes the login for `server_url`; false when there was none.
  Result<bool> Forget(const std::string& server_url) const;
  std::filesystem::path PathFor(const std::string& server_url) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace aip::oauth

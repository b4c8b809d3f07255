// RedirectListener receives the authorization response of a login in the user's browser: an
// HTTP server on 127.0.0.1 (RFC 8252 §7.3, loopback redirect) whose /callback takes the
// redirect's query. Only a response carrying this login's `state` is taken; anything else gets a
// 400 and the login keeps waiting, so a stray or forged request cannot end or hijack it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "aip/base/status.h"

namespace aip::oauth {

class RedirectListener {
 public:
  // Start listens on 127.0.0.1:`port` (0: any free port).
  static Result<std::unique_ptr<RedirectListener>> Start(std::uint16_t port = 0);
  ~RedirectListener();

  std::string redirect_uri() const;  // "http://127.0.0.1:<port>/callback"
  // Wait returns the parameters of the first /callback request whose `state` equals `state`,
  // or kUnavailable after `timeout`.
  Result<std::map<std::string, std::string>> Wait(const std::string& state, std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit RedirectListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aip::oauth

// DefinitionScreen: tool integrity in `aip proxy`, `aip tools` and `aip call` (docs/tool-integrity.md). The local client
// sees a server's tools and prompts only as approved: each tools/list and prompts/list answer
// is checked against the pins of that server (the user's $AIP_HOME/pins/client.json, keyed by the
// server's URL); what changed since approval, is new, or is listed twice is taken out of the
// answer, and a call to it is answered with an error naming it and why — until the user runs
// `aip pins approve`. A definition that carries a valid proof is pinned with its signer.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "aip/base/json.h"
#include "aip/mcpsig/definition_proof.h"
#include "aip/pins/pin_store.h"

namespace aip::proxy {

// kWithheldCode answers a call to a tool or prompt the pins withhold (as the gateway does).
inline constexpr int kWithheldCode = -31003;

class DefinitionScreen {
 public:
  DefinitionScreen(std::shared_ptr<pins::PinStore> store, std::string server, pins::PinMode mode,
                   std::function<void(std::string_view)> log = nullptr);

  // ScreenAnswer takes out of a tools/list or prompts/list answer (to `request`) what the pins
  // withhold, and remembers it. Other answers pass untouched. A pin file that cannot be read
  // withholds the whole answer (fail closed).
  void ScreenAnswer(std::string_view method, const json::Object& request, json::Object& answer);
  // Refusal is the answer to a tools/call or prompts/get of a withheld name; nullopt otherwise.
  std::optional<json::Object> Refusal(const json::Object& request) const;
  // Listed: whether a listing of this kind ("tools", "prompts") was screened yet.
  bool Listed(std::string_view kind) const;
  // Withheld: what the last listings withheld, "tool/name" → reason.
  std::map<std::string, std::string> Withheld() const;

 private:
  std::shared_ptr<pins::PinStore> store_;
  std::string server_;
  pins::PinMode mode_;
  std::function<void(std::string_view)> log_;
  mcpsig::CachedDefinitionVerifier verifier_;  // A definition listed again is not verified again.
  mutable std::mutex mu_;
  std::map<std::string, std::string> withheld_;  // "tool/name" → reason.
  std::set<std::string> listed_;
};

}  // namespace aip::proxy

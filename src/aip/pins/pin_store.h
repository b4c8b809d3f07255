// PinStore: the definitions an operator approved, per server, in one JSON file — and what each
// server listed since that differs (pending, for `aip pins diff` and `aip pins approve`). The
// gateway screens every listing it fetches through it; the CLI reads and approves through it.
// Several processes share the file: each change is made under an exclusive lock on a sidecar
// lock file and written atomically (mode 0600).
//
// Items are keyed "<kind>/<name>" (kind "tool" or "prompt"); a pin holds the definition's hash
// and the DID that signed it (if any): the same definition signed by another DID is a change. A difference stays pending until
// approved or reset, even when the server lists the approved definition again (one that
// alternates is reported once, and stays visible). A listed item is served only when
// its hash equals the approved one. Otherwise it is withheld: "changed" (an approved name, another
// definition), "unapproved" (a name never approved — a new tool, or a renamed one: a rename is a
// removal plus a new name), or "duplicate" (listed twice in one listing). With mode tofu, a
// server's first listing is approved as it is (trust on first use); with approved, nothing is
// served until approved. A server listing more than 1,000 items is refused (kResourceExhausted)
// and a definition over 32 KiB withheld ("too_large"): the file is shared with other servers.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/pins/definition_pin.h"

namespace aip::pins {

enum class PinMode { kOff, kTofu, kApproved };
Result<PinMode> ParsePinMode(std::string_view text);  // "off" | "tofu" | "approved"
std::string_view PinModeName(PinMode mode);

// WithheldWhy says in words why an item is withheld, for the refusal a caller sees ("changed" →
// "definition changed since approval"); the reasons are the stores', the signature checks' and
// server trust's. Unknown reasons are returned as they are.
std::string WithheldWhy(std::string_view reason);

struct ListedItem {
  std::string kind;  // "tool", "prompt" or "resourceTemplate"
  std::string name;
  const json::Object* definition = nullptr;
  std::string signer;  // The DID whose verified proof the definition carries; "" when unsigned.
};

struct WithheldItem {
  std::string kind, name;
  std::string reason;  // "changed" | "unapproved" | "duplicate" | "too_large" (over 32 KiB)
};

// A difference seen for the first time (audited once, not on every listing).
struct DefinitionChange {
  std::string kind, name;
  std::string change;  // "added" | "changed" | "removed" | "duplicate"
  std::string approved_hash, listed_hash;
  std::vector<FieldChange> fields;  // For "changed": where the definitions differ.
};

struct ScreenResult {
  std::vector<WithheldItem> withheld;
  std::vector<DefinitionChange> changes;
  bool first_listing_approved = false;  // tofu: this listing was the first, and is now approved.
};

class PinStore {
 public:
  explicit PinStore(std::filesystem::path file, const Clock* clock = &DefaultClock()) : file_(std::move(file)), clock_(clock) {}

  // Screen checks what `server` lists now against its approved pins (mode kOff: everything
  // passes, nothing is read), records new differences as pending, and says what to withhold.
  // `complete_kinds` are the kinds `listed` holds whole: an approved item of those kinds that is
  // not listed is reported removed (a single page of a longer listing holds no kind whole).
  Result<ScreenResult> Screen(std::string_view server, PinMode mode, const std::vector<ListedItem>& listed,
                              const std::vector<std::string>& complete_kinds = {"tool", "prompt", "resourceTemplate"});
  // Approve accepts `server`'s pending items named by key ("tool/x"; all when `keys` is empty);
  // a pending removal drops the pin. Returns the keys approved; kNotFound when none matched.
  Result<std::vector<std::string>> Approve(std::string_view server, const std::vector<std::string>& keys);
  // Reset forgets everything about `server`: with tofu, its next listing is trusted as new.
  Status Reset(std::string_view server);
  // Read returns the file's contents ({"version", "servers": {name: {"approved", "pending",
  // "first_listed"}}}); an empty store when the file does not exist.
  Result<json::Object> Read() const;

  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  const Clock* clock_;
};

}  // namespace aip::pins

#include "aip/pins/pin_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "aip/base/file_io.h"

namespace aip::pins {
namespace {

constexpr std::size_t kMaxPinFileBytes = 64 * 1024 * 1024;
// One server shares the file with others: what it lists is bounded, so a hostile or broken
// server cannot fill the file the others' pins live in (it is withheld instead).
constexpr std::size_t kMaxItemsPerServer = 1000;
constexpr std::size_t kMaxDefinitionBytes = 32 * 1024;

// FileLock holds an exclusive lock on "<file>.lock" for its lifetime: the read-modify-write of a
// pin file by the gateway and by `aip pins approve` never interleave.
class FileLock {
 public:
  static Result<FileLock> Take(const std::filesystem::path& file) {
    if (file.has_parent_path()) AIP_RETURN_IF_ERROR(EnsurePrivateDirectory(file.parent_path()));
    std::filesystem::path lock = file;
    lock += ".lock";
    int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return UnavailableError("pins: cannot open " + lock.string());
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return UnavailableError("pins: cannot lock " + lock.string());
    }
    return FileLock(fd);
  }
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // Closing releases the lock.
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

Result<json::Object> Load(const std::filesystem::path& file) {
  auto text = ReadFile(file, kMaxPinFileBytes);
  if (!text) {
    if (text.error().code == ErrorCode::kNotFound) return json::Object{{"version", 1}, {"servers", json::Object{}}};
    return text.error();
  }
  json::ParseLimits limits;
  limits.max_bytes = kMaxPinFileBytes;
  auto doc = json::ParseJsonObject(*text, limits);
  if (!doc) return InvalidArgumentError("pins: " + file.string() + " is not a pin file: " + doc.error().message);
  const json::Value* servers = doc->if_contains("servers");
  if (servers == nullptr || !servers->is_object()) return InvalidArgumentError("pins: " + file.string() + " has no \"servers\" object");
  return std::move(*doc);
}

Status Save(const std::filesystem::path& file, const json::Object& doc) { return WriteFileAtomic(file, json::Serialize(doc) + "\n", 0600); }

json::Object& Member(json::Object& o, std::string_view key) {
  json::Value& v = o[key];
  if (!v.is_object()) v = json::Object{};
  return v.as_object();
}

// Lists returns a server entry's "approved" and "pending" objects, both made before either
// reference is taken (adding a member to an object may move the others).
std::pair<json::Object*, json::Object*> Lists(json::Object& entry) {
  Member(entry, "approved");
  Member(entry, "pending");
  return {&entry["approved"].as_object(), &entry["pending"].as_object()};
}

std::string HashOf(const json::Object& entry) { return std::string(json::OptionalString(entry, "hash").value_or("")); }
std::string SignerOf(const json::Object& entry) { return std::string(json::OptionalString(entry, "signer").value_or("")); }

json::Object PinOf(const std::string& hash, const std::string& signer, const json::Value& definition, const std::string& when) {
  json::Object pin{{"hash", hash}, {"definition", definition}, {"approved", when}};
  if (!signer.empty()) pin["signer"] = signer;
  return pin;
}

json::Array FieldsJson(const std::vector<FieldChange>& fields) {
  json::Array out;
  for (const auto& f : fields) out.push_back(json::Object{{"pointer", f.pointer}, {"change", f.change}});
  return out;
}

}  // namespace

std::string WithheldWhy(std::string_view reason) {
  static const std::map<std::string, std::string, std::less<>> kWhy{
      {"changed", "definition changed since approval"},
      {"unapproved", "definition not approved (new or renamed)"},
      {"duplicate", "listed twice with different definitions"},
      {"too_large", "definition larger than 32 KiB"},
      {"pins_unavailable", "its pins cannot be checked"},
      {"unsigned", "definition not signed, and this server's must be"},
      {"bad_signature", "definition signature does not verify"},
      {"wrong_signer", "definition signed by another DID than this server's"},
      {"list_signature", "the listing's signature does not verify"},
      {"untrusted_server", "its server's DID does not score the trust required"}};
  auto it = kWhy.find(reason);
  return it != kWhy.end() ? it->second : std::string(reason);
}

Result<PinMode> ParsePinMode(std::string_view text) {
  if (text == "off") return PinMode::kOff;
  if (text == "tofu") return PinMode::kTofu;
  if (text == "approved") return PinMode::kApproved;
  return InvalidArgumentError("pin must be \"tofu\", \"approved\" or \"off\"");
}

std::string_view PinModeName(PinMode mode) {
  switch (mode) {
    case PinMode::kOff:
      return "off";
    case PinMode::kTofu:
      return "tofu";
    case PinMode::kApproved:
      return "approved";
  }
  return "off";
}

Result<ScreenResult> PinStore::Screen(std::string_view server, PinMode mode, const std::vector<ListedItem>& listed,
                                      const std::vector<std::string>& complete_kinds) {
  ScreenResult result;
  if (mode == PinMode::kOff) return result;
  // Hash before taking the lock: the lock is held only for the file's read-modify-write.
  if (listed.size() > kMaxItemsPerServer) {
    return ResourceExhaustedError("pins: " + std::string(server) + " lists more than " + std::to_string(kMaxItemsPerServer) + " items");
  }
  std::map<std::string, std::pair<std::string, const ListedItem*>> now;  // key → (hash, item)
  std::set<std::string> duplicates, too_large;
  for (const auto& item : listed) {
    AIP_ASSIGN_OR_RETURN(std::string hash, DefinitionHash(*item.definition));
    std::string key = item.kind + "/" + item.name;
    if (auto [it, inserted] = now.try_emplace(key, hash, &item); !inserted) duplicates.insert(key);
    if (json::Serialize(*item.definition).size() > kMaxDefinitionBytes) too_large.insert(key);
  }

  AIP_ASSIGN_OR_RETURN(FileLock lock, FileLock::Take(file_));
  AIP_ASSIGN_OR_RETURN(json::Object doc, Load(file_));
  json::Object& entry = Member(Member(doc, "servers"), server);
  std::string when = FormatTime(clock_->Now());
  bool modified = false;
  // A file written before kinds were tracked had every kind listed already.
  if (entry.contains("first_listed") && !entry.contains("kinds_listed")) {
    entry["kinds_listed"] = json::Array{"tool", "prompt", "resourceTemplate"};
  }
  if (!entry.contains("first_listed")) {
    entry["first_listed"] = when;
    modified = true;
  }
  // Which kinds this server listed before: under tofu, a kind listed for the first time is
  // trusted as listed (the gateway lists every kind each time, so a kind that appears later is
  // screened like any new item; `aip proxy` lists each kind on its own).
  std::set<std::string> kinds_now(complete_kinds.begin(), complete_kinds.end());
  for (const auto& item : listed) kinds_now.insert(item.kind);
  std::set<std::string> first_kinds;
  {
    json::Value& seen = entry["kinds_listed"];
    if (!seen.is_array()) seen = json::Array{};
    json::Array& seen_kinds = seen.as_array();
    for (const auto& k : kinds_now) {
      if (std::find(seen_kinds.begin(), seen_kinds.end(), json::Value(k)) == seen_kinds.end()) {
        first_kinds.insert(k);
        seen_kinds.emplace_back(k);
        modified = true;
      }
    }
  }
  auto [approved_list, pending_list] = Lists(entry);
  json::Object& approved = *approved_list;
  json::Object& pending = *pending_list;

  if (mode == PinMode::kTofu && !first_kinds.empty()) {
    // Trust on first use: the first listing is what the operator accepted by adding the server.
    for (const auto& [key, value] : now) {
      if (duplicates.contains(key) || too_large.contains(key) || !first_kinds.contains(value.second->kind)) continue;
      approved[key] = PinOf(value.first, value.second->signer, *value.second->definition, when);
    }
    result.first_listing_approved = true;
  }

  auto note = [&](const std::string& key, const ListedItem* item, const std::string& hash, std::string change,
                  std::vector<FieldChange> fields) {
    std::string signer = item != nullptr ? item->signer : "";
    const json::Value* held = pending.if_contains(key);
    if (held != nullptr && held->is_object() && HashOf(held->get_object()) == hash && SignerOf(held->get_object()) == signer &&
        json::OptionalString(held->get_object(), "change").value_or("") == change) {
      return;  // Seen before: already recorded and audited.
    }
    json::Object record{{"hash", hash}, {"change", change}, {"seen", when}, {"fields", FieldsJson(fields)}};
    if (!signer.empty()) record["signer"] = signer;
    if (item != nullptr) record["definition"] = *item->definition;
    pending[key] = std::move(record);
    modified = true;
    std::string approved_hash;
    if (const json::Value* a = approved.if_contains(key); a != nullptr && a->is_object()) approved_hash = HashOf(a->get_object());
    std::size_t slash = key.find('/');
    result.changes.push_back({key.substr(0, slash), key.substr(slash + 1), std::move(change), approved_hash, hash, std::move(fields)});
  };

  for (const auto& [key, value] : now) {
    const auto& [hash, item] = value;
    const json::Value* pinned = approved.if_contains(key);
    bool known = pinned != nullptr && pinned->is_object();
    if (duplicates.contains(key)) {
      result.withheld.push_back({item->kind, item->name, "duplicate"});
      note(key, item, hash, "duplicate", {});
      continue;
    }
    if (too_large.contains(key)) {
      result.withheld.push_back({item->kind, item->name, "too_large"});
      note(key, nullptr, hash, "too_large", {});  // Its hash is kept, not its text.
      continue;
    }
    // Served as approved. A difference seen before stays pending (and is not audited again when
    // it comes back): a server that alternates is reported once, and the operator sees it.
    bool same_signer = known && SignerOf(pinned->get_object()) == item->signer;
    if (known && HashOf(pinned->get_object()) == hash && same_signer) continue;
    result.withheld.push_back({item->kind, item->name, known ? "changed" : "unapproved"});
    std::vector<FieldChange> fields;
    if (known) {
      if (const json::Value* before = pinned->get_object().if_contains("definition"))
        fields = Diff(*before, json::Value(*item->definition));
      if (!same_signer) fields.push_back({"#signer", "changed"});  // Signed by another DID (or no longer, or now).
    }
    note(key, item, hash, known ? "changed" : "added", std::move(fields));
  }
  for (const auto& kv : approved) {
    std::string key(kv.key());
    std::string kind = key.substr(0, key.find('/'));
    bool whole = std::find(complete_kinds.begin(), complete_kinds.end(), kind) != complete_kinds.end();
    if (whole && !now.contains(key)) note(key, nullptr, "", "removed", {});
  }
  if (modified) AIP_RETURN_IF_ERROR(Save(file_, doc));
  return result;
}

Result<std::vector<std::string>> PinStore::Approve(std::string_view server, const std::vector<std::string>& keys) {
  AIP_ASSIGN_OR_RETURN(FileLock lock, FileLock::Take(file_));
  AIP_ASSIGN_OR_RETURN(json::Object doc, Load(file_));
  json::Object& servers = Member(doc, "servers");
  if (!servers.contains(server)) return NotFoundError("pins: no server named \"" + std::string(server) + "\" in " + file_.string());
  auto [approved_list, pending_list] = Lists(Member(servers, server));
  json::Object& approved = *approved_list;
  json::Object& pending = *pending_list;
  std::vector<std::string> done;
  std::vector<std::string> wanted = keys;
  if (wanted.empty()) {
    for (const auto& kv : pending) wanted.emplace_back(kv.key());
  }
  std::string when = FormatTime(clock_->Now());
  for (const auto& key : wanted) {
    const json::Value* p = pending.if_contains(key);
    if (p == nullptr || !p->is_object()) continue;
    const json::Object& record = p->get_object();
    std::string change(json::OptionalString(record, "change").value_or(""));
    if (change == "duplicate" || change == "too_large") continue;  // Nothing that can be approved.
    if (change == "removed") {
      approved.erase(key);
    } else {
      const json::Value* definition = record.if_contains("definition");
      if (definition == nullptr || !definition->is_object()) continue;
      approved[key] = PinOf(HashOf(record), SignerOf(record), *definition, when);
    }
    pending.erase(key);
    done.push_back(key);
  }
  if (done.empty()) return NotFoundError("pins: nothing pending to approve for \"" + std::string(server) + "\"");
  AIP_RETURN_IF_ERROR(Save(file_, doc));
  return done;
}

Status PinStore::Reset(std::string_view server) {
  AIP_ASSIGN_OR_RETURN(FileLock lock, FileLock::Take(file_));
  AIP_ASSIGN_OR_RETURN(json::Object doc, Load(file_));
  if (Member(doc, "servers").erase(server) == 0) return NotFoundError("pins: no server named \"" + std::string(server) + "\"");
  return Save(file_, doc);
}

Result<json::Object> PinStore::Read() const { return Load(file_); }

}  // namespace aip::pins

// SharedReplayCache: the replay cache of signed registry requests kept in the registry's database,
// so that registry instances sharing one PostgreSQL database refuse a request replayed to another
// instance behind the same public URL. (A single SQLite registry keeps it in memory.)
#pragma once
#include <memory>

#include "aip/authn/replay_cache.h"
#include "aip/registry/registry_store.h"

namespace aip::registry {

class SharedReplayCache final : public authn::ReplayCache {
 public:
  explicit SharedReplayCache(std::shared_ptr<RegistryStore> store) : store_(std::move(store)) {}
  using authn::ReplayCache::Remember;
  Status Remember(std::string_view key, TimePoint expires, TimePoint now) override;
  std::size_t size() const override { return 0; }  // Not tracked: the table is the truth.

 private:
  std::shared_ptr<RegistryStore> store_;
};

}  // namespace aip::registry

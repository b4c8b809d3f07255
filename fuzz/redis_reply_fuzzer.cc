// What a Redis server (or whoever answers in its place) sends never crashes the reply reader:
// the bytes split anywhere give the same replies, and a reply beyond the size cap is refused.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aip/redis/client.h"

namespace {

std::string Describe(const aip::redis::Reply& r) {
  std::string out = std::to_string(static_cast<int>(r.type)) + ":" + std::to_string(r.integer) + ":" + r.text + "[";
  for (const auto& e : r.elements) out += Describe(e) + ",";
  return out + "]";
}

// Read feeds `text` in pieces of `step` bytes and lists what came out (or the error).
std::vector<std::string> Read(std::string_view text, std::size_t step) {
  aip::redis::ReplyReader reader;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); i += step) {
    if (!reader.Feed(text.substr(i, step)).ok()) return {"error"};
    for (;;) {
      auto next = reader.Next();
      if (!next) return {"error"};
      if (!*next) break;
      out.push_back(Describe(**next));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto whole = Read(text, text.size() + 1);
  auto split = Read(text, 3);
  // An error met part way leaves fewer replies; otherwise the two readings agree.
  if (whole != split && whole != std::vector<std::string>{"error"} && split != std::vector<std::string>{"error"}) __builtin_trap();
  return 0;
}

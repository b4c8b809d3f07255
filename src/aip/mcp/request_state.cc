#include "aip/mcp/request_state.h"

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/json.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"

namespace aip::mcp {
namespace {

constexpr std::size_t kMaxTokenBytes = 64 * 1024;

std::string BindingDigest(std::string_view binding) { return HexEncode(crypto::Sha256(AsBytes(binding))); }

}  // namespace

RequestStateSealer::RequestStateSealer() : RequestStateSealer(crypto::SecretBytes(crypto::RandomBytes(32))) {}

RequestStateSealer::RequestStateSealer(crypto::SecretBytes key, std::chrono::seconds lifetime)
    : key_(std::move(key)), lifetime_(lifetime) {}

std::string RequestStateSealer::Seal(std::string_view binding, std::string_view state, TimePoint now) const {
  auto exp = std::chrono::duration_cast<std::chrono::seconds>((now + lifetime_).time_since_epoch()).count();
  json::Object payload{{"v", 1}, {"b", BindingDigest(binding)}, {"e", exp}, {"s", state}};
  std::string p = Base64UrlEncode(AsBytes(json::Serialize(payload)));
  auto mac = crypto::HmacSha256(key_.RevealSecret(), AsBytes(p));
  return p + "." + Base64UrlEncode(mac);
}

Result<std::string> RequestStateSealer::Open(std::string_view token, std::string_view binding, TimePoint now) const {
  if (token.size() > kMaxTokenBytes) return InvalidArgumentError("requestState is too large");
  std::size_t dot = token.find('.');
  if (dot == std::string_view::npos) return InvalidArgumentError("requestState is malformed");
  std::string_view p = token.substr(0, dot);
  auto mac = Base64UrlDecode(token.substr(dot + 1));
  if (!mac || !crypto::VerifyHmacSha256(key_.RevealSecret(), AsBytes(p), *mac).ok()) {
    return InvalidArgumentError("requestState failed its integrity check");
  }
  AIP_ASSIGN_OR_RETURN(Bytes raw, Base64UrlDecode(p));
  AIP_ASSIGN_OR_RETURN(json::Object payload, json::ParseJsonObject(AsStringView(raw)));
  json::FieldReader r(payload, "/requestState");
  std::string b, s;
  std::int64_t exp = 0;
  AIP_RETURN_IF_ERROR(r.String("b", b, json::Need::kRequired, 128));
  AIP_RETURN_IF_ERROR(r.Int("e", exp, 0, std::int64_t{1} << 40, json::Need::kRequired));
  AIP_RETURN_IF_ERROR(r.String("s", s, json::Need::kRequired, kMaxTokenBytes));
  if (b != BindingDigest(binding)) return InvalidArgumentError("requestState belongs to another request");
  if (std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() > exp) {
    return InvalidArgumentError("requestState has expired");
  }
  return s;
}

}  // namespace aip::mcp

#include "aip/httpsig/message_signature.h"

#include <algorithm>

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"

namespace aip::httpsig {
namespace {

std::string Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return std::string(v);
}

std::string SignatureParamsValue(const InnerList& params) { return SerializeInnerList(params); }

// The fields whose structured type (RFC 8941 Dictionary) is known here, so that `sf` can
// re-serialize them (RFC 9421 §2.1.1 needs the type; a field of unknown type is refused).
bool IsKnownDictionaryField(std::string_view name) {
  for (std::string_view known : {"signature-agent", "signature-input", "signature", "accept-signature", "content-digest", "repr-digest",
                                 "want-content-digest", "want-repr-digest"}) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace

Result<std::string> ComponentValue(const HttpMessage& m, std::string_view c, const Parameters& params) {
  for (const auto& [name, value] : params.items) {
    if (name != "key" && name != "req" && name != "sf")
      return InvalidArgumentError("unsupported component parameter " + name + " on \"" + std::string(c) + "\"");
    if ((name == "req" || name == "sf") && value != BareItem(true)) {
      return InvalidArgumentError("component parameter " + name + " on \"" + std::string(c) + "\" must be a bare flag");
    }
  }
  if (params.Find("req") != nullptr) {
    if (m.request == nullptr) return InvalidArgumentError("\"" + std::string(c) + "\";req names a request, but this is one");
    Parameters rest;
    for (const auto& item : params.items) {
      if (item.first != "req") rest.items.push_back(item);
    }
    return ComponentValue(*m.request, c, rest);
  }
  if (const BareItem* key = params.Find("key")) {
    // §2.1.2: one member of a dictionary field, serialized on its own.
    const std::string* member = std::get_if<std::string>(key);
    if (member == nullptr || c.starts_with("@")) return InvalidArgumentError("bad key parameter on \"" + std::string(c) + "\"");
    if (params.Find("sf") != nullptr) return InvalidArgumentError("\"" + std::string(c) + "\": sf and key together");
    AIP_ASSIGN_OR_RETURN(std::string field, ComponentValue(m, c));
    AIP_ASSIGN_OR_RETURN(auto dict, ParseDictionary(field));
    for (const auto& [name, value] : dict) {
      if (name == *member) return SerializeMember(value);
    }
    return InvalidArgumentError("covered dictionary member \"" + std::string(c) + "\";key=\"" + *member + "\" is missing");
  }
  if (params.Find("sf") != nullptr) {
    // §2.1.1: the field as a structured field, parsed and serialized again (spacing normalized).
    if (c.starts_with("@")) return InvalidArgumentError("sf on the derived component " + std::string(c));
    if (!IsKnownDictionaryField(c))
      return InvalidArgumentError("sf on \"" + std::string(c) + "\", whose structured type is not known here");
    AIP_ASSIGN_OR_RETURN(std::string field, ComponentValue(m, c));
    AIP_ASSIGN_OR_RETURN(auto dict, ParseDictionary(field));
    return SerializeDictionary(dict);
  }
  if (c == "@method") return m.method;
  if (c == "@target-uri") return m.target_uri;
  if (c.starts_with("@")) {
    AIP_ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(m.target_uri));
    std::string_view target = u.target;
    std::size_t q = target.find('?');
    if (c == "@authority") {
      std::string origin = u.Origin();
      return origin.substr(origin.find("://") + 3);
    }
    if (c == "@scheme") return u.scheme;
    if (c == "@path") return std::string(target.substr(0, q));
    if (c == "@query") return q == std::string_view::npos ? std::string("?") : std::string(target.substr(q));
    if (c == "@request-target") return std::string(target);
    return InvalidArgumentError("unsupported derived component " + std::string(c));
  }
  if (m.headers == nullptr) return InvalidArgumentError("no headers");
  std::string value;
  bool found = false;
  for (const auto& [name, v] : m.headers->fields()) {
    if (name != c) continue;
    if (found) value += ", ";
    value += Trim(v);
    found = true;
  }
  if (!found) return InvalidArgumentError("covered header \"" + std::string(c) + "\" is missing");
  return value;
}

Result<std::string> SignatureBase(const HttpMessage& m, const InnerList& params) {
  std::string base;
  for (std::size_t i = 0; i < params.strings.size(); ++i) {
    const std::string& c = params.strings[i];
    if (c == "@signature-params") return InvalidArgumentError("@signature-params cannot be covered");
    for (char ch : c) {
      if (ch >= 'A' && ch <= 'Z') return InvalidArgumentError("component names are lowercase");
    }
    std::string identifier = SerializeComponent(c, params.ItemParams(i));
    for (std::size_t j = 0; j < i; ++j) {
      if (SerializeComponent(params.strings[j], params.ItemParams(j)) == identifier) {
        return InvalidArgumentError("component " + identifier + " is covered twice");  // §2.5
      }
    }
    AIP_ASSIGN_OR_RETURN(std::string v, ComponentValue(m, c, params.ItemParams(i)));
    if (v.find('\n') != std::string::npos) return InvalidArgumentError("component value contains a newline");
    base += identifier + ": " + v + "\n";
  }
  base += "\"@signature-params\": " + SignatureParamsValue(params);
  return base;
}

std::string ContentDigest(std::string_view body) { return "sha-256=" + SerializeByteSequence(crypto::Sha256(AsBytes(body))); }

Status CheckContentDigest(std::string_view field, std::string_view body) {
  AIP_ASSIGN_OR_RETURN(auto dict, ParseDictionary(field));
  bool checked = false;
  for (const auto& [alg, member] : dict) {
    const Bytes* digest = std::get_if<Bytes>(&member);
    if (digest == nullptr) return InvalidArgumentError("Content-Digest members must be byte sequences");
    if (alg == "sha-256") {
      auto d = crypto::Sha256(AsBytes(body));
      if (!std::equal(d.begin(), d.end(), digest->begin(), digest->end())) return UnauthenticatedError("digest mismatch");
      checked = true;
    } else if (alg == "sha-512") {
      auto d = crypto::Sha512(AsBytes(body));
      if (!std::equal(d.begin(), d.end(), digest->begin(), digest->end())) return UnauthenticatedError("digest mismatch");
      checked = true;
    }
  }
  if (!checked) return InvalidArgumentError("Content-Digest has no sha-256 or sha-512 member");
  return OkStatus();
}

Status SignRequest(const std::string& method, const std::string& target_uri, net::Headers& headers, std::string_view body,
                   const SignBase& sign, const SignOptions& options) {
  InnerList params;
  params.strings = {"@method", "@target-uri"};
  if (!body.empty()) {
    headers.Set("content-digest", ContentDigest(body));
    params.strings.push_back("content-digest");
  }
  for (const char* h : {"content-type", "mcp-protocol-version"}) {
    if (headers.Get(h)) params.strings.push_back(h);
  }
  auto created = std::chrono::duration_cast<std::chrono::seconds>(options.clock->Now().time_since_epoch()).count();
  params.params.items = {{"created", BareItem(static_cast<std::int64_t>(created))},
                         {"expires", BareItem(static_cast<std::int64_t>(created + options.lifetime.count()))},
                         {"nonce", BareItem(crypto::RandomId(16))},
                         {"alg", BareItem(std::string("ed25519"))},
                         {"keyid", BareItem(options.keyid)},
                         {"tag", BareItem(options.tag)}};
  HttpMessage m{method, target_uri, &headers};
  return AddSignature(m, params, sign, options.label, headers);
}

Status AddSignature(const HttpMessage& m, const InnerList& params, const SignBase& sign, const std::string& label, net::Headers& headers) {
  AIP_ASSIGN_OR_RETURN(std::string base, SignatureBase(m, params));
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519Signature sig, sign(AsBytes(base)));
  headers.Set("signature-input", label + "=" + SerializeInnerList(params));
  headers.Set("signature", label + "=" + SerializeByteSequence(sig));
  return OkStatus();
}

Result<VerifiedSignature> VerifyRequest(const HttpMessage& m, std::string_view body, const VerifyOptions& o) {
  if (m.headers == nullptr) return InvalidArgumentError("no headers");
  auto input_field = m.headers->Get("signature-input");
  auto sig_field = m.headers->Get("signature");
  if (!input_field || !sig_field) return UnauthenticatedError("missing Signature-Input or Signature");
  if (m.headers->Count("signature-input") != 1 || m.headers->Count("signature") != 1) {
    return InvalidArgumentError("Signature-Input and Signature must appear once");
  }
  AIP_ASSIGN_OR_RETURN(auto inputs, ParseDictionary(*input_field));
  AIP_ASSIGN_OR_RETURN(auto sigs, ParseDictionary(*sig_field));
  // Every label must carry a valid signature: a request is not accepted on its one good label
  // while another is forged, and two keys signing one request leave it unclear who sent it.
  for (const auto& sig : sigs) {
    if (std::find_if(inputs.begin(), inputs.end(), [&](const auto& i) { return i.first == sig.first; }) == inputs.end()) {
      return UnauthenticatedError("signature label " + sig.first + " has no Signature-Input");
    }
  }
  if (inputs.empty()) return UnauthenticatedError("no signature label");
  std::optional<VerifiedSignature> first;
  for (const auto& input : inputs) {
    const std::string& label = input.first;  // Not a structured binding: lambdas capture it below.
    const InnerList* params = std::get_if<InnerList>(&input.second);
    if (params == nullptr) return InvalidArgumentError("Signature-Input members must be inner lists");
    auto sit = std::find_if(sigs.begin(), sigs.end(), [&](const auto& s) { return s.first == label; });
    if (sit == sigs.end()) return UnauthenticatedError("signature label " + label + " has no Signature");
    const Bytes* signature = std::get_if<Bytes>(&sit->second);
    if (signature == nullptr) return InvalidArgumentError("Signature members must be byte sequences");

    auto result = [&]() -> Result<VerifiedSignature> {
      for (const auto& c : o.required_components) {
        if (std::find(params->strings.begin(), params->strings.end(), c) == params->strings.end()) {
          return UnauthenticatedError("signature does not cover " + c);
        }
      }
      bool has_body = !body.empty();
      bool covers_digest = std::find(params->strings.begin(), params->strings.end(), "content-digest") != params->strings.end();
      if (has_body && !covers_digest && o.require_digest_for_body) {
        return UnauthenticatedError("signature does not cover content-digest");
      }
      if (o.require_mcp_version_covered && m.headers->Get("mcp-protocol-version") &&
          std::find(params->strings.begin(), params->strings.end(), "mcp-protocol-version") == params->strings.end()) {
        return UnauthenticatedError("signature does not cover mcp-protocol-version");
      }
      auto get_int = [&](const char* k) -> std::optional<std::int64_t> {
        const BareItem* v = params->params.Find(k);
        if (v == nullptr || !std::holds_alternative<std::int64_t>(*v)) return std::nullopt;
        return std::get<std::int64_t>(*v);
      };
      auto get_str = [&](const char* k) -> std::optional<std::string> {
        const BareItem* v = params->params.Find(k);
        if (v == nullptr || !std::holds_alternative<std::string>(*v)) return std::nullopt;
        return std::get<std::string>(*v);
      };
      if (o.check_label) AIP_RETURN_IF_ERROR(o.check_label(*params));
      auto created = get_int("created");
      auto expires = get_int("expires");
      auto keyid = get_str("keyid");
      if (!created || !keyid) return InvalidArgumentError("signature needs created and keyid");
      if (auto alg = get_str("alg"); alg && *alg != "ed25519") return UnauthenticatedError("unsupported alg " + *alg);
      if (o.tag && get_str("tag") != o.tag) return UnauthenticatedError("signature tag mismatch");
      std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(o.clock->Now().time_since_epoch()).count();
      if (*created > now + o.max_skew.count()) return UnauthenticatedError("signature created in the future");
      if (expires) {
        if (*expires <= *created || *expires - *created > o.max_lifetime.count()) {
          return UnauthenticatedError("signature lifetime too long");
        }
        if (*expires + o.max_skew.count() < now) return UnauthenticatedError("signature expired");
      } else if (o.require_expires) {
        return UnauthenticatedError("signature needs expires");
      } else if (*created + o.max_lifetime.count() + o.max_skew.count() < now) {
        return UnauthenticatedError("signature expired");
      }
      if (covers_digest) {
        auto digest = m.headers->Get("content-digest");
        if (!digest) return UnauthenticatedError("content-digest is covered but missing");
        AIP_RETURN_IF_ERROR(CheckContentDigest(*digest, body));
      }
      AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, o.key_for(*keyid));
      AIP_ASSIGN_OR_RETURN(std::string base, SignatureBase(m, *params));
      AIP_RETURN_IF_ERROR(crypto::Verify(key, AsBytes(base), *signature));
      std::optional<TimePoint> until;
      if (expires) until = TimePoint(std::chrono::seconds(*expires));
      return VerifiedSignature{*keyid, label, TimePoint(std::chrono::seconds(*created)), get_str("nonce").value_or(""), until};
    }();
    if (!result) return Error{result.error().code, "signature label " + label + ": " + result.error().message};
    if (first && first->keyid != result->keyid) {
      return UnauthenticatedError("ambiguous: signature labels " + first->label + " and " + label + " name different keys");
    }
    if (!first) first = std::move(*result);
  }
  return std::move(*first);
}

}  // namespace aip::httpsig

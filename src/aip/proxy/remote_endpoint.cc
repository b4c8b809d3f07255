#include "aip/proxy/remote_endpoint.h"

#include "aip/mcp/jsonrpc.h"
#include "aip/mcp/server.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/request_proof.h"
#include "aip/mcpsig/result_proof.h"

namespace aip::proxy {

void Exchange::Abort() {
  std::lock_guard lock(mu_);
  aborted_ = true;
  if (client_ != nullptr) client_->Abort();
}

bool Exchange::aborted() const {
  std::lock_guard lock(mu_);
  return aborted_;
}

Result<std::unique_ptr<RemoteEndpoint>> RemoteEndpoint::Create(RemoteOptions options) {
  AIP_ASSIGN_OR_RETURN(net::Url url, net::ParseUrl(options.url));
  if (url.scheme != "http" && url.scheme != "https") return InvalidArgumentError("the remote URL must be http:// or https://");
  if (options.audience.empty()) options.audience = options.url;
  if (!options.resolver) options.resolver = mcpsig::DefaultResolver();
  return std::unique_ptr<RemoteEndpoint>(new RemoteEndpoint(std::move(options), std::move(url)));
}

RemoteEndpoint::RemoteEndpoint(RemoteOptions options, net::Url url) : options_(std::move(options)), url_(std::move(url)) {}

std::unique_ptr<net::HttpClient> RemoteEndpoint::Acquire() {
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return std::make_unique<net::HttpClient>(url_, options_.http);
}

void RemoteEndpoint::Release(std::unique_ptr<net::HttpClient> client) {
  std::lock_guard lock(pool_mu_);
  if (idle_.size() < 16) idle_.push_back(std::move(client));
}

Result<RemoteEndpoint::Sent> RemoteEndpoint::Send(std::string_view method, const std::optional<json::Object>& message, net::Headers headers,
                                                  Exchange* exchange, const std::function<void(const net::SseEvent&)>& on_event,
                                                  const std::function<void(int, const net::Headers&)>& on_head) {
  auto client = Acquire();
  if (exchange != nullptr) {
    std::lock_guard lock(exchange->mu_);
    if (exchange->aborted_) return UnavailableError("the request was cancelled");
    exchange->client_ = client.get();
  }
  auto detach = [&] {
    if (exchange == nullptr) return false;
    std::lock_guard lock(exchange->mu_);
    exchange->client_ = nullptr;
    return exchange->aborted_;
  };
  const std::string full_url = url_.Origin() + url_.target;
  Sent out;
  for (int attempt = 0;; ++attempt) {
    std::string body;
    if (message) {
      json::Object m = *message;
      if (m.contains("method") && m.contains("id")) {
        // Every attempt is signed anew: a request sent twice never carries the same nonce.
        if (options_.signer) {
          Status s =
              mcpsig::SignRequest(m, *options_.signer, mcpsig::SignOptions{options_.audience, options_.proof_lifetime, &DefaultClock()});
          if (!s.ok()) {
            detach();
            return s.error();
          }
        }
        out.request = m;
        if (exchange != nullptr) exchange->request_ = m;
      }
      body = json::Serialize(m);
    }
    net::Headers h = headers;
    Status s = options_.authorizer ? options_.authorizer->Authorize(h) : OkStatus();
    if (s.ok() && options_.http_hook) s = options_.http_hook(method, full_url, h, body);
    if (!s.ok()) {
      detach();
      return s.error();
    }
    auto res = client->Send(method, url_.target, h, body, on_event, on_head);
    if (!res) {
      detach();  // The connection is in an unknown state: not reused.
      return res.error();
    }
    bool challenged = res->status == 401 || res->status == 403;
    if (challenged && options_.authorizer && attempt < mcp::kMaxAuthorizationRetries) {
      // The authorizer may sign the user in (or step up); if it cannot, the server's own
      // answer, with its reason, goes back to the local client.
      if (options_.authorizer->OnChallenge(res->status, res->headers).ok()) continue;
    }
    out.response = std::move(*res);
    break;
  }
  if (!detach()) Release(std::move(client));
  return out;
}

json::Object RemoteEndpoint::CheckResult(const json::Object& request, json::Object response) const {
  const json::Value* result = response.if_contains("result");
  if (!checks_results() || result == nullptr || !result->is_object()) return response;
  const json::Value& id = response.contains("id") ? response.at("id") : json::Value(nullptr);
  const json::Value* meta = result->get_object().if_contains("_meta");
  if (meta == nullptr || !meta->is_object() || !meta->get_object().contains(mcpsig::kProofKey)) {
    return ErrorMessage(id, kUnverifiedResultCode, "the server did not sign its result", "unsigned_result");
  }
  auto verified = mcpsig::VerifyResult(request, result->get_object(), *options_.resolver, options_.expected_server);
  if (!verified) {
    return ErrorMessage(id, kUnverifiedResultCode, "the result's signature was refused: " + verified.error().message,
                        "bad_result_signature");
  }
  if (options_.check_signer) {
    if (Status trusted = options_.check_signer(verified->signer); !trusted.ok()) {
      return ErrorMessage(id, kUnverifiedResultCode, trusted.message(), "untrusted_server");
    }
  }
  return response;
}

bool IsResponse(const json::Object& message) {
  return !message.contains("method") && (message.contains("result") || message.contains("error"));
}

bool IsStrayResponse(const json::Object& message, const json::Value* id) {
  if (!IsResponse(message)) return false;
  const json::Value* mid = message.if_contains("id");
  return id == nullptr || mid == nullptr || *mid != *id;
}

json::Object ErrorMessage(const json::Value& id, int code, std::string message, std::string_view reason) {
  return mcp::MakeError(id, code, std::move(message), json::Object{{"reason", reason}});
}

json::Object AnswerFromHttp(const json::Value& id, const net::HttpResponse& response) {
  if (response.headers.Get("content-type").value_or("").starts_with("application/json")) {
    auto body = json::ParseJsonObject(response.body, json::ParseLimits{response.body.size() + 1, 64});
    if (body && (body->contains("result") || body->contains("error"))) {
      // The local client matches answers by its own id; an error about an unreadable request
      // may come back without one.
      (*body)["id"] = id;
      return std::move(*body);
    }
  }
  std::string status = std::to_string(response.status);
  if (response.status == 401) {
    return ErrorMessage(id, mcp::kUnauthenticatedCode, "the remote server requires authentication (HTTP 401)", "unauthenticated");
  }
  if (response.status == 404) {
    return ErrorMessage(id, mcp::kInternalError, "the remote has no MCP endpoint at this URL (HTTP 404)", "not_found");
  }
  if (response.status >= 200 && response.status < 300) {
    return ErrorMessage(id, mcp::kInternalError, "the remote sent no response to the request (HTTP " + status + ")", "no_response");
  }
  return ErrorMessage(id, mcp::kInternalError, "the remote answered HTTP " + status, "remote_http_error");
}

}  // namespace aip::proxy

#include "aip/oauth/user_login.h"

#include <algorithm>

#include "aip/oauth/client_registration.h"
#include "aip/oauth/metadata.h"
#include "aip/oauth/pkce.h"
#include "aip/oauth/www_authenticate.h"

namespace aip::oauth {
namespace {

std::set<std::string> SplitScopes(std::string_view text) {
  std::set<std::string> out;
  while (!text.empty()) {
    std::size_t sp = text.find(' ');
    if (sp != 0) out.emplace(text.substr(0, sp));
    if (sp == std::string_view::npos) break;
    text.remove_prefix(sp + 1);
  }
  return out;
}

std::string JoinScopes(const std::set<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

bool Lists(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

struct UserLogin::Server {
  std::string resource;  // Exactly as the protected resource metadata publishes it.
  std::string issuer;
  AuthorizationServer metadata;
  std::set<std::string> resource_scopes;
};

UserLogin::UserLogin(UserLoginOptions options) : options_(std::move(options)) {
  requested_.insert(options_.scopes.begin(), options_.scopes.end());
  if (options_.cache) {
    if (auto cached = options_.cache->Load(options_.server_url)) {
      token_ = std::move(cached->token);
      token_issuer_ = cached->issuer;
      granted_ = std::move(cached->granted);
      clients_[token_issuer_] = std::move(cached->client);
    }
  }
}

void UserLogin::Remember() {
  if (!options_.cache) return;
  auto client = clients_.find(token_issuer_);
  if (client == clients_.end()) return;
  // A cache that cannot be written costs a sign-in next time, not this call.
  (void)options_.cache->Save(CachedLogin{options_.server_url, token_issuer_, token_, granted_, client->second});
}
UserLogin::~UserLogin() = default;

Status UserLogin::Authorize(net::Headers& headers) {
  std::lock_guard lock(mu_);
  if (!token_.token.empty()) headers.Set("authorization", "Bearer " + token_.token);
  return OkStatus();
}

Status UserLogin::OnChallenge(int status, const net::Headers& response_headers) {
  std::lock_guard lock(mu_);
  std::vector<Challenge> challenges;
  if (auto header = response_headers.Get("www-authenticate")) {
    auto parsed = ParseWwwAuthenticate(*header);
    if (parsed) challenges = std::move(*parsed);
  }
  const Challenge* bearer = FindChallenge(challenges, "bearer");
  std::string error(bearer ? bearer->Param("error").value_or("") : "");
  std::set<std::string> challenged = SplitScopes(bearer ? bearer->Param("scope").value_or("") : "");
  if (status == 403) {
    if (error != "insufficient_scope") return PermissionDeniedError("the server refused the call (HTTP 403)");
    if (!challenged.empty() && std::includes(granted_.begin(), granted_.end(), challenged.begin(), challenged.end())) {
      return PermissionDeniedError("the server asks for scope \"" + JoinScopes(challenged) +
                                   "\", which the current token already holds; signing in again would not help");
    }
    requested_.insert(granted_.begin(), granted_.end());
  }
  requested_.insert(challenged.begin(), challenged.end());
  std::string metadata_url(bearer ? bearer->Param("resource_metadata").value_or("") : "");
  AIP_ASSIGN_OR_RETURN(Server server, Discover(metadata_url));
  if (requested_.empty()) requested_ = server.resource_scopes;
  if (status == 401 && !token_.refresh_token.empty() && token_issuer_ == server.issuer && Refresh(server).ok()) {
    return OkStatus();
  }
  AIP_ASSIGN_OR_RETURN(OAuthClient client, ClientFor(server));
  return SignIn(server, client);
}

Result<UserLogin::Server> UserLogin::Discover(const std::string& metadata_url) {
  AIP_ASSIGN_OR_RETURN(ProtectedResource prm, ProtectedResourceMetadata(options_.server_url, options_.http, metadata_url));
  if (prm.authorization_servers.empty()) return UnavailableError(options_.server_url + " names no authorization server");
  Server s;
  s.resource = prm.resource;
  s.issuer = prm.authorization_servers[0];
  s.resource_scopes.insert(prm.scopes_supported.begin(), prm.scopes_supported.end());
  AIP_ASSIGN_OR_RETURN(s.metadata, AuthorizationServerMetadata(s.issuer, options_.http));
  // MCP clients must refuse a server that does not promise PKCE with S256.
  if (!Lists(s.metadata.code_challenge_methods_supported, "S256")) {
    return FailedPreconditionError(s.issuer + " does not support PKCE with S256; refusing to sign in there");
  }
  for (auto [key, url] :
       {std::pair{"authorization_endpoint", &s.metadata.authorization_endpoint}, std::pair{"token_endpoint", &s.metadata.token_endpoint}}) {
    if (url->empty()) return UnavailableError(s.issuer + " has no " + key);
    AIP_RETURN_IF_ERROR(CheckFetchableUrl(*url));
  }
  return s;
}

Result<OAuthClient> UserLogin::ClientFor(const Server& server) {
  if (auto it = clients_.find(server.issuer); it != clients_.end()) return it->second;
  if (!listener_) {
    AIP_ASSIGN_OR_RETURN(listener_, RedirectListener::Start(options_.redirect_port));
  }
  OAuthClient client;
  std::string bound = !options_.client_issuer.empty() ? options_.client_issuer : preregistered_issuer_;
  if (!options_.client_id.empty() && (bound.empty() || bound == server.issuer)) {
    client.client_id = options_.client_id;
    client.client_secret = options_.client_secret;
    AIP_ASSIGN_OR_RETURN(client.auth, PreferredClientAuth(server.metadata, !client.client_secret.empty()));
    preregistered_issuer_ = server.issuer;
  } else if (!options_.client_metadata_url.empty() && server.metadata.client_id_metadata_document_supported) {
    client.client_id = options_.client_metadata_url;
    client.auth = ClientAuth::kNone;
  } else {
    ClientMetadata meta;
    meta.client_name = options_.client_name;
    meta.redirect_uris = {listener_->redirect_uri()};
    AIP_ASSIGN_OR_RETURN(client, RegisterClient(server.metadata, meta, options_.http));
  }
  clients_[server.issuer] = client;
  return client;
}

Status UserLogin::SignIn(const Server& server, const OAuthClient& client) {
  if (!options_.open_browser) return FailedPreconditionError("signing in needs a way to show the user a URL");
  Pkce pkce = NewPkce();
  std::string state = RandomState();
  std::set<std::string> scopes = requested_;
  if (Lists(server.metadata.scopes_supported, "offline_access")) scopes.insert("offline_access");
  FormParams query = {{"response_type", "code"},          {"client_id", client.client_id},   {"redirect_uri", listener_->redirect_uri()},
                      {"code_challenge", pkce.challenge}, {"code_challenge_method", "S256"}, {"state", state},
                      {"resource", server.resource}};
  if (!scopes.empty()) query.emplace_back("scope", JoinScopes(scopes));
  const std::string& endpoint = server.metadata.authorization_endpoint;
  AIP_RETURN_IF_ERROR(options_.open_browser(endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") + FormBody(query)));
  AIP_ASSIGN_OR_RETURN(auto response, listener_->Wait(state, options_.timeout));
  if (auto e = response.find("error"); e != response.end()) {
    std::string why = e->second;
    if (auto d = response.find("error_description"); d != response.end()) why += " (" + d->second + ")";
    return UnauthenticatedError("sign-in refused: " + SafeErrorText(why));
  }
  // RFC 9207: a present iss must be exactly the issuer (a mix-up attack sends another), and a
  // server that promises iss must send it.
  auto iss = response.find("iss");
  if (iss != response.end() ? iss->second != server.issuer : server.metadata.authorization_response_iss_parameter_supported) {
    return UnauthenticatedError("the sign-in response does not come from " + server.issuer + " (iss " +
                                (iss == response.end() ? "missing" : "\"" + SafeErrorText(iss->second) + "\"") + "); refusing its code");
  }
  auto code = response.find("code");
  if (code == response.end() || code->second.empty()) return UnauthenticatedError("the sign-in response has no code");
  FormParams params = {{"grant_type", "authorization_code"},
                       {"code", code->second},
                       {"redirect_uri", listener_->redirect_uri()},
                       {"code_verifier", pkce.verifier},
                       {"resource", server.resource}};
  AIP_ASSIGN_OR_RETURN(token_, RequestToken(server.metadata.token_endpoint, client, params, options_.http));
  token_issuer_ = server.issuer;
  granted_ = token_.scope.empty() ? scopes : SplitScopes(token_.scope);
  Remember();
  return OkStatus();
}

Status UserLogin::Refresh(const Server& server) {
  auto client = clients_.find(server.issuer);
  if (client == clients_.end()) return FailedPreconditionError("no client at " + server.issuer);
  FormParams params = {{"grant_type", "refresh_token"}, {"refresh_token", token_.refresh_token}, {"resource", server.resource}};
  AIP_ASSIGN_OR_RETURN(AccessToken fresh, RequestToken(server.metadata.token_endpoint, client->second, params, options_.http));
  if (fresh.refresh_token.empty()) fresh.refresh_token = token_.refresh_token;  // RFC 6749 §6: the old one stays valid.
  if (!fresh.scope.empty()) granted_ = SplitScopes(fresh.scope);
  token_ = std::move(fresh);
  Remember();
  return OkStatus();
}

}  // namespace aip::oauth

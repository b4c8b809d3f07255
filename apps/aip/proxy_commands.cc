// aip proxy: the local signing bridge. An off-the-shelf MCP client (Claude Desktop, Cursor,
// VS Code, an agent on the official SDK) launches `aip proxy URL` as its stdio server, or talks
// to `aip proxy URL --listen HOST:PORT`, and every request reaches the remote server signed with
// this agent's identity (docs/proxy.md).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "aip/base/clock.h"
#include "aip/base/file_io.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/proxy/listen_bridge.h"
#include "aip/proxy/stdio_bridge.h"
#include "cli.h"
#include "signing_flags.h"

namespace aip::cli {
namespace {

struct ProxyOptions {
  std::string url;
  std::string listen;
  std::string token_file;
  std::string timeout = "120s";
  std::string log_file;
  std::string pin = "off";
  SigningOptions signing;
};

// Logger writes to stderr (never stdout: over stdio that is the protocol's) and, with --log,
// appends to a file only the user can read.
class Logger {
 public:
  explicit Logger(const std::string& path) {
    if (path.empty()) return;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) Fail(kError, "cannot open the log file " + path + ": " + std::strerror(errno));
  }
  ~Logger() {
    if (fd_ >= 0) ::close(fd_);
  }
  void operator()(std::string_view line) {
    std::string text = "aip proxy: " + std::string(line) + "\n";
    std::lock_guard lock(mu_);
    std::cerr << text << std::flush;
    if (fd_ >= 0) {
      std::string stamped = FormatTimeMillis(DefaultClock().Now()) + " " + text;
      (void)!::write(fd_, stamped.data(), stamped.size());
    }
  }

 private:
  int fd_ = -1;
  std::mutex mu_;
};

std::unique_ptr<proxy::RemoteEndpoint> RemoteFor(const Context& ctx, const ProxyOptions& o) {
  const SigningOptions& s = o.signing;
  proxy::RemoteOptions r;
  r.url = o.url;
  if (SignsCalls(s)) {
    if (std::getenv("AIP_PRIVATE_KEY") == nullptr && !ctx.store.HasIdentity()) {
      Fail(kError,
           "no identity to sign with at " + ctx.store.identity_path().string() + ": run 'aip init', or pass --no-sign to relay unsigned");
    }
    r.signer = std::make_shared<identity::Identity>(LoadIdentity(ctx).identity);
  }
  r.audience = s.audience;
  r.http_hook = HttpHookFor(ctx, o.url, s);
  r.authorizer = LoginFor(ctx, o.url, s);
  if (!s.server_did.empty()) r.expected_server = s.server_did;
  r.require_signed_result = s.require_signed_result;
  r.check_signer = ServerTrustCheck(ctx, s);
  auto timeout = ParseDuration(o.timeout);
  if (!timeout || timeout->count() <= 0) Fail(kUsage, "--timeout: expected a duration such as 120s or 5m");
  r.http.timeout = *timeout;
  auto remote = proxy::RemoteEndpoint::Create(std::move(r));
  if (!remote) Fail(kUsage, "URL: " + remote.error().message);
  return std::move(*remote);
}

// ServeLocally runs the --listen bridge until SIGINT or SIGTERM.
void ServeLocally(proxy::RemoteEndpoint& remote, const ProxyOptions& o, Logger& log, std::shared_ptr<proxy::DefinitionScreen> screen) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  proxy::ListenBridgeOptions lo;
  lo.screen = std::move(screen);
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) Fail(kUsage, "--listen: expected HOST:PORT");
  lo.address = o.listen.substr(0, colon);
  if (lo.address.size() > 2 && lo.address.front() == '[') lo.address = lo.address.substr(1, lo.address.size() - 2);
  try {
    int port = std::stoi(o.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    lo.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    Fail(kUsage, "--listen: bad port in " + o.listen);
  }
  lo.token = proxy::NewProxyToken();
  lo.log = [&log](std::string_view line) { log(line); };
  if (!o.token_file.empty()) Check(WriteFileAtomic(o.token_file, lo.token + "\n", 0600));
  auto bridge = proxy::ListenBridge::Start(remote, lo);
  if (!bridge) Fail(kError, "cannot listen on " + o.listen + ": " + bridge.error().message);
  // The token goes to the user's terminal (and --token-file), never to a log file.
  std::cerr << "aip proxy: serving " << (*bridge)->url() << " for " << o.url << "\n"
            << "aip proxy: callers must send: Authorization: Bearer " << lo.token << "\n"
            << std::flush;
  int sig = 0;
  sigwait(&set, &sig);
  log("stopping");
  (*bridge)->Stop();
}

}  // namespace

void AddProxyCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ProxyOptions>();
  auto* cmd = app.add_subcommand("proxy", "Relay an MCP client to a remote server, signing every request: aip proxy URL");
  cmd->add_option("URL", o->url, "The remote Streamable HTTP endpoint, e.g. https://gw.example.com/mcp")->required();
  cmd->add_option("--listen", o->listen, "Serve local Streamable HTTP on HOST:PORT (token required) instead of stdio");
  cmd->add_option("--token-file", o->token_file, "With --listen: also write the per-run token to this file (mode 0600)");
  cmd->add_option("--timeout", o->timeout, "How long to wait for the remote (a response, or the next event of a stream); default 120s");
  cmd->add_option("--log", o->log_file, "Append the proxy's log lines to this file (mode 0600) besides stderr");
  cmd->add_option("--pin", o->pin,
                  "Tool integrity: tofu (trust the first listing, withhold later changes), approved (only what aip pins approve), off "
                  "(default)");
  AddSigningFlags(cmd, o->signing);
  cmd->callback([o, &ctx] {
    ::signal(SIGPIPE, SIG_IGN);  // A client that leaves is an error on write, not the end of the proxy.
    Logger log(o->log_file);
    auto remote = RemoteFor(ctx, *o);
    auto pin = Check(pins::ParsePinMode(o->pin), kUsage);
    std::shared_ptr<proxy::DefinitionScreen> screen;
    if (pin != pins::PinMode::kOff) {
      screen = std::make_shared<proxy::DefinitionScreen>(std::make_shared<pins::PinStore>(ClientPinsFile(ctx)), o->url, pin,
                                                         [&log](std::string_view line) { log(line); });
    }
    if (!o->listen.empty()) {
      ServeLocally(*remote, *o, log, screen);
      return;
    }
    if (!o->token_file.empty()) Fail(kUsage, "--token-file goes with --listen");
    log("relaying stdio to " + o->url + (SignsCalls(o->signing) ? "" : " (unsigned)"));
    proxy::StdioBridgeOptions so;
    so.log = [&log](std::string_view line) { log(line); };
    so.screen = screen;
    Check(proxy::RunStdioBridge(*remote, so));
  });
}

}  // namespace aip::cli

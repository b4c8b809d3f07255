// Handlers on event loops (HttpServerOptions::loop_handlers): a handler that waits lets its loop
// serve the other connections, waits keep their deadlines, request-local values stay apart, a
// condition wait on a loop does not deadlock, and a client that leaves cancels its request.
#include "aip/net/event_loop.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "aip/net/fiber.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "aip/net/loop_context.h"

namespace aip::net {
namespace {

using namespace std::chrono_literals;

std::string UrlOf(const HttpServer& server, std::string_view path = "/") {
  return "http://127.0.0.1:" + std::to_string(server.port()) + std::string(path);
}

HttpResponse Text(std::string body) {
  HttpResponse r;
  r.status = 200;
  r.headers.Set("content-type", "text/plain");
  r.body = std::move(body);
  return r;
}

// One event loop, handlers on it.
HttpServerOptions OneLoop() {
  HttpServerOptions o;
  o.threads = 1;
  o.loop_handlers = true;
  return o;
}

TEST(FiberTest, SuspendsAndResumesWhereItLeftOff) {
  std::vector<int> steps;
  auto fiber = Fiber::Create(
      [&] {
        steps.push_back(1);
        EXPECT_NE(Fiber::Current(), nullptr);
        Fiber::Current()->Suspend();
        steps.push_back(3);
      },
      64 * 1024);
  ASSERT_NE(fiber, nullptr);
  EXPECT_EQ(Fiber::Current(), nullptr);
  fiber->Resume();
  steps.push_back(2);
  EXPECT_FALSE(fiber->finished());
  fiber->Resume();
  EXPECT_TRUE(fiber->finished());
  EXPECT_EQ(steps, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(Fiber::Current(), nullptr);
}

// The backend answers nobody until it holds `expected` requests at once: a front end whose loop
// thread blocked in its first upstream call would never send the second, and every call would
// time out.
class Gate {
 public:
  explicit Gate(int expected) : expected_(expected) {}
  bool ArriveAndWait() {
    std::unique_lock lock(mu_);
    ++arrived_;
    cv_.notify_all();
    return cv_.wait_for(lock, 5s, [&] { return arrived_ >= expected_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int expected_;
  int arrived_ = 0;
};

TEST(EventLoopTest, AHandlerWaitingForItsUpstreamLeavesTheLoopToOthers) {
  constexpr int kCalls = 4;
  Gate gate(kCalls);
  HttpServerOptions backend_options;
  backend_options.threads = 1;
  backend_options.handler_threads = kCalls;  // The backend blocks by design: a thread per call.
  auto backend = HttpServer::Start(backend_options,
                                   [&](const HttpRequest&, Exchange& e) { e.Respond(Text(gate.ArriveAndWait() ? "together" : "alone")); });
  ASSERT_TRUE(backend.ok());
  std::string backend_url = UrlOf(**backend);
  auto front = HttpServer::Start(OneLoop(), [&](const HttpRequest&, Exchange& e) {
    EXPECT_TRUE(OnEventLoop());
    HttpClient client(ParseUrl(backend_url).value());
    auto r = client.Send("GET", "/", Headers{}, "");
    e.Respond(Text(r.ok() ? r->body : "failed: " + r.error().message));
  });
  ASSERT_TRUE(front.ok());
  std::vector<std::string> answers(kCalls);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      HttpClient client(ParseUrl(UrlOf(**front)).value());
      auto r = client.Send("GET", "/", Headers{}, "");
      answers[i] = r.ok() ? r->body : r.error().message;
    });
  }
  for (auto& t : callers) t.join();
  for (const auto& a : answers) EXPECT_EQ(a, "together");
  EXPECT_FALSE(OnEventLoop());  // A plain thread.
}

TEST(EventLoopTest, WaitsOnALoopKeepTheirDeadlines) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto front = HttpServer::Start(OneLoop(), [&](const HttpRequest&, Exchange& e) {
    auto t0 = std::chrono::steady_clock::now();
    int r = WaitReady(fds[0], POLLIN, t0 + 50ms);  // Nothing is ever written.
    auto waited = std::chrono::steady_clock::now() - t0;
    e.Respond(Text(std::to_string(r) + (waited >= 50ms ? " late enough" : " early")));
  });
  ASSERT_TRUE(front.ok());
  HttpClient client(ParseUrl(UrlOf(**front)).value());
  auto r = client.Send("GET", "/", Headers{}, "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "0 late enough");
  ::close(fds[0]);
  ::close(fds[1]);
}

RequestLocal<const std::string> who;

TEST(EventLoopTest, RequestLocalValuesStayWithTheirRequest) {
  constexpr int kCalls = 3;
  Gate gate(kCalls);
  HttpServerOptions backend_options;
  backend_options.threads = 1;
  backend_options.handler_threads = kCalls;
  auto backend =
      HttpServer::Start(backend_options, [&](const HttpRequest&, Exchange& e) { e.Respond(Text(gate.ArriveAndWait() ? "ok" : "")); });
  ASSERT_TRUE(backend.ok());
  std::string backend_url = UrlOf(**backend);
  auto front = HttpServer::Start(OneLoop(), [&](const HttpRequest& req, Exchange& e) {
    std::string mine = req.target;
    who.set(&mine);
    HttpClient client(ParseUrl(backend_url).value());
    (void)client.Send("GET", "/", Headers{}, "");  // The other requests run on this thread meanwhile.
    const std::string* after = who.get();
    e.Respond(Text(after != nullptr ? *after : "none"));
    who.set(nullptr);
  });
  ASSERT_TRUE(front.ok());
  std::vector<std::thread> callers;
  std::vector<std::string> answers(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      HttpClient client(ParseUrl(UrlOf(**front)).value());
      auto r = client.Send("GET", "/caller-" + std::to_string(i), Headers{}, "");
      answers[i] = r.ok() ? r->body : r.error().message;
    });
  }
  for (auto& t : callers) t.join();
  for (int i = 0; i < kCalls; ++i) EXPECT_EQ(answers[i], "/caller-" + std::to_string(i));
  EXPECT_EQ(who.get(), nullptr);  // This thread's own value was never set.
}

TEST(EventLoopTest, AWaitForAnotherRequestOnTheSameLoopDoesNotDeadlock) {
  // The first request to arrive holds a "flight" until a second request has arrived; the second
  // waits for the flight to end. On one loop thread, a blocking condition wait in either would
  // hang both.
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  bool flight_done = false;
  auto front = HttpServer::Start(OneLoop(), [&](const HttpRequest&, Exchange& e) {
    std::unique_lock lock(mu);
    bool leader = arrived++ == 0;
    cv.notify_all();
    if (leader) {
      bool second = AwaitUntil(lock, cv, std::chrono::steady_clock::now() + 5s, [&] { return arrived >= 2; });
      flight_done = true;
      cv.notify_all();
      e.Respond(Text(second ? "led" : "alone"));
    } else {
      bool done = AwaitUntil(lock, cv, std::chrono::steady_clock::now() + 5s, [&] { return flight_done; });
      e.Respond(Text(done ? "followed" : "stuck"));
    }
  });
  ASSERT_TRUE(front.ok());
  std::string answers[2];
  std::thread first([&] {
    HttpClient client(ParseUrl(UrlOf(**front)).value());
    auto r = client.Send("GET", "/", Headers{}, "");
    answers[0] = r.ok() ? r->body : r.error().message;
  });
  while (true) {
    std::lock_guard lock(mu);
    if (arrived == 1) break;
  }
  HttpClient client(ParseUrl(UrlOf(**front)).value());
  auto r = client.Send("GET", "/", Headers{}, "");
  answers[1] = r.ok() ? r->body : r.error().message;
  first.join();
  EXPECT_EQ(answers[0], "led");
  EXPECT_EQ(answers[1], "followed");
}

TEST(EventLoopTest, AClientThatLeavesCancelsItsRequest) {
  std::atomic<bool> cancelled{false};
  std::atomic<bool> started{false};
  auto front = HttpServer::Start(OneLoop(), [&](const HttpRequest& req, Exchange& e) {
    started = true;
    auto until = std::chrono::steady_clock::now() + 5s;
    while (!req.cancellation->cancelled() && std::chrono::steady_clock::now() < until) PauseFor(1ms);
    cancelled = req.cancellation->cancelled();
    e.Respond(Text("late"));
  });
  ASSERT_TRUE(front.ok());
  {
    HttpClientOptions quick;
    quick.timeout = 200ms;
    HttpClient client(ParseUrl(UrlOf(**front)).value(), quick);
    (void)client.Send("GET", "/", Headers{}, "");  // Gives up after 200 ms and closes.
  }
  ASSERT_TRUE(started);
  (*front)->Stop(5s);
  EXPECT_TRUE(cancelled);
}

TEST(EventLoopTest, RequestsPastTheBoundAreRefusedAtOnce) {
  HttpServerOptions o = OneLoop();
  o.max_loop_requests = 2;
  std::atomic<int> waiting{0};
  std::atomic<bool> release{false};
  auto front = HttpServer::Start(o, [&](const HttpRequest&, Exchange& e) {
    ++waiting;
    auto until = std::chrono::steady_clock::now() + 5s;
    while (!release && std::chrono::steady_clock::now() < until) PauseFor(1ms);
    e.Respond(Text("served"));
  });
  ASSERT_TRUE(front.ok());
  std::string answers[2];
  std::vector<std::thread> holders;
  for (int i = 0; i < 2; ++i) {
    holders.emplace_back([&, i] {
      HttpClient client(ParseUrl(UrlOf(**front)).value());
      auto r = client.Send("GET", "/", Headers{}, "");
      answers[i] = r.ok() ? r->body : r.error().message;
    });
  }
  while (waiting < 2) std::this_thread::sleep_for(1ms);
  HttpClient third(ParseUrl(UrlOf(**front)).value());
  auto refused = third.Send("GET", "/", Headers{}, "");
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->headers.Get("retry-after").value_or(""), "1");
  EXPECT_EQ(waiting, 2);  // Its handler never ran.
  release = true;
  for (auto& t : holders) t.join();
  EXPECT_EQ(answers[0], "served");
  EXPECT_EQ(answers[1], "served");
  auto later = third.Send("GET", "/", Headers{}, "");  // A slot is free again.
  ASSERT_TRUE(later.ok()) << later.error().message;
  EXPECT_EQ(later->body, "served");
}

TEST(EventLoopTest, AStreamToASlowReaderWaitsWithoutFailing) {
  constexpr int kChunks = 256;
  const std::string chunk(32 * 1024, 'x');  // 8 MiB in all: far more than the socket buffers hold.
  std::atomic<bool> all_written{false};
  auto front = HttpServer::Start(OneLoop(), [&](const HttpRequest&, Exchange& e) {
    Headers h;
    h.Set("content-type", "text/plain");
    ResponseStream& out = e.BeginStream(200, h);
    bool ok = true;
    for (int i = 0; i < kChunks && ok; ++i) ok = out.Write(chunk);
    all_written = ok;
  });
  ASSERT_TRUE(front.ok());
  // The client starts reading only after a while: until then the handler's writes must wait.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((*front)->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string request = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::this_thread::sleep_for(300ms);
  std::size_t received = 0;
  char buf[65536];
  while (true) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    received += static_cast<std::size_t>(n);
  }
  ::close(fd);
  EXPECT_TRUE(all_written);
  EXPECT_GT(received, static_cast<std::size_t>(kChunks) * chunk.size());  // Every chunk, with its framing.
}

TEST(EventLoopTest, LoopsShareTheConnections) {
  HttpServerOptions o = OneLoop();
  o.threads = 3;
  std::mutex mu;
  std::set<std::thread::id> threads;
  auto front = HttpServer::Start(o, [&](const HttpRequest&, Exchange& e) {
    {
      std::lock_guard lock(mu);
      threads.insert(std::this_thread::get_id());
    }
    e.Respond(Text("ok"));
  });
  ASSERT_TRUE(front.ok());
  for (int i = 0; i < 6; ++i) {
    HttpClient client(ParseUrl(UrlOf(**front)).value());  // A connection each.
    auto r = client.Send("GET", "/", Headers{}, "");
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  EXPECT_EQ(threads.size(), 3u);
}

// A request waiting for another thread (a disk sync handed off) leaves its loop to the others,
// and is woken as soon as that thread notifies — not at a recheck's interval.
TEST(EventLoopTest, ANotificationFromAnotherThreadWakesTheWaitingRequest) {
  std::vector<Notification> waiting;  // Notified by this test's thread.
  std::mutex mu;
  std::condition_variable arrived;
  auto server = HttpServer::Start(OneLoop(), [&](const HttpRequest& r, Exchange& e) {
    if (r.target == "/ping") return e.Respond(Text("pong"));
    Notification done;
    {
      std::lock_guard lock(mu);
      waiting.push_back(done);
    }
    arrived.notify_all();
    done.Wait();
    e.Respond(Text(done.notified() ? "woken" : "not notified"));
  });
  ASSERT_TRUE(server.ok());
  std::string waited;
  std::chrono::steady_clock::duration after_notify{};
  std::thread caller([&] {
    HttpClient client(ParseUrl(UrlOf(**server, "/wait")).value());
    auto r = client.Send("GET", "/wait", Headers{}, "");
    waited = r.ok() ? r->body : r.error().message;
  });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(arrived.wait_for(lock, 5s, [&] { return !waiting.empty(); }));
  }
  // The loop's only thread is free while the first request waits.
  HttpClient pinger(ParseUrl(UrlOf(**server, "/ping")).value());
  auto pong = pinger.Send("GET", "/ping", Headers{}, "");
  EXPECT_EQ(pong.ok() ? pong->body : pong.error().message, "pong");
  EXPECT_TRUE(waited.empty());
  auto notified_at = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu);
    waiting.front().Notify();
  }
  caller.join();
  after_notify = std::chrono::steady_clock::now() - notified_at;
  EXPECT_EQ(waited, "woken");
  EXPECT_LT(after_notify, 2s);
  // Notified before it waits: no wait at all, on a plain thread too.
  Notification early;
  early.Notify();
  early.Wait();
  EXPECT_TRUE(early.notified());
}

// A loop destroyed while a fiber waits (a server stopped past its grace abandons the fiber): a
// notification that comes later finds no loop to post to, and holds nothing of it.
TEST(EventLoopTest, ANotificationAfterItsLoopIsGoneDoesNothing) {
  Notification done;
  std::unique_ptr<Fiber> fiber;
  {
    boost::asio::io_context io;
    LoopContext loop{boost::asio::make_strand(io), nullptr};
    fiber = Fiber::Create([&done] { done.Wait(); }, 64 * 1024);
    ASSERT_NE(fiber, nullptr);
    fiber->loop = &loop;
    fiber->Resume();  // Waits: the fiber suspends.
    EXPECT_FALSE(fiber->finished());
    loop.executor = {};
  }
  done.Notify();  // The loop is gone: nothing is posted.
  EXPECT_TRUE(done.notified());
  EXPECT_FALSE(fiber->finished());
}

}  // namespace
}  // namespace aip::net

#include "aip/net/event_loop.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <thread>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include "aip/net/loop_context.h"

namespace aip::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// One wait's outcome, shared with its completion handlers: they may run after the wait returned
// (a cancelled one), when only `fired` may be read.
struct WaitState {
  explicit WaitState(LoopContext* l) : loop(l) {}
  LoopContext* loop;
  bool fired = false;
  bool timed_out = false;
  boost::system::error_code error;
  void Fire() {
    if (fired) return;
    fired = true;
    loop->Wake();
  }
};

}  // namespace

bool OnEventLoop() { return CurrentLoop() != nullptr; }

namespace {

// LoopAlive says whether an event loop still takes handlers from other threads. It is a service
// of the loop's io_context, so it is shut down before the services it relies on (the scheduler,
// the strands: created earlier, shut down later) when the loop is destroyed; from then on a
// Notification no longer posts to it.
class LoopAlive : public asio::execution_context::service {
 public:
  struct Flag {
    std::mutex mu;
    bool alive = true;
  };
  static inline asio::execution_context::id id;
  explicit LoopAlive(asio::execution_context& context) : service(context) {}
  void shutdown() override {
    std::lock_guard lock(flag->mu);
    flag->alive = false;
  }
  const std::shared_ptr<Flag> flag = std::make_shared<Flag>();
};

}  // namespace

struct Notification::State {
  std::mutex mu;
  std::condition_variable cv;
  bool notified = false;
  // Set while a fiber waits: where Notify wakes it. Neither owns anything of the loop (a copy of
  // its executor would, and could outlive it); `alive` says whether they may still be used.
  LoopContext* loop = nullptr;
  asio::io_context* io = nullptr;
  std::shared_ptr<LoopAlive::Flag> alive;
};

Notification::Notification() : state_(std::make_shared<State>()) {}

bool Notification::notified() const {
  std::lock_guard lock(state_->mu);
  return state_->notified;
}

void Notification::Notify() {
  std::shared_ptr<State> s = state_;  // The waiter may return, and drop its copy, at once.
  std::lock_guard lock(s->mu);
  if (s->notified) return;
  s->notified = true;
  if (s->loop == nullptr) {
    s->cv.notify_all();
    return;
  }
  // The loop thread runs the posted handler only after the fiber has suspended (the fiber runs on
  // that thread), when the driver is ready to be woken; Wake then goes through the strand.
  std::lock_guard alive(s->alive->mu);
  if (s->alive->alive) asio::post(*s->io, [loop = s->loop] { loop->Wake(); });
}

void Notification::Wait() {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  LoopContext* loop = CurrentLoop();
  if (loop == nullptr) {
    s.cv.wait(lock, [&s] { return s.notified; });
    return;
  }
  if (!s.notified) {
    s.loop = loop;
    s.io = &static_cast<asio::io_context&>(asio::query(loop->executor, asio::execution::context));
    s.alive = asio::use_service<LoopAlive>(*s.io).flag;
  }
  while (!s.notified) {
    lock.unlock();
    Fiber::Current()->Suspend();
    lock.lock();
  }
}

namespace internal {

static_assert(kRequestLocals == sizeof(Fiber::locals) / sizeof(void*));
namespace {
std::atomic<std::size_t> request_locals{0};
thread_local void* thread_locals[kRequestLocals] = {};
void** LocalsHere() {
  Fiber* f = Fiber::Current();
  return f != nullptr ? f->locals : thread_locals;
}
}  // namespace

std::size_t NewRequestLocal() {
  std::size_t i = request_locals++;
  if (i >= kRequestLocals) std::abort();  // A fixed few, defined at namespace scope.
  return i;
}
void* GetRequestLocal(std::size_t index) { return LocalsHere()[index]; }
void SetRequestLocal(std::size_t index, void* value) { LocalsHere()[index] = value; }

}  // namespace internal

int WaitReady(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  if (LoopContext* loop = CurrentLoop()) {
    if (std::chrono::steady_clock::now() >= deadline) return 0;
    boost::system::error_code ec;
    if (WaitOnLoop(*loop, fd, events, deadline, ec)) return 1;
    if (ec == boost::beast::error::timeout) return 0;
    errno = ec.value();
    return -1;
  }
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (r > 0) return 1;
    if (r == 0) continue;  // Woke early: the loop above decides whether time is left.
    if (errno != EINTR) return -1;
  }
}

int FinishConnect(int fd, std::chrono::steady_clock::time_point deadline) {
  int ready = WaitReady(fd, POLLOUT, deadline);
  if (ready == 0) return ETIMEDOUT;
  if (ready < 0) return errno;
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

void PauseFor(std::chrono::microseconds d) {
  LoopContext* loop = CurrentLoop();
  if (loop == nullptr) {
    std::this_thread::sleep_for(d);
    return;
  }
  auto state = std::make_shared<WaitState>(loop);
  asio::steady_timer timer(loop->executor, d);
  timer.async_wait([state](const boost::system::error_code&) { state->Fire(); });
  Fiber::Current()->Suspend();
}

bool YieldToOthers() {
  LoopContext* loop = CurrentLoop();
  if (loop == nullptr) return false;
  YieldToLoop(*loop);
  return true;
}

void YieldToLoop(LoopContext& loop) {
  // Woken by a handler queued on the loop behind everything ready now (then Wake queues the
  // driver, which resumes the fiber).
  auto& io = static_cast<asio::io_context&>(asio::query(loop.executor, asio::execution::context));
  asio::post(io, [&loop] { loop.Wake(); });
  Fiber::Current()->Suspend();
}

namespace {

// Outcome reads what a wait's state says once the fiber is resumed.
bool Outcome(const WaitState& state, boost::system::error_code& ec) {
  if (state.timed_out) {
    ec = boost::beast::error::timeout;
    return false;
  }
  if (state.error) {
    ec = state.error;
    return false;
  }
  return true;
}

// ReadyHandler and DeadlineHandler complete a wait's two halves; the first to run wakes the fiber.
auto ReadyHandler(const std::shared_ptr<WaitState>& state) {
  return [state](const boost::system::error_code& e) {
    if (!state->fired && e && e != asio::error::operation_aborted) state->error = e;
    state->Fire();
  };
}
auto DeadlineHandler(const std::shared_ptr<WaitState>& state) {
  return [state](const boost::system::error_code& e) {
    if (!state->fired && !e) state->timed_out = true;
    state->Fire();
  };
}

}  // namespace

bool WaitOnLoop(LoopContext& loop, tcp::socket& socket, short events, std::chrono::steady_clock::time_point deadline,
                boost::system::error_code& ec) {
  auto state = std::make_shared<WaitState>(&loop);
  asio::steady_timer timer(loop.executor, deadline);
  // The socket's other waits (a server's watch for the client leaving) must go on: this one is
  // not cancelled when the deadline comes first; its handler then finds `fired` and does nothing.
  socket.async_wait(events == POLLIN ? tcp::socket::wait_read : tcp::socket::wait_write, ReadyHandler(state));
  timer.async_wait(DeadlineHandler(state));
  Fiber::Current()->Suspend();
  timer.cancel();
  return Outcome(*state, ec);
}

bool WaitOnLoop(LoopContext& loop, int fd, short events, std::chrono::steady_clock::time_point deadline, boost::system::error_code& ec) {
  auto state = std::make_shared<WaitState>(&loop);
  // The descriptor is lent to the loop's reactor for this wait only (the socket belongs to a
  // client that other threads may use afterwards), and taken back below without closing it.
  asio::posix::stream_descriptor descriptor(loop.executor, fd);
  asio::steady_timer timer(loop.executor, deadline);
  descriptor.async_wait(events == POLLIN ? asio::posix::stream_descriptor::wait_read : asio::posix::stream_descriptor::wait_write,
                        ReadyHandler(state));
  timer.async_wait(DeadlineHandler(state));
  Fiber::Current()->Suspend();
  timer.cancel();
  descriptor.release();  // Cancels the other wait; its handler finds `fired` and does nothing.
  return Outcome(*state, ec);
}

}  // namespace aip::net

// LoopContext: what an event loop attaches to a request's fiber (Fiber::loop) so that waits
// inside the handler arm their events on that loop, and how such a wait wakes the fiber: the
// loop's driver (http_server.cc) resumes the fiber when `Wake` runs. Internal to net.
#pragma once

#include <chrono>
#include <functional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include "aip/net/fiber.h"

namespace aip::net {

struct LoopContext {
  // The connection's executor (a strand): waits complete on it, serialized with the driver.
  boost::asio::any_io_executor executor;
  // Set by the driver while the fiber is suspended: resumes the driver, which resumes the fiber.
  std::function<void()> resume;

  // Wake (on `executor`) lets the suspended fiber go on.
  void Wake() {
    if (!resume) return;
    auto r = std::exchange(resume, nullptr);
    boost::asio::post(executor, std::move(r));
  }
};

// The loop of the fiber running now, or null on a plain thread.
inline LoopContext* CurrentLoop() {
  Fiber* f = Fiber::Current();
  return f != nullptr ? static_cast<LoopContext*>(f->loop) : nullptr;
}

// YieldToLoop suspends the current fiber until the loop has run what was ready before it.
void YieldToLoop(LoopContext& loop);

// WaitOnLoop suspends the current fiber until `fd` is ready for `events` (POLLIN or POLLOUT) or
// `deadline` passes (false, `ec` = timeout). Only on a loop (CurrentLoop() != null).
bool WaitOnLoop(LoopContext& loop, int fd, short events, std::chrono::steady_clock::time_point deadline, boost::system::error_code& ec);
// The same for a socket of the loop's own (already in its reactor, where the descriptor cannot
// be added a second time).
bool WaitOnLoop(LoopContext& loop, boost::asio::ip::tcp::socket& socket, short events, std::chrono::steady_clock::time_point deadline,
                boost::system::error_code& ec);

}  // namespace aip::net

// Fiber: a call stack of its own on which a synchronous request handler runs on an I/O thread.
// When the handler would wait — for an upstream's answer, say — the code that waits suspends the
// fiber instead of the thread, and the thread goes back to its event loop and serves other
// connections; the loop resumes the fiber when what it waited for has come. A request then
// costs no hand-off to another thread and no thread sleeping and waking on its way: on a
// virtual machine each of those costs more than parsing the request.
//
// A fiber runs only on the thread that created it (it never migrates), so thread-local state
// stays valid across a suspension; but other fibers run on the same thread meanwhile, so state
// kept in a thread_local across a wait belongs in the fiber (or in the call) instead.
//
// Internal to net: the event loop (http_server.cc) drives fibers, the waits (deadline_socket.h,
// event_loop.cc) suspend them.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace aip::net {

class Fiber {
 public:
  // A stack of `stack_bytes` (rounded up to pages, below a guard page that faults on overflow);
  // null when no stack can be mapped (out of address space or memory maps).
  static std::unique_ptr<Fiber> Create(std::function<void()> body, std::size_t stack_bytes);
  ~Fiber();  // The body must have returned (a suspended fiber cannot be unwound).
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Resume runs the fiber on the calling thread until it suspends or its body returns.
  void Resume();
  bool finished() const { return finished_; }

  // Current is the fiber running on this thread, or null on a plain thread.
  static Fiber* Current();
  // Suspend (inside the fiber) returns to Resume's caller; it returns when resumed again.
  void Suspend();

  // What the driver attaches so that waits know where to arm their events (event_loop.cc).
  void* loop = nullptr;
  // The fiber's RequestLocal values (event_loop.h).
  void* locals[8] = {};

  struct Impl;

 private:
  Fiber(std::function<void()> body, std::unique_ptr<Impl> impl);
  static void Enter(void* self);  // The fiber's first frame; never returns.
  std::function<void()> body_;
  std::unique_ptr<Impl> impl_;
  bool finished_ = false;
};

}  // namespace aip::net

#include "aip/net/fiber.h"

#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define AIP_FIBER_ASAN 1
#endif

namespace aip::net {
namespace {

thread_local Fiber* current = nullptr;

// A stack below a guard page. Stacks are kept for reuse by the thread that freed them: mapping
// and unmapping one per request would cost two system calls a request.
struct Stack {
  void* base = nullptr;  // The mapping, guard page first.
  std::size_t mapped = 0;
  char* bottom() const { return static_cast<char*>(base) + static_cast<std::size_t>(::getpagesize()); }
  std::size_t size() const { return mapped - static_cast<std::size_t>(::getpagesize()); }
};

constexpr std::size_t kKeptStacks = 64;

struct StackCache {
  std::vector<Stack> free;
  ~StackCache() {
    for (const Stack& s : free) ::munmap(s.base, s.mapped);
  }
};
thread_local StackCache cache;

Stack TakeStack(std::size_t bytes) {
  std::size_t page = static_cast<std::size_t>(::getpagesize());
  std::size_t mapped = (bytes + page - 1) / page * page + page;
  for (auto it = cache.free.begin(); it != cache.free.end(); ++it) {
    if (it->mapped == mapped) {
      Stack s = *it;
      cache.free.erase(it);
      return s;
    }
  }
  void* base = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) std::abort();  // Out of address space: nothing sensible is left to do.
  ::mprotect(base, page, PROT_NONE);     // The guard: an overflow faults instead of corrupting.
  return Stack{base, mapped};
}

void GiveBack(const Stack& s) {
  if (cache.free.size() < kKeptStacks) {
    cache.free.push_back(s);
  } else {
    ::munmap(s.base, s.mapped);
  }
}

// ASan follows the switches between stacks (else it takes the fiber's frames for a stack overflow
// and its fake stacks for leaks); without it these do nothing.
void StartSwitch([[maybe_unused]] void** fake, [[maybe_unused]] const void* bottom, [[maybe_unused]] std::size_t size) {
#ifdef AIP_FIBER_ASAN
  __sanitizer_start_switch_fiber(fake, bottom, size);
#endif
}
void FinishSwitch([[maybe_unused]] void* fake, [[maybe_unused]] const void** bottom_old, [[maybe_unused]] std::size_t* size_old) {
#ifdef AIP_FIBER_ASAN
  __sanitizer_finish_switch_fiber(fake, bottom_old, size_old);
#endif
}

}  // namespace

struct Fiber::Impl {
  Stack stack;
  ucontext_t context{};
  ucontext_t caller{};
  // The resuming side's stack, which ASan must know when the fiber switches back to it.
  const void* caller_bottom = nullptr;
  std::size_t caller_size = 0;
  void* caller_fake = nullptr;
  void* fiber_fake = nullptr;
  bool started = false;
};

Fiber::Fiber(std::function<void()> body, std::size_t stack_bytes) : body_(std::move(body)), impl_(std::make_unique<Impl>()) {
  impl_->stack = TakeStack(stack_bytes);
  ::getcontext(&impl_->context);
  impl_->context.uc_stack.ss_sp = impl_->stack.bottom();
  impl_->context.uc_stack.ss_size = impl_->stack.size();
  impl_->context.uc_link = &impl_->caller;  // Where the body's return goes.
  auto address = reinterpret_cast<std::uintptr_t>(this);
  // makecontext passes int arguments only: the pointer goes in two halves.
  ::makecontext(&impl_->context, reinterpret_cast<void (*)()>(&Fiber::Enter), 2, static_cast<unsigned>(address >> 32),
                static_cast<unsigned>(address & 0xffffffffu));
}

Fiber::~Fiber() {
  if (impl_->started && !finished_) std::abort();  // A suspended fiber's frames cannot be unwound.
  GiveBack(impl_->stack);
}

Fiber* Fiber::Current() { return current; }

void Fiber::Enter(unsigned high, unsigned low) {
  auto* self = reinterpret_cast<Fiber*>((static_cast<std::uintptr_t>(high) << 32) | low);
  FinishSwitch(nullptr, &self->impl_->caller_bottom, &self->impl_->caller_size);
  try {
    self->body_();
  } catch (...) {
    // The driver's body catches what its handler throws; nothing may unwind past a fiber's base.
    std::abort();
  }
  self->finished_ = true;
  // Leaving for good: ASan drops the fiber's fake stack. uc_link switches to the caller.
  StartSwitch(nullptr, self->impl_->caller_bottom, self->impl_->caller_size);
}

void Fiber::Resume() {
  if (finished_) return;
  Fiber* outer = current;
  current = this;
  impl_->started = true;
  StartSwitch(&impl_->caller_fake, impl_->stack.bottom(), impl_->stack.size());
  ::swapcontext(&impl_->caller, &impl_->context);
  FinishSwitch(impl_->caller_fake, nullptr, nullptr);
  current = outer;
}

void Fiber::Suspend() {
  StartSwitch(&impl_->fiber_fake, impl_->caller_bottom, impl_->caller_size);
  ::swapcontext(&impl_->context, &impl_->caller);
  FinishSwitch(impl_->fiber_fake, &impl_->caller_bottom, &impl_->caller_size);
}

}  // namespace aip::net

#include "aip/net/fiber.h"

#include <sys/mman.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
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

// TakeStack: a cached stack of that size, or a new mapping; an empty Stack when none can be mapped.
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
  if (base == MAP_FAILED) return Stack{};
  // The guard: an overflow faults instead of corrupting. Without it, no stack.
  if (::mprotect(base, page, PROT_NONE) != 0) {
    ::munmap(base, mapped);
    return Stack{};
  }
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

// Switching stacks. On x86-64 a switch saves the callee-saved registers on the stack it leaves
// and takes them from the one it enters (a dozen instructions); elsewhere it is swapcontext,
// which also saves the signal mask — a system call each way.
#if defined(__x86_64__)
extern "C" void aip_fiber_switch(void** save_sp, void* to_sp);
extern "C" void aip_fiber_start();
asm(R"(
    .text
    .globl aip_fiber_switch
    .hidden aip_fiber_switch
    .type aip_fiber_switch,@function
    .p2align 4
aip_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size aip_fiber_switch,.-aip_fiber_switch

    .globl aip_fiber_start
    .hidden aip_fiber_start
    .type aip_fiber_start,@function
    .p2align 4
aip_fiber_start:
    movq %rbx, %rdi
    callq *%r12
    ud2
    .size aip_fiber_start,.-aip_fiber_start
)");

struct Context {
  void* sp = nullptr;
};

// Prepare lays out a new stack as aip_fiber_switch leaves one: six registers (r12 = entry,
// rbx = its argument), then aip_fiber_start as the return address, which calls entry(arg) with
// the stack aligned as the ABI wants.
void Prepare(Context& c, char* bottom, std::size_t size, void (*entry)(void*), void* arg) {
  auto top = reinterpret_cast<std::uintptr_t>(bottom + size) & ~std::uintptr_t{15};
  auto* sp = reinterpret_cast<std::uintptr_t*>(top);
  *--sp = reinterpret_cast<std::uintptr_t>(&aip_fiber_start);
  *--sp = 0;                                        // rbp
  *--sp = reinterpret_cast<std::uintptr_t>(arg);    // rbx
  *--sp = reinterpret_cast<std::uintptr_t>(entry);  // r12
  *--sp = 0;                                        // r13
  *--sp = 0;                                        // r14
  *--sp = 0;                                        // r15
  c.sp = sp;
}
void Switch(Context& from, Context& to) { aip_fiber_switch(&from.sp, to.sp); }
#else
struct Context {
  ucontext_t uc{};
};
std::atomic<void (*)(void*)> pending_entry{nullptr};  // Always Fiber::Enter: makecontext cannot pass it.
void Prepare(Context& c, char* bottom, std::size_t size, void (*entry)(void*), void* arg) {
  ::getcontext(&c.uc);
  c.uc.uc_stack.ss_sp = bottom;
  c.uc.uc_stack.ss_size = size;
  c.uc.uc_link = nullptr;  // Entry never returns: it switches away for good.
  auto address = reinterpret_cast<std::uintptr_t>(arg);
  // makecontext passes int arguments only: the pointer goes in two halves.
  ::makecontext(&c.uc, reinterpret_cast<void (*)()>(+[](unsigned high, unsigned low) {
    auto* a = reinterpret_cast<void*>((static_cast<std::uintptr_t>(high) << 32) | low);
    pending_entry.load()(a);
  }),
                2, static_cast<unsigned>(address >> 32), static_cast<unsigned>(address & 0xffffffffu));
  pending_entry = entry;
}
void Switch(Context& from, Context& to) { ::swapcontext(&from.uc, &to.uc); }
#endif

}  // namespace

struct Fiber::Impl {
  Stack stack;
  Context context;
  Context caller;
  // The resuming side's stack, which ASan must know when the fiber switches back to it.
  const void* caller_bottom = nullptr;
  std::size_t caller_size = 0;
  void* caller_fake = nullptr;
  void* fiber_fake = nullptr;
  bool started = false;
};

std::unique_ptr<Fiber> Fiber::Create(std::function<void()> body, std::size_t stack_bytes) {
  auto impl = std::make_unique<Impl>();
  impl->stack = TakeStack(stack_bytes);
  if (impl->stack.base == nullptr) return nullptr;
  return std::unique_ptr<Fiber>(new Fiber(std::move(body), std::move(impl)));
}

Fiber::Fiber(std::function<void()> body, std::unique_ptr<Impl> impl) : body_(std::move(body)), impl_(std::move(impl)) {
  Prepare(impl_->context, impl_->stack.bottom(), impl_->stack.size(), &Fiber::Enter, this);
}

Fiber::~Fiber() {
  if (impl_->started && !finished_) {
    // Only when a stop gave up on a request still waiting (its loop is gone): its frames cannot
    // be unwound, so its stack stays mapped — what it holds is leaked, never touched again.
    std::fputs("aip: a request still waiting at shutdown was abandoned\n", stderr);
#ifdef AIP_FIBER_ASAN
    __lsan_register_root_region(impl_->stack.base, impl_->stack.mapped);  // Held, not leaked.
#endif
    return;
  }
  GiveBack(impl_->stack);
}

Fiber* Fiber::Current() { return current; }

void Fiber::Enter(void* arg) {
  auto* self = static_cast<Fiber*>(arg);
  FinishSwitch(nullptr, &self->impl_->caller_bottom, &self->impl_->caller_size);
  try {
    self->body_();
  } catch (...) {
    // The driver's body catches what its handler throws; nothing may unwind past a fiber's base.
    std::abort();
  }
  self->finished_ = true;
  // Leaving for good: ASan drops the fiber's fake stack; nothing switches back here.
  StartSwitch(nullptr, self->impl_->caller_bottom, self->impl_->caller_size);
  Switch(self->impl_->context, self->impl_->caller);
  std::abort();
}

void Fiber::Resume() {
  if (finished_) return;
  Fiber* outer = current;
  current = this;
  impl_->started = true;
  StartSwitch(&impl_->caller_fake, impl_->stack.bottom(), impl_->stack.size());
  Switch(impl_->caller, impl_->context);
  FinishSwitch(impl_->caller_fake, nullptr, nullptr);
  current = outer;
}

void Fiber::Suspend() {
  StartSwitch(&impl_->fiber_fake, impl_->caller_bottom, impl_->caller_size);
  Switch(impl_->context, impl_->caller);
  FinishSwitch(impl_->fiber_fake, &impl_->caller_bottom, &impl_->caller_size);
}

}  // namespace aip::net

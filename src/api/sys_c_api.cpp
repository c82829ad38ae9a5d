// The OS helpers of <lwip/sys.h>: sys_now, sys_msleep, sys_thread_new and
// SYS_ARCH_PROTECT's lock.
#include <pthread.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>

#include "lwip/sys.h"

namespace {

struct ThreadStart {
  lwip_thread_fn function;
  void* arg;
  char name[16];  // Linux: at most 15 characters
};

void* run_thread(void* start_pointer) {
  const ThreadStart start = *static_cast<ThreadStart*>(start_pointer);
  delete static_cast<ThreadStart*>(start_pointer);
  if (start.name[0] != '\0') pthread_setname_np(pthread_self(), start.name);
  start.function(start.arg);
  return nullptr;
}

std::recursive_mutex& protect_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

}  // namespace

extern "C" {

u32_t sys_now(void) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const std::uint64_t ms = static_cast<std::uint64_t>(now.tv_sec) * 1000U + static_cast<std::uint64_t>(now.tv_nsec) / 1000000U;
  return static_cast<u32_t>(ms);  // wraps, as lwIP's does
}

u32_t sys_jiffies(void) { return sys_now(); }

void sys_msleep(u32_t ms) {
  timespec remaining{static_cast<time_t>(ms / 1000U), static_cast<long>(ms % 1000U) * 1000000L};
  while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
  }
}

sys_thread_t sys_thread_new(const char* name, lwip_thread_fn thread, void* arg, int stacksize, int prio) {
  (void)stacksize;
  (void)prio;
  if (thread == nullptr) return nullptr;
  auto* start = new (std::nothrow) ThreadStart{thread, arg, {}};
  if (start == nullptr) return nullptr;
  if (name != nullptr) std::strncpy(start->name, name, sizeof start->name - 1);
  pthread_t id{};
  if (pthread_create(&id, nullptr, run_thread, start) != 0) {
    delete start;
    return nullptr;
  }
  pthread_detach(id);
  // The handle only identifies the thread (lwIP code rarely uses it).
  return reinterpret_cast<sys_thread_t>(id);
}

sys_prot_t sys_arch_protect(void) {
  protect_mutex().lock();
  return 1;
}

void sys_arch_unprotect(sys_prot_t pval) {
  (void)pval;
  protect_mutex().unlock();
}

}  // extern "C"

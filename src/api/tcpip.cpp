// The C entry points of tcpip_c.h over one process-wide TcpipThread.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "api/tcpip_c.h"

namespace lwnet::api {

namespace {

// Built by the first tcpip_init and kept until exit, when its destructor
// stops the thread (static destruction runs after main returns).
std::mutex default_mutex;
std::optional<TcpipThread> default_instance;
std::atomic<TcpipThread*> default_pointer{nullptr};

lwnet_err_t to_err(const Status& status) {
  if (status.ok()) return LWNET_ERR_OK;
  return status.error() == Error::WouldBlock ? LWNET_ERR_MEM : LWNET_ERR_VAL;
}

TcpipThread& required(const char* function) {
  TcpipThread* thread = default_pointer.load(std::memory_order_acquire);
  if (thread == nullptr) {
    std::fprintf(stderr, "lwnet: %s called before tcpip_init\n", function);
    std::fflush(stderr);
    std::abort();
  }
  return *thread;
}

}  // namespace

TcpipThread* default_tcpip() { return default_pointer.load(std::memory_order_acquire); }

}  // namespace lwnet::api

using lwnet::api::default_tcpip;

extern "C" void tcpip_init(lwnet_tcpip_callback_fn done, void* arg) {
  using namespace lwnet::api;
  {
    const std::lock_guard lock(default_mutex);
    if (default_instance == std::nullopt) default_instance.emplace();
    // Also after lwnet_shutdown(): the thread starts again (its mailbox
    // would refuse `done` otherwise, and a caller waiting for it would
    // wait for ever).
    if (!default_instance->running()) {
      const lwnet::Status started = default_instance->start();
      if (!started) {
        std::fprintf(stderr, "lwnet: tcpip_init: the TCP/IP thread did not start: %s\n",
                     lwnet::to_string(started.error()));
        std::fflush(stderr);
        std::abort();
      }
    }
    default_pointer.store(&*default_instance, std::memory_order_release);
  }
  if (done != nullptr) (void)default_instance->post(done, arg);
}

extern "C" lwnet_err_t tcpip_callback(lwnet_tcpip_callback_fn function, void* ctx) {
  lwnet::api::TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return LWNET_ERR_VAL;
  const lwnet::Status posted = thread->post(function, ctx);
  return lwnet::api::to_err(posted);
}

extern "C" lwnet_err_t tcpip_try_callback(lwnet_tcpip_callback_fn function, void* ctx) {
  lwnet::api::TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return LWNET_ERR_VAL;
  return lwnet::api::to_err(thread->try_post(function, ctx));
}

extern "C" void sys_timeouts_init(void) {
  if (lwnet::api::TcpipThread* thread = default_tcpip()) thread->start_timers();
}

extern "C" void sys_timeouts_deinit(void) {
  if (lwnet::api::TcpipThread* thread = default_tcpip()) thread->stop_timers();
}

extern "C" void lwnet_lock_tcpip_core(void) {
  lwnet::api::required("lwnet_lock_tcpip_core").lock_core();
}

extern "C" void lwnet_unlock_tcpip_core(void) {
  lwnet::api::required("lwnet_unlock_tcpip_core").unlock_core();
}

// A scope that holds the TCP/IP thread's core lock (lwIP's LOCK_TCPIP_CORE /
// UNLOCK_TCPIP_CORE pair as an object): code inside may use the Stack
// directly, in either mode of the thread.
#pragma once

#include "api/tcpip_thread.h"

namespace lwnet::api {

// Any thread except the TCP/IP thread, and not nested in another CoreGuard
// or lock_core() of the same thread (the lock is not recursive).
class CoreGuard {
 public:
  explicit CoreGuard(TcpipThread& thread) : thread_(thread) { thread_.lock_core(); }
  ~CoreGuard() { thread_.unlock_core(); }
  CoreGuard(const CoreGuard&) = delete;
  CoreGuard& operator=(const CoreGuard&) = delete;

  Stack& stack() { return thread_.stack(); }

 private:
  TcpipThread& thread_;
};

}  // namespace lwnet::api

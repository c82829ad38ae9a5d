// How a TCP/IP thread is built: ESP-IDF's tcpip task options
// (CONFIG_LWIP_TCPIP_*), with what each one means on Linux.
#pragma once

#include <cstddef>
#include <cstdint>

#include "config/options.h"
#include "time/instant.h"

namespace lwnet::api {

// The smallest stack the thread gets on Linux, whatever stack_size asks for.
// ESP-IDF's 3072 bytes fit lwIP's C on a microcontroller; here the thread
// runs C++ with glibc (whose PTHREAD_STACK_MIN alone is 16 KiB on x86-64 and
// more on arm64), its callbacks run user code (the socket layer, tests), and
// Debug builds run under ASan or TSan, whose instrumented frames are several
// times larger. 256 KiB is far beyond what the core needs and costs only
// address space until touched.
inline constexpr std::size_t min_thread_stack_size = 256 * 1024;

struct TcpipConfig {
  // Messages the mailbox holds (CONFIG_LWIP_TCPIP_RECVMBOX_SIZE). A caller
  // of post() or (message passing) call() waits while it is full. At least 1.
  std::size_t mailbox_size = config::tcpip_recvmbox_size;

  // Bytes (CONFIG_LWIP_TCPIP_TASK_STACK_SIZE). Raised to
  // min_thread_stack_size and PTHREAD_STACK_MIN, rounded up to a page.
  std::size_t stack_size = CONFIG_LWIP_TCPIP_TASK_STACK_SIZE;

  // FreeRTOS priority 1..24 (CONFIG_LWIP_TCPIP_TASK_PRIO); start() refuses
  // others, except 0. Linux has no priorities under SCHED_OTHER (the normal
  // time-sharing policy: its static priority must be 0), so the value maps
  // to a real-time one: SCHED_RR at sched_rr_priority(priority) (1..24 spread
  // linearly over SCHED_RR's 1..99: the default 18 is 73, ESP-IDF's iperf 23
  // is 95), like the tcpip task that preempts application tasks on
  // FreeRTOS. That needs privilege (root, CAP_SYS_NICE or RLIMIT_RTPRIO):
  // without it start() falls back to the creating thread's own scheduling
  // and the value is ignored; TcpipThread::realtime() says which happened.
  // 0 (a Linux-only value) asks for that fallback directly: no real-time.
  int priority = CONFIG_LWIP_TCPIP_TASK_PRIO;

  // -1: no affinity (ESP-IDF's TCPIP_TASK_AFFINITY_NO_AFFINITY): the thread
  // may run on any CPU the process may. Otherwise a CPU number, applied with
  // pthread_attr_setaffinity_np before the thread runs; start() fails with
  // InvalidArgument when the CPU does not exist or the process may not use it.
  int affinity = CONFIG_LWIP_TCPIP_TASK_AFFINITY;

  // false: message passing (ESP-IDF's default): call() posts to the mailbox
  // and waits until the TCP/IP thread ran it. true: call() takes the core
  // mutex and runs in the caller's thread (CONFIG_LWIP_TCPIP_CORE_LOCKING).
  bool core_locking = config::tcpip_core_locking;

  // CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT (needs core_locking; start()
  // refuses it alone). In lwIP it decides how a driver thread hands a
  // received frame to the core: without it tcpip_input() posts the frame to
  // the mailbox, with it the driver takes the core lock and processes the
  // frame itself. lwnet has no driver threads (the TCP/IP thread reads every
  // device, woken by its descriptor), so here it means the same thing for
  // the threads that do wait on input: a blocking socket call (recv,
  // accept, connect, send on a full buffer) sleeps on the devices as well as
  // on its event, and when a frame comes it processes it itself under the
  // core mutex instead of waiting for the TCP/IP thread to do so and wake
  // it: one thread wake-up per event instead of two. The TCP/IP thread still
  // runs the timers, the mail and input nobody else is waiting for.
  bool core_locking_input = config::tcpip_core_locking_input;

  // The stack's StackConfig::random_seed; 0: 64 bits from the kernel
  // (port/entropy.h random_seed()).
  std::uint64_t random_seed = 0;
  // CONFIG_LWNET_TCPIP_SPIN_US: how long the TCP/IP thread, a call()'s
  // caller and a blocked socket call spin before sleeping in the kernel.
  Duration spin_before_sleep = Duration::micros(config::tcpip_spin_us);
};

// Any thread. The SCHED_RR priority a FreeRTOS priority 1..24 maps to
// (sched_get_priority_min/max(SCHED_RR), 1..99 on Linux); 0 for 0.
int sched_rr_priority(int priority);

}  // namespace lwnet::api

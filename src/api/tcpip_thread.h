// The TCP/IP thread (lwIP's tcpip thread, DESIGN.md §5): one thread owns a
// Stack and runs it. It sleeps until the stack's next deadline, a device's
// descriptor becomes readable, or mail arrives; then it runs the mail, polls
// the stack (input, then timers) and sleeps again.
//
// Other threads reach the stack in one of two ways (TcpipConfig::core_locking):
//  - message passing (ESP-IDF's default): call() posts a message to the
//    mailbox and waits until the thread has run it;
//  - core locking: call() takes the core mutex and runs in the caller's
//    thread; the TCP/IP thread holds the same mutex whenever it touches the
//    stack, and is woken afterwards when the call brought a deadline closer.
// In both modes the core mutex exists and is held by the TCP/IP thread while
// it works (it lets go only while it sleeps), so lock_core() works in both
// modes (lwIP has LOCK_TCPIP_CORE only with core locking; here it is also a
// way to batch several calls under message passing).
//
// "Core context" means: on the TCP/IP thread while it works (messages, poll,
// the stack's callbacks), or in a thread holding the core mutex. Only code in
// core context may use the Stack. With CONFIG_LWIP_CHECK_THREAD_SAFETY every
// Stack function checks it (set_core_context_check) and aborts the process,
// naming the function, when it is not.
//
// Threads: every member function may be called from any thread, including
// from inside call()/post() functions on the TCP/IP thread, except where its
// comment says otherwise.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/mailbox.h"
#include "api/tcpip_config.h"
#include "core/stack.h"
#include "ip/netif_config.h"
#include "ip/netif_types.h"
#include "link/device.h"
#include "port/adaptive_mutex.h"
#include "port/clock.h"
#include "port/os_error.h"
#include "port/wait.h"
#include "time/instant.h"
#include "util/result.h"

namespace lwnet::api {

class TcpipThread {
 public:
  // Builds the stack (with TcpipConfig::random_seed) and the mailbox; the
  // thread starts with start(). Installs in_core_context() as the stack's
  // thread-safety check.
  explicit TcpipThread(const TcpipConfig& config = {});
  // Stops the thread (stop()). Not from the TCP/IP thread itself.
  ~TcpipThread();
  TcpipThread(const TcpipThread&) = delete;
  TcpipThread& operator=(const TcpipThread&) = delete;

  // Starts the thread. Any thread except the TCP/IP thread. AlreadyConnected
  // (EALREADY) when it runs; InvalidArgument for a configuration start()
  // refuses (priority outside 0..24, a CPU that does not exist or is not
  // allowed, core_locking_input without core_locking, mailbox_size 0);
  // another error when the OS refuses (no descriptors, no memory).
  // May be called again after stop(): timers, netifs and the stack's state
  // carry over.
  Status start();
  // Idempotent. Lets the thread finish the mail it holds (every waiting
  // call() and posted function runs once), then joins it. Later calls run
  // inline (see call()); post() returns Closed. Called on the TCP/IP thread
  // (from inside a message) it only asks: the thread ends after this
  // iteration and a later stop() or the destructor joins it. Must not be
  // called while holding the core lock (it would wait for itself).
  void stop();
  // True between a successful start() and stop().
  bool running() const { return running_.load(std::memory_order_acquire); }

  // Adds a netif on `device` (which must outlive this object) and has the
  // thread poll the stack whenever `wait_fd` is readable (the device's
  // descriptor, e.g. TapDevice::fd(); -1 for a device with none, driven
  // only by its next_deadline()). Before or after start(); runs in core
  // context (through call()). The descriptor must stay open while the
  // thread runs: the thread aborts if its wait fails (EBADF).
  Result<NetifId> add_netif(Device& device, int wait_fd, const NetifConfig& config);

  // Runs f(Stack&, Instant now) in core context and returns what it returns
  // (lwIP's tcpip_api_call / LOCK_TCPIP_CORE + call):
  //  - on the TCP/IP thread or holding the core lock: runs f inline;
  //  - message passing: posts a message and blocks the caller on a
  //    Completion (a futex) of this call until the thread has run f (waiting first for
  //    room while the mailbox is full);
  //  - core locking: takes the core mutex, runs f in the caller's thread,
  //    and wakes the thread when f brought the stack's deadline closer;
  //  - while the thread is not running (before start, after stop): takes
  //    the core mutex and runs f inline, in either mode.
  // f must not throw (it may run on the TCP/IP thread, where an exception
  // ends the process) and must return a value, not a reference (what it
  // returns is read outside core context). `now` is monotonic_now().
  template <class F>
  auto call(F&& f) -> std::invoke_result_t<F&, Stack&, Instant>;

  // lwIP's tcpip_callback: runs fn(ctx) on the TCP/IP thread later, in FIFO
  // order with other mail. Waits while the mailbox is full, except on the
  // TCP/IP thread itself, where waiting could never end: there it returns
  // WouldBlock when full. Closed while the thread is not running.
  Status post(void (*fn)(void*), void* ctx);
  // lwIP's tcpip_try_callback: WouldBlock at once when the mailbox is full.
  // Closed while the thread is not running.
  Status try_post(void (*fn)(void*), void* ctx);

  // lwIP's sys_timeouts_deinit / sys_timeouts_init: stop and restart every
  // stack timer (Stack::set_timers_enabled). With timers stopped the thread
  // still serves input, mail and calls, and sleeps until one of them comes.
  void stop_timers();
  void start_timers();

  // On the TCP/IP thread while it works, or in a thread holding the core lock.
  bool in_core_context() const {
    return owner_.load(std::memory_order_acquire) == std::this_thread::get_id();
  }

  // Makes the thread wake and read the stack's next_deadline() again. call()
  // and unlock_core() do this themselves when needed; code that changes the
  // stack some other way (a device that got a frame without a descriptor)
  // calls it. Async-signal-safe (one eventfd write).
  void wake();

  // lwIP's LOCK_TCPIP_CORE / UNLOCK_TCPIP_CORE: the core mutex, in either
  // mode. Not recursive: a thread holding it must not take it again (call()
  // inside it runs inline, as it should). Not from the TCP/IP thread.
  // unlock_core() wakes the thread when the stack's deadline moved closer
  // than the one it sleeps until. core_guard.h has a scoped form. Misuse
  // (lock_core() in core context, unlock_core() without lock_core()) aborts
  // the process with a message instead of hanging.
  void lock_core();
  void unlock_core();

  // The stack, for code in core context only (under lock_core(), or on the
  // TCP/IP thread): the same object call() hands to its function.
  Stack& stack() { return stack_; }

  // Hook for the layer above (the socket layer wakes its waiters there):
  // runs on the TCP/IP thread, in core context, after every loop iteration
  // that polled the stack. Null removes it. Any thread (set in core context).
  using PollHook = void (*)(void* context);
  void set_poll_hook(PollHook hook, void* context);

  // Hook for the socket layer's hand-over (message passing: the TCP/IP
  // thread makes a sleeping caller's call for it when its event comes):
  // runs on the TCP/IP thread, in core context, after each batch of mail
  // and each poll of the stack, and once more as the thread stops. Null
  // removes it. Core context only.
  void set_work_hook(PollHook hook, void* context) {
    work_hook_ = hook;
    work_hook_context_ = context;
  }

  // True on the TCP/IP thread itself. Any thread.
  bool on_own_thread() const {
    return thread_id_.load(std::memory_order_acquire) == std::this_thread::get_id();
  }

  // CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT: input is processed by whichever
  // thread is there to take it, under the core mutex. A caller about to
  // block (a blocking socket call waiting for its event) may then wait on
  // the devices itself: true when it may (core locking with input, thread
  // running). Any thread.
  bool callers_read_input() const {
    return config_.core_locking && config_.core_locking_input && running();
  }
  // For callers_read_input(): sleeps until `waker` is woken, a device has
  // input or `deadline` passes. Input it finds it processes itself, in core
  // context (a pass of the stack as the TCP/IP thread makes one), so the
  // event it waits for needs no hand-over between threads. Returns whether
  // the waker was woken. Not in core context, not on the TCP/IP thread.
  // `owes_wake` (the caller's, false at first, kept across the waits of one
  // blocking call) says that this caller gave up the role of the reader
  // that waits on the devices and has not yet woken the TCP/IP thread for
  // them: a caller that waits again takes the role back (or finds another
  // reader) and the wake is not needed; end_reader_waits() makes it when
  // the call ends.
  OsResult<bool> wait_reading_input(const Waker& waker, Instant deadline, bool& owes_wake);
  // When the blocking call that passed `owes_wake` to wait_reading_input()
  // ends: wakes the TCP/IP thread if the caller owes it the devices.
  void end_reader_waits(bool& owes_wake) {
    if (owes_wake) wake_if_blind();
    owes_wake = false;
  }
  // True on a thread while wait_reading_input() processes input: events it
  // raises for that same thread need no wake (it looks again after).
  static bool in_caller_input_pass();

  // Whether the thread runs under SCHED_RR at sched_rr_priority(priority)
  // (true) or with the scheduling of the thread that started it (false: no
  // privilege, or priority 0). Meaningful while running.
  bool realtime() const { return realtime_.load(std::memory_order_acquire); }
  // How many times the thread has gone to sleep (on its devices, its waker
  // or a deadline) since it was made: a count that shows whether it was
  // woken for nothing. Any thread.
  std::uint64_t sleeps() const { return sleeps_.load(std::memory_order_relaxed); }
  const TcpipConfig& config() const { return config_; }

 private:
  template <class F, class R>
  struct CallFrame {
    TcpipThread* thread;
    F* function;
    std::optional<R> result;
    static void run(void* context) {
      auto* frame = static_cast<CallFrame*>(context);
      frame->result.emplace((*frame->function)(frame->thread->stack_, monotonic_now()));
    }
  };
  template <class F>
  struct VoidCallFrame {
    TcpipThread* thread;
    F* function;
    static void run(void* context) {
      auto* frame = static_cast<VoidCallFrame*>(context);
      (*frame->function)(frame->thread->stack_, monotonic_now());
    }
  };

  // Runs message.function(message.context) in core context: through the
  // mailbox (message passing, thread running), else under the core mutex
  // in the caller's thread. Returns when it has run.
  void run_in_core(const Message& message);

  static void* thread_main(void* self);
  void loop();
  bool work_waiting();
  // In core context on the TCP/IP thread: runs one message and releases
  // its completion.
  static void run_message(const Message& message);
  // Adds descriptors that add_netif() recorded since the last look.
  void watch_new_descriptors();
  // One pass over the stack in core context: mail-free part of the loop.
  void poll_pass();
  // The mailbox's notify: wakes the thread only when it may be asleep (an
  // awake thread looks at the mailbox again before it sleeps), which saves
  // an eventfd write and a wake-up per call that comes while it works.
  static void notify_mail(void* self);
  // How the TCP/IP thread waits for input under core locking with input.
  enum class InputWatch {
    devices,       // it waits on the devices itself (no caller reads them)
    slice,         // a caller reads or has just read: not the devices, for
                   // at most reader_handover_slice, then it looks again
    until_woken,   // a caller has read for a long while: not the devices,
                   // until that caller gives the role up and wakes it
  };
  InputWatch input_watch(Instant now) const;
  // Input that comes while no caller reads and this thread sleeps blind
  // waits at most two of these: a bound on that latency, and on how often
  // this thread wakes while callers read.
  static constexpr Duration reader_handover_slice = Duration::millis(1);
  // wait_reading_input()'s reader leaves the role; then (at once, or when
  // its call ends: end_reader_waits) wake_if_blind() wakes the TCP/IP
  // thread if it sleeps blind until woken.
  void release_reader_role();
  void wake_if_blind();
  // Takes the core mutex and marks the caller as its owner.
  void acquire_core();
  // Lets go of the core mutex; true when the thread should wake (the
  // stack's deadline is now earlier than the one the thread sleeps until).
  bool release_core();

  const TcpipConfig config_;
  Stack stack_;
  std::optional<Waker> waker_;      // empty when eventfd failed: start() reports it
  std::optional<OsError> waker_error_;
  Mailbox mailbox_;

  AdaptiveMutex core_mutex_;  // spins up to TcpipConfig::spin_before_sleep
  std::atomic<std::thread::id> owner_{};  // who holds core_mutex_, if anyone

  // Core context (under core_mutex_):
  std::vector<int> device_fds_;         // add_netif's descriptors, in order
  // Changes with device_fds_: wait_reading_input() callers keep a copy.
  std::atomic<std::uint32_t> device_generation_;
  // A caller waits on the devices (wait_reading_input): no second one does.
  std::atomic<bool> caller_reading_input_{false};
  // When the reader role was last taken and last given up (monotonic
  // microseconds): the TCP/IP thread leaves the devices to callers while a
  // caller reads or has read within reader_handover_slice.
  std::atomic<std::int64_t> reader_taken_at_{0};
  std::atomic<std::int64_t> reader_released_at_{0};
  // The TCP/IP thread sleeps without the devices and without a slice bound
  // (the reader has held the role a long while): the reader wakes it when it
  // gives the role up.
  std::atomic<bool> blind_until_woken_{false};
  bool sleeping_ = false;               // the thread waits until sleep_deadline_
  Instant sleep_deadline_;
  AdaptiveSpin mail_spin_;  // the thread's look for mail before it sleeps
  PollHook poll_hook_ = nullptr;
  void* poll_hook_context_ = nullptr;
  PollHook work_hook_ = nullptr;
  void* work_hook_context_ = nullptr;
  void run_work_hook() {
    if (work_hook_ != nullptr) work_hook_(work_hook_context_);
  }

  // True from the thread's last look at the mailbox before it sleeps until
  // it wakes: a push in that time must wake it (notify_mail).
  std::atomic<bool> may_sleep_{false};

  // The TCP/IP thread only:
  WaitSet waits_;
  WaitSet waker_only_;  // waits_ without the devices (InputWatch other than devices)
  std::size_t watched_ = 0;  // entries of device_fds_ in waits_

  // Lifecycle (start/stop, under lifecycle_mutex_):
  std::mutex lifecycle_mutex_;
  pthread_t thread_{};
  bool joinable_ = false;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{false};
  std::atomic<bool> realtime_{false};
  std::atomic<std::uint64_t> sleeps_{0};
  std::atomic<std::thread::id> thread_id_{};
};

template <class F>
auto TcpipThread::call(F&& f) -> std::invoke_result_t<F&, Stack&, Instant> {
  using R = std::invoke_result_t<F&, Stack&, Instant>;
  static_assert(!std::is_reference_v<R>,
                "TcpipThread::call: return a value; a reference into the stack would be read "
                "outside core context");
  if (in_core_context()) return f(stack_, monotonic_now());
  if constexpr (std::is_void_v<R>) {
    VoidCallFrame<std::remove_reference_t<F>> frame{this, &f};
    run_in_core(Message{&decltype(frame)::run, &frame, nullptr});
  } else {
    CallFrame<std::remove_reference_t<F>, R> frame{this, &f, std::nullopt};
    run_in_core(Message{&decltype(frame)::run, &frame, nullptr});
    return std::move(*frame.result);
  }
}

}  // namespace lwnet::api

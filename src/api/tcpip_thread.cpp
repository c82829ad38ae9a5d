// The TCP/IP thread: its loop, the two ways into the core, start and stop.
#include "api/tcpip_thread.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "port/entropy.h"
#include "port/memory.h"

namespace lwnet::api {

namespace {

constexpr int highest_freertos_priority = 24;

// Every value device_generation_ takes is new across all TcpipThread
// objects, so a caller's cached wait set can never be taken for another
// thread object's that happens to live at the same address.
std::atomic<std::uint32_t> next_device_generation{1};

thread_local bool caller_input_pass = false;

bool in_core_check(void* context) { return static_cast<const TcpipThread*>(context)->in_core_context(); }

[[noreturn]] void core_violation(void* /*context*/, const char* function) {
  std::fprintf(stderr,
               "lwnet: %s called outside the TCP/IP thread without the core lock "
               "(CONFIG_LWIP_CHECK_THREAD_SAFETY)\n",
               function);
  std::fflush(stderr);
  std::abort();
}

[[noreturn]] void misuse(const char* what) {
  std::fprintf(stderr, "lwnet: TcpipThread::%s\n", what);
  std::fflush(stderr);
  std::abort();
}

std::uint64_t seed_of(const TcpipConfig& config) {
  return config.random_seed != 0 ? config.random_seed : random_seed();
}

// The stack gives a closed bulk connection's ring pages back to the kernel.
StackConfig stack_config(const TcpipConfig& config) {
  StackConfig result{seed_of(config)};
  result.release_memory = &release_memory;
  return result;
}

std::size_t thread_stack_size(std::size_t requested) {
  std::size_t size = std::max(requested, min_thread_stack_size);
  const long stack_min = sysconf(_SC_THREAD_STACK_MIN);
  if (stack_min > 0) size = std::max(size, static_cast<std::size_t>(stack_min));
  const long page = sysconf(_SC_PAGESIZE);
  if (page > 0) {
    const auto page_size = static_cast<std::size_t>(page);
    size = (size + page_size - 1) / page_size * page_size;
  }
  return size;
}

// A pthread_attr_t that is destroyed however start() leaves.
class ThreadAttributes {
 public:
  ThreadAttributes() { ok_ = pthread_attr_init(&attr_) == 0; }
  ~ThreadAttributes() {
    if (ok_) pthread_attr_destroy(&attr_);
  }
  ThreadAttributes(const ThreadAttributes&) = delete;
  ThreadAttributes& operator=(const ThreadAttributes&) = delete;
  bool ok() const { return ok_; }
  pthread_attr_t* get() { return &attr_; }

 private:
  pthread_attr_t attr_{};
  bool ok_ = false;
};

// Sets up `attributes` for `config`; realtime: SCHED_RR at the mapped
// priority, else the creator's scheduling. 0 or an errno value.
int prepare_attributes(ThreadAttributes& attributes, const TcpipConfig& config, bool realtime) {
  if (!attributes.ok()) return ENOMEM;
  pthread_attr_t* attr = attributes.get();
  if (const int error = pthread_attr_setstacksize(attr, thread_stack_size(config.stack_size));
      error != 0) {
    return error;
  }
  if (config.affinity >= 0) {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(static_cast<std::size_t>(config.affinity), &cpus);
    if (const int error = pthread_attr_setaffinity_np(attr, sizeof cpus, &cpus); error != 0) {
      return error;
    }
  }
  if (realtime) {
    sched_param param{};
    param.sched_priority = sched_rr_priority(config.priority);
    if (int error = pthread_attr_setinheritsched(attr, PTHREAD_EXPLICIT_SCHED); error != 0) return error;
    if (int error = pthread_attr_setschedpolicy(attr, SCHED_RR); error != 0) return error;
    if (int error = pthread_attr_setschedparam(attr, &param); error != 0) return error;
  } else {
    if (int error = pthread_attr_setinheritsched(attr, PTHREAD_INHERIT_SCHED); error != 0) return error;
  }
  return 0;
}

}  // namespace

int sched_rr_priority(int priority) {
  if (priority <= 0) return 0;
  priority = std::min(priority, highest_freertos_priority);
  const int low = sched_get_priority_min(SCHED_RR);
  const int high = sched_get_priority_max(SCHED_RR);
  const int steps = highest_freertos_priority - 1;
  // Rounded to the nearest: 1 -> low, 24 -> high.
  return low + ((priority - 1) * (high - low) + steps / 2) / steps;
}

TcpipThread::TcpipThread(const TcpipConfig& config)
    : config_(config),
      stack_(stack_config(config)),
      mailbox_(config.mailbox_size, &TcpipThread::notify_mail, this),
      core_mutex_(config.spin_before_sleep),
      device_generation_(next_device_generation.fetch_add(1)) {
  auto waker = Waker::create();
  if (waker) {
    waker_.emplace(std::move(*waker));
  } else {
    waker_error_.emplace(waker.os_error());
  }
  stack_.set_core_context_check(&in_core_check, this, &core_violation);
}

TcpipThread::~TcpipThread() {
  stop();
  stack_.set_core_context_check(nullptr, nullptr);
}

Status TcpipThread::start() {
  if (thread_id_.load(std::memory_order_acquire) == std::this_thread::get_id()) {
    return Error::InvalidArgument;  // the TCP/IP thread cannot start itself
  }
  const std::lock_guard lifecycle(lifecycle_mutex_);
  if (joinable_) {
    if (!stop_requested_.load()) return Error::AlreadyConnected;
    // Stopped from inside itself earlier: collect that thread first.
    pthread_join(thread_, nullptr);
    joinable_ = false;
    running_.store(false, std::memory_order_release);
  }
  if (config_.priority < 0 || config_.priority > highest_freertos_priority ||
      config_.affinity < -1 || config_.affinity >= CPU_SETSIZE ||
      (config_.core_locking_input && !config_.core_locking) || config_.mailbox_size == 0) {
    return Error::InvalidArgument;
  }
  if (!waker_) return waker_error_->code();

  stop_requested_.store(false);
  mailbox_.open();
  bool realtime = config_.priority > 0;
  int error = 0;
  for (;;) {
    ThreadAttributes attributes;
    error = prepare_attributes(attributes, config_, realtime);
    if (error == 0) error = pthread_create(&thread_, attributes.get(), &TcpipThread::thread_main, this);
    // No privilege for real-time scheduling: the creator's scheduling.
    if (error == EPERM && realtime) {
      realtime = false;
      continue;
    }
    break;
  }
  if (error != 0) {
    mailbox_.close();
    return OsError("pthread_create", error).code();
  }
  realtime_.store(realtime, std::memory_order_release);
  joinable_ = true;
  running_.store(true, std::memory_order_release);
  return {};
}

void TcpipThread::stop() {
  if (thread_id_.load(std::memory_order_acquire) == std::this_thread::get_id()) {
    stop_requested_.store(true);  // joined by a later stop(), start() or the destructor
    return;
  }
  const std::lock_guard lifecycle(lifecycle_mutex_);
  if (!joinable_) return;
  stop_requested_.store(true);
  wake();
  pthread_join(thread_, nullptr);
  joinable_ = false;
  running_.store(false, std::memory_order_release);
}

void* TcpipThread::thread_main(void* self) {
  auto* thread = static_cast<TcpipThread*>(self);
  thread->thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
  thread->loop();
  thread->thread_id_.store(std::thread::id{}, std::memory_order_release);
  return nullptr;
}

// Mail, or a descriptor that became readable (looked at without waiting).
bool TcpipThread::work_waiting() {
  if (mailbox_.size() != 0) return true;
  const OsResult<WaitResult> looked = waits_.wait(Instant{});
  return !looked || !looked->timed_out;
}

void TcpipThread::loop() {
  acquire_core();
  waits_ = WaitSet(*waker_);
  waker_only_ = WaitSet(*waker_);
  watched_ = 0;
  watch_new_descriptors();
  for (;;) {
    // What the calls and the pass send leaves together (a TAP writes it in
    // one system call: Stack::begin_transmit_batch).
    stack_.begin_transmit_batch();
    // At most one mailbox-full of messages per iteration, so that a stream
    // of calls cannot starve input and timers.
    for (std::size_t i = 0; i < mailbox_.capacity(); ++i) {
      const std::optional<Message> message = mailbox_.try_pop();
      if (!message) break;
      run_message(*message);
    }
    run_work_hook();
    poll_pass();
    stack_.end_transmit_batch();
    watch_new_descriptors();
    if (stop_requested_.load()) break;
    // With a spin (message passing only: under core locking callers need the
    // core mutex this thread holds), look for mail a while before sleeping:
    // a caller's next call usually comes within microseconds, and this way
    // it needs no wake-up (may_sleep_ is still false). A descriptor that
    // becomes readable ends the spin too, so input waits no longer for it.
    if (!config_.core_locking && config_.spin_before_sleep > Duration::zero() &&
        mail_spin_.spin_until(config_.spin_before_sleep, [this] { return work_waiting(); })) {
      continue;
    }
    // Under core locking with input, while callers read the devices (a
    // socket call blocked for its event), this thread neither spins nor
    // waits on them: each frame would wake it beside the reader, and the two
    // would race for the core and for the CPU the peer needs (on 2 cores,
    // sockets CRR went from about 5,000 to 12,000 connections/s without it).
    const InputWatch watch = input_watch(monotonic_now());
    // Under core locking the spin looks for input (and tcpip_callback mail)
    // without the core mutex, so callers run their socket calls meanwhile:
    // input that comes within the spin is taken without a wake-up.
    if (config_.core_locking && config_.spin_before_sleep > Duration::zero() && watch == InputWatch::devices) {
      (void)release_core();
      const bool found = mail_spin_.spin_until(config_.spin_before_sleep, [this] { return work_waiting(); });
      acquire_core();
      if (found) continue;
    }
    // A push either sees may_sleep_ and wakes the thread, or comes before
    // this look at the mailbox (both sides are sequentially consistent: the
    // flag is seq_cst and the mailbox's count is under its mutex).
    may_sleep_.store(true);
    if (mailbox_.size() != 0) {  // pushed without a wake: take it now
      may_sleep_.store(false);
      continue;
    }
    const Instant now = monotonic_now();
    Instant deadline = stack_.next_deadline();
    if (deadline <= now) {
      may_sleep_.store(false);
      continue;
    }
    bool blind = watch != InputWatch::devices;
    if (watch == InputWatch::slice) {
      deadline = std::min(deadline, now + reader_handover_slice);
    } else if (watch == InputWatch::until_woken) {
      // Against the reader's release_reader_role(): it gives the role up,
      // then takes it back or looks at the flag (wake_if_blind); this sets
      // the flag, then looks at the role.
      blind_until_woken_.store(true);
      if (!caller_reading_input_.load()) {
        blind_until_woken_.store(false);
        blind = false;
      }
    }

    sleeping_ = true;
    sleep_deadline_ = deadline;
    (void)release_core();
    sleeps_.fetch_add(1, std::memory_order_relaxed);
    const OsResult<WaitResult> waited = blind ? waker_only_.wait(deadline) : waits_.wait(deadline);
    blind_until_woken_.store(false);
    may_sleep_.store(false);
    acquire_core();
    sleeping_ = false;
    if (!waited) {
      std::fprintf(stderr, "lwnet: the TCP/IP thread cannot wait for its devices: %s\n",
                   waited.os_error().message().c_str());
      std::fflush(stderr);
      std::abort();
    }
  }
  // Every message posted before the close runs, so no caller waits forever;
  // after it, call() runs inline and post() says Closed.
  mailbox_.close();
  while (const std::optional<Message> message = mailbox_.try_pop()) run_message(*message);
  run_work_hook();
  (void)release_core();
}

void TcpipThread::poll_pass() {
  stack_.poll(monotonic_now());
  if (poll_hook_ != nullptr) poll_hook_(poll_hook_context_);
  run_work_hook();
}

OsResult<bool> TcpipThread::wait_reading_input(const Waker& waker, Instant deadline, bool& owes_wake) {
  // The caller's wait sets: its waker alone, and its waker then every
  // device descriptor; made again when add_netif() added a device.
  struct CallerWait {
    const TcpipThread* thread = nullptr;
    const Waker* waker = nullptr;
    std::uint32_t generation = 0;
    std::optional<WaitSet> waker_only;
    std::optional<WaitSet> with_devices;
    std::size_t devices = 0;
  };
  thread_local CallerWait wait;
  const std::uint32_t generation = device_generation_.load(std::memory_order_acquire);
  if (!wait.with_devices || wait.thread != this || wait.waker != &waker || wait.generation != generation) {
    std::vector<int> fds;
    acquire_core();
    fds = device_fds_;
    const std::uint32_t now_generation = device_generation_.load(std::memory_order_relaxed);
    (void)release_core();
    wait.waker_only.emplace(waker);
    wait.with_devices.emplace(waker);
    wait.devices = 0;
    for (const int fd : fds) {
      if (fd < 0) continue;
      (void)wait.with_devices->add(fd);
      ++wait.devices;
    }
    wait.thread = this;
    wait.waker = &waker;
    wait.generation = now_generation;
  }
  // One caller at a time waits on the devices (the reader); the others wait
  // for their event as usual. The TCP/IP thread leaves the devices to the
  // reader (input_watch), so a frame wakes the reader alone; it keeps the
  // role through its pass over the input, as the TCP/IP thread, woken when
  // the role goes, would otherwise race it for the frame.
  const bool reader = !caller_reading_input_.exchange(true);
  if (reader) reader_taken_at_.store(monotonic_now().total_micros(), std::memory_order_relaxed);
  // Reading again, or another caller reads: the devices are watched, and
  // the TCP/IP thread (blind until woken, maybe) need not be woken for
  // them. An answered ping or an accept that a SYN did not satisfy woke
  // it twice per frame before (once here, once more after its blind slice),
  // on two vCPUs the very CPU the peer needed. The role itself is given
  // up after each pass, as before: kept, it stayed with a thread that
  // waits for ever (an idle service's accept), and every event of a busy
  // thread then needed a hand-over from it.
  owes_wake = false;
  WaitSet& set = reader ? *wait.with_devices : *wait.waker_only;
  const OsResult<WaitResult> waited = set.wait(deadline);
  bool input = false;
  if (reader && waited) {
    for (std::size_t i = 0; i < wait.devices; ++i) input = input || set.readable(i);
  }
  bool wake_for_deadline = false;
  if (input) {
    acquire_core();
    caller_input_pass = true;
    poll_pass();
    caller_input_pass = false;
    wake_for_deadline = release_core();
  }
  if (reader) {
    release_reader_role();
    owes_wake = true;
  }
  if (wake_for_deadline) wake();
  if (!waited) return waited.os_error();
  return waited->woken;
}

bool TcpipThread::in_caller_input_pass() { return caller_input_pass; }

TcpipThread::InputWatch TcpipThread::input_watch(Instant now) const {
  if (!config_.core_locking || !config_.core_locking_input) return InputWatch::devices;
  const std::int64_t slice = reader_handover_slice.total_micros();
  if (caller_reading_input_.load()) {
    // Held for a slice already: this caller sleeps on its socket, maybe for
    // long (an accept on an idle server); waking every slice would be waste.
    const bool long_held = now.total_micros() - reader_taken_at_.load(std::memory_order_relaxed) >= slice;
    return long_held ? InputWatch::until_woken : InputWatch::slice;
  }
  // Given up within a slice: the caller is most likely about to block again
  // (the next accept or recv of a request loop), so the devices are left to
  // it for a slice more rather than woken for; input that comes meanwhile
  // with nobody reading waits at most that long.
  if (now.total_micros() - reader_released_at_.load(std::memory_order_relaxed) < slice) return InputWatch::slice;
  return InputWatch::devices;
}

void TcpipThread::release_reader_role() {
  reader_released_at_.store(monotonic_now().total_micros(), std::memory_order_relaxed);
  caller_reading_input_.store(false);
}

void TcpipThread::wake_if_blind() {
  if (blind_until_woken_.exchange(false)) wake();
}

void TcpipThread::notify_mail(void* self) {
  auto* thread = static_cast<TcpipThread*>(self);
  if (thread->may_sleep_.load()) thread->wake();
}

void TcpipThread::run_message(const Message& message) {
  message.function(message.context);
  if (message.completion != nullptr) message.completion->release();
}

void TcpipThread::watch_new_descriptors() {
  while (watched_ < device_fds_.size()) {
    const int fd = device_fds_[watched_++];
    if (fd >= 0) (void)waits_.add(fd);
  }
}

void TcpipThread::acquire_core() {
  core_mutex_.lock();
  owner_.store(std::this_thread::get_id(), std::memory_order_release);
}

bool TcpipThread::release_core() {
  const bool wake_needed = sleeping_ && stack_.next_deadline() < sleep_deadline_;
  owner_.store(std::thread::id{}, std::memory_order_release);
  core_mutex_.unlock();
  return wake_needed;
}

void TcpipThread::run_in_core(const Message& message) {
  if (!config_.core_locking) {
    Completion done;
    Message posted = message;
    posted.completion = &done;
    if (mailbox_.push(posted).ok()) {
      // Per calling thread: whether spinning pays depends on what it waits for.
      thread_local AdaptiveSpin spinner;
      done.acquire(config_.spin_before_sleep, &spinner);
      return;
    }
    // Closed: the thread is not running; run it here, under the lock.
  }
  acquire_core();
  message.function(message.context);
  // What the call made due at once (a segment to one of the stack's own
  // addresses waits on the loopback queue) is processed here, before the
  // lock goes, instead of by waking the TCP/IP thread for it: the receiving
  // socket's thread is then woken from here, one wake-up instead of two. Not
  // a caller input pass: the caller's own waiters are woken too, as it may
  // wait on what this pass delivers (its readiness check ran before it).
  if (stack_.next_deadline() <= monotonic_now()) poll_pass();
  if (release_core()) wake();
}

Result<NetifId> TcpipThread::add_netif(Device& device, int wait_fd, const NetifConfig& config) {
  Result<NetifId> id = call([&](Stack& stack, Instant now) {
    Result<NetifId> added = stack.add_netif(device, config, now);
    if (added) {
      device_fds_.push_back(wait_fd);
      device_generation_.store(next_device_generation.fetch_add(1), std::memory_order_release);
    }
    return added;
  });
  // The thread may sleep on a set without this descriptor (core locking).
  if (id && !in_core_context()) wake();
  return id;
}

Status TcpipThread::post(void (*fn)(void*), void* ctx) {
  const Message message{fn, ctx, nullptr};
  // In core context the thread that would make room is this one (or waits
  // for this one's lock): waiting could never end.
  if (in_core_context()) return mailbox_.try_push(message);
  return mailbox_.push(message);
}

Status TcpipThread::try_post(void (*fn)(void*), void* ctx) {
  return mailbox_.try_push(Message{fn, ctx, nullptr});
}

void TcpipThread::stop_timers() {
  call([](Stack& stack, Instant) { stack.set_timers_enabled(false); });
}

void TcpipThread::start_timers() {
  call([](Stack& stack, Instant) { stack.set_timers_enabled(true); });
}

void TcpipThread::wake() {
  if (waker_) waker_->wake();
}

void TcpipThread::lock_core() {
  // std::mutex is not recursive: taking it again would hang (or worse).
  if (in_core_context()) misuse("lock_core() while already in core context (not recursive)");
  acquire_core();
}

void TcpipThread::unlock_core() {
  if (!in_core_context() || thread_id_.load() == std::this_thread::get_id()) {
    misuse("unlock_core() by a thread that did not lock_core()");
  }
  if (release_core()) wake();
}

void TcpipThread::set_poll_hook(PollHook hook, void* context) {
  call([&](Stack&, Instant) {
    poll_hook_ = hook;
    poll_hook_context_ = context;
  });
}

}  // namespace lwnet::api

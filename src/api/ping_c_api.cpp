// <ping/ping_sock.h>: each esp_ping session is a PingSession on the
// default TCP/IP thread; every call reaches it through TcpipThread::call.
// The lwip_ names only: no macro renames what this file includes.
#define LWIP_COMPAT_SOCKETS 0
#include <cstring>
#include <memory>
#include <new>

#include "ping/ping_sock.h"

#include "lwip/if_api.h"

#include "api/ip_addr_convert.h"
#include "api/tcpip_c.h"
#include "apps/ping_session.h"

namespace {

using lwnet::Instant;
using lwnet::PingSession;
using lwnet::Stack;

// One C session: the app and the user's callbacks.
struct CSession {
  PingSession session;
  esp_ping_callbacks_t callbacks{};
  // In the list of started sessions (core context only).
  bool listed = false;
  CSession* previous = nullptr;
  CSession* next = nullptr;
};

// The sessions started since the last lwnet_shutdown() and not deleted:
// the ones it may have to stop. Core context only.
CSession* started_sessions = nullptr;
// Set by lwnet_shutdown() from the moment it stops the sessions until the
// TCP/IP thread has stopped: an on_ping_end that starts its session again
// would have it running on after the restart. Core context only.
bool refusing_starts_for_shutdown = false;

void list_started(CSession& s) {
  if (s.listed) return;
  s.listed = true;
  s.previous = nullptr;
  s.next = started_sessions;
  if (started_sessions != nullptr) started_sessions->previous = &s;
  started_sessions = &s;
}

void unlist(CSession& s) {
  if (!s.listed) return;
  if (s.previous != nullptr) s.previous->next = s.next;
  if (s.next != nullptr) s.next->previous = s.previous;
  if (started_sessions == &s) started_sessions = s.next;
  s.listed = false;
  s.previous = s.next = nullptr;
}

void on_success(void* context, PingSession&) {
  auto* s = static_cast<CSession*>(context);
  if (s->callbacks.on_ping_success != nullptr) s->callbacks.on_ping_success(s, s->callbacks.cb_args);
}
void on_timeout(void* context, PingSession&) {
  auto* s = static_cast<CSession*>(context);
  if (s->callbacks.on_ping_timeout != nullptr) s->callbacks.on_ping_timeout(s, s->callbacks.cb_args);
}
void on_end(void* context, PingSession&) {
  auto* s = static_cast<CSession*>(context);
  if (s->callbacks.on_ping_end != nullptr) s->callbacks.on_ping_end(s, s->callbacks.cb_args);
}

template <class F>
esp_err_t in_ping_core(F&& f) {
  lwnet::api::TcpipThread* thread = lwnet::api::default_tcpip();
  if (thread == nullptr) return ESP_ERR_INVALID_STATE;
  return thread->call([&](Stack& stack, Instant now) { return f(stack, now); });
}

}  // namespace

namespace lwnet::api {

// lwnet_shutdown() (bring_up.cpp): every running session ends as
// esp_ping_stop() ends it, on_ping_end included; the handles stay the
// user's, to start again after the restart or to delete.
void stop_pings_for_shutdown() {
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return;
  thread->call([](Stack& stack, Instant) {
    refusing_starts_for_shutdown = true;
    // on_ping_end may delete its session or another one: so the next one
    // is taken from the list again after each stop.
    while (CSession* s = started_sessions) {
      unlist(*s);
      s->session.stop(stack);
    }
    return 0;
  });
}

// lwnet_shutdown(), once the TCP/IP thread has stopped.
void allow_ping_starts_after_shutdown() {
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return;
  thread->call([](Stack&, Instant) {
    refusing_starts_for_shutdown = false;
    return 0;
  });
}

}  // namespace lwnet::api

extern "C" {

esp_err_t esp_ping_new_session(const esp_ping_config_t* config, const esp_ping_callbacks_t* cbs,
                               esp_ping_handle_t* hdl_out) {
  if (config == nullptr || hdl_out == nullptr) return ESP_ERR_INVALID_ARG;
  if (config->tos < 0 || config->tos > 255 || config->ttl < 0 || config->ttl > 255 ||
      config->target_addr.type == IPADDR_TYPE_ANY) {
    return ESP_ERR_INVALID_ARG;
  }
  // ESP-IDF binds the session's socket to the interface's name, and fails
  // the session with ESP_FAIL when the index names no interface.
  char interface_name[IF_NAMESIZE];
  if (config->interface != 0 && lwip_if_indextoname(config->interface, interface_name) == nullptr) return ESP_FAIL;
  lwnet::PingSessionConfig c;
  c.count = config->count;
  c.interval = lwnet::Duration::millis(config->interval_ms);
  c.timeout = lwnet::Duration::millis(config->timeout_ms);
  c.data_size = config->data_size;
  c.tos = static_cast<std::uint8_t>(config->tos);
  c.ttl = static_cast<std::uint8_t>(config->ttl);
  c.target = lwnet::api::from_ip_addr(config->target_addr);
  // A netif index as lwIP's (netif_get_index): lwnet's netif number plus one.
  if (config->interface != 0) c.netif = lwnet::NetifId{static_cast<std::uint8_t>(config->interface - 1)};
  std::unique_ptr<CSession> s(new (std::nothrow) CSession);
  if (!s) return ESP_ERR_NO_MEM;
  if (cbs != nullptr) s->callbacks = *cbs;
  PingSession::Callbacks callbacks;
  callbacks.context = s.get();
  callbacks.on_success = on_success;
  callbacks.on_timeout = on_timeout;
  callbacks.on_end = on_end;
  if (!s->session.configure(c, callbacks)) return ESP_ERR_INVALID_ARG;
  *hdl_out = s.release();
  return ESP_OK;
}

esp_err_t esp_ping_delete_session(esp_ping_handle_t hdl) {
  if (hdl == nullptr) return ESP_ERR_INVALID_ARG;
  auto* s = static_cast<CSession*>(hdl);
  lwnet::api::TcpipThread* thread = lwnet::api::default_tcpip();
  if (thread == nullptr) {
    delete s;
    return ESP_OK;
  }
  // From core context too (the session's own callback, where ESP-IDF's
  // examples delete it) the session goes at once: call() runs inline there,
  // and PingSession returns from its callback without reading itself again.
  // Nothing is posted, so a full or closed mailbox cannot leak or crash it.
  thread->call([&](Stack& stack, Instant) {
    s->session.stop_silently(stack);
    unlist(*s);
    return 0;
  });
  delete s;
  return ESP_OK;
}

esp_err_t esp_ping_start(esp_ping_handle_t hdl) {
  if (hdl == nullptr) return ESP_ERR_INVALID_ARG;
  auto* s = static_cast<CSession*>(hdl);
  return in_ping_core([&](Stack& stack, Instant now) -> esp_err_t {
    if (s->session.running()) return ESP_OK;
    if (refusing_starts_for_shutdown) return ESP_ERR_INVALID_STATE;
    if (!s->session.start(stack, now)) return ESP_FAIL;
    list_started(*s);
    return ESP_OK;
  });
}

esp_err_t esp_ping_stop(esp_ping_handle_t hdl) {
  if (hdl == nullptr) return ESP_ERR_INVALID_ARG;
  auto* s = static_cast<CSession*>(hdl);
  return in_ping_core([&](Stack& stack, Instant) -> esp_err_t {
    s->session.stop(stack);
    return ESP_OK;
  });
}

esp_err_t esp_ping_get_profile(esp_ping_handle_t hdl, esp_ping_profile_t profile, void* data, uint32_t size) {
  if (hdl == nullptr || data == nullptr) return ESP_ERR_INVALID_ARG;
  auto* s = static_cast<CSession*>(hdl);
  lwnet::PingProfile p;
  const esp_err_t got = in_ping_core([&](Stack&, Instant) -> esp_err_t {
    p = s->session.profile();
    return ESP_OK;
  });
  if (got != ESP_OK) return got;
  auto put = [&](const auto& value) -> esp_err_t {
    if (size < sizeof value) return ESP_ERR_INVALID_SIZE;
    std::memcpy(data, &value, sizeof value);
    return ESP_OK;
  };
  switch (profile) {
    case ESP_PING_PROF_SEQNO: return put(p.sequence);
    case ESP_PING_PROF_TOS: return put(p.tos);
    case ESP_PING_PROF_TTL: return put(p.ttl);
    case ESP_PING_PROF_REQUEST: return put(p.requests);
    case ESP_PING_PROF_REPLY: return put(p.replies);
    case ESP_PING_PROF_IPADDR: return put(lwnet::api::to_ip_addr(p.replier));
    case ESP_PING_PROF_SIZE: return put(p.size);
    case ESP_PING_PROF_TIMEGAP: return put(p.time_gap_ms);
    case ESP_PING_PROF_DURATION: return put(p.duration_ms);
  }
  return ESP_ERR_INVALID_ARG;
}

}  // extern "C"

// <lwip/apps/netbiosns.h>: one process-wide NetbiosResponder on the default
// TCP/IP thread, reached through TcpipThread::call.
#include <mutex>
#include <string_view>

#include "lwip/apps/netbiosns.h"

#include "api/tcpip_c.h"
#include "apps/netbios_responder.h"

namespace {

lwnet::NetbiosResponder& responder() {
  static lwnet::NetbiosResponder r;
  return r;
}

template <class F>
void in_netbios_core(F&& f) {
  lwnet::api::TcpipThread* thread = lwnet::api::default_tcpip();
  if (thread == nullptr) return;
  thread->call([&](lwnet::Stack& stack, lwnet::Instant) {
    f(stack);
    return 0;
  });
}

}  // namespace

namespace lwnet::api {

// lwnet_shutdown() (bring_up.cpp): the responder leaves the stack, which
// carries over into the next lwnet_tap_up(), until netbiosns_init(); its
// name stays, as lwIP's does.
void stop_netbios_for_shutdown() {
  in_netbios_core([](Stack& stack) { responder().stop(stack); });
}

}  // namespace lwnet::api

extern "C" {

void netbiosns_init(void) {
  in_netbios_core([](lwnet::Stack& stack) { (void)responder().start(stack); });
}

void netbiosns_set_name(const char* hostname) {
  if (hostname == nullptr) return;
  // lwIP keeps the first NETBIOS_NAME_LEN - 1 characters of a longer name
  // (the 16th byte of a NetBIOS name is its suffix), rather than refusing it.
  const std::string_view name = std::string_view(hostname).substr(0, lwnet::NetbiosName::max_length);
  if (lwnet::api::default_tcpip() == nullptr) {
    // Nothing runs in core context before tcpip_init(), and lwIP keeps a
    // name set this early for netbiosns_init(): so the responder takes it
    // now. The mutex keeps two early callers apart.
    static std::mutex before_tcpip_init;
    const std::lock_guard lock(before_tcpip_init);
    (void)responder().set_name(name);
    return;
  }
  in_netbios_core([&](lwnet::Stack&) { (void)responder().set_name(name); });
}

void netbiosns_stop(void) {
  in_netbios_core([](lwnet::Stack& stack) { responder().stop(stack); });
}

}  // extern "C"

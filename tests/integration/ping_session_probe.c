/* A ping session through ESP-IDF's C API on lwnet, as an ESP-IDF program
 * writes it: lwnet_tap_up, then esp_ping_new_session / esp_ping_start,
 * printing one line per callback from the profile.
 *
 *   ping_session_probe TAP ADDR/PREFIX TARGET COUNT TIMEOUT_MS TOS
 *
 * Lines: "reply seq=N ttl=T size=S from=ADDR", "timeout seq=N",
 * "end requests=R replies=P duration_ms=D". Exit status 0 when every
 * request was answered, 1 otherwise, 2 on wrong arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lwip/ip_addr.h"
#include "lwnet/lwnet.h"
#include "ping/ping_sock.h"

static volatile int ended = 0;
static uint32_t final_requests = 0;
static uint32_t final_replies = 0;

static void on_success(esp_ping_handle_t hdl, void *args) {
  (void)args;
  uint16_t seq = 0;
  uint8_t ttl = 0;
  uint32_t size = 0;
  ip_addr_t from;
  esp_ping_get_profile(hdl, ESP_PING_PROF_SEQNO, &seq, sizeof seq);
  esp_ping_get_profile(hdl, ESP_PING_PROF_TTL, &ttl, sizeof ttl);
  esp_ping_get_profile(hdl, ESP_PING_PROF_SIZE, &size, sizeof size);
  esp_ping_get_profile(hdl, ESP_PING_PROF_IPADDR, &from, sizeof from);
  printf("reply seq=%u ttl=%u size=%u from=%s\n", (unsigned)seq, (unsigned)ttl, (unsigned)size, ipaddr_ntoa(&from));
  fflush(stdout);
}

static void on_timeout(esp_ping_handle_t hdl, void *args) {
  (void)args;
  uint16_t seq = 0;
  esp_ping_get_profile(hdl, ESP_PING_PROF_SEQNO, &seq, sizeof seq);
  printf("timeout seq=%u\n", (unsigned)seq);
  fflush(stdout);
}

static void on_end(esp_ping_handle_t hdl, void *args) {
  (void)args;
  uint32_t duration = 0;
  esp_ping_get_profile(hdl, ESP_PING_PROF_REQUEST, &final_requests, sizeof final_requests);
  esp_ping_get_profile(hdl, ESP_PING_PROF_REPLY, &final_replies, sizeof final_replies);
  esp_ping_get_profile(hdl, ESP_PING_PROF_DURATION, &duration, sizeof duration);
  printf("end requests=%u replies=%u duration_ms=%u\n", (unsigned)final_requests, (unsigned)final_replies,
         (unsigned)duration);
  fflush(stdout);
  esp_ping_delete_session(hdl);
  ended = 1;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s TAP ADDR/PREFIX TARGET COUNT TIMEOUT_MS TOS\n", argv[0]);
    return 2;
  }
  if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) {
    perror("lwnet_tap_up");
    return 2;
  }
  esp_ping_config_t config = ESP_PING_DEFAULT_CONFIG();
  if (!ipaddr_aton(argv[3], &config.target_addr)) {
    fprintf(stderr, "bad target %s\n", argv[3]);
    return 2;
  }
  config.count = (uint32_t)atoi(argv[4]);
  config.interval_ms = 200;
  config.timeout_ms = (uint32_t)atoi(argv[5]);
  config.tos = atoi(argv[6]);
  esp_ping_callbacks_t cbs = {.cb_args = NULL, .on_ping_success = on_success, .on_ping_timeout = on_timeout,
                              .on_ping_end = on_end};
  esp_ping_handle_t ping;
  if (esp_ping_new_session(&config, &cbs, &ping) != ESP_OK || esp_ping_start(ping) != ESP_OK) {
    fprintf(stderr, "cannot start the ping session\n");
    return 2;
  }
  for (int waited = 0; !ended && waited < 3000; ++waited) usleep(10000);
  lwnet_shutdown();
  return ended && final_replies == final_requests && final_requests != 0 ? 0 : 1;
}

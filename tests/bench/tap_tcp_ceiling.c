/* tap_tcp_ceiling: the least work a TCP peer can do on a TAP without offloads.
 *
 *   tap_tcp_ceiling TAP IPV4 [sink PORT] [source PORT] [echo PORT]   (as root; runs until SIGTERM)
 *
 * The bench's "ceiling" column (tests/bench/run.sh): what any user-space stack
 * could reach on this TAP, frame by frame, so that lwnet --no-offload can be
 * put against it. The TAP is opened with IFF_TAP | IFF_NO_PI only: no vnet
 * header and no TUNSETOFFLOAD, so the kernel hands over and takes only frames
 * of at most 1514 bytes with full checksums. One read() or write() per frame.
 * The same loop bounds a stack's ping and connect-request-response figures on
 * this machine: a frame that arrives while the program sleeps in poll() costs
 * it the same wake-up as it costs any stack on a TAP.
 *
 * It answers ARP requests and ICMP echo requests (ping) for IPV4 and TCP on
 * the given ports, nothing else (no RST for other ports). Per connection:
 * - sink: in-order data is counted and dropped, out-of-order data dropped and
 *   answered with a duplicate ACK; an ACK for every second segment and
 *   whenever the next read would block; FIN is answered with FIN. The window
 *   is always 256 KiB (lwnet's host preset), as the data is gone at once.
 * - source: full-size segments of a constant payload (its checksum summed
 *   once; per segment only sequence, acknowledgement and window are added),
 *   as far as the peer's window allows, no congestion control; go-back-N on
 *   three duplicate ACKs or after 200 ms without progress; stops when the
 *   peer closes (FIN or RST).
 * - echo: each in-order segment's new bytes go back at once in one segment
 *   that also acknowledges them (the last one is kept and sent again after
 *   200 ms without its ACK); FIN is answered with FIN. No line per
 *   connection (the bench makes thousands): the counters have them.
 * TCP and IP checksums of received segments are verified: a correct stack
 * cannot skip that on a TAP without offloads, so neither does the ceiling.
 * No SACK, no timestamps (it offers neither).
 *
 * On SIGTERM it prints its counters and exits 0. Each finished connection
 * prints a line "sink|source PEER:PORT bytes=N secs=S mbit=M".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

enum { ETH_LEN = 14, IP_LEN = 20, TCP_LEN = 20, MAX_FRAME = 1514 };
enum { MAX_CONNS = 4, BURST = 64 };
enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };
#define RECEIVE_WINDOW (256u * 1024u) /* lwnet's host preset */
#define RETRANSMIT_NS 200000000ull
#define GIVE_UP_TIMEOUTS 25 /* 5 s without progress: the peer is gone */

static const uint8_t our_mac[6] = {0x02, 0x00, 0x5e, 0xce, 0x11, 0x02};
static uint32_t our_ip;                 /* network order */
static uint16_t sink_port, source_port, echo_port; /* network order; 0 = off */
static int tap;
static volatile sig_atomic_t stop;

enum state { FREE, SYN_RECEIVED, ESTABLISHED, LAST_ACK };
enum mode { SINK, SOURCE, ECHO };

struct conn {
  enum state state;
  enum mode mode;
  uint8_t peer_mac[6];
  uint32_t peer_ip;                   /* network order */
  uint16_t peer_port, local_port;     /* network order */
  uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, rcv_nxt;
  uint8_t snd_shift, rcv_shift;       /* window scaling, 0 if the peer has none */
  uint16_t mss;
  unsigned unacked;                   /* sink: segments not acknowledged yet */
  unsigned dupacks;
  uint32_t recover;                   /* source: no new go-back-N below this */
  uint64_t deadline, start;           /* ns, CLOCK_MONOTONIC; 0 = no timer */
  unsigned timeouts;
  uint64_t bytes;
  uint8_t frame[MAX_FRAME];           /* source: the segment template; echo: the last echo */
  size_t echo_len;                    /* echo: the length of that frame */
  uint64_t base_sum;                  /* its checksum without seq, ack, window */
};

static struct conn conns[MAX_CONNS];
static struct {
  uint64_t frames_in, frames_out, arp_replies, not_ours, bad_checksum, out_of_order;
  uint64_t sink_bytes, sink_conns, source_bytes, source_conns, segments_out, retransmitted;
  uint64_t go_back_fast, go_back_timeout, given_up, table_full;
  uint64_t echo_bytes, echo_conns, echo_resent, ping_replies;
} stats;
static uint8_t payload[1460];
static uint64_t payload_sum; /* of all 1460 bytes */

static uint64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One's complement sum in host order (RFC 1071: the order does not matter as
 * long as the result is stored back the same way). */
static uint64_t sum(const void *data, size_t len, uint64_t acc)
{
  const uint8_t *p = data;
  while (len >= 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    acc += w;
    p += 4;
    len -= 4;
  }
  if (len >= 2) {
    uint16_t h;
    memcpy(&h, p, 2);
    acc += h;
    p += 2;
    len -= 2;
  }
  if (len) {
    uint8_t last[2] = {*p, 0};
    uint16_t h;
    memcpy(&h, last, 2);
    acc += h;
  }
  return acc;
}

static uint16_t fold(uint64_t acc)
{
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return (uint16_t)acc;
}

static uint64_t pseudo_sum(uint32_t src, uint32_t dst, uint16_t tcp_len)
{
  uint8_t ph[12];
  memcpy(ph, &src, 4);
  memcpy(ph + 4, &dst, 4);
  ph[8] = 0;
  ph[9] = 6;
  ph[10] = (uint8_t)(tcp_len >> 8);
  ph[11] = (uint8_t)tcp_len;
  return sum(ph, sizeof ph, 0);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static int before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

static void transmit(const uint8_t *frame, size_t len)
{
  /* A TAP write does not block; a failed one is a lost frame, which TCP repairs. */
  if (write(tap, frame, len) == (ssize_t)len) stats.frames_out++;
}

/* Ethernet + IPv4 header of a frame from us to the connection's peer. */
static void put_headers(uint8_t *f, const struct conn *c, uint16_t tcp_len)
{
  memcpy(f, c->peer_mac, 6);
  memcpy(f + 6, our_mac, 6);
  put16(f + 12, 0x0800);
  uint8_t *ip = f + ETH_LEN;
  ip[0] = 0x45;
  ip[1] = 0;
  put16(ip + 2, (uint16_t)(IP_LEN + tcp_len));
  put16(ip + 4, 0);      /* identification: atomic datagrams (RFC 6864) */
  put16(ip + 6, 0x4000); /* DF */
  ip[8] = 64;
  ip[9] = 6;
  put16(ip + 10, 0);
  memcpy(ip + 12, &our_ip, 4);
  memcpy(ip + 16, &c->peer_ip, 4);
  uint16_t ip_sum = (uint16_t)~fold(sum(ip, IP_LEN, 0));
  memcpy(ip + 10, &ip_sum, 2);
  uint8_t *tcp = ip + IP_LEN;
  memcpy(tcp, &c->local_port, 2);
  memcpy(tcp + 2, &c->peer_port, 2);
}

static uint16_t advertised_window(const struct conn *c)
{
  uint32_t w = RECEIVE_WINDOW >> c->rcv_shift;
  return (uint16_t)(w > 0xffff ? 0xffff : w);
}

/* Fills in the headers of a segment from us to the connection's peer whose
 * TCP options (header_len - 20 bytes) and payload are already in place, and
 * its checksums; returns the frame's length. */
static size_t build_segment(uint8_t *f, const struct conn *c, uint16_t header_len, size_t payload_len,
                            uint32_t seq, uint8_t flags, uint16_t window)
{
  uint16_t tcp_len = (uint16_t)(header_len + payload_len);
  uint8_t *tcp = f + ETH_LEN + IP_LEN;
  put_headers(f, c, tcp_len);
  put32(tcp + 4, seq);
  put32(tcp + 8, c->rcv_nxt);
  tcp[12] = (uint8_t)((header_len / 4) << 4);
  tcp[13] = flags;
  put16(tcp + 14, window);
  put16(tcp + 16, 0);
  put16(tcp + 18, 0);
  uint16_t s = (uint16_t)~fold(sum(tcp, tcp_len, pseudo_sum(our_ip, c->peer_ip, tcp_len)));
  memcpy(tcp + 16, &s, 2);
  return (size_t)(ETH_LEN + IP_LEN + tcp_len);
}

/* A segment without payload: SYN-ACK (with MSS and window scale), ACK, FIN, RST. */
static void send_control(struct conn *c, uint8_t flags, uint32_t seq)
{
  uint8_t f[ETH_LEN + IP_LEN + TCP_LEN + 8];
  uint16_t header_len = TCP_LEN;
  uint8_t *tcp = f + ETH_LEN + IP_LEN;
  if (flags & SYN) {
    uint8_t *o = tcp + TCP_LEN;
    o[0] = 2; o[1] = 4; put16(o + 2, 1460);       /* MSS */
    o[4] = 1; o[5] = 3; o[6] = 3; o[7] = c->rcv_shift; /* NOP, window scale */
    header_len = (uint16_t)(TCP_LEN + (c->rcv_shift ? 8 : 4)); /* no scale option if the peer has none */
  }
  /* The window of a SYN is never scaled (RFC 7323). */
  uint16_t window = (flags & SYN) ? (uint16_t)(RECEIVE_WINDOW > 0xffff ? 0xffff : RECEIVE_WINDOW)
                                  : advertised_window(c);
  transmit(f, build_segment(f, c, header_len, 0, seq, (uint8_t)(flags | ((flags & RST) ? 0 : ACK)), window));
}

/* The source's template: everything but sequence, acknowledgement, window and
 * the TCP checksum is fixed for the connection, so their sum is taken once. */
static void prepare_source(struct conn *c)
{
  uint16_t tcp_len = (uint16_t)(TCP_LEN + c->mss);
  uint8_t *f = c->frame, *tcp = f + ETH_LEN + IP_LEN;
  put_headers(f, c, tcp_len);
  put32(tcp + 4, 0);
  put32(tcp + 8, 0);
  tcp[12] = 5 << 4;
  tcp[13] = ACK;
  put16(tcp + 14, 0);
  put16(tcp + 16, 0);
  put16(tcp + 18, 0);
  memcpy(tcp + TCP_LEN, payload, c->mss);
  uint64_t pay = c->mss == sizeof payload ? payload_sum : sum(payload, c->mss, 0);
  c->base_sum = sum(tcp, TCP_LEN, pseudo_sum(our_ip, c->peer_ip, tcp_len)) + pay;
}

static void send_segment(struct conn *c, uint32_t seq)
{
  uint8_t *tcp = c->frame + ETH_LEN + IP_LEN;
  put32(tcp + 4, seq);
  put32(tcp + 8, c->rcv_nxt);
  put16(tcp + 14, advertised_window(c));
  uint32_t s4, a4;
  uint16_t w2;
  memcpy(&s4, tcp + 4, 4);
  memcpy(&a4, tcp + 8, 4);
  memcpy(&w2, tcp + 14, 2);
  uint16_t s = (uint16_t)~fold(c->base_sum + s4 + a4 + w2);
  memcpy(tcp + 16, &s, 2);
  transmit(c->frame, (size_t)(ETH_LEN + IP_LEN + TCP_LEN + c->mss));
  stats.segments_out++;
  if (before(seq, c->snd_max)) stats.retransmitted++;
}

/* Echo: `len` bytes of `data` back to the peer, acknowledging what it sent. */
static void send_echo(struct conn *c, const uint8_t *data, size_t len)
{
  memcpy(c->frame + ETH_LEN + IP_LEN + TCP_LEN, data, len);
  c->echo_len = build_segment(c->frame, c, TCP_LEN, len, c->snd_max, ACK | PSH, advertised_window(c));
  transmit(c->frame, c->echo_len);
  c->snd_max += (uint32_t)len;
  c->snd_nxt = c->snd_max;
  c->bytes += len;
  stats.echo_bytes += len;
}

/* Reads the clock itself: the loop's `now` is only refreshed when a read
 * would block, which a saturated sink may never see. */
static void finish(struct conn *c)
{
  if (c->state == FREE) return;
  if (c->start && c->mode != ECHO) {
    uint64_t now = now_ns();
    double secs = (double)(now - c->start) * 1e-9;
    char peer[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &c->peer_ip, peer, sizeof peer);
    printf("%s %s:%u bytes=%llu secs=%.3f mbit=%.1f\n", c->mode == SINK ? "sink" : "source", peer,
           ntohs(c->peer_port), (unsigned long long)c->bytes, secs,
           secs > 0 ? (double)c->bytes * 8 / secs / 1e6 : 0.0);
    fflush(stdout);
  }
  c->state = FREE;
}

static void handle_arp(const uint8_t *f, size_t len)
{
  const uint8_t *a = f + ETH_LEN;
  if (len < ETH_LEN + 28 || get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4 ||
      get16(a + 6) != 1 || memcmp(a + 24, &our_ip, 4) != 0) {
    stats.not_ours++;
    return;
  }
  uint8_t r[ETH_LEN + 28];
  memcpy(r, a + 8, 6);
  memcpy(r + 6, our_mac, 6);
  put16(r + 12, 0x0806);
  uint8_t *ra = r + ETH_LEN;
  memcpy(ra, a, 6);
  put16(ra + 6, 2);
  memcpy(ra + 8, our_mac, 6);
  memcpy(ra + 14, &our_ip, 4);
  memcpy(ra + 18, a + 8, 10); /* the asker's MAC and address */
  transmit(r, sizeof r);
  stats.arp_replies++;
}

static struct conn *lookup(uint32_t peer_ip, uint16_t peer_port, uint16_t local_port)
{
  for (int i = 0; i < MAX_CONNS; i++) {
    struct conn *c = &conns[i];
    if (c->state != FREE && c->peer_ip == peer_ip && c->peer_port == peer_port &&
        c->local_port == local_port)
      return c;
  }
  return NULL;
}

static void accept_syn(const uint8_t *f, const uint8_t *tcp, size_t tcp_hdr, uint32_t peer_ip,
                       uint16_t peer_port, uint16_t local_port, uint64_t now)
{
  struct conn *c = NULL;
  for (int i = 0; i < MAX_CONNS && !c; i++)
    if (conns[i].state == FREE) c = &conns[i];
  if (!c) {
    stats.table_full++;
    return;
  }
  memset(c, 0, offsetof(struct conn, frame));
  c->mode = local_port == sink_port ? SINK : local_port == echo_port ? ECHO : SOURCE;
  memcpy(c->peer_mac, f + 6, 6);
  c->peer_ip = peer_ip;
  c->peer_port = peer_port;
  c->local_port = local_port;
  c->mss = 536; /* RFC 9293's default when the SYN has no MSS option */
  int scaled = 0;
  for (size_t i = TCP_LEN; i < tcp_hdr;) {
    uint8_t kind = tcp[i];
    if (kind == 0) break;
    if (kind == 1) { i++; continue; }
    if (i + 1 >= tcp_hdr || tcp[i + 1] < 2 || i + tcp[i + 1] > tcp_hdr) break;
    if (kind == 2 && tcp[i + 1] == 4) c->mss = get16(tcp + i + 2);
    if (kind == 3 && tcp[i + 1] == 3) { scaled = 1; c->snd_shift = (uint8_t)(tcp[i + 2] > 14 ? 14 : tcp[i + 2]); }
    i += tcp[i + 1];
  }
  if (c->mss > sizeof payload) c->mss = sizeof payload;
  if (c->mss < 64) c->mss = 64;
  /* The smallest shift that carries 256 KiB, as lwnet chooses it from its cap. */
  if (scaled)
    while ((RECEIVE_WINDOW >> c->rcv_shift) > 0xffff) c->rcv_shift++;
  c->rcv_nxt = get32(tcp + 4) + 1;
  c->iss = (uint32_t)now ^ (uint32_t)(now >> 32) ^ 0x5eed;
  c->snd_una = c->iss;
  c->snd_nxt = c->snd_max = c->recover = c->iss + 1;
  c->state = SYN_RECEIVED;
  c->deadline = now + RETRANSMIT_NS;
  send_control(c, SYN, c->iss);
}

static void handle_tcp(const uint8_t *f, size_t len, uint64_t now)
{
  const uint8_t *ip = f + ETH_LEN;
  size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
  size_t total = get16(ip + 2);
  if (ihl < IP_LEN || total < ihl + TCP_LEN || ETH_LEN + total > len) { stats.not_ours++; return; }
  const uint8_t *tcp = ip + ihl;
  size_t tcp_len = total - ihl;
  size_t hdr = (size_t)(tcp[12] >> 4) * 4;
  uint32_t peer_ip;
  memcpy(&peer_ip, ip + 12, 4);
  if (hdr < TCP_LEN || hdr > tcp_len ||
      fold(sum(tcp, tcp_len, pseudo_sum(peer_ip, our_ip, (uint16_t)tcp_len))) != 0xffff) {
    stats.bad_checksum++;
    return;
  }
  uint16_t peer_port, local_port;
  memcpy(&peer_port, tcp, 2);
  memcpy(&local_port, tcp + 2, 2);
  uint8_t flags = tcp[13];
  uint32_t seq = get32(tcp + 4), ack = get32(tcp + 8);
  size_t data = tcp_len - hdr;
  struct conn *c = lookup(peer_ip, peer_port, local_port);
  if (!c) {
    if ((flags & (SYN | ACK | RST)) == SYN && local_port != 0 &&
        (local_port == sink_port || local_port == source_port || local_port == echo_port))
      accept_syn(f, tcp, hdr, peer_ip, peer_port, local_port, now);
    else
      stats.not_ours++;
    return;
  }
  if (flags & RST) {
    /* A reader that closes with data unread resets at once, maybe before it
     * acknowledged the last segments; its RST still says how far it got. */
    if ((flags & ACK) && c->mode == SOURCE && before(c->snd_una, ack) && !before(c->snd_max, ack)) {
      c->bytes += ack - c->snd_una;
      stats.source_bytes += ack - c->snd_una;
    }
    finish(c);
    return;
  }
  if (flags & SYN) { /* the peer did not get our SYN-ACK */
    if (c->state == SYN_RECEIVED) send_control(c, SYN, c->iss);
    return;
  }
  if (!(flags & ACK)) return;
  if (c->state == SYN_RECEIVED) {
    if (ack != c->iss + 1) return;
    c->snd_una = ack;
    c->state = ESTABLISHED;
    c->start = now_ns(); /* the cached `now` may be old, see finish() */
    c->deadline = 0;
    c->timeouts = 0;
    if (c->mode == SOURCE) { stats.source_conns++; prepare_source(c); }
    else if (c->mode == ECHO) stats.echo_conns++;
    else stats.sink_conns++;
  }
  /* Acknowledgements (source data, our FIN). */
  uint32_t window = (uint32_t)get16(tcp + 14) << c->snd_shift;
  if (before(c->snd_una, ack) && !before(c->snd_max, ack)) {
    if (c->mode == SOURCE) {
      c->bytes += ack - c->snd_una;
      stats.source_bytes += ack - c->snd_una;
    }
    c->snd_una = ack;
    if (before(c->snd_nxt, ack)) c->snd_nxt = ack;
    c->dupacks = 0;
    c->timeouts = 0;
    c->deadline = c->snd_una == c->snd_max ? 0 : now + RETRANSMIT_NS;
    if (c->state == LAST_ACK && ack == c->snd_max) { finish(c); return; }
  } else if (ack == c->snd_una && data == 0 && !(flags & FIN) && window == c->snd_wnd &&
             c->snd_una != c->snd_max && c->state == ESTABLISHED && c->mode == SOURCE) {
    /* Three duplicates: go back to the first unacknowledged byte, once per
     * window of data in flight. */
    if (++c->dupacks == 3 && !before(c->snd_una, c->recover)) {
      c->recover = c->snd_max;
      c->snd_nxt = c->snd_una;
      stats.go_back_fast++;
    }
  }
  c->snd_wnd = window;
  /* Data (the sink's; a source's peer sends none, but it is counted the same way). */
  if (data) {
    uint32_t end = seq + (uint32_t)data;
    if (!before(c->rcv_nxt, seq) && before(c->rcv_nxt, end)) {
      uint32_t fresh = end - c->rcv_nxt;
      c->rcv_nxt = end;
      if (c->mode == SINK) { c->bytes += fresh; stats.sink_bytes += fresh; }
      if (c->mode == ECHO) {
        send_echo(c, tcp + hdr + (data - fresh), fresh);
        c->deadline = now + RETRANSMIT_NS;
      } else if (++c->unacked >= 2 && !(flags & FIN)) {
        send_control(c, 0, c->snd_nxt);
        c->unacked = 0;
      }
    } else {
      if (before(c->rcv_nxt, seq)) stats.out_of_order++;
      send_control(c, 0, c->snd_nxt); /* duplicate ACK, so that the peer repairs soon */
      return;
    }
  }
  if ((flags & FIN) && seq + (uint32_t)data == c->rcv_nxt && c->state == ESTABLISHED) {
    c->rcv_nxt++;
    c->unacked = 0;
    if (c->mode == SOURCE) { /* the reader is gone: no point in delivering the rest */
      send_control(c, RST, c->snd_nxt);
      finish(c);
      return;
    }
    send_control(c, FIN, c->snd_max);
    c->snd_nxt = ++c->snd_max;
    c->state = LAST_ACK;
    c->deadline = now + RETRANSMIT_NS;
  }
}

/* ICMP echo request -> reply: the frame sent back with addresses swapped. */
static void handle_icmp(const uint8_t *f, size_t len, size_t ihl)
{
  const uint8_t *ip = f + ETH_LEN;
  size_t total = get16(ip + 2);
  if (total < ihl + 8 || ETH_LEN + total > len || ip[ihl] != 8 || ip[ihl + 1] != 0 ||
      fold(sum(ip + ihl, total - ihl, 0)) != 0xffff) {
    stats.not_ours++;
    return;
  }
  static uint8_t r[MAX_FRAME];
  if (ETH_LEN + IP_LEN + total - ihl > sizeof r) { stats.not_ours++; return; }
  memcpy(r, f + 6, 6);
  memcpy(r + 6, our_mac, 6);
  put16(r + 12, 0x0800);
  uint8_t *rip = r + ETH_LEN;
  uint16_t icmp_len = (uint16_t)(total - ihl);
  rip[0] = 0x45;
  rip[1] = ip[1];
  put16(rip + 2, (uint16_t)(IP_LEN + icmp_len));
  put16(rip + 4, 0);
  put16(rip + 6, 0);
  rip[8] = 64;
  rip[9] = 1;
  put16(rip + 10, 0);
  memcpy(rip + 12, &our_ip, 4);
  memcpy(rip + 16, ip + 12, 4);
  uint16_t ip_sum = (uint16_t)~fold(sum(rip, IP_LEN, 0));
  memcpy(rip + 10, &ip_sum, 2);
  uint8_t *icmp = rip + IP_LEN;
  memcpy(icmp, ip + ihl, icmp_len);
  icmp[0] = 0; /* echo reply */
  put16(icmp + 2, 0);
  uint16_t s = (uint16_t)~fold(sum(icmp, icmp_len, 0));
  memcpy(icmp + 2, &s, 2);
  transmit(r, (size_t)(ETH_LEN + IP_LEN + icmp_len));
  stats.ping_replies++;
}

static void handle_frame(const uint8_t *f, size_t len, uint64_t now)
{
  stats.frames_in++;
  if (len < ETH_LEN) { stats.not_ours++; return; }
  uint16_t type = get16(f + 12);
  if (type == 0x0806) { handle_arp(f, len); return; }
  const uint8_t *ip = f + ETH_LEN;
  size_t ihl = len >= ETH_LEN + IP_LEN ? (size_t)(ip[0] & 0x0f) * 4 : 0;
  if (type != 0x0800 || ihl < IP_LEN || len < ETH_LEN + ihl || (ip[0] >> 4) != 4 || (ip[9] != 6 && ip[9] != 1) ||
      memcmp(ip + 16, &our_ip, 4) != 0 || (get16(ip + 6) & 0x3fff) != 0 ||
      fold(sum(ip, ihl, 0)) != 0xffff) {
    stats.not_ours++;
    return;
  }
  if (ip[9] == 1) handle_icmp(f, len, ihl);
  else handle_tcp(f, len, now);
}

/* Sends what the windows allow, at most BURST segments; returns how many. */
static int send_data(void)
{
  int sent = 0;
  for (int i = 0; i < MAX_CONNS; i++) {
    struct conn *c = &conns[i];
    if (c->state != ESTABLISHED || c->mode != SOURCE) continue;
    while (sent < BURST && !before(c->snd_una + c->snd_wnd, c->snd_nxt + c->mss)) {
      send_segment(c, c->snd_nxt);
      c->snd_nxt += c->mss;
      if (before(c->snd_max, c->snd_nxt)) c->snd_max = c->snd_nxt;
      sent++;
    }
  }
  return sent;
}

/* ACKs the sink owes, retransmissions due; returns ms until the next timer (-1: none). */
static int housekeeping(uint64_t now)
{
  uint64_t next = 0;
  for (int i = 0; i < MAX_CONNS; i++) {
    struct conn *c = &conns[i];
    if (c->state == FREE) continue;
    if (c->unacked) { send_control(c, 0, c->snd_nxt); c->unacked = 0; }
    /* A source waiting for its window to open also keeps a timer, to probe it. */
    if (!c->deadline && c->state == ESTABLISHED && c->mode == SOURCE) c->deadline = now + RETRANSMIT_NS;
    if (c->deadline && now >= c->deadline) {
      if (++c->timeouts > GIVE_UP_TIMEOUTS) { stats.given_up++; finish(c); continue; }
      c->deadline = now + RETRANSMIT_NS;
      if (c->state == SYN_RECEIVED) send_control(c, SYN, c->iss);
      else if (c->state == LAST_ACK) send_control(c, FIN, c->snd_max - 1);
      else if (c->mode == ECHO) { if (c->echo_len) { transmit(c->frame, c->echo_len); stats.echo_resent++; } }
      else if (c->snd_una != c->snd_max) { c->snd_nxt = c->snd_una; c->dupacks = 0; stats.go_back_timeout++; }
      else { send_segment(c, c->snd_nxt); c->snd_nxt += c->mss; c->snd_max = c->snd_nxt; } /* window probe */
    }
    if (c->deadline && (!next || c->deadline < next)) next = c->deadline;
  }
  if (!next) return -1;
  return next <= now ? 0 : (int)((next - now) / 1000000u) + 1;
}

static void on_term(int sig) { (void)sig; stop = 1; }

static int usage(void)
{
  fprintf(stderr, "usage: tap_tcp_ceiling TAP IPV4 [sink PORT] [source PORT] [echo PORT]\n");
  return 2;
}

int main(int argc, char **argv)
{
  if (argc < 5 || (argc - 3) % 2 != 0) return usage();
  struct in_addr a;
  if (inet_pton(AF_INET, argv[2], &a) != 1) return usage();
  our_ip = a.s_addr;
  for (int i = 3; i + 1 < argc; i += 2) {
    long port = strtol(argv[i + 1], NULL, 10);
    if (port <= 0 || port > 65535) return usage();
    if (!strcmp(argv[i], "sink")) sink_port = htons((uint16_t)port);
    else if (!strcmp(argv[i], "source")) source_port = htons((uint16_t)port);
    else if (!strcmp(argv[i], "echo")) echo_port = htons((uint16_t)port);
    else return usage();
  }
  if ((sink_port && (sink_port == source_port || sink_port == echo_port)) ||
      (source_port && source_port == echo_port))
    return usage();

  tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (tap < 0) { perror("/dev/net/tun"); return 1; }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI; /* no IFF_VNET_HDR, no TUNSETOFFLOAD: 1514-byte frames */
  if (strlen(argv[1]) >= sizeof ifr.ifr_name) return usage();
  strcpy(ifr.ifr_name, argv[1]);
  if (ioctl(tap, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); return 1; }

  for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)('a' + i % 26);
  payload_sum = sum(payload, sizeof payload, 0);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("ready on %s %s sink %u source %u echo %u\n", argv[1], argv[2], ntohs(sink_port), ntohs(source_port),
         ntohs(echo_port));
  fflush(stdout);

  static uint8_t frame[65536];
  uint64_t now = now_ns();
  while (!stop) {
    ssize_t n = read(tap, frame, sizeof frame);
    if (n > 0) { handle_frame(frame, (size_t)n, now); continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) { perror("read"); return 1; }
    /* The read would block: the moment to ACK, send and look at the clock. */
    now = now_ns();
    int wait_ms = housekeeping(now);
    if (send_data() > 0) continue;
    struct pollfd p = {.fd = tap, .events = POLLIN};
    if (poll(&p, 1, wait_ms) < 0 && errno != EINTR) { perror("poll"); return 1; }
    now = now_ns();
  }
  for (int i = 0; i < MAX_CONNS; i++) finish(&conns[i]);
  printf("tap_tcp_ceiling: sink_bytes=%llu sink_connections=%llu source_bytes=%llu "
         "source_connections=%llu segments_out=%llu retransmitted=%llu go_back_dupacks=%llu "
         "go_back_timeouts=%llu given_up=%llu frames_in=%llu frames_out=%llu arp_replies=%llu "
         "bad_checksum=%llu out_of_order=%llu not_ours=%llu table_full=%llu echo_bytes=%llu "
         "echo_connections=%llu echo_resent=%llu ping_replies=%llu\n",
         (unsigned long long)stats.sink_bytes, (unsigned long long)stats.sink_conns,
         (unsigned long long)stats.source_bytes, (unsigned long long)stats.source_conns,
         (unsigned long long)stats.segments_out, (unsigned long long)stats.retransmitted,
         (unsigned long long)stats.go_back_fast, (unsigned long long)stats.go_back_timeout,
         (unsigned long long)stats.given_up, (unsigned long long)stats.frames_in,
         (unsigned long long)stats.frames_out, (unsigned long long)stats.arp_replies,
         (unsigned long long)stats.bad_checksum, (unsigned long long)stats.out_of_order,
         (unsigned long long)stats.not_ours, (unsigned long long)stats.table_full,
         (unsigned long long)stats.echo_bytes, (unsigned long long)stats.echo_conns,
         (unsigned long long)stats.echo_resent, (unsigned long long)stats.ping_replies);
  return 0;
}

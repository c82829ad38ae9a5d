#!/usr/bin/env bash
# curl fetches a page from `lwnet serve --http 80`: status 200, the headers
# lwnet wrote, and the body byte for byte (300 lines "lwnet http line NNNN").
# Five fetches in a row, then five at the same time.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_http "$@"
lwit_require curl cmp

lwit_make_namespace
lwit_start_lwnet --verbose serve --http 80
lwit_expect "service line" grep -q "^lwnet: tcp http on port 80$" "$LWNET_OUT"

for i in $(seq 1 300); do printf 'lwnet http line %04d\n' "$i"; done >"$LWIT_DIR/expected"
for i in 1 2 3 4 5; do
  lwit_ns curl -sS --max-time 10 -D "$LWIT_DIR/headers" -o "$LWIT_DIR/body" "http://$LWIT_LWNET_IP/page$i" ||
    lwit_fail "curl fetch $i failed"
  lwit_expect "fetch $i: body byte-exact" cmp "$LWIT_DIR/expected" "$LWIT_DIR/body"
done
lwit_expect "status line" grep -q $'^HTTP/1.0 200 OK\r$' "$LWIT_DIR/headers"
lwit_expect "Content-Length header" grep -q $'^Content-Length: 6300\r$' "$LWIT_DIR/headers"
lwit_expect "--verbose logged the request line" grep -q "^lwnet: http: GET /page5 HTTP/1.1$" "$LWNET_ERR"

pids=()
for i in 1 2 3 4 5; do
  lwit_spawn curl -sS --max-time 10 -o "$LWIT_DIR/body$i" "http://$LWIT_LWNET_IP/together$i"
  pids+=("$LWIT_SPAWNED")
done
for i in 1 2 3 4 5; do
  wait "${pids[$((i - 1))]}" || lwit_fail "concurrent curl $i failed"
  lwit_expect "concurrent fetch $i: body byte-exact" cmp "$LWIT_DIR/expected" "$LWIT_DIR/body$i"
done

lwit_stop_lwnet
lwit_expect_equal "http.connections" 10 "$(lwit_counter http.connections)"
lwit_expect_equal "http.failed" 0 "$(lwit_counter http.failed)"
lwit_expect_equal "http.open" 0 "$(lwit_counter http.open)"
lwit_expect_equal "tcp_table.connections_accepted" 10 "$(lwit_counter tcp_table.connections_accepted)"
capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "RSTs in the capture" 0 "$(lwit_count_frames "$capture" "tcp.flags.reset == 1")"
lwit_check_capture
lwit_pass

#!/usr/bin/env bash
# `lwnet --netbios NAME` answering Samba's nmblookup: a unicast query to
# lwnet's address and a broadcast query on the link both find lwnet's
# address, in any case; another name finds nothing.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init netbios "$@"
lwit_require nmblookup

lwit_make_namespace
lwit_start_lwnet --netbios LWNETDEV serve --udp-echo 7

lwit_ns nmblookup -U "$LWIT_LWNET_IP" lwnetdev >"$LWIT_DIR/unicast.out" 2>&1 || true
cat "$LWIT_DIR/unicast.out"
lwit_expect "unicast query answered" grep -Eqi "^$LWIT_LWNET_IP lwnetdev<00>$" "$LWIT_DIR/unicast.out"

lwit_ns nmblookup -B 192.0.2.255 LwNetDev >"$LWIT_DIR/broadcast.out" 2>&1 || true
cat "$LWIT_DIR/broadcast.out"
lwit_expect "broadcast query answered" grep -Eqi "^$LWIT_LWNET_IP lwnetdev<00>$" "$LWIT_DIR/broadcast.out"

lwit_ns nmblookup -U "$LWIT_LWNET_IP" otherhost >"$LWIT_DIR/other.out" 2>&1 || true
cat "$LWIT_DIR/other.out"
lwit_expect "another name is not answered" grep -q "name_query failed to find name otherhost" "$LWIT_DIR/other.out"

lwit_stop_lwnet
lwit_expect_equal "answers lwnet sent (capture)" 2 \
  "$(lwit_count_frames "${LWIT_CAPTURES[0]}" "eth.src == $LWIT_MAC && nbns.flags.response == 1")"
lwit_check_capture
lwit_pass

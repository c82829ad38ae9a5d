#!/usr/bin/env bash
# The lwnet command's text is mostly not resident: the link puts the
# functions a serve run executes first (cmake/LeanPrograms.cmake,
# tools/hot_functions.txt), so the 64 KiB windows Linux maps around each
# page that faults (fault-around) hold code that runs, not the rest. Shown
# by the kernel's count of the binary's resident text pages
# (/proc/PID/smaps, its executable mapping) after start-up, pings and TCP
# echo connections: at most 70 % of the text. When this test was written:
# 46 % for the host preset's build and 45 % for scripts/test.sh's Release
# build (default configuration, unity build), the two builds the list is
# made from (the capture lwit_start_lwnet asks for runs code the list does
# not hold; 56 % for the Release build with a list made from the host
# build alone: they inline differently). Linked by lld in its default order
# the same run leaves 96 % resident (1,596 of 1,664 kB); a list gone stale
# (functions renamed, new code on the serve path) shows here before it
# shows in the bench's peak RSS.
# Registered only for lean static builds linked by lld (Release).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init resident_text "$@"
lwit_require ping nc

lwit_make_namespace
lwit_start_lwnet serve --echo 7
lwit_ns ping -c 3 -i 0.2 -W 2 "$LWIT_LWNET_IP" >/dev/null || lwit_fail "no answer to ping"
for i in 1 2 3 4 5; do
  answer=$(printf 'line %s\n' "$i" | lwit_ns nc -q 1 -w 3 "$LWIT_LWNET_IP" 7) || lwit_fail "echo connection $i failed"
  lwit_expect_equal "echo connection $i" "line $i" "$answer"
done

binary=$(readlink -f "$LWNET")
# Size and Rss, in kB, of the binary's executable mapping.
read -r size resident < <(awk -v path="$binary" '
  /^[0-9a-f]+-[0-9a-f]+ / { text = ($2 ~ /x/ && $6 == path) }
  text && /^Size:/ { size = $2 }
  text && /^Rss:/ { print size, $2; exit }' "/proc/$LWNET_PID/smaps")
[ -n "${size:-}" ] && [ -n "${resident:-}" ] || lwit_fail "no executable mapping of $binary in /proc/$LWNET_PID/smaps"
lwit_log "text mapping $size kB, resident $resident kB"
lwit_expect "some text is resident ($resident kB)" test "$resident" -gt 0
lwit_expect "at most 70 % of the text is resident ($resident of $size kB)" test $((resident * 10)) -le $((size * 7))
lwit_stop_lwnet
lwit_check_capture
lwit_pass

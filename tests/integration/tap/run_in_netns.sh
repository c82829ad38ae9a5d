#!/bin/sh
# Runs a test binary inside a network namespace of its own, lwtap-<pid of this
# script>, and deletes the namespace, with every interface made in it, however
# the test ends. Needs root.
# Usage: run_in_netns.sh BINARY [ARGS...]
set -u

if [ "$(id -u)" -ne 0 ]; then
  echo "run_in_netns.sh: needs root (network namespaces and TAP devices)" >&2
  exit 1
fi

# Namespaces left by earlier runs that were killed too hard to clean up (the
# pid in the name no longer exists).
for old in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^lwtap-[0-9][0-9]*$'); do
  if ! kill -0 "${old#lwtap-}" 2>/dev/null; then
    ip netns del "$old" 2>/dev/null
  fi
done

ns="lwtap-$$"
ip netns add "$ns" || exit 1
trap 'ip netns del "$ns"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

ip -n "$ns" link set lo up
ip netns exec "$ns" "$@"
status=$?
exit "$status"

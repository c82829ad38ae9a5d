#!/usr/bin/env bash
# Installs a build of lwnet into a temporary prefix with `cmake --install`,
# compiles tests/install/loopback_echo.c against it with nothing but
# `pkg-config --cflags --libs lwnet`, and runs it. Usage: install_check.sh BUILD_DIR
# (a Release build: Debug libraries need the sanitizer runtimes).
set -euo pipefail
build=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=$(mktemp -d /tmp/lwnet-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > "$prefix/install.log"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046  # pkg-config's words are separate arguments
gcc -std=c11 -Wall -Wextra -Werror -o "$prefix/loopback_echo" "$here/loopback_echo.c" $(pkg-config --cflags --libs lwnet)
timeout 30 "$prefix/loopback_echo"
echo "install_check: the installed headers, libraries and lwnet.pc work"

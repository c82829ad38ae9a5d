// The subcommands of `lwnet`, in the order `lwnet --help` lists them.
//
// To add one: write tools/cmd_NAME.cpp defining
//   Command add_NAME_command(CLI::App& lwnet);
// (it adds its subcommand to `lwnet` and returns how to run it), and add
// X(NAME) below. tools/CMakeLists.txt picks up every cmd_*.cpp.
#pragma once

#include "app.h"

#define LWNET_COMMANDS(X) \
  X(serve)                \
  X(ping)                 \
  X(connect)              \
  X(iperf)                \
  X(dhcp)                 \
  X(sntp)                 \
  X(resolve)              \
  X(show)

namespace lwnet::tools {

#define LWNET_DECLARE_COMMAND(name) Command add_##name##_command(CLI::App& lwnet);
LWNET_COMMANDS(LWNET_DECLARE_COMMAND)
#undef LWNET_DECLARE_COMMAND

}  // namespace lwnet::tools

// The default TcpSettings, alone in this file: tcp_connection.cpp copies
// them without seeing their values, so the copy stays a memcpy of read-only
// data instead of a dozen 64-bit constants and their stores (Cortex-M4).
#include "transport/tcp/tcp_connection.h"

namespace lwnet {

// Constant-initialised (the constructor is constexpr): no start-up code.
constinit const TcpSettings TcpSettings::defaults{DefaultsTag{}};

}  // namespace lwnet

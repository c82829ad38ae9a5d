// One SNTP exchange from the lwnet command (`lwnet sntp SERVER` and the
// global --sntp option): the SNTP client app on the App's stack, driven by
// its loop until a reply, a refusal or the timeout.
//
// Threads: the main thread (the stack's core thread).
#pragma once

#include <optional>
#include <string>

#include "app.h"
#include "apps/sntp_client.h"

namespace lwnet::tools {

struct SntpOutcome {
  std::optional<SntpSample> sample;
  std::string failure;  // why there is no sample: one line
};

// Asks `server` once (one request; the reply is awaited up to `timeout`).
// The system clock is only read, never set.
SntpOutcome query_sntp(App& app, const IpAddress& server, Duration timeout);

// "+0.001234" seconds with microsecond digits and a sign.
std::string format_seconds(std::int64_t micros, bool with_sign);

}  // namespace lwnet::tools

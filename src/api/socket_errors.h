// How the core's errors read as errno values (the guide's "Socket Error
// Reason Code" table, each where Linux gives it).
#pragma once

#include "util/error.h"

namespace lwnet::api {

// Any thread.
int errno_of(Error error);

}  // namespace lwnet::api

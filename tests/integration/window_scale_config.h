// The configuration of the lwnet that tcp_window_scale.sh runs: the
// throughput preset, with its 256 KiB window cap as the default window too,
// so that lwnet offers windows over 64 KiB from the start. The script reads
// the values below to know the window scale lwnet must announce.
#pragma once

#define CONFIG_LWIP_WND_SCALE 1
#define CONFIG_LWIP_TCP_RCV_SCALE 0
#define CONFIG_LWIP_TCP_WND_DEFAULT 262144
#define CONFIG_LWNET_TCP_WND_MAX 262144
#define CONFIG_LWIP_TCP_SND_BUF_DEFAULT 262144
#define CONFIG_LWNET_TCP_SND_BUF_MAX 262144

#include "config/presets/throughput.h"

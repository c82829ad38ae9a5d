/* lwIP's <lwip/apps/sntp.h>: the same client as <esp_sntp.h>, which holds
 * the declarations (ESP-IDF's header includes it too).
 *
 * Threads: see esp_sntp.h. */
#ifndef LWNET_LWIP_APPS_SNTP_H
#define LWNET_LWIP_APPS_SNTP_H

#include "esp_sntp.h"

#endif /* LWNET_LWIP_APPS_SNTP_H */

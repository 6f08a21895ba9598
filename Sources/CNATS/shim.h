// The NATS C client (Debian's libnats-dev 3.4), for the JetStream bus adapter.
#ifndef TRIBUTARY_CNATS_SHIM_H
#define TRIBUTARY_CNATS_SHIM_H

#include <nats/nats.h>

#endif

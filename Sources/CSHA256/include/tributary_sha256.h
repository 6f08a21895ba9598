#ifndef TRIBUTARY_SHA256_H
#define TRIBUTARY_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// SHA-256 (FIPS 180-4) of `count` bytes into `digest`, in one call and with no allocation:
/// the content hash of every record is one of these. Uses the CPU's SHA extensions when it
/// has them (checked once), else the portable rounds.
void tributary_sha256(const uint8_t *data, size_t count, uint8_t digest[32]);

/// The same digest through the portable rounds only (for tests on machines with the extensions).
void tributary_sha256_portable(const uint8_t *data, size_t count, uint8_t digest[32]);

/// 1 when ``tributary_sha256`` uses the CPU's SHA extensions on this machine, else 0.
int tributary_sha256_uses_extensions(void);

#endif

/*
 * What the two C reference loops share: the pool settings of Tributary's transport, the clock,
 * a growable byte buffer for bodies and header blocks, and the report, printed as the same JSON object `tributary bench fetch` prints.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    char *bytes;
    size_t length, capacity;
} bytes_t;

static inline double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Milliseconds from `started` until now. */
static inline double elapsed_ms(const struct timespec *started) {
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    return (end.tv_sec - started->tv_sec) * 1e3 + (end.tv_nsec - started->tv_nsec) / 1e6;
}

static inline void bytes_append(bytes_t *buffer, const char *data, size_t n) {
    if (buffer->length + n > buffer->capacity) {
        buffer->capacity = (buffer->length + n) * 2;
        buffer->bytes = realloc(buffer->bytes, buffer->capacity);
    }
    memcpy(buffer->bytes + buffer->length, data, n);
    buffer->length += n;
}

static inline int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline double peak_rss_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lf kB", &kb) == 1) break;
    if (f) fclose(f);
    return kb / 1024;
}

/* Sorts the latencies (ms) and prints the report line. */
static inline void print_report(long total, long errors, double seconds, double *latency) {
    qsort(latency, total, sizeof(double), compare_doubles);
#define PCT(p) latency[(long)((p) / 100.0 * (total - 1))]
    printf("{\"requests\":%ld,\"errors\":%ld,\"seconds\":%.3f,\"req_per_s\":%.0f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,"
           "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"rss_mb\":%.1f}\n",
           total, errors, seconds, total / seconds, PCT(50), PCT(95), PCT(99), latency[total - 1], peak_rss_mb());
#undef PCT
}

/* The multi handle's limits, as Tributary's PoolConfiguration sets them. */
static inline CURLM *make_multi(long concurrency) {
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 5000L);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, concurrency > 100 ? concurrency : 100L);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 5000L);
    return multi;
}

/* An easy handle with the options every loop sets once: body to `on_write(slot)`, keep-alive,
 * DNS cache, compressed bodies accepted, timeouts. */
static inline CURL *make_easy(curl_write_callback on_write, void *slot) {
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, slot);
    curl_easy_setopt(e, CURLOPT_PRIVATE, slot);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 300L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
    return e;
}

#endif

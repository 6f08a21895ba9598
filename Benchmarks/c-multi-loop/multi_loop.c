/*
 * The libcurl ceiling for `tributary bench fetch`: a plain C curl_multi loop.
 *
 * N GETs of one URL with C transfers in flight, easy handles reused, the same pool settings
 * as Tributary's transport (keep-alive, DNS cache, gzip accepted, body collected in memory).
 * Prints the same JSON object as `tributary bench fetch`, so the two compare line for line.
 *
 *   cc -O2 -o multi_loop multi_loop.c $(pkg-config --cflags --libs libcurl)
 *   ./multi_loop URL REQUESTS CONCURRENCY
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    CURL *easy;
    char *body;
    size_t length, capacity;
    struct timespec started;
} slot_t;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t on_write(char *data, size_t size, size_t count, void *userdata) {
    slot_t *slot = userdata;
    size_t n = size * count;
    if (slot->length + n > slot->capacity) {
        slot->capacity = (slot->length + n) * 2;
        slot->body = realloc(slot->body, slot->capacity);
    }
    memcpy(slot->body + slot->length, data, n);
    slot->length += n;
    return n;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double peak_rss_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lf kB", &kb) == 1) break;
    if (f) fclose(f);
    return kb / 1024;
}

static void start(CURLM *multi, slot_t *slot, const char *url) {
    curl_easy_setopt(slot->easy, CURLOPT_URL, url);
    slot->length = 0;
    clock_gettime(CLOCK_MONOTONIC, &slot->started);
    curl_multi_add_handle(multi, slot->easy);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL REQUESTS CONCURRENCY\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    long total = atol(argv[2]), concurrency = atol(argv[3]);
    if (concurrency > total) concurrency = total;

    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 5000L);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, concurrency > 100 ? concurrency : 100L);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 5000L);

    slot_t *slots = calloc(concurrency, sizeof(slot_t));
    double *latency = malloc(sizeof(double) * total);
    long started = 0, finished = 0, errors = 0;
    for (long i = 0; i < concurrency; i++) {
        CURL *e = curl_easy_init();
        slots[i].easy = e;
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &slots[i]);
        curl_easy_setopt(e, CURLOPT_PRIVATE, &slots[i]);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 300L);
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
        start(multi, &slots[i], url);
        started++;
    }

    double t0 = now_seconds();
    int running = 1;
    while (finished < total) {
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            slot_t *slot;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&slot);
            long status = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            if (msg->data.result != CURLE_OK || status != 200) errors++;
            struct timespec end;
            clock_gettime(CLOCK_MONOTONIC, &end);
            latency[finished++] = (end.tv_sec - slot->started.tv_sec) * 1e3 + (end.tv_nsec - slot->started.tv_nsec) / 1e6;
            curl_multi_remove_handle(multi, msg->easy_handle);
            if (started < total) {
                start(multi, slot, url);
                started++;
            }
        }
        if (finished < total) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double seconds = now_seconds() - t0;
    qsort(latency, total, sizeof(double), compare);
#define PCT(p) latency[(long)((p) / 100.0 * (total - 1))]
    printf("{\"requests\":%ld,\"errors\":%ld,\"seconds\":%.3f,\"req_per_s\":%.0f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,"
           "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"rss_mb\":%.1f}\n",
           total, errors, seconds, total / seconds, PCT(50), PCT(95), PCT(99), latency[total - 1], peak_rss_mb());
    for (long i = 0; i < concurrency; i++) {
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body);
    }
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}

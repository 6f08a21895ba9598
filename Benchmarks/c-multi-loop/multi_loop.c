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

#include "bench_common.h"

typedef struct {
    CURL *easy;
    bytes_t body;
    struct timespec started;
} slot_t;

static size_t on_write(char *data, size_t size, size_t count, void *userdata) {
    slot_t *slot = userdata;
    bytes_append(&slot->body, data, size * count);
    return size * count;
}

static void start(CURLM *multi, slot_t *slot, const char *url) {
    curl_easy_setopt(slot->easy, CURLOPT_URL, url);
    slot->body.length = 0;
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
    CURLM *multi = make_multi(concurrency);

    slot_t *slots = calloc(concurrency, sizeof(slot_t));
    double *latency = malloc(sizeof(double) * total);
    long started = 0, finished = 0, errors = 0;
    for (long i = 0; i < concurrency; i++) {
        CURL *e = make_easy(on_write, &slots[i]);
        slots[i].easy = e;
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
            latency[finished++] = elapsed_ms(&slot->started);
            curl_multi_remove_handle(multi, msg->easy_handle);
            if (started < total) {
                start(multi, slot, url);
                started++;
            }
        }
        if (finished < total) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double seconds = now_seconds() - t0;
    print_report(total, errors, seconds, latency);
    for (long i = 0; i < concurrency; i++) {
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body.bytes);
    }
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}

/*
 * The floor of Tributary's transport design, written in C: `multi_loop.c` with its callers
 * moved off the loop thread.
 *
 * Tributary's callers are Swift tasks: a task must never block in poll(2), so one thread owns
 * the curl multi handle and every finished transfer is handed to another thread, which reads
 * the response (and, with --decode, decodes and hashes it) and hands the next request back.
 * This program does the same with the least machinery C allows: one loop thread, W worker
 * threads, two mutex-guarded queues, a condition variable and `curl_multi_wakeup`, batching
 * the hand-offs the way Tributary's CompletionPump and command queue do. It measures what the
 * design costs on this machine before any Swift runs, the way `multi_loop.c` measures libcurl.
 *
 * With WORK=hash the workers do a floor of the decode mode's per-response work: one pass over
 * the body (a JSON parser's scan) and SHA-256 of it (the content hash); Tributary's decode
 * does more (a parse tree, exact decimals, the canonical record, provenance, the buffer).
 *
 * With OPTIONS=full each transfer also does what Tributary's transport must for its users and
 * the plain loops skip: its header lines kept (Retry-After and rate-limit headers are read from
 * them), a User-Agent sent, an error buffer, the request's own timeouts, size cap and method set
 * per request, and its status, connection count and phase timings read on the loop thread.
 *
 *   cc -O2 -pthread -o handoff_loop handoff_loop.c $(pkg-config --cflags --libs libcurl libcrypto)
 *   ./handoff_loop URL REQUESTS CONCURRENCY WORKERS [none|hash] [plain|full]
 */
#include <curl/curl.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>

#include "bench_common.h"

typedef struct {
    CURL *easy;
    bytes_t body;
    bytes_t headers;
    char error[CURL_ERROR_SIZE + 1];
    struct timespec started;
    CURLcode result;
    long status, connects;
    curl_off_t timings[5];
} slot_t;

typedef struct {
    slot_t **items;
    long count, capacity;
} queue_t;

static CURLM *multi;
static const char *url;
static long total, concurrency;
static int hash_work, full_options;

static pthread_mutex_t commands_lock = PTHREAD_MUTEX_INITIALIZER;
static queue_t commands; /* slots to start, filled by the workers */
static atomic_bool sleeping;

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_ready = PTHREAD_COND_INITIALIZER;
static queue_t done; /* finished slots, filled by the loop */
static int waiting_workers, finished_all;

static long started_count, finished_count, errors; /* started: loop; finished, errors: done_lock */
static double *latency;
static volatile unsigned char sink;

static void push(queue_t *q, slot_t *s) {
    if (q->count == q->capacity) {
        q->capacity = q->capacity ? q->capacity * 2 : 64;
        q->items = realloc(q->items, sizeof(slot_t *) * q->capacity);
    }
    q->items[q->count++] = s;
}

static size_t on_write(char *data, size_t size, size_t count, void *userdata) {
    slot_t *slot = userdata;
    bytes_append(&slot->body, data, size * count);
    return size * count;
}

/* Keeps a header line, as Tributary's header callback does (a new status line starts over). */
static size_t on_header(char *data, size_t size, size_t count, void *userdata) {
    slot_t *slot = userdata;
    size_t n = size * count;
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
        slot->headers.length = 0;
    else
        bytes_append(&slot->headers, data, n);
    return n;
}

/* Worker side: read the finished response, then hand the slot's next request to the loop. */
static void *worker(void *unused) {
    (void)unused;
    queue_t batch = {0};
    for (;;) {
        pthread_mutex_lock(&done_lock);
        while (done.count == 0 && !finished_all) {
            waiting_workers++;
            pthread_cond_wait(&done_ready, &done_lock);
            waiting_workers--;
        }
        if (done.count == 0 && finished_all) {
            pthread_mutex_unlock(&done_lock);
            break;
        }
        queue_t swap = batch;
        batch = done;
        done = swap;
        done.count = 0;
        pthread_mutex_unlock(&done_lock);

        long restart = 0;
        for (long i = 0; i < batch.count; i++) {
            slot_t *slot = batch.items[i];
            long status = 0;
            curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
            if (hash_work) {
                /* A parser's pass over the body, then the content hash. */
                unsigned char quotes = 0, digest[SHA256_DIGEST_LENGTH];
                for (size_t k = 0; k < slot->body.length; k++) quotes += slot->body.bytes[k] == '"';
                SHA256((const unsigned char *)slot->body.bytes, slot->body.length, digest);
                sink = digest[0] ^ quotes;
            }
            double ms = elapsed_ms(&slot->started);
            pthread_mutex_lock(&done_lock);
            if (slot->result != CURLE_OK || status != 200) errors++;
            long index = finished_count++;
            latency[index] = ms;
            if (finished_count == total) {
                finished_all = 1;
                pthread_cond_broadcast(&done_ready);
            }
            pthread_mutex_unlock(&done_lock);
            batch.items[restart++] = slot;
        }
        /* Every slot goes back; the loop starts it only while requests remain. */
        pthread_mutex_lock(&commands_lock);
        for (long i = 0; i < restart; i++) push(&commands, batch.items[i]);
        pthread_mutex_unlock(&commands_lock);
        if (atomic_exchange(&sleeping, 0)) curl_multi_wakeup(multi);
        batch.count = 0;
    }
    free(batch.items);
    return NULL;
}

static void start(slot_t *slot) {
    curl_easy_setopt(slot->easy, CURLOPT_URL, url);
    if (full_options) {
        CURL *e = slot->easy;
        slot->error[0] = 0;
        slot->headers.length = 0;
        curl_easy_setopt(e, CURLOPT_HEADERDATA, slot);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(16 * 1024 * 1024));
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    }
    slot->body.length = 0;
    clock_gettime(CLOCK_MONOTONIC, &slot->started);
    curl_multi_add_handle(multi, slot->easy);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s URL REQUESTS CONCURRENCY WORKERS [none|hash] [plain|full]\n", argv[0]);
        return 2;
    }
    url = argv[1];
    total = atol(argv[2]);
    concurrency = atol(argv[3]);
    long workers = atol(argv[4]);
    hash_work = argc > 5 && strcmp(argv[5], "hash") == 0;
    full_options = argc > 6 && strcmp(argv[6], "full") == 0;
    if (concurrency > total) concurrency = total;

    curl_global_init(CURL_GLOBAL_ALL);
    multi = make_multi(concurrency);

    slot_t *slots = calloc(concurrency, sizeof(slot_t));
    latency = malloc(sizeof(double) * total);
    for (long i = 0; i < concurrency; i++) {
        CURL *e = make_easy(on_write, &slots[i]);
        slots[i].easy = e;
        if (full_options) {
            curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
            curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
            curl_easy_setopt(e, CURLOPT_ERRORBUFFER, slots[i].error);
            curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
            curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 30L);
            curl_easy_setopt(e, CURLOPT_USERAGENT, "tributary/0.1.0");
        }
        start(&slots[i]);
        started_count++;
    }
    pthread_t *threads = calloc(workers, sizeof(pthread_t));
    for (long i = 0; i < workers; i++) pthread_create(&threads[i], NULL, worker, NULL);

    double t0 = now_seconds();
    queue_t batch = {0}, finished = {0};
    for (;;) {
        pthread_mutex_lock(&commands_lock);
        queue_t swap = batch;
        batch = commands;
        commands = swap;
        commands.count = 0;
        pthread_mutex_unlock(&commands_lock);
        for (long i = 0; i < batch.count; i++) {
            if (started_count < total) {
                start(batch.items[i]);
                started_count++;
            }
        }
        batch.count = 0;

        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            slot_t *slot;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&slot);
            slot->result = msg->data.result;
            if (full_options) {
                static const CURLINFO times[5] = {CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T, CURLINFO_APPCONNECT_TIME_T,
                                                  CURLINFO_STARTTRANSFER_TIME_T, CURLINFO_TOTAL_TIME_T};
                curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &slot->status);
                curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &slot->connects);
                for (int k = 0; k < 5; k++) curl_easy_getinfo(msg->easy_handle, times[k], &slot->timings[k]);
            }
            curl_multi_remove_handle(multi, msg->easy_handle);
            push(&finished, slot);
        }
        if (finished.count > 0) {
            pthread_mutex_lock(&done_lock);
            for (long i = 0; i < finished.count; i++) push(&done, finished.items[i]);
            if (waiting_workers > 0) pthread_cond_signal(&done_ready);
            pthread_mutex_unlock(&done_lock);
            finished.count = 0;
        }
        pthread_mutex_lock(&done_lock);
        int all = finished_all;
        pthread_mutex_unlock(&done_lock);
        if (all) break;

        atomic_store(&sleeping, 1);
        pthread_mutex_lock(&commands_lock);
        int idle = commands.count == 0;
        pthread_mutex_unlock(&commands_lock);
        if (idle) curl_multi_poll(multi, NULL, 0, 500, NULL);
        atomic_store(&sleeping, 0);
    }
    double seconds = now_seconds() - t0;
    for (long i = 0; i < workers; i++) pthread_join(threads[i], NULL);
    print_report(total, errors, seconds, latency);
    for (long i = 0; i < concurrency; i++) {
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body.bytes);
        free(slots[i].headers.bytes);
    }
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}

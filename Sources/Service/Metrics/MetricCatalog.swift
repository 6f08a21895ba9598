/// The HELP text of every metric family Tributary exposes, in one place.
///
/// Prometheus shows HELP in its UI and `promtool check metrics` asks for it on every family;
/// swift-metrics has no place for it, so `DescribedMetricsFactory` looks each family up here
/// when a series is first made. A family missing here is exported without HELP, which the
/// promtool test (`MetricsLintTests`) reports — add the line here, not at the call site.
public enum MetricCatalog {
    /// The breaker-state encoding, also the `ingestion_breaker_state` HELP (alerts compare to it).
    public static let breakerStates = "0 closed, 1 half-open, 2 open, 3 paused (throttled or quota)"

    public static let help: [String: String] = [
        // Pull path (per source).
        "ingestion_requests_total":
            "Requests answered, by source and outcome (success, failure, rejected; pushes: accepted, replayed, invalid_*; a push to an unconfigured path: source (unknown)).",
        "ingestion_requests_errors_total":
            "Requests that failed, by source and bounded reason (http_5xx, timeout, not_found, no_data, decode, credential, throttled, quota, ...).",
        "ingestion_request_duration_seconds": "Time of one upstream attempt, from send to decoded answer, per source.",
        "ingestion_retries_total": "Retries sent after a failed attempt, per source.",
        "ingestion_throttles_total": "Throttling answers (429, 418, throttle bodies) received, per source and status.",
        "ingestion_rejections_total": "Attempts refused before sending, per source and reason (breaker, bulkhead, limiter, paused, quota, budget).",
        "ingestion_breaker_state": "Circuit breaker state per source: \(breakerStates).",
        "ingestion_breaker_transitions_total": "Circuit breaker state changes, per source and the state entered.",
        "ingestion_records_total": "Records normalized and put into the buffer, by source and kind.",
        "ingestion_source_start_failures_total": "Sources that could not start (invalid definition or missing credential), per source.",
        "ingestion_gaps_total": "Gaps found in a source's bar series, by source and reason.",
        "ingestion_missing_bars_total": "Bars missing inside the gaps found, per source.",
        // Push path.
        "ingestion_processing_latency_seconds": "Time to answer one push request (decode, validate, enqueue), per source.",
        // Sink side.
        "ingestion_store_batch_duration_seconds": "Time to write one batch to the store.",
        "ingestion_stored_total": "Records the store wrote (stored) or recognised as already held (duplicate).",
        "ingestion_dropped_total": "Records that left the normal path, by reason (dead_letter, spilled, lost, refused_overload, dead_letter_failed).",
        "ingestion_store_write_failures_total": "Writes to the store that failed, by what was written.",
        // Read at scrape time.
        "ingestion_queue_depth": "Records in the normalization buffer.",
        "ingestion_queue_capacity": "Records the buffer holds before producers wait.",
        "ingestion_queue_waiting_producers": "Producers waiting for buffer space (backpressure).",
        "ingestion_dead_letters": "Rows in the dead-letter table, settled or not (until `tributary dlq delete`).",
        "ingestion_bus_lag_messages": "Messages of the record stream the sink's consumer has not been delivered yet (tributary sink).",
        "ingestion_bus_pending_acks": "Messages delivered to the sink's consumer and not yet acknowledged (tributary sink).",
        "ingestion_bus_up": "1 when the bus answered the last scrape's lag query, 0 when it did not (tributary sink).",
        "ingestion_cluster_instances": "Live run --bus instances sharing the poll jobs, as this one last saw them.",
        "ingestion_cluster_jobs_held": "Poll jobs whose lease this instance holds (it polls only these).",
        "ingestion_cluster_jobs": "Poll jobs this instance can run (shared among the instances).",
        "ingestion_cluster_lease_errors": "1 when this instance's last lease round could not reach the bus, else 0.",
        "ingestion_dead_letters_pending": "Dead letters not yet replayed or resolved (`tributary dlq list --pending`).",
        "ingestion_source_age_seconds": "Age of the newest as_of a source delivered (absent until its first record).",
        "ingestion_source_stale": "1 when a source's newest as_of is older than its threshold, or it has delivered nothing for that long since start.",
        "ingestion_source_failing": "1 when a source's last poll failed or it has never succeeded since start.",
        "ingestion_source_last_success_timestamp_seconds": "Unix time of a source's last successful poll (0 before the first).",
        "ingestion_source_p95_target_seconds":
            "The p95 request latency a source should stay under (Sources.d p95_target, else latency.p95_target); the shipped alert compares the histogram's p95 with it.",
        "ingestion_store_up": "1 when the store answered this scrape's query, 0 when it did not (see /ready for the reason).",
        // Features (Features.d sets computed by run).
        "features_latency_seconds": "From a window's end (event time) to its feature row being stored, per window length.",
        "features_late_events_total": "Events that arrived after their window was emitted, by set, late policy and outcome (dropped, corrected).",
        "features_rows_total": "Feature rows written (new or revised), per set.",
    ]

    /// The HELP for `name`, or "" when the family is not listed.
    public static func help(for name: String) -> String { help[name] ?? "" }
}

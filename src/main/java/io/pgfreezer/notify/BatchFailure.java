package io.pgfreezer.notify;

/** The webhook payload's content; field names on the wire follow the original tool. */
public record BatchFailure(String table, String batchId, String windowStart, String windowEnd, String error) {
}

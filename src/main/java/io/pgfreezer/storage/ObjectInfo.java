package io.pgfreezer.storage;

import java.time.Instant;

/** What storage knows of one object. */
public record ObjectInfo(String key, long size, Instant lastModified) {
}

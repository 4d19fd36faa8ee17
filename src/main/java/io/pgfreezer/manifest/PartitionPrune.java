package io.pgfreezer.manifest;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * A verified window whose rows leave PostgreSQL with their partition rather than row by row:
 * the partition (and the table it is attached to, both {@code "schema"."name"}), its range
 * (which attaching it back after a failed proof needs, once the catalog no longer has it), and how far its
 * removal got. A run that finds {@link Step#DETACHING} reads the catalog to learn whether the
 * detach happened, is pending, or the partition is already gone.
 */
public record PartitionPrune(Step step, String partition, String parent, Instant from, Instant to) {

    public PartitionPrune withStep(Step next) {
        return new PartitionPrune(next, partition, parent, from, to);
    }

    public enum Step {
        /** Verified; the partition's other windows are not all verified yet. */
        AWAITING,
        /** Every window of the partition was verified and its detach was started. */
        DETACHING;

        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Step fromJson(String text) {
            return Arrays.stream(values()).filter(s -> s.jsonName().equals(text)).findFirst().orElse(null);
        }

        static String jsonNames() {
            return String.join(", ", Arrays.stream(values()).map(Step::jsonName).toList());
        }
    }
}

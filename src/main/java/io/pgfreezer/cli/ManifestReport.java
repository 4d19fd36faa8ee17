package io.pgfreezer.cli;

import java.io.PrintWriter;
import java.util.List;

/** Output of a command that only reads manifests: a human table or JSON for scripts. */
interface ManifestReport {

    List<String> humanLines();

    String json();

    /** {@link #json()} written to {@code out}; a report with much to say streams it instead. */
    default void writeJson(PrintWriter out) throws java.io.IOException {
        out.print(json());
    }

    default void print(PrintWriter out, boolean asJson) {
        if (asJson) {
            try {
                writeJson(out);
            } catch (java.io.IOException e) {
                // A PrintWriter never throws; the generator over it cannot fail but by a bug.
                throw new java.io.UncheckedIOException("cannot write the JSON report", e);
            }
            out.println();
        } else {
            humanLines().forEach(out::println);
        }
        out.flush();
    }
}

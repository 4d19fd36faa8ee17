package io.pgfreezer.cli;

import java.io.PrintWriter;
import java.util.List;

/** Output of a command that only reads manifests: a human table or JSON for scripts. */
interface ManifestReport {

    List<String> humanLines();

    String json();

    default void print(PrintWriter out, boolean asJson) {
        if (asJson) {
            out.println(json());
        } else {
            humanLines().forEach(out::println);
        }
        out.flush();
    }
}

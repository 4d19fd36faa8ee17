package io.pgfreezer.config;

import java.util.Collection;

/** "Did you mean ...?" for a mistyped key: the closest known key by edit distance, or one it abbreviates. */
final class Suggestions {
    private Suggestions() {
    }

    /** The best candidate, or {@code null} when none is close enough to be a likely typo. */
    static String closest(String typed, Collection<?> candidates) {
        if (typed == null || candidates == null) {
            return null;
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Object candidate : candidates) {
            String name = String.valueOf(candidate);
            int distance = distance(typed, name);
            boolean abbreviation = typed.length() >= 3 && (name.startsWith(typed) || typed.startsWith(name));
            if ((distance <= Math.max(1, Math.min(2, typed.length() / 3)) || abbreviation) && distance < bestDistance) {
                best = name;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance, case-insensitive. */
    static int distance(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT);
        String y = b.toLowerCase(java.util.Locale.ROOT);
        int[] previous = new int[y.length() + 1];
        int[] current = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int substitution = previous[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length()];
    }
}

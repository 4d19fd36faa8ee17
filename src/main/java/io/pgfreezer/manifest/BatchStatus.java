package io.pgfreezer.manifest;

import java.util.EnumSet;
import java.util.Set;

/**
 * The state machine every batch walks through. Deletion only ever happens from VERIFIED, and
 * DONE and FAILED are terminal (FAILED leaves only through an explicit {@code --force}).
 */
public enum BatchStatus {
    PENDING, EXPORTING, UPLOADED, VERIFIED, DELETING, DONE, FAILED;

    public Set<BatchStatus> allowedNext() {
        return switch (this) {
            case PENDING -> EnumSet.of(EXPORTING);
            case EXPORTING -> EnumSet.of(UPLOADED, FAILED);
            case UPLOADED -> EnumSet.of(VERIFIED, FAILED);
            case VERIFIED -> EnumSet.of(DELETING, FAILED);
            case DELETING -> EnumSet.of(DONE, FAILED);
            case DONE, FAILED -> EnumSet.noneOf(BatchStatus.class);
        };
    }

    public boolean canBecome(BatchStatus next) {
        return allowedNext().contains(next);
    }

    public boolean isTerminal() {
        return this == DONE || this == FAILED;
    }
}

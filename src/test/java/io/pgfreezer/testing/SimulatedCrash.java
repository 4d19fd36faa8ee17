package io.pgfreezer.testing;

/**
 * Stands for the process dying at a chosen point: an Error, so no handler in the engine treats
 * it as a batch outcome, and nothing after that point runs.
 */
public final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    public SimulatedCrash(String where) {
        super("simulated crash " + where);
    }
}

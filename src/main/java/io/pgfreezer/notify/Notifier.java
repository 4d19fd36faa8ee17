package io.pgfreezer.notify;

/** Tells someone outside the process that a batch failed. Never throws: a failed notification is a warning. */
public interface Notifier {
    void batchFailed(BatchFailure failure);

    Notifier NONE = failure -> { };
}

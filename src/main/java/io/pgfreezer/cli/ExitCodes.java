package io.pgfreezer.cli;

import io.pgfreezer.FreezerException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkServiceException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLException;
import java.util.Set;

/**
 * The process exit codes, and which failures count as "retry later". Cron alerting and
 * Kubernetes tell an outage that fixes itself from a batch an operator must look at by the code
 * alone, so an unreachable database or storage must never look like a FAILED batch.
 */
final class ExitCodes {
    static final int OK = 0;
    /** A batch FAILED (or was skipped as FAILED), or anything else an operator must look at. */
    static final int ATTENTION = FreezerException.EXIT_FAILURE;
    static final int USAGE = FreezerException.EXIT_USAGE;
    /** sysexits' EX_TEMPFAIL: the database or storage could not be reached; the next run resumes. */
    static final int TEMPORARY = 75;
    /** 128 + SIGPIPE: what a shell reports for a writer whose pipe reader went away. */
    static final int BROKEN_PIPE = 141;

    /** SQLSTATEs of a server that is down, starting, shutting down or full; class 08 is all connection errors. */
    private static final Set<String> SERVER_UNAVAILABLE = Set.of("57P01", "57P02", "57P03", "53300");

    private ExitCodes() {
    }

    /** Whether anything in the cause chain says the database or storage could not be reached. */
    static boolean isTemporary(Throwable failure) {
        // The engine's own classification, made where the failure was caught, comes first; the
        // cause chain below covers failures raised before any engine code ran (opening the pool).
        if (failure instanceof FreezerException fe && fe.isTransient()) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || SERVER_UNAVAILABLE.contains(sql.getSQLState()))) {
                return true;
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException || t instanceof SocketTimeoutException
                    || t instanceof HttpTimeoutException
                    || t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
                return true;
            }
            // 500/503 are S3's "try again" answers (InternalError, SlowDown); 4xx are about the request.
            if (t instanceof SdkServiceException service && (service.statusCode() >= 500 || service.isThrottlingException())) {
                return true;
            }
        }
        return false;
    }
}

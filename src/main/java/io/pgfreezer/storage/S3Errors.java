package io.pgfreezer.storage;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns an SDK failure into one line an operator can act on: the S3 operation, the object's URI,
 * the HTTP status and S3 error code, and a hint for the usual configuration mistakes. The secret
 * key never appears, even if a server or the SDK were to echo it.
 */
final class S3Errors {

    private static final Set<String> CREDENTIAL_CODES = Set.of("InvalidAccessKeyId",
            "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "TokenRefreshRequired",
            "AccessDenied", "InvalidSecurity", "AuthorizationHeaderMalformed");
    private static final Set<String> REGION_CODES = Set.of("PermanentRedirect",
            "IllegalLocationConstraintException", "AuthorizationQueryParametersError");
    private static final String CREDENTIAL_HINT = "check access_key/secret_key or the credential chain";
    private static final String NO_CREDENTIALS = "no AWS credentials found: storage.access_key and "
            + "storage.secret_key are not set and the default credential chain (environment variables, "
            + "Java system properties, profile file, web identity token, container or instance profile) "
            + "provided none";

    private static final int MIN_REDACTED_LENGTH = 8;

    private final Map<String, String> env;
    private final String bucket;
    private final String endpointName;
    private final Optional<String> secret;

    S3Errors(String bucket, String endpointName, Optional<String> secret) {
        this(bucket, endpointName, secret, Map.of());
    }

    /** @param env the environment, which says whether web identity (IRSA) credentials were meant */
    S3Errors(String bucket, String endpointName, Optional<String> secret, Map<String, String> env) {
        this.env = env;
        this.bucket = bucket;
        this.endpointName = endpointName;
        // Stores require secrets of 8 characters or more; hiding a shorter string would only
        // mangle ordinary words of the message without protecting anything real.
        this.secret = secret.filter(s -> s.length() >= MIN_REDACTED_LENGTH);
    }

    StorageException translate(String operation, String uri, SdkException e) {
        if (isPreconditionFailure(e)) {
            return new PreconditionFailedException(redact(describe(operation, uri, e)), e);
        }
        return new StorageException(redact(describe(operation, uri, e)), e, isTransient(e));
    }

    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "RequestLimitExceeded");

    /**
     * Worth trying again: the service failed on its side or asked us to slow down, or the
     * connection broke or timed out. Not: credentials, a missing bucket, a refused request, a
     * host name that does not resolve (a configuration mistake far more often than an outage).
     */
    static boolean isTransient(SdkException e) {
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            return service.statusCode() >= 500 || service.statusCode() == 429 || (code != null && TRANSIENT_CODES.contains(code));
        }
        if (isMissingCredentials(e)) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof SSLException) {
                return false;
            }
            if (t instanceof SocketException || t instanceof SocketTimeoutException
                    || t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException
                    || t instanceof java.io.IOException) {
                return true;
            }
        }
        return e.retryable();
    }

    /**
     * 412: a conditional write found the key in another state. 409 ConditionalRequestConflict:
     * a concurrent conditional write to the same key won. Either way nothing of ours was stored.
     */
    static boolean isPreconditionFailure(SdkException e) {
        if (!(e instanceof AwsServiceException service)) {
            return false;
        }
        String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
        return service.statusCode() == 412 || "PreconditionFailed".equals(code)
                || "ConditionalRequestConflict".equals(code);
    }

    /** A failure of our own (not the SDK's) on an S3 object, redacted like the others. */
    StorageException failure(String operation, String uri, String detail, Throwable cause) {
        return new StorageException(redact(operation + " " + uri + " failed: " + detail), cause);
    }

    private String describe(String operation, String uri, SdkException e) {
        String prefix = operation + " " + uri + " failed: ";
        if (e instanceof AwsServiceException service) {
            return prefix + serviceFailure(service);
        }
        if (isMissingCredentials(e)) {
            return prefix + webIdentityFailure(e).orElse(NO_CREDENTIALS);
        }
        return prefix + clientFailure(e);
    }

    private String serviceFailure(AwsServiceException e) {
        // HEAD responses carry no body, hence no error code.
        String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
                ? "" : e.awsErrorDetails().errorCode();
        String detail = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        StringBuilder text = new StringBuilder("HTTP ").append(e.statusCode());
        if (!code.isBlank()) {
            text.append(' ').append(code);
        }
        if (detail != null && !detail.isBlank()) {
            text.append(" (").append(oneLine(detail)).append(')');
        }
        hint(e.statusCode(), code).ifPresent(hint -> text.append("; ").append(hint));
        return text.toString();
    }

    private Optional<String> hint(int status, String code) {
        if ("NoSuchBucket".equals(code)) {
            return Optional.of("bucket '" + bucket + "' does not exist at " + endpointName
                    + "; create it or fix storage.bucket");
        }
        if (REGION_CODES.contains(code) || status == 301) {
            return Optional.of("the bucket lives in another region or behind another endpoint; "
                    + "check storage.region and storage.endpoint_url");
        }
        if (status == 403 || CREDENTIAL_CODES.contains(code)) {
            return Optional.of(CREDENTIAL_HINT);
        }
        if ("InvalidBucketName".equals(code)) {
            return Optional.of("check storage.bucket");
        }
        if ("BadDigest".equals(code) || "InvalidDigest".equals(code)) {
            return Optional.of("the data was corrupted on its way to the server; nothing was stored");
        }
        if (status == 412 || "PreconditionFailed".equals(code) || "ConditionalRequestConflict".equals(code)) {
            return Optional.of("the object exists or changed since it was read; nothing was written");
        }
        if (status >= 500 || "SlowDown".equals(code)) {
            return Optional.of("the storage service failed even after retries; try again later");
        }
        return Optional.empty();
    }

    private String clientFailure(SdkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "cannot reach endpoint " + endpointName + ": unknown host " + t.getMessage()
                        + "; check storage.endpoint_url (and storage.path_style for hosts that "
                        + "cannot resolve bucket.host names)";
            }
            if (t instanceof ConnectException) {
                return "cannot reach endpoint " + endpointName + ": " + connectFailure(t)
                        + "; check storage.endpoint_url and that the server is running";
            }
            if (t instanceof SocketTimeoutException || t instanceof ApiCallAttemptTimeoutException
                    || t instanceof ApiCallTimeoutException
                    || t.getClass().getSimpleName().equals("ConnectTimeoutException")) {
                return "endpoint " + endpointName + " did not answer in time (" + S3Clients.CONNECT_TIMEOUT.toSeconds()
                        + " s to connect, " + S3Clients.ATTEMPT_TIMEOUT.toSeconds()
                        + " s per request, retried); check storage.endpoint_url and the network";
            }
            if (t instanceof SSLException) {
                return "TLS with endpoint " + endpointName + " failed: " + oneLine(t.getMessage())
                        + "; check the endpoint_url scheme (http/https) and the server certificate";
            }
            if (t instanceof SocketException) {
                return "cannot reach endpoint " + endpointName + ": " + oneLine(t.getMessage());
            }
        }
        return oneLine(e.getMessage());
    }

    /**
     * When a web identity token file is configured (IRSA on EKS), the operator meant those
     * credentials, so their failure is the cause to name, not the chain's "none found": a token
     * file that cannot be read, a missing role, or what STS said about the token.
     */
    private Optional<String> webIdentityFailure(Throwable e) {
        String tokenFile = setting("AWS_WEB_IDENTITY_TOKEN_FILE", "aws.webIdentityTokenFile");
        if (tokenFile == null) {
            return Optional.empty();
        }
        String prefix = "web identity (IRSA) credentials failed: ";
        java.nio.file.Path path;
        try {
            path = java.nio.file.Path.of(tokenFile);
        } catch (java.nio.file.InvalidPathException ex) {
            return Optional.of(prefix + "AWS_WEB_IDENTITY_TOKEN_FILE (" + tokenFile + ") is no valid path");
        }
        if (!java.nio.file.Files.isRegularFile(path) || !java.nio.file.Files.isReadable(path)) {
            return Optional.of(prefix + "the token file " + tokenFile + " (AWS_WEB_IDENTITY_TOKEN_FILE) "
                    + (java.nio.file.Files.exists(path) ? "cannot be read by this user" : "does not exist")
                    + "; check the service account's projected token volume");
        }
        if (setting("AWS_ROLE_ARN", "aws.roleArn") == null) {
            return Optional.of(prefix + "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; "
                    + "annotate the service account with the role (eks.amazonaws.com/role-arn)");
        }
        String detail = null;
        for (Throwable t = e; t != null && detail == null; t = t.getCause()) {
            String message = t.getMessage();
            int at = message == null ? -1 : message.indexOf(WEB_IDENTITY_PROVIDER);
            if (at >= 0) {
                String rest = message.substring(at + WEB_IDENTITY_PROVIDER.length());
                java.util.regex.Matcher next = NEXT_PROVIDER.matcher(rest);
                detail = next.find() ? rest.substring(0, next.start()) : rest;
            }
        }
        return Optional.of(prefix + "STS did not accept the token in " + tokenFile + " for role "
                + setting("AWS_ROLE_ARN", "aws.roleArn") + (detail == null ? "" : ": " + oneLine(detail))
                + "; check the role's trust policy for this cluster's OIDC provider and service account");
    }

    private static final String WEB_IDENTITY_PROVIDER = "WebIdentityTokenCredentialsProvider(): ";
    private static final java.util.regex.Pattern NEXT_PROVIDER =
            java.util.regex.Pattern.compile(", [A-Za-z]+CredentialsProvider\\(|]$");

    private String setting(String variable, String property) {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            value = System.getProperty(property);
        }
        return value == null || value.isBlank() ? null : value;
    }

    private static boolean isMissingCredentials(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.startsWith("Unable to load credentials")) {
                return true;
            }
        }
        return false;
    }

    private String redact(String message) {
        return secret.map(s -> message.replace(s, "***")).orElse(message);
    }

    /** Apache's message repeats host and port ahead of the reason; the reason is what matters. */
    private static String connectFailure(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return "connection refused";
        }
        int reason = message.lastIndexOf("failed: ");
        return oneLine(reason >= 0 ? message.substring(reason + "failed: ".length()) : message);
    }

    private static String oneLine(String text) {
        if (text == null) {
            return "unknown error";
        }
        return text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}

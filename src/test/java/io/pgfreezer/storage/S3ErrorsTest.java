package io.pgfreezer.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ErrorsTest {

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private final S3Errors errors = new S3Errors("archive", "http://minio:9000", Optional.of(SECRET));

    @Test
    void rejectedKeysNameOperationObjectStatusCodeAndTheFix() {
        String message = errors.translate("PutObject", "s3://archive/k", serviceError(403, "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.")).getMessage();

        assertThat(message).isEqualTo("PutObject s3://archive/k failed: HTTP 403 InvalidAccessKeyId "
                + "(The AWS Access Key Id you provided does not exist in our records.); "
                + "check access_key/secret_key or the credential chain");
    }

    @Test
    void aForbiddenHeadWithoutErrorCodeStillGetsTheCredentialHint() {
        assertThat(errors.translate("HeadObject", "s3://archive/k", serviceError(403, null, null)).getMessage())
                .isEqualTo("HeadObject s3://archive/k failed: HTTP 403; check access_key/secret_key or the credential chain");
    }

    @Test
    void throttlingServerFailuresAndBrokenConnectionsAreTransient() {
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(503, "SlowDown", null)).isTransient()).isTrue();
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(500, "InternalError", null)).isTransient()).isTrue();
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(429, null, null)).isTransient()).isTrue();
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(400, "RequestTimeout", null)).isTransient()).isTrue();
        assertThat(errors.translate("GetObject", "s3://archive/k", SdkClientException.create("Unable to execute HTTP request",
                new java.net.SocketException("Connection reset"))).isTransient()).isTrue();
        assertThat(errors.translate("GetObject", "s3://archive/k", SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused"))).isTransient()).isTrue();
    }

    @Test
    void credentialsAMissingBucketAndAnUnknownHostArePermanent() {
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(403, "AccessDenied", null)).isTransient()).isFalse();
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(403, null, null)).isTransient()).isFalse();
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(404, "NoSuchBucket", null)).isTransient()).isFalse();
        assertThat(errors.translate("GetObject", "s3://archive/k", SdkClientException.create("Unable to execute HTTP request",
                new UnknownHostException("minio"))).isTransient()).isFalse();
    }

    @Test
    void aFailedConditionIsItsOwnKindAndNotTransient() {
        StorageException e = errors.translate("PutObject", "s3://archive/k", serviceError(412, "PreconditionFailed", null));

        assertThat(e).isInstanceOf(PreconditionFailedException.class);
        assertThat(e.isTransient()).isFalse();
    }

    @Test
    void aMissingBucketIsNamed() {
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(404, "NoSuchBucket", null)).getMessage())
                .contains("HTTP 404 NoSuchBucket", "bucket 'archive' does not exist at http://minio:9000");
    }

    @Test
    void aRefusedConnectionNamesTheEndpoint() {
        SdkClientException e = SdkClientException.create("Unable to execute HTTP request: Connection refused",
                new ConnectException("Connection refused"));
        assertThat(errors.translate("GetObject", "s3://archive/k", e).getMessage())
                .startsWith("GetObject s3://archive/k failed: cannot reach endpoint http://minio:9000: Connection refused");
    }

    @Test
    void anUnknownHostNamesTheEndpoint() {
        SdkClientException e = SdkClientException.create("Unable to execute HTTP request: minio",
                new UnknownHostException("minio"));
        assertThat(errors.translate("GetObject", "s3://archive/k", e).getMessage())
                .contains("cannot reach endpoint http://minio:9000: unknown host minio");
    }

    @Test
    void missingCredentialsAreSaidPlainlyNotAsATimeout() {
        SdkClientException e = SdkClientException.create("Unable to load credentials from any of the providers "
                + "in the chain AwsCredentialsProviderChain(...)");
        assertThat(errors.translate("ListObjectsV2", "s3://archive/", e).getMessage())
                .contains("no AWS credentials found").doesNotContain("time");
    }

    @Test
    void theSecretKeyNeverAppearsEvenWhenTheServerEchoesIt() {
        String message = errors.translate("PutObject", "s3://archive/k", serviceError(403, "SignatureDoesNotMatch",
                "signed with " + SECRET)).getMessage();
        assertThat(message).doesNotContain(SECRET).contains("signed with ***");
    }

    @Test
    void aTooShortToBeRealSecretDoesNotMangleTheMessage() {
        S3Errors shortSecret = new S3Errors("bucket", "http://minio:9000", Optional.of("b"));
        assertThat(shortSecret.translate("GetObject", "s3://bucket/k", serviceError(404, "NoSuchBucket", null))
                .getMessage()).startsWith("GetObject s3://bucket/k failed: HTTP 404 NoSuchBucket; bucket 'bucket'");
    }

    @Test
    void multiLineServerMessagesBecomeOneLine() {
        assertThat(errors.translate("PutObject", "s3://archive/k", serviceError(500, "InternalError",
                "We encountered an internal error.\nPlease try again.")).getMessage())
                .doesNotContain("\n").contains("try again later");
    }

    private static S3Exception serviceError(int status, String code, String message) {
        return (S3Exception) S3Exception.builder()
                .statusCode(status)
                .message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
                .build();
    }

    @Test
    void aRejectedWebIdentityTokenIsNamedWithWhatStsSaid() throws Exception {
        java.nio.file.Path token = java.nio.file.Files.createTempFile("token-", ".jwt");
        java.nio.file.Files.writeString(token, "eyJ...");
        S3Errors irsa = new S3Errors("archive", "AWS S3 in region eu-west-1", Optional.empty(),
                java.util.Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(), "AWS_ROLE_ARN", "arn:aws:iam::1:role/archiver"));
        SdkClientException chain = SdkClientException.create("Unable to load credentials from any of the providers in "
                + "the chain AwsCredentialsProviderChain(credentialsProviders=[...]) : [SystemPropertyCredentialsProvider(): "
                + "Unable to load credentials from system settings., WebIdentityTokenCredentialsProvider(): Not authorized "
                + "to perform sts:AssumeRoleWithWebIdentity (Service: Sts, Status Code: 403), "
                + "ProfileCredentialsProvider(): Profile file contained no credentials.]");

        String message = irsa.translate("ListObjectsV2", "s3://archive/", chain).getMessage();

        assertThat(message).isEqualTo("ListObjectsV2 s3://archive/ failed: web identity (IRSA) credentials failed: "
                + "STS did not accept the token in " + token + " for role arn:aws:iam::1:role/archiver: Not authorized "
                + "to perform sts:AssumeRoleWithWebIdentity (Service: Sts, Status Code: 403); check the role's trust "
                + "policy for this cluster's OIDC provider and service account");
        assertThat(errors.translate("ListObjectsV2", "s3://archive/", chain).getMessage())
                .contains("no AWS credentials found");
        S3Errors noRole = new S3Errors("archive", "x", Optional.empty(),
                java.util.Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString()));
        assertThat(noRole.translate("ListObjectsV2", "s3://archive/", chain).getMessage())
                .contains("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    }
}

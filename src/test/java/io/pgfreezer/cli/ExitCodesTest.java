package io.pgfreezer.cli;

import io.pgfreezer.source.SourceException;
import io.pgfreezer.storage.StorageException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.ConnectException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class ExitCodesTest {
    @Test
    void connectionClassSqlStatesAndRefusedConnectionsAreTemporary() {
        assertThat(ExitCodes.isTemporary(new SourceException("cannot connect", null,
                new RuntimeException(new SQLException("refused", "08001"))))).isTrue();
        assertThat(ExitCodes.isTemporary(new SourceException("shutting down", null, new SQLException("x", "57P01")))).isTrue();
        assertThat(ExitCodes.isTemporary(new StorageException("cannot reach endpoint",
                new RuntimeException(new ConnectException("Connection refused"))))).isTrue();
        assertThat(ExitCodes.isTemporary(new StorageException("slow down",
                S3Exception.builder().statusCode(503).message("SlowDown").build()))).isTrue();
    }

    @Test
    void wrongCredentialsMissingDatabasesAndRefusedRequestsNeedAnOperator() {
        assertThat(ExitCodes.isTemporary(new SourceException("auth", null, new SQLException("password", "28P01")))).isFalse();
        assertThat(ExitCodes.isTemporary(new SourceException("no db", null, new SQLException("missing", "3D000")))).isFalse();
        assertThat(ExitCodes.isTemporary(new StorageException("denied",
                S3Exception.builder().statusCode(403).message("AccessDenied").build()))).isFalse();
        assertThat(ExitCodes.isTemporary(new StorageException("plain"))).isFalse();
    }
}

package io.pgfreezer.manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchManifestTest {
    private static final Instant AT = Instant.parse("2024-01-30T12:00:00Z");

    static Stream<Arguments> allowedTransitions() {
        return Stream.of(
                Arguments.of(BatchStatus.PENDING, BatchStatus.EXPORTING),
                Arguments.of(BatchStatus.EXPORTING, BatchStatus.UPLOADED),
                Arguments.of(BatchStatus.EXPORTING, BatchStatus.FAILED),
                Arguments.of(BatchStatus.UPLOADED, BatchStatus.VERIFIED),
                Arguments.of(BatchStatus.UPLOADED, BatchStatus.FAILED),
                Arguments.of(BatchStatus.VERIFIED, BatchStatus.DELETING),
                Arguments.of(BatchStatus.VERIFIED, BatchStatus.FAILED),
                Arguments.of(BatchStatus.DELETING, BatchStatus.DONE),
                Arguments.of(BatchStatus.DELETING, BatchStatus.FAILED));
    }

    /** Every pair of states the state machine does not connect, including staying put. */
    static Stream<Arguments> disallowedTransitions() {
        List<Arguments> allowed = allowedTransitions().toList();
        List<Arguments> disallowed = new ArrayList<>();
        for (BatchStatus from : BatchStatus.values()) {
            for (BatchStatus to : BatchStatus.values()) {
                boolean isAllowed = allowed.stream()
                        .anyMatch(a -> a.get()[0] == from && a.get()[1] == to);
                if (!isAllowed) {
                    disallowed.add(Arguments.of(from, to));
                }
            }
        }
        return disallowed.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("allowedTransitions")
    void allowedTransitionMovesToTheNewStateKeepingEverythingElse(BatchStatus from, BatchStatus to) {
        BatchManifest before = exported().withStatus(from);

        BatchManifest after = before.transition(to);

        assertThat(after.status()).isEqualTo(to);
        assertThat(after.withStatus(from)).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("disallowedTransitions")
    void disallowedTransitionIsRefusedNamingBothStates(BatchStatus from, BatchStatus to) {
        BatchManifest before = exported().withStatus(from);

        assertThatThrownBy(() -> before.transition(to))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("cannot move from " + from + " to " + to)
                .hasMessageContaining(before.batchId());
    }

    @Test
    void deletionCanOnlyBeReachedFromVerified() {
        for (BatchStatus s : BatchStatus.values()) {
            assertThat(s.canBecome(BatchStatus.DELETING)).as(s.name()).isEqualTo(s == BatchStatus.VERIFIED);
        }
    }

    @Test
    void forceResetTurnsFailedIntoAFreshPendingBatch() {
        BatchManifest failed = exported().withVerifiedAt(AT).withChunksDeleted(1).withDeletedAt(AT)
                .failed("Verification failed");

        BatchManifest reset = failed.forceReset();

        BatchManifest fresh = TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15"));
        assertThat(reset).isEqualTo(fresh);
        assertThat(reset.status()).isEqualTo(BatchStatus.PENDING);
        assertThat(reset.rowCount()).isNull();
        assertThat(reset.parquetSizeBytes()).isNull();
        assertThat(reset.parquetSha256()).isNull();
        assertThat(reset.exportedAt()).isNull();
        assertThat(reset.verifiedAt()).isNull();
        assertThat(reset.deletedAt()).isNull();
        assertThat(reset.error()).isNull();
        assertThat(reset.deleteChunks()).isEmpty();
        assertThat(reset.chunksDeleted()).isZero();
    }

    @Test
    void forceOnABatchThatFailedPartWayThroughDeletingResumesTheDeleteAndKeepsItsArchive() {
        BatchManifest exported = exported();
        BatchManifest failed = exported.withVerifiedAt(AT).withStatus(BatchStatus.DELETING).withChunksDeleted(1)
                .failed("Delete guard: ...");

        BatchManifest resumed = failed.forceResumeDeletion();

        assertThat(resumed.status()).isEqualTo(BatchStatus.DELETING);
        assertThat(resumed.error()).isNull();
        assertThat(resumed.chunksDeleted()).isEqualTo(1);
        assertThat(resumed.deleteChunks()).isEqualTo(exported.deleteChunks());
        assertThat(resumed.parquetPath()).isEqualTo(exported.parquetPath());
        assertThat(resumed.parquetSha256()).isEqualTo(exported.parquetSha256());
        assertThat(resumed.rowCount()).isEqualTo(exported.rowCount());
        assertThatThrownBy(exported.failed("nothing deleted")::forceResumeDeletion).isInstanceOf(ManifestException.class);
        assertThatThrownBy(resumed::forceResumeDeletion).isInstanceOf(ManifestException.class);
    }

    @Test
    void anEmptyExportPointsAtNoObject() {
        BatchManifest empty = TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15"))
                .transition(BatchStatus.EXPORTING).withEmptyExport(AT);

        assertThat(empty.rowCount()).isZero();
        assertThat(empty.parquetPath()).isNull();
        assertThat(empty.parquetSizeBytes()).isNull();
        assertThat(empty.parquetSha256()).isNull();
        assertThat(empty.exportedAt()).isEqualTo(AT);
        assertThat(empty.deleteChunks()).isEmpty();
    }

    @Test
    void forceResetKeepsWhatIdentifiesTheBatch() {
        BatchManifest window = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"),
                10, 100, AT);
        BatchManifest late = TestManifests.lateDone(window, 1, 5, 50, AT).withStatus(BatchStatus.DELETING)
                .failed("guard");

        BatchManifest reset = late.forceReset();

        assertThat(reset.batchId()).isEqualTo(late.batchId());
        assertThat(reset.kind()).isEqualTo(BatchManifest.KIND_LATE);
        assertThat(reset.parentBatchId()).isEqualTo(window.batchId());
        assertThat(reset.parquetPath()).isEqualTo(late.parquetPath());
        assertThat(reset.windowStart()).isEqualTo(late.windowStart());
        assertThat(reset.windowEnd()).isEqualTo(late.windowEnd());
    }

    @ParameterizedTest
    @EnumSource(value = BatchStatus.class, names = "FAILED", mode = EnumSource.Mode.EXCLUDE)
    void onlyFailedBatchesCanBeForceReset(BatchStatus status) {
        BatchManifest m = exported().withStatus(status);

        assertThatThrownBy(m::forceReset)
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("only FAILED batches can be reset");
    }

    @ParameterizedTest
    @EnumSource(value = BatchStatus.class, names = {"DONE", "FAILED"})
    void terminalBatchesCannotFailAgain(BatchStatus status) {
        BatchManifest m = exported().withStatus(status);

        assertThatThrownBy(() -> m.failed("again")).isInstanceOf(ManifestException.class);
    }

    @Test
    void failingKeepsTheResultsSoFarForTheOperatorToInspect() {
        BatchManifest uploaded = exported().withStatus(BatchStatus.UPLOADED);

        BatchManifest failed = uploaded.failed("Verification failed: checksum differs");

        assertThat(failed.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(failed.error()).isEqualTo("Verification failed: checksum differs");
        assertThat(failed.rowCount()).isEqualTo(uploaded.rowCount());
        assertThat(failed.parquetSha256()).isEqualTo(uploaded.parquetSha256());
    }

    private static BatchManifest exported() {
        BatchManifest p = TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15"));
        return p.withExport(100, p.parquetPath(), 4_096, "cd".repeat(32),
                List.of(new DeleteChunk(p.windowStart(), p.windowEnd(), 100)), AT);
    }
}

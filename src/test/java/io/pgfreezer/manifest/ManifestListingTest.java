package io.pgfreezer.manifest;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ForwardingStorage;
import io.pgfreezer.testing.InMemoryObjectStorage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ManifestListingTest {
    private static final String PREFIX = "_manifests/t/";

    private record Request(String prefix, String startAfter, int limit) {
    }

    /** Records every listing request and answers it from memory. */
    private static final class Recording extends ForwardingStorage {
        final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

        Recording(ObjectStorage delegate) {
            super(delegate);
        }

        @Override
        public Page listPage(String prefix, String startAfter, int limit) {
            requests.add(new Request(prefix, startAfter, limit));
            return super.listPage(prefix, startAfter, limit);
        }
    }

    private static InMemoryObjectStorage storageWith(int hexNames, String... oddNames) {
        InMemoryObjectStorage storage = new InMemoryObjectStorage();
        Random random = new Random(7);
        for (int i = 0; i < hexNames; i++) {
            storage.put(PREFIX + HexFormat.of().toHexDigits(random.nextLong()) + ".json", new byte[1], "application/json");
        }
        for (String name : oddNames) {
            storage.put(PREFIX + name + ".json", new byte[1], "application/json");
        }
        return storage;
    }

    private static List<String> keys(List<ObjectInfo> objects) {
        return objects.stream().map(ObjectInfo::key).toList();
    }

    @Test
    void partsTheFirstPageCoveredAreNotListedAgainAndTheOneItEndedInGoesOnFromItsLastKey() {
        InMemoryObjectStorage memory = storageWith(320, "+early", ":colon", "A0", "zz", "\u00e9-accent");
        Recording storage = new Recording(memory);
        // 320 names spread over 16 digits: 20 a digit, so a 45-key page ends inside digit 2.
        List<ObjectInfo> listed = ManifestListing.list(storage, PREFIX, 45, 4, Thread::new);

        assertThat(keys(listed)).containsExactlyElementsOf(keys(memory.list(PREFIX)).stream()
                .filter(k -> !k.contains(":colon") && !k.contains("A0") && !k.contains("zz") && !k.contains("accent"))
                .toList());
        Request first = storage.requests.get(0);
        assertThat(first).isEqualTo(new Request(PREFIX, null, 45));
        String firstLast = memory.listPage(PREFIX, null, 45).lastKey();
        assertThat(firstLast).startsWith(PREFIX + "2");
        assertThat(storage.requests).extracting(Request::prefix)
                .as("digits 0 and 1 came whole with the first page")
                .doesNotContain(PREFIX + "0", PREFIX + "1");
        assertThat(storage.requests).filteredOn(r -> r.prefix().equals(PREFIX + "2"))
                .first().extracting(Request::startAfter).isEqualTo(firstLast);
        assertThat(storage.requests).filteredOn(r -> r.prefix().equals(PREFIX + "3"))
                .first().extracting(Request::startAfter).isNull();
        assertThat(storage.requests.subList(1, storage.requests.size())).extracting(Request::prefix)
                .as("after the first page every request names one digit's part, never the whole prefix")
                .allMatch(p -> p.length() == PREFIX.length() + 1 && ManifestListing.DIGITS.indexOf(p.charAt(PREFIX.length())) >= 0);
    }

    @Test
    void everyNameStartingWithAHexDigitIsFoundInKeyOrderWhateverThePageSize() {
        InMemoryObjectStorage memory = storageWith(200, "+early", "0", "9~", ":colon", "A0B1", "_under", "`tick",
                "g-after", "zz", "~tilde", "\u00e9-accent");
        List<String> digitNames = keys(memory.list(PREFIX)).stream()
                .filter(k -> ManifestListing.DIGITS.indexOf(k.charAt(PREFIX.length())) >= 0).toList();
        for (int pageSize : new int[] {1, 2, 7, 13, 50, 199, 1000}) {
            List<String> listed = keys(ManifestListing.list(memory, PREFIX, pageSize, 3, Thread::new));
            assertThat(listed).as("page size %d", pageSize).doesNotHaveDuplicates()
                    .containsAll(digitNames)
                    .isSortedAccordingTo(String::compareTo);
            assertThat(listed.stream().filter(k -> !digitNames.contains(k)))
                    .as("page size %d: a name outside the digits comes only with the first page", pageSize)
                    .allMatch(k -> keys(memory.listPage(PREFIX, null, pageSize).objects()).contains(k));
        }
    }

    @Test
    void aTableThatFitsOnePageIsListedWithOneRequest() {
        Recording storage = new Recording(storageWith(40, "zz"));

        assertThat(ManifestListing.list(storage, PREFIX, 1000, 4, Thread::new)).hasSize(41);
        assertThat(storage.requests).containsExactly(new Request(PREFIX, null, 1000));
    }
}

package io.pgfreezer.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A GET's body. Closing it before the end aborts the connection instead of letting the HTTP
 * client drain what is left, which for a multi-gigabyte object would download all of it.
 */
final class S3ObjectInputStream extends FilterInputStream {

    private final ResponseInputStream<?> response;
    private final Long length;
    private long consumed;
    private boolean endReached;

    S3ObjectInputStream(ResponseInputStream<GetObjectResponse> response) {
        super(response);
        this.response = response;
        this.length = response.response().contentLength();
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        track(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        track(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        track(skipped);
        return skipped;
    }

    private void track(long n) {
        if (n < 0) {
            endReached = true;
        } else {
            consumed += n;
            endReached |= length != null && consumed >= length;
        }
    }

    @Override
    public void close() throws IOException {
        if (!endReached) {
            response.abort();
        }
        super.close();
    }
}

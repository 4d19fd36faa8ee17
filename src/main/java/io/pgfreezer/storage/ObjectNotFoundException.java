package io.pgfreezer.storage;

/** The object asked for does not exist. */
public class ObjectNotFoundException extends StorageException {
    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(String uri) {
        super("object not found: " + uri);
    }
}

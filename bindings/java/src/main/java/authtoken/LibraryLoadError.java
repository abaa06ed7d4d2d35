package authtoken;

/**
 * The native library could not be used: it was not found, could not be opened (another
 * architecture, not a library) or has another ABI version. The message names the path tried,
 * what was found there and what to do.
 */
public final class LibraryLoadError extends UnsatisfiedLinkError {
    private static final long serialVersionUID = 1L;

    /** An error with the whole explanation as its message. */
    public LibraryLoadError(String message) {
        super(message);
    }
}

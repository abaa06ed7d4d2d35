package authtoken;

/** Loads the library in a fresh JVM (LoadingTest) and prints where from, or the load error. */
public final class Probe {
    private Probe() {}

    /** Prints "loaded PATH" and exits 0, or prints the error and exits 1. */
    public static void main(String[] args) {
        try {
            System.out.println("loaded " + AuthToken.libraryPath() + " version " + AuthToken.libraryVersion());
        } catch (LibraryLoadError e) {
            System.out.println(e);
            System.exit(1);
        }
    }
}

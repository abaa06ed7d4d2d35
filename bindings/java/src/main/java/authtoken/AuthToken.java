package authtoken;

import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Facts about the loaded library. */
public final class AuthToken {
    private AuthToken() {}

    /** This binding's version (the workspace's version). */
    public static String version() {
        return Loader.version();
    }

    /** The loaded library's version, e.g. "0.1.0". Loads the library. */
    public static String libraryVersion() {
        Lib.load();
        return Lib.borrowed(Lib.authtoken_version());
    }

    /** The path the library was loaded from. Loads the library. */
    public static Path libraryPath() {
        return Lib.load();
    }

    /** Every configuration key the core knows (the same keys in every language). */
    public static List<String> configKeys() {
        Lib.load();
        PointerByReference out = new PointerByReference();
        Lib.check(Lib.authtoken_config_keys(out));
        List<String> keys = new ArrayList<>();
        for (Object key : (List<?>) Json.parse(Lib.take(out.getValue()))) {
            keys.add((String) key);
        }
        return Collections.unmodifiableList(keys);
    }

    /** The core's name of a result code ("invalid_config" for 1, ...), or null when unknown. */
    public static String kindName(int code) {
        Lib.load();
        return Lib.borrowed(Lib.authtoken_error_kind_name(code));
    }

    /** One call into the library that does nothing: the floor of the benchmark. */
    public static int noop() {
        return Lib.authtoken_noop();
    }
}

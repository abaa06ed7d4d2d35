package authtoken;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds libauthtoken and explains, when it cannot be used, what was tried, what was found there
 * and what to do. The functions taking explicit inputs are pure, so that every failure can be
 * tested on any machine. Internal (public for the tests and for tools that want the messages).
 *
 * <p>The order: the system property {@code authtoken.lib} alone when set; else the environment
 * variable {@code AUTHTOKEN_LIB} alone when set; else the copy inside the jar
 * ({@code /authtoken/native/PLATFORM/libauthtoken.so}), extracted to a private temporary file;
 * else, when the classes come from a checkout of the repository, cargo's output
 * ({@code target/release}, then {@code target/debug}).
 */
public final class Loader {
    private Loader() {}

    /** The C ABI version this binding is written for (AUTHTOKEN_ABI_VERSION of authtoken.h). */
    public static final int ABI_VERSION = 0;

    /** The platforms a release jar carries a library for. */
    public static final List<String> PACKAGED_PLATFORMS = List.of("linux-x86_64");

    /** The system property naming the library. */
    public static final String PROPERTY = "authtoken.lib";

    /** The environment variable naming the library. */
    public static final String ENV = "AUTHTOKEN_LIB";

    /** This binding's version (the workspace's), or "unknown" outside a build. */
    public static String version() {
        try (InputStream in = Loader.class.getResourceAsStream("/authtoken/version.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The CPU name as this project spells it: x86_64, aarch64, ... ({@code amd64} is x86_64). */
    public static String arch(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        switch (a) {
            case "amd64": case "x86-64": case "x64": return "x86_64";
            case "arm64": return "aarch64";
            case "i386": case "i486": case "i586": case "i686": return "x86";
            default: return a;
        }
    }

    /** The OS name: linux, darwin, windows, or the lower-cased os.name. */
    public static String os(String osName) {
        String o = osName.toLowerCase(Locale.ROOT);
        if (o.startsWith("linux")) {
            return "linux";
        }
        if (o.startsWith("mac") || o.startsWith("darwin")) {
            return "darwin";
        }
        if (o.startsWith("windows")) {
            return "windows";
        }
        return o.replace(' ', '_');
    }

    /** A platform name, "OS-ARCH" ({@code linux-x86_64}), from os.name and os.arch values. */
    public static String platform(String osName, String osArch) {
        return os(osName) + "-" + arch(osArch);
    }

    /** This JVM's platform. */
    public static String platform() {
        return platform(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /** The library's file name on {@code platform}'s OS. */
    public static String libraryName(String platform) {
        if (platform.startsWith("darwin-")) {
            return "libauthtoken.dylib";
        }
        if (platform.startsWith("windows-")) {
            return "authtoken.dll";
        }
        return "libauthtoken.so";
    }

    /** Where a jar carries the library of {@code platform}. */
    public static String resourcePath(String platform) {
        return "/authtoken/native/" + platform + "/" + libraryName(platform);
    }

    /** The message for a library named by the property or the variable that is not a file. */
    public static String notAFileMessage(String source, Path path) {
        String what = source.equals(PROPERTY) ? "the system property " + PROPERTY : ENV;
        return "authtoken: " + what + " is " + path + ", which is not a file. Point it at a libauthtoken.so."
                + ABI_VERSION + " (the C tarball authtoken-VERSION-x86_64-linux-gnu.tar.gz has one under lib/), "
                + "or unset it to use the library inside the authtoken jar.";
    }

    /** The message for "found nowhere": which jars carry a library, how to get one. */
    public static String notFoundMessage(List<String> tried, String platform) {
        String advice;
        if (PACKAGED_PLATFORMS.contains(platform)) {
            advice = "This authtoken jar has no library for " + platform + ": use the release jar "
                    + "authtoken-VERSION.jar, which carries it under " + resourcePath(platform);
        } else {
            advice = "No authtoken jar ships a library for " + platform + " (jars carry one for "
                    + String.join(", ", PACKAGED_PLATFORMS) + "): build libauthtoken for it from source "
                    + "(`cargo build --release -p authtoken`)";
        }
        return "authtoken: the native library was not found (looked in " + String.join(", ", tried) + "). "
                + advice + ", or set -D" + PROPERTY + " (or " + ENV + ") to the path of a libauthtoken built for "
                + platform + ".";
    }

    /** The message for a library that exists but could not be opened ({@code reason}: JNA's). */
    public static String openFailedMessage(Path path, String reason) {
        return "authtoken: could not load " + path + ": " + describe(path) + "; the loader said: " + reason
                + ". Set -D" + PROPERTY + " (or " + ENV + ") to a libauthtoken built for " + platform()
                + ", or use the authtoken jar for this platform.";
    }

    /** The message for a library of another ABI ({@code found} null: no authtoken_abi_version). */
    public static String abiMismatchMessage(Path path, Integer found) {
        String what = found == null
                ? "has no authtoken_abi_version(), so it predates ABI versions"
                : "has ABI version " + Integer.toUnsignedString(found);
        return "authtoken: " + path + " " + what + ", but this binding (" + version() + ") needs ABI version "
                + ABI_VERSION + " (libauthtoken.so." + ABI_VERSION + "). Use the authtoken jar that matches the "
                + "library, or point -D" + PROPERTY + " (or " + ENV + ") at a library of ABI " + ABI_VERSION + ".";
    }

    /** What the file at {@code path} is, from its first bytes (an ELF file for aarch64, ...). */
    public static String describe(Path path) {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(20);
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
        if (head.length == 0) {
            return "an empty file";
        }
        if (head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
            return describeElf(head);
        }
        if (head.length >= 4 && (head[0] & 0xff) == 0xcf && (head[1] & 0xff) == 0xfa
                && (head[2] & 0xff) == 0xed && (head[3] & 0xff) == 0xfe) {
            return "a Mach-O file (a macOS library)";
        }
        if (head.length >= 2 && head[0] == 'M' && head[1] == 'Z') {
            return "a Windows PE file (a DLL)";
        }
        int n = Math.min(8, head.length);
        return "not a shared library (it starts with \"" + new String(head, 0, n, StandardCharsets.ISO_8859_1) + "\")";
    }

    private static String describeElf(byte[] head) {
        if (head.length < 20) {
            return "a truncated ELF file";
        }
        String bits = head[4] == 1 ? "32-bit" : head[4] == 2 ? "64-bit" : "unknown-class";
        int lo = head[18] & 0xff;
        int hi = head[19] & 0xff;
        int machine = head[5] == 2 ? (lo << 8) | hi : (hi << 8) | lo;
        return "an ELF " + bits + " file for " + elfMachine(machine) + ", while this process is "
                + arch(System.getProperty("os.arch"));
    }

    /** The name of an ELF e_machine value. */
    public static String elfMachine(int machine) {
        switch (machine) {
            case 3: return "x86 (32-bit)";
            case 40: return "arm (32-bit)";
            case 62: return "x86_64";
            case 183: return "aarch64";
            case 20: return "ppc";
            case 21: return "ppc64";
            case 22: return "s390x";
            case 243: return "riscv";
            default: return "machine " + machine;
        }
    }

    /** The repository root when these classes come from a checkout (target/...), else null. */
    static Path checkoutRoot() {
        try {
            CodeSource source = Loader.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return null;
            }
            for (Path dir = Paths.get(source.getLocation().toURI()).toAbsolutePath(); dir != null;
                    dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("Cargo.toml"))
                        && Files.isRegularFile(dir.resolve("include/authtoken.h"))) {
                    return dir;
                }
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    /**
     * Finds the library to open, extracting the jar's copy if that is the one. Throws
     * LibraryLoadError naming what was tried when there is none.
     */
    static Path locate(String property, String env, String platform) {
        if (property != null && !property.isEmpty()) {
            Path p = Paths.get(property).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new LibraryLoadError(notAFileMessage(PROPERTY, p));
            }
            return p;
        }
        if (env != null && !env.isEmpty()) {
            Path p = Paths.get(env).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new LibraryLoadError(notAFileMessage(ENV, p));
            }
            return p;
        }
        List<String> tried = new ArrayList<>();
        String resource = resourcePath(platform);
        tried.add("the jar's resource " + resource);
        Path extracted = extract(resource);
        if (extracted != null) {
            return extracted;
        }
        Path root = checkoutRoot();
        if (root != null) {
            for (String profile : List.of("release", "debug")) {
                Path p = root.resolve("target").resolve(profile).resolve(libraryName(platform));
                tried.add(p.toString());
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new LibraryLoadError(notFoundMessage(tried, platform));
    }

    /** Copies a resource of the jar to a new private file (0700 directory), deleted on exit. */
    private static Path extract(String resource) {
        try (InputStream in = Loader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Path dir = Files.createTempDirectory("authtoken-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            dir.toFile().deleteOnExit(); // deleted after the file (reverse order of registration)
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new LibraryLoadError("authtoken: could not extract the library " + resource
                    + " from the jar to a temporary directory (" + e + "). Set java.io.tmpdir to a writable "
                    + "directory, or set -D" + PROPERTY + " to a libauthtoken.so." + ABI_VERSION + ".");
        }
    }

    /** The inputs of {@link #locate} for this JVM. */
    static Path locate() {
        Map<String, String> env = System.getenv();
        return locate(System.getProperty(PROPERTY), env.get(ENV), platform());
    }
}

package authtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the binding finds libauthtoken and what it says when it cannot use what it found: each
 * case loads the library in a fresh JVM (Probe), or asks Loader directly for a platform this
 * machine is not.
 */
class LoadingTest {
    static final Path LIBRARY = Paths.get(System.getProperty(Loader.PROPERTY));
    static final String CLASSPATH = TestSupport.CLASSPATH;

    @TempDir
    Path dir;

    /** Runs Probe in a new JVM; returns [exit status, output]. */
    static List<Object> probe(Map<String, String> env, String classpath, String... jvmArgs) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-cp", classpath, "authtoken.Probe"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove(Loader.ENV);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return List.of(p.waitFor(), out);
    }

    static List<Object> probeWith(String library) throws Exception {
        return probe(Map.of(), CLASSPATH, "-D" + Loader.PROPERTY + "=" + library);
    }

    @Test
    void theLibraryNamedByThePropertyIsUsed() throws Exception {
        List<Object> r = probeWith(LIBRARY.toString());
        assertEquals(0, r.get(0), r.get(1).toString());
        assertTrue(r.get(1).toString().contains("loaded " + LIBRARY + " version "), r.get(1).toString());
    }

    @Test
    void theEnvironmentVariableIsUsedWithoutTheProperty() throws Exception {
        List<Object> r = probe(Map.of(Loader.ENV, LIBRARY.toString()), CLASSPATH);
        assertEquals(0, r.get(0), r.get(1).toString());
        assertTrue(r.get(1).toString().contains("loaded " + LIBRARY), r.get(1).toString());
        r = probe(Map.of(Loader.ENV, "/nonexistent/libauthtoken.so"), CLASSPATH);
        assertEquals(1, r.get(0));
        assertTrue(r.get(1).toString().contains("authtoken: AUTHTOKEN_LIB is /nonexistent/libauthtoken.so, which "
                + "is not a file."), r.get(1).toString());
    }

    @Test
    void aMissingLibraryNamedByTheProperty() throws Exception {
        List<Object> r = probeWith("/nonexistent/libauthtoken.so");
        assertEquals(1, r.get(0));
        String out = r.get(1).toString();
        assertTrue(out.contains("authtoken.LibraryLoadError: authtoken: the system property authtoken.lib is "
                + "/nonexistent/libauthtoken.so, which is not a file. Point it at a libauthtoken.so.0"), out);
    }

    @Test
    void aLibraryForAnotherArchitectureSaysWhatItIsFor() throws Exception {
        Path foreign = dir.resolve("libauthtoken.so");
        byte[] bytes = Files.readAllBytes(LIBRARY);
        bytes[18] = (byte) 183; // ELF e_machine (little-endian): aarch64
        bytes[19] = 0;
        Files.write(foreign, bytes);
        List<Object> r = probeWith(foreign.toString());
        assertEquals(1, r.get(0));
        String out = r.get(1).toString();
        assertTrue(out.contains("authtoken: could not load " + foreign + ": an ELF 64-bit file for aarch64, "
                + "while this process is x86_64; the loader said:"), out);
        assertTrue(out.contains("Set -Dauthtoken.lib (or AUTHTOKEN_LIB) to a libauthtoken built for linux-x86_64"),
                out);
    }

    @Test
    void aFileThatIsNotALibrary() throws Exception {
        Path bogus = dir.resolve("libauthtoken.so");
        Files.writeString(bogus, "not an ELF file");
        List<Object> r = probeWith(bogus.toString());
        assertEquals(1, r.get(0));
        assertTrue(r.get(1).toString().contains("authtoken: could not load " + bogus
                + ": not a shared library (it starts with \"not an E\")"), r.get(1).toString());
    }

    @Test
    void aLibraryOfAnotherAbiVersionIsRefused() throws Exception {
        Path other = stub("other", "unsigned authtoken_abi_version(void) { return 99; }\n");
        List<Object> r = probeWith(other.toString());
        assertEquals(1, r.get(0));
        assertTrue(r.get(1).toString().contains("authtoken: " + other + " has ABI version 99, but this binding ("
                + AuthToken.version() + ") needs ABI version 0 (libauthtoken.so.0). Use the authtoken jar that "
                + "matches the library, or point -Dauthtoken.lib (or AUTHTOKEN_LIB) at a library of ABI 0."),
                r.get(1).toString());
    }

    @Test
    void aLibraryFromBeforeAbiVersionsIsRefused() throws Exception {
        Path old = stub("old", "int authtoken_noop(void) { return 0; }\n");
        List<Object> r = probeWith(old.toString());
        assertEquals(1, r.get(0));
        assertTrue(r.get(1).toString().contains("authtoken: " + old
                + " has no authtoken_abi_version(), so it predates ABI versions"), r.get(1).toString());
    }

    @Test
    void aJarResourceIsExtractedToAPrivateFileDeletedOnExit() throws Exception {
        Path resources = dir.resolve("resources");
        Path inJar = resources.resolve(Loader.resourcePath("linux-x86_64").substring(1));
        Files.createDirectories(inJar.getParent());
        Files.copy(LIBRARY, inJar);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<Object> r = probe(Map.of(), resources + ":" + CLASSPATH, "-Djava.io.tmpdir=" + tmp);
        String out = r.get(1).toString();
        assertEquals(0, r.get(0), out);
        Matcher m = Pattern.compile("loaded (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        Path extracted = Paths.get(m.group(1));
        assertEquals(tmp, extracted.getParent().getParent(), out);
        assertTrue(extracted.getParent().getFileName().toString().startsWith("authtoken-"), out);
        assertFalse(Files.exists(extracted.getParent()), "the private directory is removed at exit");
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void theExtractionDirectoryIsPrivate() throws IOException {
        Path d = Files.createTempDirectory(dir, "authtoken-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
    }

    @Test
    void withoutAnyLibraryTheMessageNamesTheReleaseJar() {
        List<String> tried = List.of("the jar's resource /authtoken/native/linux-x86_64/libauthtoken.so");
        String message = Loader.notFoundMessage(tried, "linux-x86_64");
        assertEquals("authtoken: the native library was not found (looked in the jar's resource "
                + "/authtoken/native/linux-x86_64/libauthtoken.so). This authtoken jar has no library for "
                + "linux-x86_64: use the release jar authtoken-VERSION.jar, which carries it under "
                + "/authtoken/native/linux-x86_64/libauthtoken.so, or set -Dauthtoken.lib (or AUTHTOKEN_LIB) to "
                + "the path of a libauthtoken built for linux-x86_64.", message);
    }

    @Test
    void anUnsupportedPlatformNamesThePlatformsThatHaveAJar() {
        String platform = Loader.platform("Mac OS X", "aarch64");
        assertEquals("darwin-aarch64", platform);
        assertEquals("/authtoken/native/darwin-aarch64/libauthtoken.dylib", Loader.resourcePath(platform));
        assertEquals("linux-x86_64", Loader.platform("Linux", "amd64"));
        LibraryLoadError e = org.junit.jupiter.api.Assertions.assertThrows(LibraryLoadError.class,
                () -> Loader.locate(null, null, platform));
        assertTrue(e.getMessage().startsWith("authtoken: the native library was not found (looked in the jar's "
                + "resource /authtoken/native/darwin-aarch64/libauthtoken.dylib"), e.getMessage());
        assertTrue(e.getMessage().endsWith("No authtoken jar ships a library for darwin-aarch64 (jars carry one "
                + "for linux-x86_64): build libauthtoken for it from source (`cargo build --release -p authtoken`), "
                + "or set -Dauthtoken.lib (or AUTHTOKEN_LIB) to the path of a libauthtoken built for "
                + "darwin-aarch64."), e.getMessage());
    }

    /** A stand-in for libauthtoken built with cc from {@code source}. */
    Path stub(String name, String source) throws Exception {
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, source);
        Path library = Files.createDirectories(dir.resolve(name)).resolve("libauthtoken.so");
        Process p = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", library.toString(), c.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return library;
    }
}

package authtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes: 8 JVMs of 16 threads each, and a Ruby process of the Ruby binding, sharing one
 * AUTHTOKEN_CACHE_DIR (the file cache), make one login between them.
 */
class ProcessesTest extends TestSupport {
    static final int JVMS = 8;
    static final int THREADS = 16;
    static final int RUBY_THREADS = 4;

    @TempDir
    Path cacheDir;

    @Test
    void eightJvmsOfSixteenThreadsAndARubyProcessShareOneLogin() throws Exception {
        Map<String, Object> config = config("tpstreams", username);
        config.remove("password");
        config.put("cache", "file");
        config.put("cache_dir", cacheDir.toString());
        String json = Json.write(config);
        String library = System.getProperty(Loader.PROPERTY);
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();

        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < JVMS; i++) {
            processes.add(start(new ProcessBuilder(java, "-D" + Loader.PROPERTY + "=" + library, "-cp",
                    CLASSPATH, "authtoken.StormWorker", json, String.valueOf(THREADS))));
        }
        boolean ruby = hasRuby();
        if (ruby) {
            ProcessBuilder pb = new ProcessBuilder("ruby", "-I", ROOT.resolve("bindings/ruby/lib").toString(),
                    ROOT.resolve("bindings/ruby/test/storm_worker.rb").toString(), json, String.valueOf(RUBY_THREADS));
            pb.environment().put("AUTHTOKEN_LIB", library);
            processes.add(start(pb));
        } else {
            System.out.println("ProcessesTest: ruby is not installed: the Ruby process is skipped "
                    + "(8 JVMs only)");
        }
        Thread.sleep(1500); // let every JVM start; they wait for end-of-file on stdin
        for (Process p : processes) {
            p.getOutputStream().close(); // go
        }
        List<String> headers = new ArrayList<>();
        List<Object> errors = new ArrayList<>();
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), err);
            Map<?, ?> outcome = (Map<?, ?>) Json.parse(out.trim());
            for (Object h : (List<?>) outcome.get("headers")) {
                headers.add((String) h);
            }
            errors.addAll((List<?>) outcome.get("errors"));
        }
        assertEquals(List.of(), errors);
        assertEquals(JVMS * THREADS + (ruby ? RUBY_THREADS : 0), headers.size());
        Set<String> distinct = new HashSet<>(headers);
        assertEquals(1, distinct.size(), distinct.toString());
        assertTrue(headers.get(0).matches("Token [0-9a-f]{64}"));
        assertEquals(1, logins("tpstreams"), "one login for every JVM, thread and the Ruby process");
        try (var entries = Files.walk(cacheDir)) {
            assertTrue(entries.anyMatch(Files::isRegularFile), "the token was written to the file cache");
        }
    }

    static Process start(ProcessBuilder pb) throws Exception {
        pb.environment().put("AUTHTOKEN_PASSWORD", PASSWORD);
        return pb.start();
    }

    static boolean hasRuby() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Paths.get(dir, "ruby"))) {
                return true;
            }
        }
        return false;
    }
}

<?php

/**
 * Figures for the PHP binding, printed side by side (nothing is asserted):
 *
 * - the FFI floor (authtoken_noop(), the cost of crossing into the library);
 * - a warm authorizationHeader() per call;
 * - signed GETs per second against the emulator: Client::get() next to ext-curl on one
 *   keep-alive handle sending the same header (with the header fixed, and with
 *   authorizationHeader() asked for on every request, as an application would);
 * - a fresh PHP process (as a PHP-FPM request without preloading would be) creating a client
 *   and getting the header from the warm file cache: FFI::cdef() against an ffi.preload scope.
 *
 * Usage: AUTHTOKEN_EMULATOR=http://127.0.0.1:PORT php bench/bench.php [seconds per figure]
 * (`make bench-php` builds release binaries and starts the emulator). Runs on this machine's
 * shared cores: compare the figures of one run with each other, not across runs.
 */

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

use AuthToken\Client;
use AuthToken\Library;

if (!extension_loaded('curl')) {
    fwrite(STDERR, "bench.php needs ext-curl (Debian: apt-get install php-curl)\n");
    exit(2);
}
$emulator = rtrim((string) getenv('AUTHTOKEN_EMULATOR'), '/');
if ($emulator === '') {
    fwrite(STDERR, "set AUTHTOKEN_EMULATOR (scripts/with-emulator.sh php bench/bench.php)\n");
    exit(2);
}
$seconds = (float) ($argv[1] ?? 2.0);

/** Calls $fn repeatedly for about $seconds; returns seconds per call. */
$measure = static function (callable $fn, float $seconds): float {
    for ($i = 0; $i < 50; $i++) {
        $fn();
    }
    $batch = 1;
    $calls = 0;
    $start = hrtime(true);
    $deadline = $start + (int) ($seconds * 1e9);
    do {
        for ($i = 0; $i < $batch; $i++) {
            $fn();
        }
        $calls += $batch;
        $batch = min($batch * 2, 100_000);
        $now = hrtime(true);
    } while ($now < $deadline);
    return ($now - $start) / 1e9 / $calls;
};

/** Prints one figure: time per call and calls per second. */
$row = static function (string $name, float $s): void {
    $perCall = $s < 1e-3 ? sprintf('%8.2f µs', $s * 1e6) : sprintf('%8.3f ms', $s * 1e3);
    printf("  %-52s %s %12s/s\n", $name, $perCall, number_format(1 / $s));
};

/** Logins the emulator counted for the benchmark's username. */
$logins = static function () use ($emulator, &$config): int {
    $stats = json_decode((string) file_get_contents("$emulator/_emulator/stats"), true);
    return $stats['logins']['tpstreams'][$config['username']] ?? 0;
};

$cache = sys_get_temp_dir() . '/authtoken-php-bench-' . bin2hex(random_bytes(4));
$config = [
    'provider' => 'tpstreams',
    'username' => 'php-bench-' . bin2hex(random_bytes(4)) . '@example.com',
    'password' => 'demo-password',
    'organization_id' => 'bench-' . bin2hex(random_bytes(4)),
    'base_url' => "$emulator/tpstreams",
    'cache' => 'file',
    'cache_dir' => $cache,
];
$client = new Client($config);
$header = $client->authorizationHeader();
$ffi = Library::ffi();
$url = "$emulator/tpstreams/api/echo/";

printf(
    "authtoken PHP binding: PHP %s, libauthtoken %s (%s), %s per figure\n",
    PHP_VERSION,
    Library::version(),
    Library::loadedPath() ?? Library::mode(),
    $seconds . ' s',
);

echo "\nIn-process calls\n";
$floor = $measure(fn () => $ffi->authtoken_noop(), $seconds);
$row('FFI floor: authtoken_noop()', $floor);
$warm = $measure(fn () => $client->authorizationHeader(), $seconds);
$row('authorizationHeader(), warm', $warm);
printf("  %-52s %8.1fx the floor\n", 'authorizationHeader() / floor', $warm / $floor);

echo "\nSigned GET /api/echo/ against the emulator (keep-alive)\n";
$curl = curl_init($url);
curl_setopt_array($curl, [
    CURLOPT_RETURNTRANSFER => true,
    CURLOPT_HTTPHEADER => ["Authorization: $header", 'Accept: application/json'],
]);
$curlGet = function () use ($curl): void {
    $body = curl_exec($curl);
    if (!is_string($body) || curl_getinfo($curl, CURLINFO_RESPONSE_CODE) !== 200) {
        throw new RuntimeException('curl: ' . curl_error($curl));
    }
};
$curlSigned = function () use ($curl, $client): void {
    $headers = ['Authorization: ' . $client->authorizationHeader(), 'Accept: application/json'];
    curl_setopt($curl, CURLOPT_HTTPHEADER, $headers);
    $body = curl_exec($curl);
    if (!is_string($body) || curl_getinfo($curl, CURLINFO_RESPONSE_CODE) !== 200) {
        throw new RuntimeException('curl: ' . curl_error($curl));
    }
};
$authtokenGet = function () use ($client): void {
    if ($client->get('/api/echo/')->status !== 200) {
        throw new RuntimeException('authtoken: not 200');
    }
};
// Interleave the three, twice, and keep each one's best, so that a burst of load from
// elsewhere on the machine does not favour one of them.
$best = ['curl' => INF, 'curl+header' => INF, 'authtoken' => INF];
for ($round = 0; $round < 2; $round++) {
    $best['curl'] = min($best['curl'], $measure($curlGet, $seconds / 2));
    $best['curl+header'] = min($best['curl+header'], $measure($curlSigned, $seconds / 2));
    $best['authtoken'] = min($best['authtoken'], $measure($authtokenGet, $seconds / 2));
}
$row('ext-curl, one keep-alive handle, fixed header', $best['curl']);
$row('ext-curl + authorizationHeader() per request', $best['curl+header']);
$row('Client::get()', $best['authtoken']);
printf(
    "  %-52s %8.2fx (throughput %.2fx)\n",
    'Client::get() time / ext-curl',
    $best['authtoken'] / $best['curl'],
    $best['curl'] / $best['authtoken'],
);
printf("  %-52s %8.2fx\n", 'ext-curl + header per request / ext-curl', $best['curl+header'] / $best['curl']);
curl_close($curl);

echo "\nA fresh PHP process: load the library, new Client, authorizationHeader() from the file cache\n";
$child = tempnam(sys_get_temp_dir(), 'authtoken-bench-') . '.php';
file_put_contents($child, <<<'PHP'
    <?php
    $t = hrtime(true);
    require getenv('BENCH_AUTOLOAD');
    $client = AuthToken\Client::fromJson((string) getenv('BENCH_CONFIG'));
    $client->authorizationHeader();
    echo (hrtime(true) - $t) / 1e3, ' ', AuthToken\Library::mode(), "\n";
    PHP);
$preloadHeader = tempnam(sys_get_temp_dir(), 'authtoken-bench-') . '.h';
file_put_contents($preloadHeader, Library::preloadHeader(Library::loadedPath()));
$env = getenv() + [
    'BENCH_AUTOLOAD' => dirname(__DIR__) . '/autoload.php',
    'BENCH_CONFIG' => json_encode($config, JSON_THROW_ON_ERROR),
];
$env['AUTHTOKEN_LIB'] = (string) Library::loadedPath();
$variants = [
    'FFI::cdef() (no preload)' => [],
    'ffi.preload + FFI::scope()' => ['-d', 'ffi.enable=preload', '-d', "ffi.preload=$preloadHeader"],
];
$before = $logins();
foreach ($variants as $name => $args) {
    $times = [];
    for ($i = 0; $i < 21; $i++) {
        $process = proc_open([PHP_BINARY, ...$args, $child], [1 => ['pipe', 'w']], $pipes, null, $env);
        [$micros, $mode] = explode(' ', trim((string) stream_get_contents($pipes[1])));
        proc_close($process);
        $times[] = (float) $micros;
    }
    sort($times);
    printf("  %-52s %8.3f ms (median of 21, mode %s)\n", $name, $times[10] / 1e3, $mode);
}
$after = $logins();
printf("  %-52s %d\n", 'logins made by those 42 processes', $after - $before);
unlink($child);
unlink($preloadHeader);

$client->logout();
array_map('unlink', glob("$cache/*") ?: []);
rmdir($cache);

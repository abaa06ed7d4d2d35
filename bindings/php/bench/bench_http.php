<?php

/**
 * The PHP rows of `make bench-http` (scripts/bench-http.sh): signed keep-alive GETs of a
 * small JSON answered by a local nginx, on one connection, the body read. Prints figures;
 * asserts nothing about time.
 *
 * Rows: ext-curl on one reused handle with a fixed Authorization header (the native client),
 * then the binding's Client::get(). Each prints "row<TAB>php<TAB>native|binding<TAB>label<TAB>req/s".
 *
 * Environment (the script sets it): BENCH_HTTP_BASE (the client's base_url, nginx's
 * /tpstreams prefix, whose logins nginx passes on to the emulator), BENCH_HTTP_PATH
 * (/api/bench/), BENCH_HTTP_S (seconds per row), BENCH_HTTP_ROUNDS (interleaved rounds the
 * seconds are split into, 3), BENCH_HTTP_PASSWORD, AUTHTOKEN_LIB.
 */

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

use AuthToken\Client;

if (!extension_loaded('curl')) {
    fwrite(STDERR, "bench_http.php needs ext-curl (Debian: apt-get install php-curl)\n");
    exit(2);
}
$base = rtrim((string) getenv('BENCH_HTTP_BASE'), '/');
$password = (string) getenv('BENCH_HTTP_PASSWORD');
if ($base === '' || $password === '') {
    fwrite(STDERR, "set BENCH_HTTP_BASE and BENCH_HTTP_PASSWORD (make bench-http runs this benchmark)\n");
    exit(2);
}
$path = (string) (getenv('BENCH_HTTP_PATH') ?: '/api/bench/');
$seconds = (float) (getenv('BENCH_HTTP_S') ?: '3');
$rounds = max(1, (int) (getenv('BENCH_HTTP_ROUNDS') ?: '3'));

/** Requests per second of $fn over about $seconds, after a 0.2 s warm-up. */
$rate = static function (callable $fn, float $seconds): float {
    $warm = hrtime(true) + 200_000_000;
    while (hrtime(true) < $warm) {
        $fn();
    }
    $count = 0;
    $start = hrtime(true);
    $deadline = $start + (int) ($seconds * 1e9);
    do {
        for ($i = 0; $i < 64; $i++) {
            $fn();
        }
        $count += 64;
        $now = hrtime(true);
    } while ($now < $deadline);
    return $count / (($now - $start) / 1e9);
};

$tag = 'bench-http-php-' . getmypid();
$client = new Client([
    'provider' => 'tpstreams',
    'username' => "$tag@example.com",
    'password' => $password,
    'organization_id' => $tag,
    'base_url' => $base,
    'cache' => 'memory',
]);
$header = $client->authorizationHeader();

$curl = curl_init("$base$path");
curl_setopt_array($curl, [
    CURLOPT_RETURNTRANSFER => true,
    CURLOPT_HTTPHEADER => ["Authorization: $header"],
]);
$curlGet = static function () use ($curl): void {
    $body = curl_exec($curl);
    if (!is_string($body) || $body === '' || curl_getinfo($curl, CURLINFO_RESPONSE_CODE) !== 200) {
        throw new RuntimeException('curl: ' . curl_error($curl));
    }
};
$authtokenGet = static function () use ($client, $path): void {
    $response = $client->get($path);
    if ($response->status !== 200 || $response->body === '') {
        throw new RuntimeException('authtoken: not 200');
    }
};

// The rows in turns: $rounds rounds of $seconds / $rounds each, interleaved, each row's best
// round kept (a burst of load from elsewhere on the machine then does not favour one row).
$rows = [
    ['native', 'ext-curl, reused handle, fixed header', $curlGet],
    ['binding', 'authtoken Client::get()', $authtokenGet],
];
$best = array_fill(0, count($rows), 0.0);
for ($round = 0; $round < $rounds; $round++) {
    foreach ($rows as $i => [, , $fn]) {
        $best[$i] = max($best[$i], $rate($fn, $seconds / $rounds));
    }
}
foreach ($rows as $i => [$role, $label]) {
    printf("row\tphp\t%s\t%s\t%.1f\n", $role, $label, $best[$i]);
}
curl_close($curl);

<?php

/*
 * The secrets audit's PHP scenario, run by scripts/secrets-audit.sh, which scans everything
 * this program prints (and the disk): var_dump/print_r of clients, responses and exceptions
 * (stack traces with their arguments: zend.exception_ignore_args is turned off), for logins,
 * signed requests, re-logins, logouts and failures with every provider and the file cache.
 * The tokens it obtains go to $AUDIT_TOKENS only; the password is $AUDIT_PASSWORD, which the
 * emulator at $AUTHTOKEN_EMULATOR was started with.
 *
 * Not an example of good practice: it prints what a careless program might print. The
 * password is never an unmarked argument of this script's own functions, nor captured by its
 * closures (stack traces would show it: that would be this script's leak, not the library's;
 * mark such parameters #[\SensitiveParameter], as AuthToken\Client does).
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/autoload.php';

use AuthToken\AuthTokenException;
use AuthToken\Client;

ini_set('zend.exception_ignore_args', '0');
error_reporting(E_ALL);

$root = getenv('AUTHTOKEN_EMULATOR');
$tokens = fopen((string) getenv('AUDIT_TOKENS'), 'a');
if ($root === false || getenv('AUDIT_PASSWORD') === false || $tokens === false) {
    fwrite(STDERR, "audit: AUTHTOKEN_EMULATOR, AUDIT_PASSWORD and AUDIT_TOKENS must be set\n");
    exit(2);
}

function admin(string $path, array $body): void
{
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => "Content-Type: application/json\r\n",
        'content' => json_encode($body),
    ]]);
    if (file_get_contents(getenv('AUTHTOKEN_EMULATOR') . "/_emulator/$path", false, $context) === false) {
        throw new RuntimeException("admin $path failed");
    }
}

/** A config for `$provider`; `$suffix` is appended to the audit password (a wrong password). */
function config(string $provider, string $user, string $suffix = '', array $extra = []): array
{
    $config = [
        'provider' => $provider,
        'username' => $user,
        'password' => getenv('AUDIT_PASSWORD') . $suffix,
        'base_url' => getenv('AUTHTOKEN_EMULATOR') . "/$provider",
    ] + $extra;
    if ($provider === 'tpstreams') {
        $config['organization_id'] = 'audit-php';
    }
    return $config;
}

function client(#[\SensitiveParameter] array $config): Client
{
    $client = new Client($config);
    echo 'show: client ';
    var_dump($client);
    print_r($client);
    echo "\n";
    try {
        echo 'show: serialized ' . serialize($client) . "\n";
    } catch (\Throwable $e) {
        echo 'show: serialize refused: ' . $e->getMessage() . "\n";
    }
    return $client;
}

function show(string $what, \Throwable $e): void
{
    echo "show: $what -> " . get_class($e) . ': ' . $e->getMessage() . "\n" . $e . "\n";
    print_r($e);
    echo "\n";
    var_dump($e);
}

function expectError(string $what, string $class, callable $call): void
{
    try {
        $call();
    } catch (\Throwable $e) {
        if (!$e instanceof $class) {
            throw $e;
        }
        show($what, $e);
        return;
    }
    throw new RuntimeException("$what: no $class");
}

foreach (['tpstreams', 'tpstreams-legacy', 'testpress', 'cruxconnect'] as $provider) {
    echo "# $provider\n";
    $c = client(config($provider, 'audit-php'));
    fwrite($tokens, $c->token() . "\n");
    $r = $c->get('/api/echo/');
    // The echo endpoint returns the request's headers in its body, by design: not shown.
    echo "show: HTTP {$r->status} " . json_encode($r->headers) . "\n";
    admin('revoke', ['service' => $provider, 'username' => 'audit-php']);
    echo 'show: after a revocation: HTTP ' . $c->get('/api/echo/')->status . "\n";
    fwrite($tokens, $c->token() . "\n");
    admin('faults', [
        'service' => $provider, 'path' => '/api/echo/', 'kind' => 'status', 'status' => 401, 'count' => 2,
    ]);
    expectError('persistent 401', AuthToken\Exception\UnauthorizedException::class, fn () => $c->get('/api/echo/'));
    fwrite($tokens, $c->token() . "\n");
    admin('faults', ['service' => $provider, 'path' => '/api/echo/', 'kind' => 'status', 'status' => 400]);
    $resp = $c->get('/api/echo/');
    expectError('throwForStatus', AuthToken\Exception\HttpStatusException::class, fn () => $resp->throwForStatus());
    expectError(
        'a header with a newline',
        AuthToken\Exception\InvalidArgumentException::class,
        fn () => $c->get('/api/echo/', ['headers' => ['X-Bad' => "a\nb"]])
    );
    expectError(
        'another origin',
        AuthToken\Exception\InvalidArgumentException::class,
        fn () => $c->get('https://elsewhere.example/')
    );
    if ($provider === 'tpstreams' || $provider === 'testpress') {
        admin('faults', ['service' => $provider, 'path' => 'logout', 'kind' => 'status', 'status' => 500]);
        expectError('logout answered 500', AuthToken\Exception\ServerException::class, fn () => $c->logout());
    }
    $c->logout();
    $c->close();
}

echo "# failures at login\n";
$bad = client(config('cruxconnect', 'audit-php-wrong', '-wrong'));
expectError('wrong password', AuthToken\Exception\InvalidCredentialsException::class, fn () => $bad->token());
$faults = [
    ['kind' => 'malformed'],
    ['kind' => 'oversized', 'bytes' => 2 << 20],
    ['kind' => 'drop'],
    ['kind' => 'status', 'status' => 503, 'retry_after' => 1],
    ['kind' => 'delay', 'delay_ms' => 1500],
];
foreach ($faults as $fault) {
    admin('faults', ['service' => 'cruxconnect', 'path' => 'login'] + $fault);
    $failing = client(config('cruxconnect', 'audit-php-fault', '', ['timeout_ms' => 300]));
    expectError(json_encode($fault), AuthTokenException::class, fn () => $failing->token());
}

echo "# configuration errors\n";
/** An invalid config holding the password (built here, so that no closure captures it). */
function badConfig(int $i): array
{
    $pw = getenv('AUDIT_PASSWORD');
    return [
        ['provider' => 'cruxconnect', 'username' => 'u', 'pasword' => $pw],
        ['provider' => 'cruxconnect', 'username' => 'u', 'password' => $pw, 'base_url' => "http://u:$pw@127.0.0.1:1/"],
        ['provider' => 'cruxconnect', 'username' => 'u', 'password' => $pw, 'colour' => $pw],
    ][$i];
}
foreach ([0, 1, 2] as $i) {
    expectError(
        'invalid config',
        AuthToken\Exception\InvalidConfigException::class,
        fn () => new Client(badConfig($i))
    );
}
$redis = client(config('cruxconnect', 'audit-php-redis', '', [
    'cache' => 'redis://:' . getenv('AUDIT_PASSWORD') . '@127.0.0.1:1/0',
    'connect_timeout_ms' => 300,
]));
expectError('unreachable Redis with a password', AuthToken\Exception\StoreException::class, fn () => $redis->token());
fclose($tokens);
echo "audit: done\n";

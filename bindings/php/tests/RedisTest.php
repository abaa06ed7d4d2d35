<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\Client;
use AuthToken\Exception\StoreException;

/**
 * The Redis token store from PHP: PHP processes on four simulated machines (each with a file
 * cache directory of its own) share one token through Redis, see a logout made elsewhere, and
 * an unreachable Redis is a StoreException rather than a login of their own.
 *
 * Needs a Redis server in AUTHTOKEN_REDIS_URL (`make test-redis`, or scripts/with-redis.sh).
 */
final class RedisTest extends TestCase
{
    private const MACHINES = 4;
    private const PROCESSES_EACH = 4;

    private string $redisUrl = '';

    protected function setUp(): void
    {
        parent::setUp();
        $url = getenv('AUTHTOKEN_REDIS_URL');
        if ($url === false || $url === '') {
            self::markTestSkipped(
                'AUTHTOKEN_REDIS_URL is not set: run `make test-redis` (or scripts/with-redis.sh) '
                . 'to test the Redis store'
            );
        }
        $this->redisUrl = $url;
    }

    public function testFourMachinesStartingColdMakeOneLogin(): void
    {
        // A slow login keeps it in flight while every process arrives.
        $this->emulator->admin('POST', 'faults', [
            'service' => 'tpstreams', 'path' => 'login', 'kind' => 'delay', 'delay_ms' => 300,
        ]);
        $config = $this->redisConfig(['redis_fallback' => true]);
        $go = $this->tempDir() . '/go';
        $script = $this->script(<<<'PHP'
            <?php
            require getenv('AUTHTOKEN_PHP_DIR') . '/autoload.php';
            $client = AuthToken\Client::fromJson((string) getenv('MACHINE_CONFIG'));
            fwrite(STDOUT, "ready\n");
            fflush(STDOUT);
            $deadline = microtime(true) + 60;
            while (!file_exists((string) getenv('MACHINE_GO'))) {
                if (microtime(true) > $deadline) {
                    exit(3);
                }
                usleep(200);
                clearstatcache();
            }
            fwrite(STDOUT, $client->authorizationHeader() . "\n");
            PHP);
        $machines = [];
        $workers = [];
        for ($m = 0; $m < self::MACHINES; $m++) {
            $machines[$m] = $this->tempDir() . '/cache';
            $env = getenv();
            $env['AUTHTOKEN_LIB'] = self::libraryPath();
            $env['AUTHTOKEN_PHP_DIR'] = self::packageDir();
            $env['MACHINE_CONFIG'] = json_encode($config + ['cache_dir' => $machines[$m]], JSON_THROW_ON_ERROR);
            $env['MACHINE_GO'] = $go;
            for ($p = 0; $p < self::PROCESSES_EACH; $p++) {
                $process = proc_open(
                    [PHP_BINARY, $script],
                    [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
                    $pipes,
                    null,
                    $env,
                );
                self::assertIsResource($process);
                $workers[] = [$process, $pipes];
            }
        }
        foreach ($workers as [, $pipes]) {
            if (fgets($pipes[1]) !== "ready\n") {
                self::fail('a process did not start: ' . stream_get_contents($pipes[2]));
            }
        }
        touch($go);
        $headers = [];
        foreach ($workers as [$process, $pipes]) {
            $out = (string) stream_get_contents($pipes[1]);
            $err = (string) stream_get_contents($pipes[2]);
            fclose($pipes[1]);
            fclose($pipes[2]);
            self::assertSame(0, proc_close($process), $err);
            $headers[] = trim($out);
        }
        self::assertCount(self::MACHINES * self::PROCESSES_EACH, $headers);
        self::assertCount(1, array_unique($headers), implode("\n", $headers));
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
        foreach ($machines as $cacheDir) {
            // Each machine keeps a copy in its own file store, for when Redis is down.
            self::assertCount(1, glob("$cacheDir/*.json"), $cacheDir);
        }
    }

    public function testALogoutIsSeenByTheNextProcessOnAnyMachine(): void
    {
        $config = $this->redisConfig();
        $here = new Client($config);
        $header = $here->authorizationHeader();
        $script = $this->script(<<<'PHP'
            <?php
            require getenv('AUTHTOKEN_PHP_DIR') . '/autoload.php';
            echo AuthToken\Client::fromJson((string) getenv('MACHINE_CONFIG'))->authorizationHeader();
            PHP);
        $env = [
            'AUTHTOKEN_PHP_DIR' => self::packageDir(),
            'MACHINE_CONFIG' => json_encode($config, JSON_THROW_ON_ERROR),
        ];
        [$status, $out, $err] = $this->runPhp($script, [], $env);
        self::assertSame(0, $status, $err);
        self::assertSame($header, $out, 'another machine shares the token');
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));

        $here->logout();
        self::assertSame(1, $this->emulator->logouts('tpstreams', $this->username));
        [$status, $out, $err] = $this->runPhp($script, [], $env);
        self::assertSame(0, $status, $err);
        self::assertNotSame($header, $out, 'the next process logs in instead of using the revoked token');
        self::assertSame(2, $this->emulator->logins('tpstreams', $this->username));
        $here->close();
    }

    public function testAnUnreachableRedisIsAStoreErrorWithoutALogin(): void
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        self::assertIsResource($socket);
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($socket, false), ':'), 1);
        fclose($socket);
        $client = new Client($this->config('tpstreams', ['cache' => "redis://:php-secret@127.0.0.1:$port/0"]));
        try {
            $client->authorizationHeader();
            self::fail('expected a StoreException');
        } catch (StoreException $e) {
            self::assertSame(12, $e->getCode());
            self::assertSame('store', $e->getKind());
            self::assertStringContainsString("redis://127.0.0.1:$port/0", $e->getMessage());
            self::assertStringContainsString('unreachable', $e->getMessage());
            self::assertStringContainsString('redis_fallback', $e->getMessage());
            self::assertStringNotContainsString('php-secret', $e->getMessage());
        }
        self::assertSame(0, $this->emulator->loginAttempts('tpstreams', $this->username));
        $client->close();
    }

    /**
     * This test's identity in Redis, under a key prefix of its own.
     *
     * @param array<string, mixed> $overrides
     * @return array<string, mixed>
     */
    private function redisConfig(array $overrides = []): array
    {
        return $this->config('tpstreams', $overrides + [
            'cache' => $this->redisUrl,
            'redis_key_prefix' => 'authtoken-php-test:' . bin2hex(random_bytes(8)) . ':',
        ]);
    }
}

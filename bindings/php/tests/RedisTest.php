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
        $machines = [];
        $envs = [];
        for ($m = 0; $m < self::MACHINES; $m++) {
            $machines[$m] = $this->tempDir() . '/cache';
            $machine = ['STORM_CONFIG' => json_encode($config + ['cache_dir' => $machines[$m]], JSON_THROW_ON_ERROR)];
            array_push($envs, ...array_fill(0, self::PROCESSES_EACH, $machine));
        }
        $headers = $this->runTogether($envs);
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

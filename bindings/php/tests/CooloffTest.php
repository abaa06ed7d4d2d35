<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\Exception;

/**
 * The login cool-off: a refused login is remembered in the identity's store, so that PHP
 * workers with a wrong password ask the server once, not once per request.
 */
final class CooloffTest extends TestCase
{
    private const REFUSED = 'Unable to log in with provided credentials.';

    public function testThirtyProcessesTimesTenCallsWithAWrongPasswordMakeOneAttempt(): void
    {
        $cache = $this->tempDir();
        $lines = $this->runWorkers(30, 10, $cache, 'wrong-password-123');
        self::assertCount(300, $lines);
        self::assertSame(['invalid_credentials|400|' . self::REFUSED], self::outcomes($lines));
        self::assertSame(1, $this->emulator->loginAttempts('tpstreams', $this->username));

        $wrong = $this->client('tpstreams', [
            'cache' => 'file', 'cache_dir' => $cache, 'password' => 'wrong-password-123',
        ]);
        try {
            $wrong->authorizationHeader();
            self::fail('a remembered refusal let a login through');
        } catch (Exception\InvalidCredentialsException $e) {
            self::assertSame([400, self::REFUSED], [$e->getStatus(), $e->getServerMessage()]);
            self::assertStringContainsString('remembered', $e->getMessage());
            self::assertStringNotContainsString('wrong-password-123', $e->getMessage());
            $left = $e->getRetryAfter();
            self::assertNotNull($left);
            self::assertGreaterThan(0, $left);
            self::assertLessThanOrEqual(61, $left); // whole seconds, the end rounded up
        }
        self::assertSame(1, $this->emulator->loginAttempts('tpstreams', $this->username));

        // The password fixed in the configuration: the next call logs in (one more attempt).
        $fixed = $this->client('tpstreams', ['cache' => 'file', 'cache_dir' => $cache]);
        self::assertMatchesRegularExpression('/^Token [0-9a-f]{64}$/', $fixed->authorizationHeader());
        self::assertSame(2, $this->emulator->loginAttempts('tpstreams', $this->username));
        self::assertSame(['ok'], self::outcomes($this->runWorkers(3, 2, $cache, self::password())));
        self::assertSame(2, $this->emulator->loginAttempts('tpstreams', $this->username));
    }

    public function testA429WithRetryAfterStopsEveryProcessUntilItPasses(): void
    {
        $cache = $this->tempDir();
        $this->emulator->fault([
            'service' => 'tpstreams', 'path' => 'login', 'kind' => 'status', 'status' => 429, 'retry_after' => 3,
        ]);
        // login_cooloff_s 1: the longer Retry-After wins.
        $lines = $this->runWorkers(8, 3, $cache, self::password(), ['login_cooloff_s' => 1]);
        $refusedBy = microtime(true); // the refusal happened before this
        self::assertSame(['rate_limited|429|Injected 429'], self::outcomes($lines));
        self::assertSame(1, $this->emulator->loginAttempts('tpstreams', $this->username));
        usleep(4_200_000); // Retry-After 3, in whole seconds with the end rounded up
        $lines = $this->runWorkers(4, 1, $cache, self::password(), ['login_cooloff_s' => 1]);
        self::assertSame(['ok'], self::outcomes($lines));
        self::assertGreaterThan(3.0, microtime(true) - $refusedBy);
        self::assertSame(2, $this->emulator->loginAttempts('tpstreams', $this->username));
    }

    public function testForgetLiftsTheCooloff(): void
    {
        $client = $this->client('tpstreams', ['password' => 'wrong-password-123']);
        for ($i = 0; $i < 3; $i++) {
            try {
                $client->authorizationHeader();
                self::fail('a wrong password logged in');
            } catch (Exception\InvalidCredentialsException) {
            }
        }
        self::assertSame(1, $this->emulator->loginAttempts('tpstreams', $this->username));
        $client->forget();
        try {
            $client->authorizationHeader();
        } catch (Exception\InvalidCredentialsException) {
        }
        self::assertSame(2, $this->emulator->loginAttempts('tpstreams', $this->username));
    }

    /**
     * Runs $processes workers on the file cache $cache, released together, each asking for the
     * header $calls times; returns every line they printed (one per call).
     *
     * @param array<string, mixed> $overrides more configuration
     * @return list<string>
     */
    private function runWorkers(
        int $processes,
        int $calls,
        string $cache,
        string $password,
        array $overrides = [],
    ): array {
        $config = $this->config('tpstreams', ['cache' => 'file', 'cache_dir' => $cache] + $overrides);
        unset($config['password']);
        $env = [
            'STORM_CONFIG' => json_encode($config, JSON_THROW_ON_ERROR),
            'AUTHTOKEN_PASSWORD' => $password,
            'CALLS' => (string) $calls,
        ];
        return $this->runTogether(array_fill(0, $processes, $env));
    }

    /**
     * The lines of $lines, each header replaced by "ok", without repeats.
     *
     * @param list<string> $lines
     * @return list<string>
     */
    private static function outcomes(array $lines): array
    {
        $seen = array_map(fn (string $l) => preg_match('/^Token [0-9a-f]{64}$/', $l) ? 'ok' : $l, $lines);
        return array_values(array_unique($seen));
    }
}

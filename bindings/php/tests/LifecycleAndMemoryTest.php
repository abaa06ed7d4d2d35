<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\AuthTokenException;
use AuthToken\Client;
use AuthToken\Exception\InvalidArgumentException;
use AuthToken\Exception\InvalidConfigException;

/** Handles: freed once, not cloned or serialized, never showing secrets; no leak across 10,000 calls. */
final class LifecycleAndMemoryTest extends TestCase
{
    public function testCloseIsIdempotentAndAClosedClientRefusesWork(): void
    {
        $client = $this->client();
        $client->authorizationHeader();
        self::assertFalse($client->isClosed());
        $client->close();
        $client->close();
        self::assertTrue($client->isClosed());
        $calls = [
            'token' => fn () => $client->token(),
            'header' => fn () => $client->authorizationHeader(),
            'get' => fn () => $client->get('/api/echo/'),
            'logout' => fn () => $client->logout(),
            'forget' => fn () => $client->forget(),
            'baseUrl' => fn () => $client->baseUrl(),
        ];
        foreach ($calls as $name => $call) {
            try {
                $call();
                self::fail("$name worked on a closed client");
            } catch (InvalidArgumentException $e) {
                self::assertSame(14, $e->getCode());
                self::assertSame('this AuthToken\Client was closed', $e->getMessage());
            }
        }
        self::assertSame(0, $this->emulator->logouts('tpstreams', $this->username));
        self::assertSame(0, $this->emulator->requests('tpstreams', $this->username));
        self::assertSame(['baseUrl' => null, 'closed' => true], $client->__debugInfo());
        // Freeing does not revoke: the next client of the identity reuses the token.
        $this->client()->authorizationHeader();
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
    }

    public function testAClientCannotBeClonedOrSerialized(): void
    {
        $client = $this->client();
        try {
            $copy = clone $client;
            self::fail('a client was cloned');
        } catch (\Error $e) {
            self::assertStringContainsString('__clone', $e->getMessage());
        }
        try {
            serialize($client);
            self::fail('a client was serialized');
        } catch (\LogicException $e) {
            self::assertStringContainsString('cannot be serialized', $e->getMessage());
        }
        try {
            unserialize('O:16:"AuthToken\Client":1:{s:6:"handle";i:1;}');
            self::fail('a client was unserialized');
        } catch (\LogicException $e) {
            self::assertStringContainsString('cannot be unserialized', $e->getMessage());
        }
        self::assertStringStartsWith('Token ', $client->authorizationHeader());
    }

    public function testResponsesOutliveTheirClient(): void
    {
        $client = $this->client();
        $ok = $client->get('/api/echo/');
        $missing = $client->get('/api/missing/');
        $client->close();
        unset($client);
        gc_collect_cycles();
        self::assertSame('GET', $ok->json()['method']);
        $this->expectException(\AuthToken\Exception\HttpStatusException::class);
        $missing->throwForStatus();
    }

    public function testNeitherPasswordNorTokenShowInDebugOutput(): void
    {
        $secret = 'pw-' . bin2hex(random_bytes(8));
        $this->emulator->admin('POST', 'config', ['password' => $secret]);
        try {
            $client = $this->client('tpstreams', ['password' => $secret]);
            $token = $client->token();
            $header = $client->authorizationHeader(); // now cached in the client
        } finally {
            $this->emulator->admin('POST', 'config', ['password' => self::password()]);
        }
        ob_start();
        var_dump($client);
        $dumps = [
            ob_get_clean(),
            print_r($client, true),
            var_export($client, true),
            json_encode($client),
            print_r((array) $client, true),
        ];
        foreach ($dumps as $i => $dump) {
            self::assertStringNotContainsString($secret, (string) $dump, "dump $i");
            self::assertStringNotContainsString($token, (string) $dump, "dump $i");
        }
        self::assertSame($header, $client->authorizationHeader());
        self::assertStringContainsString($this->emulator->baseUrl('tpstreams'), $dumps[0]);
    }

    public function testAFailedConstructorLeavesNothingToFree(): void
    {
        for ($i = 0; $i < 3; $i++) {
            try {
                new Client(['provider' => 'tpstreams']);
                self::fail('an incomplete configuration was accepted');
            } catch (InvalidConfigException $e) {
                self::assertSame(1, $e->getCode());
            }
        }
        gc_collect_cycles();
        self::assertStringStartsWith('Token ', $this->client()->authorizationHeader());
    }

    /**
     * 10,000 warm header calls, 10,000 token calls and 10,000 failing calls (whose error
     * strings are copied and freed), 1,000 signed requests (responses copied and freed) and
     * 200 clients created and freed, each after a warm-up, with PHP's memory and the
     * process RSS sampled before and after. The figures go to stderr.
     *
     * The bound is generous, for allocator noise: at most 512 KiB of RSS growth per batch
     * (one leaked native string per call would be about 1 MiB over 10,000 calls, a leaked
     * response or client more), and at most 64 KiB of PHP memory. It is a leak check, not
     * a timing assertion.
     */
    public function testTenThousandCallsDoNotLeak(): void
    {
        $client = $this->client();
        $config = $this->config();
        $batches = [
            'authorizationHeader()' => [10_000, fn () => $client->authorizationHeader()],
            'token()' => [10_000, fn () => $client->token()],
            'failing call' => [10_000, function () use ($client): void {
                try {
                    $client->request('FETCH', '/api/echo/');
                } catch (AuthTokenException) {
                }
            }],
            'signed request' => [1_000, function () use ($client): void {
                $client->get('/api/echo/', ['query' => ['a' => 1], 'headers' => ['X-A' => 'b']])->json();
                $client->post('/api/echo/', ['json' => ['pad' => str_repeat('x', 1000)]]);
                $client->get('/api/missing/');
            }],
            'client new/free' => [200, function () use ($config): void {
                (new Client($config))->authorizationHeader();
            }],
        ];
        $report = [];
        foreach ($batches as $name => [$count, $call]) {
            for ($i = 0; $i < max(100, intdiv($count, 5)); $i++) {
                $call();
            }
            gc_collect_cycles();
            [$php0, $rss0] = [memory_get_usage(), self::rss()];
            for ($i = 0; $i < $count; $i++) {
                $call();
            }
            gc_collect_cycles();
            [$php1, $rss1] = [memory_get_usage(), self::rss()];
            $report[] = sprintf(
                '%-22s x%-6d PHP memory %+7d B, RSS %+6d KiB (%d -> %d KiB)',
                $name,
                $count,
                $php1 - $php0,
                ($rss1 - $rss0) / 1024,
                $rss0 / 1024,
                $rss1 / 1024,
            );
            self::assertLessThanOrEqual(512 * 1024, $rss1 - $rss0, "$name: RSS grew by " . ($rss1 - $rss0) . ' bytes');
            $grown = $php1 - $php0;
            self::assertLessThanOrEqual(64 * 1024, $grown, "$name: PHP memory grew by $grown bytes");
        }
        fwrite(STDERR, "\n[memory] " . implode("\n[memory] ", $report) . "\n");
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
    }

    private static function rss(): int
    {
        $status = (string) file_get_contents('/proc/self/status');
        self::assertSame(1, preg_match('/^VmRSS:\s+(\d+) kB$/m', $status, $m));
        return (int) $m[1] * 1024;
    }
}

<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\Client;

/**
 * One token per identity: shared by the clients of a process, and through the file cache by
 * processes (PHP-FPM workers, cron runs), even when 20 start at the same moment.
 *
 * PHP has no threads (the NTS CLI and FPM run one request per process), so the threads
 * scenario of the other bindings is covered here by many clients in one process and by
 * many processes.
 */
final class SharingTest extends TestCase
{
    public function testClientsOfOneProcessShareOneLogin(): void
    {
        $clients = [];
        for ($i = 0; $i < 10; $i++) {
            $clients[] = $this->client();
        }
        $headers = array_map(fn (Client $c) => $c->authorizationHeader(), $clients);
        self::assertCount(1, array_unique($headers));
        foreach ($clients as $client) {
            self::assertSame($headers[0], self::echoed($client->get('/api/echo/'))['headers']['authorization']);
        }
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
        // Another identity on the same service logs in for itself.
        $other = $this->client('tpstreams', ['username' => "other-{$this->username}"]);
        self::assertNotSame($headers[0], $other->authorizationHeader());
    }

    public function testTheFileCacheIsSharedByProcessesRunOneAfterTheOther(): void
    {
        $cache = $this->tempDir();
        $script = $this->script(<<<'PHP'
            <?php
            require getenv('AUTHTOKEN_PHP_DIR') . '/autoload.php';
            $client = AuthToken\Client::fromJson((string) getenv('STORM_CONFIG'));
            echo $client->authorizationHeader(), "\n", $client->get('/api/echo/')->status, "\n";
            PHP);
        $headers = [];
        for ($i = 0; $i < 3; $i++) {
            [$status, $out, $err] = $this->runPhp($script, [], $this->workerEnv($cache));
            self::assertSame(0, $status, $err);
            [$header, $code] = explode("\n", trim($out));
            self::assertSame('200', $code);
            $headers[] = $header;
        }
        self::assertCount(1, array_unique($headers));
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
        self::assertCount(1, glob("$cache/*.json"));
        // This process reads the same file.
        $mine = new Client($this->config('tpstreams', ['cache' => 'file', 'cache_dir' => $cache]));
        self::assertSame($headers[0], $mine->authorizationHeader());
        $mine->logout();
        self::assertCount(0, glob("$cache/*.json"));
        [$status, $out, $err] = $this->runPhp($script, [], $this->workerEnv($cache));
        self::assertSame(0, $status, $err);
        self::assertNotSame($headers[0], explode("\n", $out)[0]);
        self::assertSame(2, $this->emulator->logins('tpstreams', $this->username));
    }

    public function testAStormOfTwentyProcessesMakesOneLogin(): void
    {
        $cache = $this->tempDir();
        $headers = $this->runTogether(array_fill(0, 20, $this->workerEnv($cache)));
        self::assertCount(20, $headers);
        self::assertCount(1, array_unique($headers), implode("\n", $headers));
        self::assertMatchesRegularExpression('/^Token [0-9a-f]{64}$/', $headers[0]);
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
        self::assertSame(1, $this->emulator->loginAttempts('tpstreams', $this->username));
    }

    /** @return array<string, string> */
    private function workerEnv(string $cache): array
    {
        $config = $this->config('tpstreams', ['cache' => 'file', 'cache_dir' => $cache]);
        unset($config['password']);
        return [
            'STORM_CONFIG' => json_encode($config, JSON_THROW_ON_ERROR),
            'AUTHTOKEN_PASSWORD' => self::password(),
            'AUTHTOKEN_PHP_DIR' => self::packageDir(),
        ];
    }
}

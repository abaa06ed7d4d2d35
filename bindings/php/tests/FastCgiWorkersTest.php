<?php

declare(strict_types=1);

namespace AuthToken\Tests;

/**
 * The PHP-FPM recipe, in a non-CLI SAPI: php-cgi as a FastCGI server with 4 worker processes
 * (forked from one master, as under PHP-FPM), `ffi.enable=preload`, the library registered by
 * `ffi.preload` and the package preloaded by opcache (preload.php); requests sent with
 * cgi-fcgi. Also what happens in that SAPI without the preload.
 */
final class FastCgiWorkersTest extends TestCase
{
    private const WORKER = <<<'PHP'
        <?php
        require getenv('AUTHTOKEN_PHP_DIR') . '/autoload.php';
        try {
            $client = AuthToken\Client::fromJson($_SERVER['TEST_CONFIG']);
            usleep(20_000); // keep the worker busy, so that the requests spread over the workers
            $header = $client->authorizationHeader();
            $sent = $client->get('/api/echo/')->json()['headers']['authorization'];
            echo json_encode(['sapi' => PHP_SAPI, 'pid' => getmypid(), 'mode' => AuthToken\Library::mode(),
                'header' => $header, 'sent' => $sent]);
        } catch (Throwable $e) {
            echo json_encode(['error' => get_class($e) . ': ' . $e->getMessage()]);
        }
        PHP;

    public function testWorkersOfAFastCgiMasterShareOneLoginThroughThePreloadedLibrary(): void
    {
        $dir = $this->tempDir();
        chmod($dir, 0755);
        $header = "$dir/authtoken.h";
        [$status, $text, $err] = $this->runPhp(self::packageDir() . '/bin/authtoken-ffi-header');
        self::assertSame(0, $status, $err);
        file_put_contents($header, $text);
        $script = $this->script(self::WORKER);
        $socket = "$dir/php.sock";
        $ini = [
            '-d', 'ffi.enable=preload',
            '-d', "ffi.preload=$header",
            '-d', 'opcache.enable=1',
            '-d', 'opcache.preload=' . self::packageDir() . '/preload.php',
        ];
        if (posix_geteuid() === 0) {
            // PHP preloads as another user when started as root, as an FPM master is.
            $ini = [...$ini, '-d', 'opcache.preload_user=nobody'];
        }
        $env = getenv();
        $env['AUTHTOKEN_LIB'] = self::libraryPath();
        $env['PHP_FCGI_CHILDREN'] = '4';
        $env['AUTHTOKEN_PHP_DIR'] = self::packageDir();
        // setsid: the master and its workers form one process group, stopped together.
        $master = proc_open(
            ['setsid', 'php-cgi', ...$ini, '-b', $socket],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/out.log", 'w'], 2 => ['file', "$dir/err.log", 'w']],
            $pipes,
            null,
            $env,
        );
        self::assertIsResource($master);
        $pid = proc_get_status($master)['pid'];
        try {
            $deadline = microtime(true) + 20;
            while (!file_exists($socket)) {
                clearstatcache();
                self::assertTrue(proc_get_status($master)['running'], (string) @file_get_contents("$dir/err.log"));
                self::assertLessThan($deadline, microtime(true), 'php-cgi did not open its socket');
                usleep(20_000);
            }
            $answers = $this->fastCgiRequests($socket, $script, 20, [
                'TEST_CONFIG' => json_encode(
                    $this->config('tpstreams', ['cache' => 'file', 'cache_dir' => $this->tempDir()]),
                    JSON_THROW_ON_ERROR,
                ),
            ]);
        } finally {
            posix_kill(-$pid, SIGTERM);
            proc_close($master);
            // Wait for the workers too: no process of the group is left behind.
            for ($i = 0; $i < 500 && posix_kill(-$pid, 0); $i++) {
                usleep(20_000);
            }
        }
        self::assertFalse(posix_kill(-$pid, 0), 'php-cgi workers outlived their master');
        $headers = [];
        $pids = [];
        foreach ($answers as $answer) {
            self::assertArrayNotHasKey('error', $answer, $answer['error'] ?? '');
            self::assertSame(['cgi-fcgi', 'scope'], [$answer['sapi'], $answer['mode']]);
            self::assertSame($answer['header'], $answer['sent']);
            $headers[] = $answer['header'];
            $pids[] = $answer['pid'];
        }
        self::assertCount(1, array_unique($headers));
        self::assertGreaterThan(1, count(array_unique($pids)), 'one worker served every request');
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
    }

    public function testWithoutThePreloadTheExceptionSaysWhatToDo(): void
    {
        $script = $this->script(self::WORKER);
        $env = ['AUTHTOKEN_PHP_DIR' => self::packageDir(), 'TEST_CONFIG' => json_encode($this->config())];
        $cgi = ['-q', '-d', 'ffi.enable=preload', '-f'];
        [$status, $out, $err] = $this->runPhp($script, $cgi, $env, binary: 'php-cgi');
        self::assertSame(0, $status, $err);
        $answer = json_decode($out, true, 4, JSON_THROW_ON_ERROR);
        self::assertStringStartsWith(
            'AuthToken\Exception\LibraryException: ext-ffi is limited to preloaded code here'
            . ' (ffi.enable=preload, cgi-fcgi SAPI): preload this package with opcache.preload=',
            $answer['error'],
        );
        self::assertSame(0, $this->emulator->loginAttempts('tpstreams', $this->username));
    }

    /**
     * Sends $count FastCGI requests for $script at once, each with $params; returns the decoded
     * JSON bodies.
     *
     * @param array<string, string> $params
     * @return list<array<string, mixed>>
     */
    private function fastCgiRequests(string $socket, string $script, int $count, array $params): array
    {
        $env = getenv() + $params;
        $env['SCRIPT_FILENAME'] = $script;
        $env['REQUEST_METHOD'] = 'GET';
        $clients = [];
        for ($i = 0; $i < $count; $i++) {
            $process = proc_open(
                ['cgi-fcgi', '-bind', '-connect', $socket],
                [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
                $pipes,
                null,
                $env,
            );
            self::assertIsResource($process);
            $clients[] = [$process, $pipes];
        }
        $answers = [];
        foreach ($clients as [$process, $pipes]) {
            $out = (string) stream_get_contents($pipes[1]);
            $err = (string) stream_get_contents($pipes[2]);
            fclose($pipes[1]);
            fclose($pipes[2]);
            self::assertSame(0, proc_close($process), $err);
            // A CGI answer: headers, a blank line, the body.
            [, $body] = explode("\r\n\r\n", $out, 2) + [1 => ''];
            $answers[] = json_decode($body, true, 4, JSON_THROW_ON_ERROR);
        }
        return $answers;
    }
}

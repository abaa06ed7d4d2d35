<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\Client;
use AuthToken\Tests\Support\Emulator;
use PHPUnit\Framework\TestCase as BaseTestCase;

/**
 * Each test gets a username and an organization id no other test uses (the emulator counts
 * logins per username and live tokens per organization) and its own temporary directories.
 */
abstract class TestCase extends BaseTestCase
{
    public const SCHEMES = [
        'tpstreams' => 'Token',
        'tpstreams-legacy' => 'token',
        'testpress' => 'JWT',
        'cruxconnect' => 'Token',
    ];

    /**
     * The emulator's password: AUTHTOKEN_TEST_PASSWORD (the secrets audit's sentinel), else the
     * default of scripts/with-emulator.sh and of the emulator.
     */
    public static function password(): string
    {
        $password = getenv('AUTHTOKEN_TEST_PASSWORD');
        return is_string($password) && $password !== '' ? $password : 'demo-password';
    }

    protected Emulator $emulator;
    protected string $username;
    protected string $org;
    /** @var list<string> */
    private array $tempDirs = [];
    /** @var list<Client> */
    private array $clients = [];

    protected function setUp(): void
    {
        $this->emulator = Emulator::shared();
        $this->username = 'php-' . bin2hex(random_bytes(6)) . '@example.com';
        $this->org = 'org-' . bin2hex(random_bytes(5));
    }

    protected function tearDown(): void
    {
        foreach ($this->clients as $client) {
            $client->close();
        }
        $this->clients = [];
        foreach ($this->tempDirs as $dir) {
            self::removeTree($dir);
        }
        $this->tempDirs = [];
    }

    /**
     * A configuration for this test's identity on $service of the emulator: in-process
     * ("memory") cache, no retries.
     *
     * @param array<string, mixed> $overrides
     * @return array<string, mixed>
     */
    protected function config(string $service = 'tpstreams', array $overrides = []): array
    {
        $config = [
            'provider' => $service,
            'username' => $this->username,
            'password' => self::password(),
            'base_url' => $this->emulator->baseUrl($service),
            'cache' => 'memory',
            'max_retries' => 0,
        ];
        if ($service === 'tpstreams') {
            $config['organization_id'] = $this->org;
        }
        return array_merge($config, $overrides);
    }

    /** @param array<string, mixed> $overrides */
    protected function client(string $service = 'tpstreams', array $overrides = []): Client
    {
        return $this->clients[] = new Client($this->config($service, $overrides));
    }

    /** A new empty directory, removed after the test. */
    protected function tempDir(): string
    {
        $dir = sys_get_temp_dir() . '/authtoken-php-test-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        return $this->tempDirs[] = $dir;
    }

    /** The library the suite uses, for child processes. */
    protected static function libraryPath(): string
    {
        return \AuthToken\Library::path();
    }

    /**
     * Runs `php [ini...] $script [args...]` with extra environment variables; returns the exit
     * status, stdout and stderr.
     *
     * @param list<string> $phpArgs arguments before the script (`-d ffi.enable=0`, `-n`)
     * @param array<string, string|false> $env variables to set (false: unset)
     * @param list<string> $args
     * @param list<string> $prefix a command that runs PHP (`setpriv ...`)
     * @param string $binary the PHP binary (`php-cgi` for the CGI SAPI)
     * @return array{0: int, 1: string, 2: string}
     */
    protected function runPhp(
        string $script,
        array $phpArgs = [],
        array $env = [],
        array $args = [],
        array $prefix = [],
        string $binary = PHP_BINARY,
    ): array {
        $environment = getenv();
        $environment['AUTHTOKEN_LIB'] = self::libraryPath();
        foreach ($env as $name => $value) {
            if ($value === false) {
                unset($environment[$name]);
            } else {
                $environment[$name] = $value;
            }
        }
        $command = [...$prefix, $binary, ...$phpArgs, $script, ...$args];
        $io = [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']];
        $process = proc_open($command, $io, $pipes, null, $environment);
        self::assertIsResource($process);
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $status = proc_close($process);
        return [$status, (string) $stdout, (string) $stderr];
    }

    /**
     * Starts one fixtures/storm_worker.php process per entry of $envs (its STORM_CONFIG,
     * CALLS, AUTHTOKEN_PASSWORD...; AUTHTOKEN_LIB and AUTHTOKEN_PHP_DIR are set), waits until
     * every one has made its client, releases them together, and returns the lines each
     * printed, in order. Fails the test when one does not start or exits non-zero.
     *
     * @param list<array<string, string>> $envs
     * @return list<string>
     */
    protected function runTogether(array $envs): array
    {
        $go = $this->tempDir() . '/go';
        $workers = [];
        foreach ($envs as $env) {
            $environment = $env + getenv();
            $environment['AUTHTOKEN_LIB'] = self::libraryPath();
            $environment['AUTHTOKEN_PHP_DIR'] = self::packageDir();
            $environment['STORM_GO'] = $go;
            $process = proc_open(
                [PHP_BINARY, __DIR__ . '/fixtures/storm_worker.php'],
                [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
                $pipes,
                null,
                $environment,
            );
            self::assertIsResource($process);
            $workers[] = [$process, $pipes];
        }
        foreach ($workers as [, $pipes]) {
            if (fgets($pipes[1]) !== "ready\n") {
                self::fail('a worker did not start: ' . stream_get_contents($pipes[2]));
            }
        }
        touch($go);
        $lines = [];
        foreach ($workers as [$process, $pipes]) {
            $out = (string) stream_get_contents($pipes[1]);
            $err = (string) stream_get_contents($pipes[2]);
            fclose($pipes[1]);
            fclose($pipes[2]);
            self::assertSame(0, proc_close($process), $err);
            array_push($lines, ...explode("\n", rtrim($out, "\n")));
        }
        return $lines;
    }

    /** Writes a PHP script into a temporary directory and returns its path. */
    protected function script(string $code): string
    {
        $path = $this->tempDir() . '/script.php';
        file_put_contents($path, $code);
        chmod(dirname($path), 0755);
        return $path;
    }

    /** The package's root directory. */
    protected static function packageDir(): string
    {
        return dirname(__DIR__);
    }

    /** @return array<string, mixed> the emulator's echo of a signed request */
    protected static function echoed(\AuthToken\Response $response): array
    {
        self::assertSame(200, $response->status, $response->body);
        return $response->json();
    }

    private static function removeTree(string $dir): void
    {
        if (!is_dir($dir)) {
            return;
        }
        $items = new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS),
            \RecursiveIteratorIterator::CHILD_FIRST,
        );
        foreach ($items as $item) {
            $item->isDir() && !$item->isLink() ? rmdir($item->getPathname()) : unlink($item->getPathname());
        }
        rmdir($dir);
    }
}

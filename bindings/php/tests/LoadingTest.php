<?php

declare(strict_types=1);

namespace AuthToken\Tests;

/**
 * How the library is found and loaded, in fresh PHP processes: lazily, from AUTHTOKEN_LIB or
 * the package's locations, through a preloaded FFI scope, and the errors when it cannot be.
 */
final class LoadingTest extends TestCase
{
    private const PROBE = <<<'PHP'
        <?php
        require getenv('AUTHTOKEN_PHP_DIR') . '/autoload.php';
        $mapped = fn () => str_contains((string) file_get_contents('/proc/self/maps'), 'libauthtoken');
        // Autoloading every class, and building a response or an exception, loads nothing.
        class_exists(AuthToken\Client::class);
        class_exists(AuthToken\Exception\TokenLimitException::class);
        new AuthToken\Response(200, [], '', 'http://x');
        echo 'after autoload: ', $mapped() ? 'mapped' : 'not mapped';
        echo ', mode ', AuthToken\Library::mode() ?? 'none', "\n";
        try {
            $config = ['provider' => 'cruxconnect', 'username' => 'u', 'password' => 'p', 'cache' => 'memory'];
            $client = new AuthToken\Client($config);
            echo 'after new Client: ', $mapped() ? 'mapped' : 'not mapped', ', mode ', AuthToken\Library::mode(), "\n";
            echo 'base ', $client->baseUrl(), "\n";
        } catch (AuthToken\AuthTokenException $e) {
            echo get_class($e), ' code ', $e->getCode(), ' kind ', $e->getKind(), ': ', $e->getMessage(), "\n";
        }
        PHP;

    /** @param list<string> $phpArgs @param array<string, string|false> $env */
    private function probe(array $phpArgs = [], array $env = [], ?string $packageDir = null): string
    {
        $env['AUTHTOKEN_PHP_DIR'] = $packageDir ?? self::packageDir();
        [$status, $out, $err] = $this->runPhp($this->script(self::PROBE), $phpArgs, $env);
        self::assertSame(0, $status, $out . $err);
        return $out;
    }

    public function testTheLibraryIsLoadedOnFirstUseNotAtAutoload(): void
    {
        $out = $this->probe();
        self::assertStringContainsString('after autoload: not mapped, mode none', $out);
        self::assertStringContainsString('after new Client: mapped, mode cdef', $out);
        self::assertStringContainsString('base https://api.cruxconnect.com', $out);
    }

    public function testAMissingLibraryNamedByAuthtokenLib(): void
    {
        $out = $this->probe([], ['AUTHTOKEN_LIB' => '/nonexistent/libauthtoken.so']);
        self::assertStringContainsString('after autoload: not mapped', $out);
        self::assertStringContainsString(
            'AuthToken\Exception\LibraryException code 0 kind library:'
            . ' AUTHTOKEN_LIB is set to /nonexistent/libauthtoken.so, which is not a file',
            $out,
        );
    }

    public function testALibraryThatIsNotOne(): void
    {
        $bogus = $this->tempDir() . '/libauthtoken.so';
        file_put_contents($bogus, 'not an ELF file');
        $out = $this->probe([], ['AUTHTOKEN_LIB' => $bogus]);
        self::assertStringContainsString(
            "LibraryException code 0 kind library: could not load the native library $bogus",
            $out,
        );
    }

    public function testWithoutAuthtokenLibThePackageLooksInItsOwnPlaces(): void
    {
        // A copy of the package outside the repository, without lib/: nothing to find.
        $copy = $this->tempDir() . '/authtoken';
        mkdir("$copy/include", 0755, true);
        copy(self::packageDir() . '/autoload.php', "$copy/autoload.php");
        copy(self::packageDir() . '/include/authtoken_ffi.h', "$copy/include/authtoken_ffi.h");
        exec('cp -r ' . escapeshellarg(self::packageDir() . '/src') . ' ' . escapeshellarg("$copy/src"), $_, $cp);
        self::assertSame(0, $cp);
        $out = $this->probe([], ['AUTHTOKEN_LIB' => false], $copy);
        self::assertStringContainsString(
            'LibraryException code 0 kind library: the native library libauthtoken.so was not found:'
            . ' set the AUTHTOKEN_LIB environment variable',
            $out,
        );
        self::assertStringContainsString("$copy/lib/libauthtoken.so", $out);

        // With the library in the package's lib/, it is found there.
        mkdir("$copy/lib");
        symlink(self::libraryPath(), "$copy/lib/libauthtoken.so");
        $out = $this->probe([], ['AUTHTOKEN_LIB' => false], $copy);
        self::assertStringContainsString('after new Client: mapped, mode cdef', $out);
    }

    public function testFfiDisabledSaysSoAndHowToFixIt(): void
    {
        $out = $this->probe(['-d', 'ffi.enable=0']);
        self::assertStringContainsString(
            'LibraryException code 0 kind library: ext-ffi is disabled (ffi.enable=0): set ffi.enable=preload',
            $out,
        );
        self::assertStringContainsString('or set ffi.enable=1', $out);
    }

    public function testMissingFfiExtensionSaysSoAndHowToFixIt(): void
    {
        // -n: no php.ini, so no shared extensions (Debian builds ext-ffi as one).
        $out = $this->probe(['-n']);
        self::assertStringContainsString(
            'LibraryException code 0 kind library: authtoken needs ext-ffi, which is not loaded',
            $out,
        );
        self::assertStringContainsString('extension=ffi', $out);
    }

    public function testFfiPreloadRegistersTheScope(): void
    {
        [$status, $header, $err] = $this->runPhp(self::packageDir() . '/bin/authtoken-ffi-header');
        self::assertSame(0, $status, $err);
        $library = realpath(self::libraryPath());
        self::assertStringStartsWith("#define FFI_SCOPE \"authtoken\"\n#define FFI_LIB \"$library\"\n", $header);
        $file = $this->tempDir() . '/authtoken.h';
        file_put_contents($file, $header);
        // ffi.enable=preload, as PHP-FPM would run: FFI::cdef() is not needed.
        $ini = ['-d', 'ffi.enable=preload', '-d', "ffi.preload=$file"];
        $out = $this->probe($ini, ['AUTHTOKEN_LIB' => '/nonexistent']);
        self::assertStringContainsString('after new Client: mapped, mode scope', $out);
        self::assertStringContainsString('base https://api.cruxconnect.com', $out);
    }

    public function testTheSampleOpcachePreloadScriptRegistersTheScope(): void
    {
        $script = $this->script(<<<'PHP'
            <?php
            // No autoloader: the classes come from the preload.
            echo class_exists(AuthToken\Client::class, false) ? "preloaded\n" : "not preloaded\n";
            $client = new AuthToken\Client(json_decode((string) getenv('PRELOAD_CONFIG'), true));
            echo AuthToken\Library::mode(), "\n", $client->authorizationHeader(), "\n";
            echo $client->get('/api/echo/')->json()['headers']['authorization'], "\n";
            PHP);
        $args = [
            '-d', 'opcache.enable_cli=1',
            '-d', 'opcache.preload=' . self::packageDir() . '/preload.php',
            '-d', 'ffi.enable=preload',
        ];
        // PHP refuses to preload as root without opcache.preload_user, and FFI::load() with it:
        // run as an unprivileged user, as an FPM master started by one would.
        $prefix = posix_geteuid() === 0 ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : [];
        [$status, $out, $err] = $this->runPhp($script, $args, [
            'PRELOAD_CONFIG' => json_encode($this->config('tpstreams'), JSON_THROW_ON_ERROR),
        ], [], $prefix);
        self::assertSame(0, $status, $out . $err);
        [$preloaded, $mode, $header, $sent] = explode("\n", trim($out));
        self::assertSame(['preloaded', 'scope'], [$preloaded, $mode]);
        self::assertMatchesRegularExpression('/^Token [0-9a-f]{64}$/', $header);
        self::assertSame($header, $sent);
        self::assertSame(1, $this->emulator->logins('tpstreams', $this->username));
    }

    public function testThePackagesHeaderIsTheGeneratedOne(): void
    {
        $generated = dirname(self::packageDir(), 2) . '/include/authtoken_ffi.h';
        self::assertFileEquals(
            $generated,
            self::packageDir() . '/include/authtoken_ffi.h',
            'bindings/php/include/authtoken_ffi.h differs from include/authtoken_ffi.h:'
            . ' cp include/authtoken_ffi.h bindings/php/include/',
        );
    }
}

<?php

declare(strict_types=1);

namespace AuthToken\Tests;

use AuthToken\Library;

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

    public function testALibraryForAnotherArchitectureSaysWhatItIsFor(): void
    {
        // The real library with its ELF header's machine changed to aarch64 (183).
        $foreign = $this->tempDir() . '/libauthtoken.so';
        $bytes = (string) file_get_contents(self::libraryPath());
        file_put_contents($foreign, substr_replace($bytes, pack('v', 183), 18, 2));
        $out = $this->probe([], ['AUTHTOKEN_LIB' => $foreign]);
        self::assertStringContainsString(
            "LibraryException code 0 kind library: could not load the native library $foreign:"
            . ' it is an ELF 64-bit file for aarch64, while this machine is x86_64 (FFI said:',
            $out,
        );
        self::assertStringContainsString('Set AUTHTOKEN_LIB to a libauthtoken built for linux-x86_64', $out);
    }

    public function testALibraryOfAnotherAbiVersionIsRefused(): void
    {
        [$other, $old] = self::abiStubs($this->tempDir());
        $out = $this->probe([], ['AUTHTOKEN_LIB' => $other]);
        self::assertStringContainsString(
            "LibraryException code 0 kind library: the native library $other has ABI version 99, but this"
            . ' package needs ABI version 0 (libauthtoken.so.0): install the release of this package that'
            . ' matches the library, or point AUTHTOKEN_LIB at a library of ABI 0',
            $out,
        );
        $out = $this->probe([], ['AUTHTOKEN_LIB' => $old]);
        self::assertStringContainsString(
            "the native library $old has no authtoken_abi_version(), so it predates ABI versions",
            $out,
        );
    }

    public function testAnUnsupportedPlatformNamesThePlatformsThatHaveALibrary(): void
    {
        $platform = Library::platform('Darwin', 'arm64');
        self::assertSame('darwin-aarch64', $platform);
        self::assertSame('linux-x86_64', Library::platform('Linux', 'amd64'));
        $tried = Library::candidates($platform, '/srv/app/vendor/authtoken/authtoken');
        self::assertSame(['/srv/app/vendor/authtoken/authtoken/lib/darwin-aarch64/libauthtoken.dylib'], $tried);
        self::assertSame(
            'the native library was not found (looked in /srv/app/vendor/authtoken/authtoken/lib/darwin-aarch64/'
            . 'libauthtoken.dylib): no release of this package ships a library for darwin-aarch64 (they ship'
            . ' linux-x86_64): build libauthtoken for it from source (`cargo build --release -p authtoken`), or'
            . ' set the AUTHTOKEN_LIB environment variable to the path of a libauthtoken built for darwin-aarch64',
            Library::notFoundMessage($platform, $tried),
        );
    }

    /**
     * Two stand-ins for libauthtoken built with cc: one whose authtoken_abi_version() says 99,
     * one without that function (a library from before ABI versions).
     *
     * @return array{0: string, 1: string}
     */
    private static function abiStubs(string $dir): array
    {
        $header = (string) file_get_contents(Library::headerPath());
        // Every declared function must resolve for FFI::cdef(): define them all as empty
        // weak stubs, then the ABI version (or not).
        preg_match_all('/\\b(authtoken_[a-z_]+)\\(/', $header, $m);
        $stubs = '';
        foreach (array_unique($m[1]) as $name) {
            if ($name !== 'authtoken_abi_version') {
                $stubs .= "void $name(void) {}\n";
            }
        }
        $paths = [];
        foreach (['other' => "unsigned authtoken_abi_version(void) { return 99; }\n", 'old' => ''] as $kind => $abi) {
            file_put_contents("$dir/$kind.c", $stubs . $abi);
            $so = "$dir/$kind/libauthtoken.so";
            mkdir(dirname($so));
            $command = 'cc -shared -fPIC -w -o ' . escapeshellarg($so) . ' ' . escapeshellarg("$dir/$kind.c");
            exec("$command 2>&1", $out, $rc);
            self::assertSame(0, $rc, implode("\n", $out));
            $paths[] = $so;
        }
        return [$paths[0], $paths[1]];
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
            'LibraryException code 0 kind library: the native library was not found'
            . " (looked in $copy/lib/linux-x86_64/libauthtoken.so):"
            . ' this copy of the package has no library for linux-x86_64: install the release archive',
            $out,
        );
        self::assertStringContainsString('or set the AUTHTOKEN_LIB environment variable', $out);

        // With the library in the package's lib/<platform>/, as the release archive has it.
        mkdir("$copy/lib/linux-x86_64", 0755, true);
        symlink(self::libraryPath(), "$copy/lib/linux-x86_64/libauthtoken.so");
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

// How the assembly finds libauthtoken and what it says when it cannot use what it found: each
// case loads it in a fresh Mono process (Probe.exe; the library is bound once per process).
using System;
using System.Diagnostics;
using System.IO;
using AuthToken;
using NUnit.Framework;

namespace AuthToken.Tests
{
    [TestFixture]
    public class LoadingTests
    {
        private string dir;
        private static readonly string Here = Path.GetDirectoryName(typeof(LoadingTests).Assembly.Location);

        [SetUp]
        public void MakeDir()
        {
            dir = Path.Combine(Path.GetTempPath(), "authtoken-cs-loading-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
        }

        [TearDown]
        public void RemoveDir() { Directory.Delete(dir, true); }

        // Runs Probe.exe with AUTHTOKEN_LIB=lib (null: unset); returns (exit code, output).
        private static string Probe(string lib, out int exitCode, string probeDir = null)
        {
            var psi = new ProcessStartInfo("mono", "\"" + Path.Combine(probeDir ?? Here, "Probe.exe") + "\"")
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            if (lib == null) psi.EnvironmentVariables.Remove("AUTHTOKEN_LIB");
            else psi.EnvironmentVariables["AUTHTOKEN_LIB"] = lib;
            using (var p = Process.Start(psi))
            {
                string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                p.WaitForExit();
                exitCode = p.ExitCode;
                return output;
            }
        }

        private static string Library_ { get { return Library.Path; } }

        [Test]
        public void TheLibraryNamedByAuthtokenLibIsUsed()
        {
            int rc;
            string output = Probe(Library_, out rc);
            Assert.AreEqual(0, rc, output);
            StringAssert.Contains("loaded " + Library_, output);
        }

        [Test]
        public void AMissingLibraryNamedByAuthtokenLib()
        {
            int rc;
            string output = Probe("/nonexistent/libauthtoken.so", out rc);
            Assert.AreEqual(1, rc, output);
            StringAssert.Contains("AuthToken.LibraryLoadException: authtoken: AUTHTOKEN_LIB is /nonexistent/libauthtoken.so, " +
                "which is not a file. Point it at a libauthtoken.so.0", output);
        }

        [Test]
        public void ALibraryForAnotherArchitectureSaysWhatItIsFor()
        {
            string foreign = Path.Combine(dir, "libauthtoken.so");
            var bytes = File.ReadAllBytes(Library_);
            bytes[18] = 183; // ELF e_machine: aarch64 (little-endian)
            bytes[19] = 0;
            File.WriteAllBytes(foreign, bytes);
            int rc;
            string output = Probe(foreign, out rc);
            Assert.AreEqual(1, rc, output);
            StringAssert.Contains("authtoken: could not load " + foreign + ": an ELF 64-bit file for aarch64, " +
                "while this process is x86_64; the loader said:", output);
            StringAssert.Contains("Set AUTHTOKEN_LIB to a libauthtoken built for linux-x64", output);
        }

        [Test]
        public void AFileThatIsNotALibrary()
        {
            string bogus = Path.Combine(dir, "libauthtoken.so");
            File.WriteAllText(bogus, "not an ELF file");
            int rc;
            string output = Probe(bogus, out rc);
            Assert.AreEqual(1, rc, output);
            StringAssert.Contains("authtoken: could not load " + bogus + ": not a shared library (it starts with \"not an E\")", output);
        }

        [Test]
        public void ALibraryOfAnotherAbiVersionIsRefused()
        {
            string other = Stub("other", "unsigned authtoken_abi_version(void) { return 99; }\n");
            int rc;
            string output = Probe(other, out rc);
            Assert.AreEqual(1, rc, output);
            StringAssert.Contains("authtoken: " + other + " has ABI version 99, but this AuthToken assembly (" +
                Library.AssemblyVersion + ") needs ABI version 0 (libauthtoken.so.0). Install the AuthToken release " +
                "that matches the library, or point AUTHTOKEN_LIB at a library of ABI 0.", output);
        }

        [Test]
        public void ALibraryFromBeforeAbiVersionsIsRefused()
        {
            string old = Stub("old", "int authtoken_noop(void) { return 0; }\n");
            int rc;
            string output = Probe(old, out rc);
            Assert.AreEqual(1, rc, output);
            StringAssert.Contains("authtoken: " + old + " has no authtoken_abi_version(), so it predates ABI versions", output);
        }

        [Test]
        public void WithoutAuthtokenLibTheUnpackedPackageLayoutIsUsed()
        {
            // The .nupkg's layout: lib/netstandard2.0/AuthToken.dll, runtimes/linux-x64/native/libauthtoken.so.
            string lib = Path.Combine(dir, "lib", "netstandard2.0");
            string native = Path.Combine(dir, "runtimes", "linux-x64", "native");
            Directory.CreateDirectory(lib);
            Directory.CreateDirectory(native);
            File.Copy(Path.Combine(Here, "AuthToken.dll"), Path.Combine(lib, "AuthToken.dll"));
            File.Copy(Path.Combine(Here, "Probe.exe"), Path.Combine(lib, "Probe.exe"));
            File.Copy(Library_, Path.Combine(native, "libauthtoken.so"));
            int rc;
            string output = Probe(null, out rc, lib);
            Assert.AreEqual(0, rc, output);
            StringAssert.Contains("loaded " + Path.Combine(native, "libauthtoken.so"), output);

            File.Delete(Path.Combine(native, "libauthtoken.so"));
            output = Probe(null, out rc, lib);
            Assert.AreEqual(1, rc, output);
            StringAssert.Contains("authtoken: the native library was not found (looked in " +
                Path.Combine(lib, "runtimes", "linux-x64", "native", "libauthtoken.so") + ", " +
                Path.Combine(native, "libauthtoken.so"), output);
            StringAssert.Contains("or set AUTHTOKEN_LIB to the path of a libauthtoken built for linux-x64.", output);
        }

        // A stand-in for libauthtoken built with cc from source.
        private string Stub(string name, string source)
        {
            string c = Path.Combine(dir, name + ".c");
            File.WriteAllText(c, source);
            string so = Path.Combine(dir, name, "libauthtoken.so");
            Directory.CreateDirectory(Path.GetDirectoryName(so));
            var psi = new ProcessStartInfo("cc", "-shared -fPIC -o \"" + so + "\" \"" + c + "\"")
            {
                UseShellExecute = false, RedirectStandardError = true,
            };
            using (var p = Process.Start(psi))
            {
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.AreEqual(0, p.ExitCode, err);
            }
            return so;
        }
    }
}

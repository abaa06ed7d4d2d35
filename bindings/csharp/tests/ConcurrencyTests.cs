// Threads and processes: one client shared by 16 threads logs in once; 4 processes of 16
// threads each, sharing the file cache, log in once between them.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using AuthToken;
using NUnit.Framework;

namespace AuthToken.Tests
{
    [TestFixture]
    public class ConcurrencyTests : EmulatorTest
    {
        private const int Threads = 16;
        private const int Processes = 4;

        [Test]
        public void SixteenThreadsShareOneLogin()
        {
            var client = MakeClient();
            var seen = RunThreads(Threads, i =>
                Enumerable.Range(0, 5).Select(n => SentAuthorization(client.Get("/api/echo/"))).ToArray());
            var all = seen.SelectMany(s => s).ToList();
            Assert.AreEqual(Threads * 5, all.Count);
            Assert.AreEqual(1, all.Distinct().Count());
            Assert.AreEqual(1, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void SixteenThreadsSeeingARevokedTokenLogInOnceMore()
        {
            var client = MakeClient();
            string old = client.AuthorizationHeader();
            Emulator.Revoke("tpstreams", Username);
            var seen = RunThreads(Threads, i => SentAuthorization(client.Get("/api/echo/")));
            Assert.AreEqual(1, seen.Distinct().Count());
            Assert.AreNotEqual(old, seen[0]);
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void FourProcessesOfSixteenThreadsShareOneLoginThroughTheFileCache()
        {
            string cacheDir = Emulator.PrivateDir("authtoken-cs-storm-");
            try
            {
                string config = Config("tpstreams", null, "\"cache\":\"file\",\"cache_dir\":" + Emulator.Q(cacheDir), false);
                string worker = Path.Combine(Path.GetDirectoryName(typeof(ConcurrencyTests).Assembly.Location), "StormWorker.exe");
                var procs = new List<Process>();
                for (int i = 0; i < Processes; i++)
                {
                    var psi = new ProcessStartInfo("mono", "\"" + worker + "\" " + Threads)
                    {
                        UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true,
                        RedirectStandardError = true,
                    };
                    psi.EnvironmentVariables["AUTHTOKEN_PASSWORD"] = Emulator.Password;
                    psi.EnvironmentVariables["STORM_CONFIG"] = config;
                    procs.Add(Process.Start(psi));
                }
                foreach (var p in procs) p.StandardOutput.ReadLine(); // "ready": every runtime started
                foreach (var p in procs) p.StandardInput.Close(); // go
                var headers = new List<string>();
                foreach (var p in procs)
                {
                    string output = p.StandardOutput.ReadToEnd();
                    string errors = p.StandardError.ReadToEnd();
                    p.WaitForExit();
                    Assert.AreEqual(0, p.ExitCode, errors + output);
                    headers.AddRange(output.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries));
                }
                Assert.AreEqual(Processes * Threads, headers.Count, string.Join("\n", headers));
                Assert.AreEqual(1, headers.Distinct().Count(), string.Join("\n", headers.Distinct()));
                StringAssert.IsMatch("^Token [0-9a-f]{64}$", headers[0]);
                Assert.AreEqual(1, Emulator.Logins("tpstreams", Username));
                Assert.IsNotEmpty(Directory.GetFiles(cacheDir, "*", SearchOption.AllDirectories), "the token was written to the file cache");
            }
            finally
            {
                Directory.Delete(cacheDir, true);
            }
        }
    }
}

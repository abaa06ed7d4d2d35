// Shared by every test: the emulator (AUTHTOKEN_EMULATOR, set by scripts/with-emulator.sh),
// its admin API, and clients for a username and organization no other test uses.
using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Threading;
using AuthToken;
using NUnit.Framework;

namespace AuthToken.Tests
{
    public static class Emulator
    {
        public static readonly string Root = (Environment.GetEnvironmentVariable("AUTHTOKEN_EMULATOR") ?? "").TrimEnd('/');
        public static readonly string Password = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AUTHTOKEN_TEST_PASSWORD"))
            ? "demo-password" : Environment.GetEnvironmentVariable("AUTHTOKEN_TEST_PASSWORD");
        private static readonly HttpClient Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        public static string BaseUrl(string service)
        {
            if (Root.Length == 0) Assert.Fail("AUTHTOKEN_EMULATOR is not set: run the suite through scripts/with-emulator.sh");
            return Root + "/" + service;
        }

        public static object Admin(string method, string path, string body)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), Root + "/_emulator/" + path);
            if (body != null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = Http.SendAsync(request).Result;
            string text = response.Content.ReadAsStringAsync().Result;
            if ((int)response.StatusCode != 200) throw new Exception("emulator admin " + path + ": " + response.StatusCode + " " + text);
            return Json.Parse(text);
        }

        public static int Stat(string kind, string service, string username)
        {
            var all = (Dictionary<string, object>)((Dictionary<string, object>)Admin("GET", "stats", null))[kind];
            object perService, n;
            if (!all.TryGetValue(service, out perService)) return 0;
            return ((Dictionary<string, object>)perService).TryGetValue(username, out n) ? (int)(double)n : 0;
        }

        public static int Logins(string service, string username) { return Stat("logins", service, username); }
        public static int LoginAttempts(string service, string username) { return Stat("login_attempts", service, username); }
        public static int Logouts(string service, string username) { return Stat("logouts", service, username); }
        public static int Requests(string service, string username) { return Stat("requests", service, username); }

        public static void Fault(string json) { Admin("POST", "faults", json); }

        public static int Revoke(string service, string username)
        {
            var d = (Dictionary<string, object>)Admin("POST", "revoke", "{\"service\":" + Q(service) + ",\"username\":" + Q(username) + "}");
            return (int)(double)d["revoked"];
        }

        // A plain GET with the given Authorization header (no library involved): the status.
        public static int RawGet(string service, string path, string authorization)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, BaseUrl(service) + path);
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return (int)Http.SendAsync(request).Result.StatusCode;
        }

        // A new private directory (mode 0700, as the file cache requires).
        public static string PrivateDir(string prefix)
        {
            string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(dir);
            using (var p = System.Diagnostics.Process.Start("chmod", "700 \"" + dir + "\""))
                p.WaitForExit();
            return dir;
        }

        public static string Q(string s)
        {
            var sb = new StringBuilder();
            Json.WriteString(sb, s);
            return sb.ToString();
        }
    }

    public abstract class EmulatorTest
    {
        private readonly List<Client> clients = new List<Client>();
        protected string Username;
        protected string Org;

        [SetUp]
        public void NewIdentity()
        {
            string id = Guid.NewGuid().ToString("N").Substring(0, 12);
            Username = "cs-" + id + "@example.com";
            Org = "org-" + id.Substring(0, 10);
        }

        [TearDown]
        public void DisposeClients()
        {
            foreach (var c in clients) c.Dispose();
            clients.Clear();
        }

        // The configuration JSON of a client for this test's identity; extra is more "key": value pairs.
        protected string Config(string service = "tpstreams", string user = null, string extra = null, bool password = true)
        {
            var sb = new StringBuilder("{");
            sb.Append("\"provider\":").Append(Emulator.Q(service));
            sb.Append(",\"username\":").Append(Emulator.Q(user ?? Username));
            if (password) sb.Append(",\"password\":").Append(Emulator.Q(Emulator.Password));
            if (extra == null || !extra.Contains("\"base_url\""))
                sb.Append(",\"base_url\":").Append(Emulator.Q(Emulator.BaseUrl(service)));
            if (extra == null || !extra.Contains("\"cache\""))
                sb.Append(",\"cache\":\"memory\"");
            sb.Append(",\"max_retries\":0");
            if (service == "tpstreams" && (extra == null || !extra.Contains("\"organization_id\"")))
                sb.Append(",\"organization_id\":").Append(Emulator.Q(Org));
            if (extra != null) sb.Append(',').Append(extra);
            return sb.Append('}').ToString();
        }

        protected Client MakeClient(string service = "tpstreams", string user = null, string extra = null)
        {
            var c = new Client(Config(service, user, extra));
            clients.Add(c);
            return c;
        }

        protected static Dictionary<string, object> Echo(Response r)
        {
            Assert.AreEqual(200, r.Status, r.Text);
            return (Dictionary<string, object>)Json.Parse(r.Text);
        }

        protected static string SentAuthorization(Response r)
        {
            return (string)((Dictionary<string, object>)Echo(r)["headers"])["authorization"];
        }

        // Runs body(i) in count threads released together; returns the values; rethrows the first error.
        protected static T[] RunThreads<T>(int count, Func<int, T> body)
        {
            var results = new T[count];
            var errors = new Exception[count];
            var gate = new ManualResetEventSlim(false);
            var threads = new Thread[count];
            for (int i = 0; i < count; i++)
            {
                int n = i;
                threads[i] = new Thread(() =>
                {
                    gate.Wait();
                    try { results[n] = body(n); } catch (Exception e) { errors[n] = e; }
                });
                threads[i].Start();
            }
            gate.Set();
            foreach (var t in threads) t.Join();
            foreach (var e in errors) if (e != null) throw new Exception("a thread failed: " + e, e);
            return results;
        }

        protected static T Throws<T>(TestDelegate code) where T : Exception
        {
            return Assert.Throws<T>(code);
        }
    }
}

// The client against the emulator: providers, headers, signed requests, logout, the 401
// re-login, the token limit and the errors a user sees (the scenarios every binding runs).
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using AuthToken;
using NUnit.Framework;

namespace AuthToken.Tests
{
    [TestFixture]
    public class ClientTests : EmulatorTest
    {
        private static readonly Dictionary<string, string> Schemes = new Dictionary<string, string>
        {
            { "tpstreams", "Token" }, { "tpstreams-legacy", "token" }, { "testpress", "JWT" }, { "cruxconnect", "Token" },
        };

        private static KeyValuePair<string, string> H(string name, string value)
        {
            return new KeyValuePair<string, string>(name, value);
        }

        [TestCase("tpstreams")]
        [TestCase("tpstreams-legacy")]
        [TestCase("testpress")]
        [TestCase("cruxconnect")]
        public void EachProviderLogsInOnceAndSignsWithItsExactHeader(string service)
        {
            var client = MakeClient(service);
            string header = client.AuthorizationHeader();
            Assert.AreEqual(Schemes[service] + " " + client.Token(), header);
            var sent = Echo(client.Get("/api/echo/"));
            Assert.AreEqual(header, ((Dictionary<string, object>)sent["headers"])["authorization"]);
            Assert.AreEqual("/" + service + "/api/echo/", sent["path"]);
            for (int i = 0; i < 3; i++)
            {
                client.Get("/api/echo/");
                Assert.AreEqual(header, client.AuthorizationHeader());
            }
            Assert.AreEqual(1, Emulator.Logins(service, Username));
        }

        [Test]
        public void CustomProviderProfile()
        {
            var client = MakeClient("custom", null, "\"base_url\":" + Emulator.Q(Emulator.BaseUrl("tpstreams")) +
                ",\"login_path\":\"/api/auth/login/\",\"logout_path\":\"/api/auth/logout/\"," +
                "\"extra_fields\":{\"organization_id\":" + Emulator.Q(Org) + "},\"token_field\":\"token\"," +
                "\"expiry_field\":\"expiry\",\"scheme\":\"Token\"");
            string header = client.AuthorizationHeader();
            StringAssert.IsMatch("^Token [0-9a-f]{64}$", header);
            Assert.AreEqual(header, SentAuthorization(client.Get("/api/echo/")));
            client.Logout();
            Assert.AreEqual(1, Emulator.Logins("tpstreams", Username));
            Assert.AreEqual(1, Emulator.Logouts("tpstreams", Username));
        }

        [Test]
        public void RequestsSendMethodQueryHeadersAndBodies()
        {
            var client = MakeClient();
            var r = client.Get("/api/echo/items?page=2", new[] { H("X-Trace", "t1") });
            var sent = Echo(r);
            Assert.AreEqual("GET", sent["method"]);
            Assert.AreEqual("page=2", sent["query"]);
            Assert.AreEqual("t1", ((Dictionary<string, object>)sent["headers"])["x-trace"]);
            StringAssert.EndsWith("/tpstreams/api/echo/items?page=2", r.Url);
            Assert.IsTrue(r.IsSuccess);
            StringAssert.StartsWith("application/json", r.Header("Content-Type"));
            Assert.AreEqual(r.Header("content-type"), r.Headers.First(h => h.Key == "content-type").Value);
            Assert.AreEqual(r.Text, Encoding.UTF8.GetString(r.Body));

            sent = Echo(client.Request("POST", "/api/echo/", new[] { H("Content-Type", "application/json") }, "{\"ü\":true}"));
            Assert.AreEqual("POST", sent["method"]);
            Assert.AreEqual("{\"ü\":true}", sent["body"]);
            sent = Echo(client.Request("put", "/api/echo/", null, Encoding.UTF8.GetBytes("raw-bytes")));
            Assert.AreEqual("PUT", sent["method"]);
            Assert.AreEqual("raw-bytes", sent["body"]);
            sent = Echo(client.Request("PATCH", "/api/echo/", null, new byte[0]));
            Assert.AreEqual("", sent["body"]);
            sent = Echo(client.Request("DELETE", "/api/echo/", new[] { H("X-Rep", "1"), H("X-Rep", "2") }));
            Assert.AreEqual("1, 2", ((Dictionary<string, object>)sent["headers"])["x-rep"]);
            sent = Echo(client.Get(client.BaseUrl + "/api/echo/?a=1"));
            Assert.AreEqual("a=1", sent["query"]);
        }

        [Test]
        public void EnsureSuccessMapsTheStatusToAnError()
        {
            var client = MakeClient();
            var ok = client.Get("/api/echo/");
            Assert.AreSame(ok, ok.EnsureSuccess());

            var missing = client.Get("/api/missing/");
            Assert.AreEqual(404, missing.Status);
            Assert.IsFalse(missing.IsSuccess);
            var e = Throws<HttpStatusException>(() => missing.EnsureSuccess());
            Assert.AreEqual(15, e.Code);
            Assert.AreEqual("http_status", e.Kind);
            Assert.AreEqual(404, e.Status);
            Assert.AreEqual("Not found.", e.ServerMessage);
            Assert.AreSame(missing, e.Response);
            StringAssert.Contains("404", e.Message);
            Assert.Throws<HttpStatusException>(() => missing.RaiseForStatus());

            Emulator.Fault("{\"service\":\"tpstreams\",\"path\":\"/api/echo/\",\"kind\":\"status\",\"status\":503,\"retry_after\":7,\"count\":1}");
            var unavailable = client.Get("/api/echo/");
            var s = Throws<ServerException>(() => unavailable.EnsureSuccess());
            Assert.AreEqual(10, s.Code);
            Assert.AreEqual(503, s.Status);
            Assert.AreEqual(TimeSpan.FromSeconds(7), s.RetryAfter);
        }

        [Test]
        public void LogoutRevokesTheTokenForEveryone()
        {
            var client = MakeClient();
            string old = client.AuthorizationHeader();
            Assert.AreEqual(200, Emulator.RawGet("tpstreams", "/api/echo/", old));
            client.Logout();
            Assert.AreEqual(1, Emulator.Logouts("tpstreams", Username));
            Assert.AreEqual(401, Emulator.RawGet("tpstreams", "/api/echo/", old));
            Assert.AreNotEqual(old, SentAuthorization(client.Get("/api/echo/")));
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void LogoutWithoutATokenSendsNothing()
        {
            MakeClient().Logout();
            Assert.AreEqual(0, Emulator.Logouts("tpstreams", Username));
        }

        [Test]
        public void LogoutWhereTheServiceHasNoEndpointForgetsLocally()
        {
            var client = MakeClient("tpstreams-legacy");
            string old = client.AuthorizationHeader();
            client.Logout();
            Assert.AreNotEqual(old, client.AuthorizationHeader());
            Assert.AreEqual(2, Emulator.Logins("tpstreams-legacy", Username));
        }

        [Test]
        public void ForgetDropsTheTokenLocallyWithoutRevokingIt()
        {
            var client = MakeClient();
            string old = client.AuthorizationHeader();
            client.Forget();
            Assert.AreNotEqual(old, client.AuthorizationHeader());
            Assert.AreEqual(200, Emulator.RawGet("tpstreams", "/api/echo/", old));
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
            Assert.AreEqual(0, Emulator.Logouts("tpstreams", Username));
        }

        [Test]
        public void InvalidateForgetsOnlyTheTokenThatWasRefused()
        {
            var client = MakeClient();
            string old = client.AuthorizationHeader();
            Emulator.Revoke("tpstreams", Username);
            Assert.AreEqual(401, Emulator.RawGet("tpstreams", "/api/echo/", old));
            Assert.IsTrue(client.Invalidate(old), "the refused token was the current one");
            string fresh = client.AuthorizationHeader();
            Assert.AreNotEqual(old, fresh);
            Assert.IsFalse(client.Invalidate(old), "a late report keeps the fresh token");
            Assert.AreEqual(fresh, client.AuthorizationHeader());
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
            Assert.AreEqual(14, Throws<InvalidArgumentException>(() => client.Invalidate("")).Code);
        }

        [Test]
        public void IsRefusedIsTheCoresRule()
        {
            var tpstreams = MakeClient();
            var testpress = MakeClient("testpress");
            const string expired = "{\"detail\": \"Signature has expired.\"}";
            Assert.IsTrue(tpstreams.IsRefused(401, ""));
            Assert.IsTrue(testpress.IsRefused(401, (byte[])null));
            Assert.IsFalse(tpstreams.IsRefused(403, expired));
            Assert.IsTrue(testpress.IsRefused(403, expired));
            Assert.IsTrue(testpress.IsRefused(403, "{\"message\": \"Signature has expired.\"}"));
            Assert.IsFalse(testpress.IsRefused(403, "{\"detail\": \"You do not have permission.\"}"));
            Assert.IsFalse(testpress.IsRefused(200, expired));
        }

        [Test]
        public void CheckUrlIsTheCoresOriginRule()
        {
            var client = MakeClient();
            client.CheckUrl(client.BaseUrl + "/api/echo/?page=2");
            client.CheckUrl(new Uri(client.BaseUrl + "/api/echo/"));
            var e = Throws<InvalidArgumentException>(() => client.CheckUrl("http://localhost:1/api/"));
            StringAssert.StartsWith("refusing to send the Authorization header to http://localhost: this client is for ", e.Message);
            e = Throws<InvalidArgumentException>(() => client.CheckUrl("ftp://127.0.0.1/"));
            Assert.AreEqual("refusing to send the Authorization header to a ftp: URL: only http:// and https:// URLs are supported", e.Message);
            Throws<InvalidArgumentException>(() => client.CheckUrl("/relative/"));
        }

        [Test]
        public void ARevokedTokenIsReplacedAndTheRequestResent()
        {
            var client = MakeClient();
            string old = client.AuthorizationHeader();
            Assert.AreEqual(1, Emulator.Revoke("tpstreams", Username));
            var sent = Echo(client.Request("POST", "/api/echo/", new[] { H("Content-Type", "application/json") }, "{\"resent\":true}"));
            Assert.AreEqual("{\"resent\":true}", sent["body"]);
            Assert.AreNotEqual(old, ((Dictionary<string, object>)sent["headers"])["authorization"]);
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void TheHeaderFollowsEveryNewToken()
        {
            var client = MakeClient();
            string warm = client.AuthorizationHeader();
            Assert.IsTrue(ReferenceEquals(warm, client.AuthorizationHeader()), "a warm header is the cached string");
            Assert.AreEqual(warm, SentAuthorization(client.Get("/api/echo/")));
            Assert.IsTrue(ReferenceEquals(warm, client.AuthorizationHeader()), "a request with the same token keeps it");
            Assert.AreEqual(1, Emulator.Revoke("tpstreams", Username));
            string sent = SentAuthorization(client.Get("/api/echo/")); // refused, logs in again, resent
            string fresh = client.AuthorizationHeader();
            Assert.AreNotEqual(warm, fresh);
            Assert.AreEqual(sent, fresh);
            Assert.IsTrue(ReferenceEquals(fresh, client.AuthorizationHeader()), "the new header is cached in turn");
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
            client.Dispose();
            Assert.AreEqual("the client is disposed", Throws<InvalidArgumentException>(() => client.AuthorizationHeader()).Message);
        }

        [Test]
        public void ASecond401IsUnauthorized()
        {
            var client = MakeClient();
            client.AuthorizationHeader();
            Emulator.Fault("{\"service\":\"tpstreams\",\"path\":\"/api/echo/\",\"kind\":\"status\",\"status\":401,\"count\":2}");
            var e = Throws<UnauthorizedException>(() => client.Get("/api/echo/"));
            Assert.AreEqual(4, e.Code);
            Assert.AreEqual("unauthorized", e.Kind);
            Assert.AreEqual(401, e.Status);
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void TheTokenLimitIsReportedAsSuch()
        {
            var holders = Enumerable.Range(0, 20).Select(i => MakeClient("tpstreams", "limit-" + i + "-" + Org + "@example.com")).ToList();
            foreach (var h in holders) h.AuthorizationHeader();
            var extra = MakeClient("tpstreams", "limit-20-" + Org + "@example.com");
            var e = Throws<TokenLimitException>(() => extra.Get("/api/echo/"));
            Assert.AreEqual(3, e.Code);
            Assert.AreEqual("token_limit", e.Kind);
            Assert.AreEqual(403, e.Status);
            Assert.AreEqual("Maximum amount of tokens allowed per user exceeded.", e.ServerMessage);
            StringAssert.Contains("log out tokens that are no longer used", e.Message);
            holders[0].Logout();
            extra.Forget(); // the refusal is remembered for the identity (login_cooloff_s); Forget() lifts it
            StringAssert.StartsWith("Token ", extra.AuthorizationHeader());
        }

        [Test]
        public void BadCredentials()
        {
            var client = MakeClient("tpstreams", null, "\"password\":\"wrong-password-123\"");
            var e = Throws<InvalidCredentialsException>(() => client.AuthorizationHeader());
            Assert.IsInstanceOf<AuthTokenException>(e);
            Assert.AreEqual(2, e.Code);
            Assert.AreEqual("invalid_credentials", e.Kind);
            Assert.AreEqual(400, e.Status);
            Assert.AreEqual("Unable to log in with provided credentials.", e.ServerMessage);
            StringAssert.DoesNotContain("wrong-password-123", e.ToString());
            StringAssert.DoesNotContain("wrong-password-123", client.ToString());
            Assert.AreEqual(0, Emulator.Logins("tpstreams", Username));
            Assert.AreEqual(1, Emulator.LoginAttempts("tpstreams", Username));
        }

        [Test]
        public void AnUnreachableHostIsANetworkError()
        {
            var client = MakeClient("tpstreams", null, "\"base_url\":\"http://127.0.0.1:9/tpstreams\"");
            var e = Throws<NetworkException>(() => client.AuthorizationHeader());
            Assert.AreEqual(7, e.Code);
            Assert.AreEqual("network", e.Kind);
            Assert.IsNull(e.Status);
            Assert.IsNull(e.RetryAfter);
        }

        [Test]
        public void AnUnknownConfigKeyIsNamed()
        {
            var e = Throws<InvalidConfigException>(() => new Client("{\"provider\":\"tpstreams\",\"username\":\"u\",\"pasword\":\"p\",\"organization_id\":\"o\"}"));
            Assert.AreEqual(1, e.Code);
            StringAssert.Contains("unknown config key `pasword`", e.Message);
            StringAssert.Contains("did you mean `password`", e.Message);
        }

        [TestCase("\"timeout_ms\":\"soon\"", "timeout_ms")]
        [TestCase("\"timeout_ms\":0", "timeout_ms")]
        [TestCase("\"subdomain\":\"demo\"", "subdomain")]
        [TestCase("\"cache\":\"floppy\"", "cache")]
        [TestCase("\"base_url\":\"ftp://example.com\"", "base_url")]
        [TestCase("\"max_retries\":99", "max_retries")]
        public void AnInvalidValueNamesItsKey(string extra, string key)
        {
            string config = Config("tpstreams", null, extra).Replace(",\"max_retries\":0", key == "max_retries" ? "" : ",\"max_retries\":0");
            var e = Throws<InvalidConfigException>(() => new Client(config));
            StringAssert.Contains("`" + key + "`", e.Message);
            Assert.AreEqual(1, e.Code);
            StringAssert.DoesNotContain(Emulator.Password, e.Message);
        }

        [Test]
        public void MalformedJsonNeverShowsThePassword()
        {
            var e = Throws<InvalidConfigException>(() => new Client("{\"provider\": \"tpstreams\", \"password\": \"hunter22\""));
            StringAssert.DoesNotContain("hunter22", e.Message);
            Throws<InvalidConfigException>(() => new Client("[1, 2]"));
            Assert.Throws<ArgumentNullException>(() => new Client(null));
        }

        [Test]
        public void InvalidRequestArgumentsSendNothing()
        {
            var client = MakeClient();
            var e = Throws<InvalidArgumentException>(() => client.Request("BREW", "/api/echo/"));
            Assert.AreEqual(14, e.Code);
            StringAssert.Contains("method", e.Message);
            StringAssert.Contains("refusing to send", Throws<InvalidArgumentException>(() => client.Get("http://localhost:1/api/echo/")).Message);
            StringAssert.Contains("Authorization", Throws<InvalidArgumentException>(() => client.Get("/api/echo/", new[] { H("Authorization", "Token mine") })).Message);
            Assert.Throws<ArgumentException>(() => client.Get("/api/echo/\0"));
            Assert.AreEqual(0, Emulator.LoginAttempts("tpstreams", Username));
            Assert.AreEqual(0, Emulator.Requests("tpstreams", Username));
        }

        [Test]
        public void ThePasswordMayComeFromTheEnvironment()
        {
            Environment.SetEnvironmentVariable("AUTHTOKEN_PASSWORD", Emulator.Password);
            try
            {
                using (var client = new Client(Config("tpstreams", null, null, false)))
                    StringAssert.StartsWith("Token ", client.AuthorizationHeader());
            }
            finally
            {
                Environment.SetEnvironmentVariable("AUTHTOKEN_PASSWORD", null);
            }
        }

        [Test]
        public void ToStringNeverShowsSecrets()
        {
            var client = MakeClient();
            string token = client.Token();
            string text = client.ToString();
            StringAssert.DoesNotContain(Emulator.Password, text);
            StringAssert.DoesNotContain(token, text);
            Assert.AreEqual(Emulator.BaseUrl("tpstreams"), client.BaseUrl);
            StringAssert.DoesNotContain(token, client.Get("/api/echo/").ToString());
        }

        [Test]
        public void ADisposedClientRefusesCalls()
        {
            var client = new Client(Config());
            client.Dispose();
            client.Dispose();
            Assert.AreEqual(14, Throws<InvalidArgumentException>(() => client.AuthorizationHeader()).Code);
        }

        [Test]
        public void ErrorClassesCarryTheCAbiCodes()
        {
            var types = new[]
            {
                typeof(InvalidConfigException), typeof(InvalidCredentialsException), typeof(TokenLimitException),
                typeof(UnauthorizedException), typeof(ForbiddenException), typeof(RateLimitedException),
                typeof(NetworkException), typeof(AuthTokenTimeoutException), typeof(TlsException), typeof(ServerException),
                typeof(ProtocolException), typeof(StoreException), typeof(LockTimeoutException),
                typeof(InvalidArgumentException), typeof(HttpStatusException), typeof(InternalException),
            };
            for (int code = 1; code <= types.Length; code++)
            {
                var e = AuthTokenException.ForCode(code, "x");
                Assert.AreEqual(types[code - 1], e.GetType());
                Assert.AreEqual(code, e.Code);
                Assert.AreEqual(Library.KindName(code), e.Kind, "kind of " + types[code - 1].Name);
                Assert.AreEqual(code, types[code - 1].GetField("KindCode").GetValue(null));
            }
            Assert.AreEqual(typeof(AuthTokenException), AuthTokenException.ForCode(99, "x").GetType());
            Assert.IsNull(Library.KindName(99));
        }

        [Test]
        public void LibraryFacts()
        {
            Assert.AreEqual(Library.AssemblyVersion, Library.Version);
            CollectionAssert.Contains(Library.ConfigKeys(), "organization_id");
            Assert.IsTrue(System.IO.File.Exists(Library.Path), Library.Path);
        }
    }
}

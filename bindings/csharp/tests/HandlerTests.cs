// The DelegatingHandler: the header, one login, the resend on a refused token, the origin rule.
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text;
using AuthToken;
using NUnit.Framework;

namespace AuthToken.Tests
{
    [TestFixture]
    public class HandlerTests : EmulatorTest
    {
        private static HttpClient Http(Client client)
        {
            return new HttpClient(new AuthTokenHandler(client));
        }

        private static Dictionary<string, object> Sent(HttpResponseMessage r)
        {
            Assert.AreEqual(HttpStatusCode.OK, r.StatusCode);
            return (Dictionary<string, object>)Json.Parse(r.Content.ReadAsStringAsync().Result);
        }

        private static string Auth(Dictionary<string, object> sent)
        {
            return (string)((Dictionary<string, object>)sent["headers"])["authorization"];
        }

        [Test]
        public void SignsRequestsWithOneLogin()
        {
            var client = MakeClient();
            using (var http = Http(client))
            {
                var sent = Sent(http.GetAsync(client.BaseUrl + "/api/echo/?q=1").Result);
                Assert.AreEqual(client.AuthorizationHeader(), Auth(sent));
                Assert.AreEqual("q=1", sent["query"]);
                for (int i = 0; i < 3; i++)
                {
                    var posted = Sent(http.PostAsync(client.BaseUrl + "/api/echo/",
                        new StringContent("{\"i\":" + i + "}", Encoding.UTF8, "application/json")).Result);
                    Assert.AreEqual("{\"i\":" + i + "}", posted["body"]);
                }
            }
            Assert.AreEqual(1, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void ARefusedTokenIsReplacedAndTheRequestResentWithItsBody()
        {
            var client = MakeClient();
            string old = client.AuthorizationHeader();
            Emulator.Revoke("tpstreams", Username);
            using (var http = Http(client))
            {
                var sent = Sent(http.PostAsync(client.BaseUrl + "/api/echo/", new StringContent("payload")).Result);
                Assert.AreEqual("payload", sent["body"]);
                StringAssert.StartsWith("text/plain", (string)((Dictionary<string, object>)sent["headers"])["content-type"]);
                Assert.AreNotEqual(old, Auth(sent));
            }
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void ASecondRefusalIsReturnedAsItIs()
        {
            var client = MakeClient();
            client.AuthorizationHeader();
            Emulator.Fault("{\"service\":\"tpstreams\",\"path\":\"/api/echo/\",\"kind\":\"status\",\"status\":401,\"count\":2}");
            using (var http = Http(client))
                Assert.AreEqual(HttpStatusCode.Unauthorized, http.GetAsync(client.BaseUrl + "/api/echo/").Result.StatusCode);
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void ThreadsRefusedTogetherCauseOneLogin()
        {
            var client = MakeClient();
            string old = client.AuthorizationHeader();
            Emulator.Revoke("tpstreams", Username);
            using (var http = Http(client))
            {
                var seen = RunThreads(8, i => Auth(Sent(http.GetAsync(client.BaseUrl + "/api/echo/").Result)));
                CollectionAssert.AllItemsAreNotNull(seen);
                Assert.AreEqual(1, new HashSet<string>(seen).Count);
                Assert.AreNotEqual(old, seen[0]);
            }
            Assert.AreEqual(2, Emulator.Logins("tpstreams", Username));
        }

        [Test]
        public void Testpress403ForARevokedJwtIsARefusal()
        {
            var client = MakeClient("testpress");
            string old = client.AuthorizationHeader();
            Emulator.Revoke("testpress", Username);
            using (var http = Http(client))
            {
                var r = http.GetAsync(client.BaseUrl + "/api/v2.5/exams/").Result;
                Assert.AreEqual(HttpStatusCode.OK, r.StatusCode, r.Content.ReadAsStringAsync().Result);
            }
            Assert.AreNotEqual(old, client.AuthorizationHeader());
            Assert.AreEqual(2, Emulator.Logins("testpress", Username));
        }

        [Test]
        public void TheHeaderIsNeverSentToAnotherOrigin()
        {
            var client = MakeClient();
            using (var http = Http(client))
            {
                var e = Assert.Throws<System.AggregateException>(() => http.GetAsync("http://localhost:1/api/echo/").Wait());
                Assert.IsInstanceOf<InvalidArgumentException>(e.InnerException);
                StringAssert.Contains("refusing to send the Authorization header", e.InnerException.Message);
            }
            Assert.AreEqual(0, Emulator.LoginAttempts("tpstreams", Username));
        }
    }
}

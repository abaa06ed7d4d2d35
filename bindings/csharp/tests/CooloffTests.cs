// The login cool-off: a refused login is remembered for the identity, so that every thread asks
// the server once; a corrected password or Forget() lifts it.
using System;
using System.Linq;
using System.Threading;
using AuthToken;
using NUnit.Framework;

namespace AuthToken.Tests
{
    [TestFixture]
    public class CooloffTests : EmulatorTest
    {
        private const string Refused = "Unable to log in with provided credentials.";

        [Test]
        public void AWrongPasswordCostsOneAttemptFromSixteenThreads()
        {
            var wrong = MakeClient("tpstreams", null, "\"password\":\"wrong-password-123\"");
            var outcomes = RunThreads(16, _ =>
            {
                try
                {
                    wrong.AuthorizationHeader();
                    return "ok";
                }
                catch (AuthTokenException e)
                {
                    return e.Kind + "|" + e.Status + "|" + e.ServerMessage;
                }
            });
            CollectionAssert.AreEqual(new[] { "invalid_credentials|400|" + Refused }, outcomes.Distinct().ToArray());
            Assert.AreEqual(1, Emulator.LoginAttempts("tpstreams", Username));

            var e2 = Throws<InvalidCredentialsException>(() => wrong.AuthorizationHeader());
            StringAssert.Contains("remembered", e2.Message);
            StringAssert.DoesNotContain("wrong-password-123", e2.ToString());
            Assert.IsTrue(e2.RetryAfter.HasValue, "RetryAfter is set");
            Assert.That(e2.RetryAfter.Value, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(61)));
            Assert.AreEqual(1, Emulator.LoginAttempts("tpstreams", Username));

            var fixedPassword = MakeClient("tpstreams");
            StringAssert.StartsWith("Token ", fixedPassword.AuthorizationHeader());
            Assert.AreEqual(2, Emulator.LoginAttempts("tpstreams", Username));
        }

        [Test]
        public void ForgetLiftsTheCooloff()
        {
            var client = MakeClient("tpstreams", null, "\"password\":\"wrong-password-123\"");
            for (int i = 0; i < 3; i++) Throws<InvalidCredentialsException>(() => client.AuthorizationHeader());
            Assert.AreEqual(1, Emulator.LoginAttempts("tpstreams", Username));
            client.Forget();
            Throws<InvalidCredentialsException>(() => client.AuthorizationHeader());
            Assert.AreEqual(2, Emulator.LoginAttempts("tpstreams", Username));
        }

        [Test]
        public void A429WithRetryAfterStopsEveryCallerUntilItPasses()
        {
            Emulator.Fault("{\"service\":\"tpstreams\",\"path\":\"login\",\"kind\":\"status\",\"status\":429,\"retry_after\":2}");
            var client = MakeClient("tpstreams", null, "\"login_cooloff_s\":1"); // the longer Retry-After wins
            var refusedAt = DateTime.UtcNow;
            var kinds = RunThreads(8, _ =>
            {
                try
                {
                    client.AuthorizationHeader();
                    return "ok";
                }
                catch (AuthTokenException e)
                {
                    return e.Kind;
                }
            });
            CollectionAssert.AreEqual(new[] { "rate_limited" }, kinds.Distinct().ToArray());
            Assert.AreEqual(1, Emulator.LoginAttempts("tpstreams", Username));
            var left = TimeSpan.FromMilliseconds(3200) /* whole seconds, the end rounded up */ - (DateTime.UtcNow - refusedAt);
            if (left > TimeSpan.Zero) Thread.Sleep(left);
            StringAssert.StartsWith("Token ", client.AuthorizationHeader());
            Assert.AreEqual(2, Emulator.LoginAttempts("tpstreams", Username));
        }
    }
}

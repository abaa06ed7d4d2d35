// make bench-csharp: the warm Client.AuthorizationHeader() (a P/Invoke, the copy of the
// header into a string, authtoken_string_free) next to the floor of a P/Invoke that does
// nothing (authtoken_noop(), through the same [DllImport] binding, reached by reflection since
// it is internal). Prints ns/call for each and the ratio; the best of several rounds.
using System;
using System.Diagnostics;
using System.Reflection;
using AuthToken;

public static class Bench
{
    private const int Calls = 1000000;
    private const int Rounds = 5;

    public static int Main()
    {
        string emulator = Environment.GetEnvironmentVariable("AUTHTOKEN_EMULATOR");
        if (string.IsNullOrEmpty(emulator)) { Console.Error.WriteLine("run through scripts/with-emulator.sh"); return 2; }
        string password = Environment.GetEnvironmentVariable("AUTHTOKEN_TEST_PASSWORD");
        if (string.IsNullOrEmpty(password)) password = "demo-password";
        string config = "{\"provider\":\"tpstreams\",\"username\":\"bench-cs@example.com\",\"organization_id\":\"bench\"," +
            "\"password\":\"" + password + "\",\"base_url\":\"" + emulator + "/tpstreams\",\"cache\":\"memory\"}";
        var native = typeof(Client).Assembly.GetType("AuthToken.Native");
        var noop = (Func<uint>)Delegate.CreateDelegate(typeof(Func<uint>),
            native.GetMethod("authtoken_noop", BindingFlags.NonPublic | BindingFlags.Static));
        using (var client = new Client(config))
        {
            client.AuthorizationHeader(); // the one login
            double header = Best(() => { client.AuthorizationHeader(); });
            double floor = Best(() => { noop(); });
            Console.WriteLine("C# (Mono {0}), library {1}", MonoVersion(), Library.Path);
            Console.WriteLine("warm AuthorizationHeader(): {0,8:F1} ns/call", header);
            Console.WriteLine("authtoken_noop() P/Invoke:  {0,8:F1} ns/call", floor);
            Console.WriteLine("ratio: {0:F1}x the P/Invoke floor", header / floor);
        }
        return 0;
    }

    private static double Best(Action call)
    {
        for (int i = 0; i < Calls / 10; i++) call(); // warm-up (JIT)
        double best = double.MaxValue;
        for (int r = 0; r < Rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < Calls; i++) call();
            sw.Stop();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds * 1e6 / Calls);
        }
        return best;
    }

    private static string MonoVersion()
    {
        var t = Type.GetType("Mono.Runtime");
        var m = t == null ? null : t.GetMethod("GetDisplayName", BindingFlags.NonPublic | BindingFlags.Static);
        return m == null ? Environment.Version.ToString() : (string)m.Invoke(null, null);
    }
}

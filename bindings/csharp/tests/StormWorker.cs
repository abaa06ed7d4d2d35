// One process of the storm test (ConcurrencyTests): reads the client configuration from
// STORM_CONFIG (without the password: AUTHTOKEN_PASSWORD) and a thread count from args[0];
// prints "ready", waits for end-of-file on stdin (the start signal), then each thread sends
// one signed GET; prints the Authorization header the server saw, one line per thread, or
// "error: ..." and exits 1.
using System;
using System.Collections.Generic;
using System.Threading;
using AuthToken;

public static class StormWorker
{
    public static int Main(string[] args)
    {
        int count = int.Parse(args[0]);
        using (var client = new Client(Environment.GetEnvironmentVariable("STORM_CONFIG")))
        {
            Console.WriteLine("ready");
            Console.Out.Flush();
            Console.In.ReadToEnd();
            var results = new string[count];
            var threads = new Thread[count];
            for (int i = 0; i < count; i++)
            {
                int n = i;
                threads[i] = new Thread(() =>
                {
                    try
                    {
                        var sent = (Dictionary<string, object>)AuthToken.Json.Parse(client.Get("/api/echo/").EnsureSuccess().Text);
                        results[n] = (string)((Dictionary<string, object>)sent["headers"])["authorization"];
                    }
                    catch (Exception e)
                    {
                        results[n] = "error: " + e.GetType().Name + ": " + e.Message;
                    }
                });
                threads[i].Start();
            }
            foreach (var t in threads) t.Join();
            int failed = 0;
            foreach (var r in results)
            {
                Console.WriteLine(r);
                if (r.StartsWith("error: ", StringComparison.Ordinal)) failed++;
            }
            return failed == 0 ? 0 : 1;
        }
    }
}

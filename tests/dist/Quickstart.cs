// The C# install quickstart (README "Install"), as make test-dist-csharp runs it: compiled
// with `mcs -r:lib/netstandard2.0/AuthToken.dll` against the unpacked AuthToken.VERSION.nupkg
// only, run with Mono. Prints the scheme of the header, the status of a signed GET, the
// library's version and path. The emulator is AUTHTOKEN_EMULATOR, the password
// AUTHTOKEN_PASSWORD; the token is shared through AUTHTOKEN_CACHE_DIR (no logout here).
using System;
using AuthToken;

public static class Quickstart
{
    public static int Main()
    {
        string emulator = Environment.GetEnvironmentVariable("AUTHTOKEN_EMULATOR");
        string config = "{\"provider\": \"tpstreams\", \"username\": \"hari@example.com\", " +
            "\"organization_id\": \"auhf2k\", \"base_url\": \"" + emulator + "/tpstreams\"}";
        try
        {
            using (var client = new Client(config))
            {
                string scheme = client.AuthorizationHeader().Split(' ')[0];
                int status = client.Get("/api/v1/auhf2k/assets/").EnsureSuccess().Status;
                Console.WriteLine("csharp (mono {0}): scheme {1}, GET assets {2}, authtoken {3}, library {4}",
                    Environment.Version, scheme, status, Library.Version, Library.Path);
            }
            return 0;
        }
        catch (AuthTokenException e)
        {
            Console.Error.WriteLine("{0} [{1}, code {2}, HTTP {3}]", e.Message, e.Kind, e.Code, e.Status);
            return 1;
        }
        catch (LibraryLoadException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}

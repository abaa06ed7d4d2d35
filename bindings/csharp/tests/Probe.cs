// Loads the library in a fresh process (loading happens once per process): prints
// "loaded PATH" or the exception's type and message, for LoadingTests.
using System;
using AuthToken;

public static class Probe
{
    public static int Main()
    {
        try
        {
            Console.WriteLine("loaded " + Library.Path + " " + Library.Version);
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine(e.GetType().FullName + ": " + e.Message);
            return 1;
        }
    }
}

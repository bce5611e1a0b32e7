// Opens an engine and reports the outcome on one line, for the test that loads a library
// of another version in a separate process (a process loads libitsm only once).
using System;
using Itsm;

public static class VersionProbe
{
    public static int Main()
    {
        try
        {
            using (Engine.OpenMemory())
                Console.WriteLine("ok " + Engine.LibraryVersion);
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine(e.GetType().Name + ": " + e.Message);
            return 1;
        }
    }
}

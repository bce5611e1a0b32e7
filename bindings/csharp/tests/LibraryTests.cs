using System;
using System.Diagnostics;
using System.IO;
using Itsm;
using NUnit.Framework;

namespace Itsm.Tests
{
    // The version check, in processes of their own: VersionProbe.exe opens an engine with the
    // library the dynamic loader finds on LD_LIBRARY_PATH.
    [TestFixture]
    public class LibraryTests
    {
        private static string Here
        {
            get { return Path.GetDirectoryName(typeof(Engine).Assembly.Location); }
        }

        private static string Probe(string libraryPath, out int exitCode)
        {
            var info = new ProcessStartInfo("mono", "\"" + Path.Combine(Here, "VersionProbe.exe") + "\"");
            info.UseShellExecute = false;
            info.RedirectStandardOutput = true;
            if (libraryPath != null) info.EnvironmentVariables["LD_LIBRARY_PATH"] = libraryPath;
            using (Process p = Process.Start(info))
            {
                string output = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                exitCode = p.ExitCode;
                return output;
            }
        }

        private static bool Run(string file, string args)
        {
            var info = new ProcessStartInfo(file, args);
            info.UseShellExecute = false;
            try
            {
                using (Process p = Process.Start(info))
                {
                    p.WaitForExit();
                    return p.ExitCode == 0;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false; // no such program
            }
        }

        [Test]
        public void TheMatchingLibraryIsAccepted()
        {
            int rc;
            string output = Probe(null, out rc);
            Assert.AreEqual("ok 0.1.0", output);
            Assert.AreEqual(0, rc);
        }

        [Test]
        public void ALibraryOfAnotherVersionIsRefused()
        {
            string dir = Path.Combine(Path.GetTempPath(), "itsm-fake-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string src = Path.Combine(dir, "fake.c");
                File.WriteAllText(src, "int itsm_version_number(void) { return 101; }\n" +
                    "const char* itsm_version_string(void) { return \"0.1.1\"; }\n");
                if (!Run("cc", "-shared -fPIC -o \"" + Path.Combine(dir, "libitsm.so.0") + "\" \"" + src + "\""))
                    Assert.Ignore("needs a C compiler (cc)");
                int rc;
                string output = Probe(dir, out rc);
                Assert.AreEqual(1, rc);
                StringAssert.StartsWith("LibraryVersionException: libitsm 0.1.1 (101) is loaded", output);
                StringAssert.Contains("needs exactly version number 100", output);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}

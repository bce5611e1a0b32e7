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
            return Probe(libraryPath, null, out exitCode);
        }

        // Runs the probe with LD_LIBRARY_PATH (when not null) and ITSM_LIBRARY (unset when null).
        private static string Probe(string libraryPath, string itsmLibrary, out int exitCode)
        {
            var info = new ProcessStartInfo("mono", "\"" + Path.Combine(Here, "VersionProbe.exe") + "\"");
            info.UseShellExecute = false;
            info.RedirectStandardOutput = true;
            if (libraryPath != null) info.EnvironmentVariables["LD_LIBRARY_PATH"] = libraryPath;
            info.EnvironmentVariables.Remove("ITSM_LIBRARY");
            if (itsmLibrary != null) info.EnvironmentVariables["ITSM_LIBRARY"] = itsmLibrary;
            using (Process p = Process.Start(info))
            {
                string output = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                exitCode = p.ExitCode;
                return output;
            }
        }

        // The libitsm.so.0 these tests run with: the first on LD_LIBRARY_PATH.
        private static string RealLibrary()
        {
            string paths = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "";
            foreach (string dir in paths.Split(':'))
            {
                if (dir.Length == 0) continue;
                string file = Path.Combine(dir, "libitsm.so.0");
                if (File.Exists(file)) return Path.GetFullPath(file);
            }
            Assert.Ignore("needs libitsm.so.0 on LD_LIBRARY_PATH");
            return null;
        }

        // A library of version 0.1.1 (101) in a new folder, with the soname of the real one.
        private static string FakeLibrary(string dir, string fileName)
        {
            string src = Path.Combine(dir, "fake.c");
            string lib = Path.Combine(dir, fileName);
            File.WriteAllText(src, "int itsm_version_number(void) { return 101; }\n" +
                "const char* itsm_version_string(void) { return \"0.1.1\"; }\n");
            if (!Run("cc", "-shared -fPIC -Wl,-soname,libitsm.so.0 -o \"" + lib + "\" \"" + src + "\""))
                Assert.Ignore("needs a C compiler (cc)");
            return lib;
        }

        private static string NewFolder()
        {
            string dir = Path.Combine(Path.GetTempPath(), "itsm-fake-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return dir;
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
            string dir = NewFolder();
            try
            {
                FakeLibrary(dir, "libitsm.so.0");
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

        [Test]
        public void ItsmLibraryNamesTheLibraryFile()
        {
            string real = RealLibrary();
            string empty = NewFolder(); // nothing to find on the search path
            try
            {
                int rc;
                string output = Probe(empty, real, out rc);
                Assert.AreEqual("ok 0.1.0", output);
                Assert.AreEqual(0, rc);
            }
            finally
            {
                Directory.Delete(empty, true);
            }
        }

        [Test]
        public void ItsmLibraryWinsOverTheSearchPathAndIsVersionChecked()
        {
            string real = RealLibrary();
            string dir = NewFolder();
            try
            {
                string fake = FakeLibrary(dir, "fake-itsm.so");
                int rc;
                // the real library is on LD_LIBRARY_PATH, but ITSM_LIBRARY names the fake one
                string output = Probe(Path.GetDirectoryName(real), fake, out rc);
                Assert.AreEqual(1, rc);
                StringAssert.StartsWith("LibraryVersionException: libitsm 0.1.1 (101) is loaded from ITSM_LIBRARY=" + fake, output);
                StringAssert.Contains("needs exactly version number 100", output);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Test]
        public void AnItsmLibraryThatDoesNotLoadIsNamed()
        {
            string missing = Path.Combine(Path.GetTempPath(), "itsm-missing-" + Guid.NewGuid().ToString("N"), "libitsm.so.0");
            int rc;
            string output = Probe(null, missing, out rc);
            Assert.AreEqual(1, rc);
            StringAssert.StartsWith("DllNotFoundException: ITSM_LIBRARY=" + missing + ": the library does not load", output);
        }
    }
}

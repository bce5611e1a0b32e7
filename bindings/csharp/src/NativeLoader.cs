// Where libitsm comes from. With the environment variable ITSM_LIBRARY set to a file, that
// file is the library, whatever the dynamic loader's search path holds; without it the
// P/Invoke name "itsm" is resolved the usual way (Itsm.dll.config on Mono, the runtime's
// probing on modern .NET). The file is loaded before the first call into the library:
//  - on modern .NET (NativeLibrary exists) by a DllImportResolver for this assembly, which
//    answers "itsm" with NativeLibrary.Load(path). NativeLibrary is not in netstandard2.0,
//    so it is reached through reflection;
//  - on Mono (no NativeLibrary) by dlopen(path). Mono then opens "libitsm.so.0" (the dllmap
//    target) by name, and the loader answers with the library already loaded under that
//    soname: the file ITSM_LIBRARY names.
using System;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Itsm
{
    internal static class NativeLoader
    {
        internal const string EnvironmentVariable = "ITSM_LIBRARY";

        private static readonly object Gate = new object();
        private static bool loaded;
        private static string path;

        /// <summary>The file ITSM_LIBRARY named when the library was loaded, or null when the
        /// library was found by name.</summary>
        internal static string ExplicitPath
        {
            get { EnsureLoaded(); return path; }
        }

        /// <summary>Loads the library named by ITSM_LIBRARY, once, before any call into it.
        /// Throws DllNotFoundException naming the variable when that file does not load.</summary>
        internal static void EnsureLoaded()
        {
            lock (Gate)
            {
                if (loaded) return;
                string file = Environment.GetEnvironmentVariable(EnvironmentVariable);
                if (!string.IsNullOrEmpty(file))
                {
                    if (!UseResolver(file)) Preload(file);
                    path = file;
                }
                loaded = true;
            }
        }

        // ---- Modern .NET: a resolver for this assembly's DllImport("itsm").

        private static string resolverPath;
        private static IntPtr resolved;

        private static bool UseResolver(string file)
        {
            Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
            Type resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver");
            if (nativeLibrary == null || resolverType == null) return false;
            MethodInfo set = nativeLibrary.GetMethod("SetDllImportResolver",
                new[] { typeof(Assembly), resolverType });
            MethodInfo load = nativeLibrary.GetMethod("Load", new[] { typeof(string) });
            if (set == null || load == null) return false;
            try
            {
                resolved = (IntPtr)load.Invoke(null, new object[] { file });
            }
            catch (TargetInvocationException e)
            {
                throw NotLoaded(file, e.InnerException != null ? e.InnerException.Message : e.Message);
            }
            resolverPath = file;
            MethodInfo resolve = typeof(NativeLoader).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static);
            set.Invoke(null, new object[] { typeof(NativeLoader).Assembly, Delegate.CreateDelegate(resolverType, resolve) });
            return true;
        }

        // The DllImportResolver: "itsm" is the file loaded above; other names (none today)
        // take the default probing.
        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            return libraryName == NativeMethods.Lib && resolverPath != null ? resolved : IntPtr.Zero;
        }

        // ---- Mono: dlopen the file, so that opening it by its soname finds it loaded.

        private const int RTLD_NOW = 2;

        [DllImport("libdl.so.2", EntryPoint = "dlopen")]
        private static extern IntPtr dlopen_libdl(byte[] file, int mode);
        [DllImport("libdl.so.2", EntryPoint = "dlerror")]
        private static extern IntPtr dlerror_libdl();
        [DllImport("libc", EntryPoint = "dlopen")]
        private static extern IntPtr dlopen_libc(byte[] file, int mode);
        [DllImport("libc", EntryPoint = "dlerror")]
        private static extern IntPtr dlerror_libc();

        private static void Preload(string file)
        {
            byte[] name = Utf8.Encode(EnvironmentVariable, file);
            IntPtr handle;
            string error;
            try
            {
                handle = dlopen_libdl(name, RTLD_NOW);
                error = handle == IntPtr.Zero ? Utf8.Decode(dlerror_libdl()) : null;
            }
            catch (DllNotFoundException)
            {
                // a C library that has dlopen itself (glibc 2.34 and later, the BSDs)
                handle = dlopen_libc(name, RTLD_NOW);
                error = handle == IntPtr.Zero ? Utf8.Decode(dlerror_libc()) : null;
            }
            // The handle is never closed: the library stays loaded for the process.
            if (handle == IntPtr.Zero) throw NotLoaded(file, error);
        }

        private static DllNotFoundException NotLoaded(string file, string why)
        {
            return new DllNotFoundException(EnvironmentVariable + "=" + file + ": the library does not load: " + why);
        }
    }
}

// Finding, checking and binding libauthtoken.
//
// Where: AUTHTOKEN_LIB alone when it is set; else the package's own copy,
// runtimes/linux-x64/native/libauthtoken.so, next to the assembly (a .NET build output) or two
// levels up (the unpacked .nupkg: lib/netstandard2.0/AuthToken.dll); else, when the assembly
// sits inside a checkout of the repository, cargo's target/release then target/debug.
//
// How: the file is opened with dlopen (a small P/Invoke to libdl), so that a failure says what
// the loader said and what the file is (its ELF header's e_machine for a library of another
// architecture); authtoken_abi_version() is called through dlsym and must be AbiVersion before
// anything else of the library runs. Then the name "authtoken" of every [DllImport] is bound
// to that very file: on Mono with mono_dllmap_insert (the programmatic form of a <dllmap> in
// a .config file, which cannot take a path computed at run time from AUTHTOKEN_LIB or from
// where the assembly is), on .NET Core 3+ / .NET 5+ with NativeLibrary.SetDllImportResolver
// (found by reflection: netstandard2.0 does not declare it). Either way no other
// libauthtoken on the system can be picked up by the runtime's own search.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AuthToken
{
    /// <summary>Raised when libauthtoken cannot be used: the message names the path tried,
    /// what was found there and what to do.</summary>
    public sealed class LibraryLoadException : DllNotFoundException
    {
        internal LibraryLoadException(string message) : base(message) { }
    }

    /// <summary>Facts about the loaded native library.</summary>
    public static class Library
    {
        /// <summary>The C ABI version this assembly is written for (the N of
        /// libauthtoken.so.N). A library of another ABI is refused.</summary>
        public const uint AbiVersion = 0;

        /// <summary>The platform the package ships a library for.</summary>
        public const string PackagedPlatform = "linux-x64";

        private static readonly object Gate = new object();
        private static string loadedPath;
        private static LibraryLoadException failure;

        /// <summary>The path the library was loaded from (loads it if needed).</summary>
        public static string Path { get { EnsureLoaded(); return loadedPath; } }

        /// <summary>The library's version, e.g. "0.1.0".</summary>
        public static string Version { get { EnsureLoaded(); return LoadedVersion(); } }

        /// <summary>The version of this assembly (the same number as the library's in a release).</summary>
        public static string AssemblyVersion
        {
            get
            {
                var v = typeof(Library).Assembly.GetName().Version;
                return v.Major + "." + v.Minor + "." + v.Build;
            }
        }

        /// <summary>Every configuration key, as the C ABI's authtoken_config_keys() lists them.</summary>
        public static IList<string> ConfigKeys()
        {
            EnsureLoaded();
            return LoadedConfigKeys();
        }

        /// <summary>The stable snake_case name of a result code ("invalid_credentials" for 2),
        /// or null for a code this library does not know.</summary>
        public static string KindName(int code)
        {
            EnsureLoaded();
            return code < 0 ? null : LoadedKindName((uint)code);
        }

        // Mono binds a [DllImport] when it compiles the first method that calls it, so no method
        // that may run before Bind() calls one: each call lives in a method of its own, compiled
        // only once the library is bound (NoInlining keeps it so).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string LoadedVersion() { return Utf8.Decode(Native.authtoken_version()); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string LoadedKindName(uint code) { return Utf8.Decode(Native.authtoken_error_kind_name(code)); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IList<string> LoadedConfigKeys()
        {
            IntPtr json;
            Native.Check(Native.authtoken_config_keys(out json));
            return Json.ParseStringArray(Native.TakeString(json));
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool BoundTo(uint abi) { return Native.authtoken_abi_version() == abi && Native.authtoken_noop() == 0; }

        /// <summary>Finds, checks and binds the library, once; throws LibraryLoadException (the
        /// same one on every later call) when it cannot be used.</summary>
        public static void EnsureLoaded()
        {
            if (loadedPath != null) return;
            lock (Gate)
            {
                if (loadedPath != null) return;
                if (failure != null) throw failure;
                try
                {
                    loadedPath = Load();
                }
                catch (LibraryLoadException e)
                {
                    failure = e;
                    throw;
                }
            }
        }

        /// <summary>Where the library is looked for, in order.</summary>
        public static IList<string> Candidates()
        {
            string explicitPath = Environment.GetEnvironmentVariable("AUTHTOKEN_LIB");
            if (!string.IsNullOrEmpty(explicitPath)) return new[] { System.IO.Path.GetFullPath(explicitPath) };
            const string name = "libauthtoken.so";
            string dir = System.IO.Path.GetDirectoryName(typeof(Library).Assembly.Location) ?? ".";
            var list = new List<string>();
            string native = System.IO.Path.Combine("runtimes", PackagedPlatform, "native", name);
            list.Add(System.IO.Path.Combine(dir, native));
            list.Add(System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, "..", "..", native)));
            list.Add(System.IO.Path.Combine(dir, name));
            for (var d = new DirectoryInfo(dir); d != null; d = d.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(d.FullName, "Cargo.toml")) &&
                    Directory.Exists(System.IO.Path.Combine(d.FullName, "bindings", "csharp")))
                {
                    list.Add(System.IO.Path.Combine(d.FullName, "target", "release", name));
                    list.Add(System.IO.Path.Combine(d.FullName, "target", "debug", name));
                    break;
                }
            }
            return list;
        }

        private static string Load()
        {
            var tried = Candidates();
            string path = null;
            foreach (var c in tried)
            {
                if (File.Exists(c)) { path = c; break; }
            }
            if (path == null) throw new LibraryLoadException(NotFoundMessage(tried));

            IntPtr handle = Dl.Open(path);
            if (handle == IntPtr.Zero)
                throw new LibraryLoadException(OpenFailedMessage(path, Dl.Error()));
            IntPtr abiFn = Dl.Symbol(handle, "authtoken_abi_version");
            if (abiFn == IntPtr.Zero) throw new LibraryLoadException(AbiMismatchMessage(path, null));
            var abi = (AbiVersionFn)Marshal.GetDelegateForFunctionPointer(abiFn, typeof(AbiVersionFn));
            uint found = abi();
            if (found != AbiVersion) throw new LibraryLoadException(AbiMismatchMessage(path, found));

            Bind(path, handle);
            // The [DllImport]s now reach this file: prove it with the same question.
            if (!BoundTo(found))
                throw new LibraryLoadException("authtoken: " + path + " was loaded, but the runtime bound " +
                    "[DllImport(\"authtoken\")] to another library. Set AUTHTOKEN_LIB to " + path + ".");
            return path;
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate uint AbiVersionFn();

        private static void Bind(string path, IntPtr handle)
        {
            if (Type.GetType("Mono.Runtime") != null)
            {
                Dl.MonoDllMapInsert(IntPtr.Zero, Native.Lib, null, path, null);
                return;
            }
            var nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
            var resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver");
            if (nativeLibrary == null || resolverType == null)
                throw new LibraryLoadException("authtoken: this runtime (" + Environment.Version + ") can bind " +
                    "[DllImport(\"authtoken\")] to " + path + " neither through Mono's dllmap nor through " +
                    "NativeLibrary.SetDllImportResolver: use Mono, or .NET Core 3.0 or newer.");
            resolvedHandle = handle;
            var resolve = typeof(Library).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static);
            var setResolver = nativeLibrary.GetMethod("SetDllImportResolver");
            try
            {
                setResolver.Invoke(null, new object[] { typeof(Library).Assembly, Delegate.CreateDelegate(resolverType, resolve) });
            }
            catch (TargetInvocationException e)
            {
                // Only one resolver per assembly: an application that set its own keeps it.
                if (!(e.InnerException is InvalidOperationException)) throw;
            }
        }

        private static IntPtr resolvedHandle;

        // The DllImportResolver of .NET Core 3+: "authtoken" is the file checked above.
        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            return name == Native.Lib ? resolvedHandle : IntPtr.Zero;
        }

        internal static string NotFoundMessage(IList<string> tried)
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AUTHTOKEN_LIB")))
                return "authtoken: AUTHTOKEN_LIB is " + tried[0] + ", which is not a file. Point it at a " +
                    "libauthtoken.so." + AbiVersion + " (the C tarball authtoken-VERSION-x86_64-linux-gnu.tar.gz " +
                    "has one under lib/), or unset it to use the library of the AuthToken package.";
            return "authtoken: the native library was not found (looked in " + string.Join(", ", tried) + "). " +
                "Install the AuthToken package (AuthToken.VERSION.nupkg carries runtimes/" + PackagedPlatform +
                "/native/libauthtoken.so; keep that directory next to AuthToken.dll), or set AUTHTOKEN_LIB to the " +
                "path of a libauthtoken built for " + PackagedPlatform + ".";
        }

        internal static string OpenFailedMessage(string path, string reason)
        {
            return "authtoken: could not load " + path + ": " + Describe(path) + "; the loader said: " + reason +
                ". Set AUTHTOKEN_LIB to a libauthtoken built for " + PackagedPlatform +
                ", or install the AuthToken package for this platform.";
        }

        internal static string AbiMismatchMessage(string path, uint? found)
        {
            string what = found == null ? "has no authtoken_abi_version(), so it predates ABI versions"
                                        : "has ABI version " + found;
            return "authtoken: " + path + " " + what + ", but this AuthToken assembly (" + AssemblyVersion +
                ") needs ABI version " + AbiVersion + " (libauthtoken.so." + AbiVersion + "). Install the " +
                "AuthToken release that matches the library, or point AUTHTOKEN_LIB at a library of ABI " +
                AbiVersion + ".";
        }

        private static readonly Dictionary<int, string> ElfMachines = new Dictionary<int, string>
        {
            { 3, "x86 (32-bit)" }, { 40, "arm (32-bit)" }, { 62, "x86_64" }, { 183, "aarch64" },
            { 20, "ppc" }, { 21, "ppc64" }, { 22, "s390x" }, { 243, "riscv" },
        };

        /// <summary>What the file at path is, from its first bytes: "an ELF 64-bit file for
        /// aarch64, while this process is x86_64", "an empty file", ...</summary>
        internal static string Describe(string path)
        {
            byte[] head;
            try { head = ReadHead(path); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return "unreadable (" + e.Message + ")";
            }
            if (head.Length == 0) return "an empty file";
            if (head.Length >= 4 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F')
            {
                if (head.Length < 20) return "a truncated ELF file";
                string bits = head[4] == 1 ? "32-bit" : head[4] == 2 ? "64-bit" : "unknown-class";
                return "an ELF " + bits + " file for " + Machine(head) + ", while this process is " + ProcessMachine();
            }
            if (head.Length >= 4 && (head[0] == 0xcf || head[0] == 0xce) && head[1] == 0xfa && head[2] == 0xed && head[3] == 0xfe)
                return "a Mach-O file (a macOS library)";
            if (head.Length >= 2 && head[0] == (byte)'M' && head[1] == (byte)'Z') return "a Windows PE file (a DLL)";
            int n = Math.Min(8, head.Length);
            return "not a shared library (it starts with \"" + System.Text.Encoding.UTF8.GetString(head, 0, n) + "\")";
        }

        private static byte[] ReadHead(string path)
        {
            using (var f = File.OpenRead(path))
            {
                var buf = new byte[20];
                int n = 0, r;
                while (n < buf.Length && (r = f.Read(buf, n, buf.Length - n)) > 0) n += r;
                Array.Resize(ref buf, n);
                return buf;
            }
        }

        private static string Machine(byte[] head)
        {
            int code = head[5] == 2 ? (head[18] << 8) | head[19] : head[18] | (head[19] << 8);
            string name;
            return ElfMachines.TryGetValue(code, out name) ? name : "machine " + code;
        }

        // This process's architecture, from its own executable's ELF header.
        private static string ProcessMachine()
        {
            try
            {
                var head = ReadHead("/proc/self/exe");
                if (head.Length >= 20) return Machine(head);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
            return IntPtr.Size == 8 ? "64-bit" : "32-bit";
        }
    }

    internal static class Dl
    {
        private const int RtldNow = 2;

        [DllImport("libdl.so.2", EntryPoint = "dlopen")] private static extern IntPtr dlopen(string file, int mode);
        [DllImport("libdl.so.2", EntryPoint = "dlsym")] private static extern IntPtr dlsym(IntPtr handle, string name);
        [DllImport("libdl.so.2", EntryPoint = "dlerror")] private static extern IntPtr dlerror();

        // Mono's runtime API (the process itself exports it): a global dllmap entry.
        [DllImport("__Internal", EntryPoint = "mono_dllmap_insert")]
        internal static extern void MonoDllMapInsert(IntPtr assembly, string dll, string func, string tdll, string tfunc);

        internal static IntPtr Open(string path) { dlerror(); return dlopen(path, RtldNow); }
        internal static IntPtr Symbol(IntPtr handle, string name) { dlerror(); return dlsym(handle, name); }
        internal static string Error() { return Utf8.Decode(dlerror()) ?? "(no message)"; }
    }
}

// The C ABI of libauthtoken (include/authtoken.h) as P/Invoke declarations. Internal: use
// AuthToken.Client.
//
// Every declaration names the library "authtoken". Before the first of them runs,
// Library.EnsureLoaded() has found the file, opened it with dlopen, checked its ABI version
// (authtoken_abi_version(), through dlsym, so nothing else of a wrong library is ever called)
// and bound the name "authtoken" to exactly that file (Library.cs says how, on Mono and on
// .NET).
//
// Strings go in as NUL-terminated UTF-8 byte arrays (Utf8.Encode), so that the JSON holding a
// password can be wiped after the call and no marshaller guesses an encoding. Owned strings
// come back as IntPtr, copied and freed with authtoken_string_free (Native.TakeString).
//
// The library keeps a last error per native thread; a .NET thread stays on one native thread,
// so the error is read right after the failed call, on the same thread (Native.Check).
using System;
using System.Runtime.InteropServices;

namespace AuthToken
{
    internal sealed class ClientHandle : SafeHandle
    {
        private ClientHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        // Does not revoke the token (it stays in the store) and does not touch the last error.
        protected override bool ReleaseHandle()
        {
            Native.authtoken_client_free(handle);
            return true;
        }
    }

    // authtoken_response_parts, field for field (x86_64: 64 bytes). Every pointer is borrowed
    // from the response: valid until authtoken_response_free, never NULL.
    [StructLayout(LayoutKind.Sequential)]
    internal struct ResponseParts
    {
        internal IntPtr Body;
        internal UIntPtr BodyLen;
        internal IntPtr Headers;       // header_count pairs "name NUL value NUL"
        internal UIntPtr HeadersLen;   // without the last NUL
        internal UIntPtr HeaderCount;
        internal IntPtr Url;
        internal UIntPtr UrlLen;
        internal ushort Status;
        internal uint StatusResult;    // authtoken_result: 0 below 400
    }

    internal static class Native
    {
        internal const string Lib = "authtoken";

        [DllImport(Lib)] internal static extern IntPtr authtoken_version();
        [DllImport(Lib)] internal static extern uint authtoken_abi_version();
        [DllImport(Lib)] internal static extern uint authtoken_noop();
        [DllImport(Lib)] internal static extern uint authtoken_config_keys(out IntPtr json);
        [DllImport(Lib)] internal static extern void authtoken_string_free(IntPtr s);
        [DllImport(Lib)] internal static extern IntPtr authtoken_error_kind_name(uint code);

        [DllImport(Lib)] internal static extern uint authtoken_last_error_code();
        [DllImport(Lib)] internal static extern ushort authtoken_last_error_status();
        [DllImport(Lib)] internal static extern IntPtr authtoken_last_error_message_dup();
        [DllImport(Lib)] internal static extern IntPtr authtoken_last_error_server_message_dup();
        [DllImport(Lib)] internal static extern IntPtr authtoken_last_error_error_code_dup();
        [DllImport(Lib)] internal static extern long authtoken_last_error_retry_after_ms();

        [DllImport(Lib)] internal static extern uint authtoken_client_new(byte[] config, out ClientHandle client);
        [DllImport(Lib)] internal static extern void authtoken_client_free(IntPtr client);
        [DllImport(Lib)] internal static extern uint authtoken_client_token(ClientHandle client, out IntPtr token);
        [DllImport(Lib)]
        internal static extern uint authtoken_client_authorization_header_and_serial(ClientHandle client, out IntPtr header,
            out ulong serial);
        [DllImport(Lib)] internal static extern ulong authtoken_client_token_serial(ClientHandle client);
        [DllImport(Lib)]
        internal static extern uint authtoken_client_request(ClientHandle client, byte[] method, byte[] pathOrUrl,
            byte[] headersJson, byte[] body, UIntPtr bodyLen, out IntPtr response);
        [DllImport(Lib)] internal static extern uint authtoken_client_logout(ClientHandle client);
        [DllImport(Lib)] internal static extern uint authtoken_client_forget(ClientHandle client);
        [DllImport(Lib)] internal static extern uint authtoken_client_invalidate(ClientHandle client, byte[] failed, out byte invalidated);
        [DllImport(Lib)] internal static extern uint authtoken_client_base_url(ClientHandle client, out IntPtr baseUrl);
        [DllImport(Lib)]
        internal static extern uint authtoken_client_is_refused(ClientHandle client, ushort status, byte[] body,
            UIntPtr bodyLen, out byte refused);
        [DllImport(Lib)] internal static extern uint authtoken_client_check_url(ClientHandle client, byte[] url);

        [DllImport(Lib)] internal static extern uint authtoken_response_read(IntPtr response, out ResponseParts parts);
        [DllImport(Lib)] internal static extern uint authtoken_response_error_for_status(IntPtr response);
        [DllImport(Lib)] internal static extern void authtoken_response_free(IntPtr response);

        // Throws the calling thread's last error unless result is 0 (OK). Call it right after
        // the failed function, on the same thread.
        internal static void Check(uint result)
        {
            if (result != 0) throw LastError(result, null);
        }

        // The calling thread's last error as an exception (not thrown).
        internal static AuthTokenException LastError(uint result, Response response)
        {
            string message = TakeString(authtoken_last_error_message_dup()) ?? ("authtoken error " + result);
            ushort status = authtoken_last_error_status();
            long retryMs = authtoken_last_error_retry_after_ms();
            string server = TakeString(authtoken_last_error_server_message_dup());
            string errorCode = TakeString(authtoken_last_error_error_code_dup());
            return AuthTokenException.Create((int)result, message, status == 0 ? (int?)null : status, server,
                errorCode, retryMs < 0 ? (TimeSpan?)null : TimeSpan.FromMilliseconds(retryMs), response);
        }

        // Copies an owned C string and frees (wipes) the C copy; null for NULL.
        internal static string TakeString(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try { return Utf8.Decode(p); }
            finally { authtoken_string_free(p); }
        }
    }

    // UTF-8 in and out of the C ABI (netstandard2.0 has no Marshal.PtrToStringUTF8).
    internal static class Utf8
    {
        // The NUL-terminated UTF-8 bytes of s; null for null. A NUL inside s would cut the
        // string short in C: refused here.
        internal static byte[] Encode(string s, string what)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0) throw new ArgumentException(what + " must not contain a NUL character", what);
            var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
            System.Text.Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        // strlen, and the copy, over a raw pointer: a header is read on every signed request.
        internal static unsafe int Length(IntPtr p)
        {
            byte* b = (byte*)p;
            int n = 0;
            while (b[n] != 0) n++;
            return n;
        }

        internal static unsafe string Decode(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            return Decode(p, Length(p));
        }

        internal static unsafe string Decode(IntPtr p, int length)
        {
            return length == 0 ? "" : System.Text.Encoding.UTF8.GetString((byte*)p, length);
        }
    }
}

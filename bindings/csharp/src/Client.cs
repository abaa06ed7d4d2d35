using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;

namespace AuthToken
{
    /// <summary>
    /// A client for one identity (provider, base URL, username, organization) on one service.
    /// It logs in on first use, only when no valid token is in memory or in the store (by
    /// default a file cache shared with every process of the user, in any language), signs
    /// requests, logs in again once on a 401 and resends, and logs out on request.
    /// </summary>
    /// <remarks>
    /// Thread-safety: one client may be used from many threads at once; threads that need a
    /// token wait for one login. The native handle is a SafeHandle: Dispose (or the finalizer)
    /// frees it once calls in progress have returned. Neither revokes the token: it stays in
    /// the store for the next client of the same identity. ToString never shows a secret.
    /// </remarks>
    public sealed class Client : IDisposable
    {
        private readonly ClientHandle handle;

        // The last header with the serial of its token, published as one immutable object so
        // that a thread never sees the header of one token with the serial of another.
        private sealed class CachedHeader
        {
            internal readonly string Value;
            internal readonly ulong Serial;
            internal CachedHeader(string value, ulong serial) { Value = value; Serial = serial; }
        }

        private volatile CachedHeader cachedHeader;

        /// <summary>The base URL requests are sent to, without a trailing slash.</summary>
        public string BaseUrl { get; private set; }

        /// <summary>
        /// Creates a client from a JSON configuration document with the same keys as in every
        /// language: {"provider": "tpstreams", "username": "...", "password": "...",
        /// "organization_id": "..."}; provider is tpstreams, tpstreams-legacy, testpress,
        /// cruxconnect or custom (Library.ConfigKeys() lists every key). The password may come
        /// from AUTHTOKEN_PASSWORD instead. No network traffic happens here.
        /// </summary>
        /// <exception cref="InvalidConfigException">malformed JSON, an unknown, missing or
        /// mistyped key (the message names it, never the password)</exception>
        /// <exception cref="TlsException">an unreadable ca_file</exception>
        /// <exception cref="StoreException">the store cannot be opened</exception>
        /// <exception cref="LibraryLoadException">libauthtoken cannot be used</exception>
        public Client(string configJson) : this(Loaded(configJson), true) { }

        // Checks the argument and loads the library before the constructor below is compiled
        // (Mono binds a [DllImport] when it compiles its first caller: see Library.cs).
        private static byte[] Loaded(string configJson)
        {
            if (configJson == null) throw new ArgumentNullException("configJson");
            Library.EnsureLoaded();
            return Utf8.Encode(configJson, "configJson");
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private Client(byte[] json, bool loaded)
        {
            try
            {
                ClientHandle h;
                Native.Check(Native.authtoken_client_new(json, out h));
                handle = h;
            }
            finally
            {
                // The JSON may hold the password: wipe this copy (the string itself is the caller's).
                Array.Clear(json, 0, json.Length);
            }
            IntPtr url;
            Native.Check(Native.authtoken_client_base_url(handle, out url));
            BaseUrl = Native.TakeString(url);
        }

        /// <summary>The raw token (without the scheme); logs in only if no valid token is in
        /// memory or in the store. A secret: do not log it.</summary>
        public string Token()
        {
            IntPtr p;
            Native.Check(Native.authtoken_client_token(Handle, out p));
            return Native.TakeString(p);
        }

        /// <summary>The Authorization header value exactly as the service wants it ("Token 3f…",
        /// "token 3f…", "JWT eyJ…"). A warm call does not touch the network: while the token in
        /// memory is the one the last header was made from (one P/Invoke reads its serial), the
        /// same string instance is returned; after a new token (a login, a refusal, Forget,
        /// Logout, expiry) the header is read again. Logs in only if no valid token is in memory
        /// or in the store. A secret: do not log it.</summary>
        /// <remarks>Thread-safety: safe from many threads at once; the cached header and its
        /// serial are replaced together, and threads that need a token wait for one login.</remarks>
        /// <exception cref="InvalidArgumentException">a disposed client</exception>
        /// <exception cref="AuthTokenException">the login failed (its subclass names why:
        /// UnauthorizedException for refused credentials, a network or store error, …)</exception>
        public string AuthorizationHeader()
        {
            ClientHandle h = Handle;
            CachedHeader cached = cachedHeader;
            if (cached != null && Native.authtoken_client_token_serial(h) == cached.Serial) return cached.Value;
            IntPtr p;
            ulong serial;
            Native.Check(Native.authtoken_client_authorization_header_and_serial(h, out p, out serial));
            string header = Native.TakeString(p);
            cachedHeader = serial == 0 ? null : new CachedHeader(header, serial);
            return header;
        }

        /// <summary>A signed GET; see Request.</summary>
        public Response Get(string pathOrUrl, IEnumerable<KeyValuePair<string, string>> headers = null)
        {
            return Request("GET", pathOrUrl, headers, (byte[])null);
        }

        /// <summary>A signed request with a text body sent as UTF-8 (set Content-Type yourself).</summary>
        public Response Request(string method, string pathOrUrl, IEnumerable<KeyValuePair<string, string>> headers,
            string body)
        {
            return Request(method, pathOrUrl, headers, body == null ? null : Encoding.UTF8.GetBytes(body));
        }

        /// <summary>
        /// Sends a signed request and returns its Response, whatever the status (see
        /// Response.EnsureSuccess). On a 401 (or Testpress' 403 for a bad JWT) the client logs
        /// in again, once, and resends.
        /// </summary>
        /// <param name="method">GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS (any case).</param>
        /// <param name="pathOrUrl">a path below BaseUrl ("/api/v1/org/assets/", query allowed)
        /// or an absolute URL of the same origin; the header is never sent to another.</param>
        /// <param name="headers">extra headers (repeated names allowed), or null.</param>
        /// <param name="body">the body, or null for none.</param>
        /// <exception cref="InvalidArgumentException">an unknown method, a bad header, another
        /// origin, a disposed client</exception>
        /// <exception cref="UnauthorizedException">a fresh token was refused too</exception>
        public Response Request(string method, string pathOrUrl, IEnumerable<KeyValuePair<string, string>> headers = null,
            byte[] body = null)
        {
            if (method == null) throw new ArgumentNullException("method");
            if (pathOrUrl == null) throw new ArgumentNullException("pathOrUrl");
            byte[] headersJson = headers == null ? null : Utf8.Encode(Json.Pairs(headers), "headers");
            byte[] payload = null;
            if (body != null)
            {
                // One spare byte, so that an empty body still has a non-NULL pointer.
                payload = new byte[body.Length + 1];
                Buffer.BlockCopy(body, 0, payload, 0, body.Length);
            }
            IntPtr response;
            Native.Check(Native.authtoken_client_request(Handle, Utf8.Encode(method, "method"),
                Utf8.Encode(pathOrUrl, "pathOrUrl"), headersJson, payload,
                new UIntPtr(body == null ? 0u : (uint)body.Length), out response));
            try
            {
                return new Response(response);
            }
            finally
            {
                Native.authtoken_response_free(response);
            }
        }

        /// <summary>Revokes the token on the server (TPStreams, Testpress) and removes it from
        /// the store, so that every process sharing it logs in again. Without a token nothing is
        /// sent. The client stays usable.</summary>
        public void Logout()
        {
            Native.Check(Native.authtoken_client_logout(Handle));
        }

        /// <summary>Forgets the token locally (memory and store) without revoking it.</summary>
        public void Forget()
        {
            Native.Check(Native.authtoken_client_forget(Handle));
        }

        /// <summary>Compare-and-invalidate, after your own HTTP client got a refusal: forgets
        /// failedToken (the bare token or the whole header) only while it is still the current
        /// one, so that many workers refused together cause one login. Returns whether this
        /// call forgot it (false: it had already been replaced).</summary>
        public bool Invalidate(string failedToken)
        {
            if (failedToken == null) throw new ArgumentNullException("failedToken");
            byte invalidated;
            Native.Check(Native.authtoken_client_invalidate(Handle, Utf8.Encode(failedToken, "failedToken"), out invalidated));
            return invalidated != 0;
        }

        /// <summary>Whether an answer with this status and body to a request signed with this
        /// client's token says the token was refused (the core's rule, the one Request follows).
        /// When true: Invalidate(the header sent), get the header again, resend once.</summary>
        public bool IsRefused(int status, byte[] body)
        {
            if (status < 0 || status > ushort.MaxValue) return false;
            byte refused;
            int len = body == null ? 0 : body.Length;
            byte[] data = body;
            if (data != null && data.Length == 0) data = new byte[1];
            Native.Check(Native.authtoken_client_is_refused(Handle, (ushort)status, data, new UIntPtr((uint)len), out refused));
            return refused != 0;
        }

        /// <summary>IsRefused with a text body (UTF-8).</summary>
        public bool IsRefused(int status, string body)
        {
            return IsRefused(status, body == null ? null : Encoding.UTF8.GetBytes(body));
        }

        /// <summary>Checks that this client's Authorization header may be sent to url (the
        /// scheme, host and port of BaseUrl, http or https); throws InvalidArgumentException
        /// naming both origins when it may not.</summary>
        public void CheckUrl(string url)
        {
            if (url == null) throw new ArgumentNullException("url");
            Native.Check(Native.authtoken_client_check_url(Handle, Utf8.Encode(url, "url")));
        }

        /// <summary>CheckUrl for a Uri (its absolute form).</summary>
        public void CheckUrl(Uri url)
        {
            if (url == null) throw new ArgumentNullException("url");
            CheckUrl(url.IsAbsoluteUri ? url.AbsoluteUri : url.OriginalString);
        }

        /// <summary>Frees the native handle once calls in progress return and drops the cached
        /// header; does not log out. Afterwards every call throws InvalidArgumentException.</summary>
        /// <remarks>Thread-safety: may be called from any thread, more than once.</remarks>
        public void Dispose()
        {
            cachedHeader = null;
            handle.Dispose();
        }

        /// <summary>The base URL only: never the password or the token.</summary>
        public override string ToString() { return "AuthToken.Client " + BaseUrl; }

        private ClientHandle Handle
        {
            get
            {
                if (handle.IsClosed) throw new InvalidArgumentException("the client is disposed");
                return handle;
            }
        }
    }
}

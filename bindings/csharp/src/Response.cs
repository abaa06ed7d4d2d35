using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace AuthToken
{
    /// <summary>The answer to a signed request: status, headers, the whole body. Immutable; a
    /// copy of the native response, which is freed before Client.Request returns.</summary>
    public sealed class Response
    {
        /// <summary>The HTTP status (100..599).</summary>
        public int Status { get; private set; }
        /// <summary>The final URL (after redirects).</summary>
        public string Url { get; private set; }
        /// <summary>Every header as (lower-case name, value) in the order received; a repeated
        /// header appears once per value.</summary>
        public IList<KeyValuePair<string, string>> Headers { get; private set; }
        private readonly byte[] body;
        private readonly AuthTokenException failure;

        internal Response(IntPtr handle)
        {
            // One crossing for everything; the pointers are borrowed until the response is freed.
            ResponseParts parts;
            Native.Check(Native.authtoken_response_read(handle, out parts));
            Status = parts.Status;
            Url = Utf8.Decode(parts.Url, checked((int)parts.UrlLen.ToUInt64()));
            Headers = HeaderPairs(parts).AsReadOnly();
            body = new byte[checked((int)parts.BodyLen.ToUInt64())];
            if (body.Length > 0) Marshal.Copy(parts.Body, body, 0, body.Length);
            // The core maps the status to an error kind (with the server's message).
            if (parts.StatusResult != 0)
                failure = Native.LastError(Native.authtoken_response_error_for_status(handle), this);
        }

        // The block "name NUL value NUL ..." as pairs, in order (a repeated header once per value).
        // Unsafe: the block is read in place; every scan stops at headers_len, the block's length
        // without its last NUL, so a malformed block cannot make it read past the response.
        private static unsafe List<KeyValuePair<string, string>> HeaderPairs(ResponseParts parts)
        {
            int count = checked((int)parts.HeaderCount.ToUInt64());
            int len = checked((int)parts.HeadersLen.ToUInt64());
            var pairs = new List<KeyValuePair<string, string>>(count);
            byte* b = (byte*)parts.Headers;
            int at = 0;
            for (int i = 0; i < count && at < len; i++)
            {
                int nameEnd = at;
                while (nameEnd < len && b[nameEnd] != 0) nameEnd++;
                int valueEnd = nameEnd + 1;
                while (valueEnd < len && b[valueEnd] != 0) valueEnd++;
                pairs.Add(new KeyValuePair<string, string>(
                    Utf8.Decode((IntPtr)(b + at), nameEnd - at),
                    Utf8.Decode((IntPtr)(b + nameEnd + 1), valueEnd - nameEnd - 1)));
                at = valueEnd + 1;
            }
            return pairs;
        }

        /// <summary>The body's bytes (a copy: changing it does not change the response).</summary>
        public byte[] Body { get { return (byte[])body.Clone(); } }

        /// <summary>The body decoded as UTF-8.</summary>
        public string Text { get { return System.Text.Encoding.UTF8.GetString(body); } }

        /// <summary>Whether the status is below 400.</summary>
        public bool IsSuccess { get { return failure == null; } }

        /// <summary>The value of a header (case-insensitive; the values of a repeated header
        /// joined with ", "), or null.</summary>
        public string Header(string name)
        {
            string found = null;
            foreach (var h in Headers)
            {
                if (!string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) continue;
                found = found == null ? h.Value : found + ", " + h.Value;
            }
            return found;
        }

        /// <summary>Returns this response when the status is below 400; else throws the
        /// kind the core maps it to (401 UnauthorizedException, 403 ForbiddenException, 429
        /// RateLimitedException, 5xx ServerException, other 4xx HttpStatusException), with
        /// Status, ServerMessage, RetryAfter and this Response.</summary>
        public Response EnsureSuccess()
        {
            if (failure != null) throw failure;
            return this;
        }

        /// <summary>The same as EnsureSuccess (the name the other bindings use).</summary>
        public Response RaiseForStatus() { return EnsureSuccess(); }

        /// <summary>The status and the URL, never a header or the body.</summary>
        public override string ToString() { return "Response " + Status + " " + Url; }
    }
}

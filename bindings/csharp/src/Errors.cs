// One exception class per error kind of the core, each with the numeric code of the C ABI's
// authtoken_result (the same numbers in every binding). Messages never hold a password or a token.
using System;

namespace AuthToken
{
    /// <summary>The base of every error the library raises; one subclass per kind.</summary>
    public class AuthTokenException : Exception
    {
        /// <summary>The stable numeric code of the kind (1..16), as in authtoken_result.</summary>
        public int Code { get; private set; }
        /// <summary>The kind's stable snake_case name ("invalid_credentials", ...).</summary>
        public string Kind { get; private set; }
        /// <summary>The HTTP status of the answer that caused the error, or null (no answer).</summary>
        public int? Status { get; private set; }
        /// <summary>The server's own message (detail, message, error, non_field_errors), or null.</summary>
        public string ServerMessage { get; private set; }
        /// <summary>The server's error_code (Testpress: parallel_login_restriction, max_login_exceeded), or null.</summary>
        public string ErrorCode { get; private set; }
        /// <summary>How long the server asked to wait (Retry-After), or null.</summary>
        public TimeSpan? RetryAfter { get; private set; }
        /// <summary>The response, when raised by Response.EnsureSuccess; else null.</summary>
        public Response Response { get; private set; }

        /// <summary>An error of a code this assembly does not know (a newer library).</summary>
        public AuthTokenException(string message, int code) : this(message, code, "error") { }

        /// <summary>For the subclasses.</summary>
        protected AuthTokenException(string message, int code, string kind) : base(message)
        {
            Code = code;
            Kind = kind;
        }

        internal static AuthTokenException Create(int code, string message, int? status, string serverMessage,
            string errorCode, TimeSpan? retryAfter, Response response)
        {
            AuthTokenException e = ForCode(code, message);
            e.Status = status;
            e.ServerMessage = serverMessage;
            e.ErrorCode = errorCode;
            e.RetryAfter = retryAfter;
            e.Response = response;
            return e;
        }

        /// <summary>A new exception of the class of a code (1..16), AuthTokenException itself
        /// for an unknown one.</summary>
        public static AuthTokenException ForCode(int code, string message)
        {
            switch (code)
            {
                case 1: return new InvalidConfigException(message);
                case 2: return new InvalidCredentialsException(message);
                case 3: return new TokenLimitException(message);
                case 4: return new UnauthorizedException(message);
                case 5: return new ForbiddenException(message);
                case 6: return new RateLimitedException(message);
                case 7: return new NetworkException(message);
                case 8: return new AuthTokenTimeoutException(message);
                case 9: return new TlsException(message);
                case 10: return new ServerException(message);
                case 11: return new ProtocolException(message);
                case 12: return new StoreException(message);
                case 13: return new LockTimeoutException(message);
                case 14: return new InvalidArgumentException(message);
                case 15: return new HttpStatusException(message);
                case 16: return new InternalException(message);
                default: return new AuthTokenException(message, code);
            }
        }
    }

    /// <summary>Code 1, kind invalid_config: The configuration is malformed, or a key is missing, unknown, mistyped or not valid for the provider (the message names the key).</summary>
    public sealed class InvalidConfigException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 1;
        /// <summary>The kind's name.</summary>
        public const string KindName = "invalid_config";
        /// <summary>An error of this kind.</summary>
        public InvalidConfigException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 2, kind invalid_credentials: The server refused the username and password at login (status 400 or 401).</summary>
    public sealed class InvalidCredentialsException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 2;
        /// <summary>The kind's name.</summary>
        public const string KindName = "invalid_credentials";
        /// <summary>An error of this kind.</summary>
        public InvalidCredentialsException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 3, kind token_limit: The service refused to issue another token (TPStreams' 20 live tokens per organization, Testpress' parallel-login limits). Log out tokens that are no longer used.</summary>
    public sealed class TokenLimitException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 3;
        /// <summary>The kind's name.</summary>
        public const string KindName = "token_limit";
        /// <summary>An error of this kind.</summary>
        public TokenLimitException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 4, kind unauthorized: A signed request was refused with 401 even after logging in again.</summary>
    public sealed class UnauthorizedException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 4;
        /// <summary>The kind's name.</summary>
        public const string KindName = "unauthorized";
        /// <summary>An error of this kind.</summary>
        public UnauthorizedException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 5, kind forbidden: The server answered 403 at login or logout, or EnsureSuccess saw a 403.</summary>
    public sealed class ForbiddenException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 5;
        /// <summary>The kind's name.</summary>
        public const string KindName = "forbidden";
        /// <summary>An error of this kind.</summary>
        public ForbiddenException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 6, kind rate_limited: The server answered 429 and retrying within the allowed wait did not help (see RetryAfter).</summary>
    public sealed class RateLimitedException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 6;
        /// <summary>The kind's name.</summary>
        public const string KindName = "rate_limited";
        /// <summary>An error of this kind.</summary>
        public RateLimitedException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 7, kind network: The server could not be reached, or the connection broke.</summary>
    public sealed class NetworkException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 7;
        /// <summary>The kind's name.</summary>
        public const string KindName = "network";
        /// <summary>An error of this kind.</summary>
        public NetworkException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 8, kind timeout: The server did not answer within timeout_ms / connect_timeout_ms. (Named so as not to clash with System.TimeoutException.)</summary>
    public sealed class AuthTokenTimeoutException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 8;
        /// <summary>The kind's name.</summary>
        public const string KindName = "timeout";
        /// <summary>An error of this kind.</summary>
        public AuthTokenTimeoutException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 9, kind tls: TLS failed (certificate, handshake), or ca_file could not be read.</summary>
    public sealed class TlsException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 9;
        /// <summary>The kind's name.</summary>
        public const string KindName = "tls";
        /// <summary>An error of this kind.</summary>
        public TlsException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 10, kind server: The server answered 5xx at login or logout, or EnsureSuccess saw a 5xx.</summary>
    public sealed class ServerException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 10;
        /// <summary>The kind's name.</summary>
        public const string KindName = "server";
        /// <summary>An error of this kind.</summary>
        public ServerException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 11, kind protocol: The server's answer could not be understood (bad JSON, no token, too large).</summary>
    public sealed class ProtocolException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 11;
        /// <summary>The kind's name.</summary>
        public const string KindName = "protocol";
        /// <summary>An error of this kind.</summary>
        public ProtocolException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 12, kind store: The token store (file cache, Redis) failed or refused an unsafe entry.</summary>
    public sealed class StoreException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 12;
        /// <summary>The kind's name.</summary>
        public const string KindName = "store";
        /// <summary>An error of this kind.</summary>
        public StoreException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 13, kind lock_timeout: Another process held the login lock for longer than lock_timeout_ms.</summary>
    public sealed class LockTimeoutException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 13;
        /// <summary>The kind's name.</summary>
        public const string KindName = "lock_timeout";
        /// <summary>An error of this kind.</summary>
        public LockTimeoutException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 14, kind invalid_argument: An argument was invalid: an unknown HTTP method, a bad header, a URL of another origin, or a disposed client.</summary>
    public sealed class InvalidArgumentException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 14;
        /// <summary>The kind's name.</summary>
        public const string KindName = "invalid_argument";
        /// <summary>An error of this kind.</summary>
        public InvalidArgumentException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 15, kind http_status: EnsureSuccess saw a 4xx status other than 401, 403 and 429.</summary>
    public sealed class HttpStatusException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 15;
        /// <summary>The kind's name.</summary>
        public const string KindName = "http_status";
        /// <summary>An error of this kind.</summary>
        public HttpStatusException(string message) : base(message, KindCode, KindName) { }
    }

    /// <summary>Code 16, kind internal: A bug inside the library (a panic, caught at the boundary). Please report the message.</summary>
    public sealed class InternalException : AuthTokenException
    {
        /// <summary>The kind's code.</summary>
        public const int KindCode = 16;
        /// <summary>The kind's name.</summary>
        public const string KindName = "internal";
        /// <summary>An error of this kind.</summary>
        public InternalException(string message) : base(message, KindCode, KindName) { }
    }
}

using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace AuthToken
{
    /// <summary>
    /// A DelegatingHandler that signs every request of an HttpClient with a Client's token:
    /// <code>
    /// var http = new HttpClient(new AuthTokenHandler(client, new HttpClientHandler()));
    /// var answer = await http.GetAsync(client.BaseUrl + "/api/v1/auhf2k/assets/");
    /// </code>
    /// It asks the core whether the URL may carry the header (Client.CheckUrl: else
    /// InvalidArgumentException, nothing is sent), sets the header, and when the core says the
    /// answer refused the token (Client.IsRefused: a 401, or Testpress' 403 for a bad JWT) it
    /// invalidates that token if it is still the current one, takes a fresh one and sends the
    /// request once more; a second refusal is returned as it is.
    /// </summary>
    /// <remarks>
    /// The request body is buffered (to be sent twice); the answer's body is buffered only when
    /// its status is 400 or more (a success answer is handed to the core with an empty body).
    /// Getting a header may log in, synchronously on the calling thread. The handler does not
    /// dispose the Client. Thread-safe: many requests may go through it at once; requests
    /// refused together cause one login.
    /// </remarks>
    public sealed class AuthTokenHandler : DelegatingHandler
    {
        private readonly Client client;

        /// <summary>Signs with client's token; sends through HttpClientHandler.</summary>
        public AuthTokenHandler(Client client) : this(client, new HttpClientHandler()) { }

        /// <summary>Signs with client's token; sends through inner.</summary>
        public AuthTokenHandler(Client client, HttpMessageHandler inner) : base(inner)
        {
            if (client == null) throw new ArgumentNullException("client");
            this.client = client;
        }

        /// <summary>Signs, sends, and resends once on a refused token.</summary>
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request,
            CancellationToken cancellationToken)
        {
            client.CheckUrl(request.RequestUri);
            if (request.Content != null)
            {
                // Buffered, so that the resend sends the same bytes.
                var bytes = await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                var copy = new ByteArrayContent(bytes);
                foreach (var h in request.Content.Headers) copy.Headers.TryAddWithoutValidation(h.Key, h.Value);
                request.Content = copy;
            }
            string sent = Sign(request);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!await Refused(response).ConfigureAwait(false)) return response;
            response.Dispose();
            client.Invalidate(sent);
            Sign(request);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        private string Sign(HttpRequestMessage request)
        {
            string header = client.AuthorizationHeader();
            request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            return header;
        }

        // The core's rule (Client.IsRefused), the one its own requests follow.
        private async Task<bool> Refused(HttpResponseMessage response)
        {
            int status = (int)response.StatusCode;
            byte[] body = null;
            if (status >= 400 && response.Content != null)
                body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            return client.IsRefused(status, body);
        }
    }
}

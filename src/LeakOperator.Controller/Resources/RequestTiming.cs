using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LeakOperator.Controller.Resources;

/// <summary>
/// Times every API request, as client-go's <c>rest_client_request_duration_seconds</c> does: from the request leaving
/// the client-side rate limiter to its response read (a watch: to its headers). A request slower than
/// <see cref="SlowRequest"/> is logged with its verb, path and status, the same threshold at which the API server logs a
/// trace of its own (<c>Trace[…] "Update" … total time</c>), so the two logs side by side say whose time it was.
/// </summary>
public sealed partial class RequestTiming(Action<string, string, int, TimeSpan>? observe, ILogger logger) : DelegatingHandler
{
    /// <summary>The API server traces a request taking this long; so does the client.</summary>
    public static readonly TimeSpan SlowRequest = TimeSpan.FromMilliseconds(500);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        int code = 0;
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            code = (int)response.StatusCode;
            return response;
        }
        finally
        {
            var took = Stopwatch.GetElapsedTime(started);
            string host = request.RequestUri?.Authority ?? "";
            observe?.Invoke(request.Method.Method, host, code, took);
            if (took >= SlowRequest)
            {
                LogSlow(logger, request.Method.Method, request.RequestUri?.AbsolutePath ?? "", code, took.TotalMilliseconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slow API request: {Verb} {Path} answered {Code} in {Milliseconds:0} ms")]
    private static partial void LogSlow(ILogger logger, string verb, string path, int code, double milliseconds);
}

namespace LeakOperator.Controller.Resources;

/// <summary>
/// Reads every API response body to the end, asynchronously, before KubernetesClient sees it; watches are left
/// streaming. KubernetesClient 21 sends with <c>ResponseHeadersRead</c> and then deserializes the body with the
/// synchronous <c>JsonSerializer.Deserialize(Stream)</c>, so each response still in flight blocks a thread-pool thread
/// until its last bytes arrive. With hundreds of requests at once (the direct reconcile storm, or a slow API server)
/// the pool starves: a dump mid-storm showed the pool grown to 51 workers, the busy ones in
/// <c>Http2Stream.WaitForData</c> under <c>CreateResultAsync</c>, and /healthz taking 2–5 s to answer. Buffered, the
/// synchronous read is a copy from memory.
/// </summary>
public sealed class BufferedResponses : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!IsWatch(request))
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>A watch streams for minutes: buffering it would wait for its end.</summary>
    private static bool IsWatch(HttpRequestMessage request) =>
        request.RequestUri?.Query is { } query && query.Contains("watch=true", StringComparison.OrdinalIgnoreCase);
}

using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace LeakOperator.Controller.Resources;

/// <summary>
/// A watch read as the API server sends it: one JSON object per line, <c>{"type":…,"object":…}</c>, over the client's
/// own <see cref="Kubernetes.HttpClient"/>, base URI and credentials (so TLS, tokens, exec plugins and the handler
/// pipeline are the ones every other call uses). KubernetesClient's generic watch of custom objects hands each object
/// over as untyped JSON and an ERROR event to a callback, and the AOT build of the client has no watch at all: reading
/// the lines here keeps one watch for both.
/// </summary>
/// <remarks>
/// Each line's <c>type</c> is read before its object is typed: an ERROR line carries a <see cref="V1Status"/> (410 Gone
/// when the version is too old), a BOOKMARK only metadata, the others a <typeparamref name="T"/>.
/// </remarks>
internal static class JsonLinesWatch<T>
    where T : class
{
    /// <summary>Streams the events of the watch at <paramref name="relativeUri"/> until the server ends it.</summary>
    /// <exception cref="HttpOperationException">The server refused the watch (its status and body attached, as for
    /// any other call).</exception>
    /// <exception cref="WatchFailedException">The stream broke, or a line was not a watch event.</exception>
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync(Kubernetes kubernetes, string relativeUri, string resource, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kubernetes.BaseUri, relativeUri)) { Version = HttpVersion.Version20 };
        if (kubernetes.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var response = await kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpOperationException($"Operation returned an invalid status code '{response.StatusCode}'")
            {
                Request = new HttpRequestMessageWrapper(request, null),
                Response = new HttpResponseMessageWrapper(response, body),
            };
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            while (await ReadLineAsync(reader, resource, cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    yield return Parse(line, resource);
                }
            }
        }
    }

    /// <summary>The next line; null when the server ended the watch (its timeout, or a quiet close).</summary>
    private static async Task<string?> ReadLineAsync(StreamReader reader, string resource, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when ((e is IOException or HttpRequestException) && cancellationToken.IsCancellationRequested)
        {
            // A read our own cancellation broke: the watcher is stopping, not failing.
            throw new OperationCanceledException("the watch was stopped", e, cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The connection broke mid-stream (API server gone, a reset): the watcher backs off and reconnects.
            throw new WatchFailedException($"the watch of {resource} failed: {e.Message}", e);
        }
    }

    private static WatchEvent<T> Parse(string line, string resource)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = TypeOf(root.GetProperty("type").GetString());
            var obj = root.GetProperty("object");
            return type switch
            {
                WatchEventType.Error => WatchEvent<T>.Failed(KubernetesJson.Deserialize<V1Status>(obj)),
                WatchEventType.Bookmark => WatchEvent<T>.Bookmarked(BookmarkVersion(obj)),
                _ => new WatchEvent<T>(type, KubernetesJson.Deserialize<T>(obj), null, null),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            throw new WatchFailedException($"the watch of {resource} sent a line that is not a watch event: {e.Message}", e);
        }
    }

    private static WatchEventType TypeOf(string? type) => type switch
    {
        "ADDED" => WatchEventType.Added,
        "MODIFIED" => WatchEventType.Modified,
        "DELETED" => WatchEventType.Deleted,
        "BOOKMARK" => WatchEventType.Bookmark,
        "ERROR" => WatchEventType.Error,
        _ => throw new InvalidOperationException($"an unknown watch event type '{type}'"),
    };

    /// <summary>A bookmark's object is the resource's kind with nothing but <c>metadata.resourceVersion</c>.</summary>
    private static string BookmarkVersion(JsonElement obj) =>
        obj.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("resourceVersion", out var version)
            ? version.GetString() ?? ""
            : throw new InvalidOperationException("a BOOKMARK without metadata.resourceVersion");
}

using k8s;
using k8s.Models;

namespace LeakOperator.Controller.Resources;

/// <summary>One event of a watch: an object change, a bookmark, or an error status from the server.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T? Resource, string? BookmarkVersion, V1Status? Error)
    where T : class
{
    public static WatchEvent<T> Bookmarked(string resourceVersion) => new(WatchEventType.Bookmark, null, resourceVersion, null);

    public static WatchEvent<T> Failed(V1Status status) => new(WatchEventType.Error, null, null, status);
}

/// <summary>The watch stream broke (connection lost, server gone).</summary>
public sealed class WatchFailedException : Exception
{
    public WatchFailedException()
    {
    }

    public WatchFailedException(string message)
        : base(message)
    {
    }

    public WatchFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

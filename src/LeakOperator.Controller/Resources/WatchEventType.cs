namespace LeakOperator.Controller.Resources;

/// <summary>
/// The <c>type</c> of a watch event as the API server sends it (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR). Ours, as the
/// AOT build of KubernetesClient has no watch and so no such type.
/// </summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

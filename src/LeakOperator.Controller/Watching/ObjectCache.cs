using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using LeakOperator.Controller.Resources;

namespace LeakOperator.Controller.Watching;

/// <summary>
/// The latest version of every watched object, as the watch last saw it, without its managedFields (see
/// <see cref="CustomResourceClient{T}.WithoutManagedFields"/>): nothing here reads them.
/// </summary>
public sealed class ObjectCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<ObjectKey, T> _objects = new();

    public int Count => _objects.Count;

    public IReadOnlyCollection<ObjectKey> Keys => [.. _objects.Keys];

    public bool TryGet(ObjectKey key, out T? obj) => _objects.TryGetValue(key, out obj);

    /// <summary>Stores the object and returns the version it replaced, if any.</summary>
    public T? Upsert(T obj)
    {
        CustomResourceClient<T>.WithoutManagedFields(obj);
        var key = ObjectKey.Of(obj);
        T? previous = null;
        _objects.AddOrUpdate(key, obj, (_, old) =>
        {
            previous = old;
            return obj;
        });
        return previous;
    }

    public bool Remove(ObjectKey key) => _objects.TryRemove(key, out _);

    /// <summary>Makes the cache exactly <paramref name="objects"/>; returns the keys that disappeared.</summary>
    public IReadOnlyList<ObjectKey> ReplaceAll(IEnumerable<T> objects)
    {
        var fresh = objects.Select(CustomResourceClient<T>.WithoutManagedFields).ToDictionary(ObjectKey.Of);
        var gone = _objects.Keys.Where(key => !fresh.ContainsKey(key)).ToList();
        foreach (var key in gone)
        {
            _objects.TryRemove(key, out _);
        }

        foreach (var (key, obj) in fresh)
        {
            _objects[key] = obj;
        }

        return gone;
    }
}

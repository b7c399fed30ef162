using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using LeakOperator.Controller.Resources;

namespace LeakOperator.Controller.Reconciling;

/// <summary>
/// Optimistic-concurrency writes: apply a change to the object and write it; on 409 Conflict read the latest version
/// and apply the change again. The change must be a function of the object, so reapplying it is safe.
/// </summary>
public static class ConflictRetry
{
    public const int MaxAttempts = 8;

    /// <summary>What a write did.</summary>
    /// <param name="Latest">The object as the API server returned it when <paramref name="Written"/>; as read (with
    /// the change applied locally) when the change said there was nothing to send; null when the object is gone.</param>
    /// <param name="Written">Whether a write was sent and accepted.</param>
    public readonly record struct Outcome<T>(T? Latest, bool Written)
        where T : class;

    /// <summary>Writes <paramref name="change"/> with <paramref name="write"/>.</summary>
    /// <param name="change">Returns false when nothing is to be sent (the object already is as wanted, or the
    /// caller defers the write).</param>
    /// <param name="retryConflict">Asked on a conflict whether to read again and retry (up to <see cref="MaxAttempts"/>)
    /// or throw it; false for a write that the caller's next pass makes anyway (a periodic refresh), so a lost race costs
    /// no extra read and does not hold the key. Always retried when not given.</param>
    public static async Task<Outcome<T>> WriteAsync<T>(
        CustomResourceClient<T> client,
        T current,
        Func<T, bool> change,
        Func<T, CancellationToken, Task<T>> write,
        Action? onConflict,
        CancellationToken cancellationToken,
        Func<bool>? retryConflict = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var obj = KubeObjects.DeepCopy(current);
        for (int attempt = 1; ; attempt++)
        {
            if (!change(obj))
            {
                return new(obj, Written: false);
            }

            try
            {
                return new(await write(obj, cancellationToken).ConfigureAwait(false), Written: true);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxAttempts && (retryConflict?.Invoke() ?? true))
            {
                onConflict?.Invoke();
                obj = await client.GetAsync(ObjectKey.Of(obj), cancellationToken).ConfigureAwait(false);
                if (obj is null)
                {
                    return new(null, Written: false);
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return new(null, Written: false);
            }
        }
    }
}

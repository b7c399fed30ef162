using System.Net;
using k8s.Autorest;
using LeakOperator.Controller.Resources;
using LeakOperator.Leaks;
using LeakOperator.Operator.Api;

namespace LeakOperator.Operator;

/// <summary>
/// The write-up's bug, on purpose, for <c>reconcile-storm-direct</c>: a leaked ticker's loop calls the reconcile
/// itself, outside the work queue, as its <c>go func() { for range ticker.C { r.Reconcile(ctx, req) } }()</c> does.
/// So reconciles of one object run concurrently, none de-duplicated by the queue. Each does the API work a real
/// reconcile does: it reads the object, starts one more ticker, and writes status, uncoalesced and not retried
/// (the goroutine drops the error, so a write that loses the race to another is simply lost).
/// </summary>
/// <param name="reconciled">Told each reconcile's result (success, conflict, error), for the direct-reconcile metric.</param>
internal sealed class DirectReconciler(CustomResourceClient<LeakTest> client, InjectionTracker tracker, TimeProvider time, Action<string>? reconciled)
{
    public async Task ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        string result = "success";
        try
        {
            var obj = await client.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (obj is null || !tracker.TryGet(new LeakOwner(key.Namespace, key.Name), out var tracked) || tracked.Uid != obj.Metadata.Uid)
            {
                return;
            }

            tracked.Injection.OnReconcile();
            obj.Status ??= new LeakTestStatus();
            StatusProjection.Observe(obj.Status, tracked.Read(), obj.Metadata.Generation ?? 0, time.GetUtcNow().UtcDateTime);
            await client.ReplaceStatusAsync(obj, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            result = "conflict";
            throw;
        }
        catch (Exception)
        {
            result = "error";
            throw;
        }
        finally
        {
            reconciled?.Invoke(result);
        }
    }
}

using k8s;
using LeakOperator.IntegrationTests.ControlPlane;

namespace LeakOperator.IntegrationTests;

/// <summary>Writes a Lease's holder as another contender would, in the operators' namespace.</summary>
internal static class LeaseHolder
{
    /// <summary>
    /// Makes <paramref name="identity"/> the holder, renewed now (and for <paramref name="durationSeconds"/> when given).
    /// The leader renews every couple of seconds meanwhile, so a 409 means read again and write again.
    /// </summary>
    public static async Task WriteAsync(IKubernetes admin, string lease, string identity, int? durationSeconds = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            var current = await admin.CoordinationV1.ReadNamespacedLeaseAsync(lease, ControlPlaneFixture.OperatorNamespace);
            current.Spec.HolderIdentity = identity;
            current.Spec.RenewTime = DateTime.UtcNow;
            current.Spec.LeaseDurationSeconds = durationSeconds ?? current.Spec.LeaseDurationSeconds;
            try
            {
                await admin.CoordinationV1.ReplaceNamespacedLeaseAsync(current, lease, ControlPlaneFixture.OperatorNamespace);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 20)
            {
            }
        }
    }
}

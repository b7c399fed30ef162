namespace LeakOperator.Hosting;

/// <summary>
/// Starts a web host and reports a failure to bind (a port in use, an address not on this machine) as a message for
/// people, without the host's own error log of the same exception and its stack trace.
/// </summary>
internal static class WebStart
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    // True only while StartAsync runs: the host's errors in that window are the start's failure, which StartAsync
    // reports (a bind problem) or rethrows (anything else). Outside it, the host's errors are logged as usual.
    private static volatile bool s_starting;

    /// <summary>Registers the log filter that StartAsync needs (the host's category at Warning, as the rest of Microsoft.*).</summary>
    public static void Prepare(WebApplicationBuilder builder) =>
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Warning && !(s_starting && level >= LogLevel.Error));

    /// <summary>Starts <paramref name="app"/>; null when it serves, else why it could not bind.</summary>
    public static async Task<string?> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        s_starting = true;
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            return e.Message;
        }
        finally
        {
            s_starting = false;
        }
    }
}

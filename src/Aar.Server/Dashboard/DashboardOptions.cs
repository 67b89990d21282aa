namespace Aar.Server.Dashboard;

/// <summary>The dashboard's settings, built by the composition root.</summary>
internal sealed record DashboardOptions
{
    /// <summary>How often an open page asks for fresh numbers (seconds; default 2).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a count of the blob store is reused (listing every blob is not free; default 10 s).</summary>
    public TimeSpan StorageCountLifetime { get; init; } = TimeSpan.FromSeconds(10);
}

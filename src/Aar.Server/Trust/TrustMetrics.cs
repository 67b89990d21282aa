using System.Diagnostics.Metrics;
using Aar.Hosting;
using Aar.Server.Metrics;

namespace Aar.Server.Trust;

/// <summary>The trust gate's decisions, the size of the trust store, and each client's activity.</summary>
internal sealed class TrustMetrics : IMetricsSource
{
    private readonly ObservedTotals<TrustOutcome> _decisions = new(static outcome => RegistryMeter.Label("outcome", Label(outcome)));

    public TrustMetrics(IMeterFactory meters, TrustStore trust, ClientActivity clients)
    {
        // Every outcome from the start at 0, so an alert on an increase also sees the first revoked certificate knocking.
        foreach (var outcome in Enum.GetValues<TrustOutcome>())
        {
            _decisions.Add(outcome, 0);
        }

        var meter = RegistryMeter.Create(meters);
        meter.CreateObservableCounter<long>("trust_decisions_total", _decisions.Observe, description: "Requests over TLS by what the trust gate decided: allowed, untrusted, revoked, expired, not_yet_valid, role_refused, unenrolled.");
        meter.CreateObservableGauge<int>("trusted_certificates", () => trust.Current.Trusted.Count, description: "Certificates in the trust store.");
        meter.CreateObservableGauge<int>("revoked_certificates", () => trust.Current.Revoked.Count, description: "Certificates on the revocation list.");
        meter.CreateObservableGauge<double>("client_last_seen_timestamp_seconds", clients.ObserveLastSeen, unit: "s", description: "Unix time of each trusted client's last request to this node.");
        meter.CreateObservableGauge<double>("client_fetched_generation", clients.ObserveGeneration, description: "The generation of the listing each trusted client last fetched from this node.");
    }

    public void Decided(TrustOutcome outcome) => _decisions.Add(outcome);

    public long Count(TrustOutcome outcome) => _decisions[outcome];

    public static string Label(TrustOutcome outcome) => outcome switch
    {
        TrustOutcome.Allowed => "allowed",
        TrustOutcome.Untrusted => "untrusted",
        TrustOutcome.Revoked => "revoked",
        TrustOutcome.Expired => "expired",
        TrustOutcome.NotYetValid => "not_yet_valid",
        TrustOutcome.RoleRefused => "role_refused",
        TrustOutcome.Unenrolled => "unenrolled",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };
}

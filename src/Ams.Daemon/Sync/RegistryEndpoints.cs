using Aar.Protocol.Certificates;
using Aar.Protocol.Management;
using Aar.Protocol.Text;
using Ams.Daemon.Api;
using Ams.Daemon.Applications;
using Ams.Daemon.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Sync;

/// <summary>The local API behind <c>amc registry status|sync|list|join|push|pull|retry</c>.</summary>
internal static class RegistryEndpoints
{
    private static readonly ManagementJsonContext Json = ManagementJsonContext.Default;

    public static IEndpointRouteBuilder MapRegistry(this IEndpointRouteBuilder app)
    {
        app.MapGet(ManagementRoutes.Registry, Status);
        app.MapPost(ManagementRoutes.RegistrySync, Sync);
        app.MapPost(ManagementRoutes.RegistryJoin, Join);
        app.MapPost(ManagementRoutes.RegistryCertificate, RenewCertificate);
        app.MapGet(ManagementRoutes.RegistryApplications, List);
        app.MapPost(ManagementRoutes.Registry + "/push/{app}", (string app, ConfigStore config, SyncCoordinator coordinator, CancellationToken cancellationToken) =>
            Manual(RegistryMode.Push, app, config, coordinator, cancellationToken));
        app.MapPost(ManagementRoutes.Registry + "/pull/{app}", (string app, ConfigStore config, SyncCoordinator coordinator, CancellationToken cancellationToken) =>
            Manual(RegistryMode.Pull, app, config, coordinator, cancellationToken));
        app.MapPost(ManagementRoutes.Registry + "/retry/{app}", Retry);
        return app;
    }

    private static async Task<IResult> Status(ConfigStore config, SyncStatusTracker status, SyncStateStore state, RejectedVersions rejected, SyncOptions options, CancellationToken cancellationToken)
    {
        var refused = await rejected.ListAsync(null, cancellationToken);
        var current = config.Current;
        return Envelope.Sync(new RegistryStatus
        {
            Mode = current.Values[ConfigKeys.RegistryMode],
            Url = current.Values[ConfigKeys.RegistryUrl],
            Fingerprint = current.RegistryFingerprint,
            Architecture = current.Values[ConfigKeys.Architecture],
            ClientFingerprint = ClientCertificate.CurrentFingerprint(options),
            UpdateInterval = DurationText.Format(current.UpdateInterval),
            Running = status.Running,
            NextPassAt = status.NextPassAt,
            Generation = current.RegistryUrl is { } url && Fingerprint.TryParse(current.RegistryFingerprint, out var pinned)
                ? await state.GetGenerationAsync(new RegistryIdentity(url.GetLeftPart(UriPartial.Authority), pinned), cancellationToken)
                : 0,
            SigningKey = current.SigningKey is { } key ? await SigningKeyStatusAsync(key, state, cancellationToken) : null,
            LastPass = status.LastPass,
            Transfers = status.Transfers(),
            LastDelta = status.LastDelta,
            Rejected = refused.Count > 0 ? refused : null,
        }, Json.RegistryStatus);
    }

    private static async Task<SigningKeyStatus> SigningKeyStatusAsync(Aar.Protocol.Signing.SigningPublicKey key, SyncStateStore state, CancellationToken cancellationToken)
    {
        var listing = await state.GetVerifiedListingAsync(cancellationToken);
        var current = listing?.KeyId == key.KeyId ? listing : null;
        return new SigningKeyStatus
        {
            KeyId = key.KeyId,
            PublicKey = key.Base64,
            PinnedBy = await state.GetFirstUseKeyAsync(cancellationToken) == key.KeyId ? "first-use" : "configured",
            ListingGeneration = current?.Generation,
            ListingSignedAt = current?.IssuedAt,
            ListingExpiresAt = current?.ExpiresAt,
        };
    }

    private static async Task<IResult> Sync(HttpRequest request, ConfigStore config, RegistryConnector connector, SyncWorker worker, SyncStatusTracker status, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request, Json.SyncRequest, new SyncRequest(), cancellationToken);
        if (!body.Succeeded)
        {
            return Envelope.Error(body.Error!);
        }

        if (config.Current.Mode == RegistryMode.Manual)
        {
            return Envelope.Error(ApiProblem.Conflict("registry.mode is manual: nothing syncs by itself; move one application with 'amc registry push <app>' or 'amc registry pull <app>'."));
        }

        if (connector.Problem(config.Current) is { } problem)
        {
            return Envelope.Error(ApiProblem.Conflict(problem));
        }

        var next = status.NextReportAsync(cancellationToken);
        worker.Wake();
        if (!body.Value!.Wait)
        {
            return Envelope.Sync(status.LastPass ?? new SyncPassReport { Number = 0, Mode = config.Current.Values[ConfigKeys.RegistryMode], StartedAt = default, FinishedAt = default, Result = "started" }, Json.SyncPassReport);
        }

        return Envelope.Sync(await next, Json.SyncPassReport);
    }

    /// <summary>
    /// <c>amc registry certificate renew</c>: a new key pair and certificate for this AMS (after a compromise, or
    /// before the old one expires). Passes use it from their next connection; the registry must trust it first.
    /// </summary>
    private static IResult RenewCertificate(ConfigStore config, SyncOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        var (created, previous) = ClientCertificate.Renew(options, time, loggers.CreateLogger("Ams.Daemon.Registry"));
        using (created)
        {
            return Envelope.Sync(new CertificateRenewal
            {
                Fingerprint = Fingerprint.Of(created).Hex,
                CommonName = CertificateFacts.CommonName(created),
                PreviousFingerprint = previous,
                Certificate = CertificateFacts.ToPem(created),
                Role = config.Current.Mode == RegistryMode.Push ? "publisher" : "client",
            }, Json.CertificateRenewal);
        }
    }

    private static async Task<IResult> Join(HttpRequest request, RegistryJoin join, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<JoinRequest>(request, Json.JoinRequest, null, cancellationToken);
        if (!body.Succeeded)
        {
            return Envelope.Error(body.Error!);
        }

        return Envelope.From(await join.JoinAsync(body.Value!.Token, cancellationToken), Json.JoinOutcome);
    }

    private static async Task<IResult> List(ConfigStore config, RegistryConnector connector, SignedIndex index, ApplicationCatalog applications, CancellationToken cancellationToken)
    {
        if (connector.Problem(config.Current) is { } problem)
        {
            return Envelope.Error(ApiProblem.Conflict(problem));
        }

        using var registry = connector.Connect(config.Current);
        try
        {
            // Shown to the operator, so verified like any listing this AMS acts on.
            var listing = await index.ApplicationsAsync(registry, architecture: null, tags: null, known: null, cancellationToken);
            if (!listing.Succeeded)
            {
                return Envelope.Error(new ApiProblem(502, listing.Error!));
            }

            var local = (await applications.ListAsync(cancellationToken)).ToDictionary(a => a.Name, StringComparer.Ordinal);
            return Envelope.Sync(listing.Value!.Applications.Select(a => new RegistryApplication
            {
                Name = a.Name,
                Architecture = a.Architecture,
                Owner = a.Owner,
                Versions = a.Versions.Select(v => v.Version).ToList(),
                Tags = a.Versions.Count > 0 ? a.Versions[^1].Tags : [],
                OwnedByThisAms = a.Owner == registry.ClientFingerprint,
                Local = local.TryGetValue(a.Name, out var found) ? (found.Immutable ? "imported" : "local") : "",
            }).ToList(), Json.ListRegistryApplication);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return Envelope.Error(new ApiProblem(502, registry.Explain(ex)));
        }
    }

    /// <summary>
    /// <c>amc registry retry &lt;app&gt;</c>: forgets the application's rejected versions and pulls it now, so a
    /// package the registry's operator repaired in place (same digest) is fetched again without waiting.
    /// </summary>
    private static async Task<IResult> Retry(string app, ConfigStore config, RejectedVersions rejected, SyncCoordinator coordinator, CancellationToken cancellationToken)
    {
        if (await rejected.ForgetAsync(app, null, cancellationToken) == 0)
        {
            return Envelope.Error(ApiProblem.NotFound($"No rejected registry version of '{app}' is remembered; 'amc registry status' lists the rejected versions."));
        }

        return await Manual(RegistryMode.Pull, app, config, coordinator, cancellationToken);
    }

    private static async Task<IResult> Manual(RegistryMode direction, string app, ConfigStore config, SyncCoordinator coordinator, CancellationToken cancellationToken)
    {
        var mode = config.Current.Mode;
        if (mode != RegistryMode.Manual && mode != direction)
        {
            return Envelope.Error(ApiProblem.Conflict($"registry.mode is {mode.ToString().ToLowerInvariant()}: this AMS does not {direction.ToString().ToLowerInvariant()}; an AMS is either a publisher (push) or a client (pull), never both."));
        }

        var report = await coordinator.RunAsync(direction, app, cancellationToken);
        return Envelope.Sync(report, Json.SyncPassReport);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Aar.Protocol.Http;
using Aar.Protocol.Signing;

namespace Aar.Protocol.Registry;

/// <summary>The signed index: listings and deletion records in DSSE envelopes, and the key that signs them.</summary>
public sealed partial class RegistryClient
{
    /// <summary>
    /// The signed listing, or a null value when <paramref name="knownGeneration"/> is still current (304). The
    /// envelope is returned unverified: the caller opens it with its pinned key
    /// (<see cref="SignedEnvelope.TryOpen{T}"/>) and checks generation, query and expiry.
    /// </summary>
    public async Task<ApiResult<SignedEnvelope?>> GetSignedApplicationsAsync(string? architecture = null, IEnumerable<string>? tags = null, long? knownGeneration = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.SignedApplications + ListingQuery(architecture, tags));
        if (knownGeneration is { } generation)
        {
            request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{generation.ToString(CultureInfo.InvariantCulture)}\""));
        }

        using var response = await SendForHeadersAsync(http, request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return ApiResult.Ok<SignedEnvelope?>(null);
        }

        var result = await ApiResponses.ReadAsync(response, RegistryReadJsonContext.Default.SignedEnvelope, MaxSignedBytes, Options.IdleTimeout, cancellationToken);
        return result.Succeeded ? ApiResult.Ok<SignedEnvelope?>(result.Value) : ApiResult.Failed<SignedEnvelope?>(result.Problem!);
    }

    /// <summary>The signed deletion records after <paramref name="since"/>, unverified (see <see cref="GetSignedApplicationsAsync"/>).</summary>
    public Task<ApiResult<SignedEnvelope>> GetSignedDeletionsAsync(long since, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{RegistryRoutes.SignedDeletions}?since={since.ToString(CultureInfo.InvariantCulture)}"), RegistryReadJsonContext.Default.SignedEnvelope, cancellationToken, MaxSignedBytes);

    /// <summary>The registry's signing key and its rotations, oldest first (<see cref="RotationChain.TryFollow"/>).</summary>
    public Task<ApiResult<SigningKeyInfo>> GetSigningKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.SigningKey), RegistryReadJsonContext.Default.SigningKeyInfo, cancellationToken, MaxSignedBytes);

    /// <summary>A listing's cap plus base64's third and room for the envelope around it.</summary>
    private long MaxSignedBytes => Options.MaxListingBytes / 3 * 4 + 64 * 1024;

    private static string ListingQuery(string? architecture, IEnumerable<string>? tags)
    {
        var query = new List<string>();
        if (architecture is not null)
        {
            query.Add("architecture=" + Uri.EscapeDataString(architecture));
        }

        if (tags?.ToList() is { Count: > 0 } wanted)
        {
            query.Add("tags=" + Uri.EscapeDataString(string.Join(',', wanted)));
        }

        return query.Count > 0 ? "?" + string.Join('&', query) : "";
    }
}

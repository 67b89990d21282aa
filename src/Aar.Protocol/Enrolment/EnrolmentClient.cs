using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;

namespace Aar.Protocol.Enrolment;

/// <summary>A successful join: where the registry answered, and what it said.</summary>
public sealed record JoinResult(Uri RegistryUrl, EnrolResponse Response);

/// <summary>
/// The AMS side of <c>amc registry join &lt;token&gt;</c>: tries the token's addresses in order, pins the server
/// fingerprint the token carries, and presents the AMS client certificate with the token's secret.
/// </summary>
public static class EnrolmentClient
{
    public static async Task<ApiResult<JoinResult>> JoinAsync(JoinToken token, X509Certificate2 clientCertificate, string? name, TimeSpan timeoutPerAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!Fingerprint.TryParse(token.Fingerprint, out var pin))
        {
            return Failed("The join token carries no valid server fingerprint; create a new token.");
        }

        var failures = new List<string>();
        foreach (var address in token.Addresses)
        {
            var url = new Uri($"https://{address}/");
            Fingerprint? presented = null;
            using var handler = new SocketsHttpHandler
            {
                ConnectTimeout = timeoutPerAddress,
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = [clientCertificate],
                    RemoteCertificateValidationCallback = PinnedServerCertificate.Validator(pin, actual => presented = actual),
                },
            };
            using var http = new HttpClient(handler) { BaseAddress = url, Timeout = timeoutPerAddress };
            try
            {
                using var response = await http.PostAsJsonAsync($"/{ApiVersions.Current}/enrol", new EnrolRequest { Secret = token.Secret, Name = name }, ProtocolJsonContext.Default.EnrolRequest, cancellationToken);
                var result = await ApiResponses.ReadAsync(response, ProtocolJsonContext.Default.EnrolResponse, cancellationToken);
                return result.Succeeded
                    ? ApiResult.Ok(new JoinResult(url, result.Value!))
                    : ApiResult.Failed<JoinResult>(result.Problem!);
            }
            catch (HttpRequestException ex) when (presented is not null || ex.InnerException is AuthenticationException)
            {
                failures.Add(presented is null
                    ? $"{address}: TLS failed ({ex.InnerException?.Message ?? ex.Message})"
                    : $"{address}: the server presented certificate {presented.Value.Hex}, not the registry's {pin.Hex} (a different server, or a man in the middle)");
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"{address}: {ex.InnerException?.Message ?? ex.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{address}: no answer within {timeoutPerAddress.TotalSeconds:0} s");
            }
        }

        return Failed($"Could not reach the registry at any address in the token ({string.Join("; ", failures)}). Check the network, or create a token with --address set to an address this AMS can reach.");
    }

    private static ApiResult<JoinResult> Failed(string detail) =>
        ApiResult.Failed<JoinResult>(new Problem { Type = ProblemTypes.Unreachable, Title = "Registry not reachable", Status = 0, Detail = detail });
}

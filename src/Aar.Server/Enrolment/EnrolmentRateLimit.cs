using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Aar.Protocol.Http;
using Aar.Server.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Enrolment;

/// <summary>
/// At most <see cref="EnrolmentLimits.Attempts"/> <c>POST /1.0/enrol</c> attempts per source per
/// <see cref="EnrolmentLimits.Window"/> (a fixed window), so a join token's secret cannot be guessed at network
/// speed and a flood of enrolments cannot keep the database busy. The limiter keeps state only for sources that
/// tried recently (idle ones are dropped by ASP.NET Core's partitioned limiter), so memory stays bounded.
/// </summary>
internal static partial class EnrolmentRateLimit
{
    public const string Policy = "enrol";

    public static IServiceCollection AddEnrolmentRateLimit(this IServiceCollection services, EnrolmentLimits options) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, context => RateLimitPartition.GetFixedWindowLimiter(
                SourceOf(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.Attempts, Window = options.Window, QueueLimit = 0 }));
            limiter.OnRejected = (rejected, _) => new ValueTask(RefuseAsync(rejected.HttpContext, rejected.Lease, options));
        });

    /// <summary>
    /// The partition of an address: an IPv4 address itself, an IPv6 address by its /64 (one subscriber or host usually
    /// holds a whole /64, and would otherwise get 2^64 separate allowances).
    /// </summary>
    internal static string SourceOf(IPAddress? address)
    {
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }

    private static Task RefuseAsync(HttpContext context, RateLimitLease lease, EnrolmentLimits options)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Window;
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        var source = SourceOf(context.Connection.RemoteIpAddress);
        Log.EnrolmentRateLimited(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EnrolmentRateLimit)), source, options.Attempts, options.Window);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ProblemResponses.WriteAsync(context, new Problem
        {
            Type = ProblemTypes.TooManyRequests,
            Title = "Too many enrolment attempts",
            Status = StatusCodes.Status429TooManyRequests,
            Detail = string.Create(CultureInfo.InvariantCulture, $"This address made more than {options.Attempts} enrolment attempts within {options.Window} (aar serve --enrol-attempts, --enrol-window); nothing was checked or changed. Try again in {seconds} s."),
        });
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an enrolment attempt from {Source}: more than {Attempts} within {Window}")]
        public static partial void EnrolmentRateLimited(ILogger logger, string source, int attempts, TimeSpan window);
    }
}

using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Enrolment;

internal static class EnrolmentServiceCollectionExtensions
{
    /// <summary>Join tokens, their redemption, the per-source rate limit and the addresses a token advertises.</summary>
    public static IServiceCollection AddEnrolment(this IServiceCollection services, EnrolmentLimits limits)
    {
        services.AddSingleton<TokenDatabase>();
        services.AddSingleton<TokenService>();
        services.AddEnrolmentRateLimit(limits);
        services.AddSingleton<AdvertisedAddresses>();
        return services;
    }
}

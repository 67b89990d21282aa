using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Signing;

internal static class SigningServiceCollectionExtensions
{
    public static IServiceCollection AddSigning(this IServiceCollection services, SigningOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<SigningKeyDatabase>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<SignedListingCache>();
        return services;
    }

    /// <summary>Loads (or on the registry's first start creates) the signing key; after the migrations, before listening.</summary>
    public static Task InitialiseSigningAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<SigningKeys>().InitialiseAsync(cancellationToken);
}

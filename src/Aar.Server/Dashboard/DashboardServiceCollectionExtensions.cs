using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Dashboard;

internal static class DashboardServiceCollectionExtensions
{
    /// <summary>The dashboard's reads, Razor component rendering (server-side only) and anti-forgery tokens for its forms.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services, DashboardOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<DashboardQueries>();
        services.AddRazorComponents();
        // The form tokens are signed with keys that live in this process only (MemoryKeyRepository); a key never
        // leaves memory, so there is nothing to encrypt it against.
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(keys =>
        {
            keys.XmlRepository = new MemoryKeyRepository();
            keys.XmlEncryptor = new NullXmlEncryptor();
        });
        services.AddAntiforgery(antiforgery =>
        {
            // __Host-: sent only over HTTPS to this host and path /, never set by a sibling domain.
            antiforgery.Cookie.Name = "__Host-aar-antiforgery";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.Path = "/";
        });
        return services;
    }
}

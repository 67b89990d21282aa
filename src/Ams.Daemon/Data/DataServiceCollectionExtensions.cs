using Microsoft.Extensions.DependencyInjection;

namespace Ams.Daemon.Data;

internal static class DataServiceCollectionExtensions
{
    /// <summary>The embedded SQLite database at <paramref name="path"/> (<c>&lt;data&gt;/ams.db</c>).</summary>
    public static IServiceCollection AddAmsDatabase(this IServiceCollection services, string path)
    {
        services.AddSingleton(new AmsDatabase(path));
        return services;
    }
}

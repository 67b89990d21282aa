using Aar.Server.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Aar.Server.Access;

/// <summary>
/// Declares an endpoint's (or a whole group's) <see cref="AccessRule"/>, the way <c>RequireAuthorization</c> does.
/// A rule on an endpoint overrides its group's: routing lists group metadata first and the endpoint's last.
/// </summary>
internal static class AccessRuleExtensions
{
    /// <summary>
    /// Admin socket only. Besides the rule the gate reads, the endpoints check the connection themselves, so a
    /// mistake in the gate alone cannot open them to TLS callers.
    /// </summary>
    public static TBuilder AdminSocketOnly<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AccessRule.AdminSocketOnly).AddEndpointFilter(static (context, next) =>
            AdminConnection.IsAdmin(context.HttpContext)
                ? next(context)
                : ValueTask.FromResult<object?>(ProblemResponses.Result(ProblemResponses.NotFound(context.HttpContext))));

    public static TBuilder RequirePublisher<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(AccessRule.PublisherRequired);

    public static TBuilder AllowAnyTrustedCaller<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(AccessRule.AnyTrustedCaller);

    /// <summary>The dashboard's pages: viewer or operator certificates (people's browsers), never an AMS's.</summary>
    public static TBuilder RequireViewer<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(AccessRule.ViewerRequired);

    /// <summary>The dashboard's trust actions: operator certificates only.</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(AccessRule.OperatorRequired);

    public static TBuilder AllowUnenrolled<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(AccessRule.UnenrolledAllowed);

    public static TBuilder AnswersUnmatchedRoutes<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(AccessRule.UnmatchedRoute);
}

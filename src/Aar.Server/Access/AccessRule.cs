namespace Aar.Server.Access;

/// <summary>
/// Endpoint metadata saying who may call the endpoint. The trust gate runs after routing and decides from the rule of
/// the endpoint that matched, never from the path string (which routing matches case-insensitively and decoded). An
/// endpoint without a rule is refused.
/// </summary>
internal sealed record AccessRule(AccessKind Kind)
{
    public static readonly AccessRule AdminSocketOnly = new(AccessKind.AdminSocketOnly);
    public static readonly AccessRule PublisherRequired = new(AccessKind.PublisherRequired);
    public static readonly AccessRule AnyTrustedCaller = new(AccessKind.AnyTrustedCaller);
    public static readonly AccessRule ViewerRequired = new(AccessKind.ViewerRequired);
    public static readonly AccessRule OperatorRequired = new(AccessKind.OperatorRequired);
    public static readonly AccessRule UnenrolledAllowed = new(AccessKind.UnenrolledAllowed);
    public static readonly AccessRule UnmatchedRoute = new(AccessKind.UnmatchedRoute);
}

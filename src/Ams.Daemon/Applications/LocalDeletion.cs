namespace Ams.Daemon.Applications;

/// <summary>
/// The record that this AMS deleted one of its own applications (<see cref="Number"/> is
/// <see cref="WholeApplication"/>) or one version of it: what a push pass may remove from the registry.
/// </summary>
internal sealed record LocalDeletion(string Name, int Number, DateTimeOffset DeletedAt)
{
    public const int WholeApplication = -1;

    public bool IsWholeApplication => Number == WholeApplication;
}

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds RealtimeHub.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Found = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "RealtimeHub.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds RealtimeHub.sln.");
    });

    public static string Path => Found.Value;
}

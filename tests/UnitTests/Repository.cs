namespace Webhooks.UnitTests;

/// <summary>The repository the tests run in, for the tests that read its sources and docs.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Webhooks.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Webhooks.sln not found above the test's folder.");
    }
}

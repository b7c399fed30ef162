namespace LeakOperator.CommandLine;

/// <summary>Checks a report's path up front: its folder exists and takes a new file, and the path is no folder itself.</summary>
internal static class ReportFile
{
    /// <summary>Null when a report can be written at <paramref name="path"/>; else what stops it, for people.</summary>
    public static string? Problem(string path)
    {
        if (Directory.Exists(path))
        {
            return "is a directory; give a file name inside it";
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            return $"the directory {folder} does not exist";
        }

        // Writing is the only check that covers permissions, read-only mounts and ACLs alike. An existing report is
        // opened without being truncated, so a failed run never loses the previous one.
        bool existed = File.Exists(path);
        try
        {
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            if (!existed)
            {
                File.Delete(path);
            }

            return null;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return $"cannot be written ({e.Message})";
        }
    }
}

using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeakOperator.TestSupport;

namespace LeakOperator.NodeTests;

/// <summary>
/// The image the node runs, built by buildah from the Dockerfile on locally assembled bases (scripts/operator-image.sh):
/// its config must be what the Dockerfile's runtime stage declares, and its files what the chiseled base promises.
/// </summary>
[Collection(NodeGroup.Name)]
public sealed partial class OperatorImageTests(NodeFixture node)
{
    [Fact]
    public async Task The_image_config_is_the_Dockerfiles_runtime_stage()
    {
        var declared = RuntimeStage(await File.ReadAllTextAsync(Repository.PathOf("Dockerfile")));
        var (config, files) = await ReadImageAsync(node.ImageTar);

        Assert.Equal(declared["WORKDIR"], config.GetProperty("WorkingDir").GetString());
        Assert.Equal(declared["USER"], config.GetProperty("User").GetString());
        Assert.Equal(declared["ENTRYPOINT"], config.GetProperty("Entrypoint").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(declared["CMD"], config.GetProperty("Cmd").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal($"{declared["EXPOSE"]}/tcp", config.GetProperty("ExposedPorts").EnumerateObject().Single().Name);
        var env = config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).ToList();
        foreach (string pair in declared["ENV"].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Contains(pair, env);
        }

        // What the chiseled runtime-deps base gives: the one native executable and the libraries it loads, no .NET
        // runtime (the executable carries its own), no IL, no shell or package manager.
        Assert.Contains("app/LeakOperator", files);
        Assert.DoesNotContain(files, f => f.EndsWith(".dll", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.StartsWith("usr/share/dotnet/", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("/libssl.so.3", StringComparison.Ordinal));
        Assert.DoesNotContain("bin/sh", files);
        Assert.DoesNotContain("usr/bin/apt", files);
    }

    /// <summary>The last stage's instructions, continuation lines joined, ENV values space-separated.</summary>
    private static Dictionary<string, string> RuntimeStage(string dockerfile)
    {
        string joined = dockerfile.Replace("\\\n", " ", StringComparison.Ordinal);
        string stage = joined[joined.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        var instructions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Instruction().Matches(stage))
        {
            string value = Spaces().Replace(m.Groups[2].Value.Trim(), " ");
            instructions[m.Groups[1].Value] = m.Groups[1].Value is "ENTRYPOINT" or "CMD" ? value.Replace(" ", "", StringComparison.Ordinal) : value;
        }

        return instructions;
    }

    private static async Task<(JsonElement Config, HashSet<string> Files)> ReadImageAsync(string tar)
    {
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var stream = File.OpenRead(tar))
        {
            using var reader = new TarReader(stream);
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                if (entry.DataStream is not null)
                {
                    using var copy = new MemoryStream();
                    await entry.DataStream.CopyToAsync(copy);
                    blobs[entry.Name] = copy.ToArray();
                }
            }
        }

        JsonElement Blob(string digest) => JsonDocument.Parse(blobs[$"blobs/sha256/{digest["sha256:".Length..]}"]).RootElement;
        var index = JsonDocument.Parse(blobs["index.json"]).RootElement;
        var manifest = Blob(index.GetProperty("manifests")[0].GetProperty("digest").GetString()!);
        var config = Blob(manifest.GetProperty("config").GetProperty("digest").GetString()!).GetProperty("config");
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in manifest.GetProperty("layers").EnumerateArray())
        {
            byte[] bytes = blobs[$"blobs/sha256/{layer.GetProperty("digest").GetString()!["sha256:".Length..]}"];
            Stream content = new MemoryStream(bytes);
            if (bytes is [0x1f, 0x8b, ..])
            {
                content = new GZipStream(content, CompressionMode.Decompress);
            }

            await using (content)
            {
                using var reader = new TarReader(content);
                while (await reader.GetNextEntryAsync() is { } entry)
                {
                    files.Add(entry.Name.TrimStart('.', '/').TrimEnd('/'));
                }
            }
        }

        return (config, files);
    }

    [GeneratedRegex(@"(?m)^(WORKDIR|USER|ENV|EXPOSE|ENTRYPOINT|CMD) +(.*)$")]
    private static partial Regex Instruction();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

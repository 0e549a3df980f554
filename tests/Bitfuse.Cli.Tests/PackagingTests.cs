using System.Diagnostics;
using System.Text.Json;

namespace Bitfuse.Cli.Tests;

/// <summary>
/// The install story, end to end: the packable projects pack into a local folder, the tool installs from it
/// into a tool path and runs, and a fresh project outside the repository references the packages and runs.
/// Restores are offline (the local folder is the only source) into an empty package cache, so nothing stale
/// from an earlier run or from nuget.org is used.
/// </summary>
public sealed class PackagingTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);
    private readonly string _work = Path.Combine(Path.GetTempPath(), "bitfuse-pack-" + Guid.NewGuid().ToString("N"));

    public PackagingTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Packages_and_the_tool_install_from_a_local_folder_and_run()
    {
        var root = RepositoryRoot();
        // The test runs from tests/Bitfuse.Cli.Tests/bin/<Configuration>/net10.0: pack what that build built.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var packages = Path.Combine(_work, "packages");
        var config = Path.Combine(_work, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);

        // Every packable project packs. The offline app below references only the packages whose dependencies are
        // all in the local folder (Bitfuse.Database needs System.IO.Hashing, Bitfuse.Server OpenTelemetry and OpenAPI).
        foreach (var project in new[] { "Bitfuse.Memory", "Bitfuse.Storage", "Bitfuse.Isolation", "Bitfuse", "Bitfuse.Database", "Bitfuse.Server", "Bitfuse.Cli" })
        {
            Dotnet(root, "pack", Path.Combine(root, "src", project), "-c", configuration, "--no-build", "-o", packages);
        }
        var produced = Directory.GetFiles(packages, "*.nupkg").Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["Bitfuse.0.1.0.nupkg", "Bitfuse.Cli.0.1.0.nupkg", "Bitfuse.Database.0.1.0.nupkg", "Bitfuse.Isolation.0.1.0.nupkg", "Bitfuse.Memory.0.1.0.nupkg",
            "Bitfuse.Server.0.1.0.nupkg", "Bitfuse.Storage.0.1.0.nupkg"], produced);

        // The tool: installed into a tool path, its usage line names the command, and a query answers.
        var tools = Path.Combine(_work, "tools");
        Dotnet(_work, "tool", "install", "Bitfuse.Cli", "--tool-path", tools, "--configfile", config);
        var bitfuse = Path.Combine(tools, "bitfuse");
        var help = Run(bitfuse, _work, "--help");
        Assert.Contains("bitfuse [command] [options]", help, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_work, "a.txt"), "1,2,3,70000,70001");
        File.WriteAllText(Path.Combine(_work, "b.txt"), "2,3,4,70001");
        var answer = Run(bitfuse, _work, "query", "a & !b", "--bitmap", "a=a.txt", "--bitmap", "b=b.txt", "--values", "--json");
        using (var doc = JsonDocument.Parse(answer))
        {
            Assert.Equal([1u, 70_000u], doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()).ToArray());
        }

        // A fresh project outside the repository: every library package, referenced by version.
        var app = Path.Combine(_work, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "app.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Bitfuse" Version="0.1.0" />
                <PackageReference Include="Bitfuse.Storage" Version="0.1.0" />
                <PackageReference Include="Bitfuse.Isolation" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Bitfuse;
            using Bitfuse.Isolation;
            using Bitfuse.Storage;

            using var ios = Bitmap.FromValues(new uint[] { 1, 5, 9, 70_000 });
            using var android = Bitmap.FromValues(new uint[] { 2, 5, 80_000 });
            using var churned = Bitmap.FromValues(new uint[] { 9 });
            ios.AddRange(1_000_000, 1_000_100);
            var engine = new QueryEngine();
            var inputs = new BitmapSet { ["ios"] = ios, ["android"] = android, ["churned"] = churned };
            Console.WriteLine($"query {engine.Compile("(ios | android) & !churned").Count(inputs)}");

            var path = Path.Combine(args[0], "file.bin");
            using (var file = MappedFile.Create(path))
            {
                var offset = file.Append(ios.Serialize());
                var bytes = new byte[ios.SerializedSize()];
                file.Read(offset, bytes);
                using var back = Bitmap.Deserialize(bytes);
                Console.WriteLine($"storage {back.Count}");
            }
            Console.WriteLine($"cpus {CpuSet.Parse("0-3,8").Count}");
            """);
        // The nuget.config in the folder above the project is the only source its restore sees.
        var output = Dotnet(app, ["run", "-c", "Release", "--", _work]);
        Assert.Equal(["query 105", "storage 104", "cpus 5"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private string Dotnet(string folder, params string[] args) => Run("dotnet", folder, args);

    private string Run(string program, string folder, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // A child build must not inherit the test host's MSBuild settings, and restores go to an empty cache.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(name);
        }
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_work, "nuget-cache");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(StepTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within {StepTimeout}");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited with {process.ExitCode}:\n{output.Result}\n{error.Result}");
        return output.Result;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bitfuse.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("repository root not found");
    }
}

using System.CommandLine;
using Bitfuse.Diagnostics;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse info</c>: the facts a bug report needs.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var json = JsonOutput.Switch("the facts");
        var output = JsonOutput.File();
        var command = new Command("info", "Show the version, runtime, machine and the SIMD paths this machine takes.")
        {
            json, output,
        };
        command.SetAction(parse =>
        {
            var info = HostInfo.Current();
            JsonOutput.Emit(info, parse, json, output, () => Render(info));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    private static void Render(HostInfo info)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("fact").AddColumn("value");
        void Row(string name, string? value) => table.AddRow(Markup.Escape(name), Markup.Escape(value ?? "unknown"));
        Row("bitfuse", info.BitfuseVersion);
        Row("runtime", info.Runtime);
        Row("os", info.OperatingSystem);
        Row("kernel", info.KernelRelease);
        Row("architecture", info.Architecture);
        Row("cpu", info.CpuModel);
        Row("logical cores", info.LogicalCores.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("memory", $"{info.TotalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB");
        Row("vector512", info.Simd.Vector512 ? "accelerated" : "no");
        Row("vector256", info.Simd.Vector256 ? "accelerated" : "no");
        Row("vector128", info.Simd.Vector128 ? "accelerated" : "no");
        Row("kernel width", $"{info.Simd.WidestVectorBits}-bit");
        Row("instruction sets", string.Join(", ", info.Simd.InstructionSets));
        AnsiConsole.Write(table);
    }
}

using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bitfuse.Diagnostics;

/// <summary>
/// Facts about the machine and runtime that decide which code paths Bitfuse takes.
/// Users paste <c>bitfuse info</c> into bug reports; every part of the engine adds what it needs here.
/// </summary>
/// <param name="BitfuseVersion">The informational version of the Bitfuse assembly.</param>
/// <param name="Runtime">The .NET runtime description, for example ".NET 10.0.1".</param>
/// <param name="OperatingSystem">The operating system description.</param>
/// <param name="KernelRelease">The kernel release (from <c>/proc/sys/kernel/osrelease</c> on Linux), or null.</param>
/// <param name="Architecture">The process architecture.</param>
/// <param name="CpuModel">The CPU model name, or null when the platform does not say.</param>
/// <param name="LogicalCores">Logical processors visible to this process.</param>
/// <param name="TotalMemoryBytes">Physical memory available to the runtime, in bytes.</param>
/// <param name="Simd">The SIMD instruction sets this process can use.</param>
public sealed record HostInfo(
    string BitfuseVersion,
    string Runtime,
    string OperatingSystem,
    string? KernelRelease,
    string Architecture,
    string? CpuModel,
    int LogicalCores,
    long TotalMemoryBytes,
    SimdSupport Simd)
{
    /// <summary>Reads the facts of the current process and machine.</summary>
    public static HostInfo Current()
    {
        var assembly = typeof(HostInfo).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        return new HostInfo(
            version,
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription,
            ReadFirstLine("/proc/sys/kernel/osrelease"),
            RuntimeInformation.ProcessArchitecture.ToString(),
            ReadCpuModel(),
            Environment.ProcessorCount,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            SimdSupport.Current());
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadCpuModel()
    {
        const string path = "/proc/cpuinfo";
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    return colon < 0 ? null : line[(colon + 1)..].Trim();
                }
            }
            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Which vector widths and x86 instruction sets the JIT will use in this process.</summary>
/// <param name="Vector512">Whether 512-bit vectors is hardware accelerated.</param>
/// <param name="Vector256">Whether 256-bit vectors is hardware accelerated.</param>
/// <param name="Vector128">Whether 128-bit vectors is hardware accelerated.</param>
/// <param name="InstructionSets">Supported instruction sets by name (Avx2, Avx512F, ...).</param>
public sealed record SimdSupport(bool Vector512, bool Vector256, bool Vector128, IReadOnlyList<string> InstructionSets)
{
    /// <summary>The widest accelerated vector width in bits (512, 256, 128), or 64 for scalar code.</summary>
    public int WidestVectorBits => Vector512 ? 512 : Vector256 ? 256 : Vector128 ? 128 : 64;

    /// <summary>Reads the SIMD support of the current process.</summary>
    public static SimdSupport Current()
    {
        var sets = new List<string>();
        void Add(string name, bool supported)
        {
            if (supported)
            {
                sets.Add(name);
            }
        }
        Add("Sse42", Sse42.IsSupported);
        Add("Popcnt", Popcnt.IsSupported);
        Add("Avx", Avx.IsSupported);
        Add("Avx2", Avx2.IsSupported);
        Add("Bmi1", Bmi1.IsSupported);
        Add("Bmi2", Bmi2.IsSupported);
        Add("Lzcnt", Lzcnt.IsSupported);
        Add("Avx512F", Avx512F.IsSupported);
        Add("Avx512BW", Avx512BW.IsSupported);
        Add("Avx512CD", Avx512CD.IsSupported);
        Add("Avx512DQ", Avx512DQ.IsSupported);
        Add("Avx512Vbmi", Avx512Vbmi.IsSupported);
        Add("Avx512Vbmi2", Avx512Vbmi2.IsSupported);
        Add("Avx10v1", Avx10v1.IsSupported);
        Add("AdvSimd", System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported);
        return new SimdSupport(
            System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
            System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated,
            System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated,
            sets);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"widest {WidestVectorBits}-bit; {string.Join(", ", InstructionSets)}");
}

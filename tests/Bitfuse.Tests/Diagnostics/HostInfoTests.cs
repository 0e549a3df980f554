using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Diagnostics;

namespace Bitfuse.Tests.Diagnostics;

public sealed class HostInfoTests
{
    [Fact]
    public void Simd_support_matches_the_runtime()
    {
        var simd = SimdSupport.Current();

        Assert.Equal(Vector512.IsHardwareAccelerated, simd.Vector512);
        Assert.Equal(Vector256.IsHardwareAccelerated, simd.Vector256);
        Assert.Equal(Avx512F.IsSupported, simd.InstructionSets.Contains("Avx512F"));
        Assert.Equal(Avx2.IsSupported, simd.InstructionSets.Contains("Avx2"));
        var expectedWidth = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 64;
        Assert.Equal(expectedWidth, simd.WidestVectorBits);
    }

    [Fact]
    public void Host_facts_are_filled_in()
    {
        var info = HostInfo.Current();

        Assert.Equal(Environment.ProcessorCount, info.LogicalCores);
        Assert.True(info.TotalMemoryBytes > 0);
        Assert.False(string.IsNullOrWhiteSpace(info.BitfuseVersion));
        if (OperatingSystem.IsLinux())
        {
            Assert.False(string.IsNullOrWhiteSpace(info.KernelRelease));
        }
    }
}

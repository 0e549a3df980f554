using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Bitmaps;
using Bitfuse.Query.Execution;

namespace Bitfuse.Tests.Query.Execution;

public unsafe class LeadGroupBytesTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(12)]
    public void Both_widths_number_the_columns_and_count_an_array_per_group(int groupCount)
    {
        if (!Avx2.IsSupported)
        {
            return;
        }
        var random = new Random(groupCount);
        var narrowed = (ulong*)NativeMemory.AlignedAlloc((nuint)(8192 * (groupCount + 1)), 64);
        var bytes = (byte*)NativeMemory.AlignedAlloc(LeadGroupBytes.Bytes, 64);
        try
        {
            NativeMemory.Clear(narrowed, (nuint)(8192 * (groupCount + 1)));
            // Column c goes to a random group or none; groups listed in a shuffled order, one bitset left unlisted.
            var groupOf = new int[65536];
            for (var c = 0; c < 65536; c++)
            {
                groupOf[c] = random.Next(groupCount + 2) - 1;
                if (groupOf[c] >= 0)
                {
                    narrowed[(groupOf[c] * 1024) + (c >> 6)] |= 1UL << c;
                }
            }
            var groups = Enumerable.Range(0, groupCount + 1).OrderBy(_ => random.Next()).Take(groupCount).ToArray();
            var values = Enumerable.Range(0, 65536).Where(_ => random.Next(5) == 0).Select(c => (ushort)c).Append((ushort)65535).Distinct().ToArray();
            var expected = new long[groupCount + 2];
            foreach (var v in values)
            {
                if (groups.Contains(groupOf[v]))
                {
                    expected[groupOf[v] + 1]++;
                }
            }
            var builds = new List<Func<bool>> { () => LeadGroupBytes.TryBuild256(bytes, narrowed, groups) };
            if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
            {
                builds.Add(() => LeadGroupBytes.TryBuild512(bytes, narrowed, groups));
            }
            foreach (var build in builds)
            {
                Assert.True(build());
                for (var c = 0; c < 65536; c++)
                {
                    var listed = Array.IndexOf(groups, groupOf[c]);
                    Assert.Equal(listed < 0 ? 0 : listed + 1, bytes[c]);
                }
                var tally = new long[groupCount + 2];
                fixed (ushort* p = values)
                {
                    LeadGroupBytes.Count(bytes, p, values.Length, groups, tally, 1);
                }
                Assert.Equal(expected.Skip(1), tally.Skip(1));

                // A column in two listed groups is reported.
                var first = groups[0] * 1024;
                var second = groups[1] * 1024;
                var saved = narrowed[second + 7];
                narrowed[second + 7] |= narrowed[first + 7] | 1;
                narrowed[first + 7] |= 1;
                Assert.False(build());
                narrowed[second + 7] = saved;
                narrowed[first + 7] = 0;
                for (var c = 7 * 64; c < 8 * 64; c++)
                {
                    if (groupOf[c] == groups[0])
                    {
                        narrowed[first + 7] |= 1UL << c;
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(narrowed);
            NativeMemory.AlignedFree(bytes);
        }
    }
}

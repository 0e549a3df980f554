namespace Bitfuse.Storage.Tests;

public sealed class MappedFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<GrowthStrategy> Strategies => [GrowthStrategy.Reserve, GrowthStrategy.UseCount, GrowthStrategy.Smr];

    private static MappedFileOptions Options(GrowthStrategy strategy) => new() { Strategy = strategy };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Appended_bytes_read_back_by_copy_span_and_pointer(GrowthStrategy strategy)
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), Options(strategy));
        Assert.Equal(0, file.Length);
        var first = Pages.Make(0);
        var second = Pages.Make(Pages.Size);
        Assert.Equal(0, file.Append(first));
        Assert.Equal(Pages.Size, file.Append(second));
        Assert.Equal(2 * Pages.Size, file.Length);

        var copy = new byte[Pages.Size];
        file.Read(Pages.Size, copy);
        Assert.Equal(second, copy);

        using var scope = file.BeginRead();
        Assert.Equal(2 * Pages.Size, scope.Length);
        Assert.True(scope.GetSpan(0, Pages.Size).SequenceEqual(first));
        unsafe
        {
            var p = scope.GetPointer(Pages.Size, Pages.Size);
            Assert.True(new ReadOnlySpan<byte>(p, Pages.Size).SequenceEqual(second));
        }
        var middle = new byte[100];
        scope.Read(Pages.Size - 50, middle);
        Assert.True(middle.AsSpan(0, 50).SequenceEqual(first.AsSpan(Pages.Size - 50)));
        Assert.True(middle.AsSpan(50).SequenceEqual(second.AsSpan(0, 50)));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Reads_past_the_published_length_throw_with_the_offset(GrowthStrategy strategy)
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), Options(strategy));
        file.Append(new byte[1000]);
        var buffer = new byte[10];

        var past = Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(995, buffer));
        Assert.Contains("995", past.Message);
        Assert.Contains("1000", past.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(-1, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(long.MaxValue, buffer));
        file.Read(990, buffer);
        file.Read(1000, Span<byte>.Empty);

        var scope = file.BeginRead();
        try
        {
            var caught = false;
            try
            {
                scope.GetSpan(1, 1000);
            }
            catch (ArgumentOutOfRangeException)
            {
                caught = true;
            }
            Assert.True(caught);
            caught = false;
            try
            {
                unsafe
                {
                    scope.GetPointer(0, -1);
                }
            }
            catch (ArgumentOutOfRangeException)
            {
                caught = true;
            }
            Assert.True(caught);
        }
        finally
        {
            scope.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void A_scope_sees_the_length_published_when_it_began(GrowthStrategy strategy)
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), Options(strategy) with { ExtentBytes = 4096 });
        file.Append(Pages.Make(0));
        var scope = file.BeginRead();
        long scopeLength;
        try
        {
            scopeLength = scope.Length;
            Assert.True(Pages.Verify(scope.GetSpan(0, Pages.Size), 0));
        }
        finally
        {
            scope.Dispose();
        }
        if (strategy != GrowthStrategy.UseCount)
        {
            // Reserve and Smr writers do not wait for readers: growth while a scope is open is fine.
            var open = file.BeginRead();
            try
            {
                var writer = new Thread(() => file.Append(Pages.Make(Pages.Size)));
                writer.Start();
                writer.Join();
                Assert.Equal(Pages.Size, open.Length);
                Assert.True(Pages.Verify(open.GetSpan(0, Pages.Size), 0));
            }
            finally
            {
                open.Dispose();
            }
            Assert.Equal(2 * Pages.Size, file.Length);
        }
        Assert.Equal(Pages.Size, scopeLength);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Write_overwrites_in_place_and_extends_but_leaves_no_holes(GrowthStrategy strategy)
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), Options(strategy));
        file.Append([1, 2, 3, 4]);
        file.Write(2, [9, 9, 9, 9]);
        Assert.Equal(6, file.Length);
        var all = new byte[6];
        file.Read(0, all);
        Assert.Equal(new byte[] { 1, 2, 9, 9, 9, 9 }, all);
        var hole = Assert.Throws<ArgumentOutOfRangeException>(() => file.Write(7, [1]));
        Assert.Contains("holes", hole.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => file.Write(-1, [1]));
        file.Write(6, [7]);
        Assert.Equal(7, file.Length);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Reopening_finds_the_written_bytes(GrowthStrategy strategy)
    {
        var path = _dir.File("a.dat");
        using (var file = MappedFile.Create(path, Options(strategy)))
        {
            for (var i = 0; i < 10; i++)
            {
                file.Append(Pages.Make(i * (long)Pages.Size));
            }
            file.Flush();
        }
        Assert.Equal(10 * Pages.Size, new FileInfo(path).Length);
        using var reopened = MappedFile.Open(path, Options(strategy));
        Assert.Equal(10 * Pages.Size, reopened.Length);
        var page = new byte[Pages.Size];
        for (var i = 0; i < 10; i++)
        {
            reopened.Read(i * (long)Pages.Size, page);
            Assert.True(Pages.Verify(page, i * (long)Pages.Size));
        }
        reopened.Append(Pages.Make(10 * Pages.Size));
        reopened.Read(10 * Pages.Size, page);
        Assert.True(Pages.Verify(page, 10 * Pages.Size));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Use_after_dispose_throws_ObjectDisposedException(GrowthStrategy strategy)
    {
        var file = MappedFile.Create(_dir.File("a.dat"), Options(strategy));
        file.Append(new byte[100]);
        file.Dispose();
        file.Dispose();
        var buffer = new byte[10];
        Assert.Throws<ObjectDisposedException>(() => file.Read(0, buffer));
        Assert.Throws<ObjectDisposedException>(() => file.Length);
        Assert.Throws<ObjectDisposedException>(() => file.BeginRead());
        Assert.Throws<ObjectDisposedException>(() => file.Append([1]));
        Assert.Throws<ObjectDisposedException>(() => file.Write(0, [1]));
        Assert.Throws<ObjectDisposedException>(file.Flush);
        Assert.Throws<ObjectDisposedException>(() => file.Advise(AccessPattern.Random));
    }

    [Fact]
    public void A_disposed_scope_refuses_spans()
    {
        using var file = MappedFile.Create(_dir.File("a.dat"));
        file.Append(new byte[100]);
        var scope = file.BeginRead();
        scope.Dispose();
        scope.Dispose();
        var caught = false;
        try
        {
            scope.GetSpan(0, 1);
        }
        catch (ObjectDisposedException)
        {
            caught = true;
        }
        Assert.True(caught);
        Assert.Throws<ObjectDisposedException>(() => default(MappedReadScope).GetSpan(0, 0).Length);
    }

    [Fact]
    public void Create_refuses_an_existing_file_and_open_a_missing_one()
    {
        var path = _dir.File("a.dat");
        File.WriteAllBytes(path, [1]);
        var exists = Assert.Throws<NativeIOException>(() => MappedFile.Create(path));
        Assert.Equal(17, exists.Errno);
        Assert.Contains(path, exists.Message);
        Assert.Contains("open", exists.Message);

        var missing = Assert.Throws<NativeIOException>(() => MappedFile.Open(_dir.File("missing.dat")));
        Assert.Equal(2, missing.Errno);
        Assert.Equal("open", missing.Operation);
        Assert.Contains("No such file", missing.Message);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Access_hints_are_accepted_and_kept_for_new_extents(GrowthStrategy strategy)
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), Options(strategy) with { ExtentBytes = 4096 });
        file.Append(Pages.Make(0));
        foreach (var pattern in new[] { AccessPattern.Random, AccessPattern.Sequential, AccessPattern.WillNeed, AccessPattern.Normal, AccessPattern.Random })
        {
            file.Advise(pattern);
        }
        file.Append(Pages.Make(Pages.Size));
        var page = new byte[Pages.Size];
        file.Read(Pages.Size, page);
        Assert.True(Pages.Verify(page, Pages.Size));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.Advise((AccessPattern)42));
    }

    [Fact]
    public void Statistics_count_reads_bytes_and_growth()
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { ExtentBytes = 4096 });
        file.Append(Pages.Make(0));
        file.Append(Pages.Make(Pages.Size));
        file.Write(0, Pages.Make(0));
        var buffer = new byte[64];
        file.Read(0, buffer);
        using (var scope = file.BeginRead())
        {
            Assert.Equal(32, scope.GetSpan(8, 32).Length);
            Assert.Equal(16, scope.GetSpan(100, 16).Length);
        }
        var stats = file.Statistics;
        Assert.Equal(2, stats.MappedReads); // a copy, and a scope that counts once however many spans it hands out
        Assert.Equal(0, stats.SystemCallReads);
        Assert.Equal(64 + 32 + 16, stats.BytesRead);
        Assert.Equal(3 * Pages.Size, stats.BytesWritten);
        Assert.Equal(2, stats.Extensions);
        Assert.Equal(2, stats.ExtentMaps);
        Assert.Equal(0, stats.Remaps);
        Assert.Equal(0, stats.ReservationFallbacks);
    }

    [Theory]
    [InlineData(GrowthStrategy.Reserve)]
    [InlineData(GrowthStrategy.UseCount)]
    [InlineData(GrowthStrategy.Smr)]
    public void Every_strategy_counts_a_copy_and_a_scope_as_one_mapped_read_each(GrowthStrategy strategy)
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { Strategy = strategy });
        file.Append(Pages.Make(0));
        var before = file.Statistics;
        var buffer = new byte[Pages.Size];
        file.Read(0, buffer);
        file.Read(0, buffer.AsSpan(0, 10));
        using (var scope = file.BeginRead())
        {
            _ = scope.GetSpan(0, 100);
            _ = scope.GetSpan(200, 50);
        }
        var after = file.Statistics;
        Assert.Equal(3, after.MappedReads - before.MappedReads);
        Assert.Equal(Pages.Size + 10 + 100 + 50, after.BytesRead - before.BytesRead);
        Assert.True(Pages.Verify(buffer, 0));
    }

    [Fact]
    public void Reserve_maps_ahead_so_growing_within_an_extent_step_changes_no_mapping()
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { ExtentBytes = 64 * Pages.Size });
        var mapping = file.CurrentMapping!;
        for (var i = 0; i < 64; i++)
        {
            file.Append(Pages.Make(i * (long)Pages.Size));
        }
        Assert.Same(mapping, file.CurrentMapping);
        Assert.Equal(1, file.Statistics.ExtentMaps);
        file.Append(Pages.Make(64L * Pages.Size));
        Assert.Equal(2, file.Statistics.ExtentMaps);
        Assert.Equal(0, file.Statistics.Remaps);
        using var scope = file.BeginRead();
        for (var i = 0; i <= 64; i++)
        {
            Assert.True(Pages.Verify(scope.GetSpan(i * (long)Pages.Size, Pages.Size), i * (long)Pages.Size), $"page {i}");
        }
    }

    [Fact]
    public void Access_hints_cover_an_extent_mapped_far_past_the_end_of_the_file()
    {
        using var file = MappedFile.Create(_dir.File("a.dat"));
        file.Append(Pages.Make(0));
        foreach (var pattern in new[] { AccessPattern.WillNeed, AccessPattern.Sequential, AccessPattern.Random })
        {
            // The default extent maps 1 GiB while the file holds one page: the hint spans both.
            file.Advise(pattern);
            file.Append(Pages.Make(file.Length));
        }
        Assert.Equal(1, file.Statistics.ExtentMaps);
        var page = new byte[Pages.Size];
        for (long offset = 0; offset < file.Length; offset += Pages.Size)
        {
            file.Read(offset, page);
            Assert.True(Pages.Verify(page, offset));
        }
    }

    [Fact]
    public void Reserve_moves_to_a_doubled_reservation_when_it_runs_out()
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { ReservationBytes = 16 * Pages.Size, ExtentBytes = Pages.Size });
        var before = file.CurrentMapping!;
        for (var i = 0; i < 40; i++)
        {
            file.Append(Pages.Make(i * (long)Pages.Size));
        }
        var after = file.CurrentMapping!;
        Assert.NotSame(before, after);
        Assert.True(after.Capacity >= 40 * Pages.Size);
        var stats = file.Statistics;
        Assert.True(stats.ReservationFallbacks >= 1);
        Assert.Equal(stats.ReservationFallbacks, stats.Remaps);
        var page = new byte[Pages.Size];
        for (var i = 0; i < 40; i++)
        {
            file.Read(i * (long)Pages.Size, page);
            Assert.True(Pages.Verify(page, i * (long)Pages.Size));
        }
    }

    [Fact]
    public void UseCount_and_Smr_remap_on_every_growth_past_the_mapping()
    {
        using var useCount = MappedFile.Create(_dir.File("u.dat"), Options(GrowthStrategy.UseCount));
        using var smr = MappedFile.Create(_dir.File("s.dat"), Options(GrowthStrategy.Smr));
        for (var i = 0; i < 5; i++)
        {
            useCount.Append(Pages.Make(i * (long)Pages.Size));
            smr.Append(Pages.Make(i * (long)Pages.Size));
        }
        Assert.Equal(5, useCount.Statistics.Remaps);
        Assert.Equal(5, smr.Statistics.Remaps);
        Assert.Equal(5, useCount.Statistics.Extensions);
        Assert.Equal(0, useCount.Statistics.ResizeWaits);
    }

    [Fact]
    public void SyncBeforePublish_syncs_each_growth()
    {
        var io = new FaultyFileIO();
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { SyncBeforePublish = true, IO = io });
        file.Append([1, 2, 3]);
        file.Append([4]);
        file.Write(0, [5]);
        Assert.Equal(2, io.SyncCalls);
    }

    [Fact]
    public void Disposing_inside_its_own_read_scope_is_refused_and_leaves_the_file_usable()
    {
        var file = MappedFile.Create(_dir.File("a.dat"));
        file.Append([1, 2, 3]);
        var scope = file.BeginRead();
        try
        {
            Assert.Throws<InvalidOperationException>(file.Dispose);
            Assert.Equal(3, scope.GetSpan(0, 3).Length);
        }
        finally
        {
            scope.Dispose();
        }
        Assert.Equal(3, file.Length);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Length);
    }
    public static TheoryData<GrowthStrategy> SectionStrategies => [GrowthStrategy.Reserve, GrowthStrategy.Smr];

    [Theory]
    [MemberData(nameof(SectionStrategies))]
    public void Scopes_and_reads_do_not_nest_on_one_thread(GrowthStrategy strategy)
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), Options(strategy));
        file.Append(Pages.Make(0));
        var buffer = new byte[16];
        var scope = file.BeginRead();
        try
        {
            Assert.Throws<InvalidOperationException>(() => file.BeginRead().Dispose());
            Assert.Throws<InvalidOperationException>(() => file.Read(0, buffer));
            Assert.True(Pages.Verify(scope.GetSpan(0, Pages.Size), 0));
        }
        finally
        {
            scope.Dispose();
        }
        // After the scope, both work again.
        file.Read(0, buffer);
        using var next = file.BeginRead();
        Assert.True(Pages.Verify(next.GetSpan(0, Pages.Size), 0));
    }

    [Theory]
    [MemberData(nameof(SectionStrategies))]
    public void Dispose_on_another_thread_waits_until_an_open_scope_ends(GrowthStrategy strategy)
    {
        var file = MappedFile.Create(_dir.File("a.dat"), Options(strategy));
        file.Append(Pages.Make(0));
        using var scopeOpen = new ManualResetEventSlim();
        using var endScope = new ManualResetEventSlim();
        var verified = 0;
        var reader = new Thread(() =>
        {
            var scope = file.BeginRead();
            try
            {
                scopeOpen.Set();
                endScope.Wait();
                // The disposer has unpublished the mapping by now; the scope's span must still be mapped
                // (reading an unmapped page would kill the test process).
                for (var i = 0; i < 1000; i++)
                {
                    if (Pages.Verify(scope.GetSpan(0, Pages.Size), 0))
                    {
                        verified++;
                    }
                }
            }
            finally
            {
                scope.Dispose();
            }
        });
        reader.Start();
        scopeOpen.Wait();
        var disposer = new Thread(file.Dispose);
        disposer.Start();
        var spin = new SpinWait();
        while (file.CurrentMapping is not null)
        {
            spin.SpinOnce();
        }
        Assert.True(disposer.IsAlive, "Dispose finished while a scope on another thread was open");
        endScope.Set();
        reader.Join();
        disposer.Join();
        Assert.Equal(1000, verified);
        Assert.Throws<ObjectDisposedException>(() => file.Length);
    }

    [Fact]
    public void A_scope_begun_before_the_reservation_ran_out_keeps_the_outgrown_range_until_it_ends()
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { ReservationBytes = 4 * Pages.Size, ExtentBytes = Pages.Size });
        file.Append(Pages.Make(0));
        var before = file.CurrentMapping!;
        var scope = file.BeginRead();
        try
        {
            var writer = new Thread(() =>
            {
                for (var i = 1; i < 12; i++)
                {
                    file.Append(Pages.Make(i * (long)Pages.Size));
                }
            });
            writer.Start();
            writer.Join();
            Assert.NotSame(before, file.CurrentMapping);
            Assert.True(file.Statistics.ReservationFallbacks >= 1);
            Assert.True(file.RetiringMappings >= 1, "the outgrown range was retired while a scope that holds it was open");
            Assert.True(IsMapped(before.Address), "the outgrown range was unmapped under an open scope");
            Assert.True(Pages.Verify(scope.GetSpan(0, Pages.Size), 0));
        }
        finally
        {
            scope.Dispose();
        }

        // The next growth step finds the scope's sequence moved on and unmaps every outgrown range.
        file.Append(Pages.Make(12 * (long)Pages.Size));
        Assert.Equal(0, file.RetiringMappings);
        Assert.False(IsMapped(before.Address), "the outgrown range is still mapped after its last reader left");
        var page = new byte[Pages.Size];
        for (var i = 0; i < 13; i++)
        {
            file.Read(i * (long)Pages.Size, page);
            Assert.True(Pages.Verify(page, i * (long)Pages.Size), $"page {i}");
        }
    }

    [Fact]
    public void An_outgrown_range_with_no_reader_inside_is_unmapped_at_the_fallback()
    {
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { ReservationBytes = 4 * Pages.Size, ExtentBytes = Pages.Size });
        file.Append(Pages.Make(0));
        var buffer = new byte[Pages.Size];
        file.Read(0, buffer);
        var before = file.CurrentMapping!;
        for (var i = 1; i < 6; i++)
        {
            file.Append(Pages.Make(i * (long)Pages.Size));
        }
        Assert.NotSame(before, file.CurrentMapping);
        Assert.Equal(0, file.RetiringMappings);
        Assert.False(IsMapped(before.Address));
    }

    /// <summary>True when <paramref name="address"/> lies in a range of /proc/self/maps.</summary>
    private static bool IsMapped(nint address)
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var dash = line.IndexOf('-');
            var space = line.IndexOf(' ');
            var start = ulong.Parse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber);
            var end = ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber);
            if ((ulong)address >= start && (ulong)address < end)
            {
                return true;
            }
        }
        return false;
    }
}

namespace Bitfuse.Storage.Tests;

public sealed class FaultInjectionTests : IDisposable
{
    private const int ENOSPC = 28;
    private const int EIO = 5;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<GrowthStrategy> Strategies => [GrowthStrategy.Reserve, GrowthStrategy.UseCount, GrowthStrategy.Smr];

    private (MappedFile File, FaultyFileIO IO) CreateWithTwoPages(GrowthStrategy strategy)
    {
        var io = new FaultyFileIO();
        var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { Strategy = strategy, IO = io, AllocationBytes = Pages.Size });
        file.Append(Pages.Make(0));
        file.Append(Pages.Make(Pages.Size));
        return (file, io);
    }

    private static void AssertPagesIntact(MappedFile file, int pages)
    {
        Assert.Equal(pages * (long)Pages.Size, file.Length);
        var page = new byte[Pages.Size];
        for (var i = 0; i < pages; i++)
        {
            file.Read(i * (long)Pages.Size, page);
            Assert.True(Pages.Verify(page, i * (long)Pages.Size), $"page {i}");
        }
        using var scope = file.BeginRead();
        Assert.True(Pages.Verify(scope.GetSpan((pages - 1) * (long)Pages.Size, Pages.Size), (pages - 1) * (long)Pages.Size));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void ENOSPC_on_allocate_fails_before_anything_is_written_or_published(GrowthStrategy strategy)
    {
        var (file, io) = CreateWithTwoPages(strategy);
        using (file)
        {
            var writesBefore = io.WriteCalls;
            var remapsBefore = file.Statistics.Remaps;
            io.AllocateErrno = ENOSPC;

            var error = Assert.Throws<NativeIOException>(() => file.Append(Pages.Make(2 * Pages.Size)));
            Assert.Equal(ENOSPC, error.Errno);
            Assert.Equal("fallocate", error.Operation);
            Assert.Contains(file.FilePath, error.Message);
            Assert.Contains("No space left on device", error.Message);
            Assert.Equal(writesBefore, io.WriteCalls);
            Assert.Equal(remapsBefore, file.Statistics.Remaps);
            Assert.Equal(2 * Pages.Size, new FileInfo(file.FilePath).Length);
            AssertPagesIntact(file, 2);

            io.AllocateErrno = 0;
            file.Append(Pages.Make(2 * Pages.Size));
            AssertPagesIntact(file, 3);
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Short_writes_are_completed(GrowthStrategy strategy)
    {
        var (file, io) = CreateWithTwoPages(strategy);
        using (file)
        {
            io.MaxBytesPerWrite = 1000;
            var before = io.WriteCalls;
            file.Append(Pages.Make(2 * Pages.Size));
            Assert.Equal(5, io.WriteCalls - before);
            AssertPagesIntact(file, 3);
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void A_write_that_fails_midway_publishes_nothing_and_the_next_append_overwrites_it(GrowthStrategy strategy)
    {
        var (file, io) = CreateWithTwoPages(strategy);
        using (file)
        {
            io.MaxBytesPerWrite = 1000;
            io.FailWritesAfterBytes = 1500;
            var error = Assert.Throws<NativeIOException>(() => file.Append(Pages.Make(2 * Pages.Size)));
            Assert.Equal(EIO, error.Errno);
            Assert.Equal("pwrite", error.Operation);
            Assert.Contains($"at offset {2 * Pages.Size + 1500}", error.Message);
            AssertPagesIntact(file, 2);
            var outside = Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(2 * Pages.Size, new byte[1]));
            Assert.Contains("published length", outside.Message);

            io.MaxBytesPerWrite = 0;
            io.FailWritesAfterBytes = -1;
            Assert.Equal(2 * Pages.Size, file.Append(Pages.Make(2 * Pages.Size)));
            AssertPagesIntact(file, 3);
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void A_write_that_writes_nothing_is_an_error(GrowthStrategy strategy)
    {
        var (file, io) = CreateWithTwoPages(strategy);
        using (file)
        {
            io.FailWritesAfterBytes = 0;
            io.WriteErrno = ENOSPC;
            var error = Assert.Throws<NativeIOException>(() => file.Append([1, 2, 3]));
            Assert.Equal(ENOSPC, error.Errno);
            AssertPagesIntact(file, 2);
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void EIO_on_sync_is_fatal_to_the_handle_and_never_retried(GrowthStrategy strategy)
    {
        var (file, io) = CreateWithTwoPages(strategy);
        using (file)
        {
            io.SyncErrno = EIO;
            var error = Assert.Throws<NativeIOException>(file.Flush);
            Assert.Equal(EIO, error.Errno);
            Assert.Equal("fdatasync", error.Operation);
            Assert.Contains("not retried", error.Message);
            Assert.Equal(1, io.SyncCalls);

            io.SyncErrno = 0;
            var again = Assert.Throws<NativeIOException>(file.Flush);
            Assert.Contains("earlier fdatasync failed", again.Message);
            var append = Assert.Throws<NativeIOException>(() => file.Append([1]));
            Assert.Equal(EIO, append.Errno);
            Assert.Throws<NativeIOException>(() => file.Write(0, [1]));
            Assert.Equal(1, io.SyncCalls);

            // Reads go on: the published bytes are still there.
            AssertPagesIntact(file, 2);
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void With_SyncBeforePublish_a_failed_sync_publishes_nothing(GrowthStrategy strategy)
    {
        var io = new FaultyFileIO();
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { Strategy = strategy, IO = io, SyncBeforePublish = true });
        file.Append(Pages.Make(0));
        io.SyncErrno = EIO;
        Assert.Throws<NativeIOException>(() => file.Append(Pages.Make(Pages.Size)));
        AssertPagesIntact(file, 1);
        Assert.Throws<NativeIOException>(() => file.Append(Pages.Make(Pages.Size)));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void A_growing_file_allocates_ahead_a_logarithmic_number_of_times(GrowthStrategy strategy)
    {
        var io = new FaultyFileIO();
        const int pages = 1000;
        using var file = MappedFile.Create(_dir.File("a.dat"), new MappedFileOptions { Strategy = strategy, IO = io, AllocationBytes = Pages.Size });
        for (var i = 0; i < pages; i++)
        {
            file.Append(Pages.Make(i * (long)Pages.Size));
            Assert.True(io.AllocatedEnds[^1] >= file.Length, $"page {i}: published {file.Length} bytes with only {io.AllocatedEnds[^1]} allocated");
        }
        // Each step allocates through the end plus a quarter: about log(1000) / log(1.25) = 31 steps, not 1000.
        Assert.InRange(io.AllocateCalls, 2, 40);
        for (var i = 1; i < io.AllocatedEnds.Count; i++)
        {
            Assert.True(io.AllocatedEnds[i] > io.AllocatedEnds[i - 1]);
        }
        AssertPagesIntact(file, pages);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void ENOSPC_on_the_allocation_ahead_falls_back_to_what_the_write_needs(GrowthStrategy strategy)
    {
        var (file, io) = CreateWithTwoPages(strategy);
        using (file)
        {
            // Room for exactly one more page: the quarter ahead does not fit, the page itself does.
            io.AllocateLimit = Math.Max(io.AllocatedEnds[^1], 3L * Pages.Size);
            while (file.Length + Pages.Size <= io.AllocateLimit)
            {
                file.Append(Pages.Make(file.Length));
            }
            var pages = (int)(file.Length / Pages.Size);
            Assert.True(pages >= 3);
            Assert.Equal(io.AllocateLimit, io.AllocatedEnds[^1]);

            var writesBefore = io.WriteCalls;
            var error = Assert.Throws<NativeIOException>(() => file.Append(Pages.Make(file.Length)));
            Assert.Equal(ENOSPC, error.Errno);
            Assert.Equal(writesBefore, io.WriteCalls);
            AssertPagesIntact(file, pages);
        }
    }
}

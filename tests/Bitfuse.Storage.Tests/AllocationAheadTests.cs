using Microsoft.Win32.SafeHandles;

namespace Bitfuse.Storage.Tests;

/// <summary>Disk allocated ahead of the written end is given back when the file is closed, and on the next open after a crash.</summary>
public sealed class AllocationAheadTests : IDisposable
{
    private const int EIO = 5;

    /// <summary>What a file of a few pages may occupy besides its pages: the file system's own blocks.</summary>
    private const long Slack = 64 << 10;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<GrowthStrategy> Strategies => [GrowthStrategy.Reserve, GrowthStrategy.UseCount, GrowthStrategy.Smr];

    /// <summary>The file's size is <paramref name="pages"/> pages, and no more than a little slack is allocated past it.</summary>
    private static void AssertTrimmed(string path, int pages)
    {
        var (size, allocated) = DiskUsage.Stat(path);
        Assert.Equal(pages * (long)Pages.Size, size);
        Assert.True(allocated <= pages * (long)Pages.Size + Slack, $"{allocated} bytes still allocated");
    }

    private static void AssertPages(string path, int pages)
    {
        using var file = MappedFile.Open(path);
        Assert.Equal(pages * (long)Pages.Size, file.Length);
        var page = new byte[Pages.Size];
        for (var i = 0; i < pages; i++)
        {
            file.Read(i * (long)Pages.Size, page);
            Assert.True(Pages.Verify(page, i * (long)Pages.Size), $"page {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Dispose_gives_back_the_disk_allocated_past_the_published_length(GrowthStrategy strategy)
    {
        var path = _dir.File("a.dat");
        var io = new FaultyFileIO();
        var file = MappedFile.Create(path, new MappedFileOptions { Strategy = strategy, IO = io });
        for (var i = 0; i < 3; i++)
        {
            file.Append(Pages.Make(i * (long)Pages.Size));
        }
        // The first growth allocated a whole 1 MiB granule ahead.
        Assert.True(DiskUsage.AllocatedBytes(path) >= MappedFileOptions.DefaultAllocationBytes);

        file.Dispose();

        Assert.Equal(1, io.TruncateCalls);
        AssertTrimmed(path, 3);
        AssertPages(path, 3);
    }

    [Fact]
    public void Dispose_does_not_truncate_when_nothing_was_allocated_ahead()
    {
        var path = _dir.File("a.dat");
        var io = new FaultyFileIO();
        // Three bytes in 1-byte granules: a quarter ahead of 3 rounds to nothing.
        var file = MappedFile.Create(path, new MappedFileOptions { IO = io, AllocationBytes = 1 });
        file.Append([1, 2, 3]);
        file.Dispose();
        Assert.Equal(0, io.TruncateCalls);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void Open_gives_back_space_that_a_handle_which_was_never_disposed_left_past_the_end()
    {
        var path = _dir.File("a.dat");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            for (var i = 0; i < 2; i++)
            {
                stream.Write(Pages.Make(i * (long)Pages.Size));
            }
        }
        // What a crashed writer leaves: blocks allocated past the end, the size unchanged.
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var fd = (int)handle.DangerousGetHandle();
            Assert.Equal(0, PosixFileIO.Instance.Allocate(fd, 2 * Pages.Size, 4 << 20));
        }
        Assert.True(DiskUsage.AllocatedBytes(path) >= 4 << 20);

        var io = new FaultyFileIO();
        using (var file = MappedFile.Open(path, new MappedFileOptions { IO = io }))
        {
            Assert.Equal(1, io.TruncateCalls);
            Assert.Equal(2L * Pages.Size, file.Length);
            AssertTrimmed(path, 2);
        }
        AssertPages(path, 2);
    }

    [Fact]
    public void Open_leaves_a_file_without_space_past_its_end_alone()
    {
        var path = _dir.File("a.dat");
        File.WriteAllBytes(path, Pages.Make(0));
        var before = File.GetLastWriteTimeUtc(path);
        var io = new FaultyFileIO();
        using (var file = MappedFile.Open(path, new MappedFileOptions { IO = io }))
        {
            Assert.Equal(Pages.Size, file.Length);
        }
        Assert.Equal(0, io.TruncateCalls);
        Assert.Equal(before, File.GetLastWriteTimeUtc(path));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void A_failed_truncate_at_dispose_still_closes_and_unlocks_and_the_next_open_gives_the_space_back(GrowthStrategy strategy)
    {
        var path = _dir.File("a.dat");
        var io = new FaultyFileIO();
        var file = MappedFile.Create(path, new MappedFileOptions { Strategy = strategy, IO = io });
        file.Append(Pages.Make(0));
        file.Append(Pages.Make(Pages.Size));
        io.TruncateErrno = EIO;

        var error = Assert.Throws<NativeIOException>(file.Dispose);
        Assert.Equal("ftruncate", error.Operation);
        Assert.Equal(EIO, error.Errno);
        Assert.Contains(path, error.Message);
        Assert.Throws<ObjectDisposedException>(() => file.Length);
        file.Dispose();
        Assert.True(DiskUsage.AllocatedBytes(path) >= MappedFileOptions.DefaultAllocationBytes);

        // Closed and unlocked: the next open succeeds, and gives the space back.
        using (var reopened = MappedFile.Open(path))
        {
            Assert.Equal(2L * Pages.Size, reopened.Length);
            Assert.True(DiskUsage.AllocatedBytes(path) <= 2L * Pages.Size + Slack);
        }
        AssertPages(path, 2);
    }
}

using System.Diagnostics;

namespace Bitfuse.Storage.Tests;

public sealed class FileLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_second_handle_is_refused_while_the_file_is_open()
    {
        var path = _dir.File("a.dat");
        using (var file = MappedFile.Create(path))
        {
            file.Append([1, 2, 3]);
            var error = Assert.Throws<NativeIOException>(() => MappedFile.Open(path));
            Assert.Equal("flock", error.Operation);
            Assert.Contains(path, error.Message);
            Assert.Contains("already open", error.Message);
            Assert.Throws<NativeIOException>(() => MappedFile.Open(path, new MappedFileOptions { Strategy = GrowthStrategy.UseCount }));
        }
        using var reopened = MappedFile.Open(path);
        Assert.Equal(3, reopened.Length);
    }

    [Fact]
    public void Another_process_cannot_lock_the_file_while_it_is_open()
    {
        var path = _dir.File("a.dat");
        using (var file = MappedFile.Create(path))
        {
            Assert.Equal(1, TryLockInAnotherProcess(path));
        }
        Assert.Equal(0, TryLockInAnotherProcess(path));
    }

    [Fact]
    public void A_file_locked_by_another_process_is_refused()
    {
        var path = _dir.File("a.dat");
        File.WriteAllBytes(path, [1]);
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", path, "-c", "echo locked; sleep 30"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());
            var error = Assert.Throws<NativeIOException>(() => MappedFile.Open(path));
            Assert.Equal("flock", error.Operation);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }
    }

    /// <summary>Runs flock(1) non-blocking on <paramref name="path"/>: 0 when it got the lock, 1 when the lock is held.</summary>
    private static int TryLockInAnotherProcess(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("flock", ["-n", "-x", path, "-c", "true"]))!;
        process.WaitForExit();
        return process.ExitCode;
    }
}

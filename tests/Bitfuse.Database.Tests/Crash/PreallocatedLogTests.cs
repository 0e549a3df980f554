namespace Bitfuse.Persistence.Tests.Crash;

/// <summary>
/// The log is extended with zeros ahead of its records (WriteAheadLog L5). Recovery must read a zero remainder as
/// the end of a file's records, in the last file and in an earlier one, and still drop a record torn inside it.
/// </summary>
public sealed class PreallocatedLogTests
{
    [Fact]
    public void The_log_runs_ahead_of_its_records_with_zeros_and_reopens_at_its_last_record()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        long logBytes;
        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            for (var i = 0u; i < 20; i++)
            {
                Commit(db, tx => tx.Add("a", [i, 1000 + i]));
            }
            logBytes = db.Statistics.LogBytes;
        }
        var file = File.ReadAllBytes(LogFile(path));
        Assert.True(file.Length >= WriteAheadLog.PreallocateBytes, $"the log file is {file.Length} bytes");
        Assert.True(logBytes < file.Length);
        Assert.Equal(-1, file.AsSpan((int)logBytes).IndexOfAnyExcept((byte)0));

        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            Assert.Equal(0, db.Statistics.TornBytesDropped);
            Assert.Equal(logBytes, db.Statistics.LogBytes);
            Commit(db, tx => tx.Add("a", 5000u));
        }
        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        using (var snapshot = db.Snapshot())
        {
            Assert.Equal(0, db.Statistics.TornBytesDropped);
            uint[] expected = [.. Enumerable.Range(0, 20).Select(i => (uint)i), .. Enumerable.Range(1000, 20).Select(i => (uint)i), 5000u];
            Assert.Equal(expected.Order(), snapshot["a"].ToArray());
        }
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1500)]
    [InlineData(5000)]
    public void A_record_torn_inside_the_zero_tail_is_dropped_and_its_leftover_bytes_never_read_as_a_record(int keptBytes)
    {
        // A crash while a long record was written: its first bytes reached the disk, the rest of the preallocated
        // tail is still zeros. The record after recovery is shorter, so the torn one's bytes would follow it.
        using var folder = new TempFolder();
        var path = folder.Db();
        long logBytes;
        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            Commit(db, tx => tx.Add("a", [1u, 2u]));
            Commit(db, tx => tx.Add("b", [3u]));
            logBytes = db.Statistics.LogBytes;
        }
        var torn = LogRecord.Encode(3, [new WriteOp(WriteOpKind.Add, "c", Bitmap.FromValues([.. Enumerable.Range(0, 4000).Select(i => (uint)(i * 3))]))]);
        Assert.True(torn.Length > keptBytes);
        using (var stream = new FileStream(LogFile(path), FileMode.Open, FileAccess.Write))
        {
            stream.Position = logBytes;
            stream.Write(torn, 0, keptBytes);
        }

        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            // Torn bytes are counted to the last non-zero one (the zeros after it are the preallocated end).
            Assert.Equal(torn.AsSpan(0, keptBytes).LastIndexOfAnyExcept((byte)0) + 1, db.Statistics.TornBytesDropped);
            using (var snapshot = db.Snapshot())
            {
                Assert.False(snapshot.Contains("c"));
                Assert.Equal(2, snapshot.Count);
            }
            Commit(db, tx => tx.Add("d", 7u));
            Commit(db, tx => tx.Add("d", 8u));
        }
        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        using (var snapshot = db.Snapshot())
        {
            Assert.Equal(0, db.Statistics.TornBytesDropped);
            Assert.Equal(["a", "b", "d"], snapshot.Names.ToArray());
            Assert.Equal([7u, 8u], snapshot["d"].ToArray());
            Assert.Equal(4, snapshot.Lsn);
        }
    }

    [Fact]
    public void A_checkpoint_stopped_before_its_meta_replays_the_zero_tailed_old_log_then_the_new_one()
    {
        // The old log is then not the last file, and its zero tail must end its records, not read as corruption.
        using var folder = new TempFolder();
        var path = folder.Db();
        var options = new DatabaseOptions
        {
            CheckpointLogBytes = 0,
            CrashPoint = point =>
            {
                if (point == "checkpoint.before-meta")
                {
                    throw new IOException("stopped before the meta");
                }
            },
        };
        using (var db = Database.Open(path, options))
        {
            Commit(db, tx => tx.Add("a", [1u, 2u, 3u]));
            Commit(db, tx => tx.Remove("a", 2u));
            Assert.Throws<DatabaseFailedException>(db.Checkpoint);
        }
        Assert.Equal(2, Directory.GetFiles(path, "log-*").Length);
        Assert.True(new FileInfo(WriteAheadLog.PathOf(path, 1)).Length >= WriteAheadLog.PreallocateBytes);
        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            using (var snapshot = db.Snapshot())
            {
                Assert.Equal([1u, 3u], snapshot["a"].ToArray());
            }
            Commit(db, tx => tx.Add("a", 9u));
        }
        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        using (var snapshot = db.Snapshot())
        {
            Assert.Equal([1u, 3u, 9u], snapshot["a"].ToArray());
            Assert.Equal(3, snapshot.Lsn);
        }
    }

    private static string LogFile(string path) => Assert.Single(Directory.GetFiles(path, "log-*"));

    private static void Commit(Database db, Action<WriteTransaction> change)
    {
        using var tx = db.BeginWrite();
        change(tx);
        tx.Commit();
    }
}

using System.Buffers.Binary;
using Bitfuse.Persistence.Tests.Crash;

namespace Bitfuse.Persistence.Tests;

/// <summary>Failures the crash harness found, each kept as a focused regression test.</summary>
public sealed class CrashRegressionTests
{
    [Fact]
    public void A_checkpoint_that_cannot_create_its_new_log_stops_the_handle_and_loses_no_commit()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        var io = new FaultyDatabaseIO(1);
        using (var database = Database.Open(path, new DatabaseOptions { IO = io, CheckpointLogBytes = 0 }))
        {
            for (var i = 0u; i < 5; i++)
            {
                using var transaction = database.BeginWrite();
                transaction.Add("a", i);
                transaction.Commit();
            }
            io.Faults = call => call.Kind == IOCallKind.Open && call.Path.EndsWith("log-0000000002", StringComparison.Ordinal) ? new IOFault(IOFault.EIO) : null;
            var failure = Assert.Throws<DatabaseFailedException>(database.Checkpoint);
            Assert.Contains("log-0000000002", failure.Message, StringComparison.Ordinal);
            Assert.Throws<DatabaseFailedException>(() => database.BeginWrite());
        }
        using var reopened = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
        using var snapshot = reopened.Snapshot();
        Assert.Equal([0u, 1, 2, 3, 4], snapshot["a"].ToArray());
    }

    [Fact]
    public void A_torn_meta_write_in_the_first_checkpoint_of_a_new_database_leaves_the_first_meta_intact()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        var io = new FaultyDatabaseIO(1);
        using (var database = Database.Open(path, new DatabaseOptions { IO = io, CheckpointLogBytes = 0 }))
        {
            using (var transaction = database.BeginWrite())
            {
                transaction.Add("a", [1u, 2, 3]);
                transaction.Commit();
            }
            // The disk fills up in the middle of the meta page: half of it is written, then ENOSPC.
            var meta = 0;
            io.Faults = call => call.Kind == IOCallKind.Write && call.Path.EndsWith("/data", StringComparison.Ordinal) && call.Offset < 2 * 4096
                ? ++meta == 1 ? new IOFault(0, ShortWrite: true) : new IOFault(IOFault.ENOSPC)
                : null;
            Assert.Throws<DatabaseFailedException>(database.Checkpoint);
            Assert.True(meta >= 2, "the meta write was not reached");
        }
        using var reopened = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
        using var snapshot = reopened.Snapshot();
        Assert.Equal([1u, 2, 3], snapshot["a"].ToArray());
    }

    [Fact]
    public void A_checkpoint_whose_old_log_cannot_be_deleted_completes_and_the_next_checkpoint_removes_it()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        var io = new FaultyDatabaseIO(1);
        using var database = Database.Open(path, new DatabaseOptions { IO = io, CheckpointLogBytes = 0 });
        using (var transaction = database.BeginWrite())
        {
            transaction.Add("a", 1u);
            transaction.Commit();
        }
        io.Faults = call => call.Kind == IOCallKind.Delete ? new IOFault(IOFault.EIO) : null;
        database.Checkpoint();
        Assert.Equal(1, database.Statistics.Checkpoints);
        Assert.True(File.Exists(Path.Combine(path, "log-0000000001")));
        using (var transaction = database.BeginWrite())
        {
            transaction.Add("a", 2u);
            transaction.Commit();
        }
        io.Faults = null;
        database.Checkpoint();
        Assert.Equal(["log-0000000003"], Directory.GetFiles(path, "log-*").Select(f => Path.GetFileName(f)!).ToArray());
        using var snapshot = database.Snapshot();
        Assert.Equal([1u, 2], snapshot["a"].ToArray());
    }

    [Fact]
    public void A_directory_entry_pointing_past_the_file_is_reported_where_the_entry_lies_by_the_read_and_by_verify()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        using (var database = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            using (var transaction = database.BeginWrite())
            {
                transaction.Add("a", [1u, 2, 3]);
                transaction.Commit();
            }
            database.Checkpoint();
        }
        // Point the one entry ("a") far past the end, and seal the directory frame with fresh checksums.
        var dataPath = Path.Combine(path, "data");
        var bytes = File.ReadAllBytes(dataPath);
        var meta = MetaPage.TryDecode(bytes.AsSpan(0, MetaPage.EncodedBytes))!.Value;
        var header = bytes.AsSpan((int)meta.DirectoryOffset, DataFile.FrameHeaderBytes);
        var body = bytes.AsSpan((int)meta.DirectoryOffset + DataFile.FrameHeaderBytes, (int)BinaryPrimitives.ReadInt64LittleEndian(header[8..]));
        var entryFrame = 8 + 4 + 2 + 1; // count and a reserved word, the offset table, then "a"
        BinaryPrimitives.WriteInt64LittleEndian(body[entryFrame..], 1L << 30);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], Checksum.Of(body));
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], Checksum.Of(header[..24]));
        File.WriteAllBytes(dataPath, bytes);

        // Open reads no entry; the read that meets it and Verify report it.
        using var reopened = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
        using var snapshot = reopened.Snapshot();
        var error = Assert.Throws<DatabaseCorruptException>(() => snapshot["a"]);
        Assert.Equal(dataPath, error.FilePath);
        Assert.Equal(meta.DirectoryOffset + DataFile.FrameHeaderBytes + entryFrame, error.Offset);
        var problem = Assert.Single(reopened.Verify());
        Assert.Equal(error.Offset, problem.Offset);
    }
}

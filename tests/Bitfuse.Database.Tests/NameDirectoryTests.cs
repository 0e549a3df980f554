using System.Buffers.Binary;
using System.Text;

namespace Bitfuse.Persistence.Tests;

/// <summary>
/// The directory read in place: its byte order against <see cref="string.CompareOrdinal(string, string)"/>, lookups
/// against a sorted list, malformed entries behind a good checksum, the rebase of a checkpoint that commits overtake,
/// and the refusal of an older format.
/// </summary>
public sealed class NameDirectoryTests
{
    private static readonly string[] Alphabet = ["a", "b", "z", "~", "é", "ß", "\u0800", "\uD7FF", "\uE000", "\uFB01", "\uFFFD", "\uFFFF", "😀", "\U00010000", "\U0010FFFD", ":", "/"];

    private static string RandomName(Random random)
    {
        var builder = new StringBuilder();
        var length = random.Next(1, 6);
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }
        return builder.ToString();
    }

    [Fact]
    public void Byte_order_of_utf8_names_is_the_ordinal_order_of_the_strings()
    {
        var random = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var a = RandomName(random);
            var b = random.Next(4) == 0 ? a + RandomName(random) : RandomName(random);
            var expected = Math.Sign(string.CompareOrdinal(a, b));
            Assert.True(expected == Math.Sign(NameOrder.Compare(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b))), $"'{a}' vs '{b}'");
            Assert.Equal(-expected, Math.Sign(NameOrder.Compare(Encoding.UTF8.GetBytes(b), Encoding.UTF8.GetBytes(a))));
        }
    }

    [Fact]
    public void Lookups_over_the_mapped_directory_find_every_name_and_only_those()
    {
        using var folder = new TempFolder();
        var random = new Random(3);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        while (names.Count < 3000)
        {
            names.Add(RandomName(random));
        }
        var present = names.Where((_, i) => i % 3 != 0).ToList();
        using var file = DirectoryFile(folder, present.Select((n, i) => (n, 8192L + 64 * i, (long)i)).ToList(), out var offset);
        var directory = NameDirectory.Open(file, offset);
        directory.VerifyStructure();
        Assert.Equal(present.Count, directory.Count);
        for (var i = 0; i < present.Count; i++)
        {
            Assert.Equal(i, directory.IndexOf(present[i]));
            Assert.Equal(present[i], directory.NameAt(i));
            Assert.Equal(8192L + 64 * i, directory.FrameOffset(i));
            Assert.Equal(i, directory.Cardinality(i));
            Assert.Same(directory.Entry(i), directory.Entry(i));
        }
        foreach (var absent in names.Where((_, i) => i % 3 == 0).Append("\uD800x").Append(new string('a', 2000)))
        {
            Assert.Equal(-1, directory.IndexOf(absent));
        }
    }

    [Fact]
    public void A_malformed_directory_behind_a_good_checksum_is_corruption_never_a_wild_read()
    {
        using var folder = new TempFolder();
        (string, long, long)[] entries = [("a", 8192, 1), ("b", 8256, 2), ("c", 8320, 3)];

        // Out of order: lookups may miss, Verify names the entry.
        using (var file = DirectoryFile(folder, [entries[1], entries[0], entries[2]], out var offset, name: "order"))
        {
            var e = Assert.Throws<DatabaseCorruptException>(() => NameDirectory.Open(file, offset).VerifyStructure());
            Assert.Contains("entry 1 ('a') is out of order", e.Message, StringComparison.Ordinal);
        }

        // An entry offset past the body, a name length past the body, a frame where none can start.
        var cases = new (Action<byte[]> Spoil, string Problem)[]
        {
            (body => BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8 + 4), 1_000_000), "entry 1 is said to start at 1000000"),
            (body => BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(20 + 19), 60_000), "entry 1 has a 60000-byte name"),
            (body => BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(20 + 19 + 3), 8200), "entry 1 points at byte 8200"),
        };
        foreach (var (spoil, problem) in cases)
        {
            using var file = DirectoryFile(folder, entries, out var offset, spoil, name: problem[..8] + problem.Length);
            var directory = NameDirectory.Open(file, offset);
            var e = Assert.Throws<DatabaseCorruptException>(() =>
            {
                directory.IndexOf("b");
                directory.FrameOffset(1);
            });
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
            Assert.Throws<DatabaseCorruptException>(directory.VerifyStructure);
        }
    }

    [Fact]
    public void Commits_that_land_during_a_checkpoint_stay_changes_of_the_new_directory()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        var model = new SortedDictionary<string, SortedSet<uint>>(StringComparer.Ordinal);
        Database? db = null;
        var during = false;
        void Overtake(string point)
        {
            if (point != "checkpoint.after-frames" || during)
            {
                return;
            }
            during = true;
            using var tx = db!.BeginWrite();
            tx.Add("changed", [7]);               // changed before the fold and again after it
            tx.Delete("stored");                  // stored in the old directory and in the new one
            tx.Delete("logged");                  // only the log held it before the fold; the new directory does
            tx.Add("fresh", [9]);                 // new after the fold
            tx.Commit();
            model["changed"].Add(7);
            model.Remove("stored");
            model.Remove("logged");
            model["fresh"] = [9];
        }
        db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0, CrashPoint = Overtake });
        try
        {
            using (var tx = db.BeginWrite())
            {
                tx.Add("stored", [1]);
                tx.Add("kept", [2]);
                tx.Add("changed", [3]);
                tx.Commit();
            }
            model["stored"] = [1];
            model["kept"] = [2];
            model["changed"] = [3];
            during = true;
            db.Checkpoint();
            using (var tx = db.BeginWrite())
            {
                tx.Add("changed", [4]);
                tx.Add("logged", [5]);
                tx.Commit();
            }
            model["changed"].Add(4);
            model["logged"] = [5];

            during = false;
            db.Checkpoint(); // the commit of Overtake lands between its frames and its directory
            Assert.True(during);
            DatabaseModelTests.AssertMatches(db, model);
            Assert.Equal(2, db.Statistics.NamesInMemory); // 'changed' and 'fresh'; 'stored' and 'logged' are hidden marks
            Assert.Equal(model.Count, db.Statistics.Names);
            db.Checkpoint();
            DatabaseModelTests.AssertMatches(db, model);
            Assert.Equal(0, db.Statistics.NamesInMemory);
            Assert.Empty(db.Verify());
        }
        finally
        {
            db.Dispose();
        }
        using var reopened = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
        DatabaseModelTests.AssertMatches(reopened, model);
    }

    [Fact]
    public void A_name_deleted_and_made_again_in_one_transaction_starts_empty_whether_stored_or_only_logged()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            using (var tx = db.BeginWrite())
            {
                tx.Add("stored", [1, 2, 3]);
                tx.Commit();
            }
            db.Checkpoint();
            using (var tx = db.BeginWrite())
            {
                tx.Add("logged", [4, 5, 6]);
                tx.Commit();
            }
            using (var tx = db.BeginWrite())
            {
                tx.Delete("stored");
                tx.Add("stored", [7]);
                tx.Delete("logged");
                tx.Add("logged", [8]);
                tx.Commit();
            }
            using var snapshot = db.Snapshot();
            Assert.Equal([7u], snapshot["stored"].ToArray());
            Assert.Equal([8u], snapshot["logged"].ToArray());
        }
        // The same records replayed by recovery.
        using var reopened = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
        using var again = reopened.Snapshot();
        Assert.Equal([7u], again["stored"].ToArray());
        Assert.Equal([8u], again["logged"].ToArray());
        Assert.Equal(["logged", "stored"], again.Names.ToArray());
    }

    [Fact]
    public void A_file_of_the_previous_format_is_refused_by_name_and_version()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        using (var db = Database.Open(path))
        {
            using var tx = db.BeginWrite();
            tx.Add("a", [1]);
            tx.Commit();
            db.Checkpoint();
        }
        var data = Path.Combine(path, "data");
        var bytes = File.ReadAllBytes(data);
        for (var slot = 0; slot < 2; slot++)
        {
            var page = bytes.AsSpan(slot * MetaPage.SlotBytes, MetaPage.EncodedBytes);
            if (BinaryPrimitives.ReadUInt64LittleEndian(page) == MetaPage.Magic)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(page[8..], 1);
                BinaryPrimitives.WriteUInt64LittleEndian(page[120..], Checksum.Of(page[..120]));
            }
        }
        File.WriteAllBytes(data, bytes);
        var e = Assert.Throws<NotSupportedException>(() => Database.Open(path));
        Assert.Contains($"'{data}' is in database format 1; this build reads format {MetaPage.FormatVersion}", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A data file holding one directory frame of <paramref name="entries"/> (encoded as given, then spoiled).</summary>
    private static DataFile DirectoryFile(TempFolder folder, IReadOnlyList<(string, long, long)> entries, out long offset, Action<byte[]>? spoil = null, string name = "dir")
    {
        var path = Path.Combine(folder.Path, name + ".data");
        DataFile.CreateEmpty(path, DatabaseIO.Real);
        var file = DataFile.Open(path, DatabaseIO.Real);
        var last = entries.Max(e => e.Item2);
        // Frames up to the directory, so every entry's frame offset lies where a frame can start.
        while (file.End <= last)
        {
            file.AppendFrame(FrameKind.Bitmap, new byte[1]);
        }
        var body = NameDirectory.Encode(entries);
        spoil?.Invoke(body);
        offset = file.AppendFrame(FrameKind.Directory, body);
        return file;
    }
}

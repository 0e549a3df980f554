using System.Buffers.Binary;
using Bitfuse.Persistence.Crash;
using Xunit.Abstractions;

namespace Bitfuse.Persistence.Tests.Crash;

/// <summary>
/// Bad bytes on disk: single bit flips and byte changes across the data file (meta pages, frame headers,
/// bodies, the directory) and the logs (headers, record headers, bodies), truncation of the logs at every record
/// boundary and of the data file at every frame boundary, and changes sealed with fresh checksums (which only
/// the structural checks can catch). Each open and read either fails with a DatabaseCorruptException naming a
/// file of the database and an offset inside it, or succeeds with a state that is a prefix of the commits
/// (recovery dropped a torn tail) — never another exception, a hang or a wrong answer.
/// </summary>
public sealed class CorruptionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static TheoryData<int> Seeds => CrashSettings.Seeds(1);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Every_flip_and_truncation_is_a_typed_error_or_a_prefix_of_the_commits(int seed)
    {
        using var folder = new TempFolder();
        var pristine = Path.Combine(folder.Path, "pristine");
        var states = MakeDatabase(pristine, seed);
        var random = new Random(seed);
        var data = File.ReadAllBytes(Path.Combine(pristine, "data"));
        var frames = Frames(data);
        var logs = Directory.GetFiles(pristine, "log-*").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.True(frames.Count >= 4, $"only {frames.Count} frames");
        Assert.NotEmpty(logs);

        var cases = new List<Mutation>();
        // The data file: every byte of both meta pages, every checked byte of the first frames' headers and a
        // few of each later one, and random places anywhere.
        for (var at = 0; at < MetaPage.EncodedBytes; at++)
        {
            cases.Add(Mutation.Flip("data", at, random.Next(8)));
            cases.Add(Mutation.Flip("data", MetaPage.SlotBytes + at, random.Next(8)));
        }
        for (var f = 0; f < frames.Count; f++)
        {
            for (var at = 0; at < 32; at++)
            {
                if (f < 3 || frames[f].Kind == FrameKind.Directory || random.Next(4) == 0)
                {
                    cases.Add(Mutation.Flip("data", frames[f].Offset + at, random.Next(8)));
                }
            }
        }
        for (var i = 0; i < 80; i++)
        {
            cases.Add(Mutation.Flip("data", random.Next(data.Length), random.Next(8)));
            cases.Add(Mutation.Set("data", random.Next(data.Length), (byte)random.Next(256)));
        }
        // The data file cut at every frame boundary, and inside the meta pages.
        foreach (var (offset, _, _) in frames)
        {
            cases.Add(Mutation.Cut("data", offset));
            cases.Add(Mutation.Cut("data", offset + 1));
        }
        cases.Add(Mutation.Cut("data", 0));
        cases.Add(Mutation.Cut("data", MetaPage.SlotBytes));
        // Each log: every header byte, every record header byte, random body bytes, a cut at every record boundary.
        foreach (var log in logs)
        {
            var bytes = File.ReadAllBytes(Path.Combine(pristine, log));
            for (var at = 0; at < Math.Min(bytes.Length, WriteAheadLog.HeaderBytes); at++)
            {
                cases.Add(Mutation.Flip(log, at, random.Next(8)));
            }
            cases.Add(Mutation.Cut(log, 0));
            foreach (var (offset, length) in Records(bytes))
            {
                for (var at = 0; at < LogRecord.HeaderBytes; at++)
                {
                    cases.Add(Mutation.Flip(log, offset + at, random.Next(8)));
                }
                cases.Add(Mutation.Flip(log, offset + LogRecord.HeaderBytes + random.Next(length - LogRecord.HeaderBytes), random.Next(8)));
                cases.Add(Mutation.Set(log, offset + LogRecord.HeaderBytes + random.Next(length - LogRecord.HeaderBytes), (byte)random.Next(256)));
                cases.Add(Mutation.Cut(log, offset));
                cases.Add(Mutation.Cut(log, offset + 1 + random.Next(length - 1)));
                cases.Add(Mutation.Resealed(log, offset, length, random.Next()));
            }
            // The preallocated zeros after the records: bytes set at random, and a cut inside them.
            var end = Records(bytes) is { Count: > 0 } all ? all[^1].Offset + all[^1].Length : WriteAheadLog.HeaderBytes;
            if (end < bytes.Length)
            {
                for (var i = 0; i < 4; i++)
                {
                    cases.Add(Mutation.Set(log, end + random.Next(Math.Min(bytes.Length - end, 4096)), (byte)random.Next(1, 256)));
                }
                cases.Add(Mutation.Cut(log, end + 1 + random.Next(bytes.Length - end - 1)));
            }
        }
        // Bitmap and directory bodies changed and sealed again: only the structural checks stand in the way.
        foreach (var frame in frames)
        {
            for (var i = 0; i < 3; i++)
            {
                cases.Add(Mutation.ResealedFrame(frame.Offset, frame.BodyLength, random.Next()));
            }
        }

        var work = Path.Combine(folder.Path, "work");
        var errors = 0;
        foreach (var mutation in cases)
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
            CrashCase.CopyFolder(pristine, work);
            mutation.Apply(work);
            var check = Task.Run(() => Check(work, states, mutation));
            var problem = await Task.WhenAny(check, Task.Delay(Limit)) == check ? await check : $"opening or reading did not finish within {Limit.TotalSeconds} s";
            if (problem == Typed)
            {
                errors++;
                continue;
            }
            if (problem is not null)
            {
                var kept = CrashCase.Keep("corruption", seed, mutation.ToString(), problem, work, pristine, states);
                Assert.Fail(CrashCase.Describe(kept, seed, $"{mutation}: {problem}"));
            }
        }
        output.WriteLine($"{cases.Count} mutations: {errors} typed errors, {cases.Count - errors} opens that matched a prefix of the commits");
        // The corruptions were seen: many of them gave a typed error.
        Assert.True(errors > cases.Count / 3, $"only {errors} of {cases.Count} corruptions gave a DatabaseCorruptException");
    }

    private const string Typed = "typed";

    /// <summary>Opens and reads everything; returns null (a prefix), <see cref="Typed"/> (a proper corruption error) or the problem.</summary>
    private static string? Check(string path, List<ModelState> states, Mutation mutation)
    {
        try
        {
            using var database = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0, CreateIfMissing = false });
            var problems = database.Verify();
            foreach (var problem in problems)
            {
                if (Misplaced(problem, path) is { } bad)
                {
                    return bad;
                }
            }
            using var snapshot = database.Snapshot();
            if (snapshot.Lsn < 0 || snapshot.Lsn >= states.Count)
            {
                return $"the database opened at LSN {snapshot.Lsn}, past the {states.Count - 1} commits";
            }
            var difference = states[(int)snapshot.Lsn].DifferenceFrom(snapshot);
            if (problems.Count > 0)
            {
                return Typed;
            }
            // A change sealed with a fresh checksum may be a valid, different bitmap: nothing can tell.
            return difference is null || mutation.Sealed ? null : $"a wrong answer at LSN {snapshot.Lsn}: {difference}";
        }
        catch (DatabaseCorruptException e)
        {
            return Misplaced(e, path) ?? Typed;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name} instead of a DatabaseCorruptException: {e}";
        }
    }

    private static string? Misplaced(DatabaseCorruptException e, string path)
    {
        if (!e.FilePath.StartsWith(path, StringComparison.Ordinal) || !e.Message.Contains(e.FilePath, StringComparison.Ordinal))
        {
            return $"the error names '{e.FilePath}', not a file of the database: {e.Message}";
        }
        var length = File.Exists(e.FilePath) ? new FileInfo(e.FilePath).Length : 0;
        return e.Offset < 0 || e.Offset > Math.Max(length, 0) ? $"the error's offset {e.Offset} lies outside the file ({length} bytes): {e.Message}" : null;
    }

    /// <summary>A database with two checkpoints and commits after the last; returns the state after each commit (index = LSN).</summary>
    private static List<ModelState> MakeDatabase(string path, int seed)
    {
        var steps = Workload.Transactions(Workload.Generate(seed, 14));
        var states = new ModelState().Through(steps);
        using var database = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
        for (var i = 0; i < steps.Count; i++)
        {
            Workload.Commit(database, steps[i]);
            if (i is 4 or 9)
            {
                database.Checkpoint();
            }
        }
        return states;
    }

    /// <summary>The frames of a data file up to its current meta's data end: offset, body length, kind.</summary>
    private static List<(long Offset, long BodyLength, FrameKind Kind)> Frames(byte[] data)
    {
        var a = MetaPage.TryDecode(data.AsSpan(0, MetaPage.EncodedBytes));
        var b = MetaPage.TryDecode(data.AsSpan(MetaPage.SlotBytes, MetaPage.EncodedBytes));
        var meta = a is null ? b : b is null ? a : b.Value.Generation > a.Value.Generation ? b : a;
        var end = meta!.Value.DataEnd;
        var frames = new List<(long, long, FrameKind)>();
        for (long at = 2 * MetaPage.SlotBytes; at < end;)
        {
            var length = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan((int)at + 8));
            frames.Add((at, length, (FrameKind)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)at + 4))));
            at = (at + DataFile.FrameHeaderBytes + length + 63) & ~63L;
        }
        return frames;
    }

    /// <summary>The records of a log file: offset and whole length (up to the zeros of its preallocated end).</summary>
    private static List<(int Offset, int Length)> Records(byte[] log)
    {
        var records = new List<(int, int)>();
        for (var at = WriteAheadLog.HeaderBytes; at + LogRecord.HeaderBytes <= log.Length && BinaryPrimitives.ReadUInt32LittleEndian(log.AsSpan(at + 4)) == LogRecord.Magic;)
        {
            var length = LogRecord.HeaderBytes + (int)BinaryPrimitives.ReadUInt32LittleEndian(log.AsSpan(at));
            records.Add((at, length));
            at += length;
        }
        return records;
    }

    /// <summary>One change to one file of the database.</summary>
    private sealed record Mutation(string File, string What, Action<string> Change, bool Sealed = false)
    {
        public static Mutation Flip(string file, long at, int bit) =>
            new(file, $"bit {bit} of byte {at} flipped", p => Edit(p, file, bytes => bytes[at] ^= (byte)(1 << bit)));

        public static Mutation Set(string file, long at, byte value) =>
            new(file, $"byte {at} set to {value}", p => Edit(p, file, bytes => bytes[at] = value));

        public static Mutation Cut(string file, long length) =>
            new(file, $"cut to {length} bytes", p =>
            {
                using var stream = new FileStream(Path.Combine(p, file), FileMode.Open);
                stream.SetLength(Math.Min(length, stream.Length));
            });

        /// <summary>A byte of a log record's body changed, and the record's checksum made to match again.</summary>
        public static Mutation Resealed(string file, int offset, int length, int seed) =>
            new(file, $"record at {offset} changed (seed {seed}) and resealed", p => Edit(p, file, bytes =>
            {
                var random = new Random(seed);
                bytes[offset + LogRecord.HeaderBytes + random.Next(length - LogRecord.HeaderBytes)] ^= (byte)random.Next(1, 256);
                var record = bytes.AsSpan(offset, length);
                BinaryPrimitives.WriteUInt64LittleEndian(record[16..], Checksum.Of(record[8..16], record[LogRecord.HeaderBytes..]));
            }), Sealed: true);

        /// <summary>A byte of a frame's body changed, and the frame's checksums made to match again.</summary>
        public static Mutation ResealedFrame(long offset, long bodyLength, int seed) =>
            new("data", $"frame at {offset} changed (seed {seed}) and resealed", p => Edit(p, "data", bytes =>
            {
                var random = new Random(seed);
                var body = bytes.AsSpan((int)offset + DataFile.FrameHeaderBytes, (int)bodyLength);
                body[random.Next(body.Length)] ^= (byte)random.Next(1, 256);
                var header = bytes.AsSpan((int)offset, DataFile.FrameHeaderBytes);
                BinaryPrimitives.WriteUInt64LittleEndian(header[16..], Checksum.Of(body));
                BinaryPrimitives.WriteUInt64LittleEndian(header[24..], Checksum.Of(header[..24]));
            }), Sealed: true);

        public void Apply(string path) => Change(path);

        public override string ToString() => $"{File}: {What}";

        private static void Edit(string path, string file, Action<byte[]> edit)
        {
            var full = Path.Combine(path, file);
            var bytes = System.IO.File.ReadAllBytes(full);
            edit(bytes);
            System.IO.File.WriteAllBytes(full, bytes);
        }
    }
}

namespace Bitfuse.Persistence;

/// <summary>
/// Recovery's reading of the log: every log file from the checkpoint's on, in order, record by record, each
/// handed to the caller, checking LSN continuity. A record that fails its checks at the end of the last file
/// is a torn tail (a write that a crash cut short) and is dropped; a bad record with a valid next record after
/// it, or in any earlier file, is corruption. Where only zeros remain in a file, its records end (the log
/// extends its files with zeros ahead of the records: WriteAheadLog L5).
/// </summary>
internal static class LogReplay
{
    /// <summary>What replay found: where appending continues, and what it dropped.</summary>
    public readonly record struct Outcome(long LastLsn, long LogNumber, long ValidEnd, long TornBytes, int Records);

    /// <summary>
    /// Replays the log files of <paramref name="directory"/> numbered from <paramref name="firstNumber"/> on,
    /// calling <paramref name="apply"/> for each record after <paramref name="checkpointLsn"/>.
    /// </summary>
    /// <exception cref="DatabaseCorruptException">A record or file header is corrupt (not a torn tail).</exception>
    public static Outcome Run(string directory, long firstNumber, long checkpointLsn, Action<long, List<WriteOp>> apply)
    {
        var numbers = WriteAheadLog.List(directory).Where(n => n >= firstNumber).ToList();
        var expected = checkpointLsn + 1;
        if (numbers.Count == 0)
        {
            return new Outcome(checkpointLsn, firstNumber, -1, 0, 0);
        }
        if (numbers[0] != firstNumber || numbers[^1] - numbers[0] != numbers.Count - 1)
        {
            var missing = numbers[0] != firstNumber ? firstNumber : numbers.Zip(numbers.Skip(1)).First(p => p.Second != p.First + 1).First + 1;
            throw new DatabaseCorruptException(WriteAheadLog.PathOf(directory, missing), 0, "this log file is missing from the sequence");
        }
        var records = 0;
        for (var f = 0; f < numbers.Count; f++)
        {
            var path = WriteAheadLog.PathOf(directory, numbers[f]);
            var bytes = File.ReadAllBytes(path);
            var last = f == numbers.Count - 1;
            if (!WriteAheadLog.HasHeader(bytes, numbers[f]))
            {
                if (last && !AnyRecordAfter(bytes, 0, expected))
                {
                    // The file was being created when the process stopped: nothing in it was acknowledged.
                    return new Outcome(expected - 1, numbers[f], -1, bytes.Length, records);
                }
                throw new DatabaseCorruptException(path, 0, "the log file header is corrupt");
            }
            var at = WriteAheadLog.HeaderBytes;
            while (at < bytes.Length)
            {
                var length = LogRecord.TryFrame(bytes, at, expected);
                if (length == 0)
                {
                    // The torn bytes are those up to the last non-zero one: the zeros after are the file's preallocated end.
                    var torn = bytes.AsSpan(at).LastIndexOfAnyExcept((byte)0) + 1;
                    if (torn == 0)
                    {
                        break;
                    }
                    if (last && !AnyRecordAfter(bytes, at + 1, expected))
                    {
                        return new Outcome(expected - 1, numbers[f], at, torn, records);
                    }
                    var lsn = LogRecord.LsnAt(bytes, at);
                    throw new DatabaseCorruptException(path, at, lsn == expected || !last
                        ? $"log record {expected} fails its checks"
                        : $"a record was expected to carry LSN {expected} here, the bytes say {lsn}");
                }
                List<WriteOp> ops;
                try
                {
                    ops = LogRecord.Decode(bytes.AsSpan(at + LogRecord.HeaderBytes, length - LogRecord.HeaderBytes), at + LogRecord.HeaderBytes);
                }
                catch (InvalidDataException e)
                {
                    var offset = e.Data["Offset"] is long o ? o : at;
                    throw new DatabaseCorruptException(path, offset, e.Message, e);
                }
                try
                {
                    apply(expected, ops);
                }
                finally
                {
                    foreach (var op in ops)
                    {
                        op.Operand?.Dispose();
                    }
                }
                records++;
                expected++;
                at += length;
            }
            if (last)
            {
                return new Outcome(expected - 1, numbers[f], at, 0, records);
            }
        }
        throw new InvalidOperationException("unreachable: the last log file returns");
    }

    /// <summary>True when a valid record with LSN <paramref name="lsn"/> starts anywhere at or after <paramref name="from"/>.</summary>
    private static bool AnyRecordAfter(byte[] bytes, int from, long lsn)
    {
        for (var at = from; at <= bytes.Length - LogRecord.HeaderBytes; at++)
        {
            if (LogRecord.LsnAt(bytes, at) == lsn && LogRecord.TryFrame(bytes, at, lsn) > 0)
            {
                return true;
            }
        }
        return false;
    }
}

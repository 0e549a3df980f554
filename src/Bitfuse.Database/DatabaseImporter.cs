using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Bitfuse.Fields;
using Bitfuse.Persistence;

namespace Bitfuse;

/// <summary>
/// Loads named bitmaps into a <see cref="Database"/> from files: a folder of data sets in the real-data layout
/// (one <c>.txt</c> file of comma-separated values per bitmap, named after the file), a CSV of <c>name,value</c>
/// lines, or a folder of Roaring portable files (one per name). Values are added to the named bitmaps (created
/// when new), and the import ends with a checkpoint, so what it reports on disk is the data file's size.
/// </summary>
/// <remarks>
/// The whole input is read and checked before anything is committed: a bad line, a bad file or a bad name stops
/// the import with an <see cref="InvalidDataException"/> naming the file (and line) and nothing of it is committed.
/// The checked bitmaps are then committed in transactions of about <see cref="TransactionBytes"/> each (a log
/// record has a size limit). Should a commit fail after others succeeded (an I/O error), the exception says
/// how many names were committed; those keep their values.
/// </remarks>
public sealed class DatabaseImporter
{
    private const int MaxLineBytes = 1 << 16;
    private readonly Database _database;

    /// <summary>An importer into <paramref name="database"/>.</summary>
    public DatabaseImporter(Database database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>Called as the import goes (from the importing thread).</summary>
    public Action<ImportProgress>? Progress { get; init; }

    /// <summary>About how many serialized bytes one transaction carries (default 64 MiB).</summary>
    public long TransactionBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Imports every <c>.txt</c> bitmap of <paramref name="folder"/>: a data-set folder, or a folder of data-set
    /// folders (each sub-folder holding <c>.txt</c> files). A file <c>census1881.csv12.txt</c> becomes the bitmap
    /// <c>census1881.csv12</c>, as <see cref="BitmapSet.LoadFolder"/> names it.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">It holds no bitmaps, or a file is not in the text form (the message names it).</exception>
    public ImportSummary ImportDataSets(string folder)
    {
        var files = DataSetFiles(folder);
        return Run(files, file => [(Path.GetFileNameWithoutExtension(file), BitmapText.Load(file))]);
    }

    /// <summary>
    /// Imports a CSV file of <c>name,value</c> lines (UTF-8; the name is everything before the last comma, or a quoted
    /// field — <c>"a,""b"""</c> is the name <c>a,"b"</c> — and the value an unsigned 32-bit decimal, quoted or not). Empty
    /// lines are skipped, and so is a first line reading <c>name,value</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is malformed (the message names the file and the line number).</exception>
    public ImportSummary ImportCsv(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No CSV file at '{path}'.", path);
        }
        return Run([path], ReadCsv);
    }

    /// <summary>
    /// Imports every Roaring portable file (<c>.roaring</c> or <c>.bin</c>) of <paramref name="folder"/>, one bitmap
    /// per file, named by <see cref="BitmapFileName.Decode"/> of the file name without its extension.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is not a valid Roaring portable file (the message names it).</exception>
    public ImportSummary ImportRoaringFiles(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No folder at '{folder}'.");
        }
        var files = Directory.GetFiles(folder)
            .Where(f => f.EndsWith(BitmapFileName.RoaringExtension, StringComparison.OrdinalIgnoreCase) || f.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new InvalidDataException($"The folder '{folder}' holds no Roaring files (.roaring or .bin).");
        }
        return Run(files, file =>
        {
            string name;
            try
            {
                name = BitmapFileName.Decode(Path.GetFileNameWithoutExtension(file));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"'{file}': {e.Message}", e);
            }
            try
            {
                return [(name, Bitmap.DeserializeFile(file))];
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{file}' is not a Roaring portable file: {e.Message}", e);
            }
        });
    }

    /// <summary>The <c>.txt</c> files of a data-set folder or of the data-set folders in it, in ordinal order.</summary>
    public static IReadOnlyList<string> DataSetFiles(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No data-set folder at '{folder}'.");
        }
        var files = Directory.GetFiles(folder, "*.txt").ToList();
        if (files.Count == 0)
        {
            foreach (var set in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
            {
                files.AddRange(Directory.GetFiles(set, "*.txt"));
            }
        }
        if (files.Count == 0)
        {
            throw new InvalidDataException($"The folder '{folder}' holds no .txt bitmaps, neither itself nor in its sub-folders.");
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// Imports a CSV table with typed columns as fields, read by <see cref="CsvImport.Load"/> (the same reader as
    /// <c>bitfuse query --csv</c>): the header names the columns, line <i>n</i> is column id <i>n</i> − 2, and each typed
    /// CSV column becomes a field of the same name under the <see cref="FieldNames"/> convention, so queries and
    /// aggregates over a snapshot see the fields as over the in-memory <see cref="FieldSet"/>.
    /// </summary>
    /// <param name="path">The CSV file, header first.</param>
    /// <param name="columns">The kind of each CSV column to import, by header name.</param>
    /// <exception cref="InvalidDataException">A bad line or cell (the message names the file and line), or the database already holds one of the fields.</exception>
    public ImportSummary ImportTable(string path, IReadOnlyDictionary<string, FieldKind> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No CSV file at '{path}'.", path);
        }
        var started = Stopwatch.GetTimestamp();
        var inputBytes = new FileInfo(path).Length;
        Progress?.Invoke(new ImportProgress(ImportStage.Reading, 0, inputBytes));
        using var fields = new FieldSet();
        try
        {
            using var reader = new StreamReader(path);
            CsvImport.Load(reader, fields, columns);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}': {e.Message}; nothing of this import was committed.", e);
        }
        Progress?.Invoke(new ImportProgress(ImportStage.Reading, inputBytes, inputBytes));
        CheckNewFields(fields);
        var (taken, order) = Take(fields, copy: false);
        return Store(taken, order, inputBytes, started);
    }

    /// <summary>
    /// Stores the bitmaps of <paramref name="fields"/> (copies; the set keeps its own) under their
    /// <see cref="FieldNames"/> names, so queries and aggregates over a snapshot see the same fields.
    /// </summary>
    /// <exception cref="InvalidDataException">The database already holds one of the fields (nothing is committed).</exception>
    public ImportSummary ImportFields(FieldSet fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var started = Stopwatch.GetTimestamp();
        CheckNewFields(fields);
        var (copies, order) = Take(fields, copy: true);
        return Store(copies, order, 0, started);
    }

    /// <summary>
    /// A table import makes new fields: values of an existing int field are offsets from its own minimum, and the
    /// table's column ids start again at 0, so merging into a stored field would corrupt it.
    /// </summary>
    private void CheckNewFields(FieldSet fields)
    {
        using var snapshot = _database.Snapshot();
        foreach (var field in fields.Fields)
        {
            var rows = FieldNames.RowPrefix(field.Name);
            var internals = field.Name + "@";
            foreach (var name in snapshot.Names)
            {
                if (name == field.Name || name.StartsWith(rows, StringComparison.Ordinal) || name.StartsWith(internals, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"The database already holds field '{field.Name}' (bitmap '{name}'); a table import makes new fields. Nothing of this import was committed.");
                }
            }
        }
    }

    /// <summary>
    /// The bitmaps of <paramref name="fields"/> by name: copies, or the bitmaps themselves taken out of the set (which
    /// then no longer disposes them).
    /// </summary>
    private static (Dictionary<string, Bitmap> Bitmaps, List<string> Order) Take(FieldSet fields, bool copy)
    {
        var order = fields.Bitmaps.Names.ToList();
        var bitmaps = new Dictionary<string, Bitmap>(order.Count, StringComparer.Ordinal);
        foreach (var name in order)
        {
            var bitmap = fields.Bitmaps[name];
            bitmaps.Add(name, copy ? bitmap.Clone() : bitmap);
        }
        if (!copy)
        {
            foreach (var name in order)
            {
                fields.Bitmaps.Remove(name);
            }
        }
        return (bitmaps, order);
    }

    private ImportSummary Run(IReadOnlyList<string> files, Func<string, IEnumerable<(string Name, Bitmap Bitmap)>> read)
    {
        var started = Stopwatch.GetTimestamp();
        var inputBytes = files.Sum(f => new FileInfo(f).Length);
        var parsed = new Dictionary<string, Bitmap>(StringComparer.Ordinal);
        var order = new List<string>();
        try
        {
            long done = 0;
            Progress?.Invoke(new ImportProgress(ImportStage.Reading, 0, inputBytes));
            foreach (var file in files)
            {
                foreach (var (name, bitmap) in read(file))
                {
                    Add(parsed, order, name, bitmap, file);
                }
                done += new FileInfo(file).Length;
                Progress?.Invoke(new ImportProgress(ImportStage.Reading, done, inputBytes));
            }
        }
        catch
        {
            foreach (var bitmap in parsed.Values)
            {
                bitmap.Dispose();
            }
            throw;
        }
        return Store(parsed, order, inputBytes, started);
    }

    /// <summary>Optimizes and commits checked bitmaps (taking them over), checkpoints, and sums up the import.</summary>
    private ImportSummary Store(Dictionary<string, Bitmap> parsed, List<string> order, long inputBytes, long started)
    {
        var before = _database.Statistics;
        foreach (var name in order)
        {
            try
            {
                WriteTransaction.CheckName(name);
            }
            catch (ArgumentException e)
            {
                foreach (var bitmap in parsed.Values)
                {
                    bitmap.Dispose();
                }
                throw new InvalidDataException($"{e.Message} Nothing of this import was committed.", e);
            }
        }
        long values = 0;
        foreach (var bitmap in parsed.Values)
        {
            bitmap.Optimize();
            values += bitmap.Count;
        }
        var transactions = Commit(parsed, order);
        Progress?.Invoke(new ImportProgress(ImportStage.Checkpointing, 0, 1));
        _database.Checkpoint();
        Progress?.Invoke(new ImportProgress(ImportStage.Checkpointing, 1, 1));
        var after = _database.Statistics;
        return new ImportSummary
        {
            Names = order.Count,
            Values = values,
            InputBytes = inputBytes,
            Transactions = transactions,
            Elapsed = Stopwatch.GetElapsedTime(started),
            DataFileBytes = after.DataFileBytes,
            LogBytes = after.LogBytes,
            BytesAdded = after.DataFileBytes + after.LogBytes - before.DataFileBytes - before.LogBytes,
        };
    }

    private static void Add(Dictionary<string, Bitmap> parsed, List<string> order, string name, Bitmap bitmap, string file)
    {
        try
        {
            WriteTransaction.CheckName(name);
        }
        catch (ArgumentException e)
        {
            bitmap.Dispose();
            throw new InvalidDataException($"'{file}': {e.Message}", e);
        }
        if (parsed.TryGetValue(name, out var existing))
        {
            existing.OrInPlace(bitmap);
            bitmap.Dispose();
            return;
        }
        parsed.Add(name, bitmap);
        order.Add(name);
    }

    /// <summary>Commits every bitmap (the transactions take them over); returns the number of transactions.</summary>
    private int Commit(Dictionary<string, Bitmap> parsed, List<string> order)
    {
        var transactions = 0;
        var committedNames = 0;
        var next = 0;
        try
        {
            while (next < order.Count)
            {
                using var tx = _database.BeginWrite();
                long bytes = 0;
                var first = next;
                while (next < order.Count && (next == first || bytes < TransactionBytes))
                {
                    var bitmap = parsed[order[next]];
                    bytes += bitmap.SerializedSize();
                    tx.AddOwned(order[next], bitmap);
                    next++;
                }
                tx.Commit();
                transactions++;
                committedNames = next;
                Progress?.Invoke(new ImportProgress(ImportStage.Committing, next, order.Count));
            }
            return transactions;
        }
        catch (Exception e) when (transactions > 0 && e is IOException or InvalidOperationException)
        {
            throw new IOException($"The import stopped after committing {committedNames} of {order.Count} names in {transactions} transactions; those keep their values: {e.Message}", e);
        }
        finally
        {
            for (var i = next; i < order.Count; i++)
            {
                parsed[order[i]].Dispose();
            }
        }
    }

    private static List<(string, Bitmap)> ReadCsv(string path)
    {
        var lists = new Dictionary<string, List<uint>>(StringComparer.Ordinal);
        var names = lists.GetAlternateLookup<ReadOnlySpan<char>>();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        var chars = new char[LogRecord.MaxNameBytes];
        var lastName = new byte[LogRecord.MaxNameBytes];
        var lastNameLength = -1;
        var quotedName = new byte[buffer.Length];
        List<uint>? lastList = null;
        long lineNumber = 0;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var filled = 0;
            var atEnd = false;
            while (!atEnd)
            {
                var read = stream.Read(buffer, filled, buffer.Length - filled);
                atEnd = read == 0;
                filled += read;
                var span = buffer.AsSpan(0, filled);
                var start = 0;
                while (true)
                {
                    var newline = span[start..].IndexOf((byte)'\n');
                    if (newline < 0 && !(atEnd && start < filled))
                    {
                        break;
                    }
                    var line = newline < 0 ? span[start..] : span.Slice(start, newline);
                    start = newline < 0 ? filled : start + newline + 1;
                    lineNumber++;
                    ParseLine(line, lineNumber);
                }
                if (start < filled && filled - start >= MaxLineBytes)
                {
                    throw LineError(path, lineNumber + 1, $"the line is longer than {MaxLineBytes} bytes");
                }
                span[start..].CopyTo(buffer);
                filled -= start;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var bitmaps = new List<(string, Bitmap)>(lists.Count);
        foreach (var (name, values) in lists)
        {
            bitmaps.Add((name, Bitmap.FromValues(CollectionsMarshal.AsSpan(values))));
        }
        return bitmaps;

        void ParseLine(ReadOnlySpan<byte> line, long number)
        {
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }
            if (line.Trim((byte)' ').IsEmpty)
            {
                return;
            }
            ReadOnlySpan<byte> nameBytes, valueText;
            var start = line.TrimStart((byte)' ');
            if (start[0] == '"')
            {
                // A quoted name (RFC 4180: a doubled quote inside is one quote; commas inside are part of the name).
                var length = Unquote(start, quotedName, out var quotedBytes);
                var rest = length < 0 ? default : start[quotedBytes..].TrimStart((byte)' ');
                if (length < 0 || rest.IsEmpty || rest[0] != ',')
                {
                    throw LineError(path, number, length < 0 ? $"the quoted name in '{Shown(line)}' has no closing quote" : $"expected a comma after the quoted name, got '{Shown(line)}'");
                }
                nameBytes = quotedName.AsSpan(0, length);
                valueText = rest[1..].Trim((byte)' ');
            }
            else
            {
                var comma = line.LastIndexOf((byte)',');
                if (comma <= 0)
                {
                    throw LineError(path, number, $"expected 'name,value', got '{Shown(line)}'");
                }
                nameBytes = line[..comma];
                valueText = line[(comma + 1)..].Trim((byte)' ');
            }
            if (valueText.Length >= 2 && valueText[0] == '"' && valueText[^1] == '"')
            {
                valueText = valueText[1..^1];
            }
            if (number == 1 && nameBytes.SequenceEqual("name"u8) && valueText.SequenceEqual("value"u8))
            {
                return;
            }
            if (!Utf8Parser.TryParse(valueText, out uint value, out var consumed) || consumed != valueText.Length || valueText.IsEmpty || valueText[0] is (byte)'+' or (byte)'-')
            {
                throw LineError(path, number, $"the value '{Shown(valueText)}' is not an unsigned 32-bit integer (0 to 4294967295)");
            }
            if (nameBytes.Length != lastNameLength || !nameBytes.SequenceEqual(lastName.AsSpan(0, lastNameLength)))
            {
                lastList = NameList(nameBytes, number);
                if (nameBytes.Length <= lastName.Length)
                {
                    nameBytes.CopyTo(lastName);
                    lastNameLength = nameBytes.Length;
                }
            }
            lastList!.Add(value);
        }

        List<uint> NameList(ReadOnlySpan<byte> nameBytes, long number)
        {
            if (nameBytes.Length > LogRecord.MaxNameBytes)
            {
                throw LineError(path, number, $"the name takes {nameBytes.Length} bytes; at most {LogRecord.MaxNameBytes} are allowed");
            }
            int length;
            try
            {
                length = StrictUtf8.GetChars(nameBytes, chars);
            }
            catch (DecoderFallbackException)
            {
                throw LineError(path, number, "the name is not valid UTF-8");
            }
            if (names.TryGetValue(chars.AsSpan(0, length), out var list))
            {
                return list;
            }
            var name = new string(chars, 0, length);
            try
            {
                WriteTransaction.CheckName(name);
            }
            catch (ArgumentException e)
            {
                throw LineError(path, number, e.Message);
            }
            list = [];
            lists.Add(name, list);
            return list;
        }
    }

    /// <summary>
    /// Copies the quoted CSV field at the start of <paramref name="field"/> (which begins with <c>"</c>) into
    /// <paramref name="into"/> without its quotes, a doubled quote becoming one; returns its length and sets
    /// <paramref name="consumed"/> to the bytes read through the closing quote, or returns -1 when the quote is not closed.
    /// </summary>
    private static int Unquote(ReadOnlySpan<byte> field, Span<byte> into, out int consumed)
    {
        var length = 0;
        for (var i = 1; i < field.Length; i++)
        {
            if (field[i] == '"')
            {
                if (i + 1 < field.Length && field[i + 1] == '"')
                {
                    i++;
                }
                else
                {
                    consumed = i + 1;
                    return length;
                }
            }
            into[length++] = field[i];
        }
        consumed = field.Length;
        return -1;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Shown(ReadOnlySpan<byte> text)
    {
        var shown = Encoding.UTF8.GetString(text[..Math.Min(text.Length, 60)]);
        return text.Length > 60 ? shown + "…" : shown;
    }

    private static InvalidDataException LineError(string path, long line, string problem) =>
        new($"'{path}' line {line}: {problem}; nothing of this import was committed.");
}

using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace Bitfuse;

/// <summary>
/// Writes the bitmaps of a snapshot back out, in the forms <see cref="DatabaseImporter"/> reads: one Roaring
/// portable file per name, or one CSV of <c>name,value</c> lines. Exporting and importing again gives the same
/// names and values.
/// </summary>
public static class DatabaseExporter
{
    /// <summary>
    /// Writes each bitmap of <paramref name="snapshot"/> (or only <paramref name="names"/>) to
    /// <paramref name="folder"/> as <c>NAME.roaring</c> (the name through <see cref="BitmapFileName.Encode"/>),
    /// replacing files of the same name. <paramref name="progress"/> gets (bitmaps done, bitmaps in all).
    /// </summary>
    /// <exception cref="UnknownBitmapException">A name in <paramref name="names"/> is not in the snapshot.</exception>
    public static ExportSummary ToRoaringFiles(Snapshot snapshot, string folder, IReadOnlyList<string>? names = null, Action<long, long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var started = Stopwatch.GetTimestamp();
        var selected = Select(snapshot, names);
        Directory.CreateDirectory(folder);
        long values = 0, bytes = 0;
        for (var i = 0; i < selected.Count; i++)
        {
            var bitmap = snapshot[selected[i]];
            var path = Path.Combine(folder, BitmapFileName.Encode(selected[i]) + BitmapFileName.RoaringExtension);
            bitmap.SerializeToFile(path);
            values += bitmap.Count;
            bytes += new FileInfo(path).Length;
            progress?.Invoke(i + 1, selected.Count);
        }
        return new ExportSummary(selected.Count, values, bytes, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Writes each bitmap of <paramref name="snapshot"/> (or only <paramref name="names"/>) as <c>name,value</c>
    /// lines, names in ordinal order and values ascending, to <paramref name="path"/> (replaced if present); a name
    /// holding a quote is written as a quoted field. <paramref name="progress"/> gets (bitmaps done, bitmaps in all).
    /// </summary>
    /// <exception cref="UnknownBitmapException">A name in <paramref name="names"/> is not in the snapshot.</exception>
    public static ExportSummary ToCsv(Snapshot snapshot, string path, IReadOnlyList<string>? names = null, Action<long, long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var started = Stopwatch.GetTimestamp();
        var selected = Select(snapshot, names);
        long values = 0;
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var line = new byte[LineBytes];
            for (var i = 0; i < selected.Count; i++)
            {
                var name = selected[i];
                var bitmap = snapshot[name];
                // A name holding a quote is written as a quoted field, so the import reads it back unchanged.
                var prefix = Encoding.UTF8.GetBytes((name.Contains('"', StringComparison.Ordinal) ? $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : name) + ",");
                prefix.CopyTo(line, 0);
                foreach (var value in bitmap)
                {
                    Utf8Formatter.TryFormat(value, line.AsSpan(prefix.Length), out var digits);
                    line[prefix.Length + digits] = (byte)'\n';
                    stream.Write(line, 0, prefix.Length + digits + 1);
                }
                values += bitmap.Count;
                progress?.Invoke(i + 1, selected.Count);
            }
        }
        return new ExportSummary(selected.Count, values, new FileInfo(path).Length, Stopwatch.GetElapsedTime(started));
    }

    // A name of at most 1024 UTF-8 bytes, a comma, 10 digits and a newline.
    private const int LineBytes = 1024 + 1 + 10 + 1;

    private static List<string> Select(Snapshot snapshot, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return [.. snapshot.Names];
        }
        foreach (var name in names)
        {
            _ = snapshot[name];
        }
        return [.. names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}

using System.Buffers;
using Bitfuse.Bitmaps;

namespace Bitfuse;

/// <summary>
/// Text form of a bitmap as the real-data sets store it: unsigned 32-bit decimal values separated by commas,
/// newlines or other whitespace (sorted input is fastest; any order and duplicates are accepted).
/// </summary>
public static class BitmapText
{
    /// <summary>Parses UTF-8/ASCII text into a new bitmap.</summary>
    /// <exception cref="InvalidDataException">A character is neither a digit nor a separator, or a value exceeds 2^32 - 1 (the message names the byte offset).</exception>
    public static Bitmap Parse(ReadOnlySpan<byte> text)
    {
        var values = ArrayPool<uint>.Shared.Rent(Math.Max(16, text.Length / 4));
        var count = 0;
        try
        {
            ulong current = 0;
            var digits = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var ch = text[i];
                var d = (uint)(ch - '0');
                if (d <= 9)
                {
                    current = current * 10 + d;
                    if (current > uint.MaxValue)
                    {
                        throw FormatError.At(i, "value exceeds 4294967295");
                    }
                    digits++;
                    continue;
                }
                if (ch is (byte)',' or (byte)'\n' or (byte)'\r' or (byte)' ' or (byte)'\t')
                {
                    if (digits > 0)
                    {
                        Append(ref values, ref count, (uint)current);
                        current = 0;
                        digits = 0;
                    }
                    else if (ch == ',')
                    {
                        throw FormatError.At(i, "empty value before ','");
                    }
                    continue;
                }
                if (i == 0 && ch == 0xEF && text.Length >= 3 && text[1] == 0xBB && text[2] == 0xBF)
                {
                    i += 2;
                    continue;
                }
                throw FormatError.At(i, $"unexpected character 0x{ch:X2}; expected digits separated by ',' or whitespace");
            }
            if (digits > 0)
            {
                Append(ref values, ref count, (uint)current);
            }
            return Bitmap.FromValues(values.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(values);
        }
    }

    /// <summary>Parses text into a new bitmap.</summary>
    public static Bitmap Parse(string text) => Parse(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Loads the text file at <paramref name="path"/> into a new bitmap.</summary>
    /// <exception cref="InvalidDataException">The file is not in the text form (the message names the file and byte offset).</exception>
    public static Bitmap Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            var wrapped = new InvalidDataException($"{path}: {e.Message}", e);
            if (e.Data.Contains(FormatError.OffsetKey))
            {
                wrapped.Data[FormatError.OffsetKey] = e.Data[FormatError.OffsetKey];
            }
            throw wrapped;
        }
    }

    private static void Append(ref uint[] values, ref int count, uint value)
    {
        if (count == values.Length)
        {
            var bigger = ArrayPool<uint>.Shared.Rent(values.Length * 2);
            values.AsSpan(0, count).CopyTo(bigger);
            ArrayPool<uint>.Shared.Return(values);
            values = bigger;
        }
        values[count++] = value;
    }
}

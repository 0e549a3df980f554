using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;

namespace Bitfuse.Server;

/// <summary>
/// Reads an import body of CSV lines <c>name,value</c> (the last comma splits, so names may hold commas; an optional
/// first line <c>name,value</c>; blank lines and a trailing CR are ignored) from a pipe, line by line, into an
/// <see cref="ImportBatch"/>. A bad line is refused with its 1-based number; a line longer than the limit is
/// refused before it is buffered whole.
/// </summary>
internal static class CsvImport
{
    private static ReadOnlySpan<byte> Header => "name,value"u8;

    /// <summary>Reads every line of <paramref name="reader"/> into <paramref name="batch"/>; returns the bytes read.</summary>
    public static async Task<long> ReadAsync(PipeReader reader, ImportBatch batch, int maxLineBytes, CancellationToken cancellation)
    {
        long line = 0;
        long bytes = 0;
        var scratch = new byte[maxLineBytes];
        var chars = new char[maxLineBytes];
        while (true)
        {
            var result = await reader.ReadAsync(cancellation).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                var text = buffer.Slice(0, end);
                if (text.Length > maxLineBytes)
                {
                    throw LineTooLong(line + 1, maxLineBytes);
                }
                Process(Flatten(text, scratch), ++line, batch, chars);
                var next = buffer.GetPosition(1, end);
                bytes += text.Length + 1;
                buffer = buffer.Slice(next);
            }
            if (buffer.Length > maxLineBytes)
            {
                throw LineTooLong(line + 1, maxLineBytes);
            }
            if (result.IsCompleted)
            {
                if (buffer.Length > 0)
                {
                    Process(Flatten(buffer, scratch), ++line, batch, chars);
                    bytes += buffer.Length;
                }
                reader.AdvanceTo(buffer.End);
                return bytes;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static ReadOnlySpan<byte> Flatten(ReadOnlySequence<byte> text, byte[] scratch)
    {
        if (text.IsSingleSegment)
        {
            return text.FirstSpan;
        }
        text.CopyTo(scratch);
        return scratch.AsSpan(0, (int)text.Length);
    }

    private static void Process(ReadOnlySpan<byte> text, long line, ImportBatch batch, char[] chars)
    {
        if (text.Length > 0 && text[^1] == '\r')
        {
            text = text[..^1];
        }
        if (text.IsEmpty || line == 1 && text.SequenceEqual(Header))
        {
            return;
        }
        var comma = text.LastIndexOf((byte)',');
        if (comma <= 0)
        {
            throw BadLine(line, comma < 0 ? "expected name,value" : "the name is empty");
        }
        var digits = text[(comma + 1)..];
        if (!Utf8Parser.TryParse(digits, out uint value, out var used) || used != digits.Length || digits[0] is (byte)'+' or (byte)'-')
        {
            throw BadLine(line, $"'{Encoding.UTF8.GetString(digits)}' is not a value from 0 to 4294967295");
        }
        int length;
        try
        {
            length = Utf8Strict.GetChars(text[..comma], chars);
        }
        catch (DecoderFallbackException)
        {
            throw BadLine(line, "the name is not valid UTF-8");
        }
        batch.Add(chars.AsSpan(0, length), value);
    }

    private static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static RequestRejectedException BadLine(long line, string problem) =>
        new(400, ProblemTypes.InvalidRequest, "The request is invalid", $"line {line}: {problem}", new Dictionary<string, object?> { ["line"] = line });

    private static RequestRejectedException LineTooLong(long line, int max) =>
        new(400, ProblemTypes.InvalidRequest, "The request is invalid", $"line {line} is longer than {max} bytes, this server's limit", new Dictionary<string, object?> { ["line"] = line });
}

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Bitfuse.Cli;

/// <summary>
/// Rasterises the shapes of <see cref="IsolationPlot"/> into an RGB PNG: lines by Bresenham, dots as small
/// squares, text in a built-in 3x5 capital-letter font drawn at twice its size. No graphics library needed.
/// </summary>
internal static class IsolationPng
{
    private const int Scale = 2;

    private static readonly Dictionary<char, string> Font = new()
    {
        ['A'] = ".#. #.# ### #.# #.#",
        ['B'] = "##. #.# ##. #.# ##.",
        ['C'] = ".## #.. #.. #.. .##",
        ['D'] = "##. #.# #.# #.# ##.",
        ['E'] = "### #.. ##. #.. ###",
        ['F'] = "### #.. ##. #.. #..",
        ['G'] = ".## #.. #.# #.# .##",
        ['H'] = "#.# #.# ### #.# #.#",
        ['I'] = "### .#. .#. .#. ###",
        ['J'] = "..# ..# ..# #.# .#.",
        ['K'] = "#.# #.# ##. #.# #.#",
        ['L'] = "#.. #.. #.. #.. ###",
        ['M'] = "#.# ### ### #.# #.#",
        ['N'] = "##. #.# #.# #.# #.#",
        ['O'] = ".#. #.# #.# #.# .#.",
        ['P'] = "##. #.# ##. #.. #..",
        ['Q'] = ".#. #.# #.# ##. .##",
        ['R'] = "##. #.# ##. #.# #.#",
        ['S'] = ".## #.. .#. ..# ##.",
        ['T'] = "### .#. .#. .#. .#.",
        ['U'] = "#.# #.# #.# #.# ###",
        ['V'] = "#.# #.# #.# #.# .#.",
        ['W'] = "#.# #.# ### ### #.#",
        ['X'] = "#.# #.# .#. #.# #.#",
        ['Y'] = "#.# #.# .#. .#. .#.",
        ['Z'] = "### ..# .#. #.. ###",
        ['0'] = "### #.# #.# #.# ###",
        ['1'] = ".#. ##. .#. .#. ###",
        ['2'] = "##. ..# .#. #.. ###",
        ['3'] = "##. ..# .#. ..# ##.",
        ['4'] = "#.# #.# ### ..# ..#",
        ['5'] = "### #.. ##. ..# ##.",
        ['6'] = ".## #.. ### #.# ###",
        ['7'] = "### ..# .#. .#. .#.",
        ['8'] = "### #.# ### #.# ###",
        ['9'] = "### #.# ### ..# ##.",
        ['.'] = "... ... ... ... .#.",
        [','] = "... ... ... .#. #..",
        ['-'] = "... ... ### ... ...",
        ['('] = ".#. #.. #.. #.. .#.",
        [')'] = ".#. ..# ..# ..# .#.",
        [':'] = "... .#. ... .#. ...",
        ['/'] = "..# ..# .#. #.. #..",
        ['%'] = "#.# ..# .#. #.. #.#",
        ['+'] = "... .#. ### .#. ...",
    };

    public static byte[] Render(List<IsolationPlot.Shape> shapes, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        pixels.AsSpan().Fill(0xFF);
        foreach (var shape in shapes)
        {
            switch (shape)
            {
                case IsolationPlot.Shape.Rect r:
                    var color = Parse(r.Color);
                    Line(pixels, width, height, r.X, r.Y, r.X + r.W, r.Y, color);
                    Line(pixels, width, height, r.X + r.W, r.Y, r.X + r.W, r.Y + r.H, color);
                    Line(pixels, width, height, r.X + r.W, r.Y + r.H, r.X, r.Y + r.H, color);
                    Line(pixels, width, height, r.X, r.Y + r.H, r.X, r.Y, color);
                    break;
                case IsolationPlot.Shape.Line l:
                    var lineColor = Parse(l.Color);
                    for (var i = 1; i < l.Points.Count; i++)
                    {
                        Line(pixels, width, height, l.Points[i - 1].X, l.Points[i - 1].Y, l.Points[i].X, l.Points[i].Y, lineColor);
                    }
                    break;
                case IsolationPlot.Shape.Dot d:
                    var dotColor = Parse(d.Color);
                    for (var dy = -1; dy <= 1; dy++)
                    {
                        for (var dx = -1; dx <= 1; dx++)
                        {
                            Set(pixels, width, height, (int)Math.Round(d.X) + dx, (int)Math.Round(d.Y) + dy, dotColor);
                        }
                    }
                    break;
                case IsolationPlot.Shape.Text t:
                    Text(pixels, width, height, t);
                    break;
            }
        }
        return Encode(pixels, width, height);
    }

    private static void Text(byte[] pixels, int width, int height, IsolationPlot.Shape.Text t)
    {
        var text = t.Value.Replace('µ', 'u').Replace('—', '-').ToUpperInvariant();
        var advance = 4 * Scale;
        var textWidth = text.Length * advance;
        var x = (int)t.X - (t.Anchor switch { "middle" => textWidth / 2, "end" => textWidth, _ => 0 });
        var y = (int)t.Y - (5 * Scale);
        var color = Parse(t.Color);
        foreach (var ch in text)
        {
            if (Font.TryGetValue(ch, out var glyph))
            {
                // A glyph is five rows of three cells, rows separated by spaces.
                var cells = glyph.Replace(" ", "", StringComparison.Ordinal);
                for (var cell = 0; cell < cells.Length; cell++)
                {
                    if (cells[cell] != '#')
                    {
                        continue;
                    }
                    for (var sy = 0; sy < Scale; sy++)
                    {
                        for (var sx = 0; sx < Scale; sx++)
                        {
                            Set(pixels, width, height, x + ((cell % 3) * Scale) + sx, y + ((cell / 3) * Scale) + sy, color);
                        }
                    }
                }
            }
            x += advance;
        }
    }

    private static void Line(byte[] pixels, int width, int height, double fx0, double fy0, double fx1, double fy1, (byte, byte, byte) color)
    {
        int x0 = (int)Math.Round(fx0), y0 = (int)Math.Round(fy0), x1 = (int)Math.Round(fx1), y1 = (int)Math.Round(fy1);
        int dx = Math.Abs(x1 - x0), sx = x0 < x1 ? 1 : -1, dy = -Math.Abs(y1 - y0), sy = y0 < y1 ? 1 : -1, err = dx + dy;
        while (true)
        {
            Set(pixels, width, height, x0, y0, color);
            if (x0 == x1 && y0 == y1)
            {
                return;
            }
            var e2 = 2 * err;
            if (e2 >= dy)
            {
                err += dy;
                x0 += sx;
            }
            if (e2 <= dx)
            {
                err += dx;
                y0 += sy;
            }
        }
    }

    private static void Set(byte[] pixels, int width, int height, int x, int y, (byte R, byte G, byte B) color)
    {
        if ((uint)x >= (uint)width || (uint)y >= (uint)height)
        {
            return;
        }
        var i = ((y * width) + x) * 3;
        pixels[i] = color.R;
        pixels[i + 1] = color.G;
        pixels[i + 2] = color.B;
    }

    private static (byte, byte, byte) Parse(string hex)
    {
        var value = int.Parse(hex.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return hex.Length == 4
            ? ((byte)(((value >> 8) & 0xF) * 17), (byte)(((value >> 4) & 0xF) * 17), (byte)((value & 0xF) * 17))
            : ((byte)(value >> 16), (byte)(value >> 8), (byte)value);
    }

    private static byte[] Encode(byte[] pixels, int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour RGB
        Chunk(png, "IHDR", header);
        using (var raw = new MemoryStream())
        {
            using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (var y = 0; y < height; y++)
                {
                    zlib.WriteByte(0); // filter: none
                    zlib.Write(pixels, y * width * 3, width * 3);
                }
            }
            Chunk(png, "IDAT", raw.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = Crc32(typeBytes, 0xFFFFFFFFu);
        crc = Crc32(data, crc) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        stream.Write(word);
    }

    private static uint Crc32(ReadOnlySpan<byte> data, uint crc)
    {
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return crc;
    }
}

using System.Globalization;
using System.Text;

namespace Bitfuse;

/// <summary>
/// The file name of a bitmap exported as one file per name, and back: a name may hold any character but '/' and
/// NUL cannot be in a file name, so those, '%' itself and a leading '.' are written as %XX (UTF-8 bytes, hex).
/// </summary>
public static class BitmapFileName
{
    /// <summary>The extension of a Roaring portable file.</summary>
    public const string RoaringExtension = ".roaring";

    /// <summary>The file name (without extension) for <paramref name="name"/>.</summary>
    public static string Encode(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '/' or '%' or '\0' || (i == 0 && c == '.'))
            {
                text.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    /// <summary>The name that <paramref name="fileName"/> (without extension) stands for.</summary>
    /// <exception cref="FormatException">A '%' is not followed by two hex digits.</exception>
    public static string Decode(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!fileName.Contains('%', StringComparison.Ordinal))
        {
            return fileName;
        }
        var text = new StringBuilder(fileName.Length);
        for (var i = 0; i < fileName.Length; i++)
        {
            if (fileName[i] != '%')
            {
                text.Append(fileName[i]);
                continue;
            }
            if (i + 2 >= fileName.Length || !byte.TryParse(fileName.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                throw new FormatException($"The file name '{fileName}' has a '%' at {i} that is not followed by two hex digits.");
            }
            text.Append((char)b);
            i += 2;
        }
        return text.ToString();
    }
}

namespace Bitfuse;

/// <summary>How a bitmap name is quoted in messages: long names are cut in the middle so an error stays one readable line.</summary>
internal static class NameText
{
    /// <summary>The longest name shown whole.</summary>
    public const int MaxShown = 48;

    /// <summary><paramref name="name"/> in single quotes, its middle replaced by "..." when longer than <see cref="MaxShown"/>.</summary>
    public static string Quote(string name)
    {
        if (name.Length <= MaxShown)
        {
            return $"'{name}'";
        }
        var head = (MaxShown - 3) / 2;
        var tail = MaxShown - 3 - head;
        return $"'{name[..head]}...{name[^tail..]}' ({name.Length} characters)";
    }
}

using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bitfuse.Cli;

/// <summary>
/// The one JSON style and the one pair of switches every verb has: <c>--json</c> prints the verb's report as
/// JSON instead of text, and <c>--output FILE</c> also writes that JSON to a file.
/// </summary>
internal static class JsonOutput
{
    public const string SwitchName = "--json";

    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The <c>--json</c> switch.</summary>
    public static Option<bool> Switch(string what) => new(SwitchName) { Description = $"Print {what} as JSON instead of text (errors too)." };

    /// <summary>The <c>--output FILE</c> option.</summary>
    public static Option<string?> File() => new("--output") { Description = "Also write the JSON report to FILE.", HelpName = "FILE" };

    /// <summary>Prints <paramref name="value"/> as JSON; a verb's report goes through <see cref="Emit"/> instead (it honours <c>--output</c>).</summary>
    public static void Write<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));

    /// <summary>
    /// Emits a report: <paramref name="json"/> (already serialized) to <paramref name="output"/> when given, then
    /// either the JSON (with <c>--json</c>) or the text that <paramref name="render"/> writes.
    /// </summary>
    public static void Emit(string json, ParseResult parse, Option<bool> jsonSwitch, Option<string?> output, Action render)
    {
        var path = parse.GetValue(output);
        if (path is not null)
        {
            System.IO.File.WriteAllText(path, json + "\n");
        }
        if (parse.GetValue(jsonSwitch))
        {
            Console.Out.WriteLine(json);
            return;
        }
        render();
        if (path is not null)
        {
            Console.Out.WriteLine($"wrote {path}");
        }
    }

    /// <summary><see cref="Emit"/> for a value serialized in the common style.</summary>
    public static void Emit<T>(T value, ParseResult parse, Option<bool> jsonSwitch, Option<string?> output, Action render) =>
        Emit(JsonSerializer.Serialize(value, Options), parse, jsonSwitch, output, render);
}

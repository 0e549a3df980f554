using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bitfuse.Isolation.Noise;

/// <summary>
/// The JSON form of a <see cref="NoiseReport"/>: snake_case names, enums as snake_case strings, CPU sets as
/// cpulists. <see cref="Schema"/> is the JSON Schema of version <see cref="NoiseReport.CurrentSchemaVersion"/>;
/// a change of shape bumps the version and the schema together.
/// </summary>
public static class NoiseReportJson
{
    /// <summary>The serializer options of the report (and of the audit inside it).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new CpuSetJsonConverter() },
    };

    /// <summary>The report as JSON text.</summary>
    public static string Serialize(NoiseReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>The JSON Schema (draft 2020-12) the output of <see cref="Serialize"/> satisfies.</summary>
    public static string Schema
    {
        get
        {
            using var stream = typeof(NoiseReportJson).Assembly.GetManifestResourceStream("Bitfuse.Isolation.Noise.noise-report.schema.json")
                ?? throw new InvalidOperationException("the noise report schema is not embedded in the assembly");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}

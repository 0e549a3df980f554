using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bitfuse.Isolation;

/// <summary>Writes a <see cref="CpuSet"/> as its cpulist string (<c>"0-3,8"</c>) and reads it back.</summary>
public sealed class CpuSetJsonConverter : JsonConverter<CpuSet>
{
    /// <inheritdoc />
    public override CpuSet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        CpuSet.Parse(reader.GetString() ?? "");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, CpuSet value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}

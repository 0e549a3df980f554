using CsCheck;

namespace Bitfuse.Storage.Tests;

/// <summary>Random sequences of appends, writes and reads against a plain byte list, for every strategy.</summary>
public sealed class MappedFileModelTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private int _files;

    public void Dispose() => _dir.Dispose();

    private static readonly Gen<(int Kind, int Offset, int Length, byte Seed)> Operation =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, 1 << 17], Gen.Int[0, 12_000], Gen.Byte);

    [Fact]
    public void Operations_match_a_byte_list_model()
    {
        Operation.Array[1, 25].Sample(operations =>
        {
            foreach (var strategy in new[] { GrowthStrategy.Reserve, GrowthStrategy.UseCount, GrowthStrategy.Smr })
            {
                Check(strategy, operations);
            }
        }, iter: 40);
    }

    private void Check(GrowthStrategy strategy, (int Kind, int Offset, int Length, byte Seed)[] operations)
    {
        var path = _dir.File($"model-{Interlocked.Increment(ref _files)}.dat");
        // Small reservation and extents so the model run crosses extents and reservation fallbacks.
        var options = new MappedFileOptions { Strategy = strategy, ReservationBytes = 32 << 10, ExtentBytes = 4096, AllocationBytes = 8192 };
        var model = new List<byte>();
        using (var file = MappedFile.Create(path, options))
        {
            foreach (var (kind, rawOffset, length, seed) in operations)
            {
                var offset = rawOffset % (model.Count + 1);
                switch (kind)
                {
                    case 0:
                        {
                            var data = Bytes(length, seed);
                            Assert.Equal(model.Count, file.Append(data));
                            model.AddRange(data);
                            break;
                        }
                    case 1:
                        {
                            var data = Bytes(length, seed);
                            file.Write(offset, data);
                            for (var i = 0; i < data.Length; i++)
                            {
                                if (offset + i < model.Count)
                                {
                                    model[offset + i] = data[i];
                                }
                                else
                                {
                                    model.Add(data[i]);
                                }
                            }
                            break;
                        }
                    case 2:
                        {
                            var buffer = new byte[length];
                            if (offset + length > model.Count)
                            {
                                Assert.Throws<ArgumentOutOfRangeException>(() => file.Read(offset, buffer));
                            }
                            else
                            {
                                file.Read(offset, buffer);
                                Assert.True(buffer.AsSpan().SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(model).Slice(offset, length)));
                            }
                            break;
                        }
                    case 3:
                        {
                            using var scope = file.BeginRead();
                            Assert.Equal(model.Count, scope.Length);
                            var count = Math.Min(length, model.Count - offset);
                            Assert.True(scope.GetSpan(offset, count).SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(model).Slice(offset, count)));
                            break;
                        }
                    default:
                        file.Flush();
                        break;
                }
                Assert.Equal(model.Count, file.Length);
            }
        }

        using var reopened = MappedFile.Open(path, options);
        Assert.Equal(model.Count, reopened.Length);
        var all = new byte[model.Count];
        reopened.Read(0, all);
        Assert.Equal(model.ToArray(), all);
    }

    private static byte[] Bytes(int length, byte seed)
    {
        var data = new byte[length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(seed + i * 31 + (i >> 8));
        }
        return data;
    }
}

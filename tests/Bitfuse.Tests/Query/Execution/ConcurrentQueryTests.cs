namespace Bitfuse.Tests.Query.Execution;

/// <summary>One compiled query, shared by many threads at once over bitmaps nobody changes, gives every thread the model's answer.</summary>
public sealed class ConcurrentQueryTests
{
    [Theory]
    [InlineData("(a | b) & !c")]
    [InlineData("a & b & c & d")]
    [InlineData("(a ^ b) | (c - d) | (a & d & !b)")]
    public void One_compiled_query_run_from_many_threads_at_once_matches_the_model(string text)
    {
        var random = new Random(1515);
        var names = new[] { "a", "b", "c", "d" };
        var sets = new Dictionary<string, HashSet<uint>>();
        var inputs = new BitmapSet();
        foreach (var name in names)
        {
            // Mixed densities over 24 keys, so arrays, bitsets and runs all take part.
            var set = new HashSet<uint>();
            for (var key = 0u; key < 24; key++)
            {
                var density = random.Next(4) switch { 0 => 0.001, 1 => 0.05, 2 => 0.5, _ => 0.0 };
                for (var low = 0u; low < 65536; low++)
                {
                    if (random.NextDouble() < density)
                    {
                        set.Add((key << 16) | low);
                    }
                }
                if (density == 0.0)
                {
                    for (var low = 1000u; low < 9000; low++)
                    {
                        set.Add((key << 16) | low);
                    }
                }
            }
            sets[name] = set;
            inputs.Add(name, Bitmap.FromValues(set));
        }
        foreach (var bitmap in inputs.Values.Where(b => b.Count % 3 == 0))
        {
            bitmap.Optimize();
        }
        try
        {
            var query = new QueryEngine().Compile(text);
            var universe = (uint)(sets.Values.SelectMany(s => s).Max() + 1L);
            var expected = ReferenceInterpreter.Evaluate(query.Parsed, sets, universe).Order().ToArray();

            const int Threads = 8;
            const int Rounds = 25;
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            using var start = new Barrier(Threads);
            var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                for (var r = 0; r < Rounds; r++)
                {
                    switch ((t + r) % 4)
                    {
                        case 0:
                            var count = query.Count(inputs);
                            if (count != expected.Length)
                            {
                                failures.Add($"thread {t} round {r}: count {count}, expected {expected.Length}");
                            }
                            break;
                        case 1:
                            using (var result = query.Evaluate(inputs))
                            {
                                if (!result.ToArray().AsSpan().SequenceEqual(expected))
                                {
                                    failures.Add($"thread {t} round {r}: evaluate gave {result.Count} values");
                                }
                            }
                            break;
                        case 2:
                            var seen = new List<uint>();
                            query.ForEach(inputs, seen.Add);
                            if (!seen.SequenceEqual(expected))
                            {
                                failures.Add($"thread {t} round {r}: for-each gave {seen.Count} values");
                            }
                            break;
                        default:
                            if (query.Any(inputs) != (expected.Length > 0))
                            {
                                failures.Add($"thread {t} round {r}: any disagrees");
                            }
                            break;
                    }
                }
            })).ToArray();
            foreach (var worker in workers)
            {
                worker.Start();
            }
            foreach (var worker in workers)
            {
                worker.Join();
            }

            Assert.Empty(failures);
            Assert.NotEmpty(expected);
        }
        finally
        {
            foreach (var bitmap in inputs.Values)
            {
                bitmap.Dispose();
            }
        }
    }
}

using Bitfuse.Isolation;

namespace Bitfuse.Isolation.Tests;

public sealed class ProcParsingTests
{
    [Fact]
    public void Command_line_decodes_isolation_parameters_and_stops_at_init_arguments()
    {
        var line = new KernelCommandLine("BOOT_IMAGE=/vmlinuz isolcpus=nohz,domain,managed_irq,2-5,8 nohz_full=2-5 rcu_nocbs irqaffinity=0-1 quiet x=\"a b\" -- isolcpus=9");

        Assert.Equal(CpuSet.Of(2, 3, 4, 5, 8), line.IsolCpus);
        Assert.Equal(["nohz", "domain", "managed_irq"], line.IsolCpusFlags);
        Assert.Equal(CpuSet.Range(2, 5), line.NohzFull);
        Assert.True(line.Has("rcu_nocbs"));
        Assert.Null(line.Get("rcu_nocbs"));
        Assert.Equal(CpuSet.Of(0, 1), line.IrqAffinity);
        Assert.True(line.Has("quiet"));
        Assert.Equal("a b", line.Get("x"));
    }

    [Fact]
    public void Command_line_without_isolation_has_none()
    {
        var line = new KernelCommandLine("console=ttyS0 quiet");
        Assert.Null(line.IsolCpus);
        Assert.Null(line.NohzFull);
        Assert.Empty(line.IsolCpusFlags);
        Assert.Equal(["domain"], new KernelCommandLine("isolcpus=3").IsolCpusFlags);
    }

    [Fact]
    public void Interrupt_table_parses_rows_and_deltas_per_cpu()
    {
        const string before = """
                       CPU0       CPU1
              24:          1          0  IO-APIC   5-edge      ACPI:Ged
              36:          0       8866  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
             LOC:      51380      51277   Local timer interrupts
             ERR:          0
            """;
        const string after = """
                       CPU0       CPU1
              24:          1          0  IO-APIC   5-edge      ACPI:Ged
              36:          0       8870  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
             LOC:      51390      51377   Local timer interrupts
             ERR:          0
            """;
        var a = InterruptTable.Parse(before);
        var b = InterruptTable.Parse(after);

        Assert.Equal([0, 1], a.Cpus);
        Assert.Equal(8866, a.Count("36", 1));
        Assert.Equal(51277, a.Count("LOC", 1));
        Assert.True(a.Rows[0].IsDevice);
        Assert.False(a.Rows[2].IsDevice);
        Assert.Single(a.Rows[3].Counts);
        var deltas = b.DeltasSince(a, 1);
        Assert.Equal([("36", 4L), ("LOC", 100L)], deltas.Select(d => (d.Name, d.Count)));
        Assert.Contains("virtio1-req.0", deltas[0].Description, StringComparison.Ordinal);
        Assert.Equal([("LOC", 10L)], b.DeltasSince(a, 0).Select(d => (d.Name, d.Count)));
    }

    [Fact]
    public void Interrupt_table_rejects_a_missing_header() =>
        Assert.Throws<FormatException>(() => InterruptTable.Parse(" 24: 1 2 x\n"));

    [Fact]
    public void Proc_stat_gives_steal_per_cpu()
    {
        var times = CpuTimes.Parse("cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 10 0 5 100 1 0 2 3 0 0\ncpu1 1 0 1 1 0 0 0 286 0 0\nintr 5\n");
        Assert.Equal(2, times.Count);
        Assert.Equal(3, times[0].Steal);
        Assert.Equal(286, times[1].Steal);
        Assert.Equal(121, times[0].Total);
    }

    [Fact]
    public void Own_threads_are_readable_with_their_affinity()
    {
        var threads = TaskInfo.ReadOwnThreads();
        Assert.Contains(threads, t => t.Id == Environment.ProcessId);
        Assert.All(threads, t => Assert.NotNull(t.AllowedCpus));
        Assert.All(threads, t => Assert.False(t.IsKernelThread));
    }

    [Fact]
    public void Processor_description_reads_the_first_cpus_model_and_flags_only()
    {
        const string text = """
            processor	: 0
            vendor_id	: AuthenticAMD
            model name	: AMD EPYC 9R14 96-Core Processor
            flags		: fpu constant_tsc nonstop_tsc hypervisor avx512f
            vmx flags	: not_a_cpu_flag
            bugs		: sysret_ss_attrs

            processor	: 1
            model name	: Another Model
            flags		: fpu only_on_cpu1
            """;

        var description = ProcessorDescription.Parse(text);

        Assert.Equal("AMD EPYC 9R14 96-Core Processor", description.Model);
        Assert.Equal(["avx512f", "constant_tsc", "fpu", "hypervisor", "nonstop_tsc"], description.Flags.Order(StringComparer.Ordinal));
        Assert.True(description.Hypervisor);
        Assert.False(ProcessorDescription.Parse("processor\t: 0\nflags\t: fpu\n").Hypervisor);
    }

    [Fact]
    public void Processor_description_of_a_missing_file_is_empty_and_of_a_fixture_tree_is_read()
    {
        var missing = ProcessorDescription.Read(new SystemRoot(Path.Combine(Path.GetTempPath(), $"bitfuse-no-root-{Guid.NewGuid():N}")));
        Assert.Null(missing.Model);
        Assert.Empty(missing.Flags);

        var vm = ProcessorDescription.Read(FixtureTrees.Root(FixtureTrees.Vm));
        Assert.Equal("AMD EPYC", vm.Model);
        Assert.Contains("avx2", vm.Flags);
        Assert.True(vm.Hypervisor);
    }
}

package io.stompgate.bench.loadtool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * /proc samples of the server processes at four marks: 0 before setup, 1 window start, 2 window
 * end, 3 once every connection has closed; read as an operator sees them (nothing forced first).
 * With {@code gc}, JVM servers are asked for a full GC ({@code jcmd <pid> GC.run}) and their used
 * heap is read ({@code jcmd <pid> GC.heap_info}) after the samples of marks 2 and 3 only, so that no
 * forced GC comes before an RSS sample that counts: live heap per connection is mark 2's minus mark
 * 3's. After mark 2's GC every server is sampled again (RSS after a forced full GC, which may also
 * shrink the committed heap).
 */
final class Sampler {

    private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");

    /** The RabbitMQ node's process name: its CPU is reported apart as the broker's. */
    static final String BROKER_PROCESS = "beam.smp";

    final List<Long> pids;
    /** Each pid's process name (ProcStats.name), read once at the start. */
    final List<String> names;
    final ProcStats.Sample[][] samples;
    /** With gc, at mark 2: the samples taken after the full GC. */
    final ProcStats.Sample[][] samplesAfterGc;
    final long[][] heapUsedKb;
    private final boolean gc;

    Sampler(List<Long> pids) {
        this(pids, false);
    }

    Sampler(List<Long> pids, boolean gc) {
        this(pids, pids.stream().map(ProcStats::name).toList(), gc);
    }

    /** With the processes' names given (tests). */
    Sampler(List<Long> pids, List<String> names, boolean gc) {
        this.pids = pids;
        this.names = names;
        this.gc = gc;
        this.samples = new ProcStats.Sample[4][pids.size()];
        this.samplesAfterGc = new ProcStats.Sample[4][pids.size()];
        this.heapUsedKb = new long[4][pids.size()];
        for (long[] row : heapUsedKb) {
            java.util.Arrays.fill(row, -1);
        }
    }

    void mark(int mark) {
        for (int i = 0; i < pids.size(); i++) {
            samples[mark][i] = ProcStats.sample(pids.get(i));
        }
        if (!gc || mark < 2) {
            return;
        }
        for (int i = 0; i < pids.size(); i++) {
            if (isJvm(pids.get(i))) {
                jcmd(pids.get(i), "GC.run");
                heapUsedKb[mark][i] = heapUsed(jcmd(pids.get(i), "GC.heap_info"));
            }
        }
        for (int i = 0; i < pids.size(); i++) {
            samplesAfterGc[mark][i] = ProcStats.sample(pids.get(i));
        }
    }

    boolean gc() {
        return gc;
    }

    /** Sum of the servers' RSS after the forced full GC at a mark (2 or 3), or -1 when not measured. */
    long rssKbAfterGc(int mark) {
        return sum(samplesAfterGc[mark]);
    }

    /** Sum of the JVM servers' used heap at a mark, or -1 when not measured. */
    long heapUsedKb(int mark) {
        long sum = 0;
        boolean any = false;
        for (long v : heapUsedKb[mark]) {
            if (v >= 0) {
                sum += v;
                any = true;
            }
        }
        return any ? sum : -1;
    }

    static long heapUsed(String heapInfo) {
        long sum = 0;
        boolean any = false;
        for (String line : heapInfo.split("\n")) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                continue;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                sum += Long.parseLong(m.group(1));
                any = true;
            }
        }
        return any ? sum : -1;
    }

    private static boolean isJvm(long pid) {
        try {
            String cmd = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
            String exe = cmd.split("\0", 2)[0];
            return exe.endsWith("java");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String jcmd(long pid, String command) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(jcmd, Long.toString(pid), command)))
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    boolean isBroker(int i) {
        return BROKER_PROCESS.equals(names.get(i));
    }

    boolean has(int mark) {
        return !pids.isEmpty() && samples[mark][0] != null;
    }

    long rssKb(int mark) {
        return sum(samples[mark]);
    }

    private static long sum(ProcStats.Sample[] marks) {
        long sum = 0;
        for (ProcStats.Sample s : marks) {
            if (s == null || s.rssKb() < 0) {
                return -1;
            }
            sum += s.rssKb();
        }
        return sum;
    }

    double cpu(int mark, int i) {
        ProcStats.Sample s = samples[mark][i];
        return s == null ? -1 : s.cpuSeconds();
    }
}

package io.stompgate.bench.loadtool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Entry point: parses options, runs one scenario in this process (or forks shard processes and
 * merges them), then prints a readable table and one JSON line. See {@link Options#HELP}.
 */
public final class LoadTool {

    private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
            StandardCharsets.UTF_8);
    private static final long T0 = System.nanoTime();
    private static volatile List<Process> children = List.of();
    private static volatile Options current;

    private LoadTool() {
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
            if (o.scenario.equals("help")) {
                OUT.print(Options.HELP);
                return;
            }
            if (o.scenario.equals("summarize")) {
                System.exit(Summarize.run(o, OUT));
                return;
            }
            if (!List.of("fanout", "latency", "amqp-latency", "connections", "user", "replay", "rooms").contains(o.scenario)) {
                throw new IllegalArgumentException("unknown scenario '" + o.scenario + "' (see --help)");
            }
            o.resolve();
        } catch (IllegalArgumentException e) {
            System.err.println("loadtool: " + e.getMessage());
            System.exit(2);
            return;
        }
        current = o;
        startWatchdog(o);
        int code;
        if (o.fork > 1 && !o.child) {
            code = runForked(o, args);
        } else {
            code = runHere(o);
        }
        System.exit(code);
    }

    static void log(String msg) {
        Options o = current;
        String who = o != null && o.child ? "[shard " + o.shard + "/" + o.shards + "] " : "";
        System.err.printf("%7.1fs %s%s%n", (System.nanoTime() - T0) / 1e9, who, msg);
    }

    /** A hard stop: whatever happens, the process ends after --max-time. */
    private static void startWatchdog(Options o) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep((long) (o.maxTime * 1000));
            } catch (InterruptedException e) {
                return;
            }
            log("max-time " + o.maxTime + "s reached: stopping");
            for (Process p : children) {
                p.destroyForcibly();
            }
            if (!o.child) {
                OUT.println(Json.write(Map.of("scenario", o.scenario, "label", o.label, "error", "max-time reached")));
            }
            Runtime.getRuntime().halt(3);
        }, "watchdog");
        t.setDaemon(true);
        t.start();
    }

    static Scenario create(Options o, Conn.Env env, Result r) {
        return switch (o.scenario) {
            case "fanout" -> new Fanout(o, env, r);
            case "latency" -> new Latency(o, env, r);
            case "amqp-latency" -> new AmqpLatency(o, env, r);
            case "connections" -> new Connections(o, env, r);
            case "user" -> new UserScenario(o, env, r);
            case "replay" -> new Replay(o, env, r);
            case "rooms" -> new Rooms(o, env, r);
            default -> throw new IllegalArgumentException(o.scenario);
        };
    }

    // ------------------------------------------------------------------ one process

    /** Opens and closes {@code --warm-connections} connections so the server's code paths are warm. */
    private static void warmConnections(Options o) {
        if (!o.scenario.equals("connections") || o.warmConnections <= 0 || o.child) {
            return;
        }
        Options w = o.sideRun(o.warmConnections, o.userPrefix + "warm");
        Conn.Env env = new Conn.Env(w);
        Connections c = new Connections(w, env, new Result());
        try {
            log("warming up with " + o.warmConnections + " connections");
            c.setup();
        } catch (Exception e) {
            log("warm-up connections failed: " + Scenario.describe(e));
        } finally {
            c.close();
            env.dispose();
        }
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int runHere(Options o) {
        Result result = new Result();
        Sampler sampler = new Sampler(o.child ? List.of() : o.serverPids, o.serverGc);
        warmConnections(o);
        sampler.mark(0);
        ProcStats.Sample self0 = ProcStats.self();
        ProcStats.Sample selfStart = self0;
        ProcStats.Sample selfEnd = null;
        Conn.Env env = new Conn.Env(o);
        Scenario s = create(o, env, result);
        log(o.scenario + (o.label.isEmpty() ? "" : " [" + o.label + "]") + " against "
                + (o.scenario.equals("amqp-latency") ? AmqpTarget.parse(o.amqpUri) : o.urls)
                + (o.shards > 1 ? " (shard " + o.shard + "/" + o.shards + ")" : ""));
        try {
            s.setup();
            long startNanos;
            if (o.child) {
                OUT.println("READY");
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
                String go = in.readLine();
                if (go == null || !go.startsWith("GO ")) {
                    throw new IllegalStateException("parent went away");
                }
                startNanos = Long.parseLong(go.substring(3).trim());
            } else {
                startNanos = System.nanoTime();
            }
            long windowStart = startNanos + (long) (o.warmup * 1e9);
            long windowEnd = windowStart + (long) (o.duration * 1e9);
            s.start(startNanos);
            if (o.warmup > 0) {
                log("warm-up " + o.warmup + "s");
            }
            sleepUntil(windowStart);
            s.windowStart();
            sampler.mark(1);
            selfStart = ProcStats.self();
            log("measuring " + o.duration + "s");
            sleepUntil(windowEnd, o.untilFile, s::finished);
            s.windowEnd();
            sampler.mark(2);
            selfEnd = ProcStats.self();
            s.stop();
            Thread.sleep((long) (o.drain * 1000));
            s.collect();
        } catch (Exception e) {
            log("failed: " + Scenario.describe(e));
            result.info("fatal", Scenario.describe(e));
            s.collect();
        } finally {
            log("closing");
            s.close();
            env.dispose();
        }
        markClosed(o, sampler);
        ProcStats.Sample selfClose = ProcStats.self();
        if (selfEnd == null) {
            selfEnd = selfClose;
        }
        result.count("tool_cpu_ms_window", Math.round((selfEnd.cpuSeconds() - selfStart.cpuSeconds()) * 1000));
        result.count("tool_cpu_ms_total", Math.round(selfClose.cpuSeconds() * 1000));
        result.count("tool_rss_kb_max", Math.max(0, selfEnd.rssKb()));
        result.count("tool_processes", 1);
        if (o.child) {
            OUT.println("RESULT " + result.toWire());
            return 0;
        }
        return report(o, result, sampler);
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        sleepUntil(nanos, null, () -> false);
    }

    /**
     * Sleeps until {@code nanos}, until {@code file} (when not null) exists, or until the scenario
     * says it is {@code finished} (checked every 2 ms).
     */
    private static void sleepUntil(long nanos, String file, java.util.function.BooleanSupplier finished)
            throws InterruptedException {
        long left;
        long nextFileCheck = 0;
        while ((left = nanos - System.nanoTime()) > 0 && !finished.getAsBoolean()) {
            if (file != null && System.nanoTime() >= nextFileCheck) {
                if (Files.exists(Path.of(file))) {
                    log(file + " exists: ending the window early");
                    return;
                }
                nextFileCheck = System.nanoTime() + 100_000_000L;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 2_000_000L));
        }
    }

    // ------------------------------------------------------------------ forked shards

    private static int runForked(Options o, String[] args) {
        Sampler sampler = new Sampler(o.serverPids, o.serverGc);
        warmConnections(o);
        sampler.mark(0);
        List<String> base = childCommand(o);
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String key = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            boolean hasValue = !a.contains("=") && !List.of("--raw", "--child", "--server-gc").contains(a) && a.startsWith("--");
            if (List.of("--fork", "--json-out", "--server-pid", "--fork-jvm-opts", "--max-time", "--server-gc", "--warm-connections").contains(key)) {
                if (hasValue) {
                    i++;
                }
                continue;
            }
            rest.add(a);
        }
        List<Process> procs = new ArrayList<>();
        Result merged = new Result();
        CountDownLatch ready = new CountDownLatch(o.fork);
        CountDownLatch done = new CountDownLatch(o.fork);
        long forkedAt = System.nanoTime();
        try {
            for (int k = 0; k < o.fork; k++) {
                List<String> cmd = new ArrayList<>(base);
                cmd.addAll(rest);
                cmd.addAll(List.of("--shard", k + "/" + o.fork, "--child", "--max-time", Double.toString(o.maxTime - 5)));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
                Process p = pb.start();
                procs.add(p);
                Thread reader = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            if (line.equals("READY")) {
                                ready.countDown();
                            } else if (line.startsWith("RESULT ")) {
                                merged.mergeWire(line.substring(7));
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        log("shard output: " + e);
                    } finally {
                        done.countDown();
                    }
                }, "shard-" + k);
                reader.setDaemon(true);
                reader.start();
            }
            children = procs;
            // If this process is stopped (Ctrl-C, TERM), its shards go too.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> procs.forEach(Process::destroyForcibly)));
            log("forked " + o.fork + " shards; waiting for them to connect");
            if (!ready.await((long) (o.setupTimeout + 30), TimeUnit.SECONDS)) {
                throw new IllegalStateException("shards not ready within the setup timeout");
            }
            merged.count("setup_wall_ms", (System.nanoTime() - forkedAt) / 1_000_000);
            log("all " + o.fork + " shards ready");
            long startNanos = System.nanoTime() + 20_000_000L;
            for (Process p : procs) {
                OutputStream os = p.getOutputStream();
                os.write(("GO " + startNanos + "\n").getBytes(StandardCharsets.US_ASCII));
                os.flush();
            }
            long windowStart = startNanos + (long) (o.warmup * 1e9);
            long windowEnd = windowStart + (long) (o.duration * 1e9);
            sleepUntil(windowStart);
            sampler.mark(1);
            sleepUntil(windowEnd);
            sampler.mark(2);
            if (!done.await((long) (o.drain + 60), TimeUnit.SECONDS)) {
                merged.info("fatal", "some shards did not finish");
            }
        } catch (Exception e) {
            log("failed: " + Scenario.describe(e));
            merged.info("fatal", Scenario.describe(e));
        } finally {
            for (Process p : procs) {
                try {
                    if (!p.waitFor(15, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
        markClosed(o, sampler);
        return report(o, merged, sampler);
    }

    /** With --server-gc: mark 3 once the servers have had 2 s to drop the closed sessions. */
    private static void markClosed(Options o, Sampler sampler) {
        if (!sampler.gc() || sampler.pids.isEmpty() || !o.scenario.equals("connections")) {
            return;
        }
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sampler.mark(3);
    }

    /** java [fork JVM options] -cp <this jar or classes> io.stompgate.bench.loadtool.LoadTool */
    private static List<String> childCommand(Options o) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(Arrays.stream(o.forkJvmOpts.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LoadTool.class.getName());
        return cmd;
    }

    // ------------------------------------------------------------------ output

    private static int report(Options o, Result r, Sampler sampler) {
        Map<String, Object> out = Report.build(o, r, sampler);
        OUT.print(Report.table(out));
        String json = Json.write(out);
        OUT.println(json);
        if (o.jsonOut != null) {
            try {
                Files.writeString(Path.of(o.jsonOut), json + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("cannot write " + o.jsonOut + ": " + e);
            }
        }
        return r.info.containsKey("fatal") ? 1 : 0;
    }
}

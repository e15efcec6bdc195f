package io.stompgate.bench.loadtool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's resident memory and CPU time from /proc (Linux): VmRSS from
 * {@code /proc/<pid>/status}, utime + stime from {@code /proc/<pid>/stat} in clock ticks
 * (CLK_TCK = 100 on Linux x86-64 and arm64).
 */
final class ProcStats {

    static final double CLK_TCK = 100.0;

    private ProcStats() {
    }

    /** A snapshot: {@code rssKb} and {@code cpuSeconds}, or -1 each if the process is gone. */
    record Sample(long rssKb, double cpuSeconds) {
        static final Sample MISSING = new Sample(-1, -1);
    }

    static Sample sample(long pid) {
        try {
            return new Sample(rssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status"))),
                    cpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
        } catch (IOException | RuntimeException e) {
            return Sample.MISSING;
        }
    }

    /** The process's name (/proc/<pid>/comm, e.g. {@code beam.smp}, {@code java}), or "" if unreadable. */
    static String name(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static Sample self() {
        return sample(ProcessHandle.current().pid());
    }

    /** VmRSS in kB from the text of /proc/pid/status. */
    static long rssKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String v = line.substring(6).trim();
                int sp = v.indexOf(' ');
                return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
            }
        }
        return -1;
    }

    /** (utime + stime) / CLK_TCK from the text of /proc/pid/stat; the name may hold spaces and ')'. */
    static double cpuSeconds(String stat) {
        String rest = stat.substring(stat.lastIndexOf(')') + 2);
        String[] f = rest.trim().split(" +");
        // rest starts at field 3 (state); utime is field 14, stime field 15 (1-based)
        long utime = Long.parseLong(f[14 - 3]);
        long stime = Long.parseLong(f[15 - 3]);
        return (utime + stime) / CLK_TCK;
    }
}

#!/usr/bin/env python3
"""Medians per configuration over the rounds of a bench/latency.sh run: latency from the scheduled
send time (p50/p90/p99/max), messages lost, and CPU-seconds per million messages sent in the window:
all servers (gateway nodes + RabbitMQ), RabbitMQ's beam.smp alone, the gateway nodes alone, and the
load tool's own.

usage: bench/latency_summary.py bench/results/latency-<time>/

Reads results.jsonl (the load tool's lines) and machine-runs.jsonl (load and busy cores per run).
RabbitMQ's CPU is its whole beam.smp: other clients of the same broker count in it too.
"""
import json
import os
import statistics
import sys
from pathlib import Path


def median(vs):
    vs = [v for v in vs if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0]
    return statistics.median(vs) if vs else None


def fmt(v, nd=2):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{nd}f}"


def main(run_dir):
    d = Path(run_dir)
    rows = [json.loads(l) for l in (d / "results.jsonl").read_text().splitlines() if l.startswith("{")]
    mpath = d / "machine-runs.jsonl"
    machine = [json.loads(l) for l in mpath.read_text().splitlines() if l.startswith("{")] if mpath.exists() else []
    labels = list(dict.fromkeys(r.get("label", "") for r in rows))
    cols = [("n", 3), ("p50 ms", 8), ("p90 ms", 8), ("p99 ms", 8), ("max ms", 8), ("lost", 6),
            ("srv CPU-s/M", 12), ("rmq CPU-s/M", 12), ("gw CPU-s/M", 11), ("tool CPU-s/M", 12),
            ("confirm p99", 11), ("load1", 6), ("busy", 5)]
    out = ["== cross-node latency at a fixed rate: medians over rounds",
           f"{'config':15}" + "".join(f" {name:>{w}}" for name, w in cols)]
    for label in labels:
        rs = [r for r in rows if r.get("label") == label]
        ok = [r for r in rs if "fatal" not in r and "error" not in r]
        ms = [m for m in machine if m.get("label") == label]
        vals = [
            str(len(ok)),
            fmt(median([r.get("p50_ms") for r in ok])),
            fmt(median([r.get("p90_ms") for r in ok])),
            fmt(median([r.get("p99_ms") for r in ok])),
            fmt(median([r.get("max_ms") for r in ok])),
            fmt(median([r.get("lost") for r in ok]), 0),
            fmt(median([r.get("server_cpu_s_per_million_messages") for r in ok]), 1),
            fmt(median([r.get("broker_cpu_s_per_million_messages") for r in ok]), 1),
            fmt(median([r.get("non_broker_cpu_s_per_million_messages") for r in ok]), 1),
            fmt(median([r.get("tool_cpu_s_per_million_messages") for r in ok]), 1),
            fmt(median([r.get("confirm_p99_ms") for r in ok])),
            fmt(median([(m["load1_before"] + m["load1_after"]) / 2 for m in ms]), 1),
            fmt(median([m.get("machine_busy_cores") for m in ms])),
        ]
        failed = len(rs) - len(ok)
        out.append(f"{label:15}" + "".join(f" {v:>{w}}" for v, (_, w) in zip(vals, cols))
                   + (f"  ({failed} failed)" if failed else ""))
    rates = sorted({r.get("rate") for r in rows if r.get("rate")})
    out.append("")
    out.append(f"rate {', '.join(fmt(x, 0) for x in rates)} msg/s, one publisher, one subscriber; latency from each message's")
    out.append("scheduled send time to its arrival (a stalled sender counts); lost: sent in the window, never arrived.")
    out.append("CPU-s/M: CPU-seconds per million messages sent in the window; srv = gateway nodes + RabbitMQ")
    out.append("(web-stomp, amqp: RabbitMQ only), rmq = RabbitMQ's beam.smp, gw = the gateway nodes; tool = the load")
    out.append("tool (STOMP/WebSocket client, or the AMQP client for amqp). confirm p99: amqp only, publisher confirm")
    out.append("from the scheduled send time. load1: 1-minute load average around the run; busy: the machine's busy")
    out.append(f"cores (all processes) over the run, of {os.cpu_count()}.")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])

#!/usr/bin/env python3
"""Medians per configuration over the rounds of a bench/nodequeue.sh or bench/history.sh run, with
the CPU split into the gateway nodes and RabbitMQ (the node-queue type changes RabbitMQ's work, not
the gateway's; a history topic changes both).

usage: bench/nodequeue_summary.py bench/results/nodequeue-<time>/   (or bench/results/history-<time>/)

Reads results.jsonl (the load tool's lines) and machine-runs.jsonl (load and busy cores per run).
RabbitMQ's CPU is its whole beam.smp: other clients of the same broker count in it too.
"""
import json
import statistics
import sys
from pathlib import Path


def median(vs):
    vs = [v for v in vs if v is not None]
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
    machine = [json.loads(l) for l in (d / "machine-runs.jsonl").read_text().splitlines() if l.startswith("{")]
    labels = list(dict.fromkeys(r["label"] for r in rows))
    # one machine line per tool run, appended right after its result line: pair them in order
    paired = []
    for key in dict.fromkeys((r["label"], r["scenario"]) for r in rows):
        rr = [r for r in rows if (r["label"], r["scenario"]) == key]
        mm = [m for m in machine if (m["label"], m["scenario"]) == key]
        paired += list(zip(rr, mm))
    groups = [("fanout", "receipt"), ("fanout", "echo"), ("latency", None)]
    out = []
    for scenario, pace in groups:
        if not any(r["scenario"] == scenario and (pace is None or r.get("pace", "receipt") == pace) for r in rows):
            continue
        out.append(f"== {scenario}" + (f" (pace {pace})" if pace else "") + ": medians over rounds")
        if scenario == "fanout":
            out.append(f"{'config':10} {'n':>2} {'delivered/s':>12} {'published/s':>12} {'gw cores':>9} "
                       f"{'rmq cores':>9} {'CPU s/M deliv':>13} {'rmq ms/1k pub':>13} {'dropped':>7} {'load1':>6} {'busy':>5}")
        else:
            out.append(f"{'config':10} {'n':>2} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lost':>5} "
                       f"{'gw cores':>9} {'rmq cores':>9} {'rmq ms/1k msg':>13} {'load1':>6} {'busy':>5}")
        for label in labels:
            rs = [r for r in rows if r["label"] == label and r["scenario"] == scenario
                  and (pace is None or r.get("pace", "receipt") == pace)]
            if not rs:
                continue
            ms = [m for r, m in paired if r in rs]
            gw, rmq, rmq_per_k = [], [], []
            for r in rs:
                pids = [p for p in str(r.get("server_pids", "")).split(",") if p]
                win = r.get("duration_s") or 1
                if len(pids) >= 3:
                    beam = r.get(f"pid_{pids[-1]}_cpu_s")
                    g = sum(r.get(f"pid_{p}_cpu_s", 0) for p in pids[:-1])
                    gw.append(g / win)
                    rmq.append(beam / win if beam is not None else None)
                    count = (r.get("published_per_s") or r.get("sent_per_s") or 0) * win
                    rmq_per_k.append(beam * 1e6 / count if beam is not None and count else None)
            load1 = median([(m["load1_before"] + m["load1_after"]) / 2 for m in ms])
            busy = median([m["machine_busy_cores"] for m in ms])
            if scenario == "fanout":
                out.append(f"{label:10} {len(rs):>2} {fmt(median([r.get('delivered_per_s') for r in rs])):>12} "
                           f"{fmt(median([r.get('published_per_s') for r in rs])):>12} {fmt(median(gw)):>9} "
                           f"{fmt(median(rmq)):>9} {fmt(median([r.get('server_cpu_s_per_million_delivered') for r in rs])):>13} "
                           f"{fmt(median(rmq_per_k)):>13} {fmt(median([r.get('dropped_while_running') for r in rs]), 0):>7} "
                           f"{fmt(load1, 1):>6} {fmt(busy):>5}")
            else:
                out.append(f"{label:10} {len(rs):>2} {fmt(median([r.get('p50_ms') for r in rs])):>8} "
                           f"{fmt(median([r.get('p90_ms') for r in rs])):>8} {fmt(median([r.get('p99_ms') for r in rs])):>8} "
                           f"{fmt(median([r.get('max_ms') for r in rs])):>8} {fmt(median([r.get('lost') for r in rs]), 0):>5} "
                           f"{fmt(median(gw)):>9} {fmt(median(rmq)):>9} {fmt(median(rmq_per_k)):>13} "
                           f"{fmt(load1, 1):>6} {fmt(busy):>5}")
        out.append("")
    replay = [r for r in rows if r["scenario"] == "replay"]
    if replay:
        out.append("== replay (x-stream-offset: first, one reader): medians over rounds")
        out.append(f"{'config':10} {'n':>2} {'messages':>9} {'complete':>8} {'replayed/s':>11} {'replay s':>9} "
                   f"{'1st msg ms':>10} {'published/s':>11} {'disorder':>8} {'gw cores':>9} {'rmq cores':>9} "
                   f"{'load1':>6} {'busy':>5}")
        for label in labels:
            rs = [r for r in replay if r["label"] == label]
            if not rs:
                continue
            ms = [m for r, m in paired if r in rs]
            gw, rmq = [], []
            for r in rs:
                pids = [p for p in str(r.get("server_pids", "")).split(",") if p]
                win = r.get("replay_s") or 0
                if not pids or not win:
                    continue
                gw_pids, beam = (pids[:-1], pids[-1]) if len(pids) >= 3 else (pids, None)
                gw.append(sum(r.get(f"pid_{p}_cpu_s", 0) for p in gw_pids) / win)
                if beam is not None and r.get(f"pid_{beam}_cpu_s") is not None:
                    rmq.append(r[f"pid_{beam}_cpu_s"] / win)
            out.append(f"{label:10} {len(rs):>2} {fmt(median([r.get('messages') for r in rs]), 0):>9} "
                       f"{sum(1 for r in rs if r.get('replay_complete')):>5}/{len(rs):<2} "
                       f"{fmt(median([r.get('replayed_per_s') for r in rs if r.get('replay_complete')])):>11} "
                       f"{fmt(median([r.get('replay_s') for r in rs if r.get('replay_complete')])):>9} "
                       f"{fmt(median([r.get('first_message_ms') for r in rs])):>10} "
                       f"{fmt(median([r.get('published_per_s') for r in rs])):>11} "
                       f"{fmt(median([r.get('out_of_order') for r in rs]), 0):>8} {fmt(median(gw)):>9} {fmt(median(rmq)):>9} "
                       f"{fmt(median([(m['load1_before'] + m['load1_after']) / 2 for m in ms]), 1):>6} "
                       f"{fmt(median([m['machine_busy_cores'] for m in ms])):>5}")
        out.append("replay: cores over the replay (SUBSCRIBE to the last message); published/s: the set-up's")
        out.append("RECEIPT-paced publishing of the same messages (at most 200 in flight); disorder: messages not")
        out.append("in sequence (gap, duplicate or reordering).")
        out.append("")
    out.append("gw/rmq cores: CPU of both gateway nodes / of RabbitMQ in the measured window; rmq ms/1k: RabbitMQ's")
    out.append("CPU-milliseconds per 1,000 messages published; load1: the 1-minute load average around the run;")
    out.append("busy: the machine's busy cores (all processes) over the run, of " + str(__import__("os").cpu_count()) + ".")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])

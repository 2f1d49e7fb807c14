#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a psctl Prometheus export: the text format as node_exporter's
textfile collector reads it, and the families and labels psmon promises.

    promcheck.py FILE        exit 0 when FILE is a complete export
    promcheck.py --loop FILE STOPFILE STARTFILE
                             create STARTFILE, then read FILE over and over
                             until STOPFILE exists;
                             print the number of reads, exit 1 at the first
                             read that is not a complete export
"""
import os
import re
import sys

# The contract's families: type and label names.
CONTRACT = {
    "psmon_prefix_receive_bytes_total": ("counter", ["prefix", "name", "lag"]),
    "psmon_prefix_receive_packets_total": ("counter", ["prefix", "name", "lag"]),
    "psmon_prefix_transmit_bytes_total": ("counter", ["prefix", "name", "lag"]),
    "psmon_prefix_transmit_packets_total": ("counter", ["prefix", "name", "lag"]),
    "psmon_lag_speed_bytes": ("gauge", ["lag"]),
    "psmon_lag_utilization_ratio": ("gauge", ["lag", "direction"]),
    "psmon_lag_alert": ("gauge", ["lag"]),
    "psmon_lag_alert_since_timestamp_seconds": ("gauge", ["lag"]),
    "psmon_lag_augmentation_deadline_timestamp_seconds": ("gauge", ["lag", "bound"]),
    "psmon_lag_member_info": ("gauge", ["lag", "device"]),
    "psmon_lag_active_speed_bytes": ("gauge", ["lag"]),
    "psmon_lag_degraded": ("gauge", ["lag"]),
    "psmon_lag_projected_crossing_timestamp_seconds": ("gauge", ["lag"]),
    "psmon_prefix_info": ("gauge", ["prefix", "name"]),
    "psmon_state_healthy": ("gauge", []),
}
# Exports from a network namespace other than the initial one add it.
OPTIONAL = {"netns"}
LAST = "psmon_export_timestamp_seconds"

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r"^(%s)(\{((?:%s,?)*)\})? (\S+)$" % (NAME, LABEL))
LABELS = re.compile(LABEL)


def unescape(v):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def parse(text):
    """{family: {"type", "help", "samples": [(labels dict, value)]}}, or raise."""
    if not text.endswith("\n"):
        raise ValueError("does not end with a newline")
    fams, order, cur = {}, [], None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            if name in fams:
                raise ValueError("line %d: family %s twice" % (n, name))
            fams[name] = {"help": line.split(" ", 3)[3], "type": None, "samples": []}
            order.append(name)
            cur = name
        elif line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ")
            if name != cur or fams[name]["type"]:
                raise ValueError("line %d: TYPE without its HELP" % n)
            fams[name]["type"] = typ
        elif line.startswith("#") or not line:
            raise ValueError("line %d: unexpected %r" % (n, line))
        else:
            m = SAMPLE.match(line)
            if not m:
                raise ValueError("line %d: not a sample (or has a timestamp): %r" % (n, line))
            if m.group(1) != cur or not fams[cur]["type"]:
                raise ValueError("line %d: sample outside its family" % n)
            float(m.group(6))
            labels = {k: unescape(v) for k, v in LABELS.findall(m.group(3) or "")}
            fams[cur]["samples"].append((labels, m.group(6)))
    if not order or order[-1] != LAST or len(fams[LAST]["samples"]) != 1:
        raise ValueError("the last family is not %s" % LAST)
    for name, (typ, labels) in CONTRACT.items():
        if name not in fams:
            raise ValueError("family %s missing" % name)
        if fams[name]["type"] != typ:
            raise ValueError("%s is a %s" % (name, fams[name]["type"]))
        for lab, _ in fams[name]["samples"]:
            if sorted(set(lab) - OPTIONAL) != sorted(labels):
                raise ValueError("%s has labels %s" % (name, sorted(lab)))
    return fams


def main():
    if sys.argv[1] == "--loop":
        path, stop = sys.argv[2], sys.argv[3]
        open(sys.argv[4], "w").close()
        reads = 0
        while not os.path.exists(stop):
            try:
                with open(path) as f:
                    text = f.read()
            except FileNotFoundError:
                continue
            try:
                parse(text)
            except ValueError as e:
                print("read %d: %s" % (reads + 1, e))
                return 1
            reads += 1
        print(reads)
        return 0
    with open(sys.argv[1]) as f:
        try:
            parse(f.read())
        except ValueError as e:
            print(e)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

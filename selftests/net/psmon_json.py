#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pick values out of psctl's JSON output for the shell selftests.

    psctl -j -s prefix show | psmon_json.py get prefix=198.51.100.0/24 rx_packets
    psctl -j -s lag show    | psmon_json.py get dev=bond0 members '*' rx_packets
    psctl -j prefix show    | psmon_json.py get '#'

Each argument after "get" is one step of the path:
  N          element N of an array (0-based)
  KEY=VALUE  the element of an array whose KEY equals VALUE (exactly one)
  '*'        every element of an array (values printed one a line)
  '#'        the length of the array or object reached so far
  KEY        member KEY of an object

Values are printed as psctl wrote them: integers and strings bare, true,
false and null as in JSON, objects and arrays as compact JSON.  A missing
step prints a message on standard error and exits 1, so that a shell
assertion sees an empty value.

  A,B,C      members A, B and C of an object, printed on one line
             separated by spaces (last step only)
  ?EXPR      the value of the python expression EXPR, with v the value
             reached so far (for sums over members and the like)

"sum" is "get" followed by the sum of the values reached (integers).

"serve PSCTL" answers requests on standard input, one a line, so that a
test pays for starting python once (process start-up is slow under
emulation).  A request is tab-separated: OP (get or sum), then psctl's
arguments separated by spaces, then the steps.  psmon_json.py runs
"PSCTL ARGS" and answers "OK N" followed by N lines of values, or
"ERR MESSAGE" on one line when psctl fails, its output is not JSON or a
step is missing.
"""

import json
import subprocess
import sys


def fmt(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def step(values, s):
    out = []
    for v in values:
        if s.startswith("?"):
            try:
                out.append(eval(s[1:], {"v": v}))
            except Exception as e:  # a test's own expression
                raise KeyError("%s: %s" % (s[1:], e))
        elif s == "#":
            if not isinstance(v, (list, dict)):
                raise KeyError("'#' on a scalar")
            out.append(len(v))
        elif s == "*":
            if not isinstance(v, list):
                raise KeyError("'*' on a non-array")
            out.extend(v)
        elif isinstance(v, list) and s.lstrip("-").isdigit():
            out.append(v[int(s)])
        elif isinstance(v, list) and "=" in s:
            key, want = s.split("=", 1)
            hits = [e for e in v if isinstance(e, dict) and fmt(e.get(key)) == want]
            if len(hits) != 1:
                raise KeyError("%d elements with %s" % (len(hits), s))
            out.append(hits[0])
        elif isinstance(v, dict) and "," in s:
            keys = s.split(",")
            missing = [k for k in keys if k not in v]
            if missing:
                raise KeyError("no key %s" % missing[0])
            out.append(" ".join(fmt(v[k]) for k in keys))
        elif isinstance(v, dict):
            if s not in v:
                raise KeyError("no key %s" % s)
            out.append(v[s])
        else:
            raise KeyError("cannot apply %s" % s)
    return out


def walk(op, text, steps):
    """Apply steps to the JSON text; return the lines to print."""
    values = [json.loads(text)]
    for s in steps:
        values = step(values, s)
    if op == "sum":
        return [str(sum(int(v) for v in values))]
    return [fmt(v) for v in values]


def serve(psctl):
    for line in sys.stdin:
        fields = line.rstrip("\n").split("\t")
        op, args, steps = fields[0], fields[1].split(), fields[2:]
        try:
            p = subprocess.run([psctl] + args, capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError("psctl %s: exit status %d: %s" %
                                   (" ".join(args), p.returncode,
                                    p.stderr.strip().replace("\n", " | ")))
            try:
                lines = walk(op, p.stdout, steps)
            except ValueError as e:
                raise RuntimeError("psctl %s: not JSON (%s): %r" %
                                   (" ".join(args), e, p.stdout[:200]))
            except (KeyError, IndexError) as e:
                raise RuntimeError("psctl %s: %s: %s" %
                                   (" ".join(args), " ".join(steps), e))
            reply = ["OK %d" % len(lines)] + lines
        except (RuntimeError, OSError) as e:
            reply = ["ERR %s" % str(e).replace("\n", " ")]
        sys.stdout.write("\n".join(reply) + "\n")
        sys.stdout.flush()
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "serve":
        return serve(argv[2])
    if len(argv) < 2 or argv[1] not in ("get", "sum"):
        sys.stderr.write("usage: psmon_json.py get|sum STEP... | serve PSCTL\n")
        return 2
    text = sys.stdin.read()
    try:
        lines = walk(argv[1], text, argv[2:])
    except ValueError as e:
        sys.stderr.write("psmon_json.py: not JSON (%s): %r\n" % (e, text[:200]))
        return 1
    except (KeyError, IndexError) as e:
        sys.stderr.write("psmon_json.py: %s: %s\n" % (" ".join(argv[2:]), e))
        return 1
    for v in lines:
        print(v)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

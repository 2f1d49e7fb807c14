#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#
# Check that the YNL spec of the psmon family and the UAPI header agree.
#
# The C names and values are derived from the spec with the rules of the
# kernel's YNL C generator (tools/net/ynl): attribute and operation values
# start at 1 unless given, enum definitions start at value-start (0), the
# default prefixes are "<family>-a-<set>-" and "<family>-cmd-", and the
# count and max names are "__<prefix>MAX" and "<prefix>MAX". The header's
# enums and defines are parsed with regular expressions; the two must hold
# the same names with the same values, in the same order.
#
# The spec is also checked for what a code generator would trip on or the
# kernel policy would get wrong: references to sets and enums that do not
# exist, checks that do not fit the attribute type, 64-bit attributes
# without a pad attribute, undocumented definitions, attributes and
# operations, notifications without a multicast group (or groups no
# notification uses), and a header comment that names a different type,
# range, operation mode or multicast group than the spec.
#
# Output is TAP. Exit status: 0 all passed, 1 a test failed, 4 skipped
# (python3-yaml missing).
#
# Usage: check-spec.py [SPEC [HEADER]]

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(HERE, 'psmon.yaml')
DEFAULT_HEADER = os.path.join(HERE, '..', '..', 'kmod', 'uapi', 'linux',
                              'psmon.h')

KSFT_SKIP = 4

SCALARS = {'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
           'uint', 'sint'}
TYPES = SCALARS | {'unused', 'pad', 'flag', 'binary', 'string', 'nest'}
CHECKS_FOR = {
    'scalar': {'min', 'max', 'flags-mask'},
    'binary': {'min-len', 'max-len', 'exact-len'},
    'string': {'max-len', 'exact-len', 'unterminated-ok'},
}
OP_FLAGS = {'admin-perm', 'uns-admin-perm'}
TYPE_MAX = {'u8': 255, 'u16': 65535, 'u32': 2**32 - 1, 'u64': 2**64 - 1}


def c_upper(name):
    return name.upper().replace('-', '_')


def c_lower(name):
    return name.lower().replace('-', '_')


class Tap:
    def __init__(self):
        self.tests = []

    def check(self, desc, problems):
        """Record one test; problems is a list of strings, empty if ok."""
        self.tests.append((desc, list(problems)))

    def finish(self):
        print('TAP version 13')
        print(f'1..{len(self.tests)}')
        failed = 0
        for n, (desc, problems) in enumerate(self.tests, 1):
            if problems:
                failed += 1
                print(f'not ok {n} - {desc}')
                for p in problems:
                    print(f'# {p}')
            else:
                print(f'ok {n} - {desc}')
        print(f'# {len(self.tests) - failed} passed, {failed} failed')
        return 1 if failed else 0


# ---------------------------------------------------------------- header

def strip_c_comments(text, keep=False):
    if keep:
        return text
    return re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)


def parse_header(path):
    """Return (enums, defines, comments).

    enums: {enum name: [(entry, value), ...]} in source order, values
    resolved the C way; defines: {name: replacement text};
    comments: {entry: text of the comment on its line}.
    """
    with open(path) as f:
        raw = f.read()

    comments = {}
    for m in re.finditer(r'^\s*([A-Z][A-Z0-9_]*)\s*(?:=[^,]*)?,\s*'
                         r'/\*\s*(.*?)\s*\*/', raw, flags=re.M):
        comments[m.group(1)] = m.group(2)

    text = strip_c_comments(raw)
    defines = {}
    for m in re.finditer(r'^\s*#\s*define\s+(\w+)[ \t]+(.+?)\s*$', text,
                         flags=re.M):
        defines[m.group(1)] = m.group(2)

    enums = {}
    anon = 0
    for m in re.finditer(r'\benum\s+(\w+)?\s*\{(.*?)\}\s*;', text,
                         flags=re.S):
        name = m.group(1)
        if name is None:
            anon += 1
            name = f'<anonymous #{anon}>'
        entries = []
        val = 0
        known = {}
        for item in m.group(2).split(','):
            item = item.strip()
            if not item:
                continue
            em = re.fullmatch(r'(\w+)\s*(?:=\s*(.+))?', item, flags=re.S)
            if not em:
                raise ValueError(f'enum {name}: cannot parse "{item}"')
            if em.group(2) is not None:
                val = c_eval(em.group(2), {**known, **defines_int(defines)})
            entries.append((em.group(1), val))
            known[em.group(1)] = val
            val += 1
        enums[name] = entries
    return enums, defines, comments


def defines_int(defines):
    out = {}
    for k, v in defines.items():
        if re.fullmatch(r'\(?\s*-?\d+\s*\)?', v):
            out[k] = int(v.strip('() '))
    return out


def c_eval(expr, names):
    """Evaluate a small C integer expression: numbers, names, + - ( )."""
    expr = expr.strip()
    if not re.fullmatch(r'[\w\s+\-()]+', expr):
        raise ValueError(f'unsupported expression "{expr}"')

    def sub(m):
        tok = m.group(0)
        if tok.isdigit() or re.fullmatch(r'0[xX][0-9a-fA-F]+', tok):
            return str(int(tok, 0))
        if tok in names:
            return str(names[tok])
        raise ValueError(f'unknown name "{tok}" in "{expr}"')
    return eval(re.sub(r'\b\w+\b', sub, expr), {'__builtins__': {}})


# ------------------------------------------------------------------ spec

class Spec:
    """The C view of a spec, following the YNL generator's rules."""

    def __init__(self, y):
        self.y = y
        self.name = y['name']
        self.max_by_define = bool(y.get('max-by-define', False))
        self.consts = {d['name']: d for d in y.get('definitions', [])}
        self.sets = {s['name']: s for s in y['attribute-sets']}

    def mcgrps(self):
        return self.y.get('mcast-groups', {}).get('list', [])

    def mcgrp_define(self, grp):
        return c_upper(grp.get('c-define-name',
                               f"{self.name}-mcgrp-{grp['name']}"))

    def family_defines(self):
        fam = c_upper(self.y.get('c-family-name',
                                 self.name + '_FAMILY_NAME'))
        ver = c_upper(self.y.get('c-version-name',
                                 self.name + '_FAMILY_VERSION'))
        out = [(fam, f'"{self.name}"'), (ver, str(self.y.get('version', 1)))]
        for grp in self.mcgrps():
            out.append((self.mcgrp_define(grp), f'"{grp["name"]}"'))
        for d in self.y.get('definitions', []):
            if d['type'] == 'const':
                pfx = d.get('name-prefix', f'{self.name}-')
                out.append((c_upper(pfx + d['name']), str(d['value'])))
        return out

    def enum_defs(self):
        """[(enum name, [(entry, value)])] for enum definitions."""
        out = []
        for d in self.y.get('definitions', []):
            if d['type'] not in ('enum', 'flags'):
                continue
            ename = d.get('enum-name', f"{self.name}-{d['name']}")
            pfx = d.get('name-prefix', f"{self.name}-{d['name']}-")
            val = d.get('value-start', 0)
            entries = []
            for e in d['entries']:
                if isinstance(e, dict):
                    val = e.get('value', val)
                    ename_e = e['name']
                else:
                    ename_e = e
                v = (1 << val) if d['type'] == 'flags' else val
                entries.append((c_upper(pfx + ename_e), v))
                val += 1
            out.append((c_lower(ename) if ename else None, entries,
                        d.get('render-max', False), pfx))
        return out

    def set_prefix(self, s):
        if 'name-prefix' in s:
            return s['name-prefix']
        if s['name'] == self.name:
            return f'{self.name}-a-'
        return f"{self.name}-a-{s['name']}-"

    def attr_enum(self, s):
        """(enum name, entries, cnt name, max name) of an attribute set."""
        pfx = self.set_prefix(s)
        val = 1
        entries = []
        for a in s['attributes']:
            val = a.get('value', val)
            entries.append((c_upper(a.get('name-prefix', pfx) + a['name']),
                            val))
            val += 1
        cnt = c_upper(s.get('attr-cnt-name', f'__{pfx}max'))
        mx = c_upper(s.get('attr-max-name', f'{pfx}max'))
        ename = s.get('enum-name')
        return (c_lower(ename) if ename else None), entries, cnt, mx

    def op_enum(self):
        ops = self.y['operations']
        pfx = ops.get('name-prefix', f'{self.name}-cmd-')
        val = 1
        entries = []
        for op in ops['list']:
            val = op.get('value', val)
            entries.append((c_upper(pfx + op['name']), val))
            val += 1
        cnt = c_upper(self.y.get('cmd-cnt-name', f'__{pfx}max'))
        mx = c_upper(self.y.get('cmd-max-name', f'{pfx}max'))
        ename = ops.get('enum-name')
        return (c_lower(ename) if ename else None), entries, cnt, mx


def compare_enum(what, spec_name, spec_entries, cnt, mx, max_by_define,
                 enums, defines):
    problems = []
    if spec_name is None:
        return [f'{what}: no enum-name in the spec; the header names its '
                'enums']
    if spec_name not in enums:
        return [f'{what}: enum {spec_name} not in the header']
    hdr = enums[spec_name]
    want = list(spec_entries)
    if cnt is not None:
        want.append((cnt, want[-1][1] + 1 if want else 0))
        if not max_by_define:
            want.append((mx, want[-1][1] - 1))
    if hdr != want:
        hn = [e[0] for e in hdr]
        wn = [e[0] for e in want]
        for e in want:
            if e not in hdr:
                problems.append(f'{what}: header lacks {e[0]} = {e[1]}')
        for e in hdr:
            if e not in want:
                problems.append(f'{what}: spec lacks {e[0]} = {e[1]}')
        if not problems and hn != wn:
            problems.append(f'{what}: order differs: header {hn}, '
                            f'spec {wn}')
    if cnt is not None and max_by_define:
        got = defines.get(mx)
        if got is None:
            problems.append(f'{what}: #define {mx} missing')
        elif re.sub(r'\s+', '', got) != f'({cnt}-1)':
            problems.append(f'{what}: #define {mx} is "{got}", want '
                            f'"({cnt} - 1)"')
    return problems


# ------------------------------------------------------ spec consistency

def check_references(spec):
    problems = []
    consts = spec.consts
    for s in spec.y['attribute-sets']:
        for a in s['attributes']:
            where = f"{s['name']}.{a['name']}"
            if a.get('type') not in TYPES:
                problems.append(f'{where}: unknown type {a.get("type")}')
            if a.get('type') == 'nest':
                ref = a.get('nested-attributes')
                if ref not in spec.sets:
                    problems.append(f'{where}: nested-attributes "{ref}" '
                                    'is not an attribute set')
            elif 'nested-attributes' in a:
                problems.append(f'{where}: nested-attributes on a '
                                f'{a["type"]}')
            if 'enum' in a:
                d = consts.get(a['enum'])
                if not d or d['type'] not in ('enum', 'flags'):
                    problems.append(f'{where}: enum "{a["enum"]}" is not '
                                    'an enum definition')
    names = {}
    for s in spec.y['attribute-sets']:
        seen = set()
        for a in s['attributes']:
            if a['name'] in seen:
                problems.append(f"{s['name']}: attribute {a['name']} "
                                'defined twice')
            seen.add(a['name'])
        names[s['name']] = seen
    ops = {op['name']: op for op in spec.y['operations']['list']}
    for op in spec.y['operations']['list']:
        aset = op.get('attribute-set')
        lists = []
        for mode in ('do', 'dump'):
            for part in ('request', 'reply'):
                attrs = op.get(mode, {}).get(part, {}).get('attributes', [])
                lists.append((f'{mode} {part}', attrs))
        lists.append(('event', op.get('event', {}).get('attributes', [])))
        for where, attrs in lists:
            for an in attrs:
                if aset not in names or an not in names[aset]:
                    problems.append(f"{op['name']} {where}: "
                                    f'"{an}" not in set "{aset}"')
        for flag in op.get('flags', []):
            if flag not in OP_FLAGS:
                problems.append(f"{op['name']}: unknown flag {flag}")
        if 'notify' in op:
            target = ops.get(op['notify'])
            if target is None:
                problems.append(f"{op['name']}: notify names no operation "
                                f"\"{op['notify']}\"")
            elif not (target.get('do', {}).get('reply') or
                      target.get('dump', {}).get('reply')):
                problems.append(f"{op['name']}: notify names "
                                f"{op['notify']}, which has no reply")
    return problems


def op_kinds(op):
    """The modes of an operation: do, dump, notification."""
    kinds = [m for m in ('do', 'dump') if m in op]
    if 'event' in op or 'notify' in op:
        kinds.append('notification')
    return kinds


def check_notifications(spec):
    """Every operation is a request or a notification on a known group."""
    problems = []
    groups = {g['name'] for g in spec.mcgrps()}
    used = set()
    for op in spec.y['operations']['list']:
        name = op['name']
        kinds = op_kinds(op)
        if op.get('value') == 0 and not kinds:
            continue                    # the reserved unspec command
        if not kinds:
            problems.append(f'{name}: neither do, dump, event nor notify')
            continue
        if 'event' in op and 'notify' in op:
            problems.append(f'{name}: both event and notify')
        if 'notification' not in kinds:
            if 'mcgrp' in op:
                problems.append(f'{name}: mcgrp on a request')
            continue
        if 'do' in op or 'dump' in op:
            problems.append(f'{name}: a notification with do or dump')
        if op.get('flags'):
            problems.append(f'{name}: flags {op["flags"]} on a '
                            'notification')
        if 'mcgrp' not in op:
            problems.append(f'{name}: notification without mcgrp')
        elif op['mcgrp'] not in groups:
            problems.append(f'{name}: mcgrp "{op["mcgrp"]}" is not a '
                            'multicast group')
        else:
            used.add(op['mcgrp'])
    for g in sorted(groups - used):
        problems.append(f'multicast group {g}: no notification uses it')
    return problems


def check_checks(spec):
    problems = []
    for s in spec.y['attribute-sets']:
        for a in s['attributes']:
            checks = a.get('checks', {})
            if not checks:
                continue
            where = f"{s['name']}.{a['name']}"
            t = a['type']
            kind = 'scalar' if t in SCALARS else t
            allowed = CHECKS_FOR.get(kind, set())
            for k in checks:
                if k not in allowed:
                    problems.append(f'{where}: check "{k}" does not apply '
                                    f'to type {t}')
            lo, hi = checks.get('min'), checks.get('max')
            for k, v in (('min', lo), ('max', hi)):
                if v is None:
                    continue
                if not isinstance(v, int):
                    problems.append(f'{where}: {k} is not a number')
                elif t in TYPE_MAX and not 0 <= v <= TYPE_MAX[t]:
                    problems.append(f'{where}: {k} {v} does not fit {t}')
            if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
                problems.append(f'{where}: min {lo} > max {hi}')
            mnl, mxl = checks.get('min-len'), checks.get('max-len')
            if isinstance(mnl, int) and isinstance(mxl, int) and mnl > mxl:
                problems.append(f'{where}: min-len {mnl} > max-len {mxl}')
    return problems


def check_pad(spec):
    problems = []
    for s in spec.y['attribute-sets']:
        pads = [a['name'] for a in s['attributes'] if a['type'] == 'pad']
        wide = [a['name'] for a in s['attributes']
                if a['type'] in ('u64', 's64')]
        if len(pads) > 1:
            problems.append(f"{s['name']}: more than one pad attribute")
        if wide and not pads:
            problems.append(f"{s['name']}: 64-bit attributes {wide} but "
                            'no pad attribute')
    return problems


def check_docs(spec):
    problems = []
    if not spec.y.get('doc'):
        problems.append('family: no doc')
    for d in spec.y.get('definitions', []):
        if not str(d.get('doc', '')).strip():
            problems.append(f"definition {d['name']}: no doc")
    for s in spec.y['attribute-sets']:
        for a in s['attributes']:
            if a['type'] in ('unused', 'pad'):
                continue
            if not str(a.get('doc', '')).strip():
                problems.append(f"{s['name']}.{a['name']}: no doc")
    for op in spec.y['operations']['list']:
        if not str(op.get('doc', '')).strip():
            problems.append(f"operation {op['name']}: no doc")
    return problems


def check_comments(spec, comments):
    """The header comment of an attribute names its type and range."""
    problems = []
    by_enum = {}
    for s in spec.y['attribute-sets']:
        ename, entries, _, _ = spec.attr_enum(s)
        if ename:
            by_enum[ename] = s['name']
    for s in spec.y['attribute-sets']:
        _, entries, _, _ = spec.attr_enum(s)
        for a, (cname, _) in zip(s['attributes'], entries):
            text = comments.get(cname)
            if text is None:
                continue
            where = f"{s['name']}.{a['name']} ({cname})"
            first = re.split(r'[,;\s]', text, maxsplit=1)[0]
            if first in TYPES and first != a['type']:
                problems.append(f'{where}: header says {first}, spec says '
                                f"{a['type']}")
            m = re.search(r'\bnest,\s*(\w+)', text)
            if m:
                want = by_enum.get(m.group(1))
                if want != a.get('nested-attributes'):
                    problems.append(f'{where}: header nests {m.group(1)}, '
                                    'spec nests '
                                    f"{a.get('nested-attributes')}")
            if re.search(r'\brepeated\b', text) and not a.get('multi-attr'):
                problems.append(f'{where}: header says repeated, spec has '
                                'no multi-attr')
            m = re.search(r'\b(\d+)\.\.(\d+)\b', text)
            if m:
                lo, hi = int(m.group(1)), int(m.group(2))
                ch = a.get('checks', {})
                floor = 0 if a['type'].startswith('u') else None
                if (ch.get('min', floor), ch.get('max')) != (lo, hi):
                    problems.append(f'{where}: header says {lo}..{hi}, spec '
                                    f"checks min {ch.get('min')} max "
                                    f"{ch.get('max')}")
            m = re.search(r'\benum (\w+)', text)
            if m:
                d = spec.consts.get(a.get('enum', ''), {})
                en = c_lower(d.get('enum-name',
                                   f"{spec.name}-{d.get('name', '')}"))
                if en != m.group(1):
                    problems.append(f'{where}: header says enum '
                                    f'{m.group(1)}, spec says {en}')
    return problems


def check_op_comments(spec, comments):
    """The header comment of a command names its modes and group.

    "do: ...", "do, dump: ..." or "notification on PSMON_MCGRP_X".
    """
    problems = []
    _, entries, _, _ = spec.op_enum()
    groups = {g['name']: g for g in spec.mcgrps()}
    for op, (cname, _) in zip(spec.y['operations']['list'], entries):
        text = comments.get(cname)
        if text is None:
            continue
        kinds = op_kinds(op)
        m = re.match(r'((?:do|dump)(?:\s*,\s*(?:do|dump))*)\s*:', text)
        if m:
            said = re.split(r'\s*,\s*', m.group(1))
            if said != kinds:
                problems.append(f'{cname}: header says {", ".join(said)}, '
                                f'spec has {", ".join(kinds) or "none"}')
        m = re.match(r'notification on (\w+)', text)
        if m:
            grp = groups.get(op.get('mcgrp'))
            want = spec.mcgrp_define(grp) if grp else None
            if kinds != ['notification']:
                problems.append(f'{cname}: header says notification, spec '
                                f'has {", ".join(kinds) or "none"}')
            elif m.group(1) != want:
                problems.append(f'{cname}: header says {m.group(1)}, spec '
                                f'sends on {want or "no group"}')
    return problems


def check_name_size(spec, defines):
    """String max-len leaves room for the NUL within PSMON_NAME_SIZE."""
    problems = []
    size = defines_int(defines).get(c_upper(f'{spec.name}-name-size'))
    if size is None:
        return [f'{c_upper(spec.name)}_NAME_SIZE not defined']
    a = next((a for a in spec.sets.get('prefix', {}).get('attributes', [])
              if a['name'] == 'name'), None)
    if a is None:
        return ['prefix.name missing']
    if a.get('checks', {}).get('max-len') != size - 1:
        problems.append(f"prefix.name max-len {a['checks'].get('max-len')}"
                        f', want {size - 1} (name size {size} with the NUL)')
    return problems


# ------------------------------------------------------------------ main

def main(argv):
    spec_path = argv[1] if len(argv) > 1 else DEFAULT_SPEC
    header_path = argv[2] if len(argv) > 2 else DEFAULT_HEADER

    try:
        import yaml
    except ImportError:
        print('TAP version 13')
        print('1..0 # SKIP python3-yaml is not installed')
        return KSFT_SKIP

    tap = Tap()
    with open(spec_path) as f:
        y = yaml.safe_load(f)
    spec = Spec(y)
    enums, defines, comments = parse_header(header_path)

    problems = []
    for name, value in spec.family_defines():
        got = defines.get(name)
        if got is None:
            problems.append(f'#define {name} missing from the header')
        elif got != value:
            problems.append(f'#define {name} is {got}, spec gives {value}')
    tap.check('family name, version, multicast groups and constants',
              problems)

    covered = set()
    for ename, entries, render_max, pfx in spec.enum_defs():
        cnt = None
        if render_max:
            cnt = c_upper(f'__{pfx}max')
        tap.check(f'definition enum {ename}',
                  compare_enum(f'enum {ename}', ename, entries, cnt,
                               c_upper(f'{pfx}max'), spec.max_by_define,
                               enums, defines))
        covered.add(ename)

    ename, entries, cnt, mx = spec.op_enum()
    tap.check(f'operations enum {ename}',
              compare_enum(f'enum {ename}', ename, entries, cnt, mx,
                           spec.max_by_define, enums, defines))
    covered.add(ename)

    for s in y['attribute-sets']:
        if 'subset-of' in s:
            continue
        ename, entries, cnt, mx = spec.attr_enum(s)
        tap.check(f"attribute set {s['name']} = enum {ename}",
                  compare_enum(f"set {s['name']}", ename, entries, cnt, mx,
                               spec.max_by_define, enums, defines))
        covered.add(ename)

    tap.check('every enum of the header is in the spec',
              [f'enum {e} is not described by the spec'
               for e in enums if e not in covered])

    tap.check('references: sets, enums, operation attributes, flags',
              check_references(spec))
    tap.check('notifications and multicast groups',
              check_notifications(spec))
    tap.check('checks fit the attribute types', check_checks(spec))
    tap.check('pad attributes', check_pad(spec))
    tap.check('every definition, attribute and operation is documented',
              check_docs(spec))
    tap.check('header comments agree on type, nest, repetition, range',
              check_comments(spec, comments))
    tap.check('header comments on commands agree on modes and group',
              check_op_comments(spec, comments))
    tap.check('prefix name length fits the name size',
              check_name_size(spec, defines))

    return tap.finish()


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""No include cycle among the core's files (TAP).

A unit is a file pair by its name: scorch-foo.c, scorch-foo.h and
scorch-foo-private.h are unit "scorch-foo".  Unit A depends on unit B when
one of A's files includes one of B's headers (#include "..." naming a
header in the directory).  Each floor uses only the floors below it
(DESIGN.md), so the units must form a graph without cycles: two units
that include each other's internals are one job split in the wrong place.

  check-include-cycles.py DIR          check DIR (src/libscorch)
  check-include-cycles.py --self-test  check that a made-up cycle is found
"""

import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def unit_of(name):
    stem = os.path.splitext(os.path.basename(name))[0]
    if stem.endswith('-private'):
        stem = stem[:-len('-private')]
    return stem


def build_graph(directory):
    files = sorted(f for f in os.listdir(directory) if f.endswith(('.c', '.h')))
    headers = {f for f in files if f.endswith('.h')}
    graph = {unit_of(f): set() for f in files}
    why = {}
    for f in files:
        with open(os.path.join(directory, f), encoding='utf-8', errors='replace') as fp:
            text = fp.read()
        # comments may mention includes
        text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
        for inc in INCLUDE.findall(text):
            inc = os.path.basename(inc)
            if inc not in headers:
                continue
            a, b = unit_of(f), unit_of(inc)
            if a != b:
                graph[a].add(b)
                why.setdefault((a, b), '%s includes %s' % (f, inc))
    return graph, why


def find_cycles(graph):
    """Strongly connected components of more than one unit (Tarjan)."""
    index, low, stack, on_stack, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def one_cycle(graph, comp):
    """A shortest path from comp[0] back to itself inside comp."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def check(directory):
    graph, why = build_graph(directory)
    comps = find_cycles(graph)
    print('1..1')
    if not comps:
        print('ok 1 - no include cycle among %d units of %s' % (len(graph), directory))
        return 0
    print('not ok 1 - %d include cycle(s) in %s' % (len(comps), directory))
    for comp in comps:
        cycle = one_cycle(graph, comp)
        print('# cycle among %s:' % ', '.join(comp))
        for a, b in zip(cycle, cycle[1:]):
            print('#   %s' % why[(a, b)])
    return 1


def self_test():
    print('1..2')
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        def write(name, text):
            with open(os.path.join(d, name), 'w') as fp:
                fp.write(text)
        write('a.h', '#pragma once\n')
        write('a.c', '#include "a.h"\n#include "b.h"\n')
        write('b.h', '#pragma once\n/* #include "a.h" in a comment */\n')
        write('b.c', '#include "b.h"\n#include <stdio.h>\n')
        graph, _ = build_graph(d)
        ok = not find_cycles(graph)
        print('%s 1 - a layered pair passes' % ('ok' if ok else 'not ok'))
        failures += not ok
        # b's private header includes a's header: a -> b -> a
        write('b-private.h', '#pragma once\n#include "c.h"\n')
        write('c.h', '#pragma once\n#include "a.h"\n')
        write('b.c', '#include "b-private.h"\n')
        graph, _ = build_graph(d)
        comps = find_cycles(graph)
        ok = comps == [['a', 'b', 'c']]
        print('%s 2 - a made-up cycle a -> b -> c -> a is found (%s)' % ('ok' if ok else 'not ok', comps))
        failures += not ok
    return 1 if failures else 0


if __name__ == '__main__':
    if len(sys.argv) == 2 and sys.argv[1] == '--self-test':
        sys.exit(self_test())
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(check(sys.argv[1]))

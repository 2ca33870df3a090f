#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""pprof against Go's own tooling (TAP).

1. Scorch's pprof output read by `go tool pprof -top -sample_index=...`:
   its top functions and their flat shares agree with `scorch-cli report`
   within 0.5 points, for a perf.data capture and for folded stacks.
2. A CPU profile written by Go's runtime/pprof (a small Go program built
   and run here) opens in Scorch with the same top functions and shares as
   `go tool pprof -top` reports.

Go's caches, GOPATH and HOME stay in WORKDIR; GOTOOLCHAIN=local, GOPROXY=off,
GOFLAGS empty: nothing is fetched.

usage: pprof-go-test.py SCORCH_CLI WORKDIR SRCDIR
"""

import os
import re
import shutil
import subprocess
import sys

CLI, WORKDIR, SRCDIR = sys.argv[1], sys.argv[2], sys.argv[3]
# No cache from another run (or the user's) may hide a missing file.
os.environ['XDG_CACHE_HOME'] = os.path.join(WORKDIR, 'cache')
TOLERANCE = 0.5  # percentage points
N_TOP = 8

GO_PROGRAM = r'''
package main

import (
	"os"
	"runtime/pprof"
	"time"
)

var sink uint64

//go:noinline
func hotLoop(n int) uint64 {
	var x uint64 = 1
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

//go:noinline
func warmLoop(n int) uint64 {
	var x uint64 = 7
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	end := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(end) {
		sink += hotLoop(3000000)
		sink += warmLoop(1000000)
	}
	pprof.StopCPUProfile()
	f.Close()
}
'''

n_tests = 0
n_failed = 0


def ok(cond, name, detail=''):
    global n_tests, n_failed
    n_tests += 1
    print(('ok %d - %s' if cond else 'not ok %d - %s') % (n_tests, name))
    if not cond:
        n_failed += 1
        for line in str(detail).splitlines():
            print('# ' + line)


def go_env():
    env = dict(os.environ)
    home = os.path.join(WORKDIR, 'go-home')
    env.update({
        'HOME': home,
        'GOPATH': os.path.join(home, 'gopath'),
        'GOCACHE': os.path.join(home, 'cache'),
        'GOTMPDIR': '',
        'GOTOOLCHAIN': 'local',
        'GOPROXY': 'off',
        'GOFLAGS': '',
        'GO111MODULE': 'off',
        'PPROF_TMPDIR': os.path.join(home, 'pprof'),
        'PPROF_BINARY_PATH': os.path.join(home, 'no-binaries'),
    })
    os.makedirs(env['GOCACHE'], exist_ok=True)
    os.makedirs(env['PPROF_TMPDIR'], exist_ok=True)
    return env


def go_top(path, sample_index):
    """{function: flat%} from `go tool pprof -top`."""
    out = subprocess.run(['go', 'tool', 'pprof', '-top', '-nodecount=1000000',
                          '-sample_index=' + sample_index, path],
                         env=go_env(), capture_output=True, text=True, check=True).stdout
    shares = {}
    for line in out.splitlines():
        m = re.match(r'\s*[-\d.]+\w*\s+([-\d.]+)%\s+[-\d.]+%\s+[-\d.]+\w*\s+[-\d.]+%\s+(.*)$', line)
        if m:
            name = m.group(2).strip()
            if name.endswith(' (inline)'):
                name = name[:-len(' (inline)')]
            shares[name] = shares.get(name, 0.0) + float(m.group(1))
    return shares


def scorch_top(path):
    """{function: self%} from `scorch-cli report --tsv` (same names summed)."""
    out = subprocess.run([CLI, 'report', '--tsv', path], capture_output=True, text=True, check=True).stdout
    shares = {}
    for line in out.splitlines():
        cols = line.split('\t')
        if len(cols) >= 5:
            shares[cols[4]] = shares.get(cols[4], 0.0) + float(cols[0])
    return shares


def compare(reference, other, what):
    top = sorted(reference.items(), key=lambda kv: -kv[1])[:N_TOP]
    bad = []
    for name, share in top:
        if share <= 0:
            continue
        got = other.get(name)
        if got is None or abs(got - share) > TOLERANCE:
            bad.append('%s: %.2f%% vs %s' % (name, share, 'missing' if got is None else '%.2f%%' % got))
    ok(len(top) > 0 and not bad, what, '\n'.join(bad) + '\nreference: %r\nother: %r' % (top, sorted(other.items(), key=lambda kv: -kv[1])[:N_TOP]))


def main():
    if shutil.which('go') is None:
        print('1..0 # SKIP go is not installed (tools/install-deps.sh installs golang-go)')
        return 77
    os.makedirs(WORKDIR, exist_ok=True)

    # 1. Scorch -> pprof -> go tool pprof
    for name in ('corpus/fp-small.data', 'data/flame-gcc.folded'):
        src = os.path.join(SRCDIR, name)
        out = os.path.join(WORKDIR, os.path.basename(name) + '.pb.gz')
        subprocess.run([CLI, 'export', src, '-o', out], check=True)
        scorch = scorch_top(src)
        for index in ('samples', 'cpu') if name.endswith('.data') else ('samples',):
            try:
                go = go_top(out, index)
            except subprocess.CalledProcessError as e:
                ok(False, 'go tool pprof reads Scorch\'s %s (-sample_index=%s)' % (name, index), e.stderr)
                continue
            compare(scorch, go, 'go tool pprof -sample_index=%s agrees with scorch-cli report on %s' % (index, name))
        again = scorch_top(out)
        compare(scorch, again, 'scorch-cli report reads its own pprof of %s with the same shares' % name)

    # 2. runtime/pprof -> Scorch
    gosrc = os.path.join(WORKDIR, 'cpuprof.go')
    with open(gosrc, 'w') as f:
        f.write(GO_PROGRAM)
    exe = os.path.join(WORKDIR, 'cpuprof')
    build = subprocess.run(['go', 'build', '-o', exe, gosrc], env=go_env(), capture_output=True, text=True,
                           cwd=WORKDIR)
    ok(build.returncode == 0, 'the Go program builds offline', build.stderr)
    if build.returncode != 0:
        return 1
    prof = os.path.join(WORKDIR, 'go-cpu.pprof')
    subprocess.run([exe, prof], check=True, env=go_env())
    go = go_top(prof, 'samples')
    scorch = scorch_top(prof)
    ok('main.hotLoop' in scorch and 'main.warmLoop' in scorch, 'Scorch names the Go functions',
       repr(sorted(scorch.items(), key=lambda kv: -kv[1])[:N_TOP]))
    compare(go, scorch, 'Scorch opens a runtime/pprof CPU profile with go tool pprof\'s top functions and shares')
    go_ns = go_top(prof, 'cpu')
    compare(go_ns, scorch, 'the same against -sample_index=cpu (nanoseconds)')

    print('1..%d' % n_tests)
    return 1 if n_failed else 0


if __name__ == '__main__':
    sys.exit(main())

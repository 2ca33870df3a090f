# SPDX-License-Identifier: GPL-3.0-or-later
# bench-workload.py: python3 code with many distinct frames, for bench/report.sh.
import sys, time, json, re, collections

def make_funcs(n):
    funcs = []
    for i in range(n):
        src = f"def f{i}(x, d):\n    if d <= 0:\n        return sum(j * {i + 1} for j in range(x))\n    return funcs[(x + {i}) % len(funcs)](x, d - 1) + {i}\n"
        ns = {'funcs': funcs}
        exec(src, ns)
        funcs.append(ns[f'f{i}'])
    return funcs

funcs = make_funcs(64)

def text_work(n):
    words = re.findall(r"\w+", "the quick brown fox jumps over the lazy dog " * n)
    return collections.Counter(words).most_common(3)

def json_work(n):
    return len(json.dumps([{"a": i, "b": [i] * 3} for i in range(n)]))

end = time.monotonic() + float(sys.argv[1] if len(sys.argv) > 1 else 1)
k = 0
while time.monotonic() < end:
    funcs[k % 64](200, k % 7)
    text_work(50)
    json_work(200)
    k += 1

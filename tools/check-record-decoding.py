#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check-record-decoding.py: no perf record layout is parsed outside the
decoder (src/libscorch/scorch-perf-record.c).

Usage: check-record-decoding.py SOURCE_ROOT     (TAP on stdout)
       check-record-decoding.py --self-test     (the rules catch what they must)

A record layout is parsed where code
  header  casts bytes to `struct perf_event_header *`, takes
          `sizeof (struct perf_event_header)`, memcpy()s bytes into a header
          variable, or reads the header's size bytes by hand (`[off + 6]`);
  sample  tests a sample_type bit that only places fields (TID, TIME, ADDR,
          ID, STREAM_ID, CPU, IDENTIFIER, PERIOD, READ, RAW, BRANCH_STACK,
          WEIGHT, DATA_SRC, TRANSACTION, REGS_INTR, PHYS_ADDR, AUX, CGROUP,
          *_PAGE_SIZE) with `&`, or counts sample_type bits (popcount), which
          is how offsets inside a sample or a sample_id trailer are computed.
Asking what a capture recorded (`sample_type & PERF_SAMPLE_CALLCHAIN`,
IP, REGS_USER, STACK_USER), dispatching on a decoded record's type, and
building records (`struct perf_event_header h = { ... }`, setting
sample_type with `|`) are not parsing.

Files that may parse: the decoder itself and the struct definitions in
scorch-perf-file.h. PENDING lists the files another change is moving to the
decoder; each entry must still break a rule (a stale entry fails), so the
list only shrinks.
"""

import os
import re
import sys

ALLOWED = {
    'src/libscorch/scorch-perf-record.c',
    'src/libscorch/scorch-perf-record.h',
    'src/libscorch/scorch-perf-file.h',
}

# file -> why it still parses records itself (empty: every file uses the
# decoder; an entry may only be added back by a change that moves a file)
PENDING = {
}

PLACEMENT_BITS = ('TID|TIME|ADDR|ID|STREAM_ID|CPU|IDENTIFIER|PERIOD|READ|RAW|BRANCH_STACK|'
                  'WEIGHT|WEIGHT_STRUCT|DATA_SRC|TRANSACTION|REGS_INTR|PHYS_ADDR|AUX|CGROUP|'
                  'DATA_PAGE_SIZE|CODE_PAGE_SIZE')

RULES = [
    ('header: pointer to or cast of struct perf_event_header',
     re.compile(r'struct\s+perf_event_header\s*\*')),
    ('header: sizeof (struct perf_event_header)',
     re.compile(r'sizeof\s*\(?\s*struct\s+perf_event_header')),
    ('header: memcpy of record bytes into a header',
     re.compile(r'memcpy\s*\(\s*&\s*\w*(hdr|header)\w*\s*,')),
    ('header: size bytes read by hand',
     re.compile(r'\[\s*[\w.>-]+\s*\+\s*[67]\s*\]')),
    ('sample: field-placing sample_type bit tested',
     re.compile(r'&\s*\(?\s*(?:\(\s*guint64\s*\)\s*)?\(?\s*PERF_SAMPLE_(?:' + PLACEMENT_BITS + r')\b')),
    ('sample: sample_type bits counted',
     re.compile(r'popcount\w*\s*\([^;]*(sample_type|\bst\b|PERF_SAMPLE_)')),
    ('sample: field skipped by sample_type bit',
     re.compile(r'\bSKIP\s*\(\s*PERF_SAMPLE_')),
]

COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def strip_comments(text):
    # keep line numbers: replace each comment by as many newlines
    return COMMENT.sub(lambda m: '\n' * m.group(0).count('\n'), text)


def violations(text):
    found = []
    for lineno, line in enumerate(strip_comments(text).split('\n'), 1):
        for name, rule in RULES:
            if rule.search(line):
                found.append((lineno, name, line.strip()))
    return found


def check_tree(root):
    results = []  # (ok, description)
    seen_pending = set()
    for top in ('src',):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for filename in sorted(filenames):
                if not filename.endswith(('.c', '.h')):
                    continue
                path = os.path.join(dirpath, filename)
                rel = os.path.relpath(path, root)
                if rel in ALLOWED:
                    continue
                with open(path, encoding='utf-8', errors='replace') as f:
                    found = violations(f.read())
                if rel in PENDING:
                    seen_pending.add(rel)
                    if found:
                        results.append((True, '%s # SKIP pending: %s (%d places)'
                                        % (rel, PENDING[rel], len(found))))
                    else:
                        results.append((False, '%s is listed as pending but parses no record '
                                        'itself any more: remove it from PENDING' % rel))
                    continue
                if found:
                    lines = ['%s:%d: %s: %s' % (rel, n, name, text) for n, name, text in found]
                    results.append((False, '%s parses perf records outside the decoder '
                                    '(use scorch-perf-record.h):\n#   %s'
                                    % (rel, '\n#   '.join(lines))))
                else:
                    results.append((True, rel))
    for rel in sorted(set(PENDING) - seen_pending):
        results.append((False, '%s is listed as pending but does not exist: remove it' % rel))
    return results


# What the rules must catch (code that was in src/ before the decoder) and
# what they must let through.
BAD = [
    'const struct perf_event_header *h = (const void *) (rec + off);',
    'header = (struct perf_event_header *) (rec->data + start);',
    'const guint8 *p = record->data + sizeof (struct perf_event_header);',
    'memcpy (&hdr, data, sizeof hdr);',
    'guint16 size = (guint16) (p[off + 6] | (p[off + 7] << 8));',
    'if (st & PERF_SAMPLE_TIME) { record->time = rd64 (p); p += 8; }',
    'if (attr->attr.sample_type & PERF_SAMPLE_IDENTIFIER)',
    'guint64 id_flags = x & (PERF_SAMPLE_TID | PERF_SAMPLE_TIME);',
    'gsize tid_off = sizeof *h + 8 * (((st & PERF_SAMPLE_IDENTIFIER) ? 1 : 0));',
    'self->n_prefix = __builtin_popcountll (st & (PERF_SAMPLE_IP | PERF_SAMPLE_TID));',
    'id_hdr_size = 8 * __builtin_popcountll (attr->sample_type & mask);',
    'SKIP (PERF_SAMPLE_ADDR);',
]
GOOD = [
    'struct perf_event_header round = { SCORCH_PERF_RECORD_FINISHED_ROUND, 0, sizeof round };',
    'struct perf_event_header header;',
    'if (!scorch_perf_record_parse_header (data, len, 0, &header, error))',
    'attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME;',
    'if ((a->attr.sample_type & PERF_SAMPLE_STACK_USER) && (a->attr.sample_type & PERF_SAMPLE_REGS_USER))',
    'if (pushed == 0 && (attr->attr.sample_type & PERF_SAMPLE_IP))',
    'else if (a->attr.sample_type & PERF_SAMPLE_CALLCHAIN)',
    'case PERF_RECORD_MMAP2:',
    'guint sp_index = __builtin_popcountll (s.regs_mask & ((1ULL << 7) - 1));',
    '/* const struct perf_event_header *h = (const void *) p; */',
    'memcpy (regs_buf, s.regs, sizeof (guint64) * MIN (s.n_regs, 64));',
]


def self_test():
    results = []
    for line in BAD:
        results.append((bool(violations(line)), 'caught: ' + line))
    for line in GOOD:
        results.append((not violations(line), 'let through: ' + line))
    return results


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == '--self-test':
        results = self_test()
    else:
        results = check_tree(sys.argv[1])
    print('1..%d' % len(results))
    failed = 0
    for i, (ok, text) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, text))
        failed += not ok
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

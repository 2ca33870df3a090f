// SPDX-License-Identifier: GPL-3.0-or-later
// Scorch's speedscope output validates against the JSON schema shipped in
// the speedscope npm package (validated with ajv), and a round trip
// speedscope -> Scorch -> report gives the same shares (TAP).
//
// usage: node speedscope-schema-test.js SCORCH_CLI WORKDIR SRCDIR
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const [cli, workdir, srcdir] = process.argv.slice(2);
// No cache from another run (or the user's) may hide a missing file.
process.env.XDG_CACHE_HOME = path.join(workdir, 'cache');
let n = 0;
let failed = 0;

function ok(cond, name, detail) {
  n++;
  process.stdout.write(`${cond ? 'ok' : 'not ok'} ${n} - ${name}\n`);
  if (!cond) {
    failed++;
    process.stdout.write(String(detail || '').split('\n').map((l) => '# ' + l).join('\n') + '\n');
  }
}

function schemaPath() {
  const pkg = path.dirname(require.resolve('speedscope/package.json'));
  for (const candidate of ['dist/release/file-format-schema.json', 'dist/file-format-schema.json']) {
    if (fs.existsSync(path.join(pkg, candidate))) {
      return path.join(pkg, candidate);
    }
  }
  throw new Error('no file-format-schema.json in the speedscope package');
}

// {function: self%} from scorch-cli report --tsv, same names summed.
function report(file) {
  const out = childProcess.execFileSync(cli, ['report', '--tsv', file], { encoding: 'utf8' });
  const shares = new Map();
  for (const line of out.split('\n')) {
    const cols = line.split('\t');
    if (cols.length >= 5) {
      shares.set(cols[4], (shares.get(cols[4]) || 0) + parseFloat(cols[0]));
    }
  }
  return shares;
}

function sameShares(a, b) {
  const diffs = [];
  for (const [name, share] of a) {
    const other = b.get(name) || 0;
    if (Math.abs(other - share) > 0.011) {
      diffs.push(`${name}: ${share} vs ${other}`);
    }
  }
  for (const [name, share] of b) {
    if (!a.has(name) && share > 0.011) {
      diffs.push(`${name}: missing vs ${share}`);
    }
  }
  return diffs;
}

fs.mkdirSync(workdir, { recursive: true });
const schema = JSON.parse(fs.readFileSync(schemaPath(), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
const validate = ajv.compile(schema);

for (const input of ['corpus/fp-small.data', 'corpus/two-events.data', 'data/flame-gcc.folded',
                     'corpus-folded/hostile.folded']) {
  const src = path.join(srcdir, input);
  const a = path.join(workdir, path.basename(input) + '.speedscope.json');
  const b = path.join(workdir, path.basename(input) + '.again.speedscope.json');
  childProcess.execFileSync(cli, ['export', src, '-o', a]);
  const doc = JSON.parse(fs.readFileSync(a, 'utf8'));
  const valid = validate(doc);
  ok(valid, `${input}: the speedscope output validates against speedscope's schema`,
     JSON.stringify(validate.errors, null, 1));
  ok(doc.profiles.length >= 1 && doc.profiles.every((p) => p.type === 'sampled' &&
     p.samples.length === p.weights.length), `${input}: sampled profiles with a weight per sample`);

  const original = report(src);
  const imported = report(a);
  const d1 = sameShares(original, imported);
  ok(d1.length === 0, `${input}: Scorch -> speedscope -> Scorch report gives the same shares`, d1.join('\n'));

  childProcess.execFileSync(cli, ['export', a, '-o', b]);
  const d2 = sameShares(imported, report(b));
  ok(d2.length === 0 && validate(JSON.parse(fs.readFileSync(b, 'utf8'))),
     `${input}: speedscope -> Scorch -> speedscope -> report keeps the shares`, d2.join('\n'));
}

// Transforms apply before the export: the export of `--drop FUNC` reads
// back with the shares `report --drop FUNC` prints, and without FUNC.
function report2(args) {
  const out = childProcess.execFileSync(cli, ['report', '--tsv', ...args], { encoding: 'utf8' });
  const shares = new Map();
  for (const line of out.split('\n')) {
    const cols = line.split('\t');
    if (cols.length >= 5) {
      shares.set(cols[4], (shares.get(cols[4]) || 0) + parseFloat(cols[0]));
    }
  }
  return shares;
}
{
  const src = path.join(srcdir, 'data/flame-gcc.folded');
  const before = report(src);
  const victim = [...before.entries()].sort((a, b) => b[1] - a[1])[1][0];
  const want = report2(['--drop', victim, src]);
  for (const ext of ['.speedscope.json', '.pb.gz']) {
    const out = path.join(workdir, 'dropped' + ext);
    childProcess.execFileSync(cli, ['export', src, '--drop', victim, '-o', out]);
    const after = report(out);
    const diffs = sameShares(want, after);
    ok(!after.has(victim) && after.size > 0 && diffs.length === 0,
       `export --drop ${JSON.stringify(victim)} to ${ext}: the shares of report --drop, without the function`,
       diffs.join('\n'));
  }
}

process.stdout.write(`1..${n}\n`);
process.exit(failed > 0 ? 1 : 0);

// SPDX-License-Identifier: GPL-3.0-or-later
// Drives Scorch's exported flame graph (SVG, then the HTML page) in headless
// Chromium with puppeteer-core: load from file://, click a frame and check
// that it then spans the full width, search a regular expression and check
// the highlighted count and the matched share, reset.  The input is made
// here, so that the expected figures follow from the stacks alone.
//
// usage: node flame-browser-test.js SCORCH_CLI WORKDIR
// env:   SCORCH_CHROMIUM (default /usr/bin/chromium)
'use strict';

const assert = require('assert');
const childProcess = require('child_process');
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const cli = process.argv[2];
const workdir = process.argv[3];
const chromium = process.env.SCORCH_CHROMIUM || '/usr/bin/chromium';
// No cache from another run (or the user's) may hide a missing file.
process.env.XDG_CACHE_HOME = path.join(workdir, 'cache');
process.env.XDG_CONFIG_HOME = path.join(workdir, 'config');

// Names a browser and an XML parser must both survive.
const HOSTILE = 'evil<script>alert(1)</script>]]>&"\'';
const STACKS = [
  ['main;parse;lex', 30],
  ['main;parse;lex;read_char', 10],
  ['main;eval;apply;eval_inner', 25],
  ['main;eval;lex', 15],
  ['main;print', 18],
  ['main;' + HOSTILE, 2],
];
const TOTAL = STACKS.reduce((n, s) => n + s[1], 0);

let tests = 0;
let failures = 0;

function log(msg) {
  process.stdout.write('# ' + msg + '\n');
}

// The share of samples whose stack holds a function matching re, and the
// number of distinct (stack prefix) frames that match: the oracle.
function expected(re) {
  const frames = new Set();
  let matched = 0;
  for (const [stack, count] of STACKS) {
    const names = stack.split(';');
    let hit = false;
    for (let i = 0; i < names.length; i++) {
      if (re.test(names[i])) {
        hit = true;
        frames.add(names.slice(0, i + 1).join(';'));
      }
    }
    if (hit) {
      matched += count;
    }
  }
  return { count: frames.size, share: (100 * matched / TOTAL).toFixed(2) };
}

async function check(name, fn) {
  tests++;
  try {
    await fn();
    process.stdout.write(`ok ${tests} - ${name}\n`);
  } catch (e) {
    failures++;
    process.stdout.write(`not ok ${tests} - ${name}\n`);
    log(String(e && e.stack || e).split('\n').join('\n# '));
  }
}

async function frameBox(page, name) {
  return page.evaluate((n) => {
    for (const g of document.querySelectorAll('g.frame')) {
      if (g.querySelector('rect').getAttribute('data-f') === n && g.style.display !== 'none') {
        const r = g.querySelector('rect').getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      }
    }
    return null;
  }, name);
}

async function svgWidth(page) {
  return page.evaluate(() => document.getElementById('scorch-flame').getBoundingClientRect().width);
}

async function svgX(page) {
  return page.evaluate(() => document.getElementById('scorch-flame').getBoundingClientRect().x);
}

async function visibleFrames(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll('g.frame'))
    .filter((g) => g.style.display !== 'none').length);
}

async function matches(page) {
  return page.evaluate(() => ({
    count: document.querySelectorAll('g.frame.scorch-match').length,
    magenta: Array.from(document.querySelectorAll('g.frame rect'))
      .filter((r) => r.getAttribute('fill') === 'rgb(230,0,230)').length,
    share: (document.getElementById('scorch-share') || {}).textContent,
    pageShare: (document.getElementById('scorch-page-share') || {}).textContent,
  }));
}

async function zoomAndReset(page, label) {
  // "apply" is narrow (25%), two levels above the root: a real click on it.
  const before = await frameBox(page, 'apply');
  assert(before, 'frame apply is drawn');
  const width = await svgWidth(page);
  assert(before.width < width * 0.5, `apply starts narrow (${before.width} of ${width})`);
  const nBefore = await visibleFrames(page);
  await page.mouse.click(before.x + before.width / 2, before.y + before.height / 2);

  const after = await frameBox(page, 'apply');
  assert(after, 'apply still drawn after the zoom');
  const left = await svgX(page);
  assert(Math.abs(after.x - left) <= 1.5, `zoomed frame starts at the left edge (${after.x} vs ${left})`);
  assert(after.width >= width - 2.5, `zoomed frame spans the full width (${after.width} of ${width})`);
  const child = await frameBox(page, 'eval_inner');
  assert(child && child.width >= width - 2.5, 'its only callee spans the full width too');
  assert.strictEqual(await frameBox(page, 'print'), null, 'a frame outside the zoom is hidden');
  const label2 = await page.evaluate(() => {
    for (const g of document.querySelectorAll('g.frame')) {
      if (g.querySelector('rect').getAttribute('data-f') === 'eval_inner') {
        return g.querySelector('text').textContent;
      }
    }
    return null;
  });
  assert.strictEqual(label2, 'eval_inner', 'a label appears once the frame is wide enough');
  assert(await visibleFrames(page) < nBefore, 'fewer frames are shown when zoomed');

  // Reset with the control the page offers.
  if (label === 'html') {
    await page.click('#scorch-reset-button');
  } else {
    const reset = await page.$('#scorch-reset');
    assert(reset, 'a Reset Zoom control');
    await reset.click();
  }
  const again = await frameBox(page, 'apply');
  assert(Math.abs(again.width - before.width) < 0.5 && Math.abs(again.x - before.x) < 0.5,
         'reset puts the frame back where it was');
  assert.strictEqual(await visibleFrames(page), nBefore, 'reset shows every frame again');
}

async function run() {
  fs.mkdirSync(workdir, { recursive: true });
  const folded = path.join(workdir, 'browser.folded');
  fs.writeFileSync(folded, STACKS.map((s) => `${s[0]} ${s[1]}`).join('\n') + '\n');
  const svg = path.join(workdir, 'browser.svg');
  const html = path.join(workdir, 'browser.html');
  childProcess.execFileSync(cli, ['export', folded, '-o', svg, '--width', '1000']);
  childProcess.execFileSync(cli, ['export', folded, '-o', html, '--width', '1000']);

  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: path.join(workdir, 'chromium-profile'),
    args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 700 });
    const outside = [];
    const errors = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) {
        outside.push(r.url());
      }
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    let dialogAnswer = '';
    page.on('dialog', async (d) => {
      await d.accept(dialogAnswer);
    });

    // ---- SVG ----
    await page.goto('file://' + svg, { waitUntil: 'load' });
    await check('svg: loads from file:// without errors and without outside requests', async () => {
      assert.deepStrictEqual(errors, []);
      assert.deepStrictEqual(outside, []);
      const hostile = await page.evaluate(() => Array.from(document.querySelectorAll('g.frame'))
        .map((g) => g.querySelector('rect').getAttribute('data-f')));
      assert(hostile.includes(HOSTILE), 'a hostile name is shown as text, not markup');
      const titles = await page.evaluate(() => Array.from(document.querySelectorAll('g.frame'))
        .map((g) => g.querySelector('title') && g.querySelector('title').textContent));
      assert(titles.every((t) => t && /\(\d+ samples?, [\d.]+%\)$/.test(t)), 'every frame has a tooltip with its samples');
      assert(titles.includes('lex (30 samples, 30.00%)') || titles.includes('lex (40 samples, 40.00%)'),
             'tooltips name the function: ' + titles.join(' | '));
      assert.strictEqual(await page.evaluate(() => typeof window.alert), 'function');
    });
    await page.screenshot({ path: path.join(workdir, 'browser-svg.png') });

    await check('svg: click zooms the frame to the full width; Reset Zoom restores', async () => {
      await zoomAndReset(page, 'svg');
    });

    for (const [pattern, note] of [['lex|print', 'two names'], ['^(parse|lex)$', 'nested matches counted once']]) {
      await check(`svg: Ctrl+F searches /${pattern}/ (${note}): highlighted count and matched share`, async () => {
        const want = expected(new RegExp(pattern));
        dialogAnswer = pattern;
        await page.keyboard.down('Control');
        await page.keyboard.press('f');
        await page.keyboard.up('Control');
        await page.waitForFunction((p) => document.getElementById('scorch-flame').getAttribute('data-match-count') !== null, {}, pattern);
        const got = await matches(page);
        assert.strictEqual(got.count, want.count, 'highlighted frames');
        assert.strictEqual(got.magenta, want.count, 'highlighted in the match colour');
        assert.strictEqual(got.share, want.share + '%', 'matched share shown');
      });
    }
    await page.screenshot({ path: path.join(workdir, 'browser-svg-search.png') });

    await check('svg: an invalid regex highlights nothing; Escape clears the search', async () => {
      dialogAnswer = '(unclosed';
      await page.click('#scorch-search');
      let got = await matches(page);
      assert.strictEqual(got.count, 0);
      assert.strictEqual(await page.evaluate(() => document.getElementById('scorch-flame').getAttribute('data-invalid')), 'true');
      dialogAnswer = 'lex';
      await page.click('#scorch-search');
      assert.strictEqual((await matches(page)).count, 2);
      await page.keyboard.press('Escape');
      got = await matches(page);
      assert.strictEqual(got.count, 0);
    });

    await check('svg: with scripts off it is the static picture (controls hidden, labels drawn)', async () => {
      const p2 = await browser.newPage();
      await p2.setJavaScriptEnabled(false);
      await p2.goto('file://' + svg, { waitUntil: 'load' });
      const state = await p2.evaluate(() => ({
        frames: document.querySelectorAll('g.frame').length,
        reset: getComputedStyle(document.getElementById('scorch-reset')).display,
        search: getComputedStyle(document.getElementById('scorch-search')).display,
        main: Array.from(document.querySelectorAll('g.frame text')).some((t) => t.textContent === 'main'),
      }));
      assert(state.frames >= 9, `frames drawn (${state.frames})`);
      assert.strictEqual(state.reset, 'none');
      assert.strictEqual(state.search, 'none');
      assert(state.main, 'labels are in the file');
      await p2.close();
    });

    // ---- HTML ----
    errors.length = 0;
    await page.goto('file://' + html, { waitUntil: 'load' });
    await check('html: loads without errors or outside requests; hotspot table', async () => {
      assert.deepStrictEqual(errors, []);
      assert.deepStrictEqual(outside, []);
      const rows = await page.evaluate(() => Array.from(document.querySelectorAll('#scorch-hotspots tbody tr'))
        .map((tr) => Array.from(tr.cells).map((c) => c.textContent)));
      assert(rows.length >= 8, 'a row per function');
      const lex = rows.find((r) => r[3] === 'lex');
      assert.strictEqual(lex[0], '45.00%', 'lex self share');
    });
    await check('html: click zooms, the Reset button restores', async () => {
      await zoomAndReset(page, 'html');
    });
    await check('html: the search box highlights and shows the matched share', async () => {
      const pattern = 'eval';
      const want = expected(new RegExp(pattern));
      await page.click('#scorch-search-box');
      await page.keyboard.type(pattern);
      const got = await matches(page);
      assert.strictEqual(got.count, want.count);
      assert.strictEqual(got.pageShare, want.share + '%');
    });
    await check('html: a hotspot row searches for its function', async () => {
      await page.evaluate(() => {
        for (const tr of document.querySelectorAll('#scorch-hotspots tbody tr')) {
          if (tr.getAttribute('data-f') === 'print') {
            tr.click();
          }
        }
      });
      const got = await matches(page);
      assert.strictEqual(got.count, 1);
      assert.strictEqual(got.pageShare, expected(/^print$/).share + '%');
    });
    await page.screenshot({ path: path.join(workdir, 'browser-html.png'), fullPage: true });
  } finally {
    await browser.close();
  }
}

run().then(() => {
  process.stdout.write(`1..${tests}\n`);
  process.exit(failures > 0 ? 1 : 0);
}, (e) => {
  process.stdout.write(`not ok ${tests + 1} - ${String(e)}\n1..${tests + 1}\n`);
  process.exit(1);
});

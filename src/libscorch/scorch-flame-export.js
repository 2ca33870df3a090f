// SPDX-License-Identifier: GPL-3.0-or-later
// scorch-flame-export.js: what makes an exported flame graph interactive in
// a browser (the SVG, and the HTML page that holds it): click a frame to
// zoom (it then spans the full width), reset, search with a regular
// expression (Ctrl+F, or the page's search box) showing the matched share,
// and tooltips (each frame's <title>).  No external resources; works from
// a file:// URL.  The C side embeds this file in a CDATA section or an
// HTML script element: it must never hold the sequence that ends either.
(function () {
  'use strict';

  var svg = document.getElementById('scorch-flame');
  if (!svg) {
    return;
  }

  var MATCH_FILL = 'rgb(230,0,230)';
  var W = parseFloat(svg.getAttribute('data-width')) || 1200;
  var total = parseFloat(svg.getAttribute('data-total')) || 0;
  var fontPx = parseFloat(svg.getAttribute('data-font')) || 12;
  var pad = parseFloat(svg.getAttribute('data-pad')) || 3;
  var promptText = svg.getAttribute('data-prompt') || 'Search (regular expression)';
  var eps = 1e-6 * W;
  var frames = [];
  var zoomed = null;
  var pattern = '';

  var resetEl = document.getElementById('scorch-reset');
  var searchEl = document.getElementById('scorch-search');
  var matchedEl = document.getElementById('scorch-matched');
  var shareEl = document.getElementById('scorch-share');
  var box = document.getElementById('scorch-search-box');
  var resetButton = document.getElementById('scorch-reset-button');
  var pageShare = document.getElementById('scorch-page-share');

  var gs = svg.querySelectorAll('g.frame');
  for (var i = 0; i < gs.length; i++) {
    var g = gs[i];
    var rect = g.querySelector('rect');
    var text = g.querySelector('text');
    var f = {
      g: g,
      rect: rect,
      text: text,
      x: parseFloat(rect.getAttribute('data-x')),
      w: parseFloat(rect.getAttribute('data-w')),
      row: parseInt(rect.getAttribute('data-row'), 10),
      name: rect.getAttribute('data-f'), // null for a run of merged small frames
      samples: parseFloat(rect.getAttribute('data-s')) || 0,
      fill: rect.getAttribute('fill'),
      rectX: rect.getAttribute('x'),
      rectW: rect.getAttribute('width'),
      textX: text ? text.getAttribute('x') : null,
      label: text ? text.textContent : null
    };
    frames.push(f);
    g.addEventListener('click', zoomHandler(f));
  }

  function zoomHandler(f) {
    return function (event) {
      event.stopPropagation();
      zoom(f);
    };
  }

  function fit(name, avail) {
    var n = Math.floor(avail / (fontPx * 0.6));
    if (name === null || n < 3) {
      return '';
    }
    if (name.length <= n) {
      return name;
    }
    return name.slice(0, n - 1) + '\u2026';
  }

  function place(f, x, w) {
    f.rect.setAttribute('x', x.toFixed(1));
    f.rect.setAttribute('width', (w >= 2 ? w - 1 : w).toFixed(1));
    if (f.text) {
      f.text.setAttribute('x', (x + pad).toFixed(1));
      f.text.textContent = fit(f.name, w - 1 - 2 * pad);
    }
  }

  function show(el, visible) {
    if (el) {
      el.style.display = visible ? 'inline' : 'none';
    }
  }

  function zoom(z) {
    if (z.name === null || !(z.w > 0)) {
      return;
    }
    var scale = W / z.w;
    zoomed = z;
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      var inside = f.row >= z.row && f.x >= z.x - eps && f.x + f.w <= z.x + z.w + eps;
      var above = f.row < z.row && f.x <= z.x + eps && f.x + f.w >= z.x + z.w - eps;
      if (inside || above) {
        show(f.g, true);
        f.g.classList.toggle('scorch-ancestor', above);
        if (inside) {
          place(f, (f.x - z.x) * scale, f.w * scale);
        } else {
          place(f, 0, W);
        }
      } else {
        show(f.g, false);
      }
    }
    svg.setAttribute('data-zoomed', z.name);
    show(resetEl, true);
  }

  function unzoom() {
    zoomed = null;
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      show(f.g, true);
      f.g.classList.remove('scorch-ancestor');
      f.rect.setAttribute('x', f.rectX);
      f.rect.setAttribute('width', f.rectW);
      if (f.text) {
        f.text.setAttribute('x', f.textX);
        f.text.textContent = f.label;
      }
    }
    svg.removeAttribute('data-zoomed');
    show(resetEl, false);
  }

  // Frames nested in a matched frame are counted once, as in flamegraph.pl:
  // frames sorted by x, a frame inside the last counted one is skipped.
  function search(text) {
    var re = null;
    var hits = [];
    pattern = text || '';
    if (pattern !== '') {
      try {
        re = new RegExp(pattern);
      } catch (e) {
        re = null;
        svg.setAttribute('data-invalid', 'true');
      }
    }
    if (re !== null || pattern === '') {
      svg.removeAttribute('data-invalid');
    }
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      var m = re !== null && f.name !== null && re.test(f.name);
      f.g.classList.toggle('scorch-match', m);
      f.rect.setAttribute('fill', m ? MATCH_FILL : f.fill);
      if (m) {
        hits.push(f);
      }
    }
    hits.sort(function (a, b) {
      return a.x - b.x || b.w - a.w;
    });
    var sum = 0;
    var end = -Infinity;
    for (var j = 0; j < hits.length; j++) {
      if (hits[j].x >= end - eps) {
        sum += hits[j].samples;
        end = hits[j].x + hits[j].w;
      }
    }
    var share = total > 0 ? 100 * sum / total : 0;
    var shown = re === null ? (pattern === '' ? '' : '\u2014') : share.toFixed(2) + '%';
    svg.setAttribute('data-match-count', String(hits.length));
    svg.setAttribute('data-match-share', re === null ? '' : share.toFixed(2));
    if (shareEl) {
      shareEl.textContent = shown;
    }
    show(matchedEl, pattern !== '');
    if (pageShare) {
      pageShare.textContent = shown;
    }
    return hits.length;
  }

  function askSearch() {
    var text = window.prompt(promptText, pattern);
    if (text !== null) {
      if (box) {
        box.value = text;
      }
      search(text);
    }
  }

  if (resetEl) {
    resetEl.addEventListener('click', function (event) {
      event.stopPropagation();
      unzoom();
    });
  }
  if (searchEl) {
    show(searchEl, true);
    searchEl.addEventListener('click', function (event) {
      event.stopPropagation();
      askSearch();
    });
  }
  if (box) {
    box.addEventListener('input', function () {
      search(box.value);
    });
  }
  if (resetButton) {
    resetButton.addEventListener('click', function () {
      unzoom();
    });
  }

  // The hotspot table of the HTML page: a row searches for its function.
  var rows = document.querySelectorAll('tr[data-f]');
  for (var r = 0; r < rows.length; r++) {
    rows[r].addEventListener('click', (function (row) {
      return function () {
        var name = row.getAttribute('data-f');
        var text = '^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
        if (box) {
          box.value = text;
        }
        search(text);
      };
    })(rows[r]));
  }

  window.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === 'f' || event.key === 'F')) {
      event.preventDefault();
      if (box) {
        box.focus();
        box.select();
      } else {
        askSearch();
      }
    } else if (event.key === 'Escape') {
      if (box) {
        box.value = '';
      }
      search('');
      unzoom();
    }
  });

  // For scripts and tests: the same actions as the mouse and keyboard.
  window.scorchFlame = {
    zoom: function (name) {
      for (var i = 0; i < frames.length; i++) {
        if (frames[i].name === name) {
          zoom(frames[i]);
          return true;
        }
      }
      return false;
    },
    reset: unzoom,
    search: search,
    zoomed: function () {
      return zoomed === null ? null : zoomed.name;
    }
  };
})();

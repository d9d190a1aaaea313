"""Measuring a rendered report in the browser: text boxes of a chart that intersect, texts
outside their chart, a page wider than its window (shared by the browser tests)."""

from __future__ import annotations

# Returns, per chart, the pairs of text boxes that intersect and the texts that overflow the
# chart's box. A text is an SVG <text> with visible, non-blank content.
OVERLAPS_JS = r"""
() => {
  const out = {};
  for (const chart of document.querySelectorAll('div.chart')) {
    const name = chart.getAttribute('data-chart');
    const frame = chart.querySelector('.plotly') || chart;
    const box = frame.getBoundingClientRect();
    const texts = [];
    for (const t of chart.querySelectorAll('svg text')) {
      const s = (t.textContent || '').trim();
      if (!s) continue;
      let hidden = false;
      for (let e = t; e && e !== chart; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) === 0) { hidden = true; break; }
      }
      const r = t.getBoundingClientRect();
      if (hidden || r.width === 0 || r.height === 0) continue;
      texts.push({text: s, l: r.left, t: r.top, r: r.right, b: r.bottom});
    }
    const pairs = [], outside = [];
    const eps = 0.5;
    for (let i = 0; i < texts.length; i++) {
      const a = texts[i];
      if (a.l < box.left - eps || a.r > box.right + eps || a.t < box.top - eps || a.b > box.bottom + eps) outside.push(a.text);
      for (let j = i + 1; j < texts.length; j++) {
        const b = texts[j];
        if (a.l < b.r - eps && b.l < a.r - eps && a.t < b.b - eps && b.t < a.b - eps) pairs.push([a.text, b.text]);
      }
    }
    out[name] = {texts: texts.length, overlaps: pairs, outside: outside};
  }
  return out;
}
"""

PAGE_OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"

CHARTS_DRAWN_JS = (
    "() => [...document.querySelectorAll('div.chart')].every(d => d.querySelector('.plotly svg.main-svg'))"
)

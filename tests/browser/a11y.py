"""What tests/browser/test_accessibility.py runs in the page, and the colour arithmetic
it checks the focus indicator with (WCAG 2.1: relative luminance and contrast ratio).

The scripts only read the page (computed styles, boxes, axe-core's results); every
decision is taken in Python.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# --- Colours -----------------------------------------------------------------------------

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?%?"


def parse_colour(text: str) -> tuple[float, float, float, float]:
    """(r, g, b, alpha) with r, g, b in 0..255 and alpha in 0..1 of a computed colour:
    `rgb()`/`rgba()` (what Chromium computes for hex and named colours), `color(srgb ...)`,
    `transparent`."""
    text = text.strip().lower()
    if text in ("transparent", ""):
        return (0.0, 0.0, 0.0, 0.0)
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        values = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
        alpha = values[3] / 255 if len(values) == 4 else 1.0
        return (float(values[0]), float(values[1]), float(values[2]), alpha)
    match = re.fullmatch(r"(rgba?|color)\((.*)\)", text)
    if not match:
        raise ValueError(f"a colour the test cannot read: {text!r}")
    kind, inner = match.groups()
    if kind == "color":
        space, _, inner = inner.strip().partition(" ")
        if space != "srgb":
            raise ValueError(f"a colour space the test cannot read: {text!r}")
    numbers = re.findall(_NUMBER, inner)
    if len(numbers) not in (3, 4):
        raise ValueError(f"a colour the test cannot read: {text!r}")

    def channel(value: str) -> float:
        if value.endswith("%"):
            return float(value[:-1]) * 255 / 100
        return float(value) * 255 if kind == "color" else float(value)

    def alpha(value: str) -> float:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value)

    r, g, b = (channel(v) for v in numbers[:3])
    return (r, g, b, alpha(numbers[3]) if len(numbers) == 4 else 1.0)


def over(top, bottom):
    """`top` (r, g, b, a) painted over the opaque `bottom` (r, g, b[, 1])."""
    a = top[3]
    return tuple(top[i] * a + bottom[i] * (1 - a) for i in range(3)) + (1.0,)


def flatten(layers, canvas=(255.0, 255.0, 255.0, 1.0)):
    """The opaque colour seen through `layers` (nearest first) laid over `canvas`:
    the nearest opaque layer with every translucent one in front of it."""
    colour = canvas
    stack = []
    for layer in layers:
        stack.append(layer)
        if layer[3] >= 1:
            break
    for layer in reversed(stack):
        colour = over(layer, colour) if layer[3] < 1 else layer
    return colour


def relative_luminance(colour) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (r, g, b in 0..255)."""

    def linear(channel):
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second) -> float:
    """WCAG 2.1 contrast ratio (1..21) of two opaque colours."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def hex_of(colour) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in colour[:3])


# --- Scripts run in the page -------------------------------------------------------------

# axe-core over the whole document, violations only, for the WCAG 2.0/2.1 A and AA rules.
AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : t)
      .join(" ")),
  }));
}
"""

# A short CSS path of an element, for messages.
_DESCRIBE = """
const describe = (el) => {
  const parts = [];
  for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
    let part = node.localName;
    if (node.id) { parts.unshift(part + "#" + node.id); break; }
    const classes = [...node.classList].slice(0, 2);
    if (classes.length) part += "." + classes.join(".");
    parts.unshift(part);
    if (node.localName === "main" || node.localName === "body") break;
  }
  return parts.join(" > ");
};
"""

# The page's width against the viewport's, and when it is wider, the elements that
# reach past the right edge: where the content escapes (an element whose parent
# still fits) and the innermost ones (none of whose children reach past it: a wide
# table cell, a long word, a fixed width).
OVERFLOW = (
    """
() => {
"""
    + _DESCRIBE
    + """
  const viewport = window.innerWidth;
  const width = document.documentElement.scrollWidth;
  const facts = {scrollWidth: width, innerWidth: viewport, escaping: [], innermost: []};
  if (width <= viewport) return facts;
  const past = (el) => {
    const box = el.getBoundingClientRect();
    return box.right > viewport + 0.5 && (box.width > 0 || box.height > 0);
  };
  // Whether a scroller that fits clips `el`: a scroller clips what it contains, but an
  // absolutely positioned element only when the scroller is (or holds) its containing
  // block (a visually hidden label in a table cell escapes a table wrapper so).
  const clippedInside = (el) => {
    for (let node = el; node && node !== document.body; ) {
      const position = getComputedStyle(node).position;
      if (position === "fixed") return false;
      const next = position === "absolute" ? node.offsetParent : node.parentElement;
      if (!next || next === document.body || next === document.documentElement) return false;
      if (/(auto|scroll|hidden|clip)/.test(getComputedStyle(next).overflowX)) {
        return next.getBoundingClientRect().right <= viewport + 0.5;
      }
      node = next;
    }
    return false;
  };
  const fact = (el) => {
    const box = el.getBoundingClientRect();
    return {
      selector: describe(el),
      right: Math.round(box.right + window.scrollX),
      width: Math.round(box.width),
      text: (el.textContent || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40),
    };
  };
  for (const el of document.body.querySelectorAll("*")) {
    if (!past(el) || clippedInside(el)) continue;
    const parent = el.parentElement;
    if (!past(parent) || parent === document.body) facts.escaping.push(fact(el));
    if (![...el.children].some(past)) facts.innermost.push(fact(el));
  }
  const widest = (a, b) => b.right - a.right;
  const distinct = (list, count) => {
    const seen = new Set();
    return list.sort(widest).filter((f) => !seen.has(f.selector) && seen.add(f.selector))
      .slice(0, count);
  };
  facts.escaping = distinct(facts.escaping, 3);
  facts.innermost = distinct(facts.innermost, 5);
  return facts;
}
"""
)

# Focuses, in each part of the page, the first visible link, button and form control
# of each kind (after a real Tab key press, so the browser is in keyboard mode and
# :focus-visible applies as it does for a keyboard user), and reads the focus
# indicator's computed style and the background colours behind it (each element
# from the one given up to <html>, nearest first). Colours are compared in Python.
FOCUS_SAMPLES = (
    """
() => {
"""
    + _DESCRIBE
    + """
  const KINDS = {
    link: "a[href]",
    button: "button, input[type=submit], input[type=button], input[type=reset]",
    "text field": "input:not([type]), input[type=text], input[type=search], input[type=email], "
      + "input[type=password], input[type=number], input[type=date], input[type=tel], "
      + "input[type=url], input[type=time], input[type=file], textarea",
    select: "select",
    "check box": "input[type=checkbox], input[type=radio]",
    summary: "details > summary",
  };
  const PARTS = {
    header: "body > header, .site-header",
    main: "main",
    footer: "body > footer, .site-footer",
  };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && !el.disabled
      && el.tabIndex >= 0 && !el.closest("[inert], [hidden], [aria-hidden=true]");
  };
  const layers = (el) => {
    const found = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      found.push({colour: style.backgroundColor, image: style.backgroundImage !== "none",
                  where: describe(node)});
    }
    return found;
  };
  const samples = [];
  const seen = new Set();
  for (const [part, partSelector] of Object.entries(PARTS)) {
    const container = document.querySelector(partSelector);
    if (!container) continue;
    for (const [kind, selector] of Object.entries(KINDS)) {
      const el = [...container.querySelectorAll(selector)].find((e) => shown(e) && !seen.has(e));
      if (!el) continue;
      seen.add(el);
      el.focus();
      if (document.activeElement !== el) continue;
      const style = getComputedStyle(el);
      samples.push({
        part, kind, selector: describe(el),
        focusVisible: el.matches(":focus-visible"),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
        outlineColor: style.outlineColor,
        outlineOffset: parseFloat(style.outlineOffset) || 0,
        boxShadow: style.boxShadow,
        own: layers(el),
        behind: el.parentElement ? layers(el.parentElement) : [],
      });
    }
  }
  const root = getComputedStyle(document.documentElement).backgroundColor;
  const body = document.body ? getComputedStyle(document.body).backgroundColor : "transparent";
  return {samples, page: [root, body]};
}
"""
)

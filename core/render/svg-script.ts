// The script inside a flame graph SVG: tooltips in the details line, click to zoom, reset zoom,
// search with the matched percentage. It reads names only through textContent and writes them
// only through textContent, so no symbol name is ever parsed as markup.

export interface SvgScriptConfig {
  inverted: boolean;
  width: number;
  xpad: number;
  fontSize: number;
  fontWidth: number;
}

export function svgScript(config: SvgScriptConfig): string {
  // Only numbers and booleans are interpolated; the count name goes through JSON (escaped by caller
  // context: it sits in CDATA, so it must not contain "]]>", which JSON.stringify cannot produce
  // once ">" is escaped).
  const settings = JSON.stringify(config).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"use strict";
var cfg = ${settings};
var svg, frames, details, matchedText, unzoomBtn, searchBtn, searching = null;
function init() {
  svg = document.documentElement;
  frames = document.getElementById("frames");
  details = document.getElementById("details").firstChild;
  matchedText = document.getElementById("matched");
  unzoomBtn = document.getElementById("unzoom");
  searchBtn = document.getElementById("search");
  var all = frames.querySelectorAll("g");
  for (var i = 0; i < all.length; i++) {
    var r = all[i].querySelector("rect");
    all[i].setAttribute("data-x", r.getAttribute("x"));
    all[i].setAttribute("data-w", r.getAttribute("width"));
  }
  frames.addEventListener("click", function (e) { var g = frameOf(e.target); if (g) zoom(g); });
  frames.addEventListener("mouseover", function (e) { var g = frameOf(e.target); if (g) details.nodeValue = "Function: " + titleOf(g); });
  frames.addEventListener("mouseout", function () { details.nodeValue = " "; });
  unzoomBtn.addEventListener("click", unzoom);
  searchBtn.addEventListener("click", function () { if (searching) resetSearch(); else searchPrompt(); });
  window.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "f") { e.preventDefault(); searchPrompt(); }
    else if (e.key === "Escape") { resetSearch(); unzoom(); }
  });
}
function frameOf(el) { while (el && el !== frames) { if (el.tagName === "g") return el; el = el.parentNode; } return null; }
function titleOf(g) { return g.querySelector("title").textContent; }
function nameOf(g) { var t = titleOf(g); var i = t.lastIndexOf(" ("); return i < 0 ? t : t.slice(0, i); }
function num(g, a) { return parseFloat(g.getAttribute(a)); }
function y(g) { return num(g.querySelector("rect"), "y"); }
function fitText(g, x, w) {
  var text = g.querySelector("text"), name = nameOf(g);
  text.setAttribute("x", (x + 3).toFixed(2));
  var chars = Math.floor((w - 6) / (cfg.fontSize * cfg.fontWidth));
  if (chars < 3) { text.textContent = ""; return; }
  text.textContent = name.length <= chars ? name : name.slice(0, chars - 2) + "..";
}
function place(g, x, w) {
  var r = g.querySelector("rect");
  r.setAttribute("x", x.toFixed(2));
  r.setAttribute("width", Math.max(0, w).toFixed(2));
  fitText(g, x, w);
}
function zoom(target) {
  var x0 = num(target, "data-x"), w0 = num(target, "data-w"), y0 = y(target);
  var scale = (cfg.width - 2 * cfg.xpad) / w0, eps = 0.0001;
  var all = frames.querySelectorAll("g");
  unzoomBtn.classList.remove("hide");
  for (var i = 0; i < all.length; i++) {
    var g = all[i], x = num(g, "data-x"), w = num(g, "data-w"), gy = y(g);
    var above = cfg.inverted ? gy > y0 : gy < y0, below = cfg.inverted ? gy < y0 : gy > y0;
    g.classList.remove("hide", "parent");
    if (below && x <= x0 + eps && x + w >= x0 + w0 - eps) {
      g.classList.add("parent");
      place(g, cfg.xpad, cfg.width - 2 * cfg.xpad);
    } else if (!below && x >= x0 - eps && x + w <= x0 + w0 + eps && (above || g === target)) {
      place(g, cfg.xpad + (x - x0) * scale, w * scale);
    } else {
      g.classList.add("hide");
    }
  }
  if (searching) search(searching);
}
function unzoom() {
  unzoomBtn.classList.add("hide");
  var all = frames.querySelectorAll("g");
  for (var i = 0; i < all.length; i++) {
    all[i].classList.remove("hide", "parent");
    place(all[i], num(all[i], "data-x"), num(all[i], "data-w"));
  }
  if (searching) search(searching);
}
function searchPrompt() {
  var term = window.prompt("Search for (regular expression):", "");
  if (term === null || term === "") return;
  var re;
  try { re = new RegExp(term); } catch (e) { window.alert("Not a regular expression: " + e.message); return; }
  search(re);
}
function search(re) {
  searching = re;
  var all = frames.querySelectorAll("g"), spans = [], total = 0;
  for (var i = 0; i < all.length; i++) {
    var g = all[i], rect = g.querySelector("rect");
    if (!g.hasAttribute("data-fill")) g.setAttribute("data-fill", rect.getAttribute("fill"));
    rect.setAttribute("fill", g.getAttribute("data-fill"));
    if (nameOf(g) === "all" && total === 0) total = num(g, "data-w");
    if (re.test(nameOf(g))) {
      rect.setAttribute("fill", "rgb(230,0,230)");
      spans.push([num(g, "data-x"), num(g, "data-w")]);
    }
  }
  // Nested matches cover the same samples: count each stretch of the x axis once.
  spans.sort(function (a, b) { return a[0] - b[0]; });
  var covered = 0, end = -Infinity;
  for (var j = 0; j < spans.length; j++) {
    var s = spans[j][0], e = s + spans[j][1];
    if (e <= end) continue;
    covered += e - Math.max(s, end);
    end = e;
  }
  searchBtn.classList.add("active");
  matchedText.textContent = "Matched: " + (total > 0 ? (100 * covered / total).toFixed(1) : "0.0") + "%";
}
function resetSearch() {
  if (!searching) return;
  searching = null;
  var all = frames.querySelectorAll("g");
  for (var i = 0; i < all.length; i++) {
    if (all[i].hasAttribute("data-fill")) all[i].querySelector("rect").setAttribute("fill", all[i].getAttribute("data-fill"));
  }
  searchBtn.classList.remove("active");
  matchedText.textContent = " ";
}
window.addEventListener("load", init);
`;
}

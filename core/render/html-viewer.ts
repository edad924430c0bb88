// The script of the self-contained HTML viewer. It reads the graph from a JSON <script> element and
// builds the page with createElement and textContent only: no name ever reaches an HTML parser.

export const HTML_VIEWER_SCRIPT = `"use strict";
(function () {
  var data = JSON.parse(document.getElementById("furnace-data").textContent);
  var names = data.names, colors = data.colors, FRAME = 17;
  var chart = document.getElementById("chart"), tip = document.getElementById("tooltip");
  var status = document.getElementById("status"), matched = document.getElementById("matched");
  var resetBtn = document.getElementById("reset"), input = document.getElementById("search");
  var maxDepth = 0, pattern = null;
  var root = unpack(data.root, null, 0), zoomed = root;
  function unpack(n, parent, depth) {
    var node = { name: names[n[0]], color: colors[n[0]], value: n[1], parent: parent, depth: depth, children: [] };
    if (depth > maxDepth) maxDepth = depth;
    var kids = n[2] || [];
    for (var i = 0; i < kids.length; i++) node.children.push(unpack(kids[i], node, depth + 1));
    return node;
  }
  function percent(v) { return (100 * v / root.value).toFixed(2) + "%"; }
  function label(node) { return node.name + " (" + node.value.toLocaleString("en-US") + " " + data.countName + ", " + percent(node.value) + ")"; }
  function isMatch(node) { return pattern !== null && pattern.test(node.name); }
  function render() {
    chart.textContent = "";
    var width = chart.clientWidth, scale = width / zoomed.value, levels = maxDepth + 1;
    chart.style.height = levels * FRAME + "px";
    resetBtn.disabled = zoomed === root;
    var ancestors = [];
    for (var a = zoomed.parent; a; a = a.parent) ancestors.push(a);
    for (var k = 0; k < ancestors.length; k++) draw(ancestors[k], 0, width, true, levels);
    walk(zoomed, 0, scale, levels);
  }
  function walk(node, x, scale, levels) {
    var w = node.value * scale;
    if (w < 0.5) return;
    draw(node, x, w, false, levels);
    var offset = x;
    for (var i = 0; i < node.children.length; i++) {
      walk(node.children[i], offset, scale, levels);
      offset += node.children[i].value * scale;
    }
  }
  function draw(node, x, w, faded, levels) {
    var el = document.createElement("div");
    el.className = "frame" + (faded ? " faded" : "");
    var row = data.inverted ? node.depth : levels - 1 - node.depth;
    el.style.left = x + "px";
    el.style.width = Math.max(w - 1, 0.5) + "px";
    el.style.top = row * FRAME + "px";
    el.style.background = isMatch(node) ? "rgb(230,0,230)" : node.color;
    if (w > 24) el.textContent = node.name;
    el.addEventListener("click", function () { zoomed = node; render(); });
    el.addEventListener("mousemove", function (e) { showTip(node, e); });
    el.addEventListener("mouseleave", function () { tip.hidden = true; status.textContent = " "; });
    chart.appendChild(el);
  }
  function showTip(node, e) {
    tip.textContent = label(node);
    tip.hidden = false;
    tip.style.left = Math.min(e.pageX + 12, document.body.clientWidth - tip.offsetWidth - 4) + "px";
    tip.style.top = e.pageY + 14 + "px";
    status.textContent = label(node);
  }
  function coverage(node) {
    if (isMatch(node)) return node.value;
    var sum = 0;
    for (var i = 0; i < node.children.length; i++) sum += coverage(node.children[i]);
    return sum;
  }
  function search() {
    var term = input.value;
    pattern = null;
    input.classList.remove("bad");
    if (term !== "") {
      try { pattern = new RegExp(term); } catch (e) { input.classList.add("bad"); }
    }
    matched.textContent = pattern ? "Matched: " + (100 * coverage(root) / root.value).toFixed(1) + "%" : " ";
    render();
  }
  resetBtn.addEventListener("click", function () { zoomed = root; render(); });
  input.addEventListener("input", search);
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "f") { e.preventDefault(); input.focus(); }
    else if (e.key === "Escape") { input.value = ""; zoomed = root; search(); }
  });
  window.addEventListener("resize", render);
  if (root.value > 0) render(); else chart.textContent = "No samples";
})();
`;

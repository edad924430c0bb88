// Folded stacks → one self-contained HTML page: no external resources, the data embedded as JSON.
import { createHash } from 'node:crypto';
import { escapeXml, jsonForScript } from './escape.ts';
import { packFlameTree, type HtmlViewerData } from './flame-data.ts';
import { buildFlameTree } from './flame-tree.ts';
import { colorFor } from './palette.ts';
import type { FlameGraphOptions } from './svg.ts';
import { HTML_VIEWER_SCRIPT } from './viewer-bundle.generated.ts';
import type { FoldedStacks } from '../stacks/folded.ts';

// The page runs only its own script: a hash-pinned CSP, so even markup that slipped through could
// not execute, and nothing is fetched from anywhere.
const SCRIPT_HASH = createHash('sha256').update(HTML_VIEWER_SCRIPT).digest('base64');
const CSP = `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; img-src data:`;

export function renderFlameGraphHtml(stacks: FoldedStacks, options: FlameGraphOptions = {}): string {
  const inverted = options.inverted === true;
  const title = options.title ?? (inverted ? 'Icicle Graph' : 'Flame Graph');
  const palette = options.colors ?? 'hot';
  const tree = packFlameTree(buildFlameTree(stacks));
  const colors = tree.names.map((name, i) => (i === 0 ? 'rgb(220,220,220)' : colorFor(palette, name)));
  const data: HtmlViewerData = { ...tree, colors, inverted, countName: options.countName ?? 'samples' };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeXml(title)}</h1>
${options.subtitle ? `<p class="subtitle">${escapeXml(options.subtitle)}</p>` : ''}
<div class="controls"><button id="reset" type="button" disabled>Reset zoom</button>
<input id="search" type="search" placeholder="Search (regular expression)" aria-label="Search frames">
<span id="matched"> </span></div>
</header>
<main id="chart" class="${inverted ? 'inverted' : ''}"></main>
<div id="status"> </div>
<div id="tooltip" hidden></div>
<script type="application/json" id="furnace-data">${jsonForScript(data)}</script>
<script>${HTML_VIEWER_SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
body { margin: 0; padding: 0 16px 16px; font: 13px Verdana, sans-serif; background: #f7f7f2; color: #222; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 12px; padding: 10px 0; }
h1 { font-size: 18px; margin: 0; }
.subtitle { margin: 0; color: #777; }
.controls { margin-left: auto; display: flex; gap: 8px; align-items: center; }
#search { width: 260px; padding: 3px 6px; }
#search.bad { outline: 2px solid #c00; }
#chart { position: relative; width: 100%; overflow: hidden; }
.frame { position: absolute; height: 16px; line-height: 16px; font-size: 12px; padding: 0 3px; box-sizing: border-box;
  overflow: hidden; white-space: nowrap; text-overflow: ellipsis; border-radius: 2px; cursor: pointer; }
.frame:hover { outline: 1px solid #000; }
.faded { opacity: 0.5; }
#status { min-height: 18px; padding-top: 6px; font-size: 12px; color: #444; }
#tooltip { position: absolute; pointer-events: none; background: #fff; border: 1px solid #999; padding: 4px 6px;
  font-size: 12px; max-width: 600px; word-break: break-all; box-shadow: 0 1px 4px rgba(0,0,0,0.2); }
`;

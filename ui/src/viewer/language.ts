// Picks the palette that fits the stacks' language, from the shape of frame names (the same hints
// flamegraph.pl's java, js and perl palettes colour by): Java packages, JavaScript files and V8
// markers, Perl modules. Anything else is native code: `hot`.
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { PaletteName } from '../../../core/render/palette.ts';

const HINTS: { palette: PaletteName; pattern: RegExp }[] = [
  { palette: 'java', pattern: /^L?(java|javax|jdk|sun|kotlin|scala)[/.]|_\[j\]$|^Interpreter$|\.java:\d/ },
  { palette: 'js', pattern: /^(LazyCompile|JS|Builtin|Function):|\.m?[jt]s(:\d+)?(\)|$)|^node::/ },
  { palette: 'perl', pattern: /\.p[lm](:\d+)?\b|^Perl_/ },
];

/** Looks at up to `limit` frames; a language wins when at least 5% of them carry its hint. */
export function detectPalette(root: FlameNode, limit = 5_000): PaletteName {
  const counts = new Map<PaletteName, number>();
  let seen = 0;
  const pending = [...root.children];
  for (let node = pending.pop(); node !== undefined && seen < limit; node = pending.pop()) {
    seen += 1;
    for (const hint of HINTS) {
      if (hint.pattern.test(node.name)) {
        counts.set(hint.palette, (counts.get(hint.palette) ?? 0) + 1);
        break;
      }
    }
    pending.push(...node.children);
  }
  let best: PaletteName = 'hot';
  let bestCount = Math.max(1, Math.ceil(seen * 0.05)) - 1;
  for (const [palette, count] of counts) {
    if (count > bestCount) {
      best = palette;
      bestCount = count;
    }
  }
  return best;
}

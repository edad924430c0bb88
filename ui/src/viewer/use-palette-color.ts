// A frame's colour in a palette, computed once per function name while the palette stays the same.
import { useMemo } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { colorFor, type PaletteName } from '../../../core/render/palette.ts';

export function usePaletteColor(palette: PaletteName): (node: FlameNode) => string {
  return useMemo(() => {
    const cache = new Map<string, string>();
    return (node: FlameNode): string => {
      let color = cache.get(node.name);
      if (color === undefined) {
        color = colorFor(palette, node.name);
        cache.set(node.name, color);
      }
      return color;
    };
  }, [palette]);
}

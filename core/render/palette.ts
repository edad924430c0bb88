// Frame colours for the palettes of flamegraph.pl. The shade comes from a hash of the name rather
// than from a random number, so one function has one colour in every graph and golden files hold.

export const PALETTES = [
  'hot',
  'mem',
  'io',
  'java',
  'js',
  'perl',
  'red',
  'green',
  'blue',
  'aqua',
  'yellow',
  'purple',
  'orange',
] as const;
export type PaletteName = (typeof PALETTES)[number];

export function isPaletteName(name: string): name is PaletteName {
  return (PALETTES as readonly string[]).includes(name);
}

type Hue = Exclude<PaletteName, 'java' | 'js' | 'perl'>;

/** `rgb(r,g,b)` for a frame name. */
export function colorFor(palette: PaletteName, name: string): string {
  const hue = hueFor(palette, name);
  const [v1, v2, v3] = shades(name);
  const [r, g, b] = mix(hue, v1, v2, v3);
  return `rgb(${r},${g},${b})`;
}

/** The two stops of the background gradient, as flamegraph.pl picks them per palette. */
export function backgroundFor(palette: PaletteName): [string, string] {
  if (palette === 'mem') return ['#eeeeee', '#e0e0ff'];
  if (palette === 'io') return ['#f8f8f8', '#e8e8e8'];
  return ['#eeeeee', '#eeeeb0'];
}

// Language palettes colour by kind of frame: annotations from the collapser first, then the shape
// of the name (C++ `::`, Java packages and script paths with `/`).
function hueFor(palette: PaletteName, name: string): Hue {
  if (palette !== 'java' && palette !== 'js' && palette !== 'perl') return palette;
  return annotatedHue(palette, name) ?? LANGUAGE_HUES[palette](name);
}

/** The hue of a frame the collapser annotated (kernel, inlined, JIT), if it is one. */
function annotatedHue(palette: 'java' | 'js' | 'perl', name: string): Hue | undefined {
  if (name.endsWith('_[k]')) return 'orange';
  if (name.endsWith('_[i]')) return 'aqua';
  if (name.endsWith('_[j]')) return palette === 'java' ? 'green' : 'aqua';
  return undefined;
}

const LANGUAGE_HUES: Record<'java' | 'js' | 'perl', (name: string) => Hue> = {
  java(name) {
    if (/^L?(java|javax|jdk|net|org|com|io|sun|kotlin|scala)\//.test(name)) return 'green';
    if (name.includes('::')) return 'yellow';
    return 'red';
  },
  js(name) {
    if (name.includes('/') || name.startsWith('JS:') || name.startsWith('LazyCompile:')) return 'green';
    if (name.includes('::')) return 'yellow';
    return 'red';
  },
  perl(name) {
    if (name.includes('::') && !name.includes('.')) return 'yellow';
    if (/\.p[lm]\b|Perl/.test(name)) return 'green';
    return 'red';
  },
};

function mix(hue: Hue, v1: number, v2: number, v3: number): [number, number, number] {
  const n = (base: number, span: number, v: number) => base + Math.floor(span * v);
  switch (hue) {
    case 'hot':
      return [n(205, 50, v3), n(0, 230, v1), n(0, 55, v2)];
    case 'mem':
      return [0, n(190, 50, v2), n(0, 210, v1)];
    case 'io': {
      const r = n(80, 60, v1);
      return [r, r, n(190, 55, v2)];
    }
    case 'red': {
      const g = n(50, 80, v1);
      return [n(200, 55, v1), g, g];
    }
    case 'green': {
      const r = n(50, 60, v1);
      return [r, n(200, 55, v1), r];
    }
    case 'blue': {
      const r = n(80, 60, v1);
      return [r, r, n(205, 50, v1)];
    }
    case 'yellow': {
      const r = n(175, 55, v1);
      return [r, r, n(50, 20, v1)];
    }
    case 'purple': {
      const r = n(190, 65, v1);
      return [r, n(80, 60, v1), r];
    }
    case 'aqua': {
      const g = n(165, 55, v1);
      return [n(50, 60, v1), g, g];
    }
    case 'orange':
      return [n(190, 65, v1), n(90, 65, v1), 0];
  }
}

// Three numbers in [0, 1) from FNV-1a hashes of the name with different seeds.
function shades(name: string): [number, number, number] {
  return [hash(name, 0x811c9dc5), hash(name, 0x01000193), hash(name, 0x9e3779b9)];
}

function hash(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h >>> 8) / 0x1000000;
}

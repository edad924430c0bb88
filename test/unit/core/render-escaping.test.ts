// Hostile symbol names must come out as text in every renderer: parse the output and check that no
// element or attribute was created by a name, and that the names read back unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFlameGraphHtml } from '../../../core/render/html.ts';
import { renderFlameGraphSvg } from '../../../core/render/svg.ts';
import { SVG_VIEWER_SCRIPT } from '../../../core/render/viewer-bundle.generated.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  "'><img src=x onerror=alert(1)>",
  'operator<<(std::ostream&, Foo const&)',
  'std::vector<int, std::allocator<int> >::push_back',
  '</script><script>alert(2)</script>',
  '<!--',
  ']]><script>alert(3)</script>',
  'ctrl\u0001char\u001f',
  'a &amp b &lt c &#60',
];

function hostileStacks(): FoldedStacks {
  // Wide enough that every frame gets a text label too.
  return new Map(HOSTILE.map((name, i) => [`app;${name}`, 10 + i]));
}

interface Element {
  name: string;
  attributes: Map<string, string>;
  text: string;
}

// eslint-disable-next-line no-control-regex -- the characters XML cannot carry
const CONTROL = /[\u0000-\u001f]/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decode(text: string): string {
  return text.replace(/&([a-z]+|#\d+);/g, (_, e: string) => {
    const value = ENTITIES[e];
    assert.ok(value !== undefined, `unknown entity &${e};`);
    return value;
  });
}

/** Where the construct at `at` ends, just past `end`; fails when it does not end. */
function skipPast(doc: string, at: number, end: string): number {
  const found = doc.indexOf(end, at);
  assert.ok(found !== -1, `unterminated ${end}`);
  return found + end.length;
}

/** The end of a comment, CDATA section, processing instruction or doctype at lt; undefined for a tag. */
function skipNonElement(doc: string, lt: number, open: Element[]): number | undefined {
  if (doc.startsWith('<!--', lt)) return skipPast(doc, lt, '-->');
  if (doc.startsWith('<![CDATA[', lt)) {
    // CDATA content is text of the element it sits in (the embedded viewer data).
    const end = skipPast(doc, lt, ']]>');
    if (open.length > 0) (open[open.length - 1] as Element).text += doc.slice(lt + 9, end - 3);
    return end;
  }
  if (doc.startsWith('<?', lt)) return skipPast(doc, lt, '?>');
  if (/^<!doctype/i.test(doc.slice(lt, lt + 9))) return skipPast(doc, lt, '>');
  return undefined;
}

/** Text between tags: escaped, and added to the innermost open element. */
function readText(text: string, open: Element[]): void {
  assert.doesNotMatch(text, /&(?!(amp|lt|gt|quot|#39);)/, `bare & in text: ${text.slice(0, 80)}`);
  assert.doesNotMatch(text, />/, `bare > in text: ${text.slice(0, 80)}`);
  if (open.length > 0) (open[open.length - 1] as Element).text += decode(text);
}

function readEndTag(doc: string, lt: number, open: Element[]): number {
  const m = /^<\/([A-Za-z][\w:-]*)\s*>/.exec(doc.slice(lt));
  assert.ok(m, `bad end tag at ${doc.slice(lt, lt + 40)}`);
  assert.equal(open.pop()?.name, m[1], 'end tag matches start tag');
  return lt + m[0].length;
}

/** A start tag with its attributes (each once), and for raw-text elements their whole content. */
function readStartTag(
  doc: string,
  lt: number,
  open: Element[],
  elements: Element[],
  rawText: ReadonlySet<string>,
): number {
  const m = /^<([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:-]*(?:="[^"<]*"|='[^'<]*')?)*)\s*(\/?)>/.exec(
    doc.slice(lt),
  );
  assert.ok(m, `bad start tag at ${doc.slice(lt, lt + 60)}`);
  const element: Element = { name: m[1] as string, attributes: new Map(), text: '' };
  for (const a of (m[2] ?? '').matchAll(/([A-Za-z][\w:-]*)(?:="([^"]*)"|='([^']*)')?/g)) {
    assert.ok(!element.attributes.has(a[1] as string), `duplicate attribute ${a[1]}`);
    element.attributes.set(a[1] as string, decode(a[2] ?? a[3] ?? ''));
  }
  elements.push(element);
  const next = lt + m[0].length;
  if (rawText.has(element.name)) {
    // HTML raw text: runs to the first `</name`, whatever it contains.
    const end = doc.toLowerCase().indexOf(`</${element.name}`, next);
    assert.ok(end !== -1, `unterminated <${element.name}>`);
    element.text = doc.slice(next, end);
    open.push(element);
    return end;
  }
  if (m[3] !== '/' && !['meta', 'input'].includes(element.name)) open.push(element);
  return next;
}

/** A strict little XML reader: fails on anything that is not well-formed markup. */
function parseMarkup(doc: string, rawText: ReadonlySet<string> = new Set()): Element[] {
  const elements: Element[] = [];
  const open: Element[] = [];
  let i = 0;
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    readText(doc.slice(i, lt === -1 ? doc.length : lt), open);
    if (lt === -1) break;
    i =
      skipNonElement(doc, lt, open) ??
      (doc.startsWith('</', lt) ? readEndTag(doc, lt, open) : readStartTag(doc, lt, open, elements, rawText));
  }
  assert.deepEqual(
    open.map((e) => e.name),
    [],
    'every element is closed',
  );
  return elements;
}

describe('escaping of symbol names', () => {
  it('SVG: names create no element or attribute and read back from the tooltips', () => {
    const svg = renderFlameGraphSvg(hostileStacks(), { title: '<b>title</b>', subtitle: '"sub" & <i>' });
    const elements = parseMarkup(svg);
    const names = new Set(elements.map((e) => e.name));
    assert.deepEqual([...names].sort(), [
      'defs',
      'g',
      'linearGradient',
      'rect',
      'script',
      'stop',
      'style',
      'svg',
      'text',
      'title',
    ]);
    // Two scripts: the viewer, exactly the bundle, and the data block, which holds every name unchanged.
    const scripts = elements.filter((e) => e.name === 'script');
    assert.deepEqual(
      scripts.map((e) => e.attributes.get('type')),
      ['application/json', 'text/ecmascript'],
    );
    assert.equal(scripts[1]?.text, SVG_VIEWER_SCRIPT);
    const data = JSON.parse(scripts[0]?.text ?? '') as { names: string[] };
    for (const name of HOSTILE) assert.ok(data.names.includes(name), `data holds ${name}`);
    for (const e of elements) {
      for (const attr of e.attributes.keys())
        assert.doesNotMatch(attr, /^on/i, `event handler attribute on <${e.name}>`);
    }
    const titles = elements.filter((e) => e.name === 'title').map((e) => e.text.replace(/ \([^(]*\)$/, ''));
    for (const name of HOSTILE) {
      // XML cannot carry control characters at all: they become U+FFFD.
      assert.ok(titles.includes(name.replace(CONTROL, '\ufffd')), `tooltip for ${name}`);
    }
    assert.ok(elements.some((e) => e.name === 'text' && e.text === '<b>title</b>'));
    assert.ok(elements.some((e) => e.name === 'text' && e.text === '"sub" & <i>'));
  });

  it('HTML: names stay inside the JSON data and read back unchanged', () => {
    const html = renderFlameGraphHtml(hostileStacks(), { title: '</title><script>alert(4)</script>' });
    const elements = parseMarkup(
      html.replace(/^<!DOCTYPE html>\n/, ''),
      new Set(['script', 'style', 'title']),
    );
    const scripts = elements.filter((e) => e.name === 'script');
    assert.equal(scripts.length, 2, 'only the data block and the viewer script');
    const data = scripts.find((e) => e.attributes.get('type') === 'application/json');
    assert.ok(data, 'data block');
    assert.doesNotMatch(data.text, /<|>|&/, 'no markup characters inside the data block');
    const parsed = JSON.parse(data.text) as { names: string[] };
    for (const name of HOSTILE) assert.ok(parsed.names.includes(name), `data holds ${name}`);
    const title = elements.find((e) => e.name === 'title');
    assert.equal(title?.text, '&lt;/title&gt;&lt;script&gt;alert(4)&lt;/script&gt;');
    const csp = elements.find((e) => e.attributes.get('http-equiv') === 'Content-Security-Policy');
    assert.match(csp?.attributes.get('content') ?? '', /default-src 'none'; script-src 'sha256-/);
  });
});

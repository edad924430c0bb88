// YAML as kubectl reads it, and edits of a manifest's text that keep what they do not change.
//
// kubectl reads YAML 1.1 (go-yaml v2): `yes`, `no`, `on`, `off`, `y` and `n` are booleans and `0400` is
// octal. Read as YAML 1.2 and written back, a quoted "yes" loses its quotes and an octal file mode becomes
// a decimal one: the manifest then means something else to kubectl. So manifests are read with a 1.1
// schema shaped like go-yaml v2 (timestamps stay strings, no sexagesimal `1:20` numbers), and a changed
// document is edited in place: its untouched nodes keep their quotes, number forms and comments, and new
// strings are quoted wherever YAML 1.1 would read them as something else. Pure; cli/inject.ts does I/O.
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isNode, isSeq, parseAllDocuments } from 'yaml';
import type { DocumentOptions, Node, ParseOptions, SchemaOptions, ToStringOptions } from 'yaml';
import type { Operation } from 'fast-json-patch';
import { FurnaceError } from '../core/contract/errors.ts';
import { computePatch } from '../core/injection/compute-patch.ts';

const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
const GO_YAML_V2_LACKS = new Set(['timestamp', 'intTime', 'floatTime']);

export const KUBECTL_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags) =>
    tags.filter((t) =>
      typeof t === 'string'
        ? !GO_YAML_V2_LACKS.has(t)
        : t.tag !== TIMESTAMP_TAG && !('format' in t && t.format === 'TIME'),
    ),
};

/** A document of a multi-document stream: its value as kubectl reads it, and where its value is. */
export interface ManifestDocument {
  value: unknown;
  /** Offsets in the source text of the document's value, without comments before or after it. */
  start: number;
  end: number;
  document: Document.Parsed;
}

/** The documents that have a value (empty ones and comment-only ones are left out). */
export function readDocuments(text: string, source: string): ManifestDocument[] {
  const out: ManifestDocument[] = [];
  for (const document of parseAllDocuments(text, KUBECTL_YAML)) {
    const error = document.errors[0];
    if (error) throw new Error(`${source}: ${error.message}`);
    const contents = document.contents;
    if (contents === null) continue;
    const [start, end] = contents.range;
    out.push({ value: document.toJS() as unknown, start, end, document });
  }
  return out;
}

/** Whether the text writes its block sequences flush with their key (`key:\n- a`), as kubectl does. */
function indentsSequences(text: string): boolean {
  return !/^( *)[^\s#-][^\n]*:[ \t]*\r?\n\1- /m.test(text);
}

function pointerKeys(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Applies one JSON patch operation to the document's nodes. */
function applyOperation(document: Document, operation: Operation): void {
  const keys = pointerKeys(operation.path);
  const key = keys.pop();
  const parent: unknown = keys.length === 0 ? document.contents : document.getIn(keys, true);
  if (key === undefined) throw new Error(`cannot edit the document root (${operation.op})`);
  const value = 'value' in operation ? document.createNode(operation.value) : undefined;
  if (isSeq(parent)) {
    const index = key === '-' ? parent.items.length : Number(key);
    if (operation.op === 'add') parent.items.splice(index, 0, value);
    else if (operation.op === 'replace') parent.items[index] = value;
    else if (operation.op === 'remove') parent.items.splice(index, 1);
    else throw new Error(`unexpected ${operation.op} at ${operation.path}`);
  } else if (isMap(parent)) {
    if (operation.op === 'add' || operation.op === 'replace') parent.set(key, value);
    else if (operation.op === 'remove') parent.delete(key);
    else throw new Error(`unexpected ${operation.op} at ${operation.path}`);
  } else {
    throw new Error(`${operation.path}: the parent is not a map or a list (an alias?)`);
  }
}

/**
 * The node whose leading comment lies before `node`'s own text: a comment directly above a document's
 * first key belongs to that key (the yaml package's choice), yet it sits outside the document's range.
 */
function firstKeyAtStart(node: Node): Node | undefined {
  if (!isMap(node)) return undefined;
  const key: unknown = node.items[0]?.key;
  return isNode(key) && key.range?.[0] === node.range?.[0] ? key : undefined;
}

/** The node alone, without the comments around it (those stay in the source text outside its range). */
function renderNode(node: Node, options: ToStringOptions): string {
  const { commentBefore, comment } = node;
  const firstKey = firstKeyAtStart(node);
  const keyComment = firstKey?.commentBefore;
  node.commentBefore = null;
  node.comment = null;
  if (firstKey !== undefined) firstKey.commentBefore = null;
  try {
    const alone = new Document(null, KUBECTL_YAML);
    alone.contents = node;
    return alone.toString(options);
  } finally {
    node.commentBefore = commentBefore;
    node.comment = comment;
    if (firstKey !== undefined) firstKey.commentBefore = keyComment;
  }
}

function meansTheSame(text: string, expected: unknown): boolean {
  const [document, ...rest] = parseAllDocuments(text, KUBECTL_YAML);
  if (!document || rest.length > 0 || document.errors.length > 0) return false;
  return isDeepStrictEqual(document.toJS(), expected);
}

/**
 * The text that replaces `source.slice(doc.start, doc.end)` so that kubectl reads `changed` there. The
 * document's own nodes are edited (the diff from its value to `changed`, as JSON patch operations); if that
 * cannot express the change (aliases, merge keys), the whole value is written anew. Either way the result
 * is read back and compared, so a document never comes out meaning something other than `changed`.
 */
export function renderChangedDocument(doc: ManifestDocument, changed: unknown, source: string): string {
  const original = source.slice(doc.start, doc.end);
  const expected: unknown = JSON.parse(JSON.stringify(changed));
  const options: ToStringOptions = {
    lineWidth: 0,
    indentSeq: indentsSequences(original),
    flowCollectionPadding: false,
  };
  // The replacement ends like the text it replaces, with the same line endings.
  const fit = (text: string) => {
    const ended = original.endsWith('\n') ? text : text.replace(/\n$/, '');
    return original.includes('\r\n') ? ended.replaceAll('\n', '\r\n') : ended;
  };
  try {
    for (const operation of computePatch(doc.value as object, expected as object)) {
      applyOperation(doc.document, operation);
    }
    const contents = doc.document.contents;
    const edited = contents ? renderNode(contents, options) : '';
    if (meansTheSame(edited, expected)) return fit(edited);
  } catch {
    // Written anew below.
  }
  const fresh = new Document(expected, KUBECTL_YAML).toString(options);
  if (meansTheSame(fresh, expected)) return fit(fresh);
  throw new FurnaceError(
    'ERR_INTERNAL',
    'the injected document cannot be written as YAML that kubectl reads back',
  );
}

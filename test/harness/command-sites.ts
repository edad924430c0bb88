// Where test code starts external commands, read from its syntax tree, for
// test/unit/deploy/command-table.test.ts: the command given as a string to a start function of
// node:child_process or of the harness (run, startProcess, startDetached), through local wrappers whose
// parameter becomes the command, behind a launcher (unshare, setpriv, taskset, stdbuf), and inside `sh -c`
// lines.
// A command computed at run time is left to the check at start (commands.ts).
import { basename } from 'node:path';
import ts from 'typescript';
import { launchedCommand } from './commands.ts';
import { HOLE, shellCommands } from './shell-commands.ts';

export interface CommandSite {
  line: number;
  command: string;
  /** False for a name only seen (`command -v`, a file joined to a build directory): a use, never a failure. */
  started: boolean;
}

/** Position of the command among the arguments of each start function. */
const START_ARGUMENT: Record<string, number> = {
  spawn: 0,
  spawnSync: 0,
  execFile: 0,
  execFileSync: 0,
  run: 0,
  startProcess: 1,
  startDetached: 0,
};
const PROCESS_MODULE = /^(node:)?child_process$|(^|\/)(child-)?processes\.ts$/;
const SHELLS = new Set(['sh', 'bash', '/bin/sh', '/bin/bash']);

/** A file's syntax tree, for the functions below (parse once, ask each). */
export function parseSource(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
}

/** Whether the source imports node:child_process: anywhere but the checked stand-ins, a way around the table. */
export function importsChildProcess(source: ts.SourceFile): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    const specifier =
      ts.isImportDeclaration(node) || ts.isExportDeclaration(node)
        ? node.moduleSpecifier
        : ts.isCallExpression(node) &&
            (node.expression.kind === ts.SyntaxKind.ImportKeyword || isNamed(node, 'require'))
          ? node.arguments[0]
          : undefined;
    if (specifier && ts.isStringLiteral(specifier) && /^(node:)?child_process$/.test(specifier.text))
      found = true;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isNamed(call: ts.CallExpression, name: string): boolean {
  return ts.isIdentifier(call.expression) && call.expression.text === name;
}

/** Local names of the start functions this file may call: imported ones, or its own in a process module. */
function startFunctions(source: ts.SourceFile): Map<string, number> {
  const starts = new Map<string, number>();
  if (PROCESS_MODULE.test(basename(source.fileName))) {
    for (const [name, index] of Object.entries(START_ARGUMENT)) starts.set(name, index);
  }
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!PROCESS_MODULE.test(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const index = START_ARGUMENT[(element.propertyName ?? element.name).text];
      if (index !== undefined) starts.set(element.name.text, index);
    }
  }
  return starts;
}

/** Text of a string or template literal; a template's substitutions become HOLE. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((span) => HOLE + span.literal.text).join('');
  }
  return undefined;
}

/** `const NAME = 'text'` anywhere in the file, for names declared once. */
function constantStrings(source: ts.SourceFile): Map<string, string | undefined> {
  const constants = new Map<string, string | undefined>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const text = literalText(node.initializer);
      const name = node.name.text;
      constants.set(name, constants.has(name) || text === undefined ? undefined : text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return constants;
}

/** The named function a node is in (a callback inside it is looked through), and its parameters' names. */
function enclosingFunction(node: ts.Node): { name: string; params: string[] } | undefined {
  for (let at = node.parent; at !== undefined; at = at.parent) {
    if (!ts.isFunctionDeclaration(at) && !ts.isArrowFunction(at) && !ts.isFunctionExpression(at)) continue;
    const params = at.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
    if (ts.isFunctionDeclaration(at) && at.name) return { name: at.name.text, params };
    const holder = at.parent;
    if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name))
      return { name: holder.name.text, params };
  }
  return undefined;
}

interface FileScan {
  source: ts.SourceFile;
  starts: Map<string, number>;
  constants: Map<string, string | undefined>;
  sites: CommandSite[];
}

/**
 * The elements of an argv array literal: text for literals, undefined for what is known only at run time;
 * undefined as a whole when a spread of unknown length could hide where a launcher's command is.
 */
function argvOf(node: ts.Expression | undefined, scan: FileScan): (string | undefined)[] | undefined {
  if (!node || !ts.isArrayLiteralExpression(node)) return [];
  const argv: (string | undefined)[] = [];
  for (const element of node.elements) {
    if (!ts.isSpreadElement(element)) argv.push(resolveText(element, scan));
    else if (ts.isArrayLiteralExpression(element.expression))
      argv.push(...(argvOf(element.expression, scan) ?? []));
    else return undefined;
  }
  return argv;
}

function resolveText(node: ts.Node, scan: FileScan): string | undefined {
  if (ts.isIdentifier(node)) return scan.constants.get(node.text);
  return literalText(node);
}

/** Records the command, then what it starts in turn: a launcher's command, a shell's `-c` line. */
function addCommand(
  scan: FileScan,
  line: number,
  command: string,
  argv: (string | undefined)[] | undefined,
): void {
  if (command.includes(HOLE)) return;
  scan.sites.push({ line, command, started: true });
  if (argv === undefined) return;
  if (SHELLS.has(command) && argv[0] === '-c' && argv[1] !== undefined) {
    for (const inner of shellCommands(argv[1])) {
      scan.sites.push({ line: line + inner.line - 1, command: inner.command, started: !inner.checkOnly });
    }
    return;
  }
  const known = argv.map((arg) => arg ?? HOLE);
  const launched = launchedCommand(command, known);
  if (launched !== undefined) addCommand(scan, line, launched, argv.slice(known.indexOf(launched) + 1));
}

function lineOf(scan: FileScan, node: ts.Node): number {
  return scan.source.getLineAndCharacterOfPosition(node.getStart(scan.source)).line + 1;
}

/** One call of a start function (or of a wrapper of one) whose command is argument `index`. */
function scanStart(scan: FileScan, call: ts.CallExpression, index: number): void {
  const arg = call.arguments[index];
  if (!arg || ts.isSpreadElement(arg)) return;
  const line = lineOf(scan, arg);
  const text = resolveText(arg, scan);
  if (text !== undefined) {
    addCommand(scan, line, text, argvOf(call.arguments[index + 1], scan));
  } else if (ts.isCallExpression(arg) && /^(join|resolve)$/.test(arg.expression.getText(scan.source))) {
    const last = arg.arguments.at(-1);
    const name = last ? literalText(last) : undefined;
    if (name !== undefined && !name.includes(HOLE))
      scan.sites.push({ line, command: basename(name), started: false });
  } else if (ts.isIdentifier(arg)) {
    const wrapper = enclosingFunction(call);
    const param = wrapper?.params.indexOf(arg.text) ?? -1;
    if (wrapper && param >= 0 && !scan.starts.has(wrapper.name)) scan.starts.set(wrapper.name, param);
  }
}

/** The start function a call calls, and where its command is: `spawn(…)`, or `promisify(execFile)(…)`. */
function startIndex(scan: FileScan, call: ts.CallExpression): number | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return scan.starts.get(callee.text);
  if (ts.isCallExpression(callee) && isNamed(callee, 'promisify')) {
    const inner = callee.arguments[0];
    return inner && ts.isIdentifier(inner) ? scan.starts.get(inner.text) : undefined;
  }
  return undefined;
}

/** Every command the file starts from a string it names (wrappers found on one pass are followed on the next). */
export function commandSites(source: ts.SourceFile): CommandSite[] {
  const scan: FileScan = {
    source,
    starts: startFunctions(source),
    constants: constantStrings(source),
    sites: [],
  };
  for (let known = -1; known !== scan.starts.size;) {
    known = scan.starts.size;
    scan.sites = [];
    const visit = (node: ts.Node): void => {
      const index = ts.isCallExpression(node) ? startIndex(scan, node) : undefined;
      if (index !== undefined) scanStart(scan, node as ts.CallExpression, index);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return scan.sites;
}

/**
 * Every name the file's strings give a command: each string's whole text (a path, a CNI plugin type) and the
 * commands of the shell lines among them. Where a row is started by another program (containerd, a pod's
 * shell), this is the only place the test code names it.
 */
export function namedCommands(source: ts.SourceFile): Set<string> {
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    const literal = literalText(node);
    if (literal !== undefined) {
      found.add(literal);
      for (const line of shellCommands(literal)) found.add(line.command);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

// Stripped test programs and their debug files, the way a release build ships them: built with symbols,
// the debug info split off with `objcopy --only-keep-debug`, then the binary stripped (`strip --strip-all`:
// no .symtab, no DWARF). The C program is hot-program.ts's; the Go one loops in furnaceGoStripped.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readElfFacts } from '../../sidecar/symbols/elf-facts.ts';
import { goBinary } from './go-pprof-program.ts';
import { buildHotProgram } from './hot-program.ts';
import { run } from './processes.ts';

export interface StrippedProgram {
  /** The stripped binary, to run. */
  program: string;
  /** Its debug file (what a debuginfod server serves, or a developer uploads). */
  debugFile: string;
  buildId: string;
}

const GO_MAIN = `package main

import (
	"os"
	"strconv"
	"time"
)

var sink uint64

//go:noinline
func furnaceGoStripped() {
	for i := uint64(0); i < 4000000; i++ {
		sink += i ^ (sink >> 5)
	}
}

func main() {
	seconds, _ := strconv.Atoi(os.Args[1])
	end := time.Now().Add(time.Duration(seconds) * time.Second)
	for time.Now().Before(end) {
		furnaceGoStripped()
	}
}
`;

/** Splits a built program's debug info into `<program>.debug` and strips the program. */
export async function splitDebugInfo(program: string): Promise<StrippedProgram> {
  const debugFile = `${program}.debug`;
  await run('objcopy', ['--only-keep-debug', program, debugFile]);
  await run('strip', ['--strip-all', program]);
  const facts = await readElfFacts(program);
  if (facts.buildId === undefined || facts.hasSymbolTable)
    throw new Error(`${program}: expected a stripped binary with a build id, got ${JSON.stringify(facts)}`);
  return { program, debugFile, buildId: facts.buildId };
}

/**
 * The C hot program (furnace_light, furnace_heavy), stripped; `tag` gives it a build id of its own, so no
 * cache on this machine already knows it.
 */
export async function buildStrippedC(dir: string, tag: string): Promise<StrippedProgram> {
  const program = await buildHotProgram(
    dir,
    ['-g', `-DFURNACE_BUILD_TAG="${tag}"`],
    `furnace-stripped-${tag}`,
  );
  return splitDebugInfo(program);
}

/**
 * A Go program, stripped. `-B gobuildid` gives it a GNU build id (Go's linker writes only its own note
 * otherwise, which perf does not read); the tag in `-X` makes the build id its own.
 */
export async function buildStrippedGo(dir: string, tag: string): Promise<StrippedProgram> {
  await writeFile(
    join(dir, 'main.go'),
    GO_MAIN.replace('var sink uint64', `var sink uint64\nvar tag = "${tag}"`),
  );
  const program = join(dir, `furnace-stripped-go-${tag}`);
  await run(await goBinary(), ['build', '-ldflags=-B gobuildid', '-o', program, 'main.go'], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GO111MODULE: 'off' },
  });
  return splitDebugInfo(program);
}

/** Two stripped C programs under one build id, their functions named otherwise: what a shadowing tenant makes. */
export interface SameBuildIdPair {
  /** furnace_heavy and furnace_light. */
  own: StrippedProgram;
  /** tenant_b_heavy and tenant_b_light, under own's build id. */
  forged: StrippedProgram;
}

/** Builds both into dir with `buildId` (hex) linked in: `-Wl,--build-id=0x…`. */
export async function buildSameBuildIdPair(dir: string, buildId: string): Promise<SameBuildIdPair> {
  const id = [`-Wl,--build-id=0x${buildId}`, '-g'];
  const own = await splitDebugInfo(await buildHotProgram(dir, id, 'own-program'));
  const renamed = ['-Dfurnace_heavy=tenant_b_heavy', '-Dfurnace_light=tenant_b_light'];
  const forged = await splitDebugInfo(await buildHotProgram(dir, [...id, ...renamed], 'forged-program'));
  return { own, forged };
}

/** The hot program's functions a debug file names (nm), sorted: which of a pair it is. */
export async function hotFunctionsOf(path: string): Promise<string[]> {
  const { stdout } = await run('nm', ['--defined-only', path]);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[2] ?? '')
    .filter((name) => /^(furnace|tenant_b)_(heavy|light)$/.test(name))
    .sort();
}

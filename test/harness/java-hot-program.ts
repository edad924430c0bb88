// The Java program that the JVM tests record: one hot method, FurnaceHot.furnaceHotMethod, compiled by the
// JIT within the first second; started without any profiling flag (no perf-map agent, no frame pointers).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.ts';

const HOT_JAVA = `public class FurnaceHot {
  static volatile long sink;
  static long furnaceHotMethod(long n) {
    long s = 0;
    for (long i = 0; i < n; i++) s += (i * 31) ^ (s >>> 3);
    return s;
  }
  public static void main(String[] args) {
    long end = System.nanoTime() + Long.parseLong(args.length > 0 ? args[0] : "60") * 1_000_000_000L;
    while (System.nanoTime() < end) sink += furnaceHotMethod(1_000_000);
  }
}
`;

/** Compiles FurnaceHot.java into dir (Debian's openjdk-17-jdk-headless gives javac); returns the class name. */
export async function buildJavaHotProgram(dir: string): Promise<string> {
  await writeFile(join(dir, 'FurnaceHot.java'), HOT_JAVA);
  await run('javac', ['-d', dir, join(dir, 'FurnaceHot.java')]);
  return 'FurnaceHot';
}

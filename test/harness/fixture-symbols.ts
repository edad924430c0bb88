// The symbol files of a test server (the app and kube fixtures): the filesystem store under its data
// directory, the server's settings over what a test asks, on the fixture's clock.
import { DEFAULT_SYMBOL_SETTINGS, type SymbolSettings } from '../../server/config/config-symbols.ts';
import { openFilesystemSymbols } from '../../server/symbols/filesystem-symbols.ts';
import { createSymbolFiles, type SymbolFiles } from '../../server/symbols/symbol-files.ts';

export async function fixtureSymbols(
  dataDir: string,
  now: () => number,
  settings: Partial<SymbolSettings> = {},
): Promise<SymbolFiles> {
  return createSymbolFiles({
    store: await openFilesystemSymbols(dataDir),
    settings: { ...DEFAULT_SYMBOL_SETTINGS, ...settings },
    now,
  });
}

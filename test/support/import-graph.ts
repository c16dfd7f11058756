/**
 * Which of our files a file reaches through its imports, read from the sources (no bundler): the
 * credential helper's hit path (cli/imports.test.ts) and the rooms (test/rooms.test.ts) are
 * checked with it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { PROJECT_DIR } from './registry.js';

export interface ImportKinds {
  /** Follow `import type` / `export type` too (what a file knows, not only what it loads). */
  types?: boolean;
  /** Follow `import('…')` and `require('…')` too (what it may load later, not only at start). */
  lazy?: boolean;
}

/** The specifiers a source file imports, of the given kinds (static value imports and re-exports always). */
export function importsOf(file: string, kinds: ImportKinds = {}): string[] {
  // Comments may show an import that is not there (an @example). Only those that open a line: a
  // string may hold `/*` (a glob), and eating from there would hide real imports.
  const source = readFileSync(file, 'utf8').replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
  const statics = kinds.types
    ? /^\s*(?:import|export)\s+(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm
    : /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  const found = [...source.matchAll(statics)].map((m) => m[1]!);
  if (kinds.lazy) for (const m of source.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

/** Our file a relative specifier names: `x.js` is the `x.ts` beside it when there is one. */
function resolveSpecifier(from: string, spec: string): string {
  const target = resolve(dirname(from), spec);
  const ts = target.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : target;
}

/**
 * Every file (relative to the project) and package reachable from `entry` through imports of the
 * given kinds, `entry` included.
 * @example reachable('cli/main.ts').packages // ['node:fs', 'node:path', 'node:util']
 */
export function reachable(entry: string, kinds: ImportKinds = {}): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(file, kinds)) {
      if (spec.startsWith('.')) visit(resolveSpecifier(file, spec));
      else packages.add(spec);
    }
  };
  visit(resolve(PROJECT_DIR, entry));
  return { files: [...files].map((f) => relative(PROJECT_DIR, f)).sort(), packages: [...packages].sort() };
}

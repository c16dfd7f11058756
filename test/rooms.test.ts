/**
 * What ships, what develops and what tests are separate rooms (STYLE.md 9): no non-test file of
 * the shipping side (scripts/, deploy/, cli/, core/, handlers/) reaches the emulators, the local
 * server's world (dev/), the benchmark (bench/) or the tests (test/), through any import, `import
 * type` and `import()` included; and core/ reaches nothing outside core/.
 */
import { execFileSync } from 'node:child_process';
import { dirname, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, reachable } from './support/import-graph.js';
import { PROJECT_DIR } from './support/registry.js';

/** Types and lazy loads count: a file that names another room's type or loads it later still knows it. */
const ALL = { types: true, lazy: true };
const NOT_SHIPPING = ['emulator/', 'dev/', 'bench/', 'test/'];

/** Tracked non-test source files under `folder`. */
function sources(folder: string): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', `${folder}*.ts`, `${folder}*.cjs`, `${folder}*.js`, `${folder}*.mjs`], { cwd: PROJECT_DIR, encoding: 'utf8' });
  return files.split('\n').filter((f) => f && !/\.test\.ts$|\.d\.[cm]?ts$/.test(f));
}

/** Each file of `folder` with the files outside `allowed` it reaches. */
function reachingOut(folder: string, allowed: (file: string) => boolean): Array<{ file: string; reaches: string[] }> {
  return sources(folder)
    .map((file) => ({ file, reaches: reachable(file, ALL).files.filter((f) => !allowed(f)) }))
    .filter((r) => r.reaches.length > 0);
}

describe('rooms: what ships never imports what develops, measures or tests', () => {
  it.each(['scripts/', 'deploy/', 'cli/', 'core/', 'handlers/'])('no file under %s (tests aside) reaches emulator/, dev/, bench/ or test/', (folder) => {
    // Prepare
    expect(sources(folder).length).toBeGreaterThan(0);
    // Act / Assess
    expect(reachingOut(folder, (f) => !NOT_SHIPPING.some((room) => f.startsWith(room)))).toEqual([]);
  });

  it('core/ (tests aside) reaches nothing outside core/: no handler, client, emulator, dev, deploy or bench code', () => {
    expect(reachingOut('core/', (f) => f.startsWith('core/'))).toEqual([]);
  });

  it('no deploy script imports the client (cli/): they sign through core/tencent/tc3.ts, which the client signs with too', () => {
    // Direct imports: deploy/ reaches cli/sign/index.ts only through the bundler (scripts/bundle.ts), which builds the client.
    const importers = sources('deploy/').filter((file) => importsOf(file, ALL).some((spec) => resolve(PROJECT_DIR, dirname(file), spec).startsWith(resolve(PROJECT_DIR, 'cli') + sep)));
    expect(importers).toEqual([]);
  });

  it('sees through the check: the local world reaches its emulator by a type import and its handler by import()', () => {
    // Act
    const { files } = reachable('dev/aws.ts', ALL);
    // Assess: emulator/trigger.ts only through `import type`, the handler only through `import()`.
    expect(['emulator/trigger.ts', 'handlers/aws/http.ts'].filter((f) => files.includes(f))).toEqual(['emulator/trigger.ts', 'handlers/aws/http.ts']);
  });
});

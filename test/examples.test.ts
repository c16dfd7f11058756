/**
 * Every `@example` in the doc comments of what ships (core/, handlers/, cli/, deploy/, scripts/) type-checks against the real signatures: a function it calls exists where the example's
 * file can reach it, and the arguments fit (test/support/examples.ts says how).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExamples, examplesOf } from './support/examples.js';
import { PROJECT_DIR } from './support/registry.js';

const FOLDERS = ['core/', 'handlers/', 'cli/', 'deploy/', 'scripts/'];

function sources(): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...FOLDERS], { cwd: PROJECT_DIR, encoding: 'utf8' });
  return files.split('\n').filter((f) => /\.ts$/.test(f) && !/\.test\.ts$|\.d\.ts$/.test(f));
}

describe('@example snippets', () => {
  it('every @example under core/, handlers/, cli/, deploy/ and scripts/ type-checks against its file', () => {
    // Prepare
    const files = sources();
    // Act
    const { examples, failures } = checkExamples(PROJECT_DIR, files);
    // Assess
    expect(examples.length).toBeGreaterThan(100);
    expect(failures.map((f) => `${f.example.file}:${f.example.line}: ${f.problems.join('; ')}`)).toEqual([]);
  }, 120_000);

  it('fails an example that calls a missing function, a wrong argument or an unknown option', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'regcred-examples-'));
    try {
      writeFileSync(
        join(dir, 'lib.ts'),
        [
          '/** @example const n = twice(2); */',
          'export function twice(n: number): number { return 2 * n; }',
          '/** @example thrice(2) */',
          '/** @example twice("2") */',
          '/** @example\n * connect({ endpoint: url, keyz }); */',
          'export function connect(options: { endpoint: string; keys?: string }): void { void options; }',
        ].join('\n'),
      );
      // Act
      const { examples, failures } = checkExamples(dir, ['lib.ts']);
      // Assess
      expect(examples).toHaveLength(4);
      expect(failures.map((f) => f.example.line)).toEqual([3, 4, 5]);
      expect(failures[0]!.problems[0]).toMatch(/calls 'thrice'/);
      expect(failures[1]!.problems[0]).toMatch(/not assignable/);
      expect(failures[2]!.problems[0]).toMatch(/keyz/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('reads an example from the tag to the next tag, without the comment prefixes', () => {
    const text = '/**\n * Doc.\n * @example\n * const a = f();\n * a.g();\n * @returns x\n */';
    expect(examplesOf('x.ts', text)).toEqual([{ file: 'x.ts', line: 3, code: 'const a = f();\na.g();' }]);
  });
});

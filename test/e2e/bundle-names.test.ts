/**
 * A logged error names its real class in the shipped (minified) bundles, not the minifier's
 * `Eo`: the error classes spell their names out, which costs nothing at cold start (esbuild's
 * keepNames would wrap every function of the bundle instead).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleCode } from '../../scripts/bundle.js';

describe('error names in the minified bundle', () => {
  it('every error class regcred throws keeps its name after minification', async () => {
    // Prepare: the error classes bundled exactly as a handler ships them
    const dir = await mkdtemp(join(tmpdir(), 'regcred-names-'));
    try {
      const entry = join(dir, 'entry.ts');
      await writeFile(
        entry,
        [
          `export * from '${process.cwd()}/core/errors.ts';`,
          `export { RefreshFailedError } from '${process.cwd()}/core/refresh.ts';`,
          `export { RotationError } from '${process.cwd()}/core/aws/rotation.ts';`,
        ].join('\n'),
      );
      const file = join(dir, 'bundle.cjs');
      await writeFile(file, await bundleCode(entry));
      const m = createRequire(import.meta.url)(file) as Record<string, new (...args: never[]) => Error>;
      // Act
      const errors = [
        new (m.BadRequestError as never as new (s: string) => Error)('x'),
        new (m.ForbiddenError as never as new () => Error)(),
        new (m.NotFoundError as never as new (s: string) => Error)('x'),
        new (m.MethodNotAllowedError as never as new (a: string[]) => Error)(['GET']),
        new (m.UpstreamError as never as new (c: string, s: string) => Error)('UpstreamError', 'x'),
        new (m.UpstreamUnavailableError as never as new (c: string, s: string) => Error)('UpstreamTimeout', 'x'),
        new (m.ConfigError as never as new (s: string) => Error)('x'),
        new (m.InternalError as never as new () => Error)(),
        new (m.RefreshFailedError as never as new (o: unknown[]) => Error)([]),
        new (m.RotationError as never as new (c: string, s: string) => Error)('RotationTestFailed', 'x'),
      ];
      // Assess
      expect(errors.map((e) => e.name)).toEqual([
        'BadRequestError', 'ForbiddenError', 'NotFoundError', 'MethodNotAllowedError', 'UpstreamError',
        'UpstreamUnavailableError', 'ConfigError', 'InternalError', 'RefreshFailedError', 'RotationError',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Build one FC code package: the handler bundled by esbuild into a single minified CommonJS
 * `index.js` for Node 20 (FC's built-in nodejs20 runtime loads `index.handler` from it), zipped.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CodePackage {
  /** The zip, as FC's CreateFunction takes it (base64 in `code.zipFile`). */
  zip: Uint8Array;
  /** Size of the bundled index.js before zipping. */
  bundleBytes: number;
  sha256: string;
}

/**
 * @example const pkg = await buildPackage('handlers/alibaba/http.ts');
 */
export async function buildPackage(entry: string): Promise<CodePackage> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  // A fixed mtime keeps the zip (and so its checksum) the same for the same code.
  const zip = zipSync({ 'index.js': [code, { mtime: new Date('2020-01-01T00:00:00Z'), level: 9 }] });
  return { zip, bundleBytes: code.length, sha256: createHash('sha256').update(zip).digest('hex') };
}

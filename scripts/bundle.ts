/**
 * Bundle each handler the way it ships: one minified CommonJS file per handler (the Lambda and FC
 * Node runtimes load it with `require`), zipped as the platform uploads it. Used by
 * `npm run build`, the benchmark and the deploy scripts; serverless-esbuild does the same
 * for `osls package` from the settings in serverless.yml (keep the two in step).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { zipSync } from 'fflate';
import { CLOUDS } from '../cli/sign/index.js';
import { shippedHandlers, type HandlerSpec } from '../handlers/functions.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Bundle {
  handler: HandlerSpec;
  /** The bundled CommonJS file (what the runtime requires). */
  file: string;
  /** The zip the platform gets: the bundle as `index.js`. */
  zip: string;
  bytes: number;
  zippedBytes: number;
}

const SHIPPED: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // ESM builds of the SDKs tree-shake better, and their dynamic imports stay lazy in CJS output.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * One entry point bundled as it ships, in memory.
 * @example const code = await bundleCode('handlers/aws/http.ts');
 */
export async function bundleCode(entry: string, extra: BuildOptions = {}): Promise<Uint8Array> {
  const result = await build({ ...SHIPPED, ...extra, absWorkingDir: ROOT, entryPoints: [entry], write: false });
  return result.outputFiles[0]!.contents;
}

/** The upload zip: the bundle as `index.js`, with a fixed mtime so the same code gives the same zip. */
export function zipBundle(code: Uint8Array): Uint8Array {
  return zipSync({ 'index.js': [code, { mtime: new Date('2020-01-01T00:00:00Z'), level: 9 }] });
}

/** A function's code package as a deploy script uploads it. */
export interface CodePackage {
  /** The zip (FC's `code.zipFile`, SCF's `Code.ZipFile`, base64). */
  zip: Uint8Array;
  /** Size of the bundled index.js before zipping. */
  bundleBytes: number;
  sha256: string;
}

/**
 * One handler bundled and zipped in memory, for the deploy scripts.
 * @example const pkg = await buildPackage('handlers/tencent/http.ts');
 */
export async function buildPackage(entry: string): Promise<CodePackage> {
  const code = await bundleCode(entry, { logLevel: 'silent' });
  const zip = zipBundle(code);
  return { zip, bundleBytes: code.length, sha256: createHash('sha256').update(zip).digest('hex') };
}

/**
 * @example const b = await bundleHandler(shippedHandlers()[0]!); // dist/aws/http/index.js + dist/aws/http.zip
 */
export async function bundleHandler(handler: HandlerSpec, outDir = join(ROOT, 'dist')): Promise<Bundle> {
  const code = await bundleCode(handler.entry);
  const file = join(outDir, handler.cloud, handler.name, 'index.js');
  const zip = join(outDir, handler.cloud, `${handler.name}.zip`);
  const zipped = zipBundle(code);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, code);
  writeFileSync(zip, zipped);
  // The project is "type": "module"; mark dist/ CommonJS so the bundle loads in place as in the zip.
  writeFileSync(join(outDir, 'package.json'), '{"type":"commonjs"}\n');
  return { handler, file, zip, bytes: code.length, zippedBytes: zipped.length };
}

/**
 * The client, for machines that have Node but not this repository: `dist/cli/regcred.cjs` (the
 * executable `regcred` and `docker-credential-regcred` run) and one `sign-<cloud>.cjs` per cloud
 * beside it. A credential helper's cache hit must cost little more than starting Node, and parsing
 * the clouds' SDKs alone would double that, so each cloud's signer (with its SDK) is its own file,
 * read only when a request is signed for that cloud.
 * @example const file = await bundleCli(); // dist/cli/regcred.cjs
 */
export async function bundleCli(outDir = join(ROOT, 'dist')): Promise<string> {
  const dir = join(outDir, 'cli');
  mkdirSync(dir, { recursive: true });
  const signers: Plugin = {
    name: 'regcred-signers',
    setup(b) {
      // cli/sign/index.ts loads `./<cloud>.js` lazily; in the bundle that is the file beside it.
      b.onResolve({ filter: /^\.\/[a-z]+\.js$/ }, (args) =>
        args.importer.endsWith(join('cli', 'sign', 'index.ts')) ? { path: `./sign-${args.path.slice(2, -3)}.cjs`, external: true } : undefined,
      );
    },
  };
  const code = await bundleCode('cli/main.ts', { plugins: [signers] });
  for (const cloud of Object.keys(CLOUDS)) {
    writeFileSync(join(dir, `sign-${cloud}.cjs`), await bundleCode(`cli/sign/${cloud}.ts`));
  }
  const file = join(dir, 'regcred.cjs');
  writeFileSync(file, code);
  chmodSync(file, 0o755);
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // What ships (handlers/functions.ts); `npm pack` (prepack) needs only the client: `tsx scripts/bundle.ts --cli`.
  const handlers = process.argv.includes('--cli') ? [] : shippedHandlers();
  for (const handler of handlers) {
    const b = await bundleHandler(handler);
    console.log(`${handler.cloud}/${handler.name}: ${(b.bytes / 1024).toFixed(1)} KiB, zipped ${(b.zippedBytes / 1024).toFixed(1)} KiB → ${b.zip}`);
  }
  console.log(`cli: ${await bundleCli()}`);
}

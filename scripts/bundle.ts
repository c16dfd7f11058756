/**
 * Bundle each handler the way it ships: one minified CommonJS file per handler (the Lambda and FC
 * Node runtimes load it with `require`), zipped as the platform uploads it. Used by
 * `npm run build`, the benchmark and the Alibaba deploy script; serverless-esbuild does the same
 * for `osls package` from the settings in serverless.yml.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every handler that ships, by cloud. Adding a handler here adds it to the build and the benchmark. */
export const HANDLERS = [
  { cloud: 'aws', name: 'http', entry: 'handlers/aws/http.ts' },
  { cloud: 'aws', name: 'refresh', entry: 'handlers/aws/refresh.ts' },
  { cloud: 'aws', name: 'rotate', entry: 'handlers/aws/rotate.ts' },
  { cloud: 'alibaba', name: 'http', entry: 'handlers/alibaba/http.ts' },
  { cloud: 'alibaba', name: 'refresh', entry: 'handlers/alibaba/refresh.ts' },
] as const;

export type HandlerSpec = (typeof HANDLERS)[number];

export interface Bundle {
  handler: HandlerSpec;
  /** The bundled CommonJS file (what the runtime requires). */
  file: string;
  /** The zip the platform gets: the bundle as `index.js`. */
  zip: string;
  bytes: number;
  zippedBytes: number;
}

/**
 * @example const b = await bundleHandler(HANDLERS[0]); // dist/aws/http/index.js + dist/aws/http.zip
 */
export async function bundleHandler(handler: HandlerSpec, outDir = join(ROOT, 'dist')): Promise<Bundle> {
  const file = join(outDir, handler.cloud, handler.name, 'index.js');
  await build({
    entryPoints: [join(ROOT, handler.entry)],
    outfile: file,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  // The project is "type": "module"; mark dist/ CommonJS so the bundle loads in place as in the zip.
  writeFileSync(join(outDir, 'package.json'), '{"type":"commonjs"}\n');
  const code = readFileSync(file);
  const zip = join(outDir, handler.cloud, `${handler.name}.zip`);
  mkdirSync(dirname(zip), { recursive: true });
  writeFileSync(zip, zipSync({ 'index.js': code }, { level: 9 }));
  return { handler, file, zip, bytes: code.length, zippedBytes: statSync(zip).size };
}

/**
 * The client as one executable CommonJS file (`dist/cli/regcred.cjs`), for machines that have
 * Node but not this repository: `regcred get|login|docker-credential|kubelet`.
 */
export async function bundleCli(outDir = join(ROOT, 'dist')): Promise<string> {
  const file = join(outDir, 'cli', 'regcred.cjs');
  await build({
    entryPoints: [join(ROOT, 'cli/main.ts')],
    outfile: file,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
    // `serve` runs the emulator from a checkout; the shipped client does not carry it.
    external: ['./serve.js'],
  });
  chmodSync(file, 0o755);
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const handler of HANDLERS) {
    const b = await bundleHandler(handler);
    console.log(`${handler.cloud}/${handler.name}: ${(b.bytes / 1024).toFixed(1)} KiB, zipped ${(b.zippedBytes / 1024).toFixed(1)} KiB → ${b.zip}`);
  }
  console.log(`cli: ${await bundleCli()}`);
}

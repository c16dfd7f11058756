/**
 * One function's code package: the handler bundled as it ships (scripts/bundle.ts: one minified
 * CommonJS `index.js` for Node 20, which FC's and FunctionGraph's Node.js runtimes load as
 * `index.handler`), zipped.
 */
import { createHash } from 'node:crypto';
import { bundleCode, zipBundle } from '../../scripts/bundle.js';

export interface CodePackage {
  /** The zip, as the platform takes it (base64 in FC's `code.zipFile`, FunctionGraph's `func_code.file`). */
  zip: Uint8Array;
  /** Size of the bundled index.js before zipping. */
  bundleBytes: number;
  sha256: string;
}

/**
 * @example const pkg = await buildPackage('handlers/alibaba/http.ts');
 */
export async function buildPackage(entry: string): Promise<CodePackage> {
  const code = await bundleCode(entry, { logLevel: 'silent' });
  const zip = zipBundle(code);
  return { zip, bundleBytes: code.length, sha256: createHash('sha256').update(zip).digest('hex') };
}

/**
 * SigV4 headers (service `lambda`) for the load test against the `npm start` server, which checks
 * them as a function URL with AuthType AWS_IAM does. SigV4 has no nonce, so one signature serves
 * every request of a run shorter than the 15-minute clock-skew window.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { TEST_IDENTITY } from '../emulator/aws/server.js';

class Sha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    throw new Error('not supported');
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** @example const headers = await signedHeaders('http://127.0.0.1:8787/credentials') */
export async function signedHeaders(target: string): Promise<Record<string, string>> {
  const url = new URL(target);
  const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials: TEST_IDENTITY, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host },
  });
  return signed.headers as Record<string, string>;
}

/**
 * AWS: SigV4 for service `lambda`, as a function URL with AuthType AWS_IAM checks it; the caller's
 * keys come from the AWS SDK's default chain unless given.
 */
import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { NoCallerCredentialsError } from '../errors.js';
import type { CallerKeys, Signer } from './index.js';

export const awsSigner: Signer = {
  async sign(url, options) {
    const region = options.region ?? regionOf(url.hostname);
    return sigv4Headers(url, region, options.credentials ?? (await callerIdentity()));
  },
};

/**
 * The headers of a SigV4-signed GET (service `lambda`), as a function URL with AuthType AWS_IAM requires.
 * @example await sigv4Headers(new URL('http://127.0.0.1:8787/credentials'), 'us-east-1', TEST_IDENTITY)
 */
export async function sigv4Headers(url: URL, region: string, credentials: CallerKeys | AwsCredentialIdentity): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port && { port: Number(url.port) }),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host },
  });
  return signed.headers as Record<string, string>;
}

async function callerIdentity(): Promise<AwsCredentialIdentity> {
  try {
    return await defaultProvider()();
  } catch (err) {
    // The chain's own message names what it tried; it never contains a key.
    throw new NoCallerCredentialsError(
      `no AWS credentials for the caller in the AWS SDK chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance or task role): ${(err as Error).message}`,
    );
  }
}

function regionOf(hostname: string): string {
  return /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(hostname)?.[1] ?? 'us-east-1';
}

/** node:crypto behind the Checksum interface the smithy signer expects. */
class NodeSha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    throw new Error('not supported');
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

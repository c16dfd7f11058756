import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Where the regcred function is and how to sign for it. */
export interface ClientOptions {
  /** The function URL, e.g. https://abc.lambda-url.us-east-1.on.aws */
  url: string;
  /** Signing region; default: the one in a function URL's host, else us-east-1. */
  region?: string;
  /** Default: the AWS SDK's standard chain (env, profile, SSO, IMDS, …): the caller's own identity. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export class RegcredClientError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * GET a regcred route, signed with SigV4 for service `lambda` as function URLs with AuthType
 * AWS_IAM require. Returns the parsed JSON body; throws RegcredClientError with the API's error.
 * @example await getSigned({ url }, '/credentials', { format: 'dockerconfigjson' })
 */
export async function getSigned(options: ClientOptions, path: string, query: Record<string, string> = {}): Promise<unknown> {
  const base = new URL(options.url);
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);

  const headers = await sigv4Headers(url, options.region ?? regionOf(base.hostname), options.credentials ?? defaultProvider());
  const response = await fetch(url, { headers });
  const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
  if (!response.ok) {
    throw new RegcredClientError(response.status, body?.error?.code ?? 'HttpError', body?.error?.message ?? `HTTP ${response.status}`);
  }
  return body;
}

/** `https://host:5000/v2/` or `host:5000/repo/image:tag` → `host:5000`; Docker Hub names → docker.io. */
export function registryOf(reference: string): string {
  const withoutScheme = reference.replace(/^[a-z]+:\/\//i, '');
  const first = withoutScheme.split('/')[0] ?? '';
  const isHost = withoutScheme.includes('/') ? /[.:]/.test(first) || first === 'localhost' : true;
  return (isHost ? first : 'docker.io').toLowerCase();
}

/**
 * The headers of a SigV4-signed GET (service `lambda`), as a function URL with AuthType AWS_IAM requires.
 * @example await sigv4Headers(new URL('http://127.0.0.1:8787/credentials'), 'us-east-1', TEST_IDENTITY)
 */
export async function sigv4Headers(
  url: URL,
  region: string,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): Promise<Record<string, string>> {
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

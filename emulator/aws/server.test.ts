import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../front-end.js';
import {
  awsFaults, startAwsEmulator, TEST_IDENTITY, TEST_SECRET_ACCESS_KEY, DEFAULT_IDENTITY,
  type AwsEmulator, type AwsIdentity, type AwsService,
} from './server.js';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);

/** node:crypto in the shape the SDK signer wants (it signs these requests, the emulator verifies). */
class Sha256 {
  readonly #h;
  constructor(secret?: SourceData) {
    this.#h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.#h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
}

const echo: AwsService = {
  name: 'echo',
  signingName: 'echo',
  targetPrefix: 'EchoService_V1',
  operations: {
    Echo: (input, ctx) => ({ input, region: ctx.region, keyId: ctx.identity.accessKeyId }),
    Fail: () => {
      throw new ServiceError(400, 'ResourceNotFoundException', 'no such thing');
    },
  },
};

interface SendOptions {
  operation?: string;
  body?: string;
  identity?: AwsIdentity;
  signingName?: string;
  signingDate?: Date;
  tamper?: (body: string) => string;
}

let emu: AwsEmulator;
let clock = Date.now();
beforeAll(async () => {
  emu = await startAwsEmulator({ services: [echo], now: () => clock });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
  clock = Date.now();
});
afterAll(() => emu.stop());

async function send(options: SendOptions = {}) {
  const url = new URL(emu.url);
  const body = options.body ?? '{"hello":"world"}';
  const signer = new SignatureV4({ credentials: options.identity ?? TEST_IDENTITY, region: 'us-east-1', service: options.signingName ?? 'echo', sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `EchoService_V1.${options.operation ?? 'Echo'}` },
      body,
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  const res = await fetch(emu.url, { method: 'POST', headers: signed.headers, body: options.tamper ? options.tamper(body) : body, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, headers: res.headers, json: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
}

describe('AWS emulator front end', () => {
  it('dispatches a signed call by X-Amz-Target to the service operation with the parsed input', async () => {
    const res = await send();
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ input: { hello: 'world' }, region: 'us-east-1', keyId: TEST_IDENTITY.accessKeyId });
  });

  it('accepts a session key that sends its token', async () => {
    const res = await send({ identity: DEFAULT_IDENTITY });
    expect(res.json).toMatchObject({ keyId: DEFAULT_IDENTITY.accessKeyId });
  });

  it('rejects a body changed after signing', async () => {
    const res = await send({ tamper: (b) => b.replace('world', 'WORLD') });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ __type: 'InvalidSignatureException' });
  });

  it('rejects a wrong secret with InvalidSignatureException in the header the SDK reads', async () => {
    const res = await send({ identity: { ...TEST_IDENTITY, secretAccessKey: `${TEST_SECRET_ACCESS_KEY}x` } });
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
  });

  it('rejects an unknown key id as UnrecognizedClientException', async () => {
    const res = await send({ identity: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 's' } });
    expect(res.json).toMatchObject({ __type: 'UnrecognizedClientException' });
  });

  it('rejects a credential scoped to another service', async () => {
    const res = await send({ signingName: 'ecr' });
    expect(res.json).toMatchObject({ __type: 'InvalidSignatureException', message: expect.stringContaining("'echo'") });
  });

  it('rejects a request signed 6 minutes before the emulator clock', async () => {
    const res = await send({ signingDate: new Date(clock - 6 * 60_000) });
    expect(res.json).toMatchObject({ __type: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired/) });
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const res = await send({ operation: 'Nope' });
    expect(res.json).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers a non-JSON body with SerializationException', async () => {
    const res = await send({ body: 'not json' });
    expect(res.json).toMatchObject({ __type: 'SerializationException' });
  });

  it("passes an operation's modeled error through with its status and code", async () => {
    const res = await send({ operation: 'Fail' });
    expect([res.status, res.json?.['__type']]).toEqual([400, 'ResourceNotFoundException']);
  });

  it('serves faults first in, first out, then answers normally', async () => {
    emu.inject('echo', 'Echo', { status: 500 });
    emu.inject('echo', 'Echo', awsFaults.serviceUnavailable());
    const statuses = [(await send()).status, (await send()).status, (await send()).status];
    expect(statuses).toEqual([500, 503, 200]);
  });

  it('keeps a fault with times: Infinity until cleared', async () => {
    emu.inject('echo', 'Echo', { status: 500, times: Infinity });
    const before = [(await send()).status, (await send()).status, (await send()).status];
    emu.clearFaults();
    expect([...before, (await send()).status]).toEqual([500, 500, 500, 200]);
  });

  it('throttles with 400 ThrottlingException and Retry-After', async () => {
    emu.inject('echo', 'Echo', awsFaults.throttle(7));
    const res = await send();
    expect([res.status, res.json?.['__type'], res.headers.get('retry-after')]).toEqual([400, 'ThrottlingException', '7']);
  });

  it('answers a raw body fault with exactly that text', async () => {
    emu.inject('echo', 'Echo', { body: 'raw malformed text' });
    const res = await fetchRaw();
    expect(res).toEqual({ status: 200, text: 'raw malformed text' });
  });

  it('answers a respond fault with the custom JSON', async () => {
    emu.inject('echo', 'Echo', awsFaults.respond({ custom: true }));
    const res = await send();
    expect(res.json).toEqual({ custom: true });
  });

  it('delays an answer by delayMs and then answers normally', async () => {
    emu.inject('echo', 'Echo', awsFaults.delay(150));
    const started = performance.now();
    const res = await send();
    expect([res.status, performance.now() - started >= 140]).toEqual([200, true]);
  });

  it('records operation, key id, region, time and status, and no secret', async () => {
    clock = Date.UTC(2030, 0, 1);
    await send({ signingDate: new Date(clock), identity: DEFAULT_IDENTITY });
    expect(emu.calls).toEqual([
      { cloud: 'aws', service: 'echo', operation: 'Echo', method: 'POST', path: '/', queryNames: [], accessKeyId: DEFAULT_IDENTITY.accessKeyId, region: 'us-east-1', at: clock, status: 200 },
    ]);
    expect(JSON.stringify(emu.calls)).not.toContain(DEFAULT_IDENTITY.sessionToken);
  });
});

async function fetchRaw() {
  // Same signed call as send(), but read the body as text (it is not JSON).
  const url = new URL(emu.url);
  const signer = new SignatureV4({ credentials: TEST_IDENTITY, region: 'us-east-1', service: 'echo', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {},
    headers: { host: url.host, 'x-amz-target': 'EchoService_V1.Echo' }, body: '{}',
  });
  const res = await fetch(emu.url, { method: 'POST', headers: signed.headers, body: '{}' });
  return { status: res.status, text: await res.text() };
}

import { Readable } from 'node:stream';
import * as FcSdk from '@alicloud/fc20230330';
import * as OpenApiCore from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFcEmulator, type FcEmulator } from '../../emulator/alibaba/fc.js';
import { DEFAULT_IDENTITY, startAlibabaEmulator, type AlibabaEmulator } from '../../emulator/alibaba/server.js';
import { createHttpHandler } from './http.js';
import { alibabaRuntime } from './runtime.js';

/** Darabonba CJS interop, as in deploy/alibaba/deploy.ts. */
const FcClient = ((FcSdk as unknown as { default: { default?: unknown } }).default.default ?? (FcSdk as unknown as { default: unknown }).default) as typeof FcSdk.default.default;
const models = ((FcSdk as { InvokeFunctionRequest?: unknown }).InvokeFunctionRequest ? FcSdk : (FcSdk as unknown as { default: typeof FcSdk }).default) as typeof FcSdk;
const openApi = ((OpenApiCore as { $OpenApiUtil?: unknown }).$OpenApiUtil ? OpenApiCore : (OpenApiCore as unknown as { default: typeof OpenApiCore }).default) as typeof OpenApiCore;

let cr: AlibabaEmulator;
let fcEmu: FcEmulator;
beforeAll(async () => {
  cr = await startAlibabaEmulator();
  const handler = createHttpHandler(alibabaRuntime({ REGCRED_REGISTRIES: 'acr:cn-shanghai', ALIBABA_CLOUD_ENDPOINT_URL_CR: cr.url }, { write: () => {} }));
  fcEmu = await startFcEmulator({ invokers: { regcred: (event) => handler(event, { credentials: DEFAULT_IDENTITY, function: { timeout: 10 }, region: 'cn-hangzhou' }) } });
  fcEmu.functions.set('regcred', { functionName: 'regcred' } as never);
});
afterAll(async () => {
  await fcEmu.stop();
  await cr.stop();
});

describe('InvokeFunction with the caller’s own RAM identity (FC 3.0 SDK, ACS3 verified)', () => {
  it('returns the HTTP-shaped answer for an HTTP-shaped event', async () => {
    const client = new FcClient(new openApi.$OpenApiUtil.Config({ ...DEFAULT_IDENTITY, endpoint: fcEmu.endpoint, protocol: 'http' }));
    const event = JSON.stringify({ rawPath: '/credentials', queryParameters: { format: 'dockerconfigjson' } });
    const res = await client.invokeFunction('regcred', new models.InvokeFunctionRequest({ body: Readable.from([Buffer.from(event)]) }));
    const chunks: Buffer[] = [];
    for await (const c of res.body!) chunks.push(Buffer.from(c));
    const answer = JSON.parse(Buffer.concat(chunks).toString());
    expect(answer.statusCode).toBe(200);
    expect(Object.keys(JSON.parse(answer.body).auths)).toEqual(['registry.cn-shanghai.aliyuncs.com']);
    expect(fcEmu.calls.map((c) => [c.operation, c.status])).toEqual([['InvokeFunction', 200]]);
  });
});

/**
 * Cross-account ECR registries (`ecr:<region>:<account-id>`) through the real AWS handlers and SDKs
 * against the signature-checking emulator: one GetAuthorizationToken call per region serves every
 * ECR entry of that region, for a GET /credentials and for a refresh, and each entry answers with
 * its own account's host.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ecrService } from '../../emulator/aws/ecr.js';
import { scheduledEvent } from '../../emulator/aws/events.js';
import { functionEnv } from '../../emulator/aws/function-env.js';
import { secretsManagerService } from '../../emulator/aws/secrets-manager.js';
import { startAwsEmulator, DEFAULT_IDENTITY, type AwsEmulator } from '../../emulator/aws/server.js';
import { createHttpHandler } from '../../handlers/aws/http.js';
import { createRefreshHandler } from '../../handlers/aws/refresh.js';
import { awsRuntime } from '../../handlers/aws/runtime.js';
import { awsSecretsRuntime } from '../../handlers/aws/secrets-runtime.js';

const OWN = '123456789012';
const OTHER = '444455556666';
const THIRD = '777788889999';
const host = (account: string, region = 'us-east-1') => `${account}.dkr.ecr.${region}.amazonaws.com`;

let emu: AwsEmulator;
const sm = secretsManagerService();
const savedEnv = { ...process.env };

beforeAll(async () => {
  emu = await startAwsEmulator({ services: [ecrService({ accountId: OWN }), sm] });
  Object.assign(process.env, functionEnv(emu.url));
});
afterEach(() => {
  emu.calls.length = 0;
});
afterAll(async () => {
  await emu.stop();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

const ecrCalls = () => emu.calls.filter((c) => c.service === 'ecr' && c.operation === 'GetAuthorizationToken');

/** A fresh warm http function (its own cache). */
const http = (registries: string) => createHttpHandler(awsRuntime({ REGCRED_REGISTRIES: registries }, { write: () => {} }));
const context = () => ({ awsRequestId: 'req-x', functionName: 'regcred-prod-http', getRemainingTimeInMillis: () => 5_000 }) as Context;
function urlEvent(path: string): LambdaFunctionURLEventWithIAMAuthorizer {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abcdefg.lambda-url.us-east-1.on.aws' },
    requestContext: {
      accountId: OWN,
      authorizer: { iam: { accessKey: 'ASIAEXAMPLECALLER', accountId: OWN, callerId: 'AROA:job', userArn: `arn:aws:sts::${OWN}:assumed-role/ci/job`, userId: 'AROA:job' } },
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl' },
      requestId: 'req-x',
    },
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEventWithIAMAuthorizer;
}
async function get(handler: ReturnType<typeof http>, path: string) {
  const res = (await handler(urlEvent(path), context())) as { statusCode: number; body: string };
  return { status: res.statusCode, json: JSON.parse(res.body) };
}

describe('GET /credentials with several accounts\' ECR registries', () => {
  it('answers one entry per configured registry host from one GetAuthorizationToken call', async () => {
    // Act
    const res = await get(http(`ecr:us-east-1,ecr:us-east-1:${OTHER}`), '/credentials');
    // Assess
    expect(res.status).toBe(200);
    expect(res.json.credentials.map((c: { registry: string }) => c.registry)).toEqual([host(OWN), host(OTHER)]);
    expect(ecrCalls()).toHaveLength(1);
  });

  it('makes one call per region, whatever the number of accounts in it', async () => {
    // Act
    const res = await get(http(`ecr:us-east-1,ecr:us-east-1:${OTHER},ecr:us-east-1:${THIRD},ecr:eu-west-1:${OTHER}`), '/credentials');
    // Assess
    expect(res.json.credentials.map((c: { registry: string }) => c.registry)).toEqual([host(OWN), host(OTHER), host(THIRD), host(OTHER, 'eu-west-1')]);
    expect(ecrCalls().map((c) => c.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('serves another account\'s host alone on /credentials/{host}, and 404 for an account not configured', async () => {
    // Prepare
    const handler = http(`ecr:us-east-1,ecr:us-east-1:${OTHER}`);
    // Act
    const theirs = await get(handler, `/credentials/${host(OTHER)}`);
    const unknown = await get(handler, `/credentials/${host(THIRD)}`);
    // Assess
    expect([theirs.status, theirs.json.registry]).toEqual([200, host(OTHER)]);
    expect(unknown.status).toBe(404);
  });

  it('lets a configured host override win over the derived one', async () => {
    const res = await get(http(`ecr:us-east-1:${OTHER}=mirror.example.com:5000`), '/credentials');
    expect(res.json.credentials.map((c: { registry: string }) => c.registry)).toEqual(['mirror.example.com:5000']);
  });
});

describe('a refresh of a target naming several accounts\' ECR registries', () => {
  it('writes every host into the secret from one GetAuthorizationToken call', async () => {
    // Prepare
    const secretId = 'regcred/cross-account';
    const client = new SecretsManagerClient({ endpoint: emu.url, region: 'us-east-1', credentials: DEFAULT_IDENTITY, maxAttempts: 1 });
    await client.send(new CreateSecretCommand({ Name: secretId, SecretString: '{"auths":{}}' }));
    client.destroy();
    const registries = [`ecr:us-east-1`, `ecr:us-east-1:${OTHER}`];
    const targets = { targets: [{ store: 'secrets-manager', secretId, format: 'dockerconfigjson', registries }] };
    const refresh = createRefreshHandler(awsSecretsRuntime({ REGCRED_REGISTRIES: registries.join(','), REGCRED_TARGETS: JSON.stringify(targets) }, { write: () => {} }));
    emu.calls.length = 0;
    // Act
    const { outcomes } = await refresh(scheduledEvent(), { getRemainingTimeInMillis: () => 20_000 });
    // Assess
    expect(outcomes).toMatchObject([{ secretId, ok: true, written: true }]);
    expect(Object.keys(JSON.parse(sm.state.valueOf(secretId)!).auths)).toEqual([host(OWN), host(OTHER)]);
    expect(ecrCalls()).toHaveLength(1);
  });
});

/**
 * AWS in the benchmark: the rig (ECR and Secrets Manager on the SigV4-verifying loopback emulator,
 * the real ECR provider and Secrets Manager store pointed at it), the first request of a fresh
 * process, and the in-process handler.
 */
import http from 'node:http';
import { EcrProvider } from '../../core/aws/ecr.js';
import { SecretsManagerStore } from '../../core/aws/secrets-manager.js';
import { preparedInvoker } from '../../dev/aws.js';
import { ecrService } from '../../emulator/aws/ecr.js';
import { functionEnv } from '../../emulator/aws/function-env.js';
import { functionUrlEvent } from '../../emulator/aws/function-url.js';
import { secretsManagerService } from '../../emulator/aws/secrets-manager.js';
import { startAwsEmulator, DEFAULT_IDENTITY } from '../../emulator/aws/server.js';
import type { BenchCloud, Rig } from '../rigs.js';

const ECR_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1'];
const SECRET = 'regcred-bench-pull';
const credentials = {
  accessKeyId: DEFAULT_IDENTITY.accessKeyId,
  secretAccessKey: DEFAULT_IDENTITY.secretAccessKey,
  sessionToken: DEFAULT_IDENTITY.sessionToken!,
};

/** @example const rig = await startAwsRig(); rig.emulator.count(rig.mint.service, rig.mint.operation); await rig.stop(); */
export async function startAwsRig(): Promise<Rig> {
  // Loaded when a rig starts, not when the benchmark's table is read.
  const [{ ECRClient }, { CreateSecretCommand, SecretsManagerClient }] = await Promise.all([import('@aws-sdk/client-ecr'), import('@aws-sdk/client-secrets-manager')]);
  const emu = await startAwsEmulator({ services: [ecrService(), secretsManagerService()] });
  // One agent with room for a baseline burst, so the SDK neither queues nor warns about sockets.
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 2_000 });
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: emu.url, credentials, maxAttempts: 1, requestHandler: { httpAgent } });
  await sm.send(new CreateSecretCommand({ Name: SECRET, Description: 'regcred benchmark' }));

  return {
    providerId: 'ecr',
    registries: ECR_REGIONS.map((region) => ({ provider: 'ecr', region })),
    refreshEveryMs: 4 * 3_600_000,
    provider: (options = {}) =>
      new EcrProvider({
        clientFor: (region) => {
          const client = new ECRClient({ region, endpoint: emu.url, credentials, maxAttempts: 1, requestHandler: { httpAgent } });
          const shiftMs = options.shiftMs;
          if (shiftMs) {
            // Move `expiresAt` into simulated time once the SDK has parsed the answer.
            client.middlewareStack.add(
              (next) => async (args) => {
                const result = await next(args);
                const data = (result.output as { authorizationData?: Array<{ expiresAt?: Date }> }).authorizationData ?? [];
                for (const d of data) if (d.expiresAt instanceof Date) d.expiresAt = new Date(d.expiresAt.getTime() + shiftMs());
                return result;
              },
              { step: 'initialize', name: 'benchSimulatedTime' },
            );
          }
          return client;
        },
        ...(options.now && { now: options.now }),
      }),
    emulator: emu,
    mint: { service: 'ecr', operation: 'GetAuthorizationToken' },
    handlerEnv: (registries) => ({
      REGCRED_REGISTRIES: registries.map((r) => `${r.provider}:${r.region}`).join(','),
      // Lambda's: the role's session keys, the region, the SDK's endpoint overrides.
      ...functionEnv(emu.url),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOG_LEVEL: 'info',
    }),
    store: {
      id: 'secrets-manager',
      secretId: SECRET,
      create: () => new SecretsManagerStore({ client: sm }),
      writes: () => emu.count('secretsmanager', 'PutSecretValue'),
    },
    stop: async () => {
      httpAgent.destroy();
      await emu.stop();
    },
  };
}

export const AWS_BENCH: BenchCloud = {
  id: 'aws',
  rig: startAwsRig,
  // The SDK finds the role's keys and endpoints in the process environment, as in Lambda; the
  // caller is what the benchmark's warm requests carry too.
  coldInvoke: `handler(${JSON.stringify(functionUrlEvent({ method: 'GET', path: '/credentials', query: '', caller: 'bench' }))}, { awsRequestId: 'bench-cold', functionName: 'regcred-bench-http', getRemainingTimeInMillis: () => 10000 })`,
  preparedInvoker,
};

import { DEFAULT_IDENTITY } from './server.js';

/**
 * What Lambda gives a function: its execution role's session keys in the environment, plus the
 * AWS SDK's own endpoint overrides pointing every service regcred calls at the emulator.
 * @example Object.assign(process.env, functionEnv(emu.url));
 */
export function functionEnv(emulatorUrl: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: DEFAULT_IDENTITY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEFAULT_IDENTITY.secretAccessKey,
    AWS_SESSION_TOKEN: DEFAULT_IDENTITY.sessionToken!,
    AWS_ENDPOINT_URL_ECR: emulatorUrl,
    AWS_ENDPOINT_URL_ECR_PUBLIC: emulatorUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulatorUrl,
  };
}

/**
 * The AWS emulator: the shared front end (emulator/front-end.ts) speaking AWS's JSON 1.1 wire
 * (emulator/aws/wire.ts), with the test keys it accepts. The real SDK clients talk to it with
 * `endpoint: emu.url`.
 *
 * ## Plugging in a service
 *
 * A service is a plain object (see {@link AwsService}); write it in `emulator/aws/<name>.ts` and
 * pass it in `startAwsEmulator({ services: [...] })`:
 *
 * ```ts
 * export function secretsManagerService(): AwsService & { state: ... } {
 *   return {
 *     name: 'secretsmanager',            // key for emu.inject(name, op, ...), emu.count and emu.calls[].service
 *     signingName: 'secretsmanager',     // the SigV4 credential scope must name it
 *     targetPrefix: 'secretsmanager',    // X-Amz-Target is `<targetPrefix>.<Operation>`
 *     // regions: ['us-east-1'],         // optional: scope regions the service accepts
 *     operations: {
 *       GetSecretValue: (input, ctx) => {  // input: the parsed JSON body; ctx: identity, region, now, requestId
 *         if (!found) throw new ServiceError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
 *         return { ARN, Name, SecretString, VersionId, VersionStages, CreatedDate: ctx.now / 1000 };
 *       },
 *     },
 *   };
 * }
 * ```
 *
 * An operation returns the JSON output (or a promise of it), or throws {@link ServiceError} for
 * a modeled error; anything else thrown becomes a 500 InternalFailure. Timestamps in JSON 1.1 are
 * epoch SECONDS (numbers). Keep state on the service object so tests can read it.
 */
import { startFrontEnd, type FrontEnd } from '../front-end.js';
import type { AwsIdentity } from './sigv4.js';
import { awsWire, type AwsService } from './wire.js';

export { awsFaults, type AwsService } from './wire.js';
export type { AwsIdentity } from './sigv4.js';

/** The emulator's IAM-user key: what tests sign with unless they want a session. */
export const TEST_ACCESS_KEY_ID = 'AKIAEMULATORTESTKEY1';
export const TEST_SECRET_ACCESS_KEY = 'emulator/test/secret/access/key/0000000000';
export const TEST_IDENTITY: AwsIdentity = { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY };

/** The default identity: a role-session key, as Lambda hands a function; requests must carry the session token. */
export const TEST_SESSION_ACCESS_KEY_ID = 'ASIAEMULATORSESSION1';
export const TEST_SESSION_SECRET_ACCESS_KEY = 'emulator/session/secret/access/key/000000';
export const TEST_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEMULATOR-session-token';
export const DEFAULT_IDENTITY: AwsIdentity = {
  accessKeyId: TEST_SESSION_ACCESS_KEY_ID,
  secretAccessKey: TEST_SESSION_SECRET_ACCESS_KEY,
  sessionToken: TEST_SESSION_TOKEN,
};
export interface AwsEmulatorOptions {
  services: AwsService[];
  /** Keys the front end accepts (default: TEST_IDENTITY and DEFAULT_IDENTITY). */
  identities?: AwsIdentity[];
  /** The front end's clock, for X-Amz-Date checks and what operations see as now. */
  now?: () => number;
}

export interface AwsEmulator extends FrontEnd {
  readonly identities: AwsIdentity[];
}

/**
 * @example
 * const ecr = ecrService({ accountId: '123456789012' });
 * const emu = await startAwsEmulator({ services: [ecr] });
 * const client = new ECRClient({ endpoint: emu.url, region: 'us-east-1', credentials: TEST_IDENTITY });
 * emu.inject('ecr', 'GetAuthorizationToken', awsFaults.serverException());
 * await emu.stop();
 */
export async function startAwsEmulator(options: AwsEmulatorOptions): Promise<AwsEmulator> {
  const identities = options.identities ?? [TEST_IDENTITY, DEFAULT_IDENTITY];
  const frontEnd = await startFrontEnd({ wire: awsWire(identities), services: options.services, ...(options.now && { now: options.now }) });
  return Object.assign(frontEnd, { identities });
}

/**
 * The Secrets Manager rotation protocol (createSecret → setSecret → testSecret → finishSecret),
 * written over {@link RotatableStore} (core/secret-store.ts), which core/aws/secrets-manager.ts implements. It follows the AWS rotation template: every step
 * first checks that rotation is enabled and that the version is the pending one, so a repeated
 * or late step is a no-op, and only finishSecret ever moves AWSCURRENT, after testSecret proved
 * the pending credential logs into every registry it holds.
 */
import { auditIssued } from '../audit.js';
import type { RegistryCredential } from '../provider.js';
import { BadRequestError, RegcredError, toRegcredError } from '../errors.js';
import { registerSecret, type Logger } from '../log.js';
import { secretValue } from '../refresh.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import type { CredentialService, Invocation } from '../service.js';
import type { RotatableStore, SecretDescription } from '../secret-store.js';
import type { RefreshTarget, SecretFormat } from '../targets.js';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';

export interface RotationRequest {
  secretId: string;
  /** The ClientRequestToken: the id of the version being rotated in. */
  token: string;
  step: RotationStep;
  /** Passed through to PutSecretValue; a secret in its own right, never logged. */
  rotationToken?: string;
}

/** Logs into `https://<registry>/v2/`; resolves when the registry accepts, throws when it refuses. */
export type RegistryLogin = (registry: string, username: string, password: string, options: { signal: AbortSignal }) => Promise<unknown>;

export interface RotationOptions {
  store: RotatableStore;
  service: CredentialService;
  /** REGCRED_TARGETS: the entry naming the rotated secret picks registries and format. */
  targets?: RefreshTarget[];
  login: RegistryLogin;
  log: Logger;
  /** Config.retry: REGCRED_ATTEMPT_TIMEOUT_MS governs the store and registry-login calls too. */
  retry: RetryPolicy;
}

export type RotationAction = 'created' | 'alreadyPending' | 'nothingToSet' | 'tested' | 'finished' | 'alreadyCurrent';

export interface RotationResult {
  step: RotationStep;
  secretArn: string;
  token: string;
  action: RotationAction;
}

/**
 * The secret or version is not in a state this step may act on (rotation disabled, unknown
 * version, not pending), or the pending credential failed its test. Secrets Manager retries the
 * step and, if it keeps failing, leaves AWSCURRENT where it was.
 */
export class RotationError extends RegcredError {
  override readonly name = 'RotationError';
  readonly status = 409;
  constructor(code: 'RotationNotEnabled' | 'RotationVersionInvalid' | 'RotationTestFailed', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Validate a rotation event `{ SecretId, ClientRequestToken, Step, RotationToken? }`. Fields
 * Secrets Manager may add later are ignored, so a new field never breaks rotation.
 * @example parseRotationEvent({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' })
 */
export function parseRotationEvent(event: unknown): RotationRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new BadRequestError('rotation event must be an object');
  const { SecretId, ClientRequestToken, Step, RotationToken } = event as Record<string, unknown>;
  if (typeof SecretId !== 'string' || !/^[\x21-\x7e]{1,2048}$/.test(SecretId)) throw new BadRequestError('SecretId must be a secret name or ARN');
  if (typeof ClientRequestToken !== 'string' || !/^[\x21-\x7e]{32,64}$/.test(ClientRequestToken)) {
    throw new BadRequestError('ClientRequestToken must be 32 to 64 printable characters');
  }
  const step = stepName(Step);
  if (!step) throw new BadRequestError(`Step must be one of ${ROTATION_STEPS.join(', ')}`);
  if (RotationToken !== undefined && typeof RotationToken !== 'string') throw new BadRequestError('RotationToken must be a string');
  return { secretId: SecretId, token: ClientRequestToken, step, ...(RotationToken && { rotationToken: RotationToken }) };
}

/** The Lambda contract sends `createSecret`; some AWS pages spell it `create_secret`. Accept both. */
function stepName(value: unknown): RotationStep | undefined {
  if (typeof value !== 'string') return undefined;
  const camel = value.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return (ROTATION_STEPS as readonly string[]).includes(camel) ? (camel as RotationStep) : undefined;
}

/**
 * Run one rotation step. Idempotent: a step invoked twice leaves the same state.
 * @example
 * const result = await rotateStep(parseRotationEvent(event), { store, service, login: checkRegistryLogin, log, retry: config.retry }, invocation);
 */
export async function rotateStep(request: RotationRequest, options: RotationOptions, invocation: Invocation): Promise<RotationResult> {
  const attempt = <T>(call: (signal: AbortSignal) => Promise<T>, service = 'the secret store') =>
    withRetry(call, {
      policy: options.retry,
      service,
      deadline: invocation.deadline,
      ...(invocation.signal && { signal: invocation.signal }),
    });
  const { store } = options;
  const { secretId, token, step } = request;
  const log = invocation.log ?? options.log;

  const secret = await attempt((signal) => store.describe(secretId, signal));
  const done = (action: RotationAction): RotationResult => {
    log.info('rotation step', { step, secret: secret.arn, version: token, action });
    return { step, secretArn: secret.arn, token, action };
  };

  // The template's guard, in its order.
  if (!secret.rotationEnabled) throw new RotationError('RotationNotEnabled', `secret ${secret.name} is not enabled for rotation`);
  const stages = secret.versions[token];
  if (!stages) throw new RotationError('RotationVersionInvalid', `version ${token} has no stage for rotation of secret ${secret.name}`);
  if (stages.includes(CURRENT)) return done('alreadyCurrent');
  if (!stages.includes(PENDING)) throw new RotationError('RotationVersionInvalid', `version ${token} is not AWSPENDING for secret ${secret.name}`);

  const target = targetFor(secret, options);
  switch (step) {
    case 'createSecret': {
      const existing = await attempt((signal) => store.getValue(secretId, token, PENDING, signal));
      if (existing !== undefined) return done('alreadyPending');
      const { credentials } = await options.service.issue(target.registries, invocation, { lastGood: false });
      const value = secretValue(target.format, credentials);
      await attempt((signal) => store.putPending(secretId, value, token, request.rotationToken, signal));
      for (const c of credentials) auditIssued(log, `rotation:${secret.arn}`, c);
      return done('created');
    }
    case 'setSecret':
      // The registry service mints the credential itself; there is nothing to set upstream.
      return done('nothingToSet');
    case 'testSecret': {
      const value = await attempt((signal) => store.getValue(secretId, token, PENDING, signal));
      if (value === undefined) throw new RotationError('RotationVersionInvalid', `version ${token} of secret ${secret.name} has no pending value`);
      const logins = loginsIn(value, target.format);
      // A value read back from the store is as secret as a minted one: mask it before anything can log it.
      for (const login of logins) registerSecret(login.password, { username: login.username });
      for (const login of logins) {
        try {
          await attempt((signal) => options.login(login.registry, login.username, login.password, { signal }), `registry ${login.registry}`);
        } catch (err) {
          const error = toRegcredError(err);
          throw new RotationError('RotationTestFailed', `registry ${login.registry} did not accept the pending credential (${error.code})`, { cause: error });
        }
      }
      return done('tested');
    }
    case 'finishSecret': {
      const current = Object.entries(secret.versions).find(([, s]) => s.includes(CURRENT))?.[0];
      await attempt((signal) => store.moveCurrent(secretId, token, current, signal));
      return done('finished');
    }
  }
}

/**
 * The REGCRED_TARGETS entry naming this secret (by name, ARN, or ARN without the random 6-character
 * suffix, as Secrets Manager accepts), else every configured registry.
 */
function targetFor(secret: SecretDescription, options: RotationOptions): { registries: RefreshTarget['registries']; format: SecretFormat } {
  const named = options.targets?.find((t) => t.store === options.store.id && [secret.arn, secret.name, secret.arn.slice(0, -7)].includes(t.secretId));
  return named ?? { registries: [...options.service.registries], format: 'dockerconfigjson' };
}

type Login = Pick<RegistryCredential, 'registry' | 'username' | 'password'>;

/**
 * The logins a secret value holds, in either refresh format. A value we cannot read is a failed
 * test, never a pass: a secret no client could use must not become AWSCURRENT.
 */
export function loginsIn(value: string, format: SecretFormat): Login[] {
  const bad = (why: string) => new RotationError('RotationTestFailed', `pending secret value is not a ${format} secret: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw bad('not JSON');
  }
  const entries: unknown[] =
    format === 'dockerconfigjson'
      ? Object.entries(objectField(parsed, 'auths') ?? {}).map(([registry, auth]) => ({ ...(auth as object), registry }))
      : Array.isArray((parsed as { credentials?: unknown })?.credentials)
        ? (parsed as { credentials: unknown[] }).credentials
        : [];
  if (!entries.length) throw bad('no registry in it');
  return entries.map((entry) => {
    const { registry, username, password } = (entry ?? {}) as Record<string, unknown>;
    if (typeof registry !== 'string' || typeof username !== 'string' || typeof password !== 'string' || !registry || !username || !password) {
      throw bad('an entry lacks registry, username or password');
    }
    return { registry, username, password };
  });
}

function objectField(value: unknown, key: string): Record<string, unknown> | undefined {
  const field = (value as Record<string, unknown> | null)?.[key];
  return typeof field === 'object' && field !== null && !Array.isArray(field) ? (field as Record<string, unknown>) : undefined;
}

import { createHash } from 'node:crypto';
import type { RegistryCredential } from './provider.js';
import type { Logger } from './log.js';

/**
 * A short, one-way fingerprint of a password: enough to tell two issued credentials apart in
 * the audit trail (and to derive idempotency tokens), useless for logging in.
 * @example fingerprint('secret') // '2bb80d537b1d'
 */
export function fingerprint(password: string): string {
  return createHash('sha256').update(password).digest('hex').slice(0, 12);
}

/**
 * The one audit line per credential handed out. `callerVerified` is false where the platform did
 * not verify the caller and the id is only what the request claims (an FC event's Authorization
 * header): the line then records a claim, not an identity.
 * @example auditIssued(log, 'arn:aws:iam::123456789012:user/ci', credential);
 */
export function auditIssued(log: Logger, caller: string, credential: RegistryCredential, callerVerified = true): void {
  log.info('credential issued', {
    caller,
    callerVerified,
    registry: credential.registry,
    fingerprint: fingerprint(credential.password),
    expiresAt: credential.expiresAt.toISOString(),
  });
}

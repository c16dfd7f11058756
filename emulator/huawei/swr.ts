/**
 * SWR (SoftWare Repository for Container) `CreateSecret`: `POST /v2/manage/utils/secret
 * ?projectname=<region>[&duration_seconds=<n>]` answers
 * `{"auths":{"swr.<region>.myhuaweicloud.com":{"auth":"base64(<region>@<AK>:<password>)"}}}` with
 * headers `X-Swr-Dockerlogin: docker login -u <user> -p <password> <host>` and `X-Swr-Expireat`
 * (e.g. `2025-11-01T12:18:44.382000Z`), per the SWR API reference (swr_02_0052). The login is
 * valid 15 min..24 h (`duration_seconds`; 24 h when absent in this emulator) and, with temporary
 * keys, never past the agency session when `capToSession` (our conclusion, see core/huawei/swr.ts).
 * Every login minted is recorded with the key that minted it and the region it is for (`minted`).
 */
import { randomBytes } from 'node:crypto';
import { ServiceError, type OperationContext } from '../front-end.js';
import type { MintedLogin } from '../registry-access.js';
import type { HuaweiInput, HuaweiOutput, HuaweiService } from './wire.js';

export const MAX_LOGIN_SECONDS = 24 * 60 * 60;
export const MIN_LOGIN_SECONDS = 15 * 60;

export interface SwrSettings {
  /** Region the emulated SWR serves (its `projectname` default and registry host). */
  region: string;
  /** More regions it also answers for (`projectname`), each with its own `swr.<region>` host. */
  regions?: string[];
  /** Username prefix before `@<AK>` (default: the region), e.g. to match a local registry's htpasswd. */
  usernamePrefix?: string;
  /** A fixed password (else a random one per call), so a real local registry can accept it. */
  password?: string;
  /** Registry host in `auths` (default `swr.<region>.myhuaweicloud.com`). */
  host?: string;
  /** Login lifetime when the caller names none; at most 24 h. */
  lifetimeMs?: number;
  /** Never let a login outlive the caller's agency session (default true). */
  capToSession?: boolean;
  /** The account (domain) id that owns the organizations (default {@link DEFAULT_DOMAIN_ID}). */
  domainId?: string;
}

export const DEFAULT_DOMAIN_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

export const swrHost = (region: string) => `swr.${region}.myhuaweicloud.com`;

/** X-Swr-Expireat as SWR prints it: microseconds, `Z`. */
export function swrTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function swrService(settings: SwrSettings, minted: MintedLogin[] = []): HuaweiService {
  return {
    name: 'swr',
    routes: [{ method: 'POST', path: '/v2/manage/utils/secret', operation: 'CreateSecret' }],
    operations: {
      CreateSecret: (input, ctx) => createSecret(settings, input as HuaweiInput, ctx, minted),
    },
  };
}

function createSecret(settings: SwrSettings, input: HuaweiInput, ctx: OperationContext, minted: MintedLogin[]): HuaweiOutput {
  const projectname = input.query['projectname'] ?? settings.region;
  if (projectname !== settings.region && !settings.regions?.includes(projectname)) throw new ServiceError(400, 'SVCSTG.SWR.4000001', `Invalid projectname: ${projectname.slice(0, 64)}`);
  let lifetimeMs = Math.min(settings.lifetimeMs ?? MAX_LOGIN_SECONDS * 1000, MAX_LOGIN_SECONDS * 1000);
  const duration = input.query['duration_seconds'];
  if (duration !== undefined) {
    const n = Number(duration);
    if (!/^\d+$/.test(duration) || n < MIN_LOGIN_SECONDS || n > MAX_LOGIN_SECONDS) {
      throw new ServiceError(400, 'SVCSTG.SWR.4000001', 'duration_seconds must be between 900 and 86400');
    }
    lifetimeMs = n * 1000;
  }
  let expiresAt = ctx.now + lifetimeMs;
  const session = ctx.identity.sessionExpiresAt;
  if ((settings.capToSession ?? true) && session !== undefined) expiresAt = Math.min(expiresAt, session);
  if (ctx.expiredToken) expiresAt = ctx.now - 1_000;

  const username = `${settings.usernamePrefix ?? projectname}@${ctx.identity.accessKeyId}`;
  const password = settings.password ?? randomBytes(32).toString('hex');
  const host = settings.host ?? swrHost(projectname);
  minted.push({ username, password, accessKeyId: ctx.identity.accessKeyId, region: projectname, account: settings.domainId ?? DEFAULT_DOMAIN_ID, expiresAt });
  return {
    body: { auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } },
    headers: {
      'X-Swr-Dockerlogin': `docker login -u ${username} -p ${password} ${host}`,
      'X-Swr-Expireat': swrTimestamp(expiresAt),
    },
  };
}

/**
 * What a product (CR personal, CR EE, KMS) plugs into the Alibaba emulator: a version string and
 * a handler that answers one verified call. Errors use Alibaba's JSON error shape.
 */
import { randomUUID } from 'node:crypto';
import type { AcsIdentity } from './acs3.js';

export interface ApiCall {
  action: string;
  method: string;
  /** Path without the query, e.g. `/tokens` (ROA) or `/` (RPC). */
  path: string;
  /** Query and form-body parameters, decoded. */
  params: Record<string, string>;
  identity: AcsIdentity;
  now: number;
  requestId: string;
  /** Set by the `expiredToken` fault: mint a token that already expired. */
  expiredToken?: boolean;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface Product {
  readonly name: string;
  readonly version: string;
  /** Undefined when the product has no such action (or path, for ROA). */
  handle(call: ApiCall): ApiAnswer | undefined;
}

/** Alibaba's error body: `{ RequestId, HostId, Code, Message, Recommend }`. */
export function apiError(status: number, code: string, message: string, requestId: string): ApiAnswer {
  return {
    status,
    body: {
      RequestId: requestId,
      HostId: '127.0.0.1',
      Code: code,
      Message: message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}`,
    },
  };
}

export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** Token settings shared by the CR products. */
export interface TokenSettings {
  username: string;
  /** Fixed password, or a new random one per call when undefined. */
  password?: string;
  lifetimeMs: number;
  /** Alibaba documents that a token minted with STS keys lives no longer than the session. */
  capToSession: boolean;
}

export function tokenExpiry(call: ApiCall, settings: TokenSettings): number {
  if (call.expiredToken) return call.now - 60_000;
  const natural = call.now + settings.lifetimeMs;
  const session = call.identity.sessionExpiresAt;
  return settings.capToSession && session !== undefined ? Math.min(natural, session) : natural;
}

import type { RegistryCredential } from './provider.js';
import { BadRequestError } from './errors.js';

/**
 * Renderings of issued credentials: pure functions from credentials to a JSON-able body, so the
 * HTTP API, the refresh path and the CLI all produce byte-identical output.
 */
export const FORMATS = ['json', 'dockerconfigjson', 'kubernetes', 'credential-helper', 'kubelet'] as const;
export type Format = (typeof FORMATS)[number];
/** Formats that describe exactly one registry. */
export const SINGLE_REGISTRY_FORMATS: readonly Format[] = ['credential-helper', 'kubelet'];

export interface RenderOptions {
  /** For `json`: one object instead of `{credentials:[…]}` (the `/credentials/{host}` route). */
  single?: boolean;
  /** For `kubernetes`: metadata.name and metadata.namespace. */
  name?: string;
  namespace?: string;
  /** For `kubelet`: cacheDuration runs from `now` to `freshUntil` (the half-life). */
  now?: number;
  freshUntil?: number;
}

const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/**
 * @example render('dockerconfigjson', [credential]) // { auths: { 'host': { username, password, auth } } }
 */
export function render(format: Format, credentials: RegistryCredential[], options: RenderOptions = {}): unknown {
  if (SINGLE_REGISTRY_FORMATS.includes(format) && credentials.length !== 1) {
    throw new BadRequestError(
      `format=${format} describes one registry but ${credentials.length} are configured; ask /credentials/{registry-host}`,
    );
  }
  switch (format) {
    case 'json':
      return options.single && credentials.length === 1
        ? toJson(credentials[0]!)
        : { credentials: credentials.map(toJson) };
    case 'dockerconfigjson':
      return dockerConfig(credentials);
    case 'kubernetes':
      return kubernetesSecret(credentials, options.name ?? 'regcred', options.namespace ?? 'default');
    case 'credential-helper': {
      const c = credentials[0]!;
      return { ServerURL: c.registry, Username: c.username, Secret: c.password };
    }
    case 'kubelet': {
      const c = credentials[0]!;
      const now = options.now ?? Date.now();
      return {
        kind: 'CredentialProviderResponse',
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
        cacheKeyType: 'Registry',
        cacheDuration: goDuration((options.freshUntil ?? c.expiresAt.getTime()) - now),
        auth: { [c.registry]: { username: c.username, password: c.password } },
      };
    }
  }
}

export function dockerConfig(credentials: RegistryCredential[]): { auths: Record<string, unknown> } {
  const auths: Record<string, unknown> = {};
  for (const c of credentials) {
    auths[c.registry] = {
      username: c.username,
      password: c.password,
      auth: Buffer.from(`${c.username}:${c.password}`).toString('base64'),
    };
  }
  return { auths };
}

function kubernetesSecret(credentials: RegistryCredential[], name: string, namespace: string): unknown {
  if (!DNS1123_SUBDOMAIN.test(name)) throw new BadRequestError('name must be a DNS-1123 subdomain (lower-case letters, digits, - and .)');
  if (!DNS1123_LABEL.test(namespace)) throw new BadRequestError('namespace must be a DNS-1123 label (lower-case letters, digits and -)');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify(dockerConfig(credentials))).toString('base64') },
  };
}

function toJson(c: RegistryCredential) {
  return {
    registry: c.registry,
    username: c.username,
    password: c.password,
    expiresAt: c.expiresAt.toISOString(),
    provider: c.provider,
    region: c.region,
  };
}

/**
 * A duration as Go's time.Duration prints it, to whole seconds (kubelet parses it with ParseDuration).
 * @example goDuration(21_570_000) // '5h59m30s'
 */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

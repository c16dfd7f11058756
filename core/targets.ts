import { targetKey, type RegistryTarget } from './provider.js';
import { BadRequestError } from './errors.js';
import { parseRegistry } from './registry-spec.js';
import { storeIds } from './clouds.js';
import type { StoreId } from './secret-store.js';

/** Where one scheduled refresh writes: a secret, in a format, holding these registries' credentials. */
export interface RefreshTarget {
  store: StoreId;
  secretId: string;
  format: SecretFormat;
  registries: RegistryTarget[];
}

export const SECRET_FORMATS = ['dockerconfigjson', 'json'] as const;
export type SecretFormat = (typeof SECRET_FORMATS)[number];
const TARGET_FIELDS = ['store', 'secretId', 'format', 'registries'];
const MAX_TARGETS = 50;

/**
 * Validate `{"targets":[{"store","secretId","format","registries":["ecr:us-east-1"]}]}` (from an
 * event or REGCRED_TARGETS). Every registry must be one the function is configured for, so a
 * refresh can never reach a registry the deployed role was not scoped to. Errors name the field.
 * @example parseRefreshTargets({ targets: [{ store: 'kms', secretId: 'regcred', registries: ['acr:cn-shanghai'] }] }, configured)
 */
export function parseRefreshTargets(value: unknown, configured: RegistryTarget[]): RefreshTarget[] {
  if (!isObject(value)) throw new BadRequestError('must be an object {"targets":[...]}');
  const unknown = Object.keys(value).filter((k) => k !== 'targets');
  if (unknown.length) throw new BadRequestError(`unknown field '${unknown[0]}'; expected only 'targets'`);
  const { targets } = value;
  if (!Array.isArray(targets) || targets.length === 0) throw new BadRequestError('targets must be a non-empty array');
  if (targets.length > MAX_TARGETS) throw new BadRequestError(`targets has ${targets.length} entries; at most ${MAX_TARGETS}`);
  const byKey = new Map(configured.map((t) => [targetKey(t), t]));
  return targets.map((raw, i) => parseTarget(raw, `targets[${i}]`, byKey));
}

function parseTarget(raw: unknown, path: string, configured: Map<string, RegistryTarget>): RefreshTarget {
  if (!isObject(raw)) throw new BadRequestError(`${path} must be an object`);
  const unknown = Object.keys(raw).find((k) => !TARGET_FIELDS.includes(k));
  if (unknown) throw new BadRequestError(`${path}.${unknown} is not a known field (${TARGET_FIELDS.join(', ')})`);

  const { store, secretId, format = 'dockerconfigjson', registries } = raw;
  if (typeof store !== 'string' || !storeIds().includes(store)) throw new BadRequestError(`${path}.store must be one of ${storeIds().join(', ')}`);
  // eslint-disable-next-line no-control-regex
  if (typeof secretId !== 'string' || !/^[^\u0000-\u001f\s]{1,2048}$/.test(secretId)) {
    throw new BadRequestError(`${path}.secretId must be a secret name or ARN`);
  }
  if (!(SECRET_FORMATS as readonly unknown[]).includes(format)) {
    throw new BadRequestError(`${path}.format must be one of ${SECRET_FORMATS.join(', ')}`);
  }
  if (!Array.isArray(registries) || registries.length === 0) {
    throw new BadRequestError(`${path}.registries must be a non-empty array of "<provider>:<region>[:<instanceId>]"`);
  }
  const targets = registries.map((entry, j) => {
    const where = `${path}.registries[${j}]`;
    if (typeof entry !== 'string') throw new BadRequestError(`${where} must be a string`);
    let parsed: RegistryTarget;
    try {
      parsed = parseRegistry(entry);
    } catch (err) {
      throw new BadRequestError(`${where}: ${(err as Error).message}`);
    }
    const match = configured.get(targetKey(parsed));
    if (!match) throw new BadRequestError(`${where}: '${entry}' is not in REGCRED_REGISTRIES`);
    return match;
  });
  return { store, secretId, format: format as SecretFormat, registries: targets };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The targets an event names (its `{"targets":[...]}` part, undefined when it names none), else
 * the configured REGCRED_TARGETS. An event may name only exact entries of REGCRED_TARGETS (same
 * store, secret, format and registries): whoever can put an event on the bus must not choose
 * which secret the function's role writes, or in which format. Anything else is a
 * BadRequestError and nothing is written.
 * @example targetsFor(event.detail, config)
 */
export function targetsFor(spec: unknown, config: { registries: RegistryTarget[]; refreshTargets?: RefreshTarget[] }): RefreshTarget[] {
  const configured = config.refreshTargets;
  if (spec === undefined) {
    if (configured) return configured;
    throw new BadRequestError('the event names no targets and REGCRED_TARGETS is not set');
  }
  const named = parseRefreshTargets(spec, config.registries);
  if (!configured) throw new BadRequestError('the event names targets, but an event may name only entries of REGCRED_TARGETS, which is not set');
  return named.map((target, i) => {
    const match = configured.find((c) => sameTarget(c, target));
    if (!match) throw new BadRequestError(`targets[${i}] is not an entry of REGCRED_TARGETS; an event may name only configured targets, exactly`);
    return match;
  });
}

function sameTarget(a: RefreshTarget, b: RefreshTarget): boolean {
  const keys = (t: RefreshTarget) => t.registries.map(targetKey).sort().join(',');
  return a.store === b.store && a.secretId === b.secretId && a.format === b.format && keys(a) === keys(b);
}

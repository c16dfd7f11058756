/**
 * The matrix's generated inputs, the same for every cloud: bad configurations (B4) built from the
 * table of clouds, and fuzzed platform events (B2) built from a cloud's own valid event.
 */
import fc from 'fast-check';
import { clouds } from '../../core/clouds.js';
import type { LocalCloud } from '../../dev/local-cloud.js';

/**
 * Every bad value of every variable a function of `cloudId` reads, each with the variable its
 * cold-start error must name: [the function's environment over the working one, the variable].
 */
export function badConfigurations(cloudId: string, local: Pick<LocalCloud, 'registries' | 'mint'>): Array<[Record<string, string>, string]> {
  const cloud = clouds().find((c) => c.id === cloudId)!;
  const own = local.mint[0]!.registry;
  const foreign = clouds().find((c) => c.id !== cloudId)!.providers[0]!.id;
  const target = (fields: Record<string, unknown>) => JSON.stringify({ targets: [{ store: cloud.stores[0] ?? 'none', secretId: 'regcred-pull', registries: [own], ...fields }] });
  return [
    [{ REGCRED_REGISTRIES: '' }, 'REGCRED_REGISTRIES'],
    [{ REGCRED_REGISTRIES: 'gcr:us-east-1' }, 'REGCRED_REGISTRIES'],
    [{ REGCRED_REGISTRIES: `${foreign}:us-east-1` }, 'REGCRED_REGISTRIES'],
    [{ REGCRED_REGISTRIES: `${own},${own}` }, 'REGCRED_REGISTRIES'],
    [{ REGCRED_REGISTRIES: `${own},` }, 'REGCRED_REGISTRIES'],
    [{ REGCRED_REGISTRIES: `${own}=not a host` }, 'REGCRED_REGISTRIES'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ REGCRED_ATTEMPT_TIMEOUT_MS: '5s' }, 'REGCRED_ATTEMPT_TIMEOUT_MS'],
    [{ REGCRED_ATTEMPT_TIMEOUT_MS: '-1' }, 'REGCRED_ATTEMPT_TIMEOUT_MS'],
    [{ REGCRED_ALLOWED_CALLERS: 'a b' }, 'REGCRED_ALLOWED_CALLERS'],
    [{ REGCRED_TARGETS: '{' }, 'REGCRED_TARGETS'],
    [{ REGCRED_TARGETS: '{"targets":[]}' }, 'REGCRED_TARGETS'],
    [{ REGCRED_TARGETS: target({ store: 's3' }) }, 'REGCRED_TARGETS'],
    [{ REGCRED_TARGETS: target({ format: 'yaml' }) }, 'REGCRED_TARGETS'],
    [{ REGCRED_TARGETS: target({ registries: ['gcr:us-east-1'] }) }, 'REGCRED_TARGETS'],
    ...cloud.endpointVariables.map((name): [Record<string, string>, string] => [{ [name]: 'ftp://127.0.0.1:1' }, name]),
  ];
}

/** A platform event as a plain value (a Buffer or JSON string event parsed), and how to give it back in the same form. */
function unwrap(event: unknown): { value: unknown; wrap: (v: unknown) => unknown } {
  if (Buffer.isBuffer(event)) return { value: JSON.parse(event.toString()), wrap: (v) => Buffer.from(JSON.stringify(v) ?? '') };
  if (typeof event === 'string') return { value: JSON.parse(event), wrap: (v) => JSON.stringify(v) ?? '' };
  return { value: event, wrap: (v) => v };
}

/** Every path to a field of a JSON value, top level first. */
function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k])]);
}

function replaced(value: unknown, path: string[], by: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (by === undefined) delete node[path.at(-1)!];
  else node[path.at(-1)!] = by;
  return copy;
}

/**
 * Events a platform trigger or a direct invocation could deliver: `seed` (a valid event) with one
 * field replaced by anything or removed, any JSON value, or random bytes, each in the seed's form.
 */
export function mutatedEvents(seed: unknown): fc.Arbitrary<unknown> {
  const { value, wrap } = unwrap(seed);
  const paths = fieldPaths(value);
  const noise = fc.oneof(fc.anything(), fc.string(), fc.constant(undefined), fc.constantFrom('', '/', '/credentials', 'GET', 'format=kubelet', '%ZZ'));
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...paths), noise).map(([path, by]) => wrap(replaced(value, path, by))) },
    { weight: 1, arbitrary: fc.jsonValue().map(wrap) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => (Buffer.isBuffer(seed) ? Buffer.from(b) : typeof seed === 'string' ? Buffer.from(b).toString() : b)) },
  );
}

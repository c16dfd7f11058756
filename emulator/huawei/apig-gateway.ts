/**
 * The emulated APIG gateway behind a FunctionGraph APIG trigger: the APIs a trigger creates and
 * publishes, the access control (ACL) policies bound to them, the management calls the deploy
 * makes on them (on the Huawei wire, SDK-HMAC-SHA256 verified), and the access check the gateway
 * applies to a caller after IAM authentication and before the backend function runs.
 *
 * Wire shapes, from the APIG API reference:
 * - dedicated gateway (v2): `POST|GET /v2/{project_id}/apigw/instances/{instance_id}/acls`
 *   (`acl_name`, `acl_type` PERMIT|DENY, `acl_value` comma list, `entity_type` IP|DOMAIN|DOMAIN_ID;
 *   201 answers the policy with its `id`), `PUT …/acls/{acl_id}`, `POST …/acl-bindings`
 *   (`{acl_id, publish_ids}`; 201 `{acl_bindings:[{id, api_id, env_id, acl_id, create_time}]}`),
 *   `GET …/acl-bindings/binded-apis?acl_id=` (`{total, size, apis:[{api_id, env_id, bind_id, publish_id, …}]}`),
 *   `GET …/apis?id=&env_id=` (`apis[].publish_id`, `run_env_id`, `|`-joined when published to several
 *   environments) — https://support.huaweicloud.com/intl/en-us/api-apig/CreateAclStrategyV2.html and
 *   the Go SDK's apig/v2 models (ApiAclCreate, AclApiBindingCreate, ApiInfoPerPage).
 * - shared gateway (v1.0): the same calls under `/v1.0/apigw/…`, with `entity_type` IP|DOMAIN only,
 *   and the binding answered as a bare array —
 *   https://support.huaweicloud.com/intl/en-us/api-apig/apig-api-180713084.html.
 * - DOMAIN takes account names, DOMAIN_ID account ids; only dedicated gateways created after 2022
 *   know DOMAIN_ID (`instances` marks which). A policy by account applies to IAM-authenticated APIs
 *   and to every IAM user of the named accounts.
 * - A caller a bound policy does not admit gets 403 `APIG.0302` "The IAM user is not authorized to
 *   access the API." (APIG user guide, error codes: https://support.huaweicloud.com/intl/en-us/usermanual-apig/apig_03_0048.html;
 *   the signing guide lists the same row as APIGW.0302: https://support.huaweicloud.com/en-us/devg-apisign/api-sign-errorcode.html).
 * - One API published in one environment binds at most one policy of each type (PERMIT, DENY).
 * Management error codes other than those are this emulator's choice (Huawei documents no texts).
 */
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../front-end.js';
import { bodyReaders, type HuaweiInput, type HuaweiOutput, type HuaweiService } from './wire.js';

export const RELEASE_ENV = { id: 'DEFAULT_ENVIRONMENT_RELEASE_ID', name: 'RELEASE' } as const;
/** The key of the shared gateway among the gateways (dedicated gateways are keyed by instance id). */
export const SHARED_GATEWAY = 'shared';
export const ACL_DENIED = { status: 403, code: 'APIG.0302', message: 'The IAM user is not authorized to access the API.' } as const;

export interface ApigApi {
  id: string;
  name: string;
  group_id: string;
  /** {@link SHARED_GATEWAY} or a dedicated gateway's instance id. */
  gateway: string;
  auth: string;
  /** Environment name → publish record id, while the API is published there. */
  published: Map<string, string>;
}

export interface ApigAcl {
  id: string;
  gateway: string;
  acl_name: string;
  acl_type: 'PERMIT' | 'DENY';
  acl_value: string;
  entity_type: 'IP' | 'DOMAIN' | 'DOMAIN_ID';
  update_time: string;
}

export interface ApigBinding {
  id: string;
  acl_id: string;
  api_id: string;
  env_id: string;
  publish_id: string;
  create_time: string;
}

/** The account a caller's IAM credentials belong to (IAM knows it once the signature checks). */
export interface CallerAccount {
  domainId?: string;
  domainName?: string;
}

export type AccessVerdict = { ok: true } | { ok: false; status: number; code: string; message: string };

export class ApigState {
  readonly apis = new Map<string, ApigApi>();
  readonly acls = new Map<string, ApigAcl>();
  readonly bindings = new Map<string, ApigBinding>();

  /** @param instances dedicated gateways by instance id; `domainIdAcl: false` for one created before 2023. */
  constructor(readonly instances: ReadonlyMap<string, { domainIdAcl: boolean }> = new Map()) {}

  /** A new API (as a FunctionGraph APIG trigger creates it), not yet published. */
  createApi(api: Omit<ApigApi, 'id' | 'published'>): ApigApi {
    if (api.gateway !== SHARED_GATEWAY && !this.instances.has(api.gateway)) throw new ServiceError(404, 'APIG.3030', 'The instance does not exist.');
    const created: ApigApi = { ...api, id: hexId(), published: new Map() };
    this.apis.set(created.id, created);
    return created;
  }

  /** Publish in RELEASE: a new publish record, so nothing bound to an earlier one carries over. */
  publish(apiId: string): string {
    const api = this.api(apiId);
    const existing = api.published.get(RELEASE_ENV.name);
    if (existing) return existing;
    const publishId = hexId();
    api.published.set(RELEASE_ENV.name, publishId);
    return publishId;
  }

  /** Take the API offline in RELEASE: its publish record and the bindings on it go. */
  offline(apiId: string): void {
    const api = this.api(apiId);
    const publishId = api.published.get(RELEASE_ENV.name);
    api.published.delete(RELEASE_ENV.name);
    for (const [id, b] of this.bindings) if (b.publish_id === publishId) this.bindings.delete(id);
  }

  /**
   * What the gateway decides for a caller of `apiId` in RELEASE, after IAM authentication: the
   * API must be published, and every bound PERMIT policy by account must name the caller's
   * account (DENY: must not). IP policies are not modelled (every caller here is 127.0.0.1).
   * @example state.admits(apiId, { domainId: caller.domainId, domainName: caller.domainName })
   */
  admits(apiId: string, caller: CallerAccount): AccessVerdict {
    const api = this.apis.get(apiId);
    const publishId = api?.published.get(RELEASE_ENV.name);
    if (!publishId) return { ok: false, status: 404, code: 'APIG.0101', message: 'The API does not exist or has not been published in the environment.' };
    for (const b of this.bindings.values()) {
      if (b.publish_id !== publishId) continue;
      const acl = this.acls.get(b.acl_id)!;
      if (acl.entity_type === 'IP') continue;
      const id = acl.entity_type === 'DOMAIN_ID' ? caller.domainId : caller.domainName;
      const named = id !== undefined && acl.acl_value.split(',').includes(id);
      if (named !== (acl.acl_type === 'PERMIT')) return { ok: false, ...ACL_DENIED };
    }
    return { ok: true };
  }

  /** A new ACL policy on `gateway`; its name is unique there. */
  createAcl(gateway: string, fields: Pick<ApigAcl, 'acl_name' | 'acl_type' | 'acl_value' | 'entity_type'>, now: number): ApigAcl {
    if ([...this.acls.values()].some((a) => a.gateway === gateway && a.acl_name === fields.acl_name)) throw new ServiceError(409, 'APIG.3301', 'The ACL policy name already exists.');
    const acl: ApigAcl = { id: hexId(), gateway, ...fields, update_time: new Date(now).toISOString() };
    this.acls.set(acl.id, acl);
    return acl;
  }

  /** Bind policy `aclId` to published APIs (by publish record id): all or none. */
  bind(gateway: string, aclId: string, publishIds: readonly string[], now: number): ApigBinding[] {
    const acl = this.acls.get(aclId);
    if (!acl || acl.gateway !== gateway) throw new ServiceError(404, 'APIG.3006', 'The ACL policy does not exist.');
    const created: ApigBinding[] = [];
    for (const publishId of publishIds) {
      const api = [...this.apis.values()].find((a) => a.gateway === gateway && [...a.published.values()].includes(publishId));
      if (!api) throw new ServiceError(404, 'APIG.3004', 'The API publish record does not exist.');
      const sameType = [...this.bindings.values()].find((x) => x.publish_id === publishId && this.acls.get(x.acl_id)!.acl_type === acl.acl_type);
      if (sameType) throw new ServiceError(409, 'APIG.3302', 'The API is already bound to an ACL policy of this type in this environment.');
      created.push({ id: hexId(), acl_id: acl.id, api_id: api.id, env_id: RELEASE_ENV.id, publish_id: publishId, create_time: new Date(now).toISOString() });
    }
    for (const c of created) this.bindings.set(c.id, c);
    return created;
  }

  /** The ACL policies bound to the API in RELEASE (what a test inspects). */
  boundAcls(apiId: string): ApigAcl[] {
    const publishId = this.apis.get(apiId)?.published.get(RELEASE_ENV.name);
    return [...this.bindings.values()].filter((b) => b.publish_id === publishId).map((b) => this.acls.get(b.acl_id)!);
  }

  private api(apiId: string): ApigApi {
    const api = this.apis.get(apiId);
    if (!api) throw new ServiceError(404, 'APIG.3002', 'The API does not exist.');
    return api;
  }
}

/**
 * The APIG management calls a deployment makes, for both gateways: list APIs, create / list /
 * update ACL policies, bind a policy to published APIs, list a policy's bound APIs.
 * @example startFrontEnd({ wire: huaweiWire({ identities }), services: [apigService(state, projectId)] })
 */
export function apigService(state: ApigState, projectId: string): HuaweiService {
  const v2 = '/v2/{project_id}/apigw/instances/{instance_id}';
  const v1 = '/v1.0/apigw';
  const out = (body: unknown, status = 200): HuaweiOutput => ({ body, status });
  /** The gateway a request addresses, checked: the project of the credential, a known instance. */
  const gatewayOf = (input: unknown): string => {
    const { path } = input as HuaweiInput;
    if (path['instance_id'] === undefined) return SHARED_GATEWAY;
    if (path['project_id'] !== projectId) throw new ServiceError(403, 'APIG.1002', 'The project does not match the credential.');
    if (!state.instances.has(path['instance_id'])) throw new ServiceError(404, 'APIG.3030', 'The instance does not exist.');
    return path['instance_id'];
  };

  const listApis = (input: unknown) => {
    const gateway = gatewayOf(input);
    const { query } = input as HuaweiInput;
    const apis = [...state.apis.values()]
      .filter((a) => a.gateway === gateway && (!query['id'] || a.id === query['id']) && (!query['name'] || a.name === query['name']))
      .filter((a) => !query['env_id'] || (query['env_id'] === RELEASE_ENV.id && a.published.has(RELEASE_ENV.name)))
      .map((a) => ({
        id: a.id,
        name: a.name,
        group_id: a.group_id,
        auth_type: a.auth,
        ...(a.published.size > 0 && { run_env_id: RELEASE_ENV.id, run_env_name: RELEASE_ENV.name, publish_id: a.published.get(RELEASE_ENV.name) }),
      }));
    return out({ total: apis.length, size: apis.length, apis });
  };

  const listAcls = (input: unknown) => {
    const gateway = gatewayOf(input);
    const { query } = input as HuaweiInput;
    const acls = [...state.acls.values()].filter((a) => a.gateway === gateway && (!query['name'] || a.acl_name === query['name']));
    return out({ total: acls.length, size: acls.length, acls: acls.map(({ gateway: _g, ...a }) => ({ ...a, bind_num: [...state.bindings.values()].filter((b) => b.acl_id === a.id).length })) });
  };

  const aclFields = (gateway: string, body: unknown) => {
    const b = object(body);
    const acl_name = str(b, 'acl_name', /^[A-Za-z][A-Za-z0-9_]{2,63}$/);
    const acl_type = str(b, 'acl_type', /^(PERMIT|DENY)$/) as ApigAcl['acl_type'];
    const entity_type = str(b, 'entity_type', /^(IP|DOMAIN|DOMAIN_ID)$/) as ApigAcl['entity_type'];
    const takesDomainId = gateway !== SHARED_GATEWAY && state.instances.get(gateway)!.domainIdAcl;
    if (entity_type === 'DOMAIN_ID' && !takesDomainId) throw bad('entity_type DOMAIN_ID is not supported by this gateway');
    const acl_value = str(b, 'acl_value');
    const values = acl_value.split(',');
    if (entity_type === 'DOMAIN_ID' && values.some((v) => !/^[0-9a-f]{32}$/i.test(v))) throw bad('acl_value must be account ids');
    if (entity_type === 'DOMAIN' && (acl_value.length > 1024 || values.some((v) => !/^[\x20-\x2b\x2d-\x7e]{1,64}$/.test(v) || /^\d+$/.test(v)))) throw bad('acl_value must be account names');
    return { acl_name, acl_type, acl_value, entity_type };
  };

  const createAcl = (input: unknown, ctx: { now: number }) => {
    const gateway = gatewayOf(input);
    const { gateway: _g, ...view } = state.createAcl(gateway, aclFields(gateway, (input as HuaweiInput).body), ctx.now);
    return out(view, 201);
  };

  const updateAcl = (input: unknown, ctx: { now: number }) => {
    const gateway = gatewayOf(input);
    const acl = state.acls.get((input as HuaweiInput).path['acl_id']!);
    if (!acl || acl.gateway !== gateway) throw new ServiceError(404, 'APIG.3006', 'The ACL policy does not exist.');
    Object.assign(acl, aclFields(gateway, (input as HuaweiInput).body), { update_time: new Date(ctx.now).toISOString() });
    const { gateway: _g, ...view } = acl;
    return out(view);
  };

  const bind = (input: unknown, ctx: { now: number }) => {
    const gateway = gatewayOf(input);
    const b = object((input as HuaweiInput).body);
    const publishIds = b['publish_ids'];
    if (!Array.isArray(publishIds) || publishIds.length === 0 || publishIds.some((p) => typeof p !== 'string')) throw bad('publish_ids');
    const view = state.bind(gateway, str(b, 'acl_id'), publishIds as string[], ctx.now).map(({ publish_id: _p, ...c }) => c);
    return out(gateway === SHARED_GATEWAY ? view : { acl_bindings: view }, 201);
  };

  const boundApis = (input: unknown) => {
    const gateway = gatewayOf(input);
    const aclId = (input as HuaweiInput).query['acl_id'];
    const acl = aclId ? state.acls.get(aclId) : undefined;
    if (!acl || acl.gateway !== gateway) throw new ServiceError(404, 'APIG.3006', 'The ACL policy does not exist.');
    const apis = [...state.bindings.values()]
      .filter((b) => b.acl_id === acl.id)
      .map((b) => ({ api_id: b.api_id, api_name: state.apis.get(b.api_id)?.name, env_id: b.env_id, env_name: RELEASE_ENV.name, bind_id: b.id, bind_time: b.create_time, publish_id: b.publish_id }));
    return out({ total: apis.length, size: apis.length, apis });
  };

  // Each call on both gateways: the shared gateway's operation name is the dedicated gateway's without `V2`.
  const calls = [
    ['GET', '/apis', 'ListApis', listApis],
    ['GET', '/acls', 'ListAclStrategies', listAcls],
    ['POST', '/acls', 'CreateAclStrategy', createAcl],
    ['PUT', '/acls/{acl_id}', 'UpdateAclStrategy', updateAcl],
    ['POST', '/acl-bindings', 'CreateApiAclBinding', bind],
    ['GET', '/acl-bindings/binded-apis', 'ListAclPolicyBindedToApi', boundApis],
  ] as const;
  return {
    name: 'apig',
    routes: calls.flatMap(([method, path, operation]) => [
      { method, path: `${v2}${path}`, operation: `${operation}V2` },
      { method, path: `${v1}${path}`, operation },
    ]),
    operations: Object.fromEntries(calls.flatMap(([, , name, op]) => [[name, op], [`${name}V2`, op]])),
  };
}

function hexId(): string {
  return randomBytes(16).toString('hex');
}

const { object, str } = bodyReaders(bad);

function bad(what: string): ServiceError {
  return new ServiceError(400, 'APIG.2012', `Invalid parameter value: ${what}`);
}

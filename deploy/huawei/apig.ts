/**
 * The APIG calls the deploy makes to close the API to every account but the allowed ones: find,
 * create or update its PERMIT policy (create-or-update, by name), look up the API's publish id in
 * RELEASE, and bind the policy to it unless it is bound already. Dedicated gateways are addressed
 * under `/v2/{project_id}/apigw/instances/{instance_id}`, the shared gateway under `/v1.0/apigw`
 * (APIG API reference: CreateAclStrategyV2, UpdateAclStrategyV2, ListAclStrategiesV2,
 * CreateApiAclBindingV2, ListAclPolicyBindedToApiV2, ListApisV2, and their v1.0 forms).
 *
 * The publish id: FunctionGraph's APIG trigger answers the API it created (`event_data.api_id`,
 * `env_id`); APIG's API list answers that API's `publish_id` per environment (`|`-joined with
 * `run_env_id` when published in several).
 */
import type { AclPolicy, Gateway } from './access-control.js';
import { hcClient, type ClientOptions } from './sdk.js';

/** APIG's id of the RELEASE environment (the environment a FunctionGraph APIG trigger publishes in). */
export const RELEASE_ENV_ID = 'DEFAULT_ENVIRONMENT_RELEASE_ID';

interface AclView extends AclPolicy {
  id: string;
}

export interface ApigApi {
  findPolicy(name: string): Promise<AclView | undefined>;
  createPolicy(policy: AclPolicy): Promise<{ id: string }>;
  updatePolicy(id: string, policy: AclPolicy): Promise<unknown>;
  /** The API's publish record id in the environment, or undefined while it is not published there. */
  publishId(apiId: string, envId: string): Promise<string | undefined>;
  /** Publish ids the policy is bound to. */
  boundPublishIds(aclId: string): Promise<string[]>;
  bind(aclId: string, publishIds: string[]): Promise<unknown>;
}

/** Which create-or-update step was taken on the policy, and on the binding. */
export type AclStep = 'CreateAclStrategy' | 'UpdateAclStrategy' | 'AclStrategyUnchanged' | 'CreateApiAclBinding' | 'AclBindingUnchanged';

/**
 * @example const apig = apigClient({ endpoint: 'https://apig.cn-north-4.myhuaweicloud.com', projectId, keys, gateway: { type: 'dedicated', instanceId } });
 */
export function apigClient(options: ClientOptions & { gateway: Gateway }): ApigApi {
  const hc = hcClient(options);
  const base = options.gateway.type === 'dedicated' ? `/v2/{project_id}/apigw/instances/${encodeURIComponent(options.gateway.instanceId)}` : '/v1.0/apigw';
  const page: Record<string, string> = options.gateway.type === 'dedicated' ? { limit: '500' } : { page_size: '500' };
  const send = (method: string, path: string, query: Record<string, string> = {}, data?: unknown) =>
    hc.sendRequest({ method, url: `${base}${path}`, contentType: 'application/json', queryParams: query, pathParams: {}, headers: {}, ...(data !== undefined && { data }) }) as Promise<Record<string, unknown>>;
  const list = (answer: Record<string, unknown>, field: string) => (Array.isArray(answer[field]) ? (answer[field] as Array<Record<string, unknown>>) : []);

  return {
    async findPolicy(name) {
      const acls = list(await send('GET', '/acls', { name, precise_search: 'name', ...page }), 'acls');
      return acls.find((a) => a['acl_name'] === name) as AclView | undefined;
    },
    async createPolicy(policy) {
      const created = await send('POST', '/acls', {}, policy);
      if (typeof created['id'] !== 'string') throw new Error('CreateAclStrategy answered no policy id');
      return { id: created['id'] };
    },
    updatePolicy: (id, policy) => send('PUT', `/acls/${encodeURIComponent(id)}`, {}, policy),
    async publishId(apiId, envId) {
      const api = list(await send('GET', '/apis', { id: apiId, env_id: envId, ...page }), 'apis').find((a) => a['id'] === apiId);
      const envs = String(api?.['run_env_id'] ?? '').split('|');
      const ids = String(api?.['publish_id'] ?? '').split('|');
      return ids[envs.indexOf(envId)] || undefined;
    },
    async boundPublishIds(aclId) {
      return list(await send('GET', '/acl-bindings/binded-apis', { acl_id: aclId, ...page }), 'apis').map((a) => String(a['publish_id']));
    },
    bind: (aclId, publishIds) => send('POST', '/acl-bindings', {}, { acl_id: aclId, publish_ids: publishIds }),
  };
}

/**
 * Create the policy, or update it in place when its accounts changed (a second run changes nothing else).
 * @example const { aclId, step } = await ensurePolicy(apig, plan.accessControl.policy);
 */
export async function ensurePolicy(apig: ApigApi, policy: AclPolicy): Promise<{ aclId: string; step: AclStep }> {
  const found = await apig.findPolicy(policy.acl_name);
  if (!found) return { aclId: (await apig.createPolicy(policy)).id, step: 'CreateAclStrategy' };
  const same = found.acl_type === policy.acl_type && found.entity_type === policy.entity_type && found.acl_value === policy.acl_value;
  if (!same) await apig.updatePolicy(found.id, policy);
  return { aclId: found.id, step: same ? 'AclStrategyUnchanged' : 'UpdateAclStrategy' };
}

/**
 * Bind the policy to the API as published in `envId`, unless it is bound already.
 * @example await bindPolicy(apig, aclId, trigger.event_data.api_id, RELEASE_ENV_ID)
 */
export async function bindPolicy(apig: ApigApi, aclId: string, apiId: string, envId: string): Promise<AclStep> {
  const publishId = await apig.publishId(apiId, envId);
  if (!publishId) throw new Error(`APIG shows API ${apiId} unpublished in ${envId}: no publish id to bind the access control policy to`);
  if ((await apig.boundPublishIds(aclId)).includes(publishId)) return 'AclBindingUnchanged';
  await apig.bind(aclId, [publishId]);
  return 'CreateApiAclBinding';
}

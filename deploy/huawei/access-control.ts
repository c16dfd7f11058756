/**
 * Who may call the Huawei API, as data: the APIG access control policy the deploy creates (or
 * updates) and binds to the API in the environment it publishes. IAM authentication alone proves
 * who signed, not that they may call: any Huawei Cloud account's AK/SK passes it. A policy of type
 * PERMIT by account closes the API to every other account (and to all their IAM users).
 *
 * Which entity names an account depends on the gateway (APIG API reference, CreateAclStrategyV2
 * and the shared gateway's `POST /v1.0/apigw/acls`): a dedicated gateway created after 2022 takes
 * `DOMAIN_ID` (account ids); the shared gateway and dedicated gateways created before 2023 take
 * only `DOMAIN` (account names: 1-64 ASCII characters but commas, not all digits, 1024 in all).
 * A pure function of the options, so the dry run prints exactly what a real run sends.
 */
import { ConfigError } from '../../core/errors.js';
import { unique } from '../shared/options.js';

export type Gateway = { type: 'shared' } | { type: 'dedicated'; instanceId: string };

export interface AccessControlOptions {
  /** HTTP function name: the policy is `<name>_callers`. */
  name: string;
  /** The deploying account (domain) id: whom the API admits by default. */
  accountId: string;
  /** Account ids the API admits (`--allowed-accounts`); default the deploying account. */
  allowedAccounts?: string[];
  /** Account names the API admits (`--allowed-account-names`): the only kind the shared gateway and older dedicated gateways know. */
  allowedAccountNames?: string[];
  /** A dedicated gateway's instance id (`--apig-instance-id`); absent: the shared gateway. */
  apigInstanceId?: string;
}

/** The APIG policy body: exactly the fields CreateAclStrategy(V2) takes. */
export interface AclPolicy {
  acl_name: string;
  acl_type: 'PERMIT';
  acl_value: string;
  entity_type: 'DOMAIN_ID' | 'DOMAIN';
}

export interface AccessControlPlan {
  gateway: Gateway;
  policy: AclPolicy;
  /** What the policy is bound to: the API of the HTTP trigger, published in RELEASE (its publish id is known once published). */
  binding: { trigger: string; env_name: 'RELEASE'; publish_ids: string[] };
  /** One line for the plan's reader: which entity and why. */
  note: string;
}

export const ACL_ENV = 'RELEASE' as const;
const ACCOUNT_ID = /^[0-9a-f]{32}$/i;

/**
 * @example accessControlPlan({ name: 'regcred', accountId, apigInstanceId }, 'DEDICATEDGATEWAY/regcred_credentials').policy
 * // { acl_name: 'regcred_callers', acl_type: 'PERMIT', acl_value: accountId, entity_type: 'DOMAIN_ID' }
 */
export function accessControlPlan(o: AccessControlOptions, trigger: string): AccessControlPlan {
  const gateway: Gateway = o.apigInstanceId === undefined ? { type: 'shared' } : { type: 'dedicated', instanceId: checkInstanceId(o.apigInstanceId) };
  const acl_name = `${o.name.replace(/[^A-Za-z0-9_]/g, '_')}_callers`;
  const binding: AccessControlPlan['binding'] = { trigger, env_name: ACL_ENV, publish_ids: [`<publish id of ${trigger} in ${ACL_ENV}>`] };
  if (o.allowedAccountNames?.length) {
    if (o.allowedAccounts?.length) throw new ConfigError('--allowed-accounts and --allowed-account-names exclude each other: a policy names accounts by id or by name');
    const names = unique(o.allowedAccountNames.map(checkAccountName));
    if (names.join(',').length > 1024) throw new ConfigError('--allowed-account-names: APIG takes at most 1024 characters of account names in all');
    return {
      gateway,
      policy: { acl_name, acl_type: 'PERMIT', acl_value: names.join(','), entity_type: 'DOMAIN' },
      binding,
      note: `PERMIT by account name (DOMAIN) on the ${gateway.type} gateway: only these accounts' IAM identities may call the API`,
    };
  }
  if (gateway.type === 'shared') {
    throw new ConfigError("--allowed-account-names is required on the shared gateway: its access control names accounts by name only (DOMAIN); or deploy to a dedicated gateway with --apig-instance-id (account ids, DOMAIN_ID)");
  }
  const ids = unique((o.allowedAccounts?.length ? o.allowedAccounts : [o.accountId]).map(checkAccountId));
  return {
    gateway,
    policy: { acl_name, acl_type: 'PERMIT', acl_value: ids.join(','), entity_type: 'DOMAIN_ID' },
    binding: { ...binding, publish_ids: [...binding.publish_ids] },
    note: 'PERMIT by account id (DOMAIN_ID) on a dedicated gateway created after 2022 (older ones take account names: --allowed-account-names)',
  };
}

/**
 * A comma list flag's entries, trimmed; undefined when the flag is absent.
 * @example listFlag('a, b') // ['a', 'b']
 */
export function listFlag(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((v) => v.trim());
}

function checkAccountId(id: string): string {
  if (!ACCOUNT_ID.test(id)) throw new ConfigError(`--allowed-accounts entry '${id}' is not a Huawei Cloud account id (32 hex characters)`);
  return id.toLowerCase();
}

function checkAccountName(name: string): string {
  // APIG: any ASCII character but a comma, 1-64 of them, not only digits.
  if (!/^[\x20-\x2b\x2d-\x7e]{1,64}$/.test(name) || /^\d+$/.test(name)) throw new ConfigError(`--allowed-account-names entry '${name}' is not a Huawei Cloud account name`);
  return name;
}

function checkInstanceId(id: string): string {
  if (!ACCOUNT_ID.test(id)) throw new ConfigError(`--apig-instance-id '${id}' is not an APIG gateway instance id (32 hex characters)`);
  return id;
}

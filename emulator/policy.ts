/**
 * One evaluator for the policy documents of the four clouds, so the test registry's token service
 * (emulator/registry-token.ts) can decide what a login may do from the documents a deploy produced.
 *
 * Shapes: AWS IAM, Alibaba RAM and Huawei IAM (1.1 / 5.0) write `Statement`, `Effect`, `Action`,
 * `Resource`, `Principal`; Tencent CAM writes them in lower case (`statement`, `effect`, …,
 * effect `allow` / `deny`). Every value is a string or an array of strings.
 *
 * Rules, as AWS documents its evaluation logic and RAM and CAM theirs alike:
 * - default deny: only a statement whose action and resource match allows;
 * - an explicit deny wins over any allow;
 * - `*` matches any run of characters (none, `/` and `:` included), `?` exactly one character;
 * - actions match case-insensitively, resources case-sensitively.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html (wildcards in ARNs)
 * https://www.alibabacloud.com/help/en/ram/user-guide/policy-elements
 * https://www.tencentcloud.com/document/product/598/33415 (CAM syntax logic: deny first, then allow, else deny)
 *
 * Elements this evaluator cannot decide (Condition, NotAction, NotResource, NotPrincipal, anything
 * unknown) throw instead of being skipped: an oracle that ignored a condition would grant too much.
 */

export type Effect = 'allow' | 'deny';

/** One statement, normalised. */
export interface Statement {
  effect: Effect;
  actions: string[];
  resources: string[];
  /** Only in resource policies (who the statement is about). */
  principals?: string[];
}

/** What is asked: one IAM action on one resource, for a principal known by these names (resource policies only). */
export interface PolicyRequest {
  action: string;
  resource: string;
  principal?: readonly string[];
}

/** `allow`, `deny` (an explicit deny matched) or `none` (nothing matched: denied by default). */
export type Verdict = 'allow' | 'deny' | 'none';

const DOCUMENT_KEYS = ['version', 'statement', 'id'];
const STATEMENT_KEYS = ['sid', 'effect', 'action', 'resource', 'principal'];
/** Huawei IAM documents a statement without Resource as one on every resource. */
const RESOURCE_OPTIONAL_VERSIONS = ['1.1', '5.0'];

/**
 * The statements of a policy document in any of the four shapes.
 * @example statementsOf({ version: '2.0', statement: [{ effect: 'allow', action: 'tcr:PullRepository', resource: '*' }] })
 */
export function statementsOf(document: unknown, options: { resourcePolicy?: boolean } = {}): Statement[] {
  const doc = lowerKeys(document, 'a policy document');
  unknownKey(doc, DOCUMENT_KEYS, 'policy document');
  const raw = doc['statement'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? undefined : [raw];
  if (!list) throw new PolicyError('policy document has no Statement');
  const version = typeof doc['version'] === 'string' ? doc['version'] : '';
  return list.map((s, i) => statement(s, `Statement[${i}]`, version, options.resourcePolicy ?? false));
}

/**
 * The verdict of a set of documents on one request: any matching deny wins, else any matching allow.
 * @example evaluate([policy], { action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:us-east-1:123456789012:repository/team/app' }) // 'allow'
 */
export function evaluate(documents: readonly unknown[], request: PolicyRequest): Verdict {
  const resourcePolicy = request.principal !== undefined;
  let verdict: Verdict = 'none';
  for (const document of documents) {
    for (const s of statementsOf(document, { resourcePolicy })) {
      if (!applies(s, request)) continue;
      if (s.effect === 'deny') return 'deny';
      verdict = 'allow';
    }
  }
  return verdict;
}

/**
 * An IAM-style wildcard match of the whole value: `*` any run of characters, `?` one.
 * @example matchesPattern('repository/base/*', 'repository/base/img') // true
 */
export function matchesPattern(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

function applies(s: Statement, request: PolicyRequest): boolean {
  if (!s.actions.some((a) => matchesPattern(a, request.action, true))) return false;
  if (!s.resources.some((r) => matchesPattern(r, request.resource))) return false;
  if (request.principal === undefined) return true;
  return (s.principals ?? []).some((p) => request.principal!.some((name) => matchesPattern(p, name)));
}

function statement(raw: unknown, where: string, version: string, resourcePolicy: boolean): Statement {
  const s = lowerKeys(raw, where);
  unknownKey(s, STATEMENT_KEYS, where);
  const effect = typeof s['effect'] === 'string' ? s['effect'].toLowerCase() : '';
  if (effect !== 'allow' && effect !== 'deny') throw new PolicyError(`${where}.Effect must be Allow or Deny`);
  const actions = strings(s['action'], `${where}.Action`);
  if (!actions) throw new PolicyError(`${where} has no Action`);
  // A resource policy is attached to the resource: a statement without Resource is about that one.
  const resources = strings(s['resource'], `${where}.Resource`) ?? (resourcePolicy || RESOURCE_OPTIONAL_VERSIONS.includes(version) ? ['*'] : undefined);
  if (!resources) throw new PolicyError(`${where} has no Resource`);
  if (!resourcePolicy) {
    if (s['principal'] !== undefined) throw new PolicyError(`${where} has a Principal, which an identity policy cannot have`);
    return { effect, actions, resources };
  }
  return { effect, actions, resources, principals: principals(s['principal'], `${where}.Principal`) };
}

/** `"*"`, `{"AWS": "*" | "<arn>" | [...]}`, `{"qcs": [...]}`: every name the statement is about. */
function principals(raw: unknown, where: string): string[] {
  if (raw === '*') return ['*'];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyError(`${where} must be "*" or an object of principal lists`);
  return Object.entries(raw).flatMap(([kind, value]) => strings(value, `${where}.${kind}`) ?? []);
}

function strings(raw: unknown, where: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.length || !list.every((v) => typeof v === 'string' && v.length > 0)) throw new PolicyError(`${where} must be a string or a non-empty array of strings`);
  return list as string[];
}

function lowerKeys(raw: unknown, what: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyError(`${what} must be an object`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) out[key.toLowerCase()] = value;
  return out;
}

function unknownKey(obj: Record<string, unknown>, known: string[], where: string): void {
  const extra = Object.keys(obj).find((k) => !known.includes(k));
  if (extra) throw new PolicyError(`${where} has '${extra}', which this evaluator cannot decide`);
}

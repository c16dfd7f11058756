/**
 * What CloudFormation makes of a packaged template's values once a stack exists: the intrinsic
 * functions the role policies use (`Fn::Sub` with `${AWS::Partition}`, `${AWS::Region}`,
 * `${AWS::AccountId}`, `Ref`, `Fn::GetAtt`, `Fn::Join`) resolved for one account, region and set
 * of resource ids, so the test registry's token service can evaluate the policy the deploy wrote.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 *
 * A name it was not told (a Ref or GetAtt of a resource the caller did not give) becomes a
 * placeholder that matches no real ARN, so an unresolved value can only grant less, never more;
 * an intrinsic function it does not know throws.
 */

export interface StackContext {
  partition?: string;
  region: string;
  accountId: string;
  /** `Ref` values of resources, by logical id (e.g. a secret's ARN). */
  refs?: Record<string, string>;
  /** `Fn::GetAtt` values, as `<LogicalId>.<Attribute>` (e.g. `HttpRole.Arn`). */
  attributes?: Record<string, string>;
}

/**
 * @example resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*' }, { region: 'us-east-1', accountId: '123456789012' })
 * // 'arn:aws:ecr:us-east-1:123456789012:repository/*'
 */
export function resolveIntrinsics(value: unknown, stack: StackContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, stack));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) return intrinsic(key, arg, stack);
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, stack)]));
}

function intrinsic(name: string, arg: unknown, stack: StackContext): string {
  switch (name) {
    case 'Ref':
      return ref(String(arg), stack);
    case 'Fn::GetAtt': {
      const [resource, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return attributeOf(`${resource}.${attribute}`, stack);
    }
    case 'Fn::Join': {
      const [delimiter, list] = arg as [string, unknown[]];
      return list.map((v) => String(resolveIntrinsics(v, stack))).join(delimiter);
    }
    case 'Fn::Sub': {
      const [template, vars = {}] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg)];
      return template.replace(/\$\{(!?)([^}]+)\}/g, (_all, literal: string, inner: string) => {
        if (literal) return `\${${inner}}`;
        if (Object.hasOwn(vars, inner)) return String(resolveIntrinsics(vars[inner], stack));
        return inner.includes('.') && !inner.startsWith('AWS::') ? attributeOf(inner, stack) : ref(inner, stack);
      });
    }
    default:
      throw new Error(`resolveIntrinsics: ${name} is not an intrinsic function this resolver knows`);
  }
}

function ref(name: string, stack: StackContext): string {
  const pseudo: Record<string, string> = { 'AWS::Partition': stack.partition ?? 'aws', 'AWS::Region': stack.region, 'AWS::AccountId': stack.accountId, 'AWS::URLSuffix': 'amazonaws.com' };
  return pseudo[name] ?? stack.refs?.[name] ?? `{{unresolved Ref ${name}}}`;
}

function attributeOf(name: string, stack: StackContext): string {
  return stack.attributes?.[name] ?? `{{unresolved GetAtt ${name}}}`;
}

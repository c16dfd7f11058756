/**
 * How the client signs a request for each cloud's trigger: one file per cloud, one entry each in
 * CLOUDS. Adding a cloud is one file and one entry here.
 *
 * Each cloud's module, and so its SDK, is imported only when that cloud signs a request: a cache
 * hit in the credential helper loads none of them.
 */
import { UsageError } from '../errors.js';

/** Keys given explicitly (tests, the benchmark); otherwise each cloud's own default chain is used. */
export interface CallerKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignOptions {
  /** Signing region where the cloud's signature has one (AWS); default: from the URL's host. */
  region?: string;
  credentials?: CallerKeys;
}

/** One cloud's request signer: the headers a GET of `url` must carry for that cloud's trigger. */
export interface Signer {
  sign(url: URL, options: SignOptions): Promise<Record<string, string>>;
}

interface CloudEntry {
  /** A host that certainly belongs to this cloud's trigger. */
  host: RegExp;
  /** The permission a caller needs to invoke the function, for the message when the trigger refuses. */
  invokePermission: string;
  load(): Promise<Signer>;
}

export const CLOUDS = {
  aws: {
    host: /\.lambda-url\.[a-z0-9-]+\.on\.aws$/,
    invokePermission: 'lambda:InvokeFunctionUrl',
    load: async () => (await import('./aws.js')).awsSigner,
  },
  alibaba: {
    host: /\.fcapp\.run$/,
    invokePermission: 'fc:InvokeFunction',
    load: async () => (await import('./alibaba.js')).alibabaSigner,
  },
  tencent: {
    // An SCF function URL: <appid>-<url-id>.<region>.tencentscf.com.
    host: /\.tencentscf\.com$/,
    invokePermission: 'scf:InvokeFunctionUrl',
    load: async () => (await import('./tencent.js')).tencentSigner,
  },
  huawei: {
    // An API group's default subdomain: <group-id>.apig.<region>.huaweicloudapis.com.
    host: /\.apig\.[a-z0-9-]+\.huaweicloudapis\.com$/,
    // APIG's IAM authentication admits any valid IAM key; its access control policy restricts by account.
    invokePermission: "a valid IAM key of an account the API's access control policy allows",
    load: async () => (await import('./huawei.js')).huaweiSigner,
  },
} satisfies Record<string, CloudEntry>;

export type CloudId = keyof typeof CLOUDS;

export function isCloud(name: string): name is CloudId {
  return Object.hasOwn(CLOUDS, name);
}

/**
 * The cloud whose signature the function at `url` checks: the one its host names, else the one
 * named by --cloud / REGCRED_CLOUD, else AWS (a custom domain or the local server of `npm start`).
 * A host that names a cloud wins over a different name given: signing for another cloud can only fail.
 * @example cloudOf(new URL('https://abc.cn-hangzhou.fcapp.run'), undefined) // 'alibaba'
 */
export function cloudOf(url: URL, named: string | undefined): CloudId {
  const byHost = (Object.keys(CLOUDS) as CloudId[]).find((id) => CLOUDS[id].host.test(url.hostname.toLowerCase()));
  if (byHost) return byHost;
  if (named === undefined || named === '') return 'aws';
  if (!isCloud(named)) throw new UsageError(`unknown cloud '${named}': one of ${Object.keys(CLOUDS).join(', ')}`);
  return named;
}

/** The signer of `cloud`, loading its SDK now. */
export function signerOf(cloud: CloudId): Promise<Signer> {
  return CLOUDS[cloud].load();
}

/**
 * Alibaba's ACS3 signer for any request, not only the trigger's GET: FC's InvokeFunction
 * (cli/invoke.ts) signs a POST with a body. Loaded like the signers, as its own file in the bundle.
 */
export async function alibabaAcs3(): Promise<typeof import('./alibaba.js').acs3Headers> {
  return (await import('./alibaba.js')).acs3Headers;
}

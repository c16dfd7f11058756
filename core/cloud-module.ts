/**
 * What one cloud tells the cloud-neutral core about itself, once, in `core/<cloud>/cloud.ts`:
 * which providers and secret stores it brings, the endpoint variables it reads, and whether its
 * platform verifies callers. No SDK and no adapter code here, so the table of clouds costs every
 * bundle a few hundred bytes; each cloud's composition root (handlers/<cloud>/runtime.ts) imports
 * its own adapters.
 */
export interface ProviderSpec {
  /** The `<provider>` of REGCRED_REGISTRIES entries, e.g. `acr-ee`. */
  id: string;
  /**
   * The instance id an entry names (`acr-ee:<region>:<cri-…>`), if the provider takes one; with
   * `optional`, an entry may leave it out (`ecr:<region>` is the role's own account,
   * `ecr:<region>:<account-id>` another account's registry).
   */
  instanceId?: { pattern: RegExp; example: string; optional?: boolean };
  /** The only regions the service issues tokens in, if it is not regional (ECR Public: us-east-1). */
  regions?: readonly string[];
}

export interface CloudModule {
  /** `aws`, `alibaba`, `tencent`, `huawei`: the folder name under core/, handlers/, emulator/, deploy/. */
  id: string;
  providers: readonly ProviderSpec[];
  /** Secret-store ids refresh targets may name (`secrets-manager`, `kms`, …). */
  stores: readonly string[];
  /** Endpoint override variables the cloud's adapters take from Config.endpoints (the emulator and tests set them). */
  endpointVariables: readonly string[];
  /**
   * Set where the platform hands the function no caller identity it verified: REGCRED_ALLOWED_CALLERS
   * is then refused at cold start with this reason, and the audit line marks the caller unverified.
   */
  unverifiedCaller?: { platform: string; why: string; gate: string };
  /**
   * The environment variables the platform puts the function role's secret key and session token
   * in (what the cloud's SDK reads): registered with the log redactor at cold start, so no line can
   * carry them. Keys a platform hands per invocation are registered by its composition root.
   */
  secretVariables?: readonly string[];
  /** The npm packages of this cloud's SDKs (what `npm run spread` looks for outside the cloud's folders). */
  sdkPackages: readonly string[];
}

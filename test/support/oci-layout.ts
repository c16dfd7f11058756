/**
 * A tiny hand-made OCI image (one layer with one file) and skopeo helpers that push and pull it
 * with a dockerconfigjson auth file, verifying TLS against the test CA.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dockerConfig } from '../../core/formats.js';
import type { RegistryCredential } from '../../core/provider.js';
import { PROJECT_DIR, registryTools, run } from './registry.js';

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface OciImage {
  /** The layout folder (oci-layout, index.json, blobs/sha256/...). */
  dir: string;
  tag: string;
  /** `oci:<dir>:<tag>`, a skopeo image reference. */
  ref: string;
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
}

/**
 * Write an OCI image layout holding one image: `files` in a single gzip layer, a config whose
 * diff_id is the uncompressed layer's digest, a manifest, and index.json naming it `tag`.
 * @example const image = await writeOciLayout(dir, { tag: 'v1' }); // image.ref === `oci:${dir}:v1`
 */
export async function writeOciLayout(
  dir: string,
  options: { tag?: string; files?: Record<string, string> } = {},
): Promise<OciImage> {
  const tag = options.tag ?? 'v1';
  const files = options.files ?? { 'hello.txt': 'hello from regcred\n' };
  await mkdir(join(dir, 'blobs/sha256'), { recursive: true });

  const layerTar = tar(files);
  const layer = await writeBlob(dir, gzipSync(layerTar));
  const config = await writeBlob(
    dir,
    json({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [digest(layerTar)] },
    }),
  );
  const manifest = await writeBlob(
    dir,
    json({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, ...config },
      layers: [{ mediaType: MEDIA.layer, ...layer }],
    }),
  );
  await writeFile(join(dir, 'oci-layout'), json({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    json({
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [{ mediaType: MEDIA.manifest, ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return {
    dir,
    tag,
    ref: `oci:${dir}:${tag}`,
    manifestDigest: manifest.digest,
    configDigest: config.digest,
    layerDigest: layer.digest,
  };
}

/** The digest of the manifest that index.json names `tag` (e.g. after skopeo pulled into a layout). */
export async function manifestDigestOf(dir: string, tag: string): Promise<string | undefined> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  return index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)?.digest;
}

/**
 * Write a dockerconfigjson auth file (`{"auths":{"<host>":{"username","password","auth"}}}`), made
 * by regcred's own formatter, so skopeo proves the format is what registry clients read.
 */
export async function writeAuthFile(
  dir: string,
  logins: Pick<RegistryCredential, 'registry' | 'username' | 'password'>[],
): Promise<string> {
  const credentials: RegistryCredential[] = logins.map((l) => ({
    ...l,
    expiresAt: new Date(Date.now() + 3_600_000),
    provider: 'ecr',
    region: 'us-east-1',
  }));
  const file = join(dir, 'auth.json');
  await writeFile(file, JSON.stringify(dockerConfig(credentials)), { mode: 0o600 });
  return file;
}

export interface SkopeoAuth {
  /** dockerconfigjson file for the docker:// side(s). */
  authfile: string;
  /** Folder with only ca.crt: TLS is verified against it, never disabled. */
  certDir: string;
}

export class SkopeoError extends Error {
  constructor(
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`skopeo exited ${exitCode}: ${stderr.trim()}`);
  }
}

/**
 * `skopeo copy src dest`, with the auth file and CA applied to whichever side is `docker://`.
 * @example await skopeoCopy(image.ref, `docker://${registry.host}/demo:v1`, { authfile, certDir });
 */
export async function skopeoCopy(src: string, dest: string, auth: SkopeoAuth): Promise<void> {
  const args = ['copy', '--retry-times', '0'];
  if (src.startsWith('docker://')) args.push('--src-authfile', auth.authfile, '--src-cert-dir', auth.certDir, '--src-tls-verify=true');
  if (dest.startsWith('docker://')) args.push('--dest-authfile', auth.authfile, '--dest-cert-dir', auth.certDir, '--dest-tls-verify=true');
  await skopeo([...args, src, dest]);
}

/** `skopeo inspect --raw` of a `docker://` reference: the manifest as the registry serves it. */
export async function skopeoInspect(ref: string, auth: SkopeoAuth): Promise<{ raw: string; digest: string }> {
  const raw = await skopeo(['inspect', '--raw', '--authfile', auth.authfile, '--cert-dir', auth.certDir, '--tls-verify=true', ref]);
  return { raw, digest: digest(Buffer.from(raw)) };
}

let skopeoHome: Promise<string> | undefined;

/**
 * Run skopeo with a trust policy and registries config of our own (in .cache/registry/skopeo), so
 * whatever the machine has in /etc/containers or ~/.config/containers cannot change the result.
 */
async function skopeo(args: string[]): Promise<string> {
  const { env } = await registryTools();
  skopeoHome ??= (async () => {
    const home = join(PROJECT_DIR, '.cache/registry/skopeo');
    await mkdir(join(home, 'registries.d'), { recursive: true });
    await writeAtomically(join(home, 'policy.json'), json({ default: [{ type: 'insecureAcceptAnything' }] }));
    await writeAtomically(join(home, 'registries.conf'), Buffer.alloc(0));
    return home;
  })();
  const home = await skopeoHome;
  const result = await run(
    'skopeo',
    ['--policy', join(home, 'policy.json'), '--registries.d', join(home, 'registries.d'), ...args],
    { env: { ...env, HOME: home, CONTAINERS_REGISTRIES_CONF: join(home, 'registries.conf'), XDG_RUNTIME_DIR: home } },
  );
  if (result.code !== 0) throw new SkopeoError(result.code, result.stderr);
  return result.stdout;
}

/** Parallel test workers share these files: a rename never shows a half-written one. */
async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, data);
  await rename(partial, file);
}

async function writeBlob(dir: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const d = digest(data);
  await writeFile(join(dir, 'blobs/sha256', d.slice('sha256:'.length)), data);
  return { digest: d, size: data.length };
}

function digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A ustar archive of regular files (mode 0644, owner 0, mtime 0), so the layer digest is stable. */
function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148); // checksum is computed with its own field as spaces
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    const sum = header.reduce((a, b) => a + b, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

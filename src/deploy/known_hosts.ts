/**
 * OpenSSH `known_hosts` checking for the SSH deployer: plain and hashed
 * (`|1|salt|hash`) host patterns, `[host]:port` names for ports other than 22,
 * wildcards and negations, `@revoked` keys. Mirrors what `ssh` decides with
 * `StrictHostKeyChecking yes` (or `accept-new` when new keys are accepted).
 * @module
 */
import { createHash, createHmac } from "node:crypto";
import { Buffer } from "node:buffer";

const encodeBase64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
const decodeBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number;
  marker?: "@revoked" | "@cert-authority";
  /** Comma-separated patterns, or one `|1|salt|hash`. */
  patterns: string;
  keyType: string;
  /** Base64 of the public key blob. */
  key: string;
}

/** What known_hosts says about the key a host presented. */
export type HostKeyVerdict =
  | { status: "known" }
  /** No key of this type is recorded; `otherTypes` are the types that are. */
  | { status: "unknown"; otherTypes: string[] }
  /** A different key of the same type is recorded on `line`. */
  | { status: "mismatch"; line: number; knownFingerprint: string }
  | { status: "revoked"; line: number };

/** The name a host is recorded under: `host` on port 22, else `[host]:port`. */
export function knownHostName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** Parses known_hosts text; malformed lines are skipped as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split("\n").forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === "" || fields[0].startsWith("#")) return;
    let marker: KnownHostEntry["marker"];
    if (fields[0] === "@revoked" || fields[0] === "@cert-authority") {
      marker = fields.shift() as KnownHostEntry["marker"];
    }
    if (fields.length < 3) return;
    entries.push({ line: i + 1, marker, patterns: fields[0], keyType: fields[1], key: fields[2] });
  });
  return entries;
}

/** Whether `entry` names the host recorded as `name` (see {@link knownHostName}). */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.patterns.startsWith("|1|")) return hashedMatches(entry.patterns, name);
  let matched = false;
  for (const pattern of entry.patterns.split(",")) {
    const negated = pattern.startsWith("!");
    if (!wildcard(negated ? pattern.slice(1) : pattern).test(name)) continue;
    if (negated) return false; // a negated match excludes the line whatever else matches
    matched = true;
  }
  return matched;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split("|");
  if (salt === undefined || hash === undefined) return false;
  try {
    const mac = createHmac("sha1", decodeBase64(salt)).update(name).digest();
    return mac.toString("base64") === hash;
  } catch {
    return false;
  }
}

function wildcard(pattern: string): RegExp {
  const body = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** The key type inside an SSH public key blob (its first string). */
export function blobKeyType(blob: Uint8Array): string {
  if (blob.length < 4) throw new TypeError("Invalid SSH public key: shorter than 4 bytes");
  const n = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
  if (4 + n > blob.length) throw new TypeError("Invalid SSH public key: truncated key type");
  return new TextDecoder().decode(blob.subarray(4, 4 + n));
}

/** `SHA256:…` as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Judges the key `blob` presented by `host:port` against known_hosts `text`. */
export function checkHostKey(
  text: string,
  host: string,
  port: number,
  blob: Uint8Array,
): HostKeyVerdict {
  const name = knownHostName(host, port);
  const type = blobKeyType(blob);
  const key = encodeBase64(blob);
  const entries = parseKnownHosts(text).filter((e) =>
    e.marker !== "@cert-authority" && entryMatches(e, name)
  );
  const revoked = entries.find((e) => e.marker === "@revoked" && e.key === key);
  if (revoked) return { status: "revoked", line: revoked.line };
  const plain = entries.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.keyType === type && e.key === key)) return { status: "known" };
  const other = plain.find((e) => e.keyType === type);
  if (other) {
    let knownFingerprint = "(unreadable key)";
    try {
      knownFingerprint = fingerprint(decodeBase64(other.key));
    } catch {
      // keep the placeholder: the line is still a mismatch
    }
    return { status: "mismatch", line: other.line, knownFingerprint };
  }
  return { status: "unknown", otherTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types recorded for `host:port`, so the client can ask the server for one of them first. */
export function knownKeyTypes(text: string, host: string, port: number): string[] {
  const name = knownHostName(host, port);
  return [
    ...new Set(
      parseKnownHosts(text).filter((e) => e.marker === undefined && entryMatches(e, name))
        .map((e) => e.keyType),
    ),
  ];
}

/** The line recording `blob` for `host:port` (unhashed). */
export function knownHostsLine(host: string, port: number, blob: Uint8Array): string {
  return `${knownHostName(host, port)} ${blobKeyType(blob)} ${encodeBase64(blob)}`;
}

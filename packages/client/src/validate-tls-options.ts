import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { VmdTlsOptions } from './client-options.js';
import { VmdClientError } from './errors.js';

/** PEM material after {@link validateTlsOptions}, as grpc-js takes it. */
export interface CheckedTlsMaterial {
  ca: Buffer | null;
  cert: Buffer | null;
  key: Buffer | null;
}

type PemOption = 'ca' | 'cert' | 'key';

/** What each option should hold, and where vmctl reads it from: for messages. */
const EXPECTED: Record<PemOption, { what: string; env: string }> = {
  ca: { what: "the PEM certificate of the CA that signed the daemon's certificate", env: 'VMD_TLS_CA' },
  cert: { what: 'the PEM certificate (chain) of this client', env: 'VMD_TLS_CERT' },
  key: { what: "the PEM private key of this client's certificate (tls.cert)", env: 'VMD_TLS_KEY' },
};

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Checks the PEM contents of `tls.ca`, `tls.cert` and `tls.key` when the client is constructed,
 * so that a wrong value fails there, naming the option, rather than as a handshake failure on
 * the first call (a CA that is not a certificate is otherwise accepted, and every call then
 * fails with UNAVAILABLE). Every certificate must parse as X.509, the key must parse as an
 * unencrypted private key, and it must be the key of the (first) certificate of `tls.cert`.
 *
 * @throws VmdClientError `INVALID_ARGUMENT`, `field` naming the option (`tls.ca`, `tls.cert`,
 *   `tls.key`, or `tls` when only one of `cert` and `key` is given), with what to pass instead.
 */
export function validateTlsOptions(tls: VmdTlsOptions): CheckedTlsMaterial {
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw VmdClientError.invalidArgument(
      'tls',
      'TLS client authentication needs both a certificate and its key',
    );
  }
  const ca = pemText('ca', tls.ca);
  const cert = pemText('cert', tls.cert);
  const keyText = pemText('key', tls.key);
  if (ca !== undefined) certificates('ca', ca);
  let key: KeyObject | undefined;
  if (keyText !== undefined) key = privateKey(keyText);
  if (cert !== undefined && key !== undefined) {
    const [leaf] = certificates('cert', cert);
    if (leaf !== undefined && !leaf.checkPrivateKey(key)) {
      throw invalid(
        'key',
        `tls.key is not the private key of tls.cert (subject '${leaf.subject.replaceAll('\n', ', ')}'): pass the key the certificate was issued for`,
      );
    }
  }
  return { ca: toBuffer(tls.ca), cert: toBuffer(tls.cert), key: toBuffer(tls.key) };
}

function toBuffer(value: string | Buffer | undefined): Buffer | null {
  if (value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/** The option as text, or undefined when not given. */
function pemText(option: PemOption, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  throw invalid(option, `tls.${option} must be a string or a Buffer holding ${EXPECTED[option].what}`);
}

/**
 * Parses every CERTIFICATE block of `text`; there must be one, or (for OpenSSL's own format,
 * taken as it is) a TRUSTED CERTIFICATE block.
 */
function certificates(option: 'ca' | 'cert', text: string): X509Certificate[] {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const certs = blocks.filter((b) => b[1] === 'CERTIFICATE');
  if (certs.length === 0 && !blocks.some((b) => b[1] === 'TRUSTED CERTIFICATE')) {
    throw notPem(option, text, blocks[0]?.[1]);
  }
  return certs.map((block, i) => {
    try {
      return new X509Certificate(block[0]);
    } catch (err) {
      const which = certs.length === 1 ? 'its certificate' : `certificate ${i + 1} of ${certs.length}`;
      throw invalid(
        option,
        `tls.${option}: ${which} cannot be parsed (${reason(err)}); pass ${EXPECTED[option].what}, unmodified`,
        err,
      );
    }
  });
}

function privateKey(text: string): KeyObject {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const label = blocks.find((b) => b[1]?.endsWith('PRIVATE KEY'))?.[1];
  if (label === undefined) throw notPem('key', text, blocks[0]?.[1]);
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw invalid(
      'key',
      'tls.key is encrypted, and the client cannot take a passphrase: pass it decrypted (openssl pkey -in key.pem -out key-plain.pem) and protect the file instead',
    );
  }
  try {
    return createPrivateKey(text);
  } catch (err) {
    throw invalid(
      'key',
      `tls.key cannot be parsed (${reason(err)}); pass ${EXPECTED.key.what}, unmodified`,
      err,
    );
  }
}

/** No usable PEM block: say what was found instead (a path, another PEM object, DER, nothing). */
function notPem(option: PemOption, text: string, foundLabel: string | undefined): VmdClientError {
  const { what, env } = EXPECTED[option];
  const header = option === 'key' ? '-----BEGIN PRIVATE KEY-----' : '-----BEGIN CERTIFICATE-----';
  const trimmed = text.trim();
  let found: string;
  if (foundLabel !== undefined) found = `it holds a PEM '${foundLabel}'`;
  else if (trimmed === '') found = 'it is empty';
  else if (
    /^[^\n]{1,4096}\.(pem|crt|cer|key)$/i.test(trimmed) ||
    /^(\/|\.{1,2}\/|~\/|[a-z]:\\)/i.test(trimmed)
  )
    found = `it looks like a file path ('${trimmed.slice(0, 200)}'): pass the file's contents (vmctl reads the file named by ${env})`;
  else if (text.charCodeAt(0) === 0x30)
    found = `it looks like DER: convert it to PEM (openssl ${option === 'key' ? 'pkey' : 'x509'} -inform der -in FILE -out FILE.pem)`;
  else found = `it is not PEM (text starting ${header})`;
  return invalid(option, `tls.${option} is not ${what}: ${found}`);
}

function invalid(option: PemOption, message: string, cause?: unknown): VmdClientError {
  return new VmdClientError({
    code: 'INVALID_ARGUMENT',
    grpcCode: GrpcStatus.INVALID_ARGUMENT,
    field: `tls.${option}`,
    message,
    cause,
  });
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A self-signed TLS certificate made in the test with WebCrypto (no
 * `openssl`, no fixture): an ECDSA P-256 key and an X.509 v3 certificate for
 * `localhost` and `127.0.0.1`, DER-encoded by hand and returned as PEM.
 *
 * The certificate has no `basicConstraints`: rustls (under Deno's TLS)
 * refuses a CA certificate used as the server's own (`CaUsedAsEndEntity`),
 * and accepts this one both as the trust anchor (`caCerts`) and as the
 * end-entity certificate.
 *
 * @module
 */

/** A PEM certificate and its PEM (PKCS #8) private key. */
export interface SelfSigned {
  cert: string;
  key: string;
}

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** A DER TLV. */
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const size = parts.reduce((sum, part) => sum + part.length, 0);
  const head = [tag, ...length(size)];
  const out = new Uint8Array(head.length + size);
  out.set(head);
  let at = head.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
const set = (...parts: Uint8Array[]) => tlv(0x31, ...parts);
const text = (s: string) => new TextEncoder().encode(s);

/** A DER INTEGER from big-endian unsigned bytes. */
function integer(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = bytes.subarray(i);
  return body[0] & 0x80
    ? tlv(0x02, new Uint8Array([0]), body)
    : tlv(0x02, body);
}

function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const group = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) group.unshift(0x80 | (v & 0x7f));
    bytes.push(...group);
  }
  return tlv(0x06, new Uint8Array(bytes));
}

function utcTime(date: Date): Uint8Array {
  const two = (n: number) => String(n).padStart(2, "0");
  return tlv(
    0x17,
    text(
      two(date.getUTCFullYear() % 100) + two(date.getUTCMonth() + 1) +
        two(date.getUTCDate()) + two(date.getUTCHours()) +
        two(date.getUTCMinutes()) + two(date.getUTCSeconds()) + "Z",
    ),
  );
}

function pem(label: string, der: Uint8Array): string {
  const b64 = btoa(String.fromCharCode(...der));
  const lines = b64.match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN ${label}-----\n${lines}\n-----END ${label}-----\n`;
}

/**
 * Make a fresh self-signed certificate for `localhost` and `127.0.0.1`,
 * valid from an hour ago for a day.
 */
export async function selfSigned(): Promise<SelfSigned> {
  const keys = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  const spki = new Uint8Array(
    await crypto.subtle.exportKey("spki", keys.publicKey),
  );
  const pkcs8 = new Uint8Array(
    await crypto.subtle.exportKey("pkcs8", keys.privateKey),
  );
  const ecdsaWithSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(set(seq(oid("2.5.4.3"), tlv(0x0c, text("localhost")))));
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  const now = Date.now();
  const subjectAltName = seq(
    oid("2.5.29.17"),
    tlv(
      0x04,
      seq(
        tlv(0x82, text("localhost")),
        tlv(0x87, new Uint8Array([127, 0, 0, 1])),
      ),
    ),
  );
  const tbs = seq(
    tlv(0xa0, integer(new Uint8Array([2]))), // v3
    integer(serial),
    ecdsaWithSha256,
    name,
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 86400_000))),
    name,
    spki,
    tlv(0xa3, seq(subjectAltName)),
  );
  const raw = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      keys.privateKey,
      tbs,
    ),
  );
  // WebCrypto signs as r || s; X.509 wants SEQUENCE { INTEGER r, INTEGER s }.
  const signature = seq(
    integer(raw.subarray(0, 32)),
    integer(raw.subarray(32)),
  );
  const cert = seq(
    tbs,
    ecdsaWithSha256,
    tlv(0x03, new Uint8Array([0]), signature),
  );
  return { cert: pem("CERTIFICATE", cert), key: pem("PRIVATE KEY", pkcs8) };
}

/**
 * A fresh self-signed certificate as the options of a TLS server
 * (`SERVER_SSL`) and of a client that trusts it (`CLIENT_SSL`).
 */
export async function tlsOptions(): Promise<
  SelfSigned & {
    SERVER_SSL: { cert: string; key: string };
    CLIENT_SSL: { caCerts: string[] };
  }
> {
  const { cert, key } = await selfSigned();
  return {
    cert,
    key,
    SERVER_SSL: { cert, key },
    CLIENT_SSL: { caCerts: [cert] },
  };
}

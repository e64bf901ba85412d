import type { JWK } from 'jose'
import { encode } from '../internal/base64url.js'
import {
  bitString,
  children,
  type DerElement,
  DerError,
  expectTag,
  oidHex,
  readElement,
  unsignedInteger,
} from './der.js'

// Object identifiers (content bytes, hex) of the public keys Portcullis verifies with.
const RSA = '2a864886f70d010101' // rsaEncryption, RFC 8017 A.1
const RSA_PSS = '2a864886f70d01010a' // id-RSASSA-PSS, RFC 4055 3.1
const EC = '2a8648ce3d0201' // id-ecPublicKey, RFC 5480 2.1.1
const ED25519 = '2b6570' // id-Ed25519, RFC 8410 3
const CURVES: Record<string, { crv: string; size: number }> = {
  '2a8648ce3d030107': { crv: 'P-256', size: 32 },
  '2b81040022': { crv: 'P-384', size: 48 },
  '2b81040023': { crv: 'P-521', size: 66 },
}

/** Why a PEM text was refused; the message never quotes the text. */
export class PemError extends Error {
  override name = 'PemError'
}

const ARMOR = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n\t ]+)-----END \1-----\s*$/

/** The label and DER bytes of one PEM block (RFC 7468). */
export function readPem(text: string): { label: string; der: Uint8Array } {
  const match = ARMOR.exec(text.trim())
  if (!match) throw new PemError('it is not a PEM block')
  let binary: string
  try {
    binary = atob(match[2]!.replace(/\s+/g, ''))
  } catch {
    throw new PemError('its PEM body is not base64')
  }
  const der = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) der[index] = binary.charCodeAt(index)
  return { label: match[1]!, der }
}

function rsaJwk(der: Uint8Array, offset: number, limit: number): JWK {
  const sequence = readElement(der, offset, limit)
  const [n, e] = children(der, sequence)
  return { kty: 'RSA', n: encode(unsignedInteger(der, n)), e: encode(unsignedInteger(der, e)) }
}

/** A SubjectPublicKeyInfo (RFC 5280 4.1.2.7) as a public JWK. */
function spkiJwk(der: Uint8Array, spki: DerElement): JWK {
  const [algorithm, key] = children(der, spki)
  if (algorithm?.tag !== 0x30) throw new DerError('no algorithm')
  const [oid, parameters] = children(der, algorithm)
  const bits = bitString(der, key)
  const start = key!.end - bits.length
  switch (oidHex(der, oid)) {
    case RSA:
      return rsaJwk(der, start, key!.end)
    case RSA_PSS:
      throw new PemError('RSA-PSS-only keys are not supported; use an RSA key')
    case EC: {
      const curve = CURVES[oidHex(der, parameters)]
      if (!curve) throw new PemError('EC keys must use P-256, P-384 or P-521')
      if (bits[0] !== 4 || bits.length !== 1 + 2 * curve.size)
        throw new PemError('EC public key must be an uncompressed point')
      return {
        kty: 'EC',
        crv: curve.crv,
        x: encode(bits.subarray(1, 1 + curve.size)),
        y: encode(bits.subarray(1 + curve.size)),
      }
    }
    case ED25519:
      return { kty: 'OKP', crv: 'Ed25519', x: encode(bits) }
    default:
      throw new PemError('key type is not supported')
  }
}

/** The SubjectPublicKeyInfo inside an X.509 certificate (RFC 5280 4.1). */
function certificateSpki(der: Uint8Array): DerElement {
  const [tbs] = children(der, readElement(der, 0))
  if (tbs?.tag !== 0x30) throw new DerError('no tbsCertificate')
  const fields = children(der, tbs)
  // version [0] is optional; then serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
  const spki = fields[fields[0]?.tag === 0xa0 ? 6 : 5]
  if (spki?.tag !== 0x30) throw new DerError('no subjectPublicKeyInfo')
  return spki
}

/**
 * The public key of a PEM text as a JWK: SPKI (`PUBLIC KEY`), PKCS#1 (`RSA PUBLIC KEY`) or an X.509
 * `CERTIFICATE`. Private keys are refused: a verifier is given public keys only.
 */
export function publicJwkFromPem(text: string): JWK {
  const { label, der } = readPem(text)
  try {
    if (label === 'PUBLIC KEY') return spkiJwk(der, readElement(der, 0))
    if (label === 'RSA PUBLIC KEY') return rsaJwk(der, 0, der.length)
    if (label === 'CERTIFICATE') return spkiJwk(der, certificateSpki(der))
  } catch (error) {
    if (error instanceof PemError) throw error
    throw new PemError(`its ${label} could not be parsed`)
  }
  if (label.includes('PRIVATE KEY')) throw new PemError('PEM holds a private key; give the public key')
  throw new PemError(`PEM "${label}" is not a public key or certificate`)
}

/**
 * The signing algorithm of a PKCS#8 `PRIVATE KEY` (RFC 5208 5): `ES256` for P-256, `EdDSA` for Ed25519,
 * undefined for any other key. Reads the algorithm identifier only; WebCrypto checks the key itself.
 */
export function pkcs8Algorithm(text: string): 'ES256' | 'EdDSA' | undefined {
  const { label, der } = readPem(text)
  if (label !== 'PRIVATE KEY') throw new PemError('PEM is not a PKCS#8 "PRIVATE KEY"')
  try {
    const [version, algorithm, key] = children(der, readElement(der, 0))
    expectTag(der, version, 0x02)
    expectTag(der, key, 0x04)
    if (algorithm?.tag !== 0x30) throw new DerError('no algorithm')
    const [oid, parameters] = children(der, algorithm)
    const type = oidHex(der, oid)
    if (type === ED25519) return 'EdDSA'
    if (type === EC && parameters?.tag === 0x06 && CURVES[oidHex(der, parameters)]?.crv === 'P-256')
      return 'ES256'
    return undefined
  } catch {
    throw new PemError('its PRIVATE KEY could not be parsed')
  }
}

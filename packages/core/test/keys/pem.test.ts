import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { keyFromInput } from '../../src/keys/key.js'
import { pkcs8Algorithm, publicJwkFromPem } from '../../src/keys/pem.js'

const pem = (
  key: { export(options: { type: 'spki' | 'pkcs1' | 'pkcs8'; format: 'pem' }): string | Buffer },
  type: 'spki' | 'pkcs1' | 'pkcs8',
) => String(key.export({ type, format: 'pem' }))

describe('publicJwkFromPem', () => {
  it.each([
    ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' })],
    ['Ed25519', () => generateKeyPairSync('ed25519')],
  ])('reads an SPKI %s key as the JWK Node exports', async (_name, make) => {
    const { publicKey } = make()
    expect(publicJwkFromPem(pem(publicKey, 'spki'))).toEqual(await exportJWK(publicKey))
  })

  it('reads a PKCS#1 "RSA PUBLIC KEY"', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    expect(publicJwkFromPem(pem(publicKey, 'pkcs1'))).toEqual(await exportJWK(publicKey))
  })

  it('reads the public key of an X.509 certificate', async () => {
    // A self-signed certificate from openssl, so the parser meets a real one (v3, extensions).
    const cert = execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        '/dev/null',
        '-subj',
        '/CN=portcullis',
        '-days',
        '1',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    )
    expect(publicJwkFromPem(cert)).toEqual(await exportJWK(new X509Certificate(cert).publicKey))
  })

  it('refuses private keys, other PEM blocks, compressed points and garbage, without quoting them', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(() => publicJwkFromPem(pem(privateKey, 'pkcs8'))).toThrow(
      'PEM holds a private key; give the public key',
    )
    expect(() =>
      publicJwkFromPem('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----'),
    ).toThrow('PEM "CERTIFICATE REQUEST" is not a public key or certificate')
    // P-256 SPKI with a compressed point (0x02 || x): valid DER, but WebCrypto and JWK take x and y.
    const compressed = Buffer.concat([
      Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
      Buffer.from([2]),
      Buffer.alloc(32, 7),
    ]).toString('base64')
    expect(() =>
      publicJwkFromPem(`-----BEGIN PUBLIC KEY-----\n${compressed}\n-----END PUBLIC KEY-----`),
    ).toThrow('EC public key must be an uncompressed point')
    expect(() => publicJwkFromPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(
      'its PUBLIC KEY could not be parsed',
    )
    expect(() => publicJwkFromPem('not a pem')).toThrow('it is not a PEM block')
  })

  it('gives keyFromInput the same strength checks as a JWK', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey
    expect(() => keyFromInput(pem(weak, 'pkcs1'), 0)).toThrow(
      '"keys[0]" is not usable: RSA keys must be at least 2048 bits',
    )
    const x25519 = generateKeyPairSync('x25519').publicKey
    expect(() => keyFromInput(pem(x25519, 'spki'), 1)).toThrow(
      '"keys[1]" is not usable: key type is not supported',
    )
  })
})

describe('pkcs8Algorithm', () => {
  it('names the session algorithm of a PKCS#8 key, or none', () => {
    expect(pkcs8Algorithm(pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'pkcs8'))).toBe(
      'ES256',
    )
    expect(pkcs8Algorithm(pem(generateKeyPairSync('ed25519').privateKey, 'pkcs8'))).toBe('EdDSA')
    expect(
      pkcs8Algorithm(pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'pkcs8')),
    ).toBeUndefined()
    expect(
      pkcs8Algorithm(pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'pkcs8')),
    ).toBeUndefined()
  })
})

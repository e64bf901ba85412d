// The NIST prime curves of FIPS 186-4 D.1.2 (SEC 2 2.4-2.6): y^2 = x^3 - 3x + b over GF(p).
const CURVES: Record<string, { p: bigint; b: bigint }> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
}

/**
 * True when (x, y) is a point of the named curve. Public data only: it lets a bad key be refused when
 * it is configured, instead of failing its first verification (WebCrypto checks again on import).
 */
export function isOnCurve(crv: string, x: bigint, y: bigint): boolean {
  const curve = CURVES[crv]
  if (!curve) return false
  const { p, b } = curve
  if (x >= p || y >= p) return false
  return (y * y - (x * x * x - 3n * x + b)) % p === 0n
}

"""SM2 signature verification (GB/T 32918.2) and SM3 hashing.

SM3 comes from `cryptography` (native); the SM2 verification equation runs over python-ecdsa's
Jacobian point arithmetic with the curve of GB/T 32918.5. Only verification is needed here: the
service checks signatures, it never makes them (tests that need signatures use `sign`, which is
deterministic enough for tests and must not be used for real keys).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from ecdsa.ellipticcurve import CurveFp, PointJacobi

# GB/T 32918.5-2017 recommended curve parameters (sm2p256v1).
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

DEFAULT_ID = b"1234567812345678"

CURVE = CurveFp(P, A, B, 1)
# generator=True makes python-ecdsa precompute multiples of G (fast s*G).
G = PointJacobi(CURVE, GX, GY, 1, N, generator=True)

SM2_OID = "1.2.156.10197.1.301"
SM3_OID = "1.2.156.10197.1.401"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"


class SM2Error(ValueError):
    """A public key or signature value that is not well formed."""


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3, used by some producers for keyed reference digests."""
    block = 64
    if len(key) > block:
        key = sm3(key)
    key = key.ljust(block, b"\x00")
    inner = sm3(bytes(k ^ 0x36 for k in key) + data)
    return sm3(bytes(k ^ 0x5C for k in key) + inner)


def _i2b(value: int) -> bytes:
    return value.to_bytes(32, "big")


def parse_public_key(data: bytes) -> tuple[int, int]:
    """The point of an uncompressed (04||x||y) or bare (x||y) SM2 public key, checked to be on the curve."""
    if len(data) == 65 and data[0] == 4:
        data = data[1:]
    elif len(data) == 33 and data[0] in (2, 3):
        x = int.from_bytes(data[1:], "big")
        if x >= P:
            raise SM2Error("x out of range")
        y2 = (pow(x, 3, P) + A * x + B) % P
        y = pow(y2, (P + 1) // 4, P)  # p = 3 mod 4
        if y * y % P != y2:
            raise SM2Error("compressed point not on curve")
        if (y & 1) != (data[0] & 1):
            y = P - y
        return x, y
    if len(data) != 64:
        raise SM2Error(f"unexpected public key length {len(data)}")
    x, y = int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big")
    if not (0 <= x < P and 0 <= y < P) or (x == 0 and y == 0):
        raise SM2Error("coordinates out of range")
    if (y * y - (x * x * x + A * x + B)) % P != 0:
        raise SM2Error("public point not on the SM2 curve")
    return x, y


def z_value(public_key: tuple[int, int], user_id: bytes = DEFAULT_ID) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    x, y = public_key
    return sm3(entl + user_id + _i2b(A) + _i2b(B) + _i2b(GX) + _i2b(GY) + _i2b(x) + _i2b(y))


def parse_signature(sig: bytes) -> tuple[int, int]:
    """(r, s) from DER SEQUENCE{r, s} or raw 64-byte r||s; SM2Error if neither."""
    r, s, _ = _decode_signature(sig)
    return r, s


def signature_encoding(sig: bytes) -> str:
    """'der' or 'raw'; raises SM2Error if neither."""
    return _decode_signature(sig)[2]


def _decode_signature(sig: bytes) -> tuple[int, int, str]:
    if len(sig) >= 8 and sig[0] == 0x30:
        try:
            r, s = _decode_der_pair(sig)
            return r, s, "der"
        except SM2Error:
            if len(sig) != 64:
                raise
    if len(sig) == 64:
        return int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"), "raw"
    raise SM2Error(f"signature is neither DER nor 64-byte r||s ({len(sig)} bytes)")


def _decode_der_pair(sig: bytes) -> tuple[int, int]:
    def length(pos: int) -> tuple[int, int]:
        first = sig[pos]
        if first < 0x80:
            return first, pos + 1
        count = first & 0x7F
        if count == 0 or count > 2:
            raise SM2Error("bad DER length")
        return int.from_bytes(sig[pos + 1 : pos + 1 + count], "big"), pos + 1 + count

    def integer(pos: int) -> tuple[int, int]:
        if pos >= len(sig) or sig[pos] != 0x02:
            raise SM2Error("expected INTEGER")
        size, pos = length(pos + 1)
        if size == 0 or size > 33 or pos + size > len(sig):
            raise SM2Error("bad INTEGER")
        return int.from_bytes(sig[pos : pos + size], "big", signed=True), pos + size

    try:
        if sig[0] != 0x30:
            raise SM2Error("expected SEQUENCE")
        total, pos = length(1)
        if pos + total != len(sig):
            raise SM2Error("trailing bytes after SEQUENCE")
        r, pos = integer(pos)
        s, pos = integer(pos)
    except IndexError as exc:
        raise SM2Error("truncated DER signature") from exc
    if pos != len(sig):
        raise SM2Error("extra elements in signature SEQUENCE")
    return r, s


def verify_digest(public_key: tuple[int, int], e: bytes, signature: bytes) -> bool:
    """Verify an SM2 signature over the precomputed e = SM3(Z || M)."""
    try:
        r, s = parse_signature(signature)
    except SM2Error:
        return False
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    x, y = public_key
    point = PointJacobi(CURVE, x, y, 1, N)
    result = G.mul_add(s, point, t)
    if result == 0 or result.x() is None:  # point at infinity
        return False
    return (int.from_bytes(e, "big") + result.x()) % N == r


def verify(public_key: bytes | tuple[int, int], message: bytes, signature: bytes, user_id: bytes = DEFAULT_ID) -> bool:
    """Verify an SM2-with-SM3 signature over `message` (Z computed with `user_id`).

    Raises SM2Error when the public key is malformed or off the curve; a bad signature returns False.
    """
    point = parse_public_key(public_key) if isinstance(public_key, bytes) else public_key
    e = sm3(z_value(point, user_id) + message)
    return verify_digest(point, e, signature)


def sign(private_key: int, message: bytes, user_id: bytes = DEFAULT_ID, *, raw: bool = False) -> bytes:
    """Test helper: SM2-with-SM3 signature (DER, or raw r||s). Nonce derived from key and message."""
    pub = G * private_key
    point = (pub.x(), pub.y())
    e = int.from_bytes(sm3(z_value(point, user_id) + message), "big")
    counter = 0
    while True:
        k_seed = hmac.new(_i2b(private_key), message + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        k = int.from_bytes(k_seed, "big") % (N - 1) + 1
        x1 = (G * k).x()
        r = (e + x1) % N
        if r and r + k != N:
            s = (pow(1 + private_key, -1, N) * (k - r * private_key)) % N
            if s:
                break
        counter += 1
    if raw:
        return _i2b(r) + _i2b(s)
    return _der_pair(r, s)


def public_key_bytes(private_key: int) -> bytes:
    pub = G * private_key
    return b"\x04" + _i2b(pub.x()) + _i2b(pub.y())


def _der_pair(r: int, s: int) -> bytes:
    def integer(v: int) -> bytes:
        body = v.to_bytes((v.bit_length() + 8) // 8, "big")
        return b"\x02" + bytes([len(body)]) + body

    body = integer(r) + integer(s)
    return b"\x30" + bytes([len(body)]) + body

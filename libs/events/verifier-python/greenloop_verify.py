"""A second, independent verifier of greenloop's signed control commands, in Python with the
standard library only: what a gateway vendor writes from the specification in
`CanonicalCommand` (libs/events). It reproduces the canonical form, checks the HMAC-SHA256 in
constant time, the key's greenhouse, the timestamps and the nonce.

    python3 greenloop_verify.py VECTORS.json     # checks every test vector; exit 0 when all agree

A gateway uses `verify(command, keys, now, seen)` on each command as parsed from JSON.
"""

import base64
import hashlib
import hmac
import json
import sys
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal

HEADER = "greenloop.control.command.v1"
FIELDS = ("commandId", "greenhouseId", "zoneId", "actuator", "value", "unit", "mode", "reason", "predictionId")


class Rejected(Exception):
    """A command that must not be acted on; `kind` says why (as CommandVerifier's kinds)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def decimal(value):
    """The value line: the double's exact value, half-even to 3 places, plain, no trailing zeros."""
    rounded = Decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
    if rounded == 0:
        return "0"
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_time(text):
    """An RFC 3339 timestamp; the canonical form needs exactly millisecond precision."""
    t = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if t.tzinfo is None:
        raise Rejected("BAD_SIGNATURE", f"timestamp {text} has no offset")
    if t.microsecond % 1000 != 0 or _sub_microseconds(text):
        raise Rejected("BAD_SIGNATURE", f"timestamp {text} is finer than a millisecond")
    return t.astimezone(timezone.utc)


def _sub_microseconds(text):
    frac = text.split(".", 1)[1] if "." in text else ""
    digits = "".join(ch for ch in frac if ch.isdigit())
    return len(digits) > 6 and any(d != "0" for d in digits[6:])


def millis(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def canonical(command):
    """The exact bytes the MAC covers (UTF-8)."""
    sig = command["signature"]
    lines = [HEADER]
    for name in FIELDS:
        v = command.get(name)
        if name == "value":
            v = decimal(v)
        elif name == "predictionId" and v is None:
            v = ""
        lines.append(f"{name}={v}")
    lines.append(f"algorithm={sig['algorithm']}")
    lines.append(f"keyId={sig['keyId']}")
    lines.append(f"issuedAt={millis(parse_time(sig['issuedAt']))}")
    lines.append(f"expiresAt={millis(parse_time(sig['expiresAt']))}")
    lines.append(f"nonce={sig['nonce']}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def mac(secret, content):
    return hmac.new(secret, content, hashlib.sha256).digest()


def sign_value(secret, content):
    return base64.urlsafe_b64encode(mac(secret, content)).decode("ascii").rstrip("=")


def _b64url(text):
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        return None


def verify(command, keys, now, seen, skew=timedelta(seconds=30), max_lifetime=timedelta(hours=1)):
    """Raises Rejected unless the command may be acted on; records its nonce in `seen` last.

    keys: {keyId: (greenhouseId, secret bytes)}; seen: a set of "keyId:nonce" (a durable store in
    a real gateway).
    """
    sig = command.get("signature")
    if not sig:
        raise Rejected("UNSIGNED", f"command {command.get('commandId')} is not signed")
    if sig.get("algorithm") != "HMAC-SHA256":
        raise Rejected("BAD_SIGNATURE", f"unknown algorithm {sig.get('algorithm')}")
    key = keys.get(sig["keyId"])
    if key is None:
        raise Rejected("UNKNOWN_KEY", f"unknown key {sig['keyId']}")
    greenhouse, secret = key
    if greenhouse != command["greenhouseId"]:
        raise Rejected("UNKNOWN_KEY", f"key {sig['keyId']} does not sign for greenhouse {command['greenhouseId']}")
    expected = mac(secret, canonical(command))
    actual = _b64url(sig["value"])
    if actual is None or not hmac.compare_digest(expected, actual):
        raise Rejected("BAD_SIGNATURE", f"signature of command {command['commandId']} does not match its content")
    issued, expires = parse_time(sig["issuedAt"]), parse_time(sig["expiresAt"])
    if issued > now + skew:
        raise Rejected("NOT_YET_VALID", f"issued at {sig['issuedAt']}, in the future")
    if now > expires + skew:
        raise Rejected("EXPIRED", f"expired at {sig['expiresAt']}")
    if expires - issued > max_lifetime:
        raise Rejected("EXPIRED", "valid for longer than the maximum lifetime")
    nonce = f"{sig['keyId']}:{sig['nonce']}"
    if nonce in seen:
        raise Rejected("REPLAYED", f"nonce {sig['nonce']} was used before")
    seen.add(nonce)
    return command


def check_vectors(path):
    """Every vector: the canonical form and signature as given, and verify()'s verdict as expected."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    keys = {k["keyId"]: (k["greenhouseId"], base64.b64decode(k["secretBase64"])) for k in doc["keys"]}
    failures = []
    seen = set()
    for v in doc["vectors"]:
        command = v["command"]
        now = parse_time(v["now"])
        try:
            if "canonical" in v and canonical(command).decode("utf-8") != v["canonical"]:
                failures.append(f"{v['name']}: canonical form differs:\n{canonical(command).decode()}")
                continue
            verify(command, keys, now, seen)
            verdict = "valid"
        except Rejected as e:
            verdict = e.kind
        if verdict != v["expect"]:
            failures.append(f"{v['name']}: expected {v['expect']}, got {verdict}")
    for line in failures:
        print("FAIL " + line)
    print(f"{len(doc['vectors']) - len(failures)} of {len(doc['vectors'])} vectors agree")
    return not failures


if __name__ == "__main__":
    sys.exit(0 if check_vectors(sys.argv[1]) else 1)

"""Writes the command test vectors (libs/events/src/test/resources/signing/command-vectors.json)
from the specification, with this directory's verifier. Java's CanonicalCommand and
CommandVerifier must agree with every vector (CommandVectorsTest): the two implementations are
independent, so a vector both accept is the specification, not one of them.

    python3 make_vectors.py ../src/test/resources/signing/command-vectors.json
"""

import base64
import copy
import json
import sys

from greenloop_verify import canonical, sign_value

K1 = ("gh-test-k1", "gh-test", "Z3JlZW5sb29wLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmc=")
K2 = ("gh-test-k2", "gh-test", base64.b64encode(bytes(range(1, 41))).decode())
K3 = ("gh-other-k1", "gh-other", base64.b64encode(bytes(range(100, 140))).decode())
KEYS = {k[0]: k for k in (K1, K2, K3)}
NOW = "2026-06-21T12:00:30.000Z"


def command(value=45.0, reason="air temperature predicted 26.1 degC above day band 24 degC", prediction="pred-0001",
            key=K1, issued="2026-06-21T12:00:00.000Z", expires="2026-06-21T12:02:00.500Z", nonce="AAAAAAAAAAAAAAAAAAAAAA",
            actuator="vent", unit="%", greenhouse="gh-test", zone="zone-a", cid="cmd-0001"):
    c = {"commandId": cid, "greenhouseId": greenhouse, "zoneId": zone, "actuator": actuator, "value": value, "unit": unit,
         "mode": "predictive" if prediction else "fallback", "reason": reason, "predictionId": prediction,
         "signature": {"algorithm": "HMAC-SHA256", "keyId": key[0], "issuedAt": issued, "expiresAt": expires,
                       "nonce": nonce}}
    if prediction is None:
        del c["predictionId"]
    c["signature"]["value"] = sign_value(base64.b64decode(KEYS[key[0]][2]), canonical_of(c))
    return c


def canonical_of(c):
    c = copy.deepcopy(c)
    c["signature"].setdefault("value", "")
    return canonical(c)


def valid(name, c, now=NOW):
    return {"name": name, "now": now, "command": c, "canonical": canonical_of(c).decode("utf-8"), "expect": "valid"}


def invalid(name, c, expect, now=NOW):
    return {"name": name, "now": now, "command": c, "expect": expect}


def tamper(c, **fields):
    c = copy.deepcopy(c)
    c.update(fields)
    return c


def main(out):
    n = iter(f"{i:022d}" for i in range(1, 1000))
    vectors = [
        valid("whole value", command(value=45.0, nonce=next(n))),
        valid("value with a binary tail is signed to three places", command(value=36.699999999999996, nonce=next(n))),
        valid("an exact tie rounds to even (0.0625 -> 0.062)", command(value=0.0625, nonce=next(n))),
        valid("just above a tie rounds up (0.0005 -> 0.001)", command(value=0.0005, nonce=next(n))),
        valid("a tiny value is 0", command(value=1e-7, nonce=next(n))),
        valid("negative zero is 0", command(value=-0.0, nonce=next(n))),
        valid("heating setpoint in degC", command(value=51.1, actuator="heating", unit="degC", nonce=next(n))),
        valid("fallback without a prediction id", command(prediction=None, reason="fallback (stale): heat", nonce=next(n))),
        valid("reason in UTF-8", command(reason="Lüftung öffnen – 26,1 °C über dem Tagesband", nonce=next(n))),
        valid("timestamps without fractional seconds on the wire", command(issued="2026-06-21T12:00:00Z",
                                                                            expires="2026-06-21T12:02:00Z", nonce=next(n))),
        valid("signed with the second key of a rotation", command(key=K2, nonce=next(n))),
        valid("at the end of its lifetime within the clock skew", command(nonce=next(n)), now="2026-06-21T12:02:30.000Z"),
    ]
    base = command(nonce=next(n))
    vectors += [
        invalid("value changed", tamper(base, value=46.0), "BAD_SIGNATURE"),
        invalid("value changed within the third decimal", tamper(command(value=36.7, nonce=next(n)), value=36.701),
                "BAD_SIGNATURE"),
        invalid("zone changed", tamper(base, zoneId="zone-b"), "BAD_SIGNATURE"),
        invalid("reason changed", tamper(base, reason="open"), "BAD_SIGNATURE"),
        invalid("prediction id removed", {k: v for k, v in base.items() if k != "predictionId"}, "BAD_SIGNATURE"),
        invalid("signature of other bytes", tamper(base, signature={**base["signature"], "value": "A" * 43}),
                "BAD_SIGNATURE"),
        invalid("timestamp finer than a millisecond",
                tamper(base, signature={**base["signature"], "issuedAt": "2026-06-21T12:00:00.0005Z"}), "BAD_SIGNATURE"),
        invalid("key of another greenhouse", command(key=K3, nonce=next(n)), "UNKNOWN_KEY"),
        invalid("unknown key id", tamper(base, signature={**base["signature"], "keyId": "gh-test-k9"}), "UNKNOWN_KEY"),
        invalid("expired", command(nonce=next(n)), "EXPIRED", now="2026-06-21T12:03:00.600Z"),
        invalid("issued in the future", command(nonce=next(n)), "NOT_YET_VALID", now="2026-06-21T11:59:00.000Z"),
        invalid("valid for more than an hour", command(expires="2026-06-21T13:00:00.001Z", nonce=next(n)), "EXPIRED"),
        valid("a command, first seen", command(cid="cmd-replay", nonce="RRRRRRRRRRRRRRRRRRRRRR")),
        invalid("the same command again", command(cid="cmd-replay", nonce="RRRRRRRRRRRRRRRRRRRRRR"), "REPLAYED"),
    ]
    doc = {
        "description": "greenloop.control.command.v1 test vectors: canonical form, HMAC-SHA256 signature and the "
                       "verifier's verdict (valid, or the rejection kind). Keys are base64 secrets. Vectors are checked "
                       "in order with one nonce store (the replay vector relies on it), with a clock skew of 30 s and a "
                       "maximum lifetime of 1 h.",
        "keys": [{"keyId": k[0], "greenhouseId": k[1], "secretBase64": k[2]} for k in (K1, K2, K3)],
        "vectors": vectors,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])

package dev.greenloop.events.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenloop.events.EventException;
import dev.greenloop.events.EventType;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.ControlCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The language-neutral canonical form: Java agrees with every test vector (canonical bytes and
 * the verifier's verdict), the standard-library Python verifier in {@code verifier-python} agrees
 * with them too, and commands Java signs verify in Python.
 */
class CommandVectorsTest {

    private static final Path VERIFIER = Path.of("verifier-python/greenloop_verify.py").toAbsolutePath();

    private static JsonNode vectors() throws Exception {
        try (InputStream in = CommandVectorsTest.class.getResourceAsStream("/signing/command-vectors.json")) {
            return EventJson.mapper().readTree(in);
        }
    }

    private static KeyRing keys(JsonNode doc) {
        List<SigningKey> keys = new ArrayList<>();
        for (JsonNode k : doc.path("keys")) {
            keys.add(new SigningKey(k.path("keyId").asText(), k.path("greenhouseId").asText(),
                    Base64.getDecoder().decode(k.path("secretBase64").asText())));
        }
        return KeyRing.of(keys);
    }

    @Test
    void javaAgreesWithEveryVector() throws Exception {
        JsonNode doc = vectors();
        KeyRing keys = keys(doc);
        InMemoryNonceStore nonces = new InMemoryNonceStore(1000);
        assertThat(doc.path("vectors").size()).isGreaterThanOrEqualTo(20);
        for (JsonNode v : doc.path("vectors")) {
            String name = v.path("name").asText();
            ControlCommand command = PayloadCodec.read(EventType.CONTROL_COMMAND,
                    EventJson.mapper().writeValueAsBytes(v.path("command")));
            if (v.has("canonical")) {
                assertThat(new String(CanonicalCommand.bytes(command, command.signature()), StandardCharsets.UTF_8))
                        .as(name).isEqualTo(v.path("canonical").asText());
            }
            Clock clock = Clock.fixed(Instant.parse(v.path("now").asText()), ZoneOffset.UTC);
            CommandVerifier verifier = new CommandVerifier(keys, nonces, clock, Duration.ofSeconds(30), Duration.ofHours(1));
            String verdict;
            try {
                verifier.verify(command);
                verdict = "valid";
            } catch (EventException e) {
                verdict = e.kind().name();
            }
            assertThat(verdict).as(name).isEqualTo(v.path("expect").asText());
        }
    }

    @Test
    void thePythonVerifierAgreesWithEveryVector(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vectors.json");
        Files.write(file, EventJson.mapper().writeValueAsBytes(vectors()));

        Result result = python(file);

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains(vectors().path("vectors").size() + " of " + vectors().path("vectors").size()
                + " vectors agree");
    }

    @Test
    void commandsJavaSignsVerifyInPythonAndTamperingIsCaughtThere(@TempDir Path dir) throws Exception {
        JsonNode doc = vectors();
        KeyRing keys = keys(doc);
        Instant now = Instant.parse("2026-06-21T12:00:00.123Z");
        CommandSigner signer = new CommandSigner(KeyRing.of(keys.accepted("gh-test"), java.util.Set.of("gh-test-k2")),
                Clock.fixed(now, ZoneOffset.UTC), Duration.ofMinutes(2));
        ArrayNode out = EventJson.mapper().createArrayNode();
        double[] values = {36.699999999999996, 29.5 + 7.2, 0.1 + 0.2, 0.0625, 1e-7, -0.0, 75, 12.3456789};
        for (int i = 0; i < values.length; i++) {
            ControlCommand signed = signer.sign(new ControlCommand("cmd-java-" + i, "gh-test", "zone-a", ActuatorKind.HEATING,
                    values[i], "degC", CommandMode.FALLBACK, "Heizung – Sollwert " + i + " °C", null, null));
            assertThat(signed.signature().keyId()).isEqualTo("gh-test-k2");
            JsonNode wire = EventJson.mapper().readTree(PayloadCodec.write(signed));
            out.add(vector("java-signed " + values[i], now, wire, "valid"));
            ObjectNode tampered = wire.deepCopy();
            tampered.put("value", signed.value() + 0.001);
            ObjectNode sig = (ObjectNode) tampered.path("signature");
            sig.put("nonce", sig.path("nonce").asText() + "x");
            out.add(vector("java-signed, value moved by 0.001 " + values[i], now, tampered, "BAD_SIGNATURE"));
        }
        ObjectNode javaDoc = ((ObjectNode) doc.deepCopy()).set("vectors", out);
        Path file = dir.resolve("java-signed.json");
        Files.write(file, EventJson.mapper().writeValueAsBytes(javaDoc));

        Result result = python(file);

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains(out.size() + " of " + out.size() + " vectors agree");
    }

    private static ObjectNode vector(String name, Instant now, JsonNode command, String expect) {
        ObjectNode v = EventJson.mapper().createObjectNode();
        v.put("name", name).put("now", now.toString()).put("expect", expect).set("command", command);
        return v;
    }

    private record Result(int exit, String output) {
    }

    private static Result python(Path vectors) throws Exception {
        String python = System.getenv().getOrDefault("GREENLOOP_PYTHON", "python3");
        Process p = new ProcessBuilder(python, VERIFIER.toString(), vectors.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output);
    }
}

package dev.greenloop.local.clock;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One clock: no function, and no library a function runs, reads the wall clock; "now" comes from
 * the injected {@link Clock} (function-base's {@code Clocks} produces the system's), so the same
 * code runs in real and in simulated time. This reads the compiled classes of the six functions
 * and their libraries (the build makes them before this module) and fails on any call of
 * {@code Instant.now()}, {@code System.currentTimeMillis()}, {@code Clock.systemUTC()}, the
 * other {@code now()}s, or {@code new Date()}. {@code now(clock)} is what to write instead.
 * {@code System.nanoTime()} measures durations and is allowed.
 */
class OneClockTest {

    static final List<String> MODULES = List.of("functions/ingest", "functions/preprocess", "functions/train-launcher",
            "functions/infer", "functions/control", "functions/monitor", "libs/events", "libs/features", "libs/datasets",
            "libs/function-base", "libs/function-support", "libs/gateway", "libs/control-policy", "libs/clients",
            "libs/online-store", "libs/dataset-registry", "libs/closed-loop");

    /** Where a wall clock is right, and why. */
    static final List<String> ALLOWED = List.of(
            // The one producer of the functions' clock.
            "dev.greenloop.function.base.Clocks",
            // Sender tokens expire in real time (quarkus-oidc checks them against it too), not in event time.
            "dev.greenloop.function.CloudEventsSenders");

    static ArchRule noWallClock() {
        return noClasses().that().resideInAPackage("dev.greenloop..").and().doNotHaveFullyQualifiedName(ALLOWED.get(0))
                .and().doNotHaveFullyQualifiedName(ALLOWED.get(1))
                .should().callMethod(Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(Clock.class, "systemUTC")
                .orShould().callMethod(Clock.class, "systemDefaultZone")
                .orShould().callMethod(LocalDate.class, "now")
                .orShould().callMethod(LocalTime.class, "now")
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(OffsetDateTime.class, "now")
                .orShould().callMethod(ZonedDateTime.class, "now")
                .orShould().callConstructor(Date.class)
                .because("every function takes now from the injected java.time.Clock (Instant.now(clock)), so it runs in simulated time too");
    }

    @Test
    void noFunctionReadsTheWallClock() {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> classes = new ArrayList<>();
        for (String module : MODULES) {
            Path dir = root.resolve(module).resolve("target/classes/dev/greenloop");
            assertThat(dir).as(module + "'s classes (build the project first: ./mvnw -B verify)").isDirectory();
            classes.add(dir.getParent());
        }
        JavaClasses imported = new ClassFileImporter().importPaths(classes);
        assertThat(imported.size()).as("classes read").isGreaterThan(300);

        noWallClock().check(imported);
    }

    /** A class like the ones this guards against: the rule must catch it. */
    static final class ReadsTheWallClock {
        Instant stamp() {
            return Instant.now();
        }

        long millis() {
            return System.currentTimeMillis();
        }
    }

    /** Takes now from its clock: the rule must let it be. */
    static final class TakesItsClock {
        Instant stamp(Clock clock) {
            return Instant.now(clock);
        }
    }

    @Test
    void theRuleCatchesAWallClockReadAndLetsAnInjectedClockBe() throws Exception {
        Path self = Path.of(OneClockTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(Files.isDirectory(self)).isTrue();
        JavaClasses bad = new ClassFileImporter().importClasses(ReadsTheWallClock.class);
        EvaluationResult caught = noWallClock().evaluate(bad);
        assertThat(caught.hasViolation()).isTrue();
        assertThat(caught.getFailureReport().getDetails()).hasSize(2)
                .anySatisfy(d -> assertThat(d).contains("Instant.now()"))
                .anySatisfy(d -> assertThat(d).contains("System.currentTimeMillis()"));

        assertThat(noWallClock().evaluate(new ClassFileImporter().importClasses(TakesItsClock.class)).hasViolation()).isFalse();
    }
}

package dev.greenloop.local.observability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.testkit.prometheus.PromqlInspect;
import dev.greenloop.testkit.prometheus.PrometheusTools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alerts and dashboards hold together: Prometheus's promtool accepts the rules and passes
 * their unit tests (tests/alerts-test.yaml, in which every alert fires and stays quiet at least
 * once); the PrometheusRule carries the same groups as the rules file; every runbook note
 * exists; every expression parses with Prometheus's parser; and the name check bites on a
 * metric or label no function exports. That the names are the ones the functions export,
 * after real traffic, is checked by LoopIT against its scrapes.
 */
class ObservabilityRulesTest {

    @Test
    void promtoolAcceptsTheRulesAndPassesTheirUnitTests() {
        PrometheusTools.Result check = PrometheusTools.promtool(Observability.COMPONENT, "check", "rules", "alerts.rules.yaml");
        PrometheusTools.Result test = PrometheusTools.promtool(Observability.COMPONENT.resolve("tests"), "test", "rules",
                "alerts-test.yaml");

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 9 rules found");
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertIsTestedFiringAndQuiet() {
        Set<String> alerts = new TreeSet<>();
        Observability.alerts().forEach(a -> alerts.add(a.where().substring("alert ".length())));
        Set<String> fires = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (JsonNode test : Observability.read(Observability.COMPONENT.resolve("tests/alerts-test.yaml")).path("tests")) {
            for (JsonNode t : test.path("alert_rule_test")) {
                (t.path("exp_alerts").isEmpty() ? quiet : fires).add(t.path("alertname").asText());
            }
        }

        assertThat(alerts).hasSize(9);
        assertThat(fires).as("alerts shown to fire").containsAll(alerts);
        assertThat(quiet).as("alerts shown not to fire").containsAll(alerts);
    }

    @Test
    void thePrometheusRuleCarriesTheRulesFileAndEveryRunbookNoteExists() throws IOException {
        JsonNode rules = Observability.read(Observability.COMPONENT.resolve("alerts.rules.yaml"));
        JsonNode rule = Observability.read(Observability.COMPONENT.resolve("alerts.yaml"));
        String readme = Files.readString(Observability.COMPONENT.resolve("README.md"));

        assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(rule.path("spec")).isEqualTo(rules);
        List<String> missing = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode r : group.path("rules")) {
                String runbook = r.at("/annotations/runbook").asText();
                String anchor = r.path("alert").asText().toLowerCase(java.util.Locale.ROOT);
                if (!runbook.equals("knative/components/observability/README.md#" + anchor)
                        || !readme.contains("\n### " + r.path("alert").asText() + "\n")) {
                    missing.add(r.path("alert").asText() + " (" + runbook + ")");
                }
            }
        }
        assertThat(missing).as("alerts without their runbook note").isEmpty();
    }

    @Test
    void everyExpressionParsesWithPrometheusParser() {
        List<PromqlInspect.Parsed> parsed = Observability.inspect().parse(Observability.all());

        assertThat(parsed).hasSizeGreaterThan(30);
        assertThat(parsed).filteredOn(p -> p.error() != null).as("expressions that do not parse").isEmpty();
        assertThat(parsed).allSatisfy(p -> assertThat(p.selectors()).as(p.where()).isNotEmpty());
    }

    @Test
    void theNameCheckFindsAMetricOrLabelNoFunctionExportsAndAnExpressionThatDoesNotParse() {
        List<PromqlInspect.Parsed> parsed = Observability.inspect().parse(List.of(
                new PromqlInspect.Expression("good", "sum by (zone) (rate(greenloop_ingest_zone_items_total{outcome=\"accepted\"}[5m]))"),
                new PromqlInspect.Expression("misspelt", "rate(greenloop_ingest_zone_item_total[5m])"),
                new PromqlInspect.Expression("label", "greenloop_ingest_zone_items_total{zoneid=\"z1\"}"),
                new PromqlInspect.Expression("grouping", "sum by (greenhouse) (greenloop_control_fallbacks_total)"),
                new PromqlInspect.Expression("broken", "sum(rate(greenloop_ingest_zone_items_total[5m])")));
        Map<String, List<String>> exported = Map.of(
                "greenloop_ingest_zone_items_total", List.of("function", "greenhouse", "outcome", "zone"),
                "greenloop_control_fallbacks_total", List.of("function", "reason"));

        List<String> problems = Observability.problems(parsed, exported);

        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).startsWith("misspelt: no function exports greenloop_ingest_zone_item_total");
        assertThat(problems.get(1)).startsWith("label: greenloop_ingest_zone_items_total has no label zoneid");
        assertThat(problems.get(2)).startsWith("grouping: groups by greenhouse");
        assertThat(problems.get(3)).startsWith("broken: does not parse");
    }

    @Test
    void grafanaQueriesArePutAsGrafanaSendsThem() {
        assertThat(Observability.grafana("label_values(jvm_memory_used_bytes, function)"))
                .isEqualTo("count by (function) (jvm_memory_used_bytes)");
        assertThat(Observability.grafana("rate(x_total{g=\"$greenhouse\"}[$__rate_interval])"))
                .isEqualTo("rate(x_total{g=\"$greenhouse\"}[1m])");
    }
}

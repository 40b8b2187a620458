package dev.greenloop.local.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.greenloop.testkit.prometheus.PromqlInspect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The observability component's PromQL (knative/components/observability): every alert's and
 * every dashboard panel's expression, and the check that each selects only metric names and
 * labels the functions export. Expressions are read by Prometheus's own parser
 * ({@link PromqlInspect}); Grafana's template variables are put in as Grafana would before
 * parsing ({@code $__rate_interval} becomes a duration, a {@code label_values(metric, label)}
 * query becomes {@code count by (label) (metric)}).
 */
public final class Observability {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path COMPONENT = ROOT.resolve("knative/components/observability");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** Labels the scrape adds (PodMonitor or annotations), not the functions. */
    static final Set<String> SCRAPE_LABELS = Set.of("job", "instance", "namespace", "pod", "container", "endpoint");

    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)$");

    private Observability() {
    }

    static PromqlInspect inspect() {
        return PromqlInspect.build(ROOT.resolve("tools/promql-inspect"));
    }

    static JsonNode read(Path file) {
        try {
            return (file.toString().endsWith(".json") ? JSON : YAML).readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every alert's expression, where = the alert's name. */
    static List<PromqlInspect.Expression> alerts() {
        List<PromqlInspect.Expression> out = new ArrayList<>();
        for (JsonNode group : read(COMPONENT.resolve("alerts.rules.yaml")).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.add(new PromqlInspect.Expression("alert " + rule.path("alert").asText(rule.path("record").asText()),
                        rule.path("expr").asText()));
            }
        }
        return out;
    }

    static List<Path> dashboards() {
        try (var files = Files.list(COMPONENT.resolve("dashboards"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel target's and template variable's query of every dashboard, as Grafana would send it. */
    static List<PromqlInspect.Expression> dashboardQueries() {
        List<PromqlInspect.Expression> out = new ArrayList<>();
        for (Path file : dashboards()) {
            JsonNode d = read(file);
            String name = file.getFileName().toString();
            for (JsonNode v : d.at("/templating/list")) {
                if (v.path("type").asText().equals("query")) {
                    out.add(new PromqlInspect.Expression(name + " variable " + v.path("name").asText(),
                            grafana(v.at("/query/query").asText())));
                }
            }
            for (JsonNode panel : d.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    out.add(new PromqlInspect.Expression(name + " panel \"" + panel.path("title").asText() + "\" "
                            + target.path("refId").asText(), grafana(target.path("expr").asText())));
                }
            }
        }
        return out;
    }

    static List<PromqlInspect.Expression> all() {
        List<PromqlInspect.Expression> out = new ArrayList<>(alerts());
        out.addAll(dashboardQueries());
        return out;
    }

    /** A Grafana query as the data source sends it to Prometheus. */
    static String grafana(String query) {
        Matcher values = LABEL_VALUES.matcher(query.strip());
        if (values.matches()) {
            return "count by (" + values.group(2) + ") (" + values.group(1) + ")";
        }
        return query.replace("$__rate_interval", "1m").replace("$__interval", "1m").replace("$__range", "1h");
    }

    /**
     * What is wrong with {@code parsed} against {@code exported} (series name to label names):
     * an expression that does not parse, a selector without a metric name, a metric no function
     * exports, a label its selector matches on or an aggregation uses that none of the metrics
     * it selects carries.
     */
    /** What is wrong with every expression of the component against {@code exported}; see below. */
    public static List<String> problems(PromqlInspect inspect, Map<String, List<String>> exported) {
        return problems(inspect.parse(all()), exported);
    }

    static List<String> problems(List<PromqlInspect.Parsed> parsed, Map<String, List<String>> exported) {
        List<String> problems = new ArrayList<>();
        for (PromqlInspect.Parsed p : parsed) {
            if (p.error() != null) {
                problems.add(p.where() + ": does not parse: " + p.error());
                continue;
            }
            Set<String> carried = new java.util.HashSet<>(SCRAPE_LABELS);
            for (PromqlInspect.Selector s : p.selectors()) {
                if (s.metric() == null || s.metric().isEmpty()) {
                    problems.add(p.where() + ": a selector without a metric name");
                    continue;
                }
                List<String> labels = exported.get(s.metric());
                if (labels == null) {
                    problems.add(p.where() + ": no function exports " + s.metric());
                    continue;
                }
                carried.addAll(labels);
                for (String l : s.labels()) {
                    if (!labels.contains(l) && !SCRAPE_LABELS.contains(l)) {
                        problems.add(p.where() + ": " + s.metric() + " has no label " + l + " (it has " + labels + ")");
                    }
                }
            }
            for (String l : p.grouping()) {
                if (!carried.contains(l)) {
                    problems.add(p.where() + ": groups by " + l + ", which none of its metrics carries");
                }
            }
        }
        return problems;
    }
}

// Command promql-inspect reads PromQL and metrics with Prometheus's own parsers, for
// greenloop's tests, which check that dashboards and alerts use only what the functions export.
//
//	promql-inspect exprs            stdin: a JSON array of {"where", "expr"}; stdout: a JSON array of
//	                                {"where", "expr", "error", "selectors": [{"metric", "labels"}], "grouping"}:
//	                                the metric names each expression selects with the label names each
//	                                selector matches on, and the labels its aggregations (by, without) and
//	                                vector matchings (on, ignoring, group_left, group_right) use. An
//	                                expression that does not parse has "error" (exit code 0 all the same).
//	promql-inspect families FILE... each FILE a scrape in Prometheus's text format; stdout: a JSON object
//	                                of every series name (a histogram's _bucket, _sum and _count, a
//	                                summary's _sum and _count) to the label names its samples carry.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

type input struct {
	Where string `json:"where"`
	Expr  string `json:"expr"`
}

type selector struct {
	Metric string   `json:"metric"`
	Labels []string `json:"labels"`
}

type output struct {
	Where     string     `json:"where"`
	Expr      string     `json:"expr"`
	Error     string     `json:"error,omitempty"`
	Selectors []selector `json:"selectors"`
	Grouping  []string   `json:"grouping"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: promql-inspect exprs < expressions.json | promql-inspect families FILE...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "exprs":
		exprs()
	case "families":
		families(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "promql-inspect: unknown mode", os.Args[1])
		os.Exit(2)
	}
}

func families(files []string) {
	names := map[string]map[string]bool{}
	add := func(name string, m *dto.Metric, extra ...string) {
		set, ok := names[name]
		if !ok {
			set = map[string]bool{}
			names[name] = set
		}
		for _, l := range m.GetLabel() {
			set[l.GetName()] = true
		}
		for _, e := range extra {
			set[e] = true
		}
	}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "promql-inspect:", err)
			os.Exit(2)
		}
		tp := expfmt.NewTextParser(model.LegacyValidation)
		parsed, err := tp.TextToMetricFamilies(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "promql-inspect:", file, "is not in Prometheus's text format:", err)
			os.Exit(1)
		}
		for name, family := range parsed {
			for _, m := range family.GetMetric() {
				switch family.GetType() {
				case dto.MetricType_HISTOGRAM:
					add(name+"_bucket", m, "le")
					add(name+"_sum", m)
					add(name+"_count", m)
				case dto.MetricType_SUMMARY:
					add(name, m, "quantile")
					add(name+"_sum", m)
					add(name+"_count", m)
				default:
					add(name, m)
				}
			}
		}
	}
	out := map[string][]string{}
	for name, set := range names {
		labels := []string{}
		for l := range set {
			labels = append(labels, l)
		}
		sort.Strings(labels)
		out[name] = labels
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "promql-inspect:", err)
		os.Exit(2)
	}
}

func exprs() {
	var in []input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "promql-inspect: stdin is not a JSON array of {where, expr}:", err)
		os.Exit(2)
	}
	p := parser.NewParser(parser.Options{})
	out := make([]output, 0, len(in))
	for _, e := range in {
		out = append(out, inspect(p, e))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "promql-inspect:", err)
		os.Exit(2)
	}
}

func inspect(p parser.Parser, e input) output {
	o := output{Where: e.Where, Expr: e.Expr, Selectors: []selector{}, Grouping: []string{}}
	expr, err := p.ParseExpr(e.Expr)
	if err != nil {
		o.Error = err.Error()
		return o
	}
	grouping := map[string]bool{}
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		switch v := n.(type) {
		case *parser.VectorSelector:
			s := selector{Labels: []string{}}
			for _, m := range v.LabelMatchers {
				if m.Name == labels.MetricName {
					if m.Type == labels.MatchEqual {
						s.Metric = m.Value
					}
					continue
				}
				s.Labels = append(s.Labels, m.Name)
			}
			sort.Strings(s.Labels)
			o.Selectors = append(o.Selectors, s)
		case *parser.AggregateExpr:
			for _, l := range v.Grouping {
				grouping[l] = true
			}
		case *parser.BinaryExpr:
			if v.VectorMatching != nil {
				for _, l := range v.VectorMatching.MatchingLabels {
					grouping[l] = true
				}
				for _, l := range v.VectorMatching.Include {
					grouping[l] = true
				}
			}
		}
		return nil
	})
	for l := range grouping {
		o.Grouping = append(o.Grouping, l)
	}
	sort.Strings(o.Grouping)
	return o
}

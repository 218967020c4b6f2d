// Command k8s-validate strictly decodes rendered manifests (`helm template` output) into the Go
// types of the API servers that will receive them, as `kubectl apply --validate=strict` would:
// an unknown or duplicate field, a wrong type or a kind the chart should not render is an error.
//
// Why it exists beside kubernetes-validate (the Kubernetes JSON schemas, from PyPI): no registry
// package ships schemas for the prometheus-operator CRDs (ServiceMonitor, PrometheusRule), and
// their Go types, from which the operator generates those CRDs, are a Go module. Built-in kinds
// are decoded too, which makes a kind outside the list below an error rather than a schema
// validator's "no schema found" warning. References between objects are asserted by the
// helm-unittest suites; PromQL is parsed by scripts/chart-checks.py.
//
// Usage: k8s-validate FILE... Prints one line per problem; exit 1 if any.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: k8s-validate FILE...")
		os.Exit(2)
	}
	// The API groups the chart renders; anything else is refused.
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, autoscalingv2.AddToScheme, monitoringv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	decoder := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
		json.SerializerOptions{Yaml: true, Strict: true})

	objects, problems := 0, 0
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
		for i := 0; ; i++ {
			doc, err := reader.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err == nil && isEmpty(doc) {
				continue
			}
			if err == nil {
				objects++
				_, gvk, derr := decoder.Decode(doc, nil, nil)
				err = derr
				if err != nil && gvk != nil {
					err = fmt.Errorf("%s: %w", gvk.Kind, err)
				}
			}
			if err != nil {
				problems++
				fmt.Printf("ERROR %s#%d: %v\n", name, i, err)
			}
		}
		f.Close()
	}
	if problems > 0 || objects == 0 {
		fmt.Printf("k8s-validate: %d object(s), %d problem(s)\n", objects, problems)
		os.Exit(1)
	}
	fmt.Printf("k8s-validate: %d object(s) decoded strictly\n", objects)
}

// isEmpty: a document of only comments and separators (helm writes one for an empty template).
func isEmpty(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		if t := strings.TrimSpace(line); t != "" && t != "---" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

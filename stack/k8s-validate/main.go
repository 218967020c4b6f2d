// Command k8s-validate checks rendered Kubernetes manifests (e.g. `helm template` output) offline.
//
// It complements the JSON-schema check done by kubernetes-validate with what a schema cannot see:
//   - strict decoding into the real API types (k8s.io/api and the prometheus-operator
//     monitoring.coreos.com/v1 types): unknown or duplicate fields, wrong types and unknown kinds
//     are errors, as with `kubectl apply --validate=strict`;
//   - the API server's object-metadata rules (names, labels, annotations);
//   - references between the rendered objects: selectors that match the pods, named ports that
//     exist, volumes that are mounted, Ingress/HPA/ServiceMonitor targets that were rendered;
//   - PromQL syntax and durations of PrometheusRule rules.
//
// Usage: k8s-validate FILE... ("-" reads stdin). Prints one line per problem; exit 1 if any.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

type object struct {
	source string // file:document index, for messages
	obj    runtime.Object
	kind   string
	name   string
}

type checker struct {
	problems []string
	objects  []object
}

func (c *checker) fail(o object, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf("%s %s/%s: %s", o.source, o.kind, o.name, fmt.Sprintf(format, args...)))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: k8s-validate FILE... (- for stdin)")
		os.Exit(2)
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, monitoringv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	decoder := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
		json.SerializerOptions{Yaml: true, Strict: true})

	c := &checker{}
	for _, name := range os.Args[1:] {
		var r io.Reader
		if name == "-" {
			r = os.Stdin
		} else {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			defer f.Close()
			r = f
		}
		c.decodeAll(name, r, decoder)
	}
	c.checkReferences()

	for _, p := range c.problems {
		fmt.Println("ERROR", p)
	}
	if len(c.problems) > 0 {
		fmt.Printf("k8s-validate: %d object(s), %d problem(s)\n", len(c.objects), len(c.problems))
		os.Exit(1)
	}
	fmt.Printf("k8s-validate: %d object(s) valid\n", len(c.objects))
}

func (c *checker) decodeAll(file string, r io.Reader, decoder runtime.Decoder) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	for i := 0; ; i++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		src := fmt.Sprintf("%s#%d", file, i)
		if err != nil {
			c.problems = append(c.problems, fmt.Sprintf("%s: cannot read YAML: %v", src, err))
			return
		}
		if isEmptyDocument(doc) {
			continue
		}
		obj, gvk, err := decoder.Decode(doc, nil, nil)
		kind, name := "?", "?"
		if gvk != nil {
			kind = gvk.Kind
		}
		if obj != nil {
			if acc, aerr := meta.Accessor(obj); aerr == nil {
				name = acc.GetName()
			}
		}
		o := object{source: src, obj: obj, kind: kind, name: name}
		if err != nil {
			// A strict-decoding error still returns the decoded object; keep checking it.
			c.fail(o, "%v", err)
			if obj == nil || !runtime.IsStrictDecodingError(err) {
				continue
			}
		}
		c.objects = append(c.objects, o)
		c.checkMetadata(o)
		c.checkObject(o)
	}
}

func isEmptyDocument(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		t := strings.TrimSpace(string(line))
		if t != "" && !strings.HasPrefix(t, "#") && t != "---" {
			return false
		}
	}
	return true
}

func (c *checker) checkMetadata(o object) {
	acc, err := meta.Accessor(o.obj)
	if err != nil {
		c.fail(o, "no object metadata: %v", err)
		return
	}
	nameFn := apivalidation.NameIsDNSSubdomain
	if o.kind == "Service" {
		nameFn = apivalidation.NameIsDNS1035Label
	}
	for _, e := range apivalidation.ValidateObjectMetaAccessor(acc, acc.GetNamespace() != "", nameFn, field.NewPath("metadata")) {
		c.fail(o, "%v", e)
	}
}

func (c *checker) checkObject(o object) {
	switch obj := o.obj.(type) {
	case *appsv1.Deployment:
		c.checkPodTemplate(o, obj.Spec.Selector, &obj.Spec.Template)
	case *appsv1.StatefulSet:
		c.checkPodTemplate(o, obj.Spec.Selector, &obj.Spec.Template)
	case *appsv1.DaemonSet:
		c.checkPodTemplate(o, obj.Spec.Selector, &obj.Spec.Template)
	case *corev1.Service:
		for _, p := range obj.Spec.Ports {
			if p.Name != "" {
				c.portName(o, "spec.ports.name", p.Name)
			}
			if p.TargetPort.Type == intstr.String {
				c.portName(o, "spec.ports.targetPort", p.TargetPort.StrVal)
			}
		}
	case *corev1.ConfigMap:
		for k := range obj.Data {
			for _, msg := range validation.IsConfigMapKey(k) {
				c.fail(o, "data key %q: %s", k, msg)
			}
		}
	case *corev1.Secret:
		for k := range obj.Data {
			for _, msg := range validation.IsConfigMapKey(k) {
				c.fail(o, "data key %q: %s", k, msg)
			}
		}
		for k := range obj.StringData {
			for _, msg := range validation.IsConfigMapKey(k) {
				c.fail(o, "stringData key %q: %s", k, msg)
			}
		}
	case *networkingv1.Ingress:
		for _, rule := range obj.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				if !strings.HasPrefix(p.Path, "/") {
					c.fail(o, "path %q must start with /", p.Path)
				}
				if p.PathType == nil {
					c.fail(o, "path %q has no pathType", p.Path)
				}
			}
		}
	case *policyv1.PodDisruptionBudget:
		if (obj.Spec.MinAvailable == nil) == (obj.Spec.MaxUnavailable == nil) {
			c.fail(o, "exactly one of minAvailable and maxUnavailable must be set")
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if obj.Spec.MinReplicas != nil && *obj.Spec.MinReplicas > obj.Spec.MaxReplicas {
			c.fail(o, "minReplicas %d > maxReplicas %d", *obj.Spec.MinReplicas, obj.Spec.MaxReplicas)
		}
		if len(obj.Spec.Metrics) == 0 {
			c.fail(o, "no metrics")
		}
	case *monitoringv1.PrometheusRule:
		c.checkRules(o, obj)
	case *monitoringv1.ServiceMonitor:
		if len(obj.Spec.Endpoints) == 0 {
			c.fail(o, "no endpoints")
		}
		for _, ep := range obj.Spec.Endpoints {
			if ep.Interval != "" {
				if _, err := model.ParseDuration(string(ep.Interval)); err != nil {
					c.fail(o, "interval %q: %v", ep.Interval, err)
				}
			}
			if ep.ScrapeTimeout != "" {
				if _, err := model.ParseDuration(string(ep.ScrapeTimeout)); err != nil {
					c.fail(o, "scrapeTimeout %q: %v", ep.ScrapeTimeout, err)
				}
			}
		}
	}
}

func (c *checker) portName(o object, where, name string) {
	for _, msg := range validation.IsValidPortName(name) {
		c.fail(o, "%s %q: %s", where, name, msg)
	}
}

func (c *checker) checkPodTemplate(o object, selector *metav1.LabelSelector, tpl *corev1.PodTemplateSpec) {
	sel, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil || sel.Empty() {
		c.fail(o, "spec.selector is empty or invalid: %v", err)
	} else if !sel.Matches(labels.Set(tpl.Labels)) {
		c.fail(o, "spec.selector %s does not match the pod template labels %v", sel, tpl.Labels)
	}
	volumes := map[string]bool{}
	for _, v := range tpl.Spec.Volumes {
		if volumes[v.Name] {
			c.fail(o, "volume %q defined twice", v.Name)
		}
		volumes[v.Name] = true
	}
	all := append(append([]corev1.Container{}, tpl.Spec.InitContainers...), tpl.Spec.Containers...)
	if len(tpl.Spec.Containers) == 0 {
		c.fail(o, "no containers")
	}
	names := map[string]bool{}
	for _, ctr := range all {
		for _, msg := range validation.IsDNS1123Label(ctr.Name) {
			c.fail(o, "container name %q: %s", ctr.Name, msg)
		}
		if names[ctr.Name] {
			c.fail(o, "container name %q used twice", ctr.Name)
		}
		names[ctr.Name] = true
		if ctr.Image == "" {
			c.fail(o, "container %q has no image", ctr.Name)
		}
		ports := map[string]bool{}
		for _, p := range ctr.Ports {
			if p.Name != "" {
				c.portName(o, "container "+ctr.Name+" port", p.Name)
				ports[p.Name] = true
			}
		}
		for _, probe := range []struct {
			what  string
			probe *corev1.Probe
		}{{"livenessProbe", ctr.LivenessProbe}, {"readinessProbe", ctr.ReadinessProbe}, {"startupProbe", ctr.StartupProbe}} {
			if probe.probe == nil || probe.probe.HTTPGet == nil {
				continue
			}
			if p := probe.probe.HTTPGet.Port; p.Type == intstr.String && !ports[p.StrVal] {
				c.fail(o, "container %q %s uses port %q, which the container does not declare", ctr.Name, probe.what, p.StrVal)
			}
		}
		for _, m := range ctr.VolumeMounts {
			if !volumes[m.Name] {
				c.fail(o, "container %q mounts volume %q, which is not defined", ctr.Name, m.Name)
			}
		}
		for _, e := range ctr.Env {
			for _, msg := range validation.IsEnvVarName(e.Name) {
				c.fail(o, "container %q env %q: %s", ctr.Name, e.Name, msg)
			}
		}
	}
}

func (c *checker) checkRules(o object, pr *monitoringv1.PrometheusRule) {
	p := parser.NewParser(parser.Options{})
	groups := map[string]bool{}
	for _, g := range pr.Spec.Groups {
		if g.Name == "" || groups[g.Name] {
			c.fail(o, "rule group name %q is empty or repeated", g.Name)
		}
		groups[g.Name] = true
		for i, r := range g.Rules {
			id := fmt.Sprintf("group %q rule %d (%s%s)", g.Name, i, r.Alert, r.Record)
			if (r.Alert == "") == (r.Record == "") {
				c.fail(o, "%s: exactly one of alert and record must be set", id)
			}
			if r.Record != "" && !model.UTF8Validation.IsValidMetricName(r.Record) {
				c.fail(o, "%s: record is not a valid metric name", id)
			}
			if _, err := p.ParseExpr(r.Expr.String()); err != nil {
				c.fail(o, "%s: expr does not parse: %v", id, err)
			}
			if r.For != nil {
				if _, err := model.ParseDuration(string(*r.For)); err != nil {
					c.fail(o, "%s: for %q: %v", id, *r.For, err)
				}
			}
			for k := range r.Labels {
				if !model.LegacyValidation.IsValidLabelName(k) {
					c.fail(o, "%s: label name %q is invalid", id, k)
				}
			}
			if r.Alert != "" {
				for _, k := range []string{"summary", "description"} {
					if strings.TrimSpace(r.Annotations[k]) == "" {
						c.fail(o, "%s: annotation %q is missing", id, k)
					}
				}
			}
		}
	}
}

// checkReferences checks links between the rendered objects (same namespace assumed, as in one
// release).
func (c *checker) checkReferences() {
	type podOwner struct {
		o   object
		tpl *corev1.PodTemplateSpec
	}
	var owners []podOwner
	services := map[string]*corev1.Service{}
	for _, o := range c.objects {
		switch obj := o.obj.(type) {
		case *appsv1.Deployment:
			owners = append(owners, podOwner{o, &obj.Spec.Template})
		case *appsv1.StatefulSet:
			owners = append(owners, podOwner{o, &obj.Spec.Template})
		case *corev1.Service:
			services[obj.Name] = obj
		}
	}
	podsMatching := func(sel labels.Selector) []podOwner {
		var out []podOwner
		for _, w := range owners {
			if sel.Matches(labels.Set(w.tpl.Labels)) {
				out = append(out, w)
			}
		}
		return out
	}
	containerPorts := func(ws []podOwner) map[string]bool {
		out := map[string]bool{}
		for _, w := range ws {
			for _, ctr := range w.tpl.Spec.Containers {
				for _, p := range ctr.Ports {
					out[p.Name] = true
				}
			}
		}
		return out
	}

	for _, o := range c.objects {
		switch obj := o.obj.(type) {
		case *corev1.Service:
			if len(obj.Spec.Selector) == 0 {
				continue
			}
			ws := podsMatching(labels.SelectorFromSet(obj.Spec.Selector))
			if len(ws) == 0 {
				c.fail(o, "selector %v matches no rendered pod template", obj.Spec.Selector)
				continue
			}
			ports := containerPorts(ws)
			for _, p := range obj.Spec.Ports {
				if p.TargetPort.Type == intstr.String && !ports[p.TargetPort.StrVal] {
					c.fail(o, "targetPort %q is not a named container port", p.TargetPort.StrVal)
				}
			}
		case *networkingv1.Ingress:
			for _, rule := range obj.Spec.Rules {
				if rule.HTTP == nil {
					continue
				}
				for _, p := range rule.HTTP.Paths {
					c.checkBackend(o, services, p.Path, p.Backend)
				}
			}
			if obj.Spec.DefaultBackend != nil {
				c.checkBackend(o, services, "(default)", *obj.Spec.DefaultBackend)
			}
		case *policyv1.PodDisruptionBudget:
			sel, err := metav1.LabelSelectorAsSelector(obj.Spec.Selector)
			if err != nil || sel.Empty() || len(podsMatching(sel)) == 0 {
				c.fail(o, "selector matches no rendered pod template")
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			ref := obj.Spec.ScaleTargetRef
			found := false
			for _, w := range owners {
				if w.o.kind == ref.Kind && w.o.name == ref.Name {
					found = true
				}
			}
			if !found {
				c.fail(o, "scaleTargetRef %s/%s was not rendered", ref.Kind, ref.Name)
			}
		case *monitoringv1.ServiceMonitor:
			sel, err := metav1.LabelSelectorAsSelector(&obj.Spec.Selector)
			if err != nil || sel.Empty() {
				c.fail(o, "selector is empty or invalid")
				continue
			}
			var matched []*corev1.Service
			for _, s := range services {
				if sel.Matches(labels.Set(s.Labels)) {
					matched = append(matched, s)
				}
			}
			if len(matched) == 0 {
				c.fail(o, "selector %s matches no rendered Service", sel)
				continue
			}
			for _, ep := range obj.Spec.Endpoints {
				if ep.Port == "" {
					continue
				}
				for _, s := range matched {
					if !servicePortNames(s)[ep.Port] {
						c.fail(o, "endpoint port %q is not a port of Service %s", ep.Port, s.Name)
					}
				}
			}
		}
	}
}

func servicePortNames(s *corev1.Service) map[string]bool {
	out := map[string]bool{}
	for _, p := range s.Spec.Ports {
		out[p.Name] = true
	}
	return out
}

func (c *checker) checkBackend(o object, services map[string]*corev1.Service, path string, b networkingv1.IngressBackend) {
	if b.Service == nil {
		return
	}
	s, ok := services[b.Service.Name]
	if !ok {
		c.fail(o, "path %s: backend Service %q was not rendered", path, b.Service.Name)
		return
	}
	if b.Service.Port.Name != "" && !servicePortNames(s)[b.Service.Port.Name] {
		names := make([]string, 0)
		for n := range servicePortNames(s) {
			names = append(names, n)
		}
		sort.Strings(names)
		c.fail(o, "path %s: Service %s has no port named %q (has %v)", path, s.Name, b.Service.Port.Name, names)
	}
	if b.Service.Port.Number != 0 {
		found := false
		for _, p := range s.Spec.Ports {
			if p.Port == b.Service.Port.Number {
				found = true
			}
		}
		if !found {
			c.fail(o, "path %s: Service %s has no port %d", path, s.Name, b.Service.Port.Number)
		}
	}
}

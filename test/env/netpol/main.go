// Command netpol judges flows against Kubernetes NetworkPolicies with the matcher of
// github.com/mattfenwick/cyclonus (the evaluator the SIG Network Policy API's policy-assistant grew
// from), without a cluster. It reads one JSON document on stdin: the policies as the API server
// returns them and the flows to judge (source and destination: a pod with its namespace, namespace
// labels, pod labels and IP, or an address outside the cluster; port and protocol). It writes one
// JSON document: the engine's module version and, per flow, the verdict of each direction with the
// policies that select the pod and the ones among them whose rules allow the flow.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"sort"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

const engineModule = "github.com/mattfenwick/cyclonus"

type peer struct {
	// Namespace is empty for an address outside the cluster.
	Namespace       string            `json:"namespace,omitempty"`
	NamespaceLabels map[string]string `json:"namespaceLabels,omitempty"`
	PodLabels       map[string]string `json:"podLabels,omitempty"`
	IP              string            `json:"ip"`
}

type flow struct {
	ID          string      `json:"id"`
	Source      peer        `json:"source"`
	Destination peer        `json:"destination"`
	Port        int         `json:"port"`
	PortName    string      `json:"portName,omitempty"`
	Protocol    v1.Protocol `json:"protocol"`
}

type input struct {
	Policies []*networkingv1.NetworkPolicy `json:"policies"`
	Flows    []flow                        `json:"flows"`
}

type direction struct {
	Allowed bool `json:"allowed"`
	// SelectedBy names (namespace/name) the policies of this direction that select the pod; none means the direction is not isolated.
	SelectedBy []string `json:"selectedBy"`
	// AllowedBy names the policies among them whose rules allow the flow.
	AllowedBy []string `json:"allowedBy"`
}

type verdict struct {
	ID      string    `json:"id"`
	Allowed bool      `json:"allowed"`
	Egress  direction `json:"egress"`
	Ingress direction `json:"ingress"`
	Error   string    `json:"error,omitempty"`
}

type output struct {
	Engine  string    `json:"engine"`
	Version string    `json:"version"`
	Results []verdict `json:"results"`
}

func trafficPeer(p peer) *matcher.TrafficPeer {
	if p.Namespace == "" {
		return &matcher.TrafficPeer{IP: p.IP}
	}
	return &matcher.TrafficPeer{
		IP:       p.IP,
		Internal: &matcher.InternalPeer{Namespace: p.Namespace, NamespaceLabels: p.NamespaceLabels, PodLabels: p.PodLabels},
	}
}

type single struct {
	name   string
	policy *matcher.Policy
}

// judgeDirection takes the verdict from the engine's model of all policies together, and asks it
// once per policy which ones select the pod and which allow the flow, so a verdict names its rules.
func judgeDirection(all *matcher.Policy, each []single, traffic *matcher.Traffic, isIngress bool) direction {
	d := direction{Allowed: all.IsIngressOrEgressAllowed(traffic, isIngress).IsAllowed(), SelectedBy: []string{}, AllowedBy: []string{}}
	for _, s := range each {
		r := s.policy.IsIngressOrEgressAllowed(traffic, isIngress)
		if len(r.AllowingTargets) > 0 {
			d.AllowedBy = append(d.AllowedBy, s.name)
		}
		if len(r.AllowingTargets)+len(r.DenyingTargets) > 0 {
			d.SelectedBy = append(d.SelectedBy, s.name)
		}
	}
	return d
}

// judge evaluates one flow; the engine panics on an address it cannot parse, which becomes the flow's error.
func judge(all *matcher.Policy, each []single, f flow) (v verdict) {
	v.ID = f.ID
	defer func() {
		if r := recover(); r != nil {
			v = verdict{ID: f.ID, Error: fmt.Sprint(r)}
		}
	}()
	traffic := &matcher.Traffic{
		Source:           trafficPeer(f.Source),
		Destination:      trafficPeer(f.Destination),
		ResolvedPort:     f.Port,
		ResolvedPortName: f.PortName,
		Protocol:         f.Protocol,
	}
	v.Egress = judgeDirection(all, each, traffic, false)
	v.Ingress = judgeDirection(all, each, traffic, true)
	v.Allowed = v.Egress.Allowed && v.Ingress.Allowed
	return v
}

func engineVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == engineModule {
			return dep.Version
		}
	}
	return "unknown"
}

func run() error {
	var in input
	dec := json.NewDecoder(os.Stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("reading the input: %w", err)
	}
	for _, p := range in.Policies {
		// The engine's builder panics on a policy without types; the API server always fills them in.
		if len(p.Spec.PolicyTypes) == 0 {
			return fmt.Errorf("policy %s/%s has no policyTypes", p.Namespace, p.Name)
		}
	}
	all := matcher.BuildNetworkPolicies(false, in.Policies)
	each := make([]single, 0, len(in.Policies))
	for _, p := range in.Policies {
		each = append(each, single{name: p.Namespace + "/" + p.Name, policy: matcher.BuildNetworkPolicies(false, []*networkingv1.NetworkPolicy{p})})
	}
	sort.SliceStable(each, func(i, j int) bool { return each[i].name < each[j].name })
	out := output{Engine: engineModule, Version: engineVersion(), Results: make([]verdict, 0, len(in.Flows))}
	for _, f := range in.Flows {
		out.Results = append(out.Results, judge(all, each, f))
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(out)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "netpol:", err)
		os.Exit(1)
	}
}

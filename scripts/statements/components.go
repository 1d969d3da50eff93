package main

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

type componentDef struct {
	Name      string
	Formatter string // calico | logrus-text
	Reach     bool
	Dirs      []string
}

func readComponents(p string) ([]componentDef, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var res []componentDef
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 4 || (fs[1] != "calico" && fs[1] != "logrus-text") || (fs[2] != "reach" && fs[2] != "only") {
			return nil, fmt.Errorf("%s:%d: want component<TAB>calico|logrus-text<TAB>reach|only<TAB>dirs", p, n)
		}
		res = append(res, componentDef{Name: fs[0], Formatter: fs[1], Reach: fs[2] == "reach", Dirs: strings.Fields(fs[3])})
	}
	return res, sc.Err()
}

// attribute maps every package directory of a release to the components that run it.
func attribute(defs []componentDef, pkgs map[string]*pkgResult, sources []*Source) map[string][]string {
	// import path -> library dir
	resolve := func(imp string) (string, bool) {
		best := ""
		var bestSrc *Source
		for _, s := range sources {
			if s.Module == "" {
				continue
			}
			if imp == s.Module || strings.HasPrefix(imp, s.Module+"/") {
				if len(s.Module) > len(best) {
					best, bestSrc = s.Module, s
				}
			}
		}
		if bestSrc == nil {
			return "", false
		}
		d := bestSrc.Mount + strings.TrimPrefix(strings.TrimPrefix(imp, best), "/")
		d = strings.TrimSuffix(d, "/")
		if _, ok := pkgs[d]; ok {
			return d, true
		}
		return "", false
	}
	edges := map[string][]string{}
	for d, p := range pkgs {
		for _, imp := range p.Imports {
			if t, ok := resolve(imp); ok {
				edges[d] = append(edges[d], t)
			}
		}
	}
	comps := map[string]map[string]bool{}
	for _, def := range defs {
		var queue []string
		seen := map[string]bool{}
		for _, d := range def.Dirs {
			if _, ok := pkgs[d]; ok && !seen[d] {
				seen[d] = true
				queue = append(queue, d)
			}
		}
		for len(queue) > 0 {
			d := queue[0]
			queue = queue[1:]
			if comps[d] == nil {
				comps[d] = map[string]bool{}
			}
			comps[d][def.Name] = true
			if !def.Reach {
				continue
			}
			for _, t := range edges[d] {
				if !seen[t] {
					seen[t] = true
					queue = append(queue, t)
				}
			}
		}
	}
	out := map[string][]string{}
	for d := range pkgs {
		var cs []string
		for c := range comps[d] {
			cs = append(cs, c)
		}
		if len(cs) == 0 {
			cs = []string{strings.SplitN(d, "/", 2)[0]}
		}
		sort.Strings(cs)
		out[d] = cs
	}
	return out
}

// printedLabel is the file label the component's formatter prints for a site in a release.
//   - Calico formatter: `<component>/<base>` when the release registers the component name
//     with the formatter (logutils.Formatter{Component: ...} or ConfigureFormatter), else `<base>`.
//   - From v3.29 the caller comes from logrus' ReportCaller (libcalico-go logutils init), which
//     stops at the first frame outside logrus: a RateLimitedLogger call prints its wrapper,
//     `ratelimitedlogger.go`. Before, logutils.ContextHook skipped that file.
//   - logrus TextFormatter (calico-apiserver): `file="...path/<base>:line"` only with
//     ReportCaller (v3.29+), else no file at all ("").
//   - klog prints the base name; BIRD prints no file.
func printedLabel(kind, file, component, formatter string, registered map[string]bool, nativeCaller, rateLimited bool) string {
	base := path.Base(file)
	switch kind {
	case "bird":
		return ""
	case "klog", "klogs":
		return base
	}
	if rateLimited && nativeCaller {
		base = "ratelimitedlogger.go"
	}
	if formatter == "logrus-text" {
		if nativeCaller {
			return base
		}
		return ""
	}
	if registered[component] {
		return component + "/" + base
	}
	return base
}

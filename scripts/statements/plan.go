package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Source is one repository snapshot that feeds a release.
type Source struct {
	Name   string // felix, libcalico-go, calico, bird, ...
	Repo   string // owner/name
	Ref    string // the tag, pinned version or branch that was asked for
	Commit string // full hash
	Mount  string // path prefix of its files in the library ("" for the monorepo, "felix/" ...)
	Module string // Go module path (empty for BIRD)
	Via    string // how Ref was chosen: tag, node go.mod pin, node Makefile, override
}

// Release is one Calico release and the sources it was built from.
type Release struct {
	Name    string
	Layout  string // legacy | monorepo
	Sources []*Source
}

type planLine struct {
	release   string
	layout    string
	overrides map[string]string // name -> repo@ref
}

func readPlan(path string) ([]planLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var res []planLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fs := strings.Fields(line)
		if len(fs) == 0 {
			continue
		}
		if len(fs) < 2 {
			return nil, fmt.Errorf("%s: want `release layout [name=owner/repo@ref ...]`: %q", path, sc.Text())
		}
		pl := planLine{release: fs[0], layout: fs[1], overrides: map[string]string{}}
		if pl.layout != "legacy" && pl.layout != "monorepo" {
			return nil, fmt.Errorf("%s: unknown layout %q", path, pl.layout)
		}
		for _, o := range fs[2:] {
			k, v, ok := strings.Cut(o, "=")
			if !ok || !strings.Contains(v, "@") {
				return nil, fmt.Errorf("%s: bad override %q", path, o)
			}
			pl.overrides[k] = v
		}
		res = append(res, pl)
	}
	return res, sc.Err()
}

var (
	rePseudo    = regexp.MustCompile(`-([0-9a-f]{12})$`)
	reSemver    = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
	reBirdMake  = regexp.MustCompile(`(?m)^BIRD_VER(?:SION)?\s*\??=\s*(\S+)`)
	reModule    = regexp.MustCompile(`(?m)^module\s+(\S+)`)
	legacyRepos = []string{"felix", "typha", "kube-controllers", "cni-plugin", "node"}
)

// refOfVersion turns a Go module version into a git ref: a pseudo-version's hash, else the tag.
func refOfVersion(v string) string {
	if m := rePseudo.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return v
}

func goModPin(gomod, module string) string {
	// replace lines win: `A => B v` (projectcalico/confd replaces kelseyhightower/confd).
	for _, line := range strings.Split(gomod, "\n") {
		fs := strings.Fields(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "replace")))
		if len(fs) == 4 && fs[1] == "=>" && fs[2] == module {
			return fs[3]
		}
		if len(fs) == 4 && fs[1] == "=>" && fs[0] == module {
			return fs[3]
		}
	}
	for _, line := range strings.Split(gomod, "\n") {
		fs := strings.Fields(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "require")))
		if len(fs) >= 2 && fs[0] == module {
			return fs[1]
		}
	}
	return ""
}

func resolvePlan(mirrors string, lines []planLine) ([]*Release, error) {
	var rels []*Release
	for _, pl := range lines {
		r := &Release{Name: pl.release, Layout: pl.layout}
		add := func(name, repo, ref, mount, via string) error {
			if o, ok := pl.overrides[name]; ok {
				wanted := ref
				repo, ref, _ = strings.Cut(o, "@")
				via = "override in releases.tsv (" + via + ": " + wanted + ")"
			}
			gd := repoDir(mirrors, repo)
			c, err := resolveCommit(gd, ref)
			if err != nil || c == "" {
				return fmt.Errorf("%s: %s %s@%s not in the mirror (%v); add an override `%s=owner/repo@ref` in releases.tsv", pl.release, name, repo, ref, err, name)
			}
			s := &Source{Name: name, Repo: repo, Ref: ref, Commit: c, Mount: mount, Via: via}
			if name != "bird" {
				gm, err := gitOut(gd, "show", c+":go.mod")
				if err != nil {
					return err
				}
				m := reModule.FindStringSubmatch(gm)
				if m == nil {
					return fmt.Errorf("%s: no module line in %s go.mod", pl.release, repo)
				}
				s.Module = m[1]
			}
			r.Sources = append(r.Sources, s)
			return nil
		}
		birdFrom := func(gd, commit string, files ...string) (string, error) {
			for _, f := range files {
				txt, err := gitOut(gd, "show", commit+":"+f)
				if err != nil {
					continue
				}
				if m := reBirdMake.FindStringSubmatch(txt); m != nil {
					return m[1], nil // git rev-parse reads describe names (v0.3.3-151-g767b5389)
				}
			}
			return "", fmt.Errorf("%s: no BIRD_VERSION in %v", pl.release, files)
		}
		switch pl.layout {
		case "monorepo":
			if err := add("calico", "projectcalico/calico", pl.release, "", "tag"); err != nil {
				return nil, err
			}
			cal := r.Sources[0]
			bref, err := birdFrom(repoDir(mirrors, cal.Repo), cal.Commit, "node/Makefile", "metadata.mk")
			if err != nil {
				return nil, err
			}
			if err := add("bird", "projectcalico/bird", bref, "bird/", "BIRD_VERSION"); err != nil {
				return nil, err
			}
		case "legacy":
			nodeGD := repoDir(mirrors, "projectcalico/node")
			nodeCommit, err := resolveCommit(nodeGD, pl.release)
			if err != nil {
				return nil, fmt.Errorf("%s: projectcalico/node has no tag %s", pl.release, pl.release)
			}
			gomod, err := gitOut(nodeGD, "show", nodeCommit+":go.mod")
			if err != nil {
				return nil, err
			}
			for _, name := range legacyRepos {
				repo := "projectcalico/" + name
				ref, via := pl.release, "tag"
				if _, err := resolveCommit(repoDir(mirrors, repo), ref); err != nil {
					if pin := goModPin(gomod, "github.com/projectcalico/"+name); pin != "" {
						ref, via = refOfVersion(pin), "node go.mod pin "+pin
					}
				}
				if err := add(name, repo, ref, name+"/", via); err != nil {
					return nil, err
				}
			}
			for _, p := range []struct{ name, module string }{
				{"libcalico-go", "github.com/projectcalico/libcalico-go"},
				{"confd", "github.com/kelseyhightower/confd"},
			} {
				pin := goModPin(gomod, p.module)
				if pin == "" {
					return nil, fmt.Errorf("%s: node go.mod does not pin %s", pl.release, p.module)
				}
				if err := add(p.name, "projectcalico/"+p.name, refOfVersion(pin), p.name+"/", "node go.mod pin "+pin); err != nil {
					return nil, err
				}
			}
			if _, err := resolveCommit(repoDir(mirrors, "projectcalico/apiserver"), pl.release); err == nil {
				if err := add("apiserver", "projectcalico/apiserver", pl.release, "apiserver/", "tag"); err != nil {
					return nil, err
				}
			}
			bref, err := birdFrom(nodeGD, nodeCommit, "Makefile")
			if err != nil {
				return nil, err
			}
			if err := add("bird", "projectcalico/bird", bref, "bird/", "node Makefile BIRD_VERSION"); err != nil {
				return nil, err
			}
		}
		rels = append(rels, r)
	}
	sort.SliceStable(rels, func(i, j int) bool { return versionLess(rels[i].Name, rels[j].Name) })
	return rels, nil
}

func versionParts(v string) []int {
	v = strings.TrimPrefix(v, "v")
	var res []int
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == '.' || r == '-' }) {
		n, err := strconv.Atoi(p)
		if err != nil {
			n = -1
		}
		res = append(res, n)
	}
	return res
}

func versionLess(a, b string) bool {
	pa, pb := versionParts(a), versionParts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

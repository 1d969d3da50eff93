// Command statements builds logsift's Calico statement library: every log statement Calico's
// code can print (logrus, klog, BIRD), read from the source of each covered release with go/ast
// (Go) and a small tokenizer (BIRD's C), written as deterministic gzip'd NDJSON. See
// docs/STATEMENTS.md.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	mirrors := flag.String("mirrors", os.Getenv("LOGSIFT_CALICO_MIRRORS"), "directory holding <owner>+<name>/repo bare git mirrors (default $LOGSIFT_CALICO_MIRRORS)")
	releases := flag.String("releases", "releases.tsv", "release plan")
	components := flag.String("components", "components.tsv", "component roots")
	categories := flag.String("categories", "categories.tsv", "curated category overrides")
	out := flag.String("out", "", "output file (.ndjson.gz)")
	quiet := flag.Bool("q", false, "no progress on stderr")
	only := flag.String("only", "", "comma-separated releases to read (default: every release in the plan); for debugging")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *mirrors == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: statements --mirrors DIR (or LOGSIFT_CALICO_MIRRORS=DIR) --out FILE [--releases releases.tsv] [--only v3.29.1,...]")
		os.Exit(2)
	}
	// npm runs the script from scripts/statements; paths given on the command line are relative
	// to where npm was started.
	if cwd := os.Getenv("INIT_CWD"); cwd != "" && !filepath.IsAbs(*mirrors) {
		*mirrors = filepath.Join(cwd, *mirrors)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "statements:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var onlySet map[string]bool
	if *only != "" {
		onlySet = map[string]bool{}
		for _, r := range strings.Split(*only, ",") {
			onlySet[strings.TrimSpace(r)] = true
		}
	}
	lib, err := build(*mirrors, *releases, *components, *categories, onlySet, func(s string) {
		if !*quiet {
			fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), s)
		}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "statements:", err)
		os.Exit(1)
	}
	data, err := lib.encode()
	if err != nil {
		fmt.Fprintln(os.Stderr, "statements:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "statements:", err)
		os.Exit(1)
	}
	if !*quiet {
		fmt.Fprintf(os.Stderr, "wrote %s: %d bytes, %d statements, %d sites\n", *out, len(data), lib.Counts["statements"], lib.Counts["sites"])
		for _, k := range sortedKeys(lib.Counts) {
			fmt.Fprintf(os.Stderr, "  %s=%d\n", k, lib.Counts[k])
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Paths the library does not read: tests, test harnesses, vendored and generated third-party
// code, docs, build and release tooling.
var excludedDirs = map[string]bool{
	"vendor": true, "fv": true, "test": true, "tests": true, "testutils": true, "testdata": true,
	"e2e": true, "mocks": true, "mock": true, "k8sfv": true, "calico_test": true, "test-workload": true,
	"testing": true, "third_party": true, "docs": true, ".github": true, ".semaphore": true,
	"test-data": true, "testutil": true, "fakes": true,
}

var excludedTop = map[string]bool{
	"hack": true, "release": true, "test-tools": true, "calico": true, "networking-calico": true,
	"charts": true, "manifests": true, "release-notes": true, "metadata": true, "process": true,
	"lib.Makefile": true, ".claude": true,
}

func keepGo(p string) bool {
	if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
		return false
	}
	segs := strings.Split(p, "/")
	for _, s := range segs[:len(segs)-1] {
		if excludedDirs[s] {
			return false
		}
	}
	return true
}

func keepBird(p string) bool {
	if !(strings.HasSuffix(p, ".c") || strings.HasSuffix(p, ".h")) {
		return false
	}
	for _, pre := range []string{"client/", "doc/", "tools/", "misc/", "sysdep/bsd/", "sysdep/cf/", "builder-images/", "docker-image/", "dind-image/"} {
		if strings.HasPrefix(p, pre) {
			return false
		}
	}
	return true
}

type siteKey struct {
	File    string
	Line    int
	Printed string
}

type entry struct {
	ID, Level, Kind, Format string
	Args                    []string
	argsRank                string
	Keys                    []string
	Ctx                     map[string]bool
	Dyn, RL                 bool
	Comps                   map[string]bool
	Category                string
	Sites                   map[siteKey]map[int]bool
}

type inputUse struct {
	src  *Source
	rels map[int]bool
}

type library struct {
	Releases []string
	Inputs   []*inputUse
	Entries  map[string]*entry
	Counts   map[string]int
}

func stmtID(level, kind, format string, keys []string) string {
	h := sha256.Sum256([]byte(level + "\x00" + kind + "\x00" + format + "\x00" + strings.Join(keys, "\x01")))
	return hex.EncodeToString(h[:])[:16]
}

type goCache struct {
	mu   sync.Mutex
	pkgs map[string]*pkgResult
}

func build(mirrors, releasesPath, componentsPath, categoriesPath string, only map[string]bool, progress func(string)) (*library, error) {
	plan, err := readPlan(releasesPath)
	if err != nil {
		return nil, err
	}
	if only != nil {
		var kept []planLine
		for _, pl := range plan {
			if only[pl.release] {
				kept = append(kept, pl)
			}
		}
		plan = kept
	}
	defs, err := readComponents(componentsPath)
	if err != nil {
		return nil, err
	}
	formatterOf := map[string]string{}
	for _, d := range defs {
		formatterOf[d.Name] = d.Formatter
	}
	ovs, err := readOverrides(categoriesPath)
	if err != nil {
		return nil, err
	}
	rels, err := resolvePlan(mirrors, plan)
	if err != nil {
		return nil, err
	}
	lib := &library{Entries: map[string]*entry{}, Counts: map[string]int{}}
	for _, r := range rels {
		lib.Releases = append(lib.Releases, r.Name)
	}
	inputs := map[string]*inputUse{}
	cache := &goCache{pkgs: map[string]*pkgResult{}}
	birdCache := map[string][2]interface{}{}
	blobCache := map[string][]byte{}
	skipSeen := map[string]bool{}
	ruleSites := map[string]map[string]bool{}
	for ri, r := range rels {
		progress(fmt.Sprintf("release %s (%d/%d)", r.Name, ri+1, len(rels)))
		pkgFiles := map[string][]srcFile{}
		var stmts []rawStmt
		var skips []skipped
		nativeCaller := false
		for _, s := range r.Sources {
			key := s.Repo + "@" + s.Commit
			if inputs[key] == nil {
				inputs[key] = &inputUse{src: s, rels: map[int]bool{}}
			}
			inputs[key].rels[ri] = true
			gd := repoDir(mirrors, s.Repo)
			keep := keepGo
			if s.Name == "bird" {
				keep = keepBird
			}
			ents, err := listTree(gd, s.Commit, func(p string) bool {
				if s.Mount == "" && excludedTop[strings.SplitN(p, "/", 2)[0]] {
					return false
				}
				return keep(p)
			})
			if err != nil {
				return nil, err
			}
			var need []string
			for _, e := range ents {
				if _, ok := blobCache[e.Blob]; !ok {
					need = append(need, e.Blob)
				}
			}
			if len(need) > 0 {
				got, err := readBlobs(gd, need)
				if err != nil {
					return nil, err
				}
				for k, v := range got {
					blobCache[k] = v
				}
			}
			if s.Name == "bird" {
				c, ok := birdCache[s.Commit]
				if !ok {
					files := map[string]string{}
					for _, e := range ents {
						files[s.Mount+e.Path] = string(blobCache[e.Blob])
					}
					macros := map[string]*logMacro{}
					parseMacros(files, macros)
					var bs []rawStmt
					var bk []skipped
					for _, p := range sortedKeys(files) {
						if strings.HasSuffix(p, ".c") {
							a, b := birdFile(p, files[p], macros)
							bs = append(bs, a...)
							bk = append(bk, b...)
						}
					}
					c = [2]interface{}{bs, bk}
					birdCache[s.Commit] = c
				}
				stmts = append(stmts, c[0].([]rawStmt)...)
				skips = append(skips, c[1].([]skipped)...)
				continue
			}
			for _, e := range ents {
				lp := s.Mount + e.Path
				pkgFiles[path.Dir(lp)] = append(pkgFiles[path.Dir(lp)], srcFile{Path: lp, Src: blobCache[e.Blob]})
				if strings.HasSuffix(lp, "libcalico-go/lib/logutils/logutils.go") && strings.Contains(string(blobCache[e.Blob]), "SetReportCaller(true)") {
					nativeCaller = true
				}
			}
		}
		pkgs := parseAll(cache, pkgFiles)
		registered := map[string]bool{}
		for _, p := range pkgs {
			for _, c := range p.FormatterComponents {
				registered[c] = true
			}
		}
		attr := attribute(defs, pkgs, r.Sources)
		for _, d := range sortedKeys(pkgs) {
			stmts = append(stmts, pkgs[d].Stmts...)
			skips = append(skips, pkgs[d].Skips...)
		}
		for _, sk := range skips {
			k := sk.Reason + "\x00" + sk.File + "\x00" + fmt.Sprint(sk.Line)
			if !skipSeen[k] {
				skipSeen[k] = true
				lib.Counts["skipped_"+sk.Reason]++
			}
		}
		for i := range stmts {
			st := &stmts[i]
			categorise(st, ovs)
			if st.ByName {
				lib.Counts["sites_logger_by_name"]++
			}
			id := stmtID(st.Level, st.Kind, st.Format, st.Keys)
			e := lib.Entries[id]
			if e == nil {
				e = &entry{ID: id, Level: st.Level, Kind: st.Kind, Format: st.Format, Keys: st.Keys,
					Ctx: map[string]bool{}, Comps: map[string]bool{}, Sites: map[siteKey]map[int]bool{}}
				lib.Entries[id] = e
			}
			// args of the newest release, first file/line: a stable choice when sites differ.
			rank := fmt.Sprintf("%04d\x00%s\x00%08d", 9999-ri, st.File, st.Line)
			if e.Args == nil || rank < e.argsRank {
				e.Args, e.argsRank = st.Args, rank
			}
			for _, k := range st.CtxKeys {
				e.Ctx[k] = true
			}
			e.Dyn = e.Dyn || st.Dynamic
			e.RL = e.RL || st.RateLimited
			e.Category = mergeCategory(e.Category, st.Category)
			if st.Rule != "" {
				if ruleSites[st.Rule] == nil {
					ruleSites[st.Rule] = map[string]bool{}
				}
				ruleSites[st.Rule][id] = true
			}
			var comps []string
			if st.Kind == "bird" {
				comps = []string{"bird", "bird6"}
			} else {
				comps = attr[path.Dir(st.File)]
			}
			for _, c := range comps {
				e.Comps[c] = true
				f := formatterOf[c]
				if f == "" {
					f = "calico"
				}
				sk := siteKey{File: st.File, Line: st.Line, Printed: printedLabel(st.Kind, st.File, c, f, registered, nativeCaller, st.RateLimited)}
				if e.Sites[sk] == nil {
					e.Sites[sk] = map[int]bool{}
				}
				e.Sites[sk][ri] = true
			}
		}
	}
	for _, k := range sortedKeys(inputs) {
		lib.Inputs = append(lib.Inputs, inputs[k])
	}
	sort.SliceStable(lib.Inputs, func(i, j int) bool {
		a, b := lib.Inputs[i], lib.Inputs[j]
		if a.src.Repo != b.src.Repo {
			return a.src.Repo < b.src.Repo
		}
		return minKey(a.rels) < minKey(b.rels)
	})
	lib.Counts["statements"] = len(lib.Entries)
	for _, e := range lib.Entries {
		lib.Counts["sites"] += len(e.Sites)
		lib.Counts["kind_"+e.Kind]++
		if e.Category != "" {
			lib.Counts["category_"+e.Category]++
		}
	}
	for r, ids := range ruleSites {
		lib.Counts["rule_"+r] = len(ids)
	}
	for _, o := range ovs {
		if o.Hits == 0 && only == nil {
			return nil, fmt.Errorf("%s:%d: override matches no statement", categoriesPath, o.Line)
		}
	}
	return lib, nil
}

func minKey(m map[int]bool) int {
	best := 1 << 30
	for k := range m {
		if k < best {
			best = k
		}
	}
	return best
}

// mergeCategory: one id, several sites: a curated or rule category wins over none, tier-exists
// over netlink-error.
func mergeCategory(a, b string) string {
	rank := map[string]int{"": 0, "netlink-error": 1, "tier-exists": 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func parseAll(cache *goCache, pkgFiles map[string][]srcFile) map[string]*pkgResult {
	out := map[string]*pkgResult{}
	var mu sync.Mutex
	dirs := sortedKeys(pkgFiles)
	work := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				files := pkgFiles[d]
				sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
				h := sha256.New()
				for _, f := range files {
					h.Write([]byte(f.Path + "\x00"))
					s := sha256.Sum256(f.Src)
					h.Write(s[:])
				}
				key := hex.EncodeToString(h.Sum(nil))
				cache.mu.Lock()
				r, ok := cache.pkgs[key]
				cache.mu.Unlock()
				if !ok {
					r = parsePackage(d, files)
					cache.mu.Lock()
					cache.pkgs[key] = r
					cache.mu.Unlock()
				}
				mu.Lock()
				out[d] = r
				mu.Unlock()
			}
		}()
	}
	for _, d := range dirs {
		work <- d
	}
	close(work)
	wg.Wait()
	return out
}

package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readPkg(t *testing.T, dir, libDir string) *pkgResult {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	var files []srcFile
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("testdata", dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, srcFile{Path: libDir + "/" + e.Name(), Src: b})
	}
	return parsePackage(libDir, files)
}

func byFormat(t *testing.T, stmts []rawStmt, format string) rawStmt {
	t.Helper()
	var found []rawStmt
	for _, s := range stmts {
		if s.Format == format {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		var all []string
		for _, s := range stmts {
			all = append(all, s.Format)
		}
		t.Fatalf("format %q: %d statements (have %q)", format, len(found), all)
	}
	return found[0]
}

func TestLogrusLevelsKeysAndContext(t *testing.T) {
	res := readPkg(t, "routetable", "felix/routetable")
	st := byFormat(t, res.Stmts, "Failed to add route")
	if st.Level != "WARNING" || st.Kind != "logrus" {
		t.Errorf("level/kind = %s/%s", st.Level, st.Kind)
	}
	// Own keys: the call chain itself. Context keys: through the logCxt variable, and the struct
	// field's WithFields that it was derived from.
	if !reflect.DeepEqual(st.Keys, []string{"error", "route"}) {
		t.Errorf("keys = %v", st.Keys)
	}
	if !reflect.DeepEqual(st.CtxKeys, []string{"ifaceName", "ifaceRegex", "ipVersion"}) {
		t.Errorf("context keys = %v", st.CtxKeys)
	}
	if st.Line != 27 || st.File != "felix/routetable/route_table.go" {
		t.Errorf("site = %s:%d", st.File, st.Line)
	}
	d := byFormat(t, res.Stmts, "Added route to %s via %v")
	if d.Level != "DEBUG" || !reflect.DeepEqual(d.Args, []string{"ifaceName", "route.Gw"}) {
		t.Errorf("debugf: %s %v", d.Level, d.Args)
	}
	// Constant concatenation is folded into the format.
	if c := byFormat(t, res.Stmts, "Interface cali is up"); c.Level != "INFO" {
		t.Errorf("concat level %s", c.Level)
	}
	// log.Log with a non-constant level is counted, not guessed.
	var dyn int
	for _, s := range res.Skips {
		if s.Reason == "dynamic_level" {
			dyn++
		}
	}
	if dyn != 1 {
		t.Errorf("dynamic_level skips = %d", dyn)
	}
}

func TestRateLimitedLogger(t *testing.T) {
	res := readPkg(t, "routetable", "felix/routetable")
	st := byFormat(t, res.Stmts, "Resync took %v")
	if !st.RateLimited || st.Level != "INFO" {
		t.Errorf("rate limited = %v level %s", st.RateLimited, st.Level)
	}
	if byFormat(t, res.Stmts, "Failed to add route").RateLimited {
		t.Error("plain logger marked rate limited")
	}
}

func TestNetlinkCategory(t *testing.T) {
	res := readPkg(t, "routetable", "felix/routetable")
	for f, rule := range map[string]string{
		"Failed to add route":                     "netlink-op",
		"Failed to delete neighbor FDB entry %+v": "netlink-op",
		// routetable is a netlink package: a failure there is a netlink failure.
		"Failed to parse CIDR": "netlink-package",
	} {
		st := byFormat(t, res.Stmts, f)
		if st.Category != "netlink-error" || st.Rule != rule {
			t.Errorf("%q: category %q rule %q, want netlink-error %s", f, st.Category, st.Rule, rule)
		}
	}
	if st := byFormat(t, res.Stmts, "Added route to %s via %v"); st.Category != "" {
		t.Errorf("debug without failure: category %q", st.Category)
	}
	vx := readPkg(t, "vxlan", "felix/dataplane/linux")
	if st := byFormat(t, vx.Stmts, "Failed to configure VXLAN tunnel device, retrying..."); st.Category != "netlink-error" {
		t.Errorf("one call away: category %q", st.Category)
	}
	if st := byFormat(t, vx.Stmts, "Failed to parse VTEP mac address"); st.Category != "" {
		t.Errorf("non-netlink error: category %q", st.Category)
	}
}

func TestKlog(t *testing.T) {
	res := readPkg(t, "apiserver", "apiserver/cmd/apiserver/server")
	if st := byFormat(t, res.Stmts, "Error running API server:  %v"); st.Kind != "klog" || st.Level != "ERROR" || !reflect.DeepEqual(st.Args, []string{"err"}) {
		t.Errorf("klog.Errorf: %+v", st)
	}
	if st := byFormat(t, res.Stmts, "Get called with key: %v on resource %v\n"); st.Kind != "klog" || st.Level != "INFO" {
		t.Errorf("klog.V(4).Infof: %+v", st)
	}
	if st := byFormat(t, res.Stmts, "Watching"); st.Kind != "klogs" || !reflect.DeepEqual(st.Keys, []string{"key", "resource"}) {
		t.Errorf("klog.InfoS: %+v", st)
	}
	if st := byFormat(t, res.Stmts, "Watch failed"); st.Kind != "klogs" || st.Level != "ERROR" || !reflect.DeepEqual(st.Keys, []string{"err", "key"}) {
		t.Errorf("klog.ErrorS: %+v", st)
	}
}

func TestTierExists(t *testing.T) {
	res := readPkg(t, "clientv3", "libcalico-go/lib/clientv3")
	st := byFormat(t, res.Stmts, "Tier %v already exists.")
	categorise(&st, nil)
	if st.Category != "tier-exists" || st.Level != "INFO" || !reflect.DeepEqual(st.Keys, []string{"error"}) {
		t.Errorf("tier: %+v", st)
	}
}

func TestBird(t *testing.T) {
	files := map[string]string{}
	for _, p := range []string{"nest/proto.c", "sysdep/linux/netlink.c"} {
		b, err := os.ReadFile(filepath.Join("testdata", "bird", p))
		if err != nil {
			t.Fatal(err)
		}
		files["bird/"+p] = string(b)
	}
	macros := map[string]*logMacro{}
	parseMacros(files, macros)
	var stmts []rawStmt
	for _, p := range sortedKeys(files) {
		s, _ := birdFile(p, files[p], macros)
		stmts = append(stmts, s...)
	}
	// PD(p, "State changed to %s", ...) expands to log(L_TRACE "%s: " msg, p->name, ...).
	st := byFormat(t, stmts, "%s: State changed to %s")
	if st.Kind != "bird" || st.Level != "DEBUG" || !reflect.DeepEqual(st.Args, []string{"p->name", "proto_state_name(p)"}) || st.Line != 7 {
		t.Errorf("PD: %+v", st)
	}
	if st := byFormat(t, stmts, "Protocol %s does not support %s"); st.Level != "ERROR" || st.Category != "" {
		t.Errorf("log(L_ERR): %+v", st)
	}
	if st := byFormat(t, stmts, "Protocol %s: unexpected state"); st.Level != "ERROR" {
		t.Errorf("bug(): %+v", st)
	}
	if st := byFormat(t, stmts, "Cannot open %s: %m"); st.Level != "ERROR" || len(st.Args) != 1 {
		t.Errorf("die(): %+v", st)
	}
	nl := byFormat(t, stmts, "Netlink: %s")
	if nl.Level != "WARNING" || !nl.RateLimited || nl.Category != "netlink-error" {
		t.Errorf("log_rl Netlink: %+v", nl)
	}
	// What the kernel reported, not a failed exchange.
	if st := byFormat(t, stmts, "KRT: Received strange multipath route %I/%d"); st.Level != "ERROR" || st.Category != "" {
		t.Errorf("kernel data message categorised: %+v", st)
	}
	if st := byFormat(t, stmts, "KRT: Opening async netlink socket"); st.Category != "" {
		t.Errorf("debug in netlink.c categorised: %+v", st)
	}
	for _, s := range stmts {
		if strings.Contains(s.Format, "const char") {
			t.Errorf("declaration read as a call: %+v", s)
		}
	}
}

func TestStatementIDAndEncodeDeterministic(t *testing.T) {
	id := stmtID("WARNING", "logrus", "Failed to add route", []string{"error", "route"})
	if len(id) != 16 || id != stmtID("WARNING", "logrus", "Failed to add route", []string{"error", "route"}) {
		t.Fatalf("id %q", id)
	}
	if id == stmtID("WARNING", "logrus", "Failed to add route", []string{"error"}) {
		t.Error("keys do not change the id")
	}
	lib := &library{Releases: []string{"v3.28.5", "v3.29.1"}, Counts: map[string]int{"statements": 1}, Entries: map[string]*entry{
		id: {ID: id, Level: "WARNING", Kind: "logrus", Format: "Failed to add route", Keys: []string{"error", "route"},
			Ctx: map[string]bool{}, Comps: map[string]bool{"felix": true},
			Sites: map[siteKey]map[int]bool{{File: "felix/routetable/route_table.go", Line: 26, Printed: "felix/route_table.go"}: {0: true, 1: true}}},
	}}
	a, err := lib.encode()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := lib.encode()
	if string(a) != string(b) {
		t.Error("encode is not deterministic")
	}
	// gzip header: no mtime (bytes 4-7), no name flag.
	if a[3] != 0 || a[4]|a[5]|a[6]|a[7] != 0 {
		t.Errorf("gzip header carries a name or mtime: % x", a[:10])
	}
	if got := ranges(map[int]bool{0: true, 1: true, 3: true}); !reflect.DeepEqual(got, [][2]int{{0, 1}, {3, 3}}) {
		t.Errorf("ranges = %v", got)
	}
}

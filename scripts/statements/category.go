package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path"
	"regexp"
	"strings"
)

// netlinkOps are the vishvananda/netlink (and felix netlinkshim) operations whose failures
// felix, the CNI plugin and node log. A log call in the error branch of one of these is a
// netlink error.
var netlinkOps = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`
RouteAdd RouteReplace RouteDel RouteAppend RouteChange RouteList RouteListFiltered RouteListFilteredIter RouteGet RouteGetWithOptions RouteSubscribe RouteSubscribeWithOptions
LinkAdd LinkDel LinkByName LinkByIndex LinkByAlias LinkList LinkSetUp LinkSetDown LinkSetMTU LinkSetName LinkSetMaster LinkSetMasterByIndex LinkSetNoMaster LinkSetHardwareAddr LinkSetNsFd LinkSetNsPid LinkSetARPOn LinkSetARPOff LinkSetTxQLen LinkSetAlias LinkModify LinkSetGSOMaxSize LinkSetGROMaxSize LinkSetXdpFd LinkSetVfVlan LinkSubscribe LinkSubscribeWithOptions
AddrAdd AddrDel AddrList AddrReplace AddrSubscribe AddrSubscribeWithOptions
NeighAdd NeighSet NeighDel NeighList NeighListExecute NeighAppend NeighSubscribe
RuleAdd RuleDel RuleList RuleListFiltered
QdiscAdd QdiscDel QdiscList QdiscReplace FilterAdd FilterDel FilterList FilterReplace ClassAdd ClassDel ClassList
XfrmPolicyAdd XfrmPolicyDel XfrmPolicyList XfrmPolicyUpdate XfrmPolicyFlush XfrmStateAdd XfrmStateDel XfrmStateList XfrmStateUpdate XfrmStateFlush
NewHandle NewHandleAt NewHandleAtFrom SetSocketTimeout SetStrictCheck SetPromiscOn SetPromiscOff
ConntrackDeleteFilter ConntrackTableList ConntrackTableFlush
`) {
		netlinkOps[s] = true
	}
}

// Packages whose whole business is netlink: a warning or error there that says it failed is a
// netlink error even when the failing call is elsewhere in the function.
var netlinkPkgs = map[string]bool{
	"netlinkshim": true, "routetable": true, "routerule": true, "vxlanfdb": true,
	"ifacemonitor": true, "linkaddrs": true, "netlinkutils": true, "netlink": true,
}

var reFailure = regexp.MustCompile(`(?i)fail|error|unable|cannot|couldn't|could not`)

func (fn *funcCtx) calleeText(c *ast.CallExpr) (string, string) {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name, ""
	case *ast.SelectorExpr:
		recv := ""
		if fn != nil {
			a, b := fn.file.fset.Position(f.X.Pos()).Offset, fn.file.fset.Position(f.X.End()).Offset
			if a >= 0 && b <= len(fn.file.src) && a < b {
				recv = string(fn.file.src[a:b])
			}
		}
		return f.Sel.Name, recv
	}
	return "", ""
}

func (fn *funcCtx) isNetlinkCall(c *ast.CallExpr) bool {
	if fn.isDirectNetlinkCall(c) {
		return true
	}
	// A function of this package that performs a netlink operation itself.
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return fn.file.pkg.netlinkFuncs[f.Name]
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			if _, isPkg := fn.file.imports[id.Name]; isPkg {
				return false
			}
		}
		return fn.file.pkg.netlinkFuncs[f.Sel.Name]
	}
	return false
}

func (fn *funcCtx) isDirectNetlinkCall(c *ast.CallExpr) bool {
	name, recv := fn.calleeText(c)
	if name == "" {
		return false
	}
	if netlinkOps[name] {
		return true
	}
	if strings.Contains(strings.ToLower(name), "netlink") {
		return true
	}
	lr := strings.ToLower(recv)
	if (name == "ConfigureDevice" || name == "Device" || name == "Devices") && (strings.Contains(lr, "wg") || strings.Contains(lr, "wireguard")) {
		return true
	}
	return false
}

func (fn *funcCtx) containsNetlinkCall(n ast.Node) bool {
	return fn.containsCall(n, fn.isNetlinkCall)
}

func (fn *funcCtx) containsDirectNetlinkCall(n ast.Node) bool {
	return fn.containsCall(n, fn.isDirectNetlinkCall)
}

func (fn *funcCtx) containsCall(n ast.Node, is func(*ast.CallExpr) bool) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if found {
			return false
		}
		switch y := x.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if is(y) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

func isErrName(s string) bool {
	return s == "err" || strings.HasSuffix(s, "Err") || strings.HasPrefix(s, "err")
}

func mentionsErr(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if id, ok := x.(*ast.Ident); ok && isErrName(id.Name) {
			found = true
		}
		return !found
	})
	return found
}

// errNotNil: the condition tests `err != nil` (possibly with more terms).
func errNotNil(cond ast.Expr) bool {
	found := false
	ast.Inspect(cond, func(x ast.Node) bool {
		if b, ok := x.(*ast.BinaryExpr); ok && b.Op == token.NEQ {
			l, lok := b.X.(*ast.Ident)
			r, rok := b.Y.(*ast.Ident)
			if lok && rok && (isErrName(l.Name) && r.Name == "nil" || isErrName(r.Name) && l.Name == "nil") {
				found = true
			}
		}
		return !found
	})
	return found
}

func assignsErr(s ast.Stmt) bool {
	switch x := s.(type) {
	case *ast.AssignStmt:
		for _, l := range x.Lhs {
			if id, ok := l.(*ast.Ident); ok && isErrName(id.Name) {
				return true
			}
		}
	case *ast.DeclStmt:
		return mentionsErr(x)
	}
	return false
}

func stmtList(n ast.Node) []ast.Stmt {
	switch b := n.(type) {
	case *ast.BlockStmt:
		return b.List
	case *ast.CaseClause:
		return b.Body
	case *ast.CommClause:
		return b.Body
	}
	return nil
}

// netlinkRule decides from the AST whether a log call reports a failed netlink operation.
func netlinkRule(fn *funcCtx, c *ast.CallExpr, stack []ast.Node, st *rawStmt) string {
	if st.Kind == "klogs" || st.Level == "" {
		return ""
	}
	refErr := mentionsErr(c)
	lookForAssign := refErr
	child := ast.Node(c)
	for i := len(stack) - 1; i >= 0; i-- {
		node := stack[i]
		switch p := node.(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			i = -1
		case *ast.IfStmt:
			if child == p.Body && errNotNil(p.Cond) {
				if p.Init != nil && fn.containsNetlinkCall(p.Init) || fn.containsNetlinkCall(p.Cond) {
					return "netlink-op"
				}
				if p.Init != nil && assignsErr(p.Init) {
					lookForAssign = false // the error comes from the init, which is not netlink
				} else {
					lookForAssign = true
				}
			}
		default:
			if list := stmtList(node); list != nil && lookForAssign {
				idx := -1
				for j, s := range list {
					if ast.Node(s) == child {
						idx = j
						break
					}
				}
				for j := idx - 1; j >= 0; j-- {
					if assignsErr(list[j]) {
						if fn.containsNetlinkCall(list[j]) {
							return "netlink-op"
						}
						lookForAssign = false
						break
					}
				}
			}
		}
		child = node
	}
	if netlinkPkgs[path.Base(path.Dir(st.File))] && levelRank(st.Level) >= levelRank("WARNING") && reFailure.MatchString(st.Format) {
		return "netlink-package"
	}
	return ""
}

func levelRank(l string) int {
	switch l {
	case "TRACE":
		return 0
	case "DEBUG":
		return 1
	case "INFO":
		return 2
	case "WARNING":
		return 3
	case "ERROR":
		return 4
	case "FATAL":
		return 5
	case "PANIC":
		return 6
	}
	return -1
}

var reTierExists = regexp.MustCompile(`(?i)\btier\b.*\balready exists`)

// override is one line of categories.tsv.
type override struct {
	Line     int
	Category string // netlink-error, tier-exists, or null
	Kind     *regexp.Regexp
	File     *regexp.Regexp
	Format   *regexp.Regexp
	Hits     int
}

func readOverrides(p string) ([]*override, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var res []*override
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 4 {
			return nil, fmt.Errorf("%s:%d: want 4 tab-separated columns (category kind file-regexp format-regexp)", p, n)
		}
		o := &override{Line: n, Category: fs[0]}
		if o.Category != "netlink-error" && o.Category != "tier-exists" && o.Category != "null" {
			return nil, fmt.Errorf("%s:%d: unknown category %q", p, n, o.Category)
		}
		for i, dst := range []**regexp.Regexp{&o.Kind, &o.File, &o.Format} {
			re, err := regexp.Compile(fs[i+1])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", p, n, err)
			}
			*dst = re
		}
		res = append(res, o)
	}
	return res, sc.Err()
}

// categorise applies the format rule for tier-exists and the curated overrides to a site.
func categorise(st *rawStmt, ovs []*override) {
	if reTierExists.MatchString(st.Format) {
		st.Category, st.Rule = "tier-exists", "tier-format"
	}
	for _, o := range ovs {
		if o.Kind.MatchString(st.Kind) && o.File.MatchString(st.File) && o.Format.MatchString(st.Format) {
			if o.Category == "null" {
				st.Category = ""
			} else {
				st.Category = o.Category
			}
			st.Rule = fmt.Sprintf("override:%d", o.Line)
			o.Hits++
			return
		}
	}
}

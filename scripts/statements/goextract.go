package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// rawStmt is one log call site as read from one file of one release.
type rawStmt struct {
	Level, Kind, Format string
	Args                []string
	Keys, CtxKeys       []string
	Dynamic             bool
	RateLimited         bool
	File                string
	Line                int
	Category            string
	Rule                string // the category rule that fired
	ByName              bool   // the logger was recognised by its variable name only
}

type skipped struct {
	File   string
	Line   int
	Reason string // non_literal, no_text, dynamic_level
}

type pkgResult struct {
	Dir                 string
	Stmts               []rawStmt
	Skips               []skipped
	Imports             []string
	FormatterComponents []string
	HasMain             bool
}

type srcFile struct {
	Path string // library path (mount + repo path)
	Src  []byte
}

type fieldDef struct {
	typ   ast.Expr
	value ast.Expr
	file  *fileCtx
}

type pkgCtx struct {
	dir    string
	consts map[string]ast.Expr
	vars   map[string][]fieldDef
	fields map[string][]fieldDef
	// memo holds what a package variable or struct field evaluates to ("var:x", "field:f").
	// A field name such as `log` or `logCxt` has dozens of definitions across a package, and
	// each value (`s.logCxt = s.logCxt.WithField(...)`) names the field again: evaluating them
	// afresh at every reference is exponential in the nesting depth (the generator ran for
	// hours on the monorepo's felix/dataplane/linux). The value of a definition is read without
	// any function's bindings, so it depends only on the name and one evaluation serves all.
	memo map[string]*lgv
	// evaluating marks names whose evaluation is in progress: a definition that refers to its
	// own name contributes nothing beyond the other definitions.
	evaluating map[string]bool
	// netlinkFuncs: functions and methods of the package whose body calls a netlink operation
	// itself. `if err := m.configureVXLANDevice(...); err != nil { log... }` (felix vxlan_mgr.go)
	// reports a failed netlink operation one call away. One level only: a function that calls
	// such a function does much else besides.
	netlinkFuncs map[string]bool
}

type fileCtx struct {
	pkg     *pkgCtx
	path    string
	src     []byte
	fset    *token.FileSet
	imports map[string]string // local name -> import path
}

type bind struct {
	pos    token.Pos
	value  ast.Expr
	typ    ast.Expr
	mapKey string // fields["k"] = ...
	mapDyn bool
}

type funcCtx struct {
	file   *fileCtx
	binds  map[string][]bind
	consts map[string]ast.Expr
	// bindMemo: what the value of one assignment evaluates to. `logCxt = logCxt.WithField(...)`
	// repeated n times in a function would otherwise be re-evaluated 2^n times.
	bindMemo map[bindKey]*lgv
}

type bindKey struct {
	name string
	pos  token.Pos
}

func (fc *funcCtx) evalBind(name string, b bind, depth int) *lgv {
	k := bindKey{name, b.pos}
	if v, ok := fc.bindMemo[k]; ok {
		return v.clone()
	}
	v := fc.evalLogger(b.value, b.pos, depth+1)
	if fc.bindMemo == nil {
		fc.bindMemo = map[bindKey]*lgv{}
	}
	fc.bindMemo[k] = v
	return v.clone()
}

const (
	pkgLogrus   = "github.com/sirupsen/logrus"
	lkLogrus    = 1
	lkKlog      = 2 // klog package functions and klog.Verbose
	lkLogr      = 3 // logr.Logger from klog (structured)
	maxEvalDeep = 12
)

func importKind(p string) int {
	switch {
	case p == pkgLogrus || p == "github.com/Sirupsen/logrus":
		return lkLogrus
	case p == "k8s.io/klog" || p == "k8s.io/klog/v2" || p == "github.com/golang/glog":
		return lkKlog
	}
	return 0
}

func isLogutils(p string) bool { return strings.HasSuffix(p, "/lib/logutils") }

// lgv is what is known about a logger expression.
type lgv struct {
	kind   int
	own    []string // keys added in the expression itself
	ctx    []string // keys added through variables it was read from
	dyn    bool
	rl     bool
	byName bool
}

var logrusLevels = map[string]string{
	"Trace": "TRACE", "Debug": "DEBUG", "Info": "INFO", "Print": "INFO", "Warn": "WARNING",
	"Warning": "WARNING", "Error": "ERROR", "Fatal": "FATAL", "Panic": "PANIC",
}

var logrusLevelConsts = map[string]string{
	"TraceLevel": "TRACE", "DebugLevel": "DEBUG", "InfoLevel": "INFO", "WarnLevel": "WARNING",
	"ErrorLevel": "ERROR", "FatalLevel": "FATAL", "PanicLevel": "PANIC",
}

var klogLevels = map[string]string{"Info": "INFO", "Warning": "WARNING", "Error": "ERROR", "Fatal": "FATAL", "Exit": "FATAL"}

var reLoggyName = regexp.MustCompile(`^(?i:log|logger|lc|logc|clog|plog|rlog|llog|entry|.*logcxt.*|.*logctx.*|.*logger|.*logentry|log[A-Z]\w*|.*Log)$`)

func parsePackage(dir string, files []srcFile) *pkgResult {
	res := &pkgResult{Dir: dir}
	pc := &pkgCtx{dir: dir, consts: map[string]ast.Expr{}, vars: map[string][]fieldDef{}, fields: map[string][]fieldDef{},
		memo: map[string]*lgv{}, evaluating: map[string]bool{}, netlinkFuncs: map[string]bool{}}
	fset := token.NewFileSet()
	type parsed struct {
		f  *ast.File
		fc *fileCtx
	}
	var ps []parsed
	imports := map[string]bool{}
	for _, sf := range files {
		f, err := parser.ParseFile(fset, sf.Path, sf.Src, parser.SkipObjectResolution)
		if err != nil || f == nil {
			continue
		}
		if f.Name.Name == "main" {
			res.HasMain = true
		}
		fc := &fileCtx{pkg: pc, path: sf.Path, src: sf.Src, fset: fset, imports: map[string]string{}}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			imports[p] = true
			name := path.Base(p)
			if strings.HasPrefix(name, "v") && len(name) <= 3 && strings.Contains(p, "/") { // k8s.io/klog/v2
				name = path.Base(path.Dir(p))
			}
			if im.Name != nil {
				name = im.Name.Name
			}
			if name == "_" || name == "." {
				continue
			}
			fc.imports[name] = p
		}
		ps = append(ps, parsed{f, fc})
	}
	// Package-level declarations: consts, logger vars, struct fields and their values.
	for _, p := range ps {
		for _, d := range p.f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range gd.Specs {
				switch sp := s.(type) {
				case *ast.ValueSpec:
					for i, n := range sp.Names {
						var v ast.Expr
						if i < len(sp.Values) {
							v = sp.Values[i]
						}
						if gd.Tok == token.CONST {
							if v != nil {
								pc.consts[n.Name] = v
							}
						} else {
							pc.vars[n.Name] = append(pc.vars[n.Name], fieldDef{typ: sp.Type, value: v, file: p.fc})
						}
					}
				case *ast.TypeSpec:
					if st, ok := sp.Type.(*ast.StructType); ok {
						for _, fl := range st.Fields.List {
							for _, n := range fl.Names {
								pc.fields[n.Name] = append(pc.fields[n.Name], fieldDef{typ: fl.Type, file: p.fc})
							}
						}
					}
				}
			}
		}
		// Field values: keyed composite literals and `x.f = v` assignments anywhere in the package.
		ast.Inspect(p.f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				for _, el := range x.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok {
							if _, known := pc.fields[k.Name]; known {
								pc.fields[k.Name] = append(pc.fields[k.Name], fieldDef{value: kv.Value, file: p.fc})
							}
						}
					}
				}
			case *ast.AssignStmt:
				if len(x.Lhs) == len(x.Rhs) {
					for i, l := range x.Lhs {
						if sel, ok := l.(*ast.SelectorExpr); ok {
							pc.fields[sel.Sel.Name] = append(pc.fields[sel.Sel.Name], fieldDef{value: x.Rhs[i], file: p.fc})
						}
					}
				}
			}
			return true
		})
	}
	for p := range imports {
		res.Imports = append(res.Imports, p)
	}
	sort.Strings(res.Imports)
	for _, p := range ps {
		for _, d := range p.f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if (&funcCtx{file: p.fc}).containsDirectNetlinkCall(fd.Body) {
					pc.netlinkFuncs[fd.Name.Name] = true
				}
			}
		}
	}
	comps := map[string]bool{}
	for _, p := range ps {
		ex := &extractor{res: res, fc: p.fc}
		for _, d := range p.f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && fd.Body != nil {
				fnc := newFuncCtx(p.fc, fd.Type, fd.Recv, fd.Body)
				ex.walk(fnc, fd.Body, nil)
			}
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				// Package-level function literals (var f = func() {...}).
				ast.Inspect(gd, func(n ast.Node) bool {
					if fl, ok := n.(*ast.FuncLit); ok {
						ex.walk(newFuncCtx(p.fc, fl.Type, nil, fl.Body), fl.Body, nil)
						return false
					}
					return true
				})
			}
		}
		// Formatter component names: logutils.ConfigureFormatter("x"), Formatter{Component: "x"}.
		ast.Inspect(p.f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "ConfigureFormatter" && len(x.Args) == 1 {
					if s, ok := (&funcCtx{file: p.fc}).strValue(x.Args[0], 0); ok {
						comps[s] = true
					}
				}
			case *ast.CompositeLit:
				if sel, ok := x.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Formatter" {
					for _, el := range x.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Component" {
								if s, ok := (&funcCtx{file: p.fc}).strValue(kv.Value, 0); ok {
									comps[s] = true
								}
							}
						}
					}
				}
			}
			return true
		})
	}
	for c := range comps {
		res.FormatterComponents = append(res.FormatterComponents, c)
	}
	sort.Strings(res.FormatterComponents)
	return res
}

func newFuncCtx(fc *fileCtx, ft *ast.FuncType, recv *ast.FieldList, body *ast.BlockStmt) *funcCtx {
	fn := &funcCtx{file: fc, binds: map[string][]bind{}, consts: map[string]ast.Expr{}}
	addParams := func(fl *ast.FieldList) {
		if fl == nil {
			return
		}
		for _, f := range fl.List {
			for _, n := range f.Names {
				fn.binds[n.Name] = append(fn.binds[n.Name], bind{pos: n.Pos(), typ: f.Type})
			}
		}
	}
	addParams(recv)
	addParams(ft.Params)
	addParams(ft.Results)
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			addParams(x.Type.Params)
		case *ast.AssignStmt:
			if len(x.Lhs) == len(x.Rhs) {
				for i, l := range x.Lhs {
					switch lx := l.(type) {
					case *ast.Ident:
						fn.binds[lx.Name] = append(fn.binds[lx.Name], bind{pos: x.Pos(), value: x.Rhs[i]})
					case *ast.IndexExpr:
						if id, ok := lx.X.(*ast.Ident); ok {
							k, ok := fn.strValue(lx.Index, 0)
							fn.binds[id.Name] = append(fn.binds[id.Name], bind{pos: x.Pos(), mapKey: k, mapDyn: !ok})
						}
					}
				}
			} else {
				for _, l := range x.Lhs {
					if lx, ok := l.(*ast.Ident); ok {
						fn.binds[lx.Name] = append(fn.binds[lx.Name], bind{pos: x.Pos()})
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := x.Decl.(*ast.GenDecl); ok {
				for _, s := range gd.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok {
						for i, nm := range vs.Names {
							var v ast.Expr
							if i < len(vs.Values) {
								v = vs.Values[i]
							}
							if gd.Tok == token.CONST {
								if v != nil {
									fn.consts[nm.Name] = v
								}
								continue
							}
							fn.binds[nm.Name] = append(fn.binds[nm.Name], bind{pos: x.Pos(), value: v, typ: vs.Type})
						}
					}
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{x.Key, x.Value} {
				if id, ok := e.(*ast.Ident); ok {
					fn.binds[id.Name] = append(fn.binds[id.Name], bind{pos: x.Pos()})
				}
			}
		}
		return true
	})
	return fn
}

// loggerType recognises declared types of logger variables, fields and parameters.
func (fc *funcCtx) loggerType(t ast.Expr) *lgv {
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	sel, ok := t.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return nil
	}
	p := fc.file.imports[id.Name]
	switch {
	case importKind(p) == lkLogrus:
		switch sel.Sel.Name {
		case "Entry", "Logger", "FieldLogger", "Ext1FieldLogger", "StdLogger":
			return &lgv{kind: lkLogrus}
		}
	case isLogutils(p) && sel.Sel.Name == "RateLimitedLogger":
		return &lgv{kind: lkLogrus, rl: true}
	case importKind(p) == lkKlog && sel.Sel.Name == "Verbose":
		return &lgv{kind: lkKlog}
	case (importKind(p) == lkKlog && sel.Sel.Name == "Logger") || (p == "github.com/go-logr/logr" && sel.Sel.Name == "Logger"):
		return &lgv{kind: lkLogr}
	}
	return nil
}

func merge(into *lgv, from *lgv) {
	into.ctx = append(into.ctx, from.own...)
	into.ctx = append(into.ctx, from.ctx...)
	into.dyn = into.dyn || from.dyn
	into.rl = into.rl || from.rl
	into.byName = into.byName && from.byName
	if into.kind == 0 {
		into.kind = from.kind
	}
}

// fieldKeys reads the keys of a logrus.Fields value.
func (fc *funcCtx) fieldKeys(e ast.Expr, before token.Pos, depth int) ([]string, bool) {
	switch x := e.(type) {
	case *ast.CompositeLit:
		var keys []string
		dyn := false
		for _, el := range x.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				dyn = true
				continue
			}
			if k, ok := fc.strValue(kv.Key, 0); ok {
				keys = append(keys, k)
			} else {
				dyn = true
			}
		}
		return keys, dyn
	case *ast.Ident:
		if depth > 4 {
			return nil, true
		}
		bs := fc.binds[x.Name]
		if len(bs) == 0 {
			return nil, true
		}
		var keys []string
		dyn := false
		for _, b := range bs {
			if b.pos >= before {
				continue
			}
			switch {
			case b.mapKey != "" || b.mapDyn:
				if b.mapDyn {
					dyn = true
				} else {
					keys = append(keys, b.mapKey)
				}
			case b.value != nil:
				k, d := fc.fieldKeys(b.value, b.pos, depth+1)
				keys = append(keys, k...)
				dyn = dyn || d
			case b.typ != nil:
				dyn = true
			}
		}
		return keys, dyn
	}
	return nil, true
}

// kvKeys reads the keys of a klog/logr key-value list.
func (fc *funcCtx) kvKeys(kvs []ast.Expr) ([]string, bool) {
	var keys []string
	dyn := false
	for i := 0; i < len(kvs); i += 2 {
		if _, ok := kvs[i].(*ast.Ellipsis); ok {
			dyn = true
			continue
		}
		if k, ok := fc.strValue(kvs[i], 0); ok {
			keys = append(keys, k)
		} else {
			dyn = true
		}
	}
	return keys, dyn
}

func (fc *funcCtx) evalLogger(e ast.Expr, before token.Pos, depth int) *lgv {
	if depth > maxEvalDeep {
		return nil
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return fc.evalLogger(x.X, before, depth+1)
	case *ast.Ident:
		if p, ok := fc.file.imports[x.Name]; ok {
			if k := importKind(p); k != 0 {
				return &lgv{kind: k}
			}
			return nil
		}
		if bs, ok := fc.binds[x.Name]; ok {
			out := &lgv{}
			found, any := false, false
			for _, b := range bs {
				if b.pos >= before {
					continue
				}
				any = true
				var v *lgv
				if b.typ != nil {
					v = fc.loggerType(b.typ)
				}
				if b.value != nil {
					v = fc.evalBind(x.Name, b, depth)
				}
				if v != nil {
					found = true
					merge(out, v)
				}
			}
			if found {
				return out
			}
			if any {
				return nil
			}
		}
		if defs, ok := fc.file.pkg.vars[x.Name]; ok {
			return fc.evalDefs("var:"+x.Name, defs, depth)
		}
		if reLoggyName.MatchString(x.Name) {
			return &lgv{kind: lkLogrus, byName: true}
		}
		return nil
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			if _, isPkg := fc.file.imports[id.Name]; isPkg {
				return nil // a variable of another package
			}
		}
		if defs, ok := fc.file.pkg.fields[x.Sel.Name]; ok {
			if v := fc.evalDefs("field:"+x.Sel.Name, defs, depth); v != nil {
				return v
			}
			return nil
		}
		if reLoggyName.MatchString(x.Sel.Name) {
			return &lgv{kind: lkLogrus, byName: true}
		}
		return nil
	case *ast.CallExpr:
		sel, ok := x.Fun.(*ast.SelectorExpr)
		if !ok {
			return nil
		}
		if id, ok := sel.X.(*ast.Ident); ok {
			if p, isPkg := fc.file.imports[id.Name]; isPkg {
				switch {
				case importKind(p) == lkLogrus:
					base := &lgv{kind: lkLogrus}
					switch sel.Sel.Name {
					case "NewEntry", "StandardLogger", "New":
						return base
					}
					return fc.chain(base, sel.Sel.Name, x, before)
				case importKind(p) == lkKlog:
					switch sel.Sel.Name {
					case "V":
						return &lgv{kind: lkKlog}
					case "FromContext", "Background", "TODO", "NewKlogr", "LoggerWithName":
						return &lgv{kind: lkLogr}
					case "LoggerWithValues":
						v := &lgv{kind: lkLogr}
						if len(x.Args) > 0 {
							if b := fc.evalLogger(x.Args[0], before, depth+1); b != nil {
								merge(v, b)
								v.kind = lkLogr
							}
							k, d := fc.kvKeys(x.Args[1:])
							v.own = append(v.own, k...)
							v.dyn = v.dyn || d
						}
						return v
					}
					return nil
				case isLogutils(p) && sel.Sel.Name == "NewRateLimitedLogger":
					return &lgv{kind: lkLogrus, rl: true}
				}
				return nil
			}
		}
		switch sel.Sel.Name {
		case "WithField", "WithFields", "WithError", "WithContext", "WithTime", "Force", "WithValues", "WithName", "V", "WithCallDepth":
		default:
			return nil
		}
		base := fc.evalLogger(sel.X, before, depth+1)
		if base == nil {
			return nil
		}
		return fc.chain(base, sel.Sel.Name, x, before)
	}
	return nil
}

func (fc *funcCtx) evalDefs(name string, defs []fieldDef, depth int) *lgv {
	pc := fc.file.pkg
	if v, ok := pc.memo[name]; ok {
		return v.clone()
	}
	if pc.evaluating[name] {
		return nil
	}
	pc.evaluating[name] = true
	v := fc.evalDefsOnce(defs)
	delete(pc.evaluating, name)
	pc.memo[name] = v
	return v.clone()
}

func (v *lgv) clone() *lgv {
	if v == nil {
		return nil
	}
	c := *v
	c.own = append([]string(nil), v.own...)
	c.ctx = append([]string(nil), v.ctx...)
	return &c
}

func (fc *funcCtx) evalDefsOnce(defs []fieldDef) *lgv {
	const depth = 0
	out := &lgv{}
	found := false
	for _, d := range defs {
		f2 := &funcCtx{file: d.file}
		var v *lgv
		if d.typ != nil {
			v = f2.loggerType(d.typ)
		}
		if d.value != nil {
			// Values are read without their function's bindings: keys set on the literal count.
			if w := f2.evalLogger(d.value, token.Pos(1<<62), depth+1); w != nil && !w.byName {
				v = w
			}
		}
		if v != nil {
			found = true
			merge(out, v)
		}
	}
	if !found {
		return nil
	}
	out.own = uniqSorted(out.own)
	out.ctx = uniqSorted(out.ctx)
	return out
}

func (fc *funcCtx) chain(base *lgv, method string, call *ast.CallExpr, before token.Pos) *lgv {
	v := &lgv{kind: base.kind, own: append([]string(nil), base.own...), ctx: base.ctx, dyn: base.dyn, rl: base.rl, byName: base.byName}
	switch method {
	case "WithField":
		if len(call.Args) > 0 {
			if k, ok := fc.strValue(call.Args[0], 0); ok {
				v.own = append(v.own, k)
			} else {
				v.dyn = true
			}
		}
	case "WithFields":
		if len(call.Args) > 0 {
			k, d := fc.fieldKeys(call.Args[0], before, 0)
			v.own = append(v.own, k...)
			v.dyn = v.dyn || d
		}
	case "WithError":
		v.own = append(v.own, "error")
	case "WithValues":
		k, d := fc.kvKeys(call.Args)
		v.own = append(v.own, k...)
		v.dyn = v.dyn || d
	case "WithContext", "WithTime", "Force", "WithName", "V", "WithCallDepth", "NewEntry", "StandardLogger", "New":
	default:
		return nil
	}
	return v
}

func uniqSorted(xs []string) []string {
	if len(xs) == 0 {
		return []string{}
	}
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	out := make([]string, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}

type extractor struct {
	res *pkgResult
	fc  *fileCtx
}

// walk visits every call below n with its ancestor stack (for the netlink rule).
func (ex *extractor) walk(fn *funcCtx, root ast.Node, _ []ast.Node) {
	var stack []ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if c, ok := n.(*ast.CallExpr); ok {
			ex.call(fn, c, stack)
		}
		stack = append(stack, n)
		return true
	})
}

func (ex *extractor) src(e ast.Node) string {
	if e == nil {
		return ""
	}
	fs := ex.fc.fset
	a, b := fs.Position(e.Pos()).Offset, fs.Position(e.End()).Offset
	if a < 0 || b > len(ex.fc.src) || a >= b {
		return ""
	}
	s := strings.Join(strings.Fields(string(ex.fc.src[a:b])), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

func (ex *extractor) call(fn *funcCtx, c *ast.CallExpr, stack []ast.Node) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	name := sel.Sel.Name
	recv := fn.evalLogger(sel.X, c.Pos(), 0)
	if recv == nil {
		return
	}
	line := ex.fc.fset.Position(c.Lparen).Line
	st := rawStmt{File: ex.fc.path, Line: line, RateLimited: recv.rl, Dynamic: recv.dyn, ByName: recv.byName}
	var pieces []piece
	var queue []ast.Expr
	var keys []string
	switch recv.kind {
	case lkLogrus:
		base, mode := name, "s"
		if strings.HasSuffix(name, "f") && logrusLevels[name[:len(name)-1]] != "" {
			base, mode = name[:len(name)-1], "f"
		} else if strings.HasSuffix(name, "ln") && logrusLevels[name[:len(name)-2]] != "" {
			base, mode = name[:len(name)-2], "l"
		}
		args := c.Args
		level := logrusLevels[base]
		if base == "Log" || name == "Logf" || name == "Logln" {
			mode = map[string]string{"Log": "s", "Logf": "f", "Logln": "l"}[name]
			if len(args) == 0 {
				return
			}
			level = ""
			if ls, ok := args[0].(*ast.SelectorExpr); ok {
				level = logrusLevelConsts[ls.Sel.Name]
			}
			args = args[1:]
			if level == "" {
				ex.res.Skips = append(ex.res.Skips, skipped{ex.fc.path, line, "dynamic_level"})
				return
			}
		}
		if level == "" {
			return
		}
		if recv.byName && len(args) == 0 {
			return
		}
		st.Level, st.Kind = level, "logrus"
		switch mode {
		case "f":
			if len(args) == 0 {
				return
			}
			pieces = fn.concatPieces(args[0], true, 0)
			queue = args[1:]
		case "s":
			pieces = fn.sprintPieces(args, false)
		case "l":
			pieces = fn.sprintPieces(args, true)
		}
	case lkKlog:
		base, mode, args := name, "s", c.Args
		if strings.HasSuffix(base, "Depth") {
			base = strings.TrimSuffix(base, "Depth")
			if len(args) == 0 {
				return
			}
			args = args[1:]
		}
		switch {
		case strings.HasSuffix(base, "S") && klogLevels[base[:len(base)-1]] != "":
			base, mode = base[:len(base)-1], "S"
		case strings.HasSuffix(base, "f") && klogLevels[base[:len(base)-1]] != "":
			base, mode = base[:len(base)-1], "f"
		case strings.HasSuffix(base, "ln") && klogLevels[base[:len(base)-2]] != "":
			base, mode = base[:len(base)-2], "l"
		}
		level := klogLevels[base]
		if level == "" {
			return
		}
		st.Level, st.Kind = level, "klog"
		switch mode {
		case "f":
			if len(args) == 0 {
				return
			}
			pieces = fn.concatPieces(args[0], true, 0)
			queue = args[1:]
		case "s":
			pieces = fn.sprintPieces(args, false)
		case "l":
			pieces = fn.sprintPieces(args, true)
		case "S":
			if base == "Error" {
				if len(args) == 0 {
					return
				}
				keys = append(keys, "err")
				args = args[1:]
			}
			if !ex.structured(fn, &st, args, keys, line) {
				return
			}
			ex.finish(fn, c, stack, &st, recv)
			return
		}
	case lkLogr:
		args := c.Args
		switch name {
		case "Info":
			st.Level = "INFO"
		case "Error":
			st.Level = "ERROR"
			if len(args) == 0 {
				return
			}
			keys = append(keys, "err")
			args = args[1:]
		default:
			return
		}
		st.Kind = "klog"
		if !ex.structured(fn, &st, args, keys, line) {
			return
		}
		ex.finish(fn, c, stack, &st, recv)
		return
	default:
		return
	}
	format, ops, anyLit := assemble(pieces, queue)
	if !anyLit {
		ex.res.Skips = append(ex.res.Skips, skipped{ex.fc.path, line, "non_literal"})
		return
	}
	if !hasText(format) {
		ex.res.Skips = append(ex.res.Skips, skipped{ex.fc.path, line, "no_text"})
		return
	}
	st.Format = format
	st.Args = make([]string, len(ops))
	for i, o := range ops {
		st.Args[i] = ex.src(o)
	}
	st.Keys = keys
	ex.finish(fn, c, stack, &st, recv)
}

// structured handles klog InfoS/ErrorS and logr Info/Error: the message and the kv keys.
func (ex *extractor) structured(fn *funcCtx, st *rawStmt, args []ast.Expr, keys []string, line int) bool {
	if len(args) == 0 {
		return false
	}
	msg, ok := fn.strValue(args[0], 0)
	if !ok {
		ex.res.Skips = append(ex.res.Skips, skipped{ex.fc.path, line, "non_literal"})
		return false
	}
	if !hasText(msg) {
		ex.res.Skips = append(ex.res.Skips, skipped{ex.fc.path, line, "no_text"})
		return false
	}
	k, d := fn.kvKeys(args[1:])
	st.Kind = "klogs"
	st.Format = msg
	st.Args = []string{}
	st.Keys = append(keys, k...)
	st.Dynamic = st.Dynamic || d
	return true
}

func (ex *extractor) finish(fn *funcCtx, c *ast.CallExpr, stack []ast.Node, st *rawStmt, recv *lgv) {
	st.Keys = uniqSorted(append(st.Keys, recv.own...))
	ctx := uniqSorted(recv.ctx)
	// Context keys that the call sets itself are keys, not context.
	var cx []string
	for _, k := range ctx {
		if i := sort.SearchStrings(st.Keys, k); i < len(st.Keys) && st.Keys[i] == k {
			continue
		}
		cx = append(cx, k)
	}
	st.CtxKeys = uniqSorted(cx)
	if st.Args == nil {
		st.Args = []string{}
	}
	if rule := netlinkRule(fn, c, stack, st); rule != "" {
		st.Category, st.Rule = "netlink-error", rule
	}
	ex.res.Stmts = append(ex.res.Stmts, *st)
}

package main

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// piece is a run of printf-format text. Its verbs consume either the call's own argument queue
// (queue) or the expressions in own (an inlined fmt.Sprintf, or a non-literal operand as "%v").
type piece struct {
	text  string
	own   []ast.Expr
	queue bool
	lit   bool // came from source text (a literal or a constant)
}

func escapePct(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// strValue evaluates a constant string expression: literals, consts of the package or function,
// concatenations and parentheses.
func (fc *funcCtx) strValue(e ast.Expr, depth int) (string, bool) {
	if depth > 10 {
		return "", false
	}
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			s, err := strconv.Unquote(x.Value)
			return s, err == nil
		}
	case *ast.ParenExpr:
		return fc.strValue(x.X, depth+1)
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			a, ok := fc.strValue(x.X, depth+1)
			if !ok {
				return "", false
			}
			b, ok := fc.strValue(x.Y, depth+1)
			return a + b, ok
		}
	case *ast.Ident:
		if fc != nil && fc.consts != nil {
			if v, ok := fc.consts[x.Name]; ok {
				return fc.strValue(v, depth+1)
			}
		}
		if v, ok := fc.file.pkg.consts[x.Name]; ok {
			return fc.strValue(v, depth+1)
		}
	case *ast.SelectorExpr:
		// pkg.Const of another package is not resolved (no type information).
	}
	return "", false
}

func (fc *funcCtx) isFmtCall(e ast.Expr, names ...string) (*ast.CallExpr, string) {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return nil, ""
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil, ""
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok || fc.file.imports[id.Name] != "fmt" {
		return nil, ""
	}
	for _, n := range names {
		if sel.Sel.Name == n {
			return c, n
		}
	}
	return nil, ""
}

// concatPieces turns a string-valued expression into pieces. printf says whether literal text is
// format text (verbs consume the call's queue) or plain text (escaped).
func (fc *funcCtx) concatPieces(e ast.Expr, printf bool, depth int) []piece {
	if s, ok := fc.strValue(e, 0); ok {
		if printf {
			return []piece{{text: s, queue: true, lit: true}}
		}
		return []piece{{text: escapePct(s), lit: true}}
	}
	if depth < 8 {
		switch x := e.(type) {
		case *ast.ParenExpr:
			return fc.concatPieces(x.X, printf, depth+1)
		case *ast.BinaryExpr:
			if x.Op == token.ADD {
				return append(fc.concatPieces(x.X, printf, depth+1), fc.concatPieces(x.Y, printf, depth+1)...)
			}
		case *ast.CallExpr:
			if c, n := fc.isFmtCall(x, "Sprintf"); c != nil && n == "Sprintf" && len(c.Args) > 0 {
				if f, ok := fc.strValue(c.Args[0], 0); ok {
					return []piece{{text: f, own: c.Args[1:], lit: true}}
				}
			}
			if c, n := fc.isFmtCall(x, "Sprint", "Sprintln"); c != nil {
				return fc.sprintPieces(c.Args, n == "Sprintln")
			}
		}
	}
	return []piece{{text: "%v", own: []ast.Expr{e}}}
}

// isStringy guesses whether a non-constant operand has type string (fmt.Sprint puts no space
// next to strings). Without type information this looks at the expression's shape only.
func (fc *funcCtx) isStringy(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			_, a := fc.strValue(x.X, 0)
			_, b := fc.strValue(x.Y, 0)
			return a || b || fc.isStringy(x.X) || fc.isStringy(x.Y)
		}
	case *ast.CallExpr:
		switch f := x.Fun.(type) {
		case *ast.Ident:
			return f.Name == "string"
		case *ast.SelectorExpr:
			if id, ok := f.X.(*ast.Ident); ok {
				switch fc.file.imports[id.Name] {
				case "fmt":
					return strings.HasPrefix(f.Sel.Name, "Sprint")
				case "strings", "path", "path/filepath":
					return true
				case "strconv":
					return strings.HasPrefix(f.Sel.Name, "Itoa") || strings.HasPrefix(f.Sel.Name, "Format") || strings.HasPrefix(f.Sel.Name, "Quote")
				}
			}
			if len(x.Args) == 0 && (f.Sel.Name == "Error" || f.Sel.Name == "String") {
				return true
			}
		}
	}
	return false
}

// sprintPieces encodes fmt.Sprint / Sprintln semantics over the operands.
func (fc *funcCtx) sprintPieces(args []ast.Expr, ln bool) []piece {
	var out []piece
	prevString := false
	for i, a := range args {
		var ps []piece
		isStr := false
		if s, ok := fc.strValue(a, 0); ok {
			ps = []piece{{text: escapePct(s), lit: true}}
			isStr = true
		} else if bl, ok := a.(*ast.BasicLit); ok && (bl.Kind == token.INT || bl.Kind == token.FLOAT) {
			ps = []piece{{text: escapePct(bl.Value), lit: true}}
		} else {
			ps = fc.concatPieces(a, false, 0)
			isStr = len(ps) > 1 || ps[0].lit || fc.isStringy(a)
			if _, n := fc.isFmtCall(a, "Sprintf", "Sprint", "Sprintln"); n != "" {
				isStr = true
			}
		}
		if i > 0 && (ln || (!isStr && !prevString)) {
			out = append(out, piece{text: " ", lit: true})
		}
		out = append(out, ps...)
		prevString = isStr
	}
	return out
}

// verbCount counts the operands printf verbs in s consume (%% consumes none, * widths one each).
func verbCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		for i < len(s) {
			c := s[i]
			if c == '*' {
				n++
				i++
				continue
			}
			if strings.IndexByte("+-# 0123456789.[]", c) >= 0 {
				i++
				continue
			}
			break
		}
		if i < len(s) && s[i] != '%' {
			n++
		}
	}
	return n
}

// assemble joins pieces into the final format and the operand expression of every verb.
func assemble(ps []piece, queue []ast.Expr) (string, []ast.Expr, bool) {
	var b strings.Builder
	var args []ast.Expr
	anyLit := false
	qi := 0
	for _, p := range ps {
		b.WriteString(p.text)
		if p.lit && strings.TrimSpace(p.text) != "" {
			anyLit = true
		}
		n := verbCount(p.text)
		for i := 0; i < n; i++ {
			if p.queue {
				if qi < len(queue) {
					args = append(args, queue[qi])
				} else {
					args = append(args, nil)
				}
				qi++
			} else if i < len(p.own) {
				args = append(args, p.own[i])
			} else {
				args = append(args, nil)
			}
		}
	}
	return b.String(), args, anyLit
}

// hasText reports whether a format has any letter or digit outside its verbs.
func hasText(f string) bool {
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '%' {
			i++
			for i < len(f) && strings.IndexByte("+-# 0123456789.[]*", f[i]) >= 0 {
				i++
			}
			continue
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 {
			return true
		}
	}
	return false
}

package main

import (
	"regexp"
	"strconv"
	"strings"
)

// BIRD (projectcalico/bird, BIRD 1.x) log calls, read from the C source with a small tokenizer:
// log()/log_msg(L_X "fmt", ...), log_rl(&tbf, L_X "fmt", ...), bug(), die(), DBG(), and the
// protocol macros whose body is such a call (TRACE, BGP_TRACE, KRT_TRACE, PD, ...), expanded so
// that `"%s: " msg, p->p.name` prefixes become part of the format, as BIRD prints them.

var birdLevels = map[string]string{
	"L_DEBUG": "DEBUG", "L_TRACE": "DEBUG", "L_INFO": "INFO", "L_REMOTE": "INFO", "L_AUTH": "INFO",
	"L_WARN": "WARNING", "L_ERR": "ERROR", "L_FATAL": "ERROR", "L_BUG": "ERROR",
}

type ctok struct {
	kind byte // 'i' ident, 's' string, 'p' punct, 'n' number/other
	text string
	line int
}

// ctokens tokenizes C source without comments; preprocessor lines are returned as one 'd' token.
func ctokens(src string) []ctok {
	var out []ctok
	line := 1
	bol := true
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			bol = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				j = len(src) - i - 2
			}
			line += strings.Count(src[i:i+2+j], "\n")
			i += j + 4
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '#' && bol:
			start, sl := i, line
			for i < len(src) {
				if src[i] == '\\' && i+1 < len(src) && src[i+1] == '\n' {
					i += 2
					line++
					continue
				}
				if src[i] == '\n' {
					break
				}
				i++
			}
			out = append(out, ctok{'d', src[start:i], sl})
			continue
		}
		bol = false
		switch {
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				if j < len(src) && src[j] == '\n' {
					line++
				}
				j++
			}
			k := byte('s')
			if c == '\'' {
				k = 'n'
			}
			out = append(out, ctok{k, src[i:min(j+1, len(src))], line})
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, ctok{'i', src[i:j], line})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] == '.' || src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, ctok{'n', src[i:j], line})
			i = j
		default:
			if i+1 < len(src) && (src[i:i+2] == "->" || src[i:i+2] == "##") {
				out = append(out, ctok{'p', src[i : i+2], line})
				i += 2
				continue
			}
			out = append(out, ctok{'p', string(c), line})
			i++
		}
	}
	return out
}

// cstring decodes a C string literal token (without the quotes' escapes that matter for text).
func cstring(t string) string {
	s := t[1 : len(t)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 8)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// splitArgs splits the tokens between a call's parentheses at top-level commas.
// toks[start] must be "("; it returns the arguments and the index after ")".
func splitArgs(toks []ctok, start int) ([][]ctok, int) {
	depth := 0
	var args [][]ctok
	var cur []ctok
	for i := start; i < len(toks); i++ {
		t := toks[i]
		if t.kind == 'p' {
			switch t.text {
			case "(", "[", "{":
				depth++
				if depth == 1 {
					continue
				}
			case ")", "]", "}":
				depth--
				if depth == 0 {
					args = append(args, cur)
					return args, i + 1
				}
			case ",":
				if depth == 1 {
					args = append(args, cur)
					cur = nil
					continue
				}
			}
		}
		if t.kind == 'd' {
			continue
		}
		cur = append(cur, t)
	}
	return nil, len(toks)
}

func ctext(ts []ctok) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			prev := ts[i-1]
			if (prev.kind == 'i' || prev.kind == 'n') && (t.kind == 'i' || t.kind == 'n') {
				b.WriteByte(' ')
			} else if t.kind == 'p' && t.text != "->" && t.text != "." && t.text != "(" && t.text != ")" && t.text != "[" && t.text != "]" && t.text != "," || prev.kind == 'p' && (prev.text == ",") {
				if t.text != ")" && t.text != "]" {
					b.WriteByte(' ')
				}
			}
		}
		b.WriteString(t.text)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// logMacro is a macro whose body is a log call.
type logMacro struct {
	params   []string
	variadic string // name bound to the rest of the arguments ("args" in `args...`)
	class    string // L_X
	format   []ctok // strings and parameter identifiers
	args     [][]ctok
	rl       bool
}

var reDefine = regexp.MustCompile(`^#\s*define\s+([A-Za-z_]\w*)\(([^)]*)\)\s*(.*)$`)

func parseMacros(files map[string]string, into map[string]*logMacro) {
	for _, src := range files {
		for _, t := range ctokens(src) {
			if t.kind != 'd' {
				continue
			}
			m := reDefine.FindStringSubmatch(strings.ReplaceAll(t.text, "\\\n", " "))
			if m == nil {
				continue
			}
			body := ctokens(m[3])
			for i := 0; i+1 < len(body); i++ {
				if body[i].kind != 'i' || body[i+1].text != "(" {
					continue
				}
				name := body[i].text
				if name != "log" && name != "log_msg" && name != "log_rl" {
					continue
				}
				args, _ := splitArgs(body, i+1)
				if name == "log_rl" {
					if len(args) < 2 {
						continue
					}
					args = args[1:]
				}
				if len(args) == 0 || len(args[0]) == 0 || args[0][0].kind != 'i' || birdLevels[args[0][0].text] == "" {
					continue
				}
				lm := &logMacro{class: args[0][0].text, format: args[0][1:], args: args[1:], rl: name == "log_rl"}
				for _, p := range strings.Split(m[2], ",") {
					p = strings.TrimSpace(p)
					if strings.HasSuffix(p, "...") {
						lm.variadic = strings.TrimSpace(strings.TrimSuffix(p, "..."))
						if lm.variadic == "" {
							lm.variadic = "__VA_ARGS__"
						}
						continue
					}
					lm.params = append(lm.params, p)
				}
				into[m[1]] = lm
				break
			}
		}
	}
}

// birdFile extracts the log statements of one BIRD C file.
func birdFile(path, src string, macros map[string]*logMacro) ([]rawStmt, []skipped) {
	toks := ctokens(src)
	var out []rawStmt
	var skips []skipped
	for i := 0; i+1 < len(toks); i++ {
		t := toks[i]
		if t.kind != 'i' || toks[i+1].text != "(" {
			continue
		}
		// Not a declaration or definition: `void log_msg(const char *msg, ...)`.
		if i > 0 && (toks[i-1].kind == 'i' || toks[i-1].text == "*") {
			continue
		}
		name := t.text
		var class string
		var fmtToks []ctok
		var args [][]ctok
		rl := false
		switch name {
		case "log", "log_msg", "log_rl", "bug", "die", "DBG":
			a, _ := splitArgs(toks, i+1)
			if name == "log_rl" {
				if len(a) < 2 {
					continue
				}
				a = a[1:]
				rl = true
			}
			if len(a) == 0 || len(a[0]) == 0 {
				continue
			}
			fmtToks, args = a[0], a[1:]
			switch name {
			case "bug":
				class = "L_BUG"
			case "die":
				class = "L_FATAL"
			case "DBG":
				class = "L_DEBUG"
			default:
				class = "L_DEBUG" // log() without a class prints at class 1
				if fmtToks[0].kind == 'i' && birdLevels[fmtToks[0].text] != "" {
					class = fmtToks[0].text
					fmtToks = fmtToks[1:]
				}
			}
		default:
			lm := macros[name]
			if lm == nil {
				continue
			}
			a, _ := splitArgs(toks, i+1)
			bindings := map[string][]ctok{}
			for j, p := range lm.params {
				if j < len(a) {
					bindings[p] = a[j]
				}
			}
			var rest [][]ctok
			if len(a) > len(lm.params) {
				rest = a[len(lm.params):]
			}
			class, rl = lm.class, lm.rl
			for _, ft := range lm.format {
				if ft.kind == 'i' {
					fmtToks = append(fmtToks, bindings[ft.text]...)
				} else {
					fmtToks = append(fmtToks, ft)
				}
			}
			for _, ma := range lm.args {
				if len(ma) >= 1 && ma[len(ma)-1].kind == 'i' && ma[len(ma)-1].text == lm.variadic {
					args = append(args, rest...)
					continue
				}
				var sub []ctok
				for _, x := range ma {
					if x.kind == 'i' && bindings[x.text] != nil {
						sub = append(sub, bindings[x.text]...)
					} else {
						sub = append(sub, x)
					}
				}
				args = append(args, sub)
			}
		}
		var b strings.Builder
		literal := len(fmtToks) > 0
		for _, ft := range fmtToks {
			if ft.kind != 's' {
				literal = false
				break
			}
			b.WriteString(cstring(ft.text))
		}
		if !literal {
			skips = append(skips, skipped{path, t.line, "non_literal"})
			continue
		}
		format := strings.TrimRight(b.String(), "\n")
		if !hasText(format) {
			skips = append(skips, skipped{path, t.line, "no_text"})
			continue
		}
		st := rawStmt{Level: birdLevels[class], Kind: "bird", Format: format, File: path, Line: t.line,
			Keys: []string{}, CtxKeys: []string{}, RateLimited: rl}
		st.Args = make([]string, 0, len(args))
		n := birdVerbCount(format)
		for j := 0; j < n; j++ {
			if j < len(args) {
				st.Args = append(st.Args, ctext(args[j]))
			} else {
				st.Args = append(st.Args, "")
			}
		}
		if r := birdNetlinkRule(&st); r != "" {
			st.Category, st.Rule = "netlink-error", r
		}
		out = append(out, st)
	}
	return out, skips
}

// birdVerbCount counts the operands of a BIRD format (lib/printf.c: %m takes none, %M one).
func birdVerbCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		for i < len(s) && strings.IndexByte("-+ #0123456789.*lhqzjt", s[i]) >= 0 {
			if s[i] == '*' {
				n++
			}
			i++
		}
		if i < len(s) && s[i] != '%' && s[i] != 'm' {
			n++
		}
	}
	return n
}

// reBirdKernelData: sysdep/linux/netlink.c messages about what the kernel reported (an address
// or route BIRD will not use, a table already taken by another protocol), not about a netlink
// exchange that failed: "KRT: Received strange multipath route %I/%d", "KIF: Invalid interface
// address %I for %s" are printed for every odd route or address on a healthy node.
var reBirdKernelData = regexp.MustCompile(`^(KIF: Invalid|KIF: Received|KRT: Received|%s: Kernel table)`)

func birdNetlinkRule(st *rawStmt) string {
	if levelRank(st.Level) < levelRank("WARNING") || reBirdKernelData.MatchString(st.Format) {
		return ""
	}
	switch {
	case strings.HasSuffix(st.File, "sysdep/linux/netlink.c"):
		return "bird-netlink-c"
	case strings.HasSuffix(st.File, "sysdep/unix/krt.c"):
		return "bird-krt-c"
	case strings.HasPrefix(st.Format, "Netlink") || strings.HasPrefix(st.Format, "KRT:"):
		return "bird-netlink-format"
	}
	return ""
}

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"sort"
)

type outInput struct {
	Repo     string   `json:"repo"`
	Tag      string   `json:"tag"`
	Commit   string   `json:"commit"`
	Path     string   `json:"path"`
	Via      string   `json:"via"`
	Releases [][2]int `json:"releases"`
}

type outHeader struct {
	Kind        string         `json:"kind"`
	Schema      int            `json:"schema"`
	GeneratedBy string         `json:"generated_by"`
	DoNotEdit   bool           `json:"do_not_edit"`
	Inputs      []outInput     `json:"inputs"`
	Releases    []string       `json:"releases"`
	Counts      map[string]int `json:"counts"`
}

type outSite struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Printed  string   `json:"printed"`
	Releases [][2]int `json:"releases"`
}

type outStmt struct {
	ID          string    `json:"id"`
	Level       string    `json:"level"`
	Kind        string    `json:"kind"`
	Format      string    `json:"format"`
	Args        []string  `json:"args"`
	Keys        []string  `json:"keys"`
	ContextKeys []string  `json:"context_keys"`
	DynamicKeys bool      `json:"dynamic_keys"`
	Components  []string  `json:"components"`
	RateLimited bool      `json:"rate_limited"`
	Category    *string   `json:"category"`
	Sites       []outSite `json:"sites"`
}

func ranges(set map[int]bool) [][2]int {
	var xs []int
	for k := range set {
		xs = append(xs, k)
	}
	sort.Ints(xs)
	res := [][2]int{}
	for _, x := range xs {
		if n := len(res); n > 0 && res[n-1][1] == x-1 {
			res[n-1][1] = x
		} else {
			res = append(res, [2]int{x, x})
		}
	}
	return res
}

func setList(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// encode writes the NDJSON and gzips it with a fixed header (no name, zero mtime), so the same
// inputs give the same bytes.
func (lib *library) encode() ([]byte, error) {
	var nd bytes.Buffer
	enc := json.NewEncoder(&nd)
	enc.SetEscapeHTML(false)
	h := outHeader{Kind: "header", Schema: 1, GeneratedBy: "scripts/statements (npm run statements:gen)", DoNotEdit: true,
		Releases: lib.Releases, Counts: lib.Counts}
	for _, in := range lib.Inputs {
		h.Inputs = append(h.Inputs, outInput{Repo: in.src.Repo, Tag: in.src.Ref, Commit: in.src.Commit, Path: in.src.Mount, Via: in.src.Via, Releases: ranges(in.rels)})
	}
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(lib.Entries))
	for id := range lib.Entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		e := lib.Entries[id]
		o := outStmt{ID: e.ID, Level: e.Level, Kind: e.Kind, Format: e.Format, Args: e.Args, Keys: e.Keys,
			ContextKeys: setList(e.Ctx), DynamicKeys: e.Dyn, Components: setList(e.Comps), RateLimited: e.RL}
		if o.Args == nil {
			o.Args = []string{}
		}
		if o.Keys == nil {
			o.Keys = []string{}
		}
		if e.Category != "" {
			c := e.Category
			o.Category = &c
		}
		keys := make([]siteKey, 0, len(e.Sites))
		for k := range e.Sites {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			if a.File != b.File {
				return a.File < b.File
			}
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Printed < b.Printed
		})
		for _, k := range keys {
			o.Sites = append(o.Sites, outSite{File: k.File, Line: k.Line, Printed: k.Printed, Releases: ranges(e.Sites[k])})
		}
		if err := enc.Encode(o); err != nil {
			return nil, err
		}
	}
	var gz bytes.Buffer
	w, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(nd.Bytes()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return gz.Bytes(), nil
}

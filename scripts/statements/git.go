package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// repoDir is the bare git directory of a mirrored repository: <mirrors>/<owner>+<name>/repo.
func repoDir(mirrors, repo string) string {
	return mirrors + "/" + strings.ReplaceAll(repo, "/", "+") + "/repo"
}

func gitOut(gitDir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"--git-dir=" + gitDir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s in %s: %v: %s", strings.Join(args, " "), gitDir, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// resolveCommit turns a tag, branch or abbreviated hash into a full commit hash.
func resolveCommit(gitDir, ref string) (string, error) {
	out, err := gitOut(gitDir, "rev-parse", "--verify", "-q", ref+"^{commit}")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

type treeEntry struct {
	Path string
	Blob string
}

// listTree lists the blobs of a commit, keeping those keep() accepts.
func listTree(gitDir, commit string, keep func(string) bool) ([]treeEntry, error) {
	out, err := gitOut(gitDir, "ls-tree", "-r", "-z", "--full-tree", commit)
	if err != nil {
		return nil, err
	}
	var res []treeEntry
	for _, rec := range strings.Split(out, "\x00") {
		if rec == "" {
			continue
		}
		tab := strings.IndexByte(rec, '\t')
		if tab < 0 {
			continue
		}
		meta := strings.Fields(rec[:tab])
		if len(meta) != 3 || meta[1] != "blob" {
			continue
		}
		p := rec[tab+1:]
		if keep(p) {
			res = append(res, treeEntry{Path: p, Blob: meta[2]})
		}
	}
	return res, nil
}

// readBlobs reads blobs through one `git cat-file --batch`.
func readBlobs(gitDir string, blobs []string) (map[string][]byte, error) {
	cmd := exec.Command("git", "--git-dir="+gitDir, "cat-file", "--batch")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		w := bufio.NewWriter(stdin)
		for _, b := range blobs {
			fmt.Fprintln(w, b)
		}
		w.Flush()
		stdin.Close()
	}()
	r := bufio.NewReaderSize(stdout, 1<<20)
	res := make(map[string][]byte, len(blobs))
	for range blobs {
		hdr, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("cat-file: %v", err)
		}
		f := strings.Fields(hdr)
		if len(f) != 3 {
			return nil, fmt.Errorf("cat-file: unexpected header %q", hdr)
		}
		n, _ := strconv.Atoi(f[2])
		buf := make([]byte, n+1)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		res[f[0]] = buf[:n]
	}
	return res, cmd.Wait()
}

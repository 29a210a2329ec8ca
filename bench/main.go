// Command bench compares looptest with Node.js on the same machine: each workload in this
// directory is a scenario (NAME.yaml) with a Node.js twin (NAME.js) that does the same work. It
// runs looptest and node alternately, -runs times each, and prints a markdown table of median
// wall time, peak RSS and the ratios node/looptest.
//
//	go run ./bench             # from the module root: 3 runs each
//	go run ./bench -smoke      # one run each at 1/1000 of the counts, no timing: a check that all run
//
// looptest's HTTP workload talks to its own delay server, inside its process as in every real
// run; node's talks to 'looptest serve', a delay server in a process of its own, so that the
// server's timers never enter node's loop. The server is not in this process because a child
// started by Go (clone with CLONE_VM) starts its peak RSS from its parent's: a large parent would
// inflate every child's figure.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A workload is a scenario and its Node.js twin.
type workload struct {
	name  string
	file  string // NAME: NAME.yaml and NAME.js in the bench directory
	clock string // looptest's clock
}

var workloads = []workload{
	{"1M timers over 100 delays (0-99 ms)", "timers-1m", "real"},
	{"1M immediates", "immediates-1m", "real"},
	{"100k pool round trips, cost 0", "pool-100k", "real"},
	{"5,000 concurrent HTTP calls, 100 ms delay", "http-5k", "real"},
	{"1M timers, looptest's virtual clock", "timers-1m", "virtual"},
}

func main() {
	runs := flag.Int("runs", 3, "runs of each program per workload")
	dir := flag.String("dir", "bench", "the directory holding the workloads")
	smoke := flag.Bool("smoke", false, "run each workload once at 1/1000 of its counts, to check that all run; no timing")
	flag.Parse()
	if err := run(*dir, *runs, *smoke); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// sample is one measured run.
type sample struct {
	wall time.Duration
	rss  int64 // peak resident set, KiB
}

func run(dir string, runs int, smoke bool) error {
	scale := 1
	if smoke {
		runs, scale = 1, 1000
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return errors.New("node is not on PATH: install Node.js to compare (apt-get install nodejs)")
	}
	tmp, err := os.MkdirTemp("", "looptest-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	looptest := filepath.Join(tmp, "looptest")
	if out, err := exec.Command("go", "build", "-o", looptest, "./cmd/looptest").CombinedOutput(); err != nil {
		return fmt.Errorf("building looptest: %v\n%s", err, out)
	}
	addr, stop, err := serve(looptest)
	if err != nil {
		return err
	}
	defer stop()

	nodeVersion, _ := exec.Command(node, "--version").Output()
	note := fmt.Sprintf("%d runs each, medians", runs)
	if smoke {
		note = "smoke run: one run each at 1/1000 of the counts below, not a measurement"
	}
	fmt.Printf("looptest against Node.js %s on %s, %d cores; %s.\n\n",
		bytes.TrimSpace(nodeVersion), machine(), runtime.NumCPU(), note)
	fmt.Println("| workload | looptest | node | node/looptest | looptest peak RSS | node peak RSS | RSS looptest/node |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, w := range workloads {
		scenario, err := scaled(filepath.Join(dir, w.file+".yaml"), tmp, scale)
		if err != nil {
			return err
		}
		script := filepath.Join(dir, w.file+".js")
		var lt, nd []sample
		for range runs {
			s, err := measure(exec.Command(looptest, "run", "--clock", w.clock, scenario))
			if err != nil {
				return fmt.Errorf("%s: looptest: %w", w.name, err)
			}
			lt = append(lt, s)
			cmd := exec.Command(node, script)
			cmd.Env = append(os.Environ(), "LOOPTEST_DELAY_ADDR="+addr, "LOOPTEST_SCALE="+strconv.Itoa(scale))
			if s, err = measure(cmd); err != nil {
				return fmt.Errorf("%s: node: %w", w.name, err)
			}
			nd = append(nd, s)
		}
		l, n := median(lt), median(nd)
		fmt.Printf("| %s | %.2f s | %.2f s | %.2f× | %d MB | %d MB | %.0f%% |\n", w.name,
			l.wall.Seconds(), n.wall.Seconds(), n.wall.Seconds()/l.wall.Seconds(),
			l.rss>>10, n.rss>>10, 100*float64(l.rss)/float64(n.rss))
	}
	return nil
}

// serve starts 'looptest serve' and returns the address it prints, and a function that stops it.
func serve(looptest string) (addr string, stop func(), err error) {
	cmd := exec.Command(looptest, "serve")
	stdin, err := cmd.StdinPipe() // the server runs until its standard input closes
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { stdin.Close(); cmd.Wait() }
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("looptest serve printed no address: %v", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// measure runs cmd, checks that it printed "done", and returns its wall time and peak RSS.
func measure(cmd *exec.Cmd) (sample, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%v: %s", err, stderr.Bytes())
	}
	if !bytes.Contains(out, []byte("done\n")) {
		return sample{}, fmt.Errorf("did not print done: %q", out)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return sample{wall, rss}, nil
}

// median returns the median wall time and the median peak RSS of samples.
func median(samples []sample) sample {
	walls := make([]time.Duration, len(samples))
	rss := make([]int64, len(samples))
	for i, s := range samples {
		walls[i], rss[i] = s.wall, s.rss
	}
	slices.Sort(walls)
	slices.Sort(rss)
	return sample{walls[len(walls)/2], rss[len(rss)/2]}
}

var repeatLine = regexp.MustCompile(`(?m)^(\s*repeat:\s*)(\d+)\s*$`)

// scaled returns a copy of the scenario with every repeat divided by scale (at least 1), or the
// scenario itself when scale is 1.
func scaled(path, tmp string, scale int) (string, error) {
	if scale == 1 {
		return path, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	b = repeatLine.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := repeatLine.FindSubmatch(m)
		n, _ := strconv.Atoi(string(sub[2]))
		return fmt.Appendf(nil, "%s%d", sub[1], max(1, n/scale))
	})
	out := filepath.Join(tmp, filepath.Base(path))
	return out, os.WriteFile(out, b, 0o644)
}

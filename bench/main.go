// Command bench compares looptest with Node.js and with libuv on the same machine: each workload
// in this directory is a scenario (NAME.yaml) with a Node.js twin (NAME.js) that does the same
// work and, for all but HTTP, a C twin on libuv (libuv/NAME.c) that keeps its callbacks as Node does,
// built with gcc when uv.h is installed (libuv1-dev). It runs looptest, node and the C twin in
// turn, -runs times over, and prints a markdown table of the medians of wall time, CPU time
// (user+system of the whole process), CPU per callback and peak RSS, and the CPU ratios
// looptest/node and looptest/libuv. A missing node or libuv leaves its column empty.
//
//	go run ./bench             # from the module root: 7 runs each
//	go run ./bench -runs 3     # fewer
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

// A workload is a scenario and its twins: NAME.js for Node.js and, where there is one, libuv/NAME.c
// for libuv, which does the same work the way Node keeps it, without JavaScript.
type workload struct {
	name  string
	file  string // NAME: NAME.yaml, NAME.js and libuv/NAME.c in the bench directory
	clock string // looptest's clock
	count int    // callbacks at full scale: what ns per callback divides by
}

var workloads = []workload{
	{"1M timers over 100 delays (0-99 ms)", "timers-1m", "real", 1_000_000},
	{"1M immediates", "immediates-1m", "real", 1_000_000},
	{"100k pool round trips, cost 0", "pool-100k", "real", 100_000},
	{"5,000 concurrent HTTP calls, 100 ms delay", "http-5k", "real", 5_000},
	{"1M timers, looptest's virtual clock", "timers-1m", "virtual", 1_000_000},
}

func main() {
	runs := flag.Int("runs", 7, "alternated runs of each program per workload (looptest, node, C, then again)")
	dir := flag.String("dir", "bench", "the directory holding the workloads")
	smoke := flag.Bool("smoke", false, "run each workload once at 1/1000 of its counts, to check that all run; no timing")
	flag.Parse()
	if err := run(*dir, max(*runs, 1), *smoke); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// sample is one measured run.
type sample struct {
	wall time.Duration
	cpu  time.Duration // user and system time of the child
	rss  int64         // peak resident set, KiB
}

// A program is one of the three contenders, with its runs of the current workload.
type program struct {
	name    string
	samples []sample
	failed  bool // a run failed: the workload's column says so, and the program runs no more
}

func run(dir string, runs int, smoke bool) error {
	scale := 1
	if smoke {
		runs, scale = 1, 1000
	}
	node, err := exec.LookPath("node")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: node is not on PATH: the Node.js column is skipped (apt-get install nodejs)")
		node = ""
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
	twins, why := buildC(dir, tmp)
	if why != "" {
		fmt.Fprintln(os.Stderr, "bench: the libuv column is skipped:", why)
	}
	addr, stop, err := serve(looptest)
	if err != nil {
		return err
	}
	defer stop()

	against := "libuv " + uvVersion()
	if node != "" {
		v, _ := exec.Command(node, "--version").Output()
		against = "Node.js " + string(bytes.TrimSpace(v)) + " and " + against
	}
	note := fmt.Sprintf("medians of %d alternated runs each", runs)
	if smoke {
		note = "smoke run: one run each at 1/1000 of the counts below, not a measurement"
	}
	fmt.Printf("looptest against %s on %s, %d cores; %s. CPU is user+system time of the whole process; ns/cb is CPU per callback.\n\n",
		against, machine(), runtime.NumCPU(), note)
	fmt.Println("| workload | wall looptest / node / libuv | CPU looptest / node / libuv | ns/cb looptest / node / libuv | CPU looptest/node | CPU looptest/libuv | peak RSS looptest / node / libuv |")
	fmt.Println("|---|---|---|---|---|---|---|")
	anyFailed := false
	for _, w := range workloads {
		scenario, err := scaled(filepath.Join(dir, w.file+".yaml"), tmp, scale)
		if err != nil {
			return err
		}
		env := append(os.Environ(), "LOOPTEST_DELAY_ADDR="+addr, "LOOPTEST_SCALE="+strconv.Itoa(scale))
		lt, nd, uv := &program{name: "looptest"}, &program{name: "node"}, &program{name: "libuv"}
		failed := false
		try := func(p *program, cmd *exec.Cmd, env []string) {
			if p.failed {
				return
			}
			if err := p.measure(cmd, env); err != nil {
				fmt.Fprintf(os.Stderr, "bench: %s: %v\n", w.name, err)
				p.failed, failed = true, true
			}
		}
		for range runs {
			try(lt, exec.Command(looptest, "run", "--clock", w.clock, scenario), nil)
			if node != "" {
				try(nd, exec.Command(node, filepath.Join(dir, w.file+".js")), env)
			}
			if c := twins[w.file]; c != "" {
				try(uv, exec.Command(c), env)
			}
		}
		count := max(1, w.count/scale)
		l, n, u := lt.median(), nd.median(), uv.median()
		fmt.Printf("| %s | %s / %s / %s | %s / %s / %s | %s / %s / %s | %s | %s | %s / %s / %s |\n", w.name,
			secs(l.wall), secs(n.wall), secs(u.wall),
			secs(l.cpu), secs(n.cpu), secs(u.cpu),
			perCallback(l.cpu, count), perCallback(n.cpu, count), perCallback(u.cpu, count),
			ratio(l.cpu, n.cpu), ratio(l.cpu, u.cpu),
			mb(l.rss), mb(n.rss), mb(u.rss))
		anyFailed = anyFailed || failed
	}
	if anyFailed {
		return errors.New("a run failed (its figures are left out): see above")
	}
	return nil
}

// buildC compiles each workload's libuv twin with gcc, when uv.h is there, and returns the
// binaries by workload file; why says why there are none.
func buildC(dir, tmp string) (twins map[string]string, why string) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return nil, "gcc is not on PATH"
	}
	if out, err := exec.Command(gcc, "-E", "-x", "c", "-", "-o", os.DevNull).CombinedOutput(); err != nil {
		return nil, fmt.Sprintf("gcc does not run: %v %s", err, out)
	}
	probe := exec.Command(gcc, "-E", "-x", "c", "-", "-o", os.DevNull)
	probe.Stdin = strings.NewReader("#include <uv.h>\n")
	if probe.Run() != nil {
		return nil, "uv.h is not installed (apt-get install libuv1-dev)"
	}
	twins = map[string]string{}
	for _, w := range workloads {
		src := filepath.Join(dir, "libuv", w.file+".c")
		if _, err := os.Stat(src); err != nil || twins[w.file] != "" {
			continue
		}
		bin := filepath.Join(tmp, w.file+"-uv")
		if out, err := exec.Command(gcc, "-O2", "-Wall", "-o", bin, src, "-luv").CombinedOutput(); err != nil {
			return nil, fmt.Sprintf("building %s: %v\n%s", src, err, out)
		}
		twins[w.file] = bin
	}
	return twins, ""
}

// uvVersion is the version of the libuv the twins link, from pkg-config, or "".
func uvVersion() string {
	out, err := exec.Command("pkg-config", "--modversion", "libuv").Output()
	if err != nil {
		return "(libuv1-dev)"
	}
	return string(bytes.TrimSpace(out))
}

func secs(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func perCallback(cpu time.Duration, count int) string {
	if cpu == 0 {
		return "–"
	}
	return fmt.Sprintf("%d", cpu.Nanoseconds()/int64(count))
}

func ratio(a, b time.Duration) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a.Seconds()/b.Seconds())
}

func mb(kib int64) string {
	if kib == 0 {
		return "–"
	}
	return fmt.Sprintf("%d MB", kib>>10)
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

// measure runs cmd with env (nil: this process's), checks that it printed "done", and adds its
// wall time, CPU time and peak RSS to p's samples.
func (p *program) measure(cmd *exec.Cmd, env []string) error {
	var stderr bytes.Buffer
	cmd.Stderr, cmd.Env = &stderr, env
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s: %v: %s", p.name, err, stderr.Bytes())
	}
	if !bytes.Contains(out, []byte("done\n")) {
		return fmt.Errorf("%s: did not print done: %q", p.name, out)
	}
	s := sample{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage); ru != nil {
		s.rss = ru.Maxrss
	}
	p.samples = append(p.samples, s)
	return nil
}

// median returns the medians of p's wall times, CPU times and peak RSS, each on its own; zero
// when p did not run.
func (p *program) median() sample {
	n := len(p.samples)
	if n == 0 || p.failed {
		return sample{}
	}
	walls, cpus, rss := make([]time.Duration, n), make([]time.Duration, n), make([]int64, n)
	for i, s := range p.samples {
		walls[i], cpus[i], rss[i] = s.wall, s.cpu, s.rss
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	slices.Sort(rss)
	return sample{walls[n/2], cpus[n/2], rss[n/2]}
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

// The Go side of the benchmarks: the same work as atman_bench.c, run as a
// process in the box's dom0 (one vCPU, as our guest has). Lines are
// "bench NAME VALUE UNIT". Built on the host: CGO_ENABLED=0 go build.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func report(name string, d time.Duration, n int, unit string) {
	fmt.Printf("bench %s %.1f %s\n", name, float64(d.Nanoseconds())/float64(n), unit)
}

func pingpong(n int) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			pong <- <-ping
		}
	}()
	t0 := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	report("chan_handoff", time.Since(t0), 2*n, "ns/handoff")
}

func goCreate(n int) {
	done := make(chan int, n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() { done <- 1 }()
	}
	for i := 0; i < n; i++ {
		<-done
	}
	report("go_create_exit", time.Since(t0), n, "ns/thread")
}

func generate(ch chan<- int) {
	for i := 2; ; i++ {
		ch <- i
	}
}

func filter(in <-chan int, out chan<- int, prime int) {
	for {
		i := <-in
		if i%prime != 0 {
			out <- i
		}
	}
}

func sieve(n int) {
	t0 := time.Now()
	ch := make(chan int)
	go generate(ch)
	last := 0
	for i := 0; i < n; i++ {
		last = <-ch
		ch1 := make(chan int)
		go filter(ch, ch1, last)
		ch = ch1
	}
	fmt.Printf("bench sieve_%d_last %d prime\n", n, last)
	report("sieve_2000", time.Since(t0), 1000000, "ms")
}

func main() {
	scale := 1
	if len(os.Args) > 1 {
		scale, _ = strconv.Atoi(os.Args[1])
	}
	// As the C sides: measure from a quiet dom0 (when this binary runs
	// as a guest, dom0 is still finishing its xl create for ~100 ms).
	time.Sleep(time.Second)
	pingpong(20000 * scale)
	goCreate(2000 * scale)
	sieve(2000)
}

// An ordinary Go program, built with CGO_ENABLED=0 go build and booted
// unmodified: goroutines, sync, select with time.After, sleeps, fmt,
// strconv, math, sort, a GC churn whose memory comes back, os.Args,
// os.Getenv; and by its first argument: exit3 (os.Exit(3)), panic (Go's
// own traceback, status 2), nil (a nil dereference: SIGSEGV reaches Go's
// handler, which reports it as a runtime error).
package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type node struct{ next *node }

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

func freeRAM() uint64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		fail("sysinfo: %v", err)
	}
	return uint64(si.Freeram) * uint64(si.Unit)
}

func main() {
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "exit3":
		fmt.Println("exiting with 3")
		os.Exit(3)
	case "panic":
		panic("deliberate panic from main")
	case "nil":
		var n *node
		fmt.Println(n.next)
	}

	fmt.Printf("args %q env GREETING=%s\n", os.Args[1:], os.Getenv("GREETING"))
	fmt.Printf("cpus %d, GOMAXPROCS %d, %s\n", runtime.NumCPU(),
		runtime.GOMAXPROCS(0), runtime.Version())

	// 100 goroutines, 1000 locked increments each.
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := 0
	for g := 0; g < 100; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				count++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Printf("counter %d\n", count)

	// select: the channel never sends, so time.After wins, never early.
	never := make(chan int)
	t0 := time.Now()
	select {
	case <-never:
		fail("a value from a channel nobody sends on")
	case <-time.After(50 * time.Millisecond):
	}
	if d := time.Since(t0); d < 50*time.Millisecond {
		fail("time.After(50ms) fired after %v", d)
	}
	t0 = time.Now()
	time.Sleep(20 * time.Millisecond)
	if d := time.Since(t0); d < 20*time.Millisecond {
		fail("time.Sleep(20ms) returned after %v", d)
	}
	fmt.Println("select: time.After won; sleeps never early")

	// A goroutine in a loop without calls, on one P: main gets the CPU
	// back only by Go's asynchronous preemption (tgkill SIGURG, whose
	// handler rewrites the interrupted context).
	prev := runtime.GOMAXPROCS(1)
	var stop int32
	done := make(chan bool)
	go func() {
		n := 0
		for atomic.LoadInt32(&stop) == 0 { // an intrinsic: no call
			n++
		}
		done <- n > 0
	}()
	time.Sleep(20 * time.Millisecond)
	fmt.Println("preemption: main ran again beside a spinning goroutine")
	atomic.StoreInt32(&stop, 1)
	<-done
	runtime.GOMAXPROCS(prev)

	// A producer and a consumer over a buffered channel.
	ch := make(chan int, 8)
	go func() {
		for i := 1; i <= 1000; i++ {
			ch <- i
		}
		close(ch)
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	fmt.Printf("channel sum %d\n", sum)

	n, err := strconv.Atoi("12345")
	f, _ := strconv.ParseFloat("2.5", 64)
	if err != nil {
		fail("Atoi: %v", err)
	}
	fmt.Printf("strconv %d %s %.1f; math sqrt2 %.6f pi %.5f\n", n,
		strconv.Quote("q"), f, math.Sqrt(2), math.Pi)
	xs := []int{5, 2, 9, 1, 7, 3}
	sort.Ints(xs)
	fmt.Printf("sorted %v\n", xs)

	// 200 MiB through the GC, 1 MiB at a time, at most 8 MiB alive.
	before := freeRAM()
	var keep [8][]byte
	for i := 0; i < 200; i++ {
		b := make([]byte, 1<<20)
		b[0], b[len(b)-1] = byte(i), byte(i)
		keep[i%8] = b
	}
	for i := range keep {
		if keep[i][0] != keep[i][len(keep[i])-1] {
			fail("churn: a buffer changed")
		}
		keep[i] = nil
	}
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	after := freeRAM()
	fmt.Printf("churn: 200 MiB allocated, %d GCs, heap now %d MiB\n",
		ms.NumGC, ms.HeapAlloc>>20)
	if ms.HeapAlloc > 16<<20 {
		fail("the heap kept %d MiB", ms.HeapAlloc>>20)
	}
	if after+16<<20 < before {
		fail("the kernel has %d MiB less free than before the churn",
			(before-after)>>20)
	}
	fmt.Println("churn: the memory came back to the kernel")
	fmt.Println("goprog ok")
}

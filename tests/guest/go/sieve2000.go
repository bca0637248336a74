// Go's concurrent prime sieve (as sieve.go) to 2,000 primes, each checked
// by trial division: a goroutine per prime, 2,000 of them alive at the end.
package main

import (
	"fmt"
	"os"
)

func Generate(ch chan<- int) {
	for i := 2; ; i++ {
		ch <- i
	}
}

func Filter(in <-chan int, out chan<- int, prime int) {
	for {
		i := <-in
		if i%prime != 0 {
			out <- i
		}
	}
}

func isPrime(n int) bool {
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return n >= 2
}

func main() {
	ch := make(chan int)
	go Generate(ch)
	last, want := 0, 2
	for i := 0; i < 2000; i++ {
		prime := <-ch
		for !isPrime(want) {
			want++
		}
		if prime != want {
			fmt.Printf("MISMATCH: prime %d is %d, not %d\n", i+1, prime, want)
			os.Exit(1)
		}
		want++
		last = prime
		ch1 := make(chan int)
		go Filter(ch, ch1, prime)
		ch = ch1
	}
	fmt.Printf("2000 primes, every one checked; the last is %d\n", last)
}

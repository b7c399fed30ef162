package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	base := runtime.NumGoroutine()
	tickers := make([]*time.Ticker, 0, 1000)
	for i := 0; i < 1000; i++ {
		tickers = append(tickers, time.NewTicker(time.Second))
	}
	fmt.Printf("1000 NewTicker: goroutines %d -> %d\n", base, runtime.NumGoroutine())
	for _, t := range tickers {
		go func(t *time.Ticker) {
			for range t.C {
			}
		}(t)
	}
	time.Sleep(100 * time.Millisecond)
	fmt.Printf("1000 readers ranging over them: goroutines %d\n", runtime.NumGoroutine())
	for _, t := range tickers {
		t.Stop()
	}
	time.Sleep(100 * time.Millisecond)
	fmt.Printf("after Stop() on all: goroutines %d (range over t.C never ends: Stop does not close the channel)\n", runtime.NumGoroutine())
	fmt.Println(runtime.Version())
}

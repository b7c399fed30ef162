// The write-up verifies a ticker leak with `curl /debug/pprof/goroutine?debug=1 | grep -c runtime.timer`.
// This program asks its own pprof endpoint the same question with 1,000 leaked ticker readers, and prints what the
// grep counts beside what actually leaked. Run: go run docs/go/pprof_timer_grep.go (GoClaimsTests does).
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"runtime"
	"strings"
	"time"
)

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(listener, nil)

	for i := 0; i < 1000; i++ {
		ticker := time.NewTicker(time.Hour)
		go func() {
			for range ticker.C { // never stopped, never returns: the leak
			}
		}()
	}
	// Until every reader is parked in its range loop, the ones not yet scheduled form groups of their own: ask again.
	var text string
	var lines []string
	for attempt := 0; attempt < 100; attempt++ {
		time.Sleep(100 * time.Millisecond)
		text = goroutineDump("http://" + listener.Addr().String() + "/debug/pprof/goroutine?debug=1")
		lines = strings.Split(text, "\n")
		if strings.HasPrefix(lines[1], "1000 @") {
			break
		}
	}
	fmt.Printf("runtime.NumGoroutine(): %d\n", runtime.NumGoroutine())
	fmt.Printf("grep -c runtime.timer: %d\n", countLines(text, "runtime.timer"))
	// debug=1 groups goroutines by stack: the header counts them all, each group starts with its count.
	fmt.Printf("header: %s\n", lines[0])
	fmt.Printf("largest group: %s %s\n", lines[1], strings.Fields(lines[2])[2])
	fmt.Println(runtime.Version())
}

// goroutineDump is curl: the body of a GET.
func goroutineDump(url string) string {
	response, err := http.Get(url)
	if err != nil {
		panic(err)
	}
	defer response.Body.Close()
	dump, _ := io.ReadAll(response.Body)
	return string(dump)
}

// countLines is grep -c: the lines that contain the pattern.
func countLines(text, pattern string) int {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, pattern) {
			n++
		}
	}
	return n
}

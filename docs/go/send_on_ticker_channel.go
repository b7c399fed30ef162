// The write-up's storm snippet sends on a ticker's channel to trigger a reconcile. ticker.C is receive-only
// (<-chan Time), so the Go compiler refuses it: `go vet docs/go/send_on_ticker_channel.go` fails with
// "invalid operation: cannot send to receive-only channel" (DocsClaimsTests checks that it does).
package main

import "time"

func main() {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	ticker.C <- time.Now() // the write-up's line, reduced
}

// Go's os and net/http, unmodified: "files" reads the rootfs the test
// gives (os.ReadFile, a symlink, a directory listing) and writes /tmp;
// "serve PORT N" serves that rootfs's /www with net/http's file server
// and exits once it has answered N requests.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
)

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

func files() {
	b, err := os.ReadFile("/etc/app/config")
	if err != nil {
		fail("ReadFile: %v", err)
	}
	fmt.Printf("config: %s", b)
	l, err := os.ReadFile("/www/config.link")
	if err != nil || string(l) != string(b) {
		fail("through the symlink: %q, %v", l, err)
	}
	ents, err := os.ReadDir("/www")
	if err != nil {
		fail("ReadDir: %v", err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	fmt.Printf("/www: %s\n", strings.Join(names, " "))
	if err := os.WriteFile("/tmp/out.txt", []byte("written by Go\n"), 0644); err != nil {
		fail("WriteFile: %v", err)
	}
	w, err := os.ReadFile("/tmp/out.txt")
	st, err2 := os.Stat("/tmp/out.txt")
	if err != nil || err2 != nil || st.Size() != int64(len(w)) {
		fail("read back: %v %v", err, err2)
	}
	fmt.Printf("/tmp/out.txt: %d bytes: %s", st.Size(), w)
	if _, err := os.ReadFile("/no/such"); !os.IsNotExist(err) {
		fail("a missing file: %v", err)
	}
	fmt.Println("gohttp files ok")
}

func serve(port string, n int64) {
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		fail("listen: %v", err)
	}
	fmt.Printf("gohttp: listening on port %s\n", port)
	var served int64
	done := make(chan bool)
	fs := http.FileServer(http.Dir("/www"))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.ServeHTTP(w, r)
		// The answer goes out before the count may end the program.
		w.(http.Flusher).Flush()
		if atomic.AddInt64(&served, 1) == n {
			close(done)
		}
	})
	go http.Serve(ln, h)
	<-done
	fmt.Printf("gohttp: %d requests served\n", n)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "files" {
		files()
		return
	}
	if len(os.Args) != 4 || os.Args[1] != "serve" {
		fail("usage: gohttp files | serve PORT N")
	}
	n, _ := strconv.ParseInt(os.Args[3], 10, 64)
	serve(os.Args[2], n)
}

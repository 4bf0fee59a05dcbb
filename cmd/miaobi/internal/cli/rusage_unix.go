//go:build unix

package cli

import (
	"os"
	"runtime"
	"syscall"
)

// MaxRSS returns the peak resident memory of a finished process in bytes.
func MaxRSS(ps *os.ProcessState) (int64, bool) {
	if ps == nil {
		return 0, false
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	switch runtime.GOOS {
	case "darwin", "ios":
		return int64(ru.Maxrss), true // bytes
	}
	return int64(ru.Maxrss) << 10, true // KiB
}

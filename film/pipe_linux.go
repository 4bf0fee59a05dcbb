package film

import (
	"os"

	"golang.org/x/sys/unix"
)

// growPipe widens a pipe to a megabyte (Linux's default is 64 kB): a frame
// of 1080p is 3 MB, and each trip through a narrow pipe costs system calls
// and switches between Miaobi and ffmpeg.
func growPipe(f *os.File) {
	unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, 1<<20) // best effort: the default still works
}

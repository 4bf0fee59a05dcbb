//go:build !unix

package cli

import "os"

func MaxRSS(*os.ProcessState) (int64, bool) { return 0, false }

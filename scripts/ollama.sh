#!/bin/sh
# Builds the real Ollama server from the Go module proxy (cgo: llama.cpp and
# ggml compile from the module's sources, about 9 minutes on 2 cores) for
# the engine tests, and prints the binary's path. The build is cached by
# version under ~/.cache/miaobi, so it runs once per machine.
#
# The module leaves out llama.cpp's vendored headers; Debian's
# nlohmann-json3-dev and libstb-dev give two of them, and
# scripts/ollama/miniaudio/miniaudio.h stands in for the third (audio input,
# which the tests never use).
set -eu
version=v0.17.4
cache=${XDG_CACHE_HOME:-$HOME/.cache}/miaobi/ollama-$version
if [ -x "$cache/ollama" ]; then
	echo "$cache/ollama"
	exit 0
fi
apt=apt-get
[ "$(id -u)" = 0 ] || apt="sudo apt-get"
missing=""
[ -f /usr/include/nlohmann/json_fwd.hpp ] || missing="$missing nlohmann-json3-dev"
[ -f /usr/include/stb/stb_image.h ] || missing="$missing libstb-dev"
command -v g++ >/dev/null || missing="$missing g++"
if [ -n "$missing" ]; then
	echo "installing:$missing" >&2
	$apt update -q >&2 && DEBIAN_FRONTEND=noninteractive $apt install -y -q $missing >&2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache.tmp"
echo "building Ollama $version from the Go module proxy (about 9 minutes on 2 cores) …" >&2
CGO_ENABLED=1 CGO_CPPFLAGS="-I$here/ollama" GOBIN="$cache.tmp" \
	go install "github.com/ollama/ollama@$version" >&2
rm -rf "$cache"
mv "$cache.tmp" "$cache"
echo "$cache/ollama"

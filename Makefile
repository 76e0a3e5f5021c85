# Rooms: `make run` builds everything and starts the server; `make test`
# installs what the tests need and runs every test.

GO      ?= go
BIN     := bin/rooms
WEB_SRC := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json web/package.json -type f 2>/dev/null)

.PHONY: all build run test test-go test-web deps web chromium clean bench

all: build

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SRC)
	cd web && npm run build

web: web/dist/index.html

$(BIN): web/dist/index.html $(shell find cmd internal web -name '*.go' 2>/dev/null) go.mod go.sum
	$(GO) build -o $(BIN) ./cmd/rooms

build: $(BIN)

run: build
	./$(BIN)

# Debian's chromium drives the browser tests. Install it when it is missing
# and we may (root); otherwise say what to do.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium'"; exit 1; fi

deps: web/node_modules/.installed chromium

test: deps build test-go test-web

# The end-to-end media tests (internal/app: fifty bots and a server in one
# process) run alone, after the rest: beside the load tool's tests, which
# run bots of their own, a machine of two cores under the race detector
# lets ICE time out.
test-go:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m $$($(GO) list ./... | grep -v '/internal/app$$')
	$(GO) test -race -count=1 -timeout 15m ./internal/app

test-web: build
	cd web && npm run typecheck && node --test --test-concurrency=1 e2e/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

clean:
	rm -rf bin web/dist/assets web/dist/index.html web/node_modules

# hongwang — the usual Pelican targets plus install/test/bench.
# Works on a clean machine with only Python 3.11 and make: the first target
# that needs it creates .venv and installs the project into it.

PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HONGWANG := $(BIN)/hongwang
CONTENT ?= content
OUTPUT ?= output
PORT ?= 8000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
# make bench BENCH_SIZES=1000,5000,20000 (or BENCH_FULL=1) adds the 20,000-item run.
BENCH_DEFAULT_SIZES := 1000,5000
BENCH_FULL_SIZES := 1000,5000,20000
BENCH_SIZES ?= $(if $(BENCH_FULL),$(BENCH_FULL_SIZES),$(BENCH_DEFAULT_SIZES))

.PHONY: help install install-test site html build serve devserver test bench clean validate

help:
	@echo "make site     创建 .venv、安装并生成示例网站到 $(OUTPUT)/"
	@echo "make serve    在 http://127.0.0.1:$(PORT)/ 提供网站访问"
	@echo "make test     安装测试依赖并运行全部测试"
	@echo "make install  创建 .venv 并以可编辑方式安装 hongwang"
	@echo "make bench    运行性能基准"

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(STAMP)

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	@touch $@ $(STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

validate: $(STAMP)
	$(HONGWANG) validate --content $(CONTENT)

html build: $(STAMP)
	$(HONGWANG) build --content $(CONTENT) --output $(OUTPUT)

site: html
	@echo ""
	@echo "网站已生成：$(abspath $(OUTPUT))/index.html"
	@echo "运行 make serve，然后用浏览器访问 http://127.0.0.1:$(PORT)/"

serve: $(STAMP)
	@test -f $(OUTPUT)/index.html || $(MAKE) --no-print-directory html
	$(HONGWANG) serve --output $(OUTPUT) --port $(PORT)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py --sizes $(BENCH_SIZES)

clean:
	rm -rf $(OUTPUT) .pytest_cache

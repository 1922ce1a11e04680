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
# Deploy targets live in publish.yaml (see publish.example.yaml); make publish TARGET=name picks one.
PUBLISH_CONFIG ?= publish.yaml
TARGET ?=
RSYNC_TARGET ?= server
DIST ?= dist
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
# make bench: N = 1,000, 5,000 and 20,000; BENCH_HUGE=1 adds 100,000; BENCH_SIZES=1000 picks sizes;
# BENCH_PROFILE=1 also runs the cold build and the edit under py-spy (bench/README.md).
BENCH_SIZES ?= 1000,5000,20000

.PHONY: help install install-test site html build serve devserver publish rsync_upload rollback bundle test lint format docs bench bench-serve clean validate

help:
	@echo "make site     创建 .venv、安装并生成示例网站到 $(OUTPUT)/"
	@echo "make serve    在 http://127.0.0.1:$(PORT)/ 提供网站访问"
	@echo "make devserver 预览：改动内容或模板后自动重新生成"
	@echo "make publish  按 publish.yaml 生成并发布（TARGET=目标名）；make rsync_upload 发布到 $(RSYNC_TARGET)"
	@echo "make rollback 回退到上一个版本；make bundle 生成村级离线包到 $(DIST)/"
	@echo "make test     安装测试依赖并运行全部测试"
	@echo "make lint     代码检查（ruff check 与 ruff format --check）；make format 自动整理格式"
	@echo "make docs     按字段表重新生成 docs/collectors.md 的参考部分"
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

devserver: $(STAMP)
	$(HONGWANG) serve --watch --content $(CONTENT) --output $(OUTPUT) --port $(PORT)

publish: $(STAMP)
	$(HONGWANG) publish --config $(PUBLISH_CONFIG) --content $(CONTENT) $(if $(TARGET),--target $(TARGET))

rsync_upload: $(STAMP)
	$(HONGWANG) publish --config $(PUBLISH_CONFIG) --content $(CONTENT) --target $(RSYNC_TARGET)

rollback: $(STAMP)
	$(HONGWANG) publish --config $(PUBLISH_CONFIG) --rollback $(if $(TARGET),--target $(TARGET))

bundle: $(STAMP)
	$(HONGWANG) bundle --content $(CONTENT) --output $(DIST)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: $(STAMP)
	$(BIN)/python -m hongwang.pipeline.content.reference --write docs/collectors.md

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py --sizes $(BENCH_SIZES) $(if $(BENCH_HUGE),--huge) $(if $(BENCH_PROFILE),--profile)

# hongwang serve under load on loopback: 50 clients and 5 slow ones for 30 s (bench/serve_load.py).
bench-serve: $(STAMP)
	$(BIN)/python bench/serve_load.py

clean:
	rm -rf $(OUTPUT) $(DIST) .pytest_cache

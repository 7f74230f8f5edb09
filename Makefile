# lenet-mnist-ko: 새 컴퓨터에서는 `make run`과 `make test` 두 명령이면 됩니다.
# 각 대상은 필요한 준비(가상환경, 데이터)를 스스로 하며, 이미 되어 있으면 바로 넘어갑니다.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb)) $(sort $(wildcard notebooks/A[0-9]_*.ipynb))
SOLUTIONS := $(sort $(wildcard solutions/*.ipynb))
LAB_PORT ?= 8888
LAB_ARGS ?=
LAB_DIR ?= notebooks

# 헤드리스 실행에서는 진행 막대 대신 에포크마다 한 줄만 출력합니다.
export LENETLIB_PROGRESS ?= epoch
export PYTHONUNBUFFERED := 1
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install data run timings seed-spread paper-reference handwriting-samples lab test test-unit test-notebooks test-outside test-browser colab lint format record bench clean browser-tools book book-fast test-book probe

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@echo "== 가상환경 $(VENV) 준비 (처음 한 번은 몇 분 걸립니다)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[lab,dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lenet-mnist-ko)" >/dev/null
	@touch $@
	@echo "== 설치 완료"

data: $(STAMP)
	$(BIN)/python -m lenetlib.data --repair

# 4장·7장은 저장된 모델이 있어도 새로 훈련합니다(처음 실행하는 학생과 같게). 장마다 걸린 시간을 머리말의
# 시간(docs/timings.json, 같은 CPU 종류)과 나란히 보여 주고, 2배 넘게 다르면 '참고'로 표시합니다(실패하지 않음).
run: data
	$(BIN)/python -m tools.nbtools run $(NOTEBOOKS) --out build

# 각 장과 풀이 머리말의 실행 시간을 다시 잽니다: 기본 매개변수(처음부터) + 빠른 매개변수 → docs/timings.json의
# 이 컴퓨터의 CPU 종류(AVX-512 / AVX2) 칸과 머리말. 풀이는 장 다음에 (장이 저장한 모델을 불러오는 학생과 같게).
# 다른 일이 없는 컴퓨터에서 재세요.
timings: data
	$(BIN)/python -m tools.nbtools timings $(NOTEBOOKS) $(SOLUTIONS) --out build/timings

# JupyterLab (프로젝트 가상환경의 python3 커널). 예: make lab LAB_PORT=9999 LAB_ARGS=--no-browser
# jupyter/overrides.json: 프로젝트 JupyterLab의 기본 설정 ("Jupyter news" 알림과 업데이트 확인 끔)
lab: data
	@mkdir -p $(BIN)/../share/jupyter/lab/settings && cp jupyter/overrides.json $(BIN)/../share/jupyter/lab/settings/overrides.json
	$(BIN)/jupyter lab --notebook-dir=$(LAB_DIR) --ip=127.0.0.1 --port=$(LAB_PORT) $(LAB_ARGS)

test: test-unit test-notebooks

test-unit: data
	$(BIN)/python -m pytest tests -q

# 이슈 #18의 탐침 약 500개 (tools/probe.py): 잘못되었거나 경계에 있는 입력 하나와 기대 하나씩
# (손글씨, 캔버스, 연습 문제, 7장 도우미, 산출물, MNIST 캐시, 속도 설정, 준비 블록). 임시 폴더에서만
# 쓰고 사용자 파일을 건드리지 않는지도 봅니다. 영역별 합계를 내고 나쁜 탐침이 있으면 실패 (2코어 약 1~2분)
probe: data
	$(BIN)/python -m tools.probe

# papermill이 빠른 매개변수(작은 훈련 부분 집합, 2 에포크)를 넣은 사본을 build/nbtest에 만들고,
# nbval이 그 사본을 실행하며 # NBVAL_CHECK_OUTPUT 셀의 출력을 저장된 출력과 비교합니다.
test-notebooks: data
ifneq ($(NOTEBOOKS),)
	rm -rf build/nbtest
	$(BIN)/python -m tools.nbtools prepare $(NOTEBOOKS) --out build/nbtest
	$(BIN)/python -m tools.nbtools prepare $(SOLUTIONS) --out build/nbtest/solutions
	$(BIN)/python -m pytest -q -p tools.nbval_checks --nbval-lax --nbval-cell-timeout=600 \
		-o testpaths= --rootdir=. build/nbtest
else
	@echo "노트북이 아직 없습니다."
endif

# 저장소 밖의 학생처럼: 휠을 만들고, Python 3.12·3.13(pyenv 등에서 찾음)의 새 환경에서 각 장을 홀로 실행.
# 첫 셀이 LENETLIB_SOURCE(그 휠)에서 lenetlib을 설치해야 통과합니다. 결과: build/outside/
test-outside: $(STAMP)
	$(BIN)/python -m tools.outside $(NOTEBOOKS)

# 진짜 브라우저: make lab과 같은 JupyterLab을 헤드리스 Chromium(Playwright)으로 열어 각 장을 모두 실행.
# chromium·한글 글꼴이 없으면 apt로 설치합니다(root 필요). 스크린숏: build/browser/
PLAYWRIGHT ?= playwright==1.65.2
test-browser: data browser-tools
	$(BIN)/python -m tools.browser $(NOTEBOOKS)

# test-browser와 test-book이 함께 쓰는 도구: 데비안 chromium, 한글 글꼴, Playwright(파이썬)
browser-tools: $(STAMP)
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi cjk; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
		else echo "chromium과 fonts-noto-cjk가 필요합니다: sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi; \
	fi
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt $(PLAYWRIGHT)

# 저장소 주소(pyproject.toml [project.urls] Repository)에 맞춰 배지·첫 셀·README의 Colab 안내를 다시 씁니다.
colab: $(STAMP)
	$(BIN)/python -m tools.nbtools colab $(NOTEBOOKS) $(SOLUTIONS)

lint: $(STAMP)
	$(BIN)/ruff check lenetlib tests tools bench scripts examples
	$(BIN)/ruff format --check lenetlib tests tools bench scripts examples
	$(BIN)/python -m tools.nbtools check-canonical $(NOTEBOOKS) $(SOLUTIONS)

format: $(STAMP)
	$(BIN)/ruff format lenetlib tests tools bench scripts examples
	$(BIN)/python -m tools.nbtools normalize $(NOTEBOOKS) $(SOLUTIONS)

# 검사 셀(# NBVAL_CHECK_OUTPUT)의 기대 출력을 다시 기록합니다. 예: make record NB=notebooks/01_data.ipynb
NB ?= $(NOTEBOOKS)
record: data
	$(BIN)/python -m tools.nbtools record $(NB) --out build/record

# 함께 실어 보내는 측정값과 자료를 다시 만듭니다 (lenetlib/_data/, 2코어 CPU 기준 시간).
# seed-spread: 4장 기본 설정을 시드 5개로 (5장의 시드 흔들림, 5~10분)
# paper-reference: 7장 표의 일곱 줄을 시드 3개로 (7장의 기준표, 멈췄다 다시 하면 이어서, 한가할 때 약 25분)
# handwriting-samples: 8장의 손글씨 견본 PNG 50장 (몇 초, 같은 시드면 같은 파일)
seed-spread: data
	$(BIN)/python scripts/seed_spread.py

paper-reference: data
	$(BIN)/python scripts/paper_reference.py

handwriting-samples: $(STAMP)
	$(BIN)/python scripts/make_handwriting_samples.py

# 훈련 속도 벤치마크 (원래 노트북 방식 / lenetlib 기본값 / PyTorch 즉시 실행). 결과: build/bench/
# PyTorch(CPU 빌드)는 이 대상만 설치합니다. 설치할 수 없으면 PyTorch 비교만 건너뜁니다.
BENCH_ARGS ?=
bench: data
	@$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0 \
		|| echo "PyTorch를 설치하지 못했습니다: PyTorch 비교(C)는 건너뜁니다."
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

# 책: make run이 실행한 장(build/*.ipynb)을 다시 실행하지 않고 정적 한국어 HTML 책으로 (build/book/index.html).
# Jupyter Book 1의 엔진(Sphinx + MyST-NB + sphinx-book-theme, pyproject.toml의 book 묶음)을 처음 한 번 설치합니다.
# 차례(1~8장, 부록, 풀이, 용어집·API·논문 재현 표), 한국어 검색, 책에 실은 나눔고딕, MathML 수식 (인터넷 불필요)
BOOK_FROM ?= build
BOOK_STAMP := $(VENV)/.book-installed
$(BOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[book]'
	@touch $@

book: $(BOOK_STAMP)
	$(BIN)/python -m tools.book build $(NOTEBOOKS) --from $(BOOK_FROM) --out build/book

# make run 없이: 빠른 매개변수(TRAIN_LIMIT=3000, EPOCHS=2)로 장을 build/book-run/에 실행하고 그것으로 책 (CI, 약 3분)
book-fast: data $(BOOK_STAMP)
	$(BIN)/python -m tools.book run-fast $(NOTEBOOKS) --out build/book-run
	$(MAKE) --no-print-directory book BOOK_FROM=build/book-run

# 만든 책을 인터넷을 막은 헤드리스 Chromium으로: 모든 쪽의 콘솔 오류·그림·한글 글꼴·깨진 링크, "과대적합" 검색.
# 스크린숏 세 장: build/book-shots/
test-book: $(BOOK_STAMP) browser-tools
	$(BIN)/python -m tools.book test build/book --shots build/book-shots

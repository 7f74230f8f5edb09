"""모든 모듈이 함께 쓰는 상수. (내부용; 장 모듈이 필요한 것을 다시 내보냄)"""

from __future__ import annotations

#: 클래스(숫자) 수
NUM_CLASSES = 10
#: 클래스 이름 "0"~"9"
CLASS_NAMES = tuple(str(d) for d in range(NUM_CLASSES))
#: MNIST 원본 이미지의 한 변 크기
IMAGE_SIZE = 28
#: LeNet-5 입력을 만들 때 네 변에 채우는 0의 칸 수
PAD = 2
#: 패딩 뒤 한 변 크기 (LeNet-5 논문의 32×32 입력)
PADDED_SIZE = IMAGE_SIZE + 2 * PAD
#: 모델 입력 모양 (높이, 너비, 채널)
INPUT_SHAPE = (PADDED_SIZE, PADDED_SIZE, 1)
#: 원시 픽셀의 최댓값
MAX_PIXEL = 255.0
#: 시드의 상한 (NumPy·TensorFlow가 받는 32비트 부호 없는 정수)
MAX_SEED = 2**32 - 1

#: 데이터 캐시 경로를 바꾸는 환경 변수
DATA_ENV = "LENETLIB_DATA"
#: 산출물 폴더를 바꾸는 환경 변수
ARTIFACTS_ENV = "LENETLIB_ARTIFACTS"
#: 훈련 진행 표시를 바꾸는 환경 변수 (bar / epoch / none)
PROGRESS_ENV = "LENETLIB_PROGRESS"

#: 각 장의 노트북 (오류 메시지가 어디를 보라고 안내할 때 씀)
CHAPTERS = {
    1: "1장 `01_data.ipynb`",
    2: "2장 `02_preprocessing.ipynb`",
    3: "3장 `03_model.ipynb`",
    4: "4장 `04_training.ipynb`",
    5: "5장 `05_evaluation.ipynb`",
    6: "6장 `06_error_analysis.ipynb`",
    7: "7장 `07_paper.ipynb`",
    8: "8장 `08_handwriting.ipynb`",
}

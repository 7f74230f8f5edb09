"""강사용 예: 저장소 없이 설치한 lenetlib만으로 작은 실험 하나 (``make test-outside``가 실행).

불러오기 → 준비 → 모델 → 부분 집합으로 1 에포크 훈련 → 평가 → 슬라이드용 그림 저장, 그리고
한글 제목을 단 강사 자신의 그림 하나. 강의 자료에 그대로 옮겨 쓸 수 있는 짧은 흐름입니다.
산출물은 현재 폴더의 ``instructor_figure.png``(200 dpi)와 ``instructor_own.svg``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from lenetlib import config, data, evaluation, model, plotting, preprocessing, training

config.setup(seed=7)
train, test = data.load_mnist()
prepared = preprocessing.prepare_mnist(train, test, train_limit=2000)
lenet = model.build_lenet5()
history = training.train(lenet, prepared, training.TrainConfig(epochs=1, seed=7), progress="none")
result = evaluation.evaluate_model(lenet, prepared.x_test, prepared.y_test)
print(f"1 에포크(2,000장) 뒤 테스트 정확도: {result.accuracy:.4f}")
assert result.accuracy > 0.5, "1 에포크 뒤에도 정확도가 너무 낮습니다"
figure = plotting.plot_confusion_matrices(result.confusion, result.confusion_normalized)
plotting.save_figure(figure, "instructor_figure.png")  # 슬라이드용: 200 dpi PNG (SVG·PDF도 됨)

import matplotlib.pyplot as plt  # noqa: E402  강사 자신의 그림: 한글 글꼴만 켜는 한 줄

print("한글 글꼴:", plotting.use_korean_font())
own, ax = plt.subplots(figsize=(4, 3))
ax.plot(history.history["loss"], marker="o")
ax.set(title="훈련 손실", xlabel="에포크", ylabel="손실")
plotting.save_figure(own, "instructor_own.svg")
print("그림을 instructor_figure.png, instructor_own.svg에 저장했습니다.")

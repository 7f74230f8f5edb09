"""``make book``과 ``make test-book``: 실행된 장으로 만드는 정적 한국어 책과 그 브라우저 검사.

- ``python -m tools.book build notebooks/*.ipynb --from build --out build/book``: 책 만들기
  (builder.py)
- ``python -m tools.book run-fast notebooks/*.ipynb --out build/book-run``: 빠른 매개변수로
  장 실행 (CI)
- ``python -m tools.book test build/book``: 헤드리스 Chromium으로 모든 쪽 검사 (check.py)
"""

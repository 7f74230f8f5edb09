"""`make bench` 벤치마크 스크립트 모음 (lenetlib 패키지에는 들어가지 않음)."""

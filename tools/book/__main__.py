"""``python -m tools.book build|run-fast|test`` (make book, make book-fast, make test-book)."""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.book")
    parser.add_argument("command", choices=["build", "run-fast", "test"])
    parser.add_argument("paths", nargs="*", type=Path, help="장 노트북들 (test: 책 폴더)")
    parser.add_argument("--from", dest="source", type=Path, default=Path("build"),
                        help="실행된 장이 있는 폴더 (make run: build)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("build/book"))
    parser.add_argument("--shots", type=Path, default=Path("build/book-shots"))
    args = parser.parse_args(argv)
    if args.command == "build":
        from tools.book.builder import build

        return build(args.paths, args.source, args.out)
    if args.command == "run-fast":
        from tools.nbtools import fast_parameters, run

        failures, _ = run(sorted(args.paths), args.out, fast_parameters(args.out))
        return 1 if failures else 0
    from tools.book.check import check

    return check(args.paths[0] if args.paths else args.out, args.shots)


if __name__ == "__main__":
    raise SystemExit(main())

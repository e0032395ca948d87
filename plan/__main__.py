"""Command line: `python -m plan --stack dev` prints the offline plan and writes its JSON."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from components.config import ConfigError
from plan.render import render_tree
from plan.runner import ROOT, StackFileError, run_plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plan", description=__doc__)
    parser.add_argument("--stack", default="dev", help="stack name, read from Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--out", type=Path, help="JSON file to write (default: build/plan-<stack>.json)")
    parser.add_argument("--debug", action="store_true", help="print the full traceback when the program fails")
    args = parser.parse_args(argv)

    try:
        plan = run_plan(args.stack)
    except ConfigError as error:
        print(f"invalid stack config in Pulumi.{args.stack}.yaml:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except StackFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - any failure of the program itself, reported in one line
        if args.debug:
            raise
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"error: the program failed under the mock runtime: {message}", file=sys.stderr)
        print("Run `python -m plan --stack STACK --debug` for the traceback.", file=sys.stderr)
        return 1

    out = args.out or ROOT / "build" / f"plan-{args.stack}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(plan.to_json())
    sys.stdout.write(render_tree(plan))
    print(f"\nWrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Pulumi's mock runtime leaves per-thread asyncio loops open, and closing them during interpreter
    # shutdown now and then prints "Exception ignored in BaseEventLoop.__del__". Exit without that.
    os._exit(code)

"""List the fault catalogue: ``python -m tests.faults [--area AREA] [--markdown]``."""

import argparse
import textwrap

from tests.faults.catalogue import AREAS, CASES, table


def main(argv=None):
    """Print the catalogue's cases and what must happen in each."""
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__)
    parser.add_argument("--area", choices=AREAS, help="one area only")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args(argv)
    rows = table(args.area)
    if args.markdown:
        print("| case | area | given | expected |")
        print("|---|---|---|---|")
        for case_id, area, given, expected in rows:
            print(f"| `{case_id}` | {area} | {given} | {expected} |")
    else:
        for case_id, area, given, expected in rows:
            print(f"{case_id}  [{area}]")
            print(textwrap.indent(textwrap.fill(f"given:    {given}", 96), "    "))
            print(textwrap.indent(textwrap.fill(f"expected: {expected}", 96), "    "))
    checked = sum(1 for c in CASES if c.test is None and args.area in (None, c.area))
    print(
        f"\n{len(rows)} cases ({checked} run by tests/faults/test_catalogue.py, the others by "
        "the test each names)."
    )


if __name__ == "__main__":
    main()

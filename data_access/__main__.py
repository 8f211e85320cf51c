"""Command line: ``python -m data_access refresh|status|bundle``.

Exit status is non-zero when any dataset failed, so cron and CI notice.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from data_access.context import DataContext
from data_access.refresh import client_factory_from, refresh_dataset
from data_access.settings import Settings


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def cmd_refresh(ctx: DataContext, args: argparse.Namespace) -> int:
    keys = list(ctx.catalog.datasets) if args.all or not args.keys else args.keys
    if not ctx.catalog.datasets:
        print(f"{ctx.catalog.territory.name}: no dataset in the catalog ({ctx.catalog.path}): nothing to refresh.")
        return 0
    unknown = [k for k in keys if k not in ctx.catalog.datasets]
    if unknown:
        print(f"unknown dataset(s): {', '.join(unknown)}; known: {', '.join(ctx.catalog.datasets)}", file=sys.stderr)
        return 2
    outcomes = []
    factory = client_factory_from(ctx.settings)
    skipped = [k for k in keys if not ctx.catalog[k].refreshable]
    for key in skipped:
        kind = "demonstration data" if ctx.catalog[key].demo else "reference data bundled with Pilote"
        print(f"{key}: not fetched ({kind}; rebuilt by `python -m data_access bundle`)")
    keys = [k for k in keys if k not in skipped]
    for i, key in enumerate(keys, 1):
        spec = ctx.catalog[key]
        print(f"[{i}/{len(keys)}] {key} <- {args.portal or spec.portal_url} ({spec.dataset_id}) ...", flush=True)
        outcome = refresh_dataset(spec, ctx.catalog, ctx.store, api_key=ctx.settings.api_key,
                                  portal_url=args.portal, client_factory=factory)
        print(f"      {'ok' if outcome.ok else 'FAILED'}: {outcome.message} ({outcome.seconds:.1f} s)", flush=True)
        outcomes.append(outcome)
    print()
    print(_table([[o.key, "ok" if o.ok else "FAILED", o.rows, f"{o.seconds:.1f} s", o.message] for o in outcomes],
                 ["dataset", "result", "rows served", "time", "detail"]))
    failed = [o for o in outcomes if not o.ok]
    if failed:
        print(f"\n{len(failed)} of {len(outcomes)} dataset(s) failed; their last good snapshot is still served.")
    refreshed = {o.key for o in outcomes if o.ok}
    if refreshed and not args.no_warm:
        warm_pages(refreshed)
    return 1 if failed else 0


def warm_pages(keys: set[str]) -> None:
    """The pages reading ``keys`` rendered now, into the shared cache, so their next viewer does not wait. A
    failed warm-up costs nothing but that: the refresh stands (the pages are built at their first view)."""
    from pilote.warm import describe, warm_app  # the app itself: imported only when a refresh needs it

    try:
        warmed = warm_app(keys)
    except Exception as exc:  # noqa: BLE001 - the snapshots are swapped in whatever happens here
        print(f"\npages not rendered in advance ({type(exc).__name__}: {exc}); built at their first view.")
        return
    print("\n" + describe(warmed))


def cmd_status(ctx: DataContext, args: argparse.Namespace) -> int:
    statuses = ctx.statuses()
    if not statuses:
        print(f"{ctx.catalog.territory.name}: no dataset in the catalog ({ctx.catalog.path}); "
              "add [datasets.KEY] tables (README, \"Another territory\").")
        return 0
    rows = []
    for s in statuses:
        rows.append([s.spec.key, s.spec.role or "-", s.spec.visibility, s.meta.rows, s.meta.bad_rows,
                     _age(s.age_seconds), s.spec.refresh_every, s.state,
                     s.meta.fetched_at.strftime("%Y-%m-%d %H:%M") if s.meta.fetched_at else "-",
                     s.meta.last_error or ("" if s.state != "missing" else "no data yet: run refresh")])
    print(_table(rows, ["dataset", "role", "visibility", "rows", "dropped", "age", "every", "state",
                        "fetched_at (UTC)", "last error"]))
    return 1 if any(s.degraded for s in statuses) else 0


def cmd_bundle(ctx: DataContext, args: argparse.Namespace) -> int:
    from data_access.bundle import build

    for key, rows in build(ctx.catalog).items():
        print(f"{key}: {rows} rows")
    return 0


def cmd_export(ctx: DataContext, args: argparse.Namespace) -> int:
    """A collaborative dataset as CSV in its catalog schema (reports and their history), for the portal."""
    from data_access import reports

    spec = ctx.catalog.datasets.get(args.key)
    if spec is None or not spec.collaborative:
        known = ", ".join(k for k, d in ctx.catalog.datasets.items() if d.collaborative) or "aucun"
        print(f"{args.key}: not a collaborative dataset of this catalog; collaborative: {known}", file=sys.stderr)
        return 2
    body = reports.export_csv(ctx.frame(spec.key), spec)
    if args.output in (None, "-"):
        sys.stdout.buffer.write(body)
    else:
        Path(args.output).write_bytes(body)
        rows = body.count(b"\n") - 1
        print(f"{spec.key}: {rows} rows written to {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access", description="Pilote datasets: refresh and status.")
    sub = parser.add_subparsers(dest="command", required=True)
    refresh = sub.add_parser("refresh", help="fetch datasets from their portal and swap in valid snapshots")
    refresh.add_argument("keys", nargs="*", help="dataset keys (default: all)")
    refresh.add_argument("--all", action="store_true", help="every dataset of the catalog")
    refresh.add_argument("--portal", help="portal base URL to use instead of the catalog's (mirror, test server)")
    refresh.add_argument("--no-warm", action="store_true",
                         help="do not render the pages reading the refreshed datasets in advance")
    sub.add_parser("status", help="rows, age, state and last error of each dataset")
    sub.add_parser("bundle", help="rebuild data/snapshots from data/sources (maintainers)")
    export = sub.add_parser("export", help="a collaborative dataset (agents' reports) as CSV in its catalog schema")
    export.add_argument("key", help="dataset key, e.g. aires_controles")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx = DataContext(Settings.from_env())
    if args.command != "bundle":
        ctx.seed_bundled()
    return {"refresh": cmd_refresh, "status": cmd_status, "bundle": cmd_bundle,
            "export": cmd_export}[args.command](ctx, args)


if __name__ == "__main__":
    sys.exit(main())
